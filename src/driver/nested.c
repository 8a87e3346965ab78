/* SPDX-License-Identifier: MIT
 *
 * driver/nested.c - nested domains: a guest's first-stage table (owned and
 * edited by the guest, in guest-physical memory) over a host second-stage
 * paging domain, and the invalidation of the guest's first stage.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3.4 (iosatp.PPN is a GPA when iohgatp is not
 * Bare), §2.3 steps 10 and 17 (the first-stage walk's PTE fetches are
 * implicit G-stage reads), §4.1.1 (IOTINVAL.VMA GV=1 GSCID PSCV=1 PSCID:
 * "the VM space (GSCID, PSCID)"), §9.2 ("First-stage PTE" row; "G-stage
 * change that affects a GPA held in a DC" - done in rvd_iotlb_sync).
 *
 * Invariants
 *   1. A nested domain holds no table pages and no IDs of its own: the
 *      PSCID is the guest's (a name space under the parent's GSCID), the
 *      GSCID and MSI table are the parent's.
 *   2. parent->nnested counts the nested domains on it; a parent is freed
 *      only at zero.
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

static int check_fsc(const struct rvd_iommu *m, const struct rvd_guest_fsc *f)
{
	static const uint64_t cap[3] = {RVI_CAP_SV39, RVI_CAP_SV48, RVI_CAP_SV57};
	if (f->pscid >> RVI_PSCID_BITS || (f->root_gpa & (RVI_PAGE_SIZE - 1)))
		return -EINVAL;
	if (f->mode == RVI_IOSATP_BARE)
		return 0;
	if (f->mode < RVI_IOSATP_SV39 || f->mode > RVI_IOSATP_SV57)
		return -EINVAL;
	if (!(m->caps & cap[f->mode - RVI_IOSATP_SV39]))
		return -ENODEV;
	if (f->root_gpa >> (RVI_PAGE_SHIFT + 44))
		return -ERANGE;
	return 0;
}

struct rvd_domain *rvd_domain_alloc_nested(struct rvd_domain *parent,
                                           const struct rvd_guest_fsc *fsc, int *err)
{
	struct rvd_iommu *m = parent->iommu;
	uint64_t phys;
	int rc = -EINVAL;
	if (parent->type != RVD_DOMAIN_PAGING || parent->stage != 2 || !fsc)
		goto fail;
	rc = check_fsc(m, fsc);
	if (rc)
		goto fail;
	struct rvd_domain *d = rvd_obj_alloc(&m->host, sizeof(*d), &phys);
	if (!d) {
		rc = -ENOMEM;
		goto fail;
	}
	d->iommu = m;
	d->type = RVD_DOMAIN_NESTED;
	d->stage = 0;
	d->self_phys = phys;
	d->parent = parent;
	d->pscid = fsc->pscid;
	d->guest_fsc = RVI_FIELD_PREP(RVI_FSC_MODE, fsc->mode) |
	               RVI_FIELD_PREP(RVI_FSC_PPN, fsc->root_gpa >> RVI_PAGE_SHIFT);
	lock(m);
	parent->nnested++;
	unlock(m);
	return d;
fail:
	if (err)
		*err = rc;
	return NULL;
}

int rvd_nested_free(struct rvd_domain *d)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	if (d->nattached)
		return -EBUSY;
	lock(m);
	/* The guest may reuse its PSCID with another table: drop what this
	 * one left in the IOTLB. */
	rvd_batch_init(&b);
	rvd_add_flush_all(d, &b);
	int rc = rvd_batch_submit(m, &b, true, true);
	if (!rc)
		d->parent->nnested--;
	unlock(m);
	if (rc)
		return rc;
	rvd_obj_free(&m->host, d->self_phys, sizeof(*d));
	return 0;
}

int rvd_nested_inval(struct rvd_domain *d, uint64_t iova, uint64_t size, bool nonleaf)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	struct rvd_gather g;
	if (d->type != RVD_DOMAIN_NESTED || ((iova | size) & (RVI_PAGE_SIZE - 1)))
		return -EINVAL;
	if (size && iova + size - 1 < iova)
		return -EOVERFLOW;
	rvd_gather_init(&g);
	if (size) {
		g.start = iova;
		g.last = iova + size - 1;
		g.pgsize = RVI_PAGE_SIZE;
		g.tables_freed = nonleaf;
	}
	lock(m);
	rvd_batch_init(&b);
	if (size)
		rvd_add_range_invals(d, &g, &b);
	else
		rvd_add_flush_all(d, &b);
	rvd_add_ats_invals(d, &g, &b);
	int rc = rvd_batch_submit(m, &b, true, true);
	unlock(m);
	return rc;
}
