/* SPDX-License-Identifier: MIT
 *
 * driver/domain.c - domains (blocking, identity, first- and second-stage
 * paging), the map/unmap/sync operations with their invalidations, and
 * the MSI-PTE invalidation hook.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1.3 (DC fields: iosatp + PSCID for the first
 * stage, iohgatp + GSCID for the second), §4.1.1 (IOTINVAL.VMA/GVMA, NLINV
 * NL, ARINV S), §4.1.2 (IOFENCE.C PR/PW for memory reclaim), §9.2.
 *
 * Invalidation after unmap (rvd_iotlb_sync):
 *   - tables freed and no caps.NL          -> PSCID/GSCID-wide flush;
 *   - caps.S (ARINV)                        -> the range as aligned NAPOT
 *     blocks, one command each (NL=1 when tables were freed);
 *   - else up to cfg.inval_threshold leaves -> one AV=1 command per leaf
 *     (NL=1 when tables were freed); more    -> PSCID/GSCID-wide flush;
 *   then one IOFENCE.C with PR=PW=1, and only then the freed table pages
 *   go back to the host.
 * First stage: IOTINVAL.VMA GV=0 PSCV=1 PSCID.  Second stage:
 * IOTINVAL.GVMA GV=1 GSCID (which also drops combined GVA->SPA entries).
 *
 * Invariants
 *   1. A PSCID/GSCID belongs to one live paging domain; it is flushed before
 *      it is released.
 *   2. A paging domain is freed only when no device and no nested domain
 *      uses it (-EBUSY otherwise).
 *   3. Table pages removed by unmap are freed only after the IOFENCE.C of
 *      the sync that invalidated them completed.
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

/* ------------------------------------------------------------------------ */
/* IDs                                                                       */
/* ------------------------------------------------------------------------ */

static uint32_t id_alloc(uint64_t *map, unsigned limit_bits)
{
	uint32_t max = RVD_ID_BITMAP_BITS;
	if (limit_bits < 32 && (UINT32_C(1) << limit_bits) < max)
		max = UINT32_C(1) << limit_bits;
	for (uint32_t w = 0; w < max / 64; w++) {
		if (map[w] == ~UINT64_C(0))
			continue;
		unsigned b = (unsigned)__builtin_ctzll(~map[w]);
		map[w] |= UINT64_C(1) << b;
		return w * 64 + b;
	}
	return 0; /* 0 is reserved, so it means "none" */
}

