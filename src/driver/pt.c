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
 *      rvd_gather_free_pages(), after the caller's invalidation.  There is
 *      no limit on how many tables one gather collects (see "Free chain").
 *   4. Every PTE store is one aligned 64-bit store (rvd_st64).
 *   5. The root table is never freed before rvd_pt_destroy().
 *   6. Entry counts: for every non-root table T, cnt(T) = the number of
 *      valid PTEs in T (a Svnapot group counts 16).  cnt(T) lives in the
 *      metadata of T's parent, at T's index, so emptiness is O(1).
 *
 * Metadata (driver-private, never read by the IOMMU)
 *   - A non-root table at level >= 1 is an order-1 block: the 4 KiB table,
 *     then 4 KiB whose first 512 uint16_t are the counts of its children
 *     (host obligation: an order-n block is virtually contiguous, as the
 *     queues already assume).
 *   - Level-0 tables are single pages: their children are leaves.
 *   - The root's child counts live in a separate page (root_meta_phys):
 *     512 or (x4) 2048 uint16_t.
 *   Cost: one extra page per 512 leaf tables (0.2% of table memory), plus
 *   one page per domain.
 *
 * Free chain (how a gather holds any number of pages without allocating)
 *   An unlinked table is empty: every entry is 0.  Its entry 0 is then
 *   overwritten with the link to the previously gathered table: bits 63:12
 *   its physical address, bits 3:1 its order, bit 0 (V) = 0.  The IOMMU
 *   may still walk the unlinked table until the sync's IOFENCE.C (through a
 *   cached non-leaf pointer), and it then reads an entry with V=0: exactly
 *   what the zero entry told it (Priv spec: "If V is not set, all other
 *   bits in the PTE are don't-cares and may be used freely by software").
 *   Nothing else in the page changes until it is freed.
 *
 * Walk cache
 *   pt->wc_* remembers the last level-0 table that map walked to (its 2 MiB
 *   IOVA block, the table and its count).  map into the same block skips
 *   the walk; unmap inside it skips the walk when the table keeps at least
 *   one entry (else the full walk unlinks it).  Every unlink empties the
 *   cache, so it never names a table that is not in the tree.
 *
 * Threads: counts and the walk cache are plain data, so map, unmap and
 * dirty read/clear calls on one domain must be serialised by the caller
 * (a per-domain lock in the port).
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

/* Order of a table allocated for 'level' below the root (invariant 6). */
static unsigned table_order(unsigned level)
{
	return level > 0 ? 1u : 0u;
}

/* The child-count array of table t at 'level' (root: the separate page). */
static uint16_t *child_counts(const struct rvd_pt *pt, uint64_t *t, unsigned level)
{
	if (level == pt->fmt->levels - 1u)
		return pt->root_meta;
	return (uint16_t *)(void *)((uint8_t *)t + RVI_PAGE_SIZE);
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
	pt->dirty_tracking = false;
	pt->wc_block = UINT64_MAX;
	int rc = rvd_host_alloc(h, 0, &pt->root_meta_phys, &v);
	if (rc)
		return rc;
	pt->root_meta = v;
	rc = rvd_host_alloc(h, fmt->root_order, &pt->root_phys, &v);
	if (rc) {
		rvd_host_free(h, pt->root_meta_phys, 0);
		return rc;
	}
	pt->root_va = v;
	pt->pgsizes = rvd_pt_pgsize_bitmap(pt);
	return 0;
}

static void free_tables(struct rvd_pt *pt, uint64_t phys, unsigned level, unsigned order)
{
	uint64_t *t = table_va(pt, phys);
	unsigned n = PT_ENTRIES << (level == pt->fmt->levels - 1u ? pt->fmt->root_order : 0);
	if (level > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint64_t e = rvd_ld64(&t[i]);
			if ((e & RVI_PTE_V) && !pte_is_leaf(e))
				free_tables(pt, pte_addr(e), level - 1, table_order(level - 1));
		}
	}
	rvd_host_free(&pt->host, phys, order);
}

