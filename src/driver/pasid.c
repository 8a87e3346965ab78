/* SPDX-License-Identifier: MIT
 *
 * driver/pasid.c - process directories: PASID attach and detach, the
 * process-context writer, and the RID traffic of a device that has a PDT.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3.4 (pdtp modes PD8/PD17/PD20), §3.3 (PDI
 * split 8/9/3 bits, non-leaf PDTE, 16-byte PC: ta V/ENS/SUM/PSCID, fsc),
 * §2.3 steps 11-16 (DPE: no process_id uses PASID 0), §9.2 (the "Leaf PC"
 * row: IODIR.INVAL_PDT DV=1 DID PID, then IOTINVAL.VMA PSCV=1 PSCID of the
 * old PC, GV=0 because these devices' iohgatp is Bare; "Non-leaf PDTE":
 * V 0->1 needs nothing).
 *
 * A device with a PDT has DC.tc.PDTV=1, iohgatp Bare, fsc = pdtp.  Its
 * RID domain decides the rest:
 *   first-stage paging -> DPE=1, PC[0] = that domain;
 *   blocked            -> DPE=1, PC[0] invalid (cause 266);
 *   identity           -> DPE=0 (no process_id: first stage Bare).
 *
 * PC writer order, for a PC that is valid now:
 *   1. store ta with V=0; wmb;
 *   2. IODIR.INVAL_PDT DID PID, IOTINVAL.VMA PSCV=1 old PSCID, for an
 *      ATS device ATS.INVAL PV=1 PID (PV=0 for PID 0) of the whole space,
 *      IOFENCE.C;
 *   3. store fsc; wmb; store ta with V=1 (one store); wmb;
 *   4. IODIR.INVAL_PDT DID PID, IOFENCE.C.
 *
 * Invariants
 *   1. attach[i].pdt != 0 iff the device's DC has PDTV=1 and
 *      attach[i].npasid > 0.
 *   2. pasid_att[] lists every valid PC except PC[0]; each entry counts
 *      once in its domain's nattached.
 *   3. Non-leaf PDT pages are published after a wmb and freed only with
 *      the whole PDT, after a DC without it has been fenced.
 */
#include <string.h>

#include "driver/drv_internal.h"

static void *va(struct rvd_iommu *m, uint64_t pa)
{
	return m->host.ops->phys_to_virt(m->host.ctx, pa);
}

static void wmb(struct rvd_iommu *m)
{
	m->host.ops->wmb(m->host.ctx);
}

static unsigned pick_pd_mode(const struct rvd_iommu *m)
{
	static const struct {
		unsigned mode;
		uint64_t cap;
	} pd[3] = {{RVI_PDTP_PD8, RVI_CAP_PD8},
	           {RVI_PDTP_PD17, RVI_CAP_PD17},
	           {RVI_PDTP_PD20, RVI_CAP_PD20}};
	unsigned want = m->cfg.pasid_bits ? m->cfg.pasid_bits : RVI_PROCESS_ID_BITS, best = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (!(m->caps & pd[i].cap))
			continue;
		best = pd[i].mode;
		if (rvi_pdt_process_id_bits(best) >= want)
			return best;
	}
	return best;
}

/* The PC of pid (2 words), allocating non-leaf levels when alloc (a PDTE
 * has the DDTE's layout, so the DDT's descent serves, invariant 3). */
static uint64_t *pdt_pc(struct rvd_iommu *m, uint64_t root, uint32_t pid, bool alloc, int *err)
{
	uint64_t *t = va(m, root);
	for (unsigned i = rvi_pdt_levels(m->pd_mode) - 1; i > 0 && t; i--)
		t = rvd_dir_descend(m, &t[rvi_pdi(pid, i)], alloc, err);
	return t ? t + 2 * (size_t)rvi_pdi(pid, 0) : NULL;
}

static void free_level(struct rvd_iommu *m, uint64_t phys, unsigned level)
{
	if (level > 0) {
		uint64_t *t = va(m, phys);
		unsigned n = level == 2 ? 8 : 512;
		for (unsigned i = 0; i < n; i++) {
			uint64_t e = rvd_ld64(&t[i]);
			if (e & RVI_NL_V)
				free_level(m, RVI_FIELD_GET(RVI_NL_PPN, e) << RVI_PAGE_SHIFT,
				           level - 1);
		}
	}
	rvd_host_free(&m->host, phys, 0);
}

static void pdt_free(struct rvd_iommu *m, uint64_t root)
{
	free_level(m, root, rvi_pdt_levels(m->pd_mode) - 1);
}

