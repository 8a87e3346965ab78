/* SPDX-License-Identifier: MIT
 *
 * driver/ats.c - PCIe ATS and PRI: enabling and disabling them for a
 * device, and the ATS.INVAL commands that follow every IOMMU invalidation
 * of a domain an ATS device uses.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3.1 (tc.EN_ATS, EN_PRI, T2GPA, PRPR),
 * §4.1.4 (ATS.INVAL: PAYLOAD bit 0 G, bit 11 S, bits 63:12 the address in
 * the PCIe ATS range encoding; SW keeps at most the device's Invalidation
 * Queue Depth outstanding and invalidates the IOATC before the DevATC),
 * §4.1.2 (IOFENCE.C waits for ATS.INVAL completions; cmd_to), §9.2
 * ("DevATC", "Enabling ATS/PRI", "Disabling ATS/PRI").
 *
 * PCIe range encoding (also the one ARINV borrows): S=0 is one 4 KiB page;
 * S=1 with the lowest 0 bit of ADDR[63:12] at position X is 2^(X+1) pages
 * starting at ADDR with those low bits cleared; ADDR = 0x7ff...f (bit 63
 * clear, all others set) is the whole address space.  A gathered range
 * [start, last] is sent as the smallest aligned power-of-two block that
 * covers it (one command per device; over-invalidating the DevATC is
 * allowed, under-invalidating is not).
 *
 * Invariants
 *   1. iommu->ats[] lists the devices with ATS enabled and the tc bits
 *      their DCs carry; rvd_write_dc ORs them into every valid DC of the
 *      device (ddt.c), so attach and PASID changes keep them.
 *   2. ATS.INVALs follow the IOTINVALs of the same batch (IOATC first).
 *   3. Between two IOFENCE.Cs no device gets more ATS.INVALs than its queue
 *      depth: a fence is inserted when the count reaches it.
 */
#include <string.h>

#include "driver/drv_internal.h"

#define ATS_ALL_ADDR (UINT64_C(0x7fffffffffffffff) & ~(RVI_PAGE_SIZE - 1))

uint64_t rvd_ats_payload_all(void)
{
	return ATS_ALL_ADDR | RVI_ATS_INVAL_S;
}

uint64_t rvd_ats_payload_range(uint64_t start, uint64_t last)
{
	unsigned k = 0; /* the block is 2^k pages */
	while (k < 52 && ((start >> (RVI_PAGE_SHIFT + k)) != (last >> (RVI_PAGE_SHIFT + k))))
		k++;
	if (k >= 51)
		return rvd_ats_payload_all();
	uint64_t base = start & ~((UINT64_C(1) << (RVI_PAGE_SHIFT + k)) - 1);
	if (k == 0)
		return base;
	/* ADDR bits 12 .. 12+k-2 set, bit 12+k-1 clear. */
	uint64_t low = ((UINT64_C(1) << (RVI_PAGE_SHIFT + k - 1)) - 1) & ~(RVI_PAGE_SIZE - 1);
	return base | low | RVI_ATS_INVAL_S;
}

struct rvd_ats_dev *rvd_ats_find(struct rvd_iommu *m, uint32_t did)
{
	for (unsigned i = 0; i < m->nats; i++)
		if (m->ats[i].did == did)
			return &m->ats[i];
	return NULL;
}

uint64_t rvd_ats_tc_bits(struct rvd_iommu *m, uint32_t did, const uint64_t *dc)
{
	const struct rvd_ats_dev *a = rvd_ats_find(m, did);
	if (!a)
		return 0;
	uint64_t bits = a->tc_bits;
	/* §3.1.3 check 7: T2GPA with iohgatp Bare is a misconfiguration. */
	if (RVI_FIELD_GET(RVI_IOHGATP_MODE, dc[RVI_DC_IOHGATP]) == RVI_IOHGATP_BARE)
		bits &= ~RVI_DC_TC_T2GPA;
	return bits;
}

/* One ATS.INVAL, keeping invariant 3 with *n commands since the fence. */
static void add_one(struct rvd_iommu *m, struct rvd_batch *b, const struct rvd_ats_dev *a,
                    unsigned *n, bool pv, uint32_t pid, uint64_t payload)
{
	if (*n == a->depth) {
		struct rvd_cmd f = rvd_cmd_iofence_c(false, false);
		rvd_batch_add(m, b, &f);
		*n = 0;
	}
	struct rvd_cmd c = rvd_cmd_ats_inval(a->did, pv, pid, payload);
	rvd_batch_add(m, b, &c);
	(*n)++;
}