static void id_free(uint64_t *map, uint32_t id)
{
	map[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

/* ------------------------------------------------------------------------ */
/* Domain lifecycle                                                          */
/* ------------------------------------------------------------------------ */

struct rvd_domain *rvd_domain_alloc_paging_stage(struct rvd_iommu *m, enum rvd_stage_policy stage,
                                                 int *err)
{
	int rc = 0;
	int st = stage == RVD_STAGE_FIRST ? 1 : stage == RVD_STAGE_SECOND ? 2 : m->default_stage;
	const struct rvd_pt_fmt *fmt = st == 1 ? m->fmt_s1 : m->fmt_s2;
	uint64_t phys;
	if (!fmt) {
		rc = -ENODEV;
		goto fail;
	}
	struct rvd_domain *d = rvd_obj_alloc(&m->host, sizeof(*d), &phys);
	if (!d) {
		rc = -ENOMEM;
		goto fail;
	}
	d->iommu = m;
	d->type = RVD_DOMAIN_PAGING;
	d->stage = st;
	d->self_phys = phys;
	lock(m);
	if (st == 1)
		d->pscid = id_alloc(m->pscid_map, RVI_PSCID_BITS);
	else
		d->gscid = id_alloc(m->gscid_map, RVI_GSCID_BITS);
	unlock(m);
	if (!d->pscid && !d->gscid) {
		rc = -ENOSPC;
		goto fail_obj;
	}
	/* Svnapot is mandatory for the IOMMU (§2.5; no capability bit). */
	rc = rvd_pt_init(&d->pt, fmt, &m->host, true);
	if (rc)
		goto fail_id;
	return d;

fail_id:
	lock(m);
	id_free(st == 1 ? m->pscid_map : m->gscid_map, st == 1 ? d->pscid : d->gscid);
	unlock(m);
fail_obj:
	rvd_obj_free(&m->host, phys, sizeof(*d));
fail:
	if (err)
		*err = rc;
	return NULL;
}

struct rvd_domain *rvd_domain_alloc_paging(struct rvd_iommu *m, int *err)
{
	return rvd_domain_alloc_paging_stage(m, RVD_STAGE_AUTO, err);
}

struct rvd_domain *rvd_blocked_domain(struct rvd_iommu *m)
{
	return &m->blocked;
}

struct rvd_domain *rvd_identity_domain(struct rvd_iommu *m)
{
	return &m->identity;
}

enum rvd_domain_type rvd_domain_type(const struct rvd_domain *d)
{
	return d->type;
}

int rvd_domain_stage(const struct rvd_domain *d)
{
	return d->stage;
}

uint64_t rvd_domain_pgsize_bitmap(const struct rvd_domain *d)
{
	return d->type == RVD_DOMAIN_PAGING ? rvd_pt_pgsize_bitmap(&d->pt) : 0;
}

/* The IOTINVAL that addresses d's translations: first stage -> VMA PSCID;
 * second stage -> GVMA GSCID; nested -> VMA GV=1 GSCID PSCV=1 PSCID (the
 * guest's first stage). */
static struct rvd_cmd inval_cmd(const struct rvd_domain *d)
{
	if (d->type == RVD_DOMAIN_NESTED)
		return rvd_cmd_iotinval_vma(true, d->parent->gscid, true, d->pscid, false, 0);
	if (d->stage == 1)
		return rvd_cmd_iotinval_vma(false, 0, true, d->pscid, false, 0);
	return rvd_cmd_iotinval_gvma(true, d->gscid, false, 0);
}

void rvd_add_flush_all(struct rvd_domain *d, struct rvd_batch *b)
{
	struct rvd_cmd c = inval_cmd(d);
	rvd_batch_add(d->iommu, b, &c);
}

int rvd_domain_free(struct rvd_domain *d)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	if (d->type == RVD_DOMAIN_NESTED)
		return rvd_nested_free(d);
	if (d->type != RVD_DOMAIN_PAGING)
		return 0; /* the static domains live with the IOMMU */
	if (d->nattached || d->nnested)
		return -EBUSY;
	lock(m);
	/* Invariant 1: nothing tagged with this ID survives its reuse. */
	rvd_batch_init(&b);
	rvd_add_flush_all(d, &b);
	int rc = rvd_batch_submit(m, &b, true, true);
	if (!rc) {
		if (d->stage == 1)
			id_free(m->pscid_map, d->pscid);
		else
			id_free(m->gscid_map, d->gscid);
	}
	unlock(m);
	if (rc)
		return rc; /* leak the tables and ID rather than reuse them unsafely */
	rvd_pt_destroy(&d->pt);
	rvd_obj_free(&m->host, d->self_phys, sizeof(*d));
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Map, unmap and invalidation                                               */
/* ------------------------------------------------------------------------ */

int rvd_map_pages(struct rvd_domain *d, uint64_t iova, uint64_t paddr, uint64_t pgsize,
                  uint64_t pgcount, unsigned prot, size_t *mapped)
{
	uint64_t done = 0;
	*mapped = 0;
	if (d->type != RVD_DOMAIN_PAGING)
		return -EINVAL;
	if (!pgsize || (pgsize & (pgsize - 1)) || !(d->pt.pgsizes & pgsize) || !pgcount)
		return -EINVAL;
	if (pgcount > UINT64_MAX / pgsize)
		return -EOVERFLOW;
	/* V 0->1 needs no invalidation (§9.2), so map issues no commands. */
	int rc = rvd_pt_map(&d->pt, iova, paddr, pgsize * pgcount, prot, &done);
	*mapped = (size_t)done;
	return rc;
}

size_t rvd_unmap_pages(struct rvd_domain *d, uint64_t iova, uint64_t pgsize, uint64_t pgcount,
                       struct rvd_gather *g)
{
	if (d->type != RVD_DOMAIN_PAGING || !pgsize || pgcount > UINT64_MAX / pgsize)
		return 0;
	return (size_t)rvd_pt_unmap(&d->pt, iova, pgsize * pgcount, g);
}

static void add_addr_inval(struct rvd_domain *d, struct rvd_batch *b, uint64_t addr, bool s,
                           bool nl)
{
	struct rvd_cmd c = inval_cmd(d);
	c.inval.av = true;
	c.inval.addr = addr;
	c.inval.s = s;
	c.inval.nl = nl;
	rvd_batch_add(d->iommu, b, &c);
}

/* ARINV: cover [start, last] exactly with naturally aligned power-of-two
 * blocks; a block of 2^k pages (k >= 1) is ADDR = base[63:12] with bits
 * k-2..0 set, so that the lowest 0 is bit k-1 (§4.1.1). */
static void add_range_napot(struct rvd_domain *d, struct rvd_batch *b, uint64_t start,
                            uint64_t last, bool nl)
{
	uint64_t pfn = start >> RVI_PAGE_SHIFT, end_pfn = (last >> RVI_PAGE_SHIFT) + 1;
	while (pfn < end_pfn) {
		unsigned k = pfn ? (unsigned)__builtin_ctzll(pfn) : 63;
		while (k > 0 && (k >= 64 || end_pfn - pfn < (UINT64_C(1) << k)))
			k--;
		if (k == 0) {
			add_addr_inval(d, b, pfn << RVI_PAGE_SHIFT, false, nl);
		} else {
			uint64_t enc = pfn | ((UINT64_C(1) << (k - 1)) - 1);
			add_addr_inval(d, b, enc << RVI_PAGE_SHIFT, true, nl);
		}
		pfn += UINT64_C(1) << k;
	}
}

/* Commands for the gathered range (lock held). */
void rvd_add_range_invals(struct rvd_domain *d, const struct rvd_gather *g, struct rvd_batch *b)
{
	struct rvd_iommu *m = d->iommu;
	bool have_nl = m->caps & RVI_CAP_NL;
	if (g->tables_freed && !have_nl) {
		rvd_add_flush_all(d, b); /* non-leaf entries need a wider flush */
		return;
	}
	bool nl = g->tables_freed;
	if (m->caps & RVI_CAP_S) {
		add_range_napot(d, b, g->start, g->last, nl);
		return;
	}
	uint64_t step = g->pgsize ? g->pgsize : RVI_PAGE_SIZE;
	uint64_t n = (g->last - g->start) / step + 1;
	if (n > m->cfg.inval_threshold) {
		rvd_add_flush_all(d, b);
		return;
	}
	for (uint64_t a = g->start; n--; a += step)
		add_addr_inval(d, b, a, false, nl);
}

int rvd_iotlb_sync(struct rvd_domain *d, struct rvd_gather *g)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	if (d->type != RVD_DOMAIN_PAGING)
		return 0;
	if (g->start > g->last && !g->nfree)
		return 0;
	lock(m);
	rvd_batch_init(&b);
	if (g->start <= g->last)
		rvd_add_range_invals(d, g, &b);
	else
		rvd_add_flush_all(d, &b);
	/* §9.2: a G-stage change may affect a GPA a DC holds (a nested
	 * guest's iosatp root), which the IOMMU may cache translated. */
	for (unsigned i = 0; d->nnested && i < m->nattach; i++) {
		if (m->attach[i].dom->parent != d)
			continue;
		struct rvd_cmd c = rvd_cmd_iodir_inval_ddt(true, m->attach[i].did);
		rvd_batch_add(m, &b, &c);
	}
	/* DevATCs after the IOATC (§4.1.4), completions awaited by the fence. */
	rvd_add_ats_invals(d, g, &b);
	/* Memory reclaim: the fence also commits the device's earlier reads
	 * and writes through the old translations (PR=PW=1, §9.2). */
	int rc = rvd_batch_submit(m, &b, true, true);
	bool safe = !rc;
	if (rc == -EIO) {
		/* A command failed (cmd_ill: skipped; cqmf: the queue was
		 * restarted and what it held is lost).  Redo the invalidation
		 * domain-wide, so the tables can still go back. */
		rvd_batch_init(&b);
		rvd_add_flush_all(d, &b);
		rvd_add_ats_invals(d, NULL, &b);
		safe = rvd_batch_submit(m, &b, true, true) == 0;
	}
	unlock(m);
	if (safe)
		rvd_gather_free_pages(&m->host, g); /* invariant 3 */
	else
		g->nfree = 0; /* leaked: the IOMMU may still walk them */
	rvd_gather_init(g);
	return rc;
}

int rvd_flush_iotlb_all(struct rvd_domain *d)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	if (d->type != RVD_DOMAIN_PAGING)
		return 0;
	lock(m);
	rvd_batch_init(&b);
	rvd_add_flush_all(d, &b);
	rvd_add_ats_invals(d, NULL, &b);
	int rc = rvd_batch_submit(m, &b, true, true);
	unlock(m);
	return rc;
}