void rvd_pt_destroy(struct rvd_pt *pt)
{
	if (!pt->fmt)
		return;
	free_tables(pt, pt->root_phys, pt->fmt->levels - 1u, pt->fmt->root_order);
	rvd_host_free(&pt->host, pt->root_meta_phys, 0);
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

/* The table at 'level' on the path to iova, allocating missing tables;
 * *cnt gets the address of its entry count (NULL for the root). */
static int walk_alloc(struct rvd_pt *pt, uint64_t iova, unsigned level, uint64_t **table,
                      uint16_t **cnt)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	uint64_t *t = pt->root_va;
	uint16_t *tcnt = NULL;
	if (level == 0 && (iova >> lvl_shift(1)) == pt->wc_block) {
		*table = pt->wc_table;
		*cnt = pt->wc_cnt;
		return 0;
	}
	for (unsigned l = f->levels - 1u; l > level; l--) {
		unsigned i = pt_index(f, iova, l);
		uint64_t *p = &t[i];
		uint64_t e = rvd_ld64(p);
		if (!(e & RVI_PTE_V)) {
			uint64_t phys;
			void *v;
			int rc = rvd_host_alloc(&pt->host, table_order(l - 1), &phys, &v);
			if (rc)
				return rc;
			e = mk_table_pte(phys);
			/* Invariant 1: the host zeroed the page; order those
			 * zeroes before the pointer that makes the IOMMU read it. */
			pt->host.ops->wmb(pt->host.ctx);
			rvd_st64(p, e);
			if (tcnt)
				(*tcnt)++; /* invariant 6 */
		} else if (pte_is_leaf(e)) {
			return -EEXIST;
		}
		tcnt = &child_counts(pt, t, l)[i];
		t = table_va(pt, pte_addr(e));
	}
	if (level == 0 && f->levels > 1) {
		pt->wc_block = iova >> lvl_shift(1);
		pt->wc_table = t;
		pt->wc_cnt = tcnt;
	}
	*table = t;
	*cnt = tcnt;
	return 0;
}

static int map_one(struct rvd_pt *pt, uint64_t iova, uint64_t pa, unsigned level, bool napot,
                   uint64_t bits)
{
	uint64_t *t;
	uint16_t *cnt;
	int rc = walk_alloc(pt, iova, level, &t, &cnt);
	if (rc)
		return rc;
	unsigned i = pt_index(pt->fmt, iova, level);
	if (!napot) {
		if (rvd_ld64(&t[i]) & RVI_PTE_V)
			return -EEXIST;
		rvd_st64(&t[i], bits | RVI_FIELD_PREP(RVI_PTE_PPN, pa >> RVI_PAGE_SHIFT));
		if (cnt)
			(*cnt)++;
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
	if (cnt)
		*cnt = (uint16_t)(*cnt + NAPOT_ENTRIES);
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
	if (pt->dirty_tracking)
		bits &= ~RVI_PTE_D; /* the IOMMU sets D on the first write */
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

/* Chain the emptied table at phys (order) into g (see "Free chain"). */
static void gather_table(struct rvd_pt *pt, struct rvd_gather *g, uint64_t phys, unsigned order)
{
	uint64_t *t = table_va(pt, phys);
	pt->wc_block = UINT64_MAX; /* it may name this table */
	rvd_st64(&t[0], (g->nfree ? g->free_head : 0) | ((uint64_t)order << 1));
	g->free_head = phys;
	g->nfree++;
	g->tables_freed = true;
}

/* Unmap [*iova, end) inside table t at level, whose entry count is *tcnt
 * (NULL: the root); false means stop (a hole or a leaf that is not wholly
 * inside the range). */
static bool unmap_level(struct rvd_pt *pt, uint64_t *t, uint16_t *tcnt, unsigned level,
                        uint64_t *iova, uint64_t end, struct rvd_gather *g)
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
			if (tcnt)
				*tcnt = (uint16_t)(*tcnt - n);
			gather_range(g, *iova, sz);
			*iova += sz;
		} else {
			uint64_t *child = table_va(pt, pte_addr(e));
			uint16_t *ccnt = &child_counts(pt, t, level)[i];
			uint64_t cend = (*iova | (item - 1)) + 1;
			bool more = unmap_level(pt, child, ccnt, level - 1, iova,
			                        cend < end ? cend : end, g);
			/* Invariants 3 and 6: an emptied table is unlinked now
			 * and freed after the invalidation. */
			if (*ccnt == 0) {
				rvd_st64(&t[i], 0);
				if (tcnt)
					(*tcnt)--;
				gather_table(pt, g, pte_addr(e), table_order(level - 1));
			}
			if (!more)
				return false;
		}
	}
	if (level == 0 && tcnt) { /* walk cache; the caller's unlink empties it */
		pt->wc_block = (*iova - 1) >> lvl_shift(1);
		pt->wc_table = t;
		pt->wc_cnt = tcnt;
	}
	return true;
}

uint64_t rvd_pt_unmap(struct rvd_pt *pt, uint64_t iova, uint64_t size, struct rvd_gather *g)
{
	uint64_t at = iova;
	if (!size || ((iova | size) & (RVI_PAGE_SIZE - 1)) || iova + size < iova ||
	    iova + size > rvd_pt_va_end(pt))
		return 0;
	/* Walk cache: inside the cached leaf table, and it keeps an entry. */
	if ((iova >> lvl_shift(1)) == pt->wc_block &&
	    ((iova + size - 1) >> lvl_shift(1)) == pt->wc_block &&
	    *pt->wc_cnt > (size >> RVI_PAGE_SHIFT)) {
		unmap_level(pt, pt->wc_table, pt->wc_cnt, 0, &at, iova + size, g);
		return at - iova;
	}
	unmap_level(pt, pt->root_va, NULL, pt->fmt->levels - 1u, &at, iova + size, g);
	return at - iova;
}

