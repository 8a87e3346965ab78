/* SPDX-License-Identifier: MIT
 *
 * driver/dirty.c - hardware dirty tracking for paging domains, in the
 * iommufd model: switch tracking on or off, then read (and clear) the D
 * bits of a range into a bitmap.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3.1 (tc.SADE / tc.GADE, reserved without
 * caps.AMO_HWAD), §2.6 in CHECKLIST (A/D updates are atomic CASes by the
 * IOMMU; with SADE/GADE=0 a store to a D=0 leaf faults), §9.2 "Clearing
 * A or D: invalidate the affected entries" (the IOMMU never clears them,
 * and may keep a cached entry with D=1 and never write D again).
 *
 * Tracking on:  leaves written from then on have D=0 (pt.c); the DCs of
 *               the domain's devices get SADE (stage 1) or GADE (stage 2)
 *               through rvd_make_dc and the ordinary DC writer.  Existing
 *               writable leaves keep D=1 and so read as dirty until the
 *               first clear.
 * Tracking off: D is set in every writable leaf (CAS), then the DCs are
 *               rewritten without SADE/GADE; the DC writer's invalidation
 *               of the old context drops any cached D=0 entry, so no store
 *               can fault afterwards.
 * Read/clear:   pt.c CASes D off leaf by leaf, gathering the range; then
 *               the same invalidation as an unmap sync (per page, ARINV
 *               blocks or domain-wide; ATS.INVAL for ATS devices) and
 *               IOFENCE.C PR=PW=1.
 *
 * PDT devices: SADE is per DC, so the DC of a device with a PDT carries
 * it while any of its domains (the RID one or a PASID's) tracks dirty
 * (pasid.c pdt_dc); the non-tracking ones keep D preset in their writable
 * leaves, so SADE changes nothing for them.  A PASID attached to a
 * tracking domain gets SADE in the DC before its PC becomes valid.
 */
#include "driver/drv_internal.h"

/* Rewrite the DC of every device whose RID traffic uses d, and of every
 * PDT device (whose SADE follows all its domains) (lock held). */
static int rewrite_dcs(struct rvd_domain *d)
{
	struct rvd_iommu *m = d->iommu;
	int rc = 0;
	for (unsigned i = 0; i < m->nattach; i++) {
		if (m->attach[i].pdt) {
			int e = rvd_pdt_sync_dc(m, (int)i); /* no-op when unchanged */
			if (e && !rc)
				rc = e;
			continue;
		}
		if (m->attach[i].dom != d)
			continue;
		uint64_t dc[8];
		rvd_make_dc(d, dc);
		int e = rvd_write_dc(m, m->attach[i].did, dc);
		if (e && !rc)
			rc = e;
	}
	return rc;
}

int rvd_domain_set_dirty_tracking(struct rvd_domain *d, bool enable)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_gather g;
	if (d->type != RVD_DOMAIN_PAGING)
		return -EINVAL;
	if (!(m->caps & RVI_CAP_AMO_HWAD))
		return -EOPNOTSUPP;
	if (d->pt.dirty_tracking == enable)
		return 0;
	rvd_gather_init(&g);
	if (!enable) /* no store may meet D=0 once SADE/GADE is off */
		rvd_pt_dirty(&d->pt, 0, rvd_pt_va_end(&d->pt), NULL, RVD_PT_DIRTY_SET, &g);
	m->host.ops->wmb(m->host.ctx); /* PTE updates before the DC writes */
	m->host.ops->lock(m->host.ctx);
	d->pt.dirty_tracking = enable;
	int rc = rewrite_dcs(d);
	m->host.ops->unlock(m->host.ctx);
	return rc;
}

int rvd_read_and_clear_dirty(struct rvd_domain *d, uint64_t iova, uint64_t size, uint64_t *bitmap,
                             unsigned flags)
{
	struct rvd_gather g;
	if (d->type != RVD_DOMAIN_PAGING || !d->pt.dirty_tracking)
		return -EINVAL;
	rvd_gather_init(&g);
	bool clear = !(flags & RVD_DIRTY_NO_CLEAR);
	int rc = rvd_pt_dirty(&d->pt, iova, size, bitmap,
	                      clear ? RVD_PT_DIRTY_CLEAR : RVD_PT_DIRTY_READ, &g);
	if (rc || g.start > g.last)
		return rc;
	/* The cleared D bits are visible before the invalidation (the
	 * batch's cqt write has its own wmb too). */
	d->iommu->host.ops->wmb(d->iommu->host.ctx);
	return rvd_iotlb_sync(d, &g);
}