void rvd_pdt_free_all(struct rvd_iommu *m)
{
	for (unsigned i = 0; i < m->nattach; i++)
		if (m->attach[i].pdt) {
			pdt_free(m, m->attach[i].pdt);
			m->attach[i].pdt = 0;
		}
}

/* ------------------------------------------------------------------------ */
/* The PC writer                                                             */
/* ------------------------------------------------------------------------ */

static void pc_of(const struct rvd_domain *d, uint64_t *ta, uint64_t *fsc)
{
	*ta = RVI_PC_TA_V | RVI_FIELD_PREP(RVI_PC_TA_PSCID, d->pscid);
	*fsc = RVI_FIELD_PREP(RVI_FSC_MODE, d->pt.fmt->atp_mode) |
	       RVI_FIELD_PREP(RVI_FSC_PPN, d->pt.root_phys >> RVI_PAGE_SHIFT);
}

/* Write PC (did, pid) at pc to (ta, fsc); ta without V clears it. */
static int write_pc(struct rvd_iommu *m, uint32_t did, uint32_t pid, uint64_t *pc, uint64_t ta,
                    uint64_t fsc)
{
	struct rvd_batch b;
	struct rvd_cmd c;
	uint64_t old = rvd_ld64(&pc[RVI_PC_TA]);
	if (old & RVI_PC_TA_V) {
		/* 1. The process loses its context with one store. */
		rvd_st64(&pc[RVI_PC_TA], old & ~RVI_PC_TA_V);
		wmb(m); /* visible before the IODIR that drops the cached PC */
		/* 2. §9.2 "Leaf PC": the PC, then the old PSCID's entries. */
		rvd_batch_init(&b);
		c = rvd_cmd_iodir_inval_pdt(did, pid);
		rvd_batch_add(m, &b, &c);
		c = rvd_cmd_iotinval_vma(false, 0, true,
		                         (uint32_t)RVI_FIELD_GET(RVI_PC_TA_PSCID, old), false, 0);
		rvd_batch_add(m, &b, &c);
		/* §9.2 "DevATC": the device's ATC after the IOATC. */
		rvd_add_ats_inval_pc(m, &b, did, pid);
		int rc = rvd_batch_submit(m, &b, false, false);
		if (rc)
			return rc;
	}
	if (!(ta & RVI_PC_TA_V))
		return 0;
	/* 3. fsc before V=1: the IOMMU may read the words in any order. */
	rvd_st64(&pc[RVI_PC_FSC], fsc);
	wmb(m);
	rvd_st64(&pc[RVI_PC_TA], ta);
	wmb(m);
	/* 4. Not needed for V 0->1 in principle; kept as for DCs. */
	rvd_batch_init(&b);
	c = rvd_cmd_iodir_inval_pdt(did, pid);
	rvd_batch_add(m, &b, &c);
	return rvd_batch_submit(m, &b, false, false);
}

/* ------------------------------------------------------------------------ */
/* Device contexts of PDT devices                                            */
/* ------------------------------------------------------------------------ */

/* Does a domain of the PDT device a (RID, a PASID, or 'extra', one about
 * to be attached) track dirty?  SADE is per DC, so it covers them all;
 * the others keep D preset in writable leaves and never need an update. */
static bool pdt_dirty(const struct rvd_iommu *m, const struct rvd_attach *a,
                      const struct rvd_domain *extra)
{
	if ((extra && extra->pt.dirty_tracking) ||
	    (a->dom->type == RVD_DOMAIN_PAGING && a->dom->pt.dirty_tracking))
		return true;
	for (unsigned i = 0; i < m->npasid_att; i++)
		if (m->pasid_att[i].did == a->did && m->pasid_att[i].dom->pt.dirty_tracking)
			return true;
	return false;
}

static void pdt_dc(const struct rvd_iommu *m, const struct rvd_attach *a,
                   const struct rvd_domain *extra, uint64_t dc[8])
{
	memset(dc, 0, 8 * sizeof(dc[0]));
	dc[RVI_DC_TC] = RVI_DC_TC_V | RVI_DC_TC_PDTV;
	if (m->fctl & RVI_FCTL_BE)
		dc[RVI_DC_TC] |= RVI_DC_TC_SBE;
	if (pdt_dirty(m, a, extra))
		dc[RVI_DC_TC] |= RVI_DC_TC_SADE; /* dirty.c: first-stage A/D */
	if (a->dom->type != RVD_DOMAIN_IDENTITY)
		dc[RVI_DC_TC] |= RVI_DC_TC_DPE;
	dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, m->pd_mode) |
	                 RVI_FIELD_PREP(RVI_FSC_PPN, a->pdt >> RVI_PAGE_SHIFT);
}

