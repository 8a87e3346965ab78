/* SPDX-License-Identifier: MIT
 *
 * driver/attach.c - which device context a domain needs, attaching devices
 * (with or without an MSI page table), and the reserved regions that
 * follow from the attachment.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3 (DC fields: iohgatp + GSCID, iosatp +
 * ta.PSCID, msiptp, msi_addr_mask/pattern), §3.1.3.5 ("when iohgatp.MODE is
 * Bare, msiptp.MODE must be Off"), AIA §2.7 / CHECKLIST §2.7 (MSI table
 * alignment, the match rule, extract()), §9.2 (DC update order, done by
 * rvd_write_dc).
 *
 * Invariants
 *   1. iommu->attach[] lists every device whose DC points at a domain, and
 *      dom->nattached counts its entries.
 *   2. Every DC with a given GSCID carries the same MSI table: the table
 *      lives in the second-stage domain that owns the GSCID (MSI PTEs are
 *      cached by GSCID + GPA, so two tables on one GSCID would be
 *      unpredictable), and it changes only while no other device uses the
 *      GSCID (rvd_attach_dev_msi) or for all of them (rvd_domain_set_msi).
 *   3. msiptp is non-zero only in DCs whose iohgatp is not Bare.
 */
#include <string.h>

#include "driver/drv_internal.h"

static void lock(struct rvd_iommu *m)
{
	m->host.ops->lock(m->host.ctx);
}
static void unlock(struct rvd_iommu *m)
{
	m->host.ops->unlock(m->host.ctx);
}

void rvd_make_dc(const struct rvd_domain *d, uint64_t dc[8])
{
	const struct rvd_iommu *m = d->iommu;
	memset(dc, 0, 8 * sizeof(dc[0]));
	if (d->type == RVD_DOMAIN_BLOCKED)
		return; /* V=0: every request faults with cause 258 */
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	/* SBE must equal fctl.BE when BE is fixed, and the first-stage tables
	 * are written in the host's order, which probe put in fctl.BE. */
	if (m->fctl & RVI_FCTL_BE)
		dc[RVI_DC_TC] |= RVI_DC_TC_SBE;
	if (d->type == RVD_DOMAIN_IDENTITY)
		return; /* iohgatp = iosatp = Bare */
	/* Dirty tracking (dirty.c): hardware A/D updates for d's stage. */
	if (d->type == RVD_DOMAIN_PAGING && d->pt.dirty_tracking)
		dc[RVI_DC_TC] |= d->stage == 1 ? RVI_DC_TC_SADE : RVI_DC_TC_GADE;
	const struct rvd_domain *s2 = rvd_s2_owner(d);
	if (s2) {
		uint64_t ppn = s2->pt.root_phys >> RVI_PAGE_SHIFT;
		dc[RVI_DC_IOHGATP] = RVI_FIELD_PREP(RVI_IOHGATP_MODE, s2->pt.fmt->atp_mode) |
		                     RVI_FIELD_PREP(RVI_IOHGATP_GSCID, s2->gscid) |
		                     RVI_FIELD_PREP(RVI_IOHGATP_PPN, ppn);
		if (m->dc_ext) {
			dc[RVI_DC_MSIPTP] = s2->msiptp;
			dc[RVI_DC_MSI_ADDR_MASK] = s2->msi_mask;
			dc[RVI_DC_MSI_ADDR_PATTERN] = s2->msi_pattern;
		}
	}
	if (d->type == RVD_DOMAIN_NESTED) {
		/* The guest's iosatp: its PPN is a GPA (translated by the
		 * parent's G-stage), its PSCID is the guest's own. */
		dc[RVI_DC_FSC] = d->guest_fsc;
		dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, d->pscid);
	} else if (d->stage == 1) {
		uint64_t ppn = d->pt.root_phys >> RVI_PAGE_SHIFT;
		dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, d->pt.fmt->atp_mode) |
		                 RVI_FIELD_PREP(RVI_FSC_PPN, ppn);
		dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, d->pscid);
	}
}

int rvd_attach_slot(struct rvd_iommu *m, uint32_t did)
{
	for (unsigned i = 0; i < m->nattach; i++)
		if (m->attach[i].did == did)
			return (int)i;
	return -1;
}

