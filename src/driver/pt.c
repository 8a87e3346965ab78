/* SPDX-License-Identifier: MIT
 *
 * driver/pt.c - RISC-V page tables for the driver: one description per
 * format (Sv39/48/57 and Sv39x4/48x4/57x4) drives one set of algorithms
 * (map, unmap, walk, replace, destroy).
 *
 * Spec: RISC-V Privileged "Sv39/Sv48/Sv57" and "Two-stage address
 * translation" (the x4 root is 16 KiB with 2 extra index bits), Svnapot
 * (64 KiB, ppn[3:0] = 1000b in level-0 leaves), IOMMU spec §2.5 (PTE
 * checks the IOMMU applies) and §9.2 (update rules).
 *
 * Glossary as in spec.h: level 0 is the table of 4 KiB leaves; a level-L
 * item covers 2^(12 + 9L) bytes.
 *
 * Invariants
 *   1. A table page is published (its non-leaf PTE stored) only after a
 *      write barrier, so the IOMMU never sees the pointer before the zeroes.
 *   2. map only turns invalid entries valid; it never changes a valid one
 *      (-EEXIST).  V 0->1 needs no invalidation (§9.2: invalid entries are
 *      never cached).
 *   3. unmap clears leaves and then emptied tables, recording the range and
 *      the table pages in the gather; pages are freed only by
 *      rvd_gather_free_pages(), after the caller's invalidation.
 *   4. Every PTE store is one aligned 64-bit store (rvd_st64).
 *   5. The root table is never freed before rvd_pt_destroy().
 * Limits: a gather holds RVD_GATHER_FREE_MAX pages; when it is full,
 * emptied tables are left in place (still valid, reused by later maps).
 */
#include "driver/drv_internal.h"

#define PT_ENTRIES 512u
#define NAPOT_ENTRIES 16u

const struct rvd_pt_fmt rvd_pt_fmts[RVD_PT_NFMT] = {
    [RVD_PT_SV39] = {"sv39", 3, 39, 0, 2, RVI_IOSATP_SV39, false, RVI_CAP_SV39},
    [RVD_PT_SV48] = {"sv48", 4, 48, 0, 3, RVI_IOSATP_SV48, false, RVI_CAP_SV48},
    [RVD_PT_SV57] = {"sv57", 5, 57, 0, 3, RVI_IOSATP_SV57, false, RVI_CAP_SV57},
    [RVD_PT_SV39X4] = {"sv39x4", 3, 41, 2, 2, RVI_IOHGATP_SV39X4, true, RVI_CAP_SV39X4},
    [RVD_PT_SV48X4] = {"sv48x4", 4, 50, 2, 3, RVI_IOHGATP_SV48X4, true, RVI_CAP_SV48X4},
    [RVD_PT_SV57X4] = {"sv57x4", 5, 59, 2, 3, RVI_IOHGATP_SV57X4, true, RVI_CAP_SV57X4},
};

static unsigned lvl_shift(unsigned level)
{
	return RVI_PAGE_SHIFT + 9 * level;
}

static unsigned pt_index(const struct rvd_pt_fmt *f, uint64_t iova, unsigned level)
{
	unsigned bits = 9 + (level == f->levels - 1u ? f->root_order : 0);
	return (unsigned)(iova >> lvl_shift(level)) & ((1u << bits) - 1);
}

static uint64_t *table_va(const struct rvd_pt *pt, uint64_t phys)
{
	return pt->host.ops->phys_to_virt(pt->host.ctx, phys);
}

static bool pte_is_leaf(uint64_t e)
{
	return (e & RVI_PTE_V) && (e & RVI_PTE_XWR);
}

static uint64_t pte_addr(uint64_t e)
{
	return RVI_FIELD_GET(RVI_PTE_PPN, e) << RVI_PAGE_SHIFT;
}

static uint64_t mk_table_pte(uint64_t phys)
{
	return RVI_PTE_V | RVI_FIELD_PREP(RVI_PTE_PPN, phys >> RVI_PAGE_SHIFT);
}