/* Rewrite did's DC only when it differs from dc. */
static int update_dc(struct rvd_iommu *m, uint32_t did, const uint64_t dc_in[8])
{
	int e;
	uint64_t dc[8];
	memcpy(dc, dc_in, sizeof(dc));
	rvd_dc_overlay(m, did, dc); /* compare what the writer would store */
	const uint64_t *cur = rvd_ddt_dc(m, did, false, &e);
	unsigned n = m->dc_ext ? RVI_DC_DWORDS_EXT : RVI_DC_DWORDS_BASE;
	if (cur) {
		unsigned i = 0;
		while (i < n && rvd_ld64(&cur[i]) == dc[i])
			i++;
		if (i == n)
			return 0;
	}
	return rvd_write_dc(m, did, dc);
}

static bool rid_ok(const struct rvd_domain *d)
{
	return d->type == RVD_DOMAIN_BLOCKED || d->type == RVD_DOMAIN_IDENTITY ||
	       (d->type == RVD_DOMAIN_PAGING && d->stage == 1);
}

/* Make PC[0] and the DC follow a->dom. */
static int sync_rid(struct rvd_iommu *m, struct rvd_attach *a)
{
	uint64_t dc[8], ta = 0, fsc = 0;
	int err = 0;
	uint64_t *pc0 = pdt_pc(m, a->pdt, 0, true, &err);
	if (!pc0)
		return err;
	bool paging = a->dom->type == RVD_DOMAIN_PAGING;
	if (paging)
		pc_of(a->dom, &ta, &fsc);
	pdt_dc(m, a, NULL, dc);
	/* The new RID context is complete before the DC can lead to it, and
	 * the DC stops using PC[0] before it is cleared. */
	int rc = paging ? write_pc(m, a->did, 0, pc0, ta, fsc) : 0;
	if (!rc)
		rc = update_dc(m, a->did, dc);
	if (!rc && !paging)
		rc = write_pc(m, a->did, 0, pc0, 0, 0);
	return rc;
}

int rvd_pdt_set_rid(struct rvd_iommu *m, int slot, struct rvd_domain *d)
{
	struct rvd_attach *a = &m->attach[slot];
	if (!rid_ok(d))
		return -EBUSY;
	struct rvd_domain *old = a->dom;
	a->dom = d;
	int rc = sync_rid(m, a);
	old->nattached--;
	d->nattached++;
	return rc;
}

int rvd_pdt_sync_dc(struct rvd_iommu *m, int slot)
{
	uint64_t dc[8];
	pdt_dc(m, &m->attach[slot], NULL, dc);
	return update_dc(m, m->attach[slot].did, dc);
}

/* ------------------------------------------------------------------------ */
/* PASID attach and detach                                                   */
/* ------------------------------------------------------------------------ */

static int pasid_slot(const struct rvd_iommu *m, uint32_t did, uint32_t pasid)
{
	for (unsigned i = 0; i < m->npasid_att; i++)
		if (m->pasid_att[i].did == did && m->pasid_att[i].pasid == pasid)
			return (int)i;
	return -1;
}

/* Give device slot i a PDT (lock held). */
static int pdt_create(struct rvd_iommu *m, struct rvd_attach *a)
{
	void *v;
	int rc = rvd_host_alloc(&m->host, 0, &a->pdt, &v);
	if (rc) {
		a->pdt = 0;
		return rc;
	}
	rc = sync_rid(m, a);
	if (rc) {
		/* If the DC never took the PDT, nothing can walk it. */
		int e;
		const uint64_t *dc = rvd_ddt_dc(m, a->did, false, &e);
		if (!dc || !(rvd_ld64(&dc[RVI_DC_TC]) & RVI_DC_TC_PDTV)) {
			pdt_free(m, a->pdt);
			a->pdt = 0;
		}
	}
	return rc;
}

/* Drop the PDT of a device with no PASIDs left (lock held). */
static int pdt_destroy(struct rvd_iommu *m, int slot)
{
	struct rvd_attach *a = &m->attach[slot];
	uint64_t dc[8];
	rvd_make_dc(a->dom, dc);
	/* The DC without PDTV, fenced (IODIR.INVAL_DDT DV=1 also drops the
	 * device's cached PDT entries), before the pages go back. */
	int rc = rvd_write_dc(m, a->did, dc);
	if (rc)
		return rc; /* keep the PDT: the IOMMU may still use it */
	pdt_free(m, a->pdt);
	a->pdt = 0;
	if (a->dom == &m->blocked) {
		m->blocked.nattached--;
		*a = m->attach[--m->nattach];
	}
	return 0;
}