void rvd_add_ats_invals(struct rvd_domain *d, const struct rvd_gather *g, struct rvd_batch *b)
{
	struct rvd_iommu *m = d->iommu;
	uint64_t range = (g && g->start <= g->last) ? rvd_ats_payload_range(g->start, g->last)
	                                            : rvd_ats_payload_all();
	for (unsigned i = 0; i < m->nats; i++) {
		const struct rvd_ats_dev *a = &m->ats[i];
		unsigned n = 0;
		int slot = rvd_attach_slot(m, a->did);
		if (slot >= 0) {
			struct rvd_domain *rd = m->attach[slot].dom;
			if (rd == d)
				add_one(m, b, a, &n, false, 0, range);
			else if (rd->type == RVD_DOMAIN_NESTED && rd->parent == d)
				add_one(m, b, a, &n, false, 0, rvd_ats_payload_all());
		}
		for (unsigned j = 0; j < m->npasid_att; j++)
			if (m->pasid_att[j].did == a->did && m->pasid_att[j].dom == d)
				add_one(m, b, a, &n, true, m->pasid_att[j].pasid, range);
	}
}

void rvd_add_ats_inval_pc(struct rvd_iommu *m, struct rvd_batch *b, uint32_t did, uint32_t pid)
{
	const struct rvd_ats_dev *a = rvd_ats_find(m, did);
	unsigned n = 0;
	/* PC[0] serves the RID traffic (DPE=1): its ATC entries carry no
	 * PASID, so they are invalidated with PV=0. */
	if (a)
		add_one(m, b, a, &n, pid != 0, pid, rvd_ats_payload_all());
}

/* Rewrite did's current DC (its words as they are; rvd_write_dc applies
 * the ATS bits of ats[]).  A device without a valid DC has nothing to do. */
static int rewrite_dc(struct rvd_iommu *m, uint32_t did)
{
	int e;
	uint64_t dc[8] = {0};
	const uint64_t *cur = rvd_ddt_dc(m, did, false, &e);
	if (!cur || !(rvd_ld64(&cur[RVI_DC_TC]) & RVI_DC_TC_V))
		return 0;
	unsigned n = m->dc_ext ? RVI_DC_DWORDS_EXT : RVI_DC_DWORDS_BASE;
	for (unsigned i = 0; i < n; i++)
		dc[i] = rvd_ld64(&cur[i]);
	dc[RVI_DC_TC] &= ~(RVI_DC_TC_EN_ATS | RVI_DC_TC_EN_PRI | RVI_DC_TC_PRPR | RVI_DC_TC_T2GPA);
	/* §9.2 "Enabling ATS/PRI" wants V=0 around the change: no hitless. */
	return rvd_write_dc_ex(m, did, dc, false);
}

static void step(const struct rvd_ats_cfg *c, struct rvd_iommu *m, uint32_t did,
                 enum rvd_ats_step s)
{
	if (c->step)
		c->step(m->host.ctx, did, s);
}

int rvd_enable_ats(struct rvd_iommu *m, uint32_t did, const struct rvd_ats_cfg *cfg)
{
	if (!(m->caps & RVI_CAP_ATS))
		return -ENODEV;
	if (cfg->t2gpa && !(m->caps & RVI_CAP_T2GPA))
		return -ENODEV;
	if (did >> 24 || did >> rvi_ddt_device_id_bits(m->ddt_levels, m->dc_ext))
		return -EINVAL;
	m->host.ops->lock(m->host.ctx);
	int slot = rvd_attach_slot(m, did);
	int rc = 0;
	if (cfg->t2gpa && (slot < 0 || !rvd_s2_owner(m->attach[slot].dom))) {
		rc = -EINVAL;
		goto out;
	}
	struct rvd_ats_dev *a = rvd_ats_find(m, did);
	if (!a) {
		if (m->nats == RVD_MAX_ATS) {
			rc = -ENOSPC;
			goto out;
		}
		a = &m->ats[m->nats++];
	}
	a->did = did;
	a->depth = cfg->inval_queue_depth ? cfg->inval_queue_depth : 32;
	a->tc_bits = RVI_DC_TC_EN_ATS | (cfg->t2gpa ? RVI_DC_TC_T2GPA : 0) |
	             (cfg->pri ? RVI_DC_TC_EN_PRI : 0) |
	             (cfg->pri && cfg->prpr ? RVI_DC_TC_PRPR : 0);
	a->prpr = cfg->pri && cfg->prpr;
	a->step = cfg->step;
	/* §9.2: quiesce; V=0 + IODIR/IOTINVAL + fence; the bits with V=1 in
	 * one store (all inside rvd_write_dc); then the device. */
	step(cfg, m, did, RVD_ATS_QUIESCE);
	rc = rewrite_dc(m, did);
	if (rc) {
		*a = m->ats[--m->nats];
		rewrite_dc(m, did); /* best effort: back without the bits */
	} else {
		step(cfg, m, did, RVD_ATS_DEV_ENABLE);
	}
	step(cfg, m, did, RVD_ATS_RESUME);
out:
	m->host.ops->unlock(m->host.ctx);
	return rc;
}