/* Write did's DC for d and update the bookkeeping (lock held). */
static int attach_locked(struct rvd_domain *d, uint32_t did)
{
	struct rvd_iommu *m = d->iommu;
	uint64_t dc[8];
	rvd_make_dc(d, dc);
	int slot = rvd_attach_slot(m, did);
	if (slot >= 0 && m->attach[slot].pdt)
		return rvd_pdt_set_rid(m, slot, d); /* PASIDs stay attached */
	if (slot < 0 && d->type != RVD_DOMAIN_BLOCKED && m->nattach == RVD_MAX_ATTACH)
		return -ENOSPC;
	int rc = rvd_write_dc(m, did, dc);
	struct rvd_domain *now = d;
	if (rc) {
		/* The DC is either the new one (the final fence failed) or
		 * invalid (the first one did): look which. */
		int e;
		uint64_t *p = rvd_ddt_dc(m, did, false, &e);
		now = (p && (rvd_ld64(p) & RVI_DC_TC_V)) ? d : &m->blocked;
	}
	if (slot >= 0) {
		m->attach[slot].dom->nattached--;
		m->attach[slot] = m->attach[--m->nattach];
	}
	if (now != &m->blocked) {
		m->attach[m->nattach].did = did;
		m->attach[m->nattach].dom = now;
		m->attach[m->nattach].pdt = 0;
		m->attach[m->nattach].npasid = 0;
		m->nattach++;
		now->nattached++;
	}
	return rc;
}

static bool did_fits(const struct rvd_iommu *m, uint32_t did)
{
	return !(did >> rvi_ddt_device_id_bits(m->ddt_levels, m->dc_ext));
}