uint64_t rvd_pt_prot_bits(unsigned prot)
{
	/* Devices without a PASID make U-mode requests, and G-stage leaves
	 * must have U=1 (§3 permission rules), so U is always set.  A and D
	 * are preset so that no hardware A/D update is needed (SADE/GADE=0
	 * would fault otherwise, §2.6).  W alone (R=0, W=1) is reserved, so
	 * write implies read. */
	uint64_t b = RVI_PTE_V | RVI_PTE_U | RVI_PTE_A;
	if (prot & (RVD_PROT_READ | RVD_PROT_WRITE))
		b |= RVI_PTE_R;
	if (prot & RVD_PROT_WRITE)
		b |= RVI_PTE_W | RVI_PTE_D;
	if (prot & RVD_PROT_EXEC)
		b |= RVI_PTE_X;
	return b;
}

int rvd_pt_init(struct rvd_pt *pt, const struct rvd_pt_fmt *fmt, const struct rvd_host *h,
                bool napot)
{
	void *v;
	pt->fmt = fmt;
	pt->host = *h;
	pt->napot = napot;
	return rvd_host_alloc(h, fmt->root_order, &pt->root_phys, &v);
}

static void free_tables(struct rvd_pt *pt, uint64_t phys, unsigned level, unsigned order)
{
	uint64_t *t = table_va(pt, phys);
	unsigned n = PT_ENTRIES << order;
	if (level > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t e = rvd_ld64(&t[i]);
			if ((e & RVI_PTE_V) && !pte_is_leaf(e))
				free_tables(pt, pte_addr(e), level - 1, 0);
		}
	}
	rvd_host_free(&pt->host, phys, order);
}

void rvd_pt_destroy(struct rvd_pt *pt)
{
	if (!pt->fmt)
		return;
	free_tables(pt, pt->root_phys, pt->fmt->levels - 1u, pt->fmt->root_order);
	pt->fmt = NULL;
}

uint64_t rvd_pt_va_end(const struct rvd_pt *pt)
{
	/* First-stage IOVAs must be canonical (§3: bits 63:VASIZE equal bit
	 * VASIZE-1); the driver hands out only the lower half.  G-stage GPAs
	 * use the full width. */
	unsigned bits = pt->fmt->gstage ? pt->fmt->va_bits : pt->fmt->va_bits - 1u;
	return UINT64_C(1) << bits;
}

uint64_t rvd_pt_pgsize_bitmap(const struct rvd_pt *pt)
{
	uint64_t m = 0;
	for (unsigned l = 0; l <= pt->fmt->max_leaf_level; l++)
		m |= UINT64_C(1) << lvl_shift(l);
	if (pt->napot)
		m |= UINT64_C(1) << RVI_NAPOT_64K_SHIFT;
	return m;
}

/* ------------------------------------------------------------------------ */
/* map                                                                       */
/* ------------------------------------------------------------------------ */

/* The table at 'level' on the path to iova, allocating missing tables. */
static int walk_alloc(struct rvd_pt *pt, uint64_t iova, unsigned level, uint64_t **table)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	uint64_t *t = table_va(pt, pt->root_phys);
	for (unsigned l = f->levels - 1u; l > level; l--) {
		uint64_t *p = &t[pt_index(f, iova, l)];
		uint64_t e = rvd_ld64(p);
		if (!(e & RVI_PTE_V)) {
			uint64_t phys;
			void *v;
			int rc = rvd_host_alloc(&pt->host, 0, &phys, &v);
			if (rc)
				return rc;
			e = mk_table_pte(phys);
			/* Invariant 1: the host zeroed the page; order those
			 * zeroes before the pointer that makes the IOMMU read it. */
			pt->host.ops->wmb(pt->host.ctx);
			rvd_st64(p, e);
		} else if (pte_is_leaf(e)) {
			return -EEXIST;
		}
		t = table_va(pt, pte_addr(e));
	}
	*table = t;
	return 0;
}