int rvd_replace_page(struct rvd_domain *d, uint64_t iova, uint64_t paddr, unsigned prot)
{
	struct rvd_iommu *m = d->iommu;
	struct rvd_batch b;
	uint64_t sz;
	if (d->type != RVD_DOMAIN_PAGING)
		return -EINVAL;
	int rc = rvd_pt_replace(&d->pt, iova, paddr, prot, &sz);
	if (rc)
		return rc;
	/* The new leaf is visible before the invalidation is published
	 * (the batch's cqt write is preceded by a wmb as well). */
	m->host.ops->wmb(m->host.ctx);
	lock(m);
	rvd_batch_init(&b);
	add_addr_inval(d, &b, iova & ~(sz - 1), false, false);
	struct rvd_gather g;
	rvd_gather_init(&g);
	g.start = iova & ~(sz - 1);
	g.last = g.start + sz - 1;
	rvd_add_ats_invals(d, &g, &b);
	rc = rvd_batch_submit(m, &b, true, true);
	unlock(m);
	return rc;
}

uint64_t rvd_iova_to_phys(struct rvd_domain *d, uint64_t iova)
{
	if (d->type == RVD_DOMAIN_IDENTITY)
		return iova;
	if (d->type != RVD_DOMAIN_PAGING)
		return 0;
	return rvd_pt_iova_to_phys(&d->pt, iova);
}

uint32_t rvd_domain_gscid(const struct rvd_domain *d)
{
	const struct rvd_domain *o = rvd_s2_owner(d);
	return o ? o->gscid : 0;
}

int rvd_inval_msi_pte(struct rvd_domain *d, uint64_t gpa)
{
	struct rvd_domain *o = rvd_s2_owner(d);
	struct rvd_batch b;
	if (!o)
		return -EINVAL;
	struct rvd_cmd c = rvd_cmd_iotinval_gvma(true, o->gscid, true, gpa & ~(RVI_PAGE_SIZE - 1));
	lock(d->iommu);
	rvd_batch_init(&b);
	rvd_batch_add(d->iommu, &b, &c);
	rvd_add_ats_invals_gvma(d->iommu, &c, &b); /* devices' ATCs, after the IOATC */
	/* §9.2 "MSI PTE": PW=1 also commits MSI writes already translated
	 * with the old entry. */
	int rc = rvd_batch_submit(d->iommu, &b, false, true);
	unlock(d->iommu);
	return rc;
}