int rvd_attach_dev_pasid(struct rvd_domain *d, uint32_t did, uint32_t pasid)
{
	struct rvd_iommu *m = d->iommu;
	int rc = 0;
	if (d->type != RVD_DOMAIN_PAGING || d->stage != 1)
		return -EINVAL;
	if (!m->pd_mode)
		m->pd_mode = pick_pd_mode(m);
	if (!m->pd_mode)
		return -ENODEV;
	if (!pasid || pasid >> rvi_pdt_process_id_bits(m->pd_mode) ||
	    did >> rvi_ddt_device_id_bits(m->ddt_levels, m->dc_ext))
		return -EINVAL;
	m->host.ops->lock(m->host.ctx);
	int slot = rvd_attach_slot(m, did);
	int ps = pasid_slot(m, did, pasid);
	if ((slot < 0 && m->nattach == RVD_MAX_ATTACH) ||
	    (ps < 0 && m->npasid_att == RVD_MAX_PASID_ATTACH)) {
		rc = -ENOSPC;
		goto out;
	}
	if (slot >= 0 && !rid_ok(m->attach[slot].dom)) {
		rc = -EBUSY;
		goto out;
	}
	if (slot < 0) { /* a blocked device: an entry for its PDT */
		slot = (int)m->nattach++;
		m->attach[slot].did = did;
		m->attach[slot].dom = &m->blocked;
		m->attach[slot].pdt = 0;
		m->attach[slot].npasid = 0;
		m->blocked.nattached++;
	}
	struct rvd_attach *a = &m->attach[slot];
	if (!a->pdt)
		rc = pdt_create(m, a);
	uint64_t *pc = NULL;
	if (!rc)
		pc = pdt_pc(m, a->pdt, pasid, true, &rc);
	/* A tracking domain's new leaves have D=0: SADE must be in the DC
	 * before a PC can lead to them (else a store faults). */
	if (!rc && pc && d->pt.dirty_tracking) {
		uint64_t dc[8];
		pdt_dc(m, a, d, dc);
		rc = update_dc(m, did, dc);
	}
	bool wrote = false; /* write_pc ran: a valid PC is then d's */
	if (!rc) {
		uint64_t ta, fsc;
		pc_of(d, &ta, &fsc);
		rc = write_pc(m, did, pasid, pc, ta, fsc);
		wrote = true;
	}
	bool valid = pc && (rvd_ld64(&pc[RVI_PC_TA]) & RVI_PC_TA_V);
	if (ps >= 0 && valid && !wrote) {
		/* the SADE update failed: the PC still serves the old domain */
	} else if (ps >= 0) { /* replaced, or cleared by a failed replace */
		m->pasid_att[ps].dom->nattached--;
		if (valid) {
			m->pasid_att[ps].dom = d;
			d->nattached++;
		} else {
			m->pasid_att[ps] = m->pasid_att[--m->npasid_att];
			a->npasid--;
		}
	} else if (valid) {
		m->pasid_att[m->npasid_att].did = did;
		m->pasid_att[m->npasid_att].pasid = pasid;
		m->pasid_att[m->npasid_att].dom = d;
		m->npasid_att++;
		d->nattached++;
		a->npasid++;
	}
	if (!a->npasid && a->pdt)
		pdt_destroy(m, slot);
	else if (!a->pdt && a->dom == &m->blocked) {
		m->blocked.nattached--;
		*a = m->attach[--m->nattach];
	}
out:
	m->host.ops->unlock(m->host.ctx);
	return rc;
}

int rvd_detach_dev_pasid(struct rvd_iommu *m, uint32_t did, uint32_t pasid)
{
	int rc = -ENOENT, err;
	m->host.ops->lock(m->host.ctx);
	int ps = pasid_slot(m, did, pasid);
	int slot = rvd_attach_slot(m, did);
	if (ps < 0 || slot < 0)
		goto out;
	struct rvd_attach *a = &m->attach[slot];
	uint64_t *pc = pdt_pc(m, a->pdt, pasid, false, &err);
	rc = pc ? write_pc(m, did, pasid, pc, 0, 0) : 0;
	if (rc)
		goto out; /* the PC is V=0 now, but its invalidation failed */
	m->pasid_att[ps].dom->nattached--;
	m->pasid_att[ps] = m->pasid_att[--m->npasid_att];
	if (!--a->npasid)
		rc = pdt_destroy(m, slot);
	else
		rc = rvd_pdt_sync_dc(m, slot); /* SADE may go with the PASID */
out:
	m->host.ops->unlock(m->host.ctx);
	return rc;
}