void rvd_gather_init(struct rvd_gather *g)
{
	g->start = 1;
	g->last = 0;
	g->pgsize = 0;
	g->tables_freed = false;
	g->nfree = 0;
	g->free_head = 0;
}

void rvd_gather_free_pages(const struct rvd_host *h, struct rvd_gather *g)
{
	uint64_t phys = g->free_head;
	for (uint64_t n = g->nfree; n > 0; n--) {
		/* Read the link before the page goes back (and is poisoned). */
		const uint64_t *t = h->ops->phys_to_virt(h->ctx, phys);
		uint64_t link = rvd_ld64(&t[0]);
		uint64_t next = link & ~(RVI_PAGE_SIZE - 1);
		unsigned order = (unsigned)(link >> 1) & 7u;
		rvd_host_free(h, phys, order);
		phys = next;
	}
	g->nfree = 0;
	g->free_head = 0;
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
	uint64_t bits = rvd_pt_prot_bits(prot);
	if (pt->dirty_tracking)
		bits &= ~RVI_PTE_D;
	rvd_st64(p, bits | RVI_FIELD_PREP(RVI_PTE_PPN, pa >> RVI_PAGE_SHIFT));
	*leaf_size = sz;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* dirty bits (dirty.c)                                                      */
/* ------------------------------------------------------------------------ */

/* Apply op to the leaf group at t[i..i+n) covering [base, base + sz). */
static void dirty_leaf(uint64_t *t, unsigned i, unsigned n, uint64_t base, uint64_t sz,
                       uint64_t iova, uint64_t end, uint64_t *bitmap, unsigned op,
                       struct rvd_gather *g)
{
	bool dirty = false, changed = false;
	if (!(rvd_ld64(&t[i]) & RVI_PTE_W))
		return;
	for (unsigned k = 0; k < n; k++) {
		uint64_t e = rvd_ld64(&t[i + k]);
		dirty |= (e & RVI_PTE_D) != 0;
		if (op == RVD_PT_DIRTY_READ || ((op == RVD_PT_DIRTY_CLEAR) == !(e & RVI_PTE_D)))
			continue;
		/* CAS: an A/D update by the IOMMU between our load and store
		 * must not be lost; on a mismatch, retry with what it wrote. */
		for (;;) {
			uint64_t want = op == RVD_PT_DIRTY_CLEAR ? e & ~RVI_PTE_D : e | RVI_PTE_D;
			if (__atomic_compare_exchange_n(&t[i + k], &e, want, false,
			                                __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
			dirty |= (e & RVI_PTE_D) != 0;
		}
		changed = true;
	}
	if (dirty && bitmap) {
		uint64_t lo = base > iova ? base : iova, hi = base + sz < end ? base + sz : end;
		for (uint64_t a = lo; a < hi; a += RVI_PAGE_SIZE) {
			uint64_t bit = (a - iova) >> RVI_PAGE_SHIFT;
			bitmap[bit / 64] |= UINT64_C(1) << (bit % 64);
		}
	}
	if (changed)
		gather_range(g, base, sz);
}

static void dirty_level(struct rvd_pt *pt, uint64_t *t, unsigned level, uint64_t iova, uint64_t end,
                        uint64_t start, uint64_t *bitmap, unsigned op, struct rvd_gather *g)
{
	const struct rvd_pt_fmt *f = pt->fmt;
	uint64_t item = UINT64_C(1) << lvl_shift(level);
	uint64_t a = iova & ~(item - 1);
	while (a < end) {
		unsigned i = pt_index(f, a, level);
		uint64_t e = rvd_ld64(&t[i]);
		if (e & RVI_PTE_V) {
			if (pte_is_leaf(e)) {
				bool napot = level == 0 && (e & RVI_PTE_N);
				unsigned n = napot ? NAPOT_ENTRIES : 1;
				uint64_t sz = item * n, base = a & ~(sz - 1);
				dirty_leaf(t, i & ~(n - 1), n, base, sz, start, end, bitmap, op, g);
				a = base + sz;
				continue;
			}
			if (level > 0)
				dirty_level(pt, table_va(pt, pte_addr(e)), level - 1,
				            a > iova ? a : iova, (a + item < end ? a + item : end),
				            start, bitmap, op, g);
		}
		if (a + item < a)
			break;
		a += item;
	}
}

int rvd_pt_dirty(struct rvd_pt *pt, uint64_t iova, uint64_t size, uint64_t *bitmap, unsigned op,
                 struct rvd_gather *g)
{
	if ((iova | size) & (RVI_PAGE_SIZE - 1))
		return -EINVAL;
	if (iova + size < iova)
		return -EOVERFLOW;
	if (iova + size > rvd_pt_va_end(pt))
		return -ERANGE;
	if (size)
		dirty_level(pt, pt->root_va, pt->fmt->levels - 1u, iova, iova + size, iova, bitmap,
		            op, g);
	return 0;
}