int rvd_attach_dev(struct rvd_domain *d, uint32_t did)
{
	struct rvd_iommu *m = d->iommu;
	if (!did_fits(m, did))
		return -EINVAL;
	lock(m);
	int rc = attach_locked(d, did);
	unlock(m);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* MSI tables                                                                */
/* ------------------------------------------------------------------------ */

static int msi_check(const struct rvd_iommu *m, const struct rvd_domain *d, uint64_t ppn,
                     uint64_t mask, uint64_t pattern)
{
	if (!ppn)
		return (mask | pattern) ? -EINVAL : 0;
	if (!(m->caps & RVI_CAP_MSI_FLAT))
		return -ENODEV;
	if (!rvd_s2_owner(d))
		return -EINVAL; /* iohgatp Bare: msiptp must be Off (§3.1.3.5) */
	if (ppn >> 44)
		return -ERANGE;
	/* mask/pattern hold GPA[63:12]; bits 63:52 and those at or above
	 * MGPAW-12 are reserved (§3.1.3.6). */
	unsigned w = rvi_mgpaw(m->caps) - RVI_PAGE_SHIFT;
	uint64_t legal = w >= 52 ? RVI_MSI_ADDR_MASK_MASK : (UINT64_C(1) << w) - 1;
	if ((mask | pattern) & ~legal)
		return -EINVAL;
	/* 2^k 16-byte entries: 4 KiB aligned up to 256, else naturally
	 * aligned to the table size (AIA §2.7). */
	unsigned k = (unsigned)__builtin_popcountll(mask);
	if (k > 8 && (ppn & ((UINT64_C(1) << (k - 8)) - 1)))
		return -EINVAL;
	return 0;
}

static uint64_t msiptp_of(uint64_t ppn)
{
	return ppn ? RVI_FIELD_PREP(RVI_MSIPTP_MODE, RVI_MSIPTP_FLAT) |
	                 RVI_FIELD_PREP(RVI_MSIPTP_PPN, ppn)
	           : 0;
}

/* Devices other than 'except' whose DC carries owner's GSCID. */
static unsigned gscid_users(const struct rvd_iommu *m, const struct rvd_domain *owner,
                            uint32_t except)
{
	unsigned n = 0;
	for (unsigned i = 0; i < m->nattach; i++)
		if (m->attach[i].did != except && rvd_s2_owner(m->attach[i].dom) == owner)
			n++;
	return n;
}

int rvd_attach_dev_msi(struct rvd_domain *d, uint32_t did, uint64_t ppn, uint64_t mask,
                       uint64_t pattern)
{
	struct rvd_iommu *m = d->iommu;
	int rc = msi_check(m, d, ppn, mask, pattern);
	if (rc)
		return rc;
	if (!did_fits(m, did))
		return -EINVAL;
	struct rvd_domain *o = rvd_s2_owner(d);
	if (!o)
		return rvd_attach_dev(d, did); /* ppn == 0 here */
	uint64_t ptp = msiptp_of(ppn);
	lock(m);
	uint64_t old[3] = {o->msiptp, o->msi_mask, o->msi_pattern};
	if (old[0] != ptp || old[1] != mask || old[2] != pattern) {
		if (gscid_users(m, o, did)) { /* invariant 2 */
			unlock(m);
			return -EBUSY;
		}
		o->msiptp = ptp;
		o->msi_mask = mask;
		o->msi_pattern = pattern;
	}
	rc = attach_locked(d, did);
	if (rc && rvd_attach_slot(m, did) < 0) {
		o->msiptp = old[0]; /* nothing uses the new table */
		o->msi_mask = old[1];
		o->msi_pattern = old[2];
	}
	unlock(m);
	return rc;
}

int rvd_domain_set_msi(struct rvd_domain *d, uint64_t ppn, uint64_t mask, uint64_t pattern)
{
	struct rvd_iommu *m = d->iommu;
	int rc = msi_check(m, d, ppn, mask, pattern);
	if (rc)
		return rc;
	struct rvd_domain *o = rvd_s2_owner(d);
	if (!o)
		return 0; /* Off stays Off */
	lock(m);
	o->msiptp = msiptp_of(ppn);
	o->msi_mask = mask;
	o->msi_pattern = pattern;
	/* Rewrite each DC of the GSCID; rvd_write_dc invalidates the old
	 * one's G-stage and MSI entries (IOTINVAL.GVMA GV=1 GSCID). */
	for (unsigned i = 0; i < m->nattach; i++) {
		if (rvd_s2_owner(m->attach[i].dom) != o)
			continue;
		uint64_t dc[8];
		rvd_make_dc(m->attach[i].dom, dc);
		int e = rvd_write_dc(m, m->attach[i].did, dc);
		if (e && !rc)
			rc = e;
	}
	unlock(m);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Reserved regions                                                          */
/* ------------------------------------------------------------------------ */

/* The software MSI aperture used when DMA domains are first-stage. */
#define RVD_SW_MSI_BASE UINT64_C(0x8000000)
#define RVD_SW_MSI_SIZE UINT64_C(0x100000)

/* The GPAs matching (mask, pattern): the lowest run of mask ones that
 * starts at bit 0 gives the region size; every value of the other mask
 * bits gives one region. */
static int msi_regions(uint64_t mask, uint64_t pattern, struct rvd_resv_region *out, int max)
{
	uint64_t run = mask & ~(mask + 1);
	uint64_t high = mask & ~run;
	unsigned hk = (unsigned)__builtin_popcountll(high);
	int total = hk >= 30 ? (1 << 30) : (1 << hk);
	uint64_t base = pattern & ~mask, s = 0;
	for (int i = 0; i < max && i < total; i++) {
		out[i].start = (base | s) << RVI_PAGE_SHIFT;
		out[i].length = (run + 1) << RVI_PAGE_SHIFT;
		out[i].type = RVD_RESV_MSI;
		s = (s - high) & high; /* next subset of the high bits */
	}
	return total;
}

int rvd_get_resv_regions(struct rvd_iommu *m, uint32_t did, struct rvd_resv_region *out, int max)
{
	lock(m);
	int slot = rvd_attach_slot(m, did);
	const struct rvd_domain *d = slot >= 0 ? m->attach[slot].dom : NULL;
	const struct rvd_domain *o = d ? rvd_s2_owner(d) : NULL;
	uint64_t ptp = o ? o->msiptp : 0, mask = o ? o->msi_mask : 0;
	uint64_t pattern = o ? o->msi_pattern : 0;
	bool sw = d ? d->type == RVD_DOMAIN_PAGING && d->stage == 1 : m->default_stage == 1;
	unlock(m);
	if (ptp)
		return msi_regions(mask, pattern, out, max);
	if (!sw)
		return 0;
	/* First stage: MSIs must be mapped through the page table at an IOVA
	 * the OS picks inside this window (Linux SW_MSI). */
	if (max >= 1) {
		out[0].start = RVD_SW_MSI_BASE;
		out[0].length = RVD_SW_MSI_SIZE;
		out[0].type = RVD_RESV_SW_MSI;
	}
	return 1;
}