static int map_one(struct rvd_pt *pt, uint64_t iova, uint64_t pa, unsigned level, bool napot,
                   uint64_t bits)
{
	uint64_t *t;
	int rc = walk_alloc(pt, iova, level, &t);
	if (rc)
		return rc;
	unsigned i = pt_index(pt->fmt, iova, level);
	if (!napot) {
		if (rvd_ld64(&t[i]) & RVI_PTE_V)
			return -EEXIST;
		rvd_st64(&t[i], bits | RVI_FIELD_PREP(RVI_PTE_PPN, pa >> RVI_PAGE_SHIFT));
		return 0;
	}
	/* Svnapot: 16 identical level-0 PTEs with N=1 and ppn[3:0] = 1000b. */
	i &= ~(NAPOT_ENTRIES - 1);
	for (unsigned k = 0; k < NAPOT_ENTRIES; k++)
		if (rvd_ld64(&t[i + k]) & RVI_PTE_V)
			return -EEXIST;
	uint64_t ppn = ((pa >> RVI_PAGE_SHIFT) & ~UINT64_C(0xf)) | RVI_NAPOT_64K_PPN_BITS;
	uint64_t e = bits | RVI_PTE_N | RVI_FIELD_PREP(RVI_PTE_PPN, ppn);
	for (unsigned k = 0; k < NAPOT_ENTRIES; k++)
		rvd_st64(&t[i + k], e);
	return 0;
}

int rvd_pt_map(struct rvd_pt *pt, uint64_t iova, uint64_t pa, uint64_t size, unsigned prot,
               uint64_t *mapped)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	int rc = 0;
	*mapped = 0;
	if (!size || !(prot & (RVD_PROT_READ | RVD_PROT_WRITE | RVD_PROT_EXEC)))
		return -EINVAL;
	if ((iova | pa | size) & (RVI_PAGE_SIZE - 1))
		return -EINVAL;
	if (iova + size < iova || pa + size < pa)
		return -EOVERFLOW;
	if (iova + size > rvd_pt_va_end(pt) || pa + size > (UINT64_C(1) << 56))
		return -ERANGE;
	uint64_t bits = rvd_pt_prot_bits(prot);
	while (*mapped < size) {
		uint64_t left = size - *mapped, va = iova + *mapped, a = pa + *mapped;
		unsigned level = 0;
		bool napot = false;
		/* Largest leaf that alignment and the remaining length allow. */
		for (unsigned l = f->max_leaf_level; l > 0; l--) {
			uint64_t sz = UINT64_C(1) << lvl_shift(l);
			if (!((va | a) & (sz - 1)) && left >= sz) {
				level = l;
				break;
			}
		}
		uint64_t sz = UINT64_C(1) << lvl_shift(level);
		if (level == 0 && pt->napot && !((va | a) & 0xffff) &&
		    left >= (UINT64_C(1) << RVI_NAPOT_64K_SHIFT)) {
			napot = true;
			sz = UINT64_C(1) << RVI_NAPOT_64K_SHIFT;
		}
		rc = map_one(pt, va, a, level, napot, bits);
		if (rc)
			break;
		*mapped += sz;
	}
	/* Make the new leaves visible before the caller lets the device use
	 * them (the caller's doorbell is an MMIO write or a later store). */
	pt->host.ops->wmb(pt->host.ctx);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* unmap                                                                     */
/* ------------------------------------------------------------------------ */

static void gather_range(struct rvd_gather *g, uint64_t start, uint64_t size)
{
	uint64_t last = start + size - 1;
	if (g->start > g->last) {
		g->start = start;
		g->last = last;
	} else {
		if (start < g->start)
			g->start = start;
		if (last > g->last)
			g->last = last;
	}
	if (!g->pgsize || size < g->pgsize)
		g->pgsize = size;
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (rvd_ld64(&t[i]))
			return false;
	return true;
}

/* Unmap [*iova, end) inside table t at level; false means stop (a hole or
 * a leaf that is not wholly inside the range). */
static bool unmap_level(struct rvd_pt *pt, uint64_t *t, unsigned level, uint64_t *iova,
                        uint64_t end, struct rvd_gather *g)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	uint64_t item = UINT64_C(1) << lvl_shift(level);
	while (*iova < end) {
		unsigned i = pt_index(f, *iova, level);
		uint64_t e = rvd_ld64(&t[i]);
		if (!(e & RVI_PTE_V))
			return false;
		if (pte_is_leaf(e)) {
			bool napot = level == 0 && (e & RVI_PTE_N);
			uint64_t sz = napot ? UINT64_C(1) << RVI_NAPOT_64K_SHIFT : item;
			if ((*iova & (sz - 1)) || end - *iova < sz)
				return false;
			unsigned n = napot ? NAPOT_ENTRIES : 1;
			i &= ~(n - 1);
			for (unsigned k = 0; k < n; k++)
				rvd_st64(&t[i + k], 0);
			gather_range(g, *iova, sz);
			*iova += sz;
		} else {
			uint64_t *child = table_va(pt, pte_addr(e));
			uint64_t cend = (*iova | (item - 1)) + 1;
			bool more =
			    unmap_level(pt, child, level - 1, iova, cend < end ? cend : end, g);
			/* Invariant 3: the emptied table is unlinked now and
			 * freed after the invalidation. */
			if (table_empty(child) && g->nfree < RVD_GATHER_FREE_MAX) {
				rvd_st64(&t[i], 0);
				g->freelist[g->nfree].phys = pte_addr(e);
				g->freelist[g->nfree].order = 0;
				g->nfree++;
				g->tables_freed = true;
			}
			if (!more)
				return false;
		}
	}
	return true;
}