int rvd_disable_ats(struct rvd_iommu *m, uint32_t did)
{
	struct rvd_batch b;
	m->host.ops->lock(m->host.ctx);
	struct rvd_ats_dev *a = rvd_ats_find(m, did);
	if (!a) {
		m->host.ops->unlock(m->host.ctx);
		return -ENOENT;
	}
	struct rvd_ats_dev gone = *a;
	struct rvd_ats_cfg c = {.step = gone.step};
	step(&c, m, did, RVD_ATS_QUIESCE);
	step(&c, m, did, RVD_ATS_DEV_DISABLE);
	*a = m->ats[--m->nats];
	/* EN_ATS, EN_PRI, PRPR, T2GPA cleared; the IOMMU's caches first... */
	int rc = rewrite_dc(m, did);
	/* ...then the DevATC: everything, without and with each PASID. */
	unsigned n = 0;
	rvd_batch_init(&b);
	add_one(m, &b, &gone, &n, false, 0, rvd_ats_payload_all());
	for (unsigned j = 0; j < m->npasid_att; j++)
		if (m->pasid_att[j].did == did)
			add_one(m, &b, &gone, &n, true, m->pasid_att[j].pasid,
			        rvd_ats_payload_all());
	int rc2 = rvd_batch_submit(m, &b, true, true);
	step(&c, m, did, RVD_ATS_RESUME);
	m->host.ops->unlock(m->host.ctx);
	return rc ? rc : rc2;
}

/* The second-stage domain with GSCID gscid that some device is attached to
 * (directly or through a nested domain), or NULL. */
static struct rvd_domain *s2_of_gscid(struct rvd_iommu *m, uint32_t gscid)
{
	for (unsigned i = 0; i < m->nattach; i++) {
		struct rvd_domain *o = rvd_s2_owner(m->attach[i].dom);
		if (o && o->gscid == gscid)
			return o;
	}
	return NULL;
}

void rvd_add_ats_invals_gvma(struct rvd_iommu *m, const struct rvd_cmd *c, struct rvd_batch *b)
{
	if (c->op != RVD_CMD_IOTINVAL_GVMA || !m->nats)
		return;
	/* §9.2 "DevATC": a G-stage or MSI-PTE change reaches translations the
	 * devices' ATCs may hold (ATS returns MSI translations too, §3.6), so
	 * after the IOTINVAL.GVMA every ATS device on that GSCID is
	 * invalidated: the page for a per-address form (IOVA == GPA for a
	 * device on the second stage itself; all of a nested device's space,
	 * whose IOVAs for that GPA are unknown), everything otherwise. */
	struct rvd_gather g;
	rvd_gather_init(&g);
	if (c->inval.gv && c->inval.av && !c->inval.s) {
		g.start = c->inval.addr & ~(RVI_PAGE_SIZE - 1);
		g.last = g.start + RVI_PAGE_SIZE - 1;
	}
	if (c->inval.gv) {
		struct rvd_domain *o = s2_of_gscid(m, c->inval.gscid);
		if (o)
			rvd_add_ats_invals(o, &g, b);
		return;
	}
	for (unsigned i = 0; i < m->nats; i++) { /* GV=0: every VM's devices */
		const struct rvd_ats_dev *a = &m->ats[i];
		int slot = rvd_attach_slot(m, a->did);
		unsigned n = 0;
		if (slot >= 0 && rvd_s2_owner(m->attach[slot].dom))
			add_one(m, b, a, &n, false, 0, rvd_ats_payload_all());
	}
}