uint64_t rvd_pt_unmap(struct rvd_pt *pt, uint64_t iova, uint64_t size, struct rvd_gather *g)
{
	uint64_t at = iova;
	if (!size || ((iova | size) & (RVI_PAGE_SIZE - 1)) || iova + size < iova ||
	    iova + size > rvd_pt_va_end(pt))
		return 0;
	unmap_level(pt, table_va(pt, pt->root_phys), pt->fmt->levels - 1u, &at, iova + size, g);
	return at - iova;
}

void rvd_gather_init(struct rvd_gather *g)
{
	g->start = 1;
	g->last = 0;
	g->pgsize = 0;
	g->tables_freed = false;
	g->nfree = 0;
}

void rvd_gather_free_pages(const struct rvd_host *h, struct rvd_gather *g)
{
	for (unsigned i = 0; i < g->nfree; i++)
		rvd_host_free(h, g->freelist[i].phys, g->freelist[i].order);
	g->nfree = 0;
}

/* ------------------------------------------------------------------------ */
/* walk and replace                                                          */
/* ------------------------------------------------------------------------ */

/* The leaf PTE mapping iova, or NULL; *level gets its level. */
static uint64_t *find_leaf(const struct rvd_pt *pt, uint64_t iova, unsigned *level)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	if (iova >= rvd_pt_va_end(pt))
		return NULL;
	uint64_t *t = table_va(pt, pt->root_phys);
	for (unsigned l = f->levels; l-- > 0;) {
		uint64_t *p = &t[pt_index(f, iova, l)];
		uint64_t e = rvd_ld64(p);
		if (!(e & RVI_PTE_V))
			return NULL;
		if (pte_is_leaf(e)) {
			*level = l;
			return p;
		}
		if (l == 0)
			return NULL;
		t = table_va(pt, pte_addr(e));
	}
	return NULL;
}

uint64_t rvd_pt_iova_to_phys(const struct rvd_pt *pt, uint64_t iova)
{
	unsigned level;
	uint64_t *p = find_leaf(pt, iova, &level);
	if (!p)
		return 0;
	uint64_t e = rvd_ld64(p);
	uint64_t sz = UINT64_C(1) << lvl_shift(level);
	uint64_t base = pte_addr(e);
	if (level == 0 && (e & RVI_PTE_N)) {
		sz = UINT64_C(1) << RVI_NAPOT_64K_SHIFT;
		base &= ~(sz - 1);
	}
	return base | (iova & (sz - 1));
}

int rvd_pt_replace(struct rvd_pt *pt, uint64_t iova, uint64_t pa, unsigned prot,
                   uint64_t *leaf_size)
{
	unsigned level;
	uint64_t *p = find_leaf(pt, iova, &level);
	if (!p)
		return -ENOENT;
	uint64_t e = rvd_ld64(p);
	uint64_t sz = UINT64_C(1) << lvl_shift(level);
	/* A NAPOT group is 16 PTEs: it can not change with one store. */
	if (level == 0 && (e & RVI_PTE_N))
		return -EINVAL;
	if ((iova | pa) & (sz - 1) || !(prot & (RVD_PROT_READ | RVD_PROT_WRITE | RVD_PROT_EXEC)))
		return -EINVAL;
	/* Invariant 4: one aligned store keeps the entry self-consistent
	 * for an IOMMU that reads it at any moment (§9.2). */
	rvd_st64(p, rvd_pt_prot_bits(prot) | RVI_FIELD_PREP(RVI_PTE_PPN, pa >> RVI_PAGE_SHIFT));
	*leaf_size = sz;
	return 0;
}
