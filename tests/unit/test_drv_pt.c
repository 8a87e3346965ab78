/* SPDX-License-Identifier: MIT
 *
 * test_drv_pt.c - the driver's page-table library on simulated memory.
 *
 * Expected PTE values and indexes are computed here from the Privileged
 * spec's layouts (VPN[i] = VA[12+9i+8 : 12+9i], x4 roots 2 bits wider,
 * PTE PPN at bits 53:10, Svnapot ppn[3:0] = 1000b), not from pt.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define K4 UINT64_C(0x1000)
#define K64 UINT64_C(0x10000)
#define M2 UINT64_C(0x200000)
#define G1 UINT64_C(0x40000000)
#define G512 (UINT64_C(1) << 39)

struct ctx {
	struct dh *h;
	struct rvd_host host;
	struct rvd_pt pt;
};

static void setup_fmt(struct ctx *c, enum rvd_pt_fmt_id id, bool napot)
{
	c->h = dh_create(4096, NULL);
	c->host.ops = &c->h->ops;
	c->host.ctx = c->h;
	assert_int_equal(rvd_pt_init(&c->pt, &rvd_pt_fmts[id], &c->host, napot), 0);
}

static void teardown(struct ctx *c)
{
	rvd_pt_destroy(&c->pt);
	assert_int_equal(c->h->live_pages, 0); /* destroy frees every table */
	dh_destroy(c->h);
}

static uint64_t rd(struct ctx *c, uint64_t pa)
{
	uint64_t v;
	memcpy(&v, dh_va(c->h, pa), 8);
	return v;
}

/* Independent walk: the PA of the PTE for va at 'level'. */
static uint64_t pte_pa(struct ctx *c, uint64_t va, unsigned level)
{
	const struct rvd_pt_fmt *f = c->pt.fmt;
	uint64_t a = c->pt.root_phys;
	for (unsigned i = f->levels - 1;; i--) {
		unsigned bits = 9 + (i == f->levels - 1u && f->gstage ? 2 : 0);
		uint64_t idx = (va >> (12 + 9 * i)) & ((UINT64_C(1) << bits) - 1);
		uint64_t pa = a + idx * 8;
		if (i == level)
			return pa;
		uint64_t e = rd(c, pa);
		assert_true(e & 1);           /* V */
		assert_int_equal(e & 0xe, 0); /* non-leaf: R=W=X=0 */
		a = ((e >> 10) & ((UINT64_C(1) << 44) - 1)) << 12;
	}
}

/* V R W U A D = bits 0 1 2 4 6 7 */
#define LEAF_RW UINT64_C(0xd7)

static void test_sv39_4k_exact_layout(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	/* va 0x40201000: VPN2 = 1, VPN1 = 1, VPN0 = 1 */
	assert_int_equal(
	    rvd_pt_map(&c.pt, 0x40201000, 0x80000000, K4, RVD_PROT_READ | RVD_PROT_WRITE, &mapped),
	    0);
	assert_int_equal(mapped, K4);
	uint64_t r1 = rd(&c, c.pt.root_phys + 8);
	assert_int_equal(r1 & 0x3ff, 1); /* V only */
	uint64_t l1 = ((r1 >> 10) << 12);
	uint64_t e1 = rd(&c, l1 + 8);
	assert_int_equal(e1 & 0x3ff, 1);
	uint64_t l0 = ((e1 >> 10) << 12);
	assert_int_equal(rd(&c, l0 + 8), (UINT64_C(0x80000) << 10) | LEAF_RW);
	/* root + its count page, the level-1 table (order 1: table + counts)
	 * and the level-0 table */
	assert_int_equal(c.h->live_pages, 1 + 1 + 2 + 1);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, 0x40201abc), 0x80000abc);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, 0x40202000), 0);
	teardown(&c);
}

static void test_prot_bits(void **state)
{
	(void)state;
	/* read-only: V R U A (no D without W); write implies R; exec adds X */
	assert_int_equal(rvd_pt_prot_bits(RVD_PROT_READ), 0x53);
	assert_int_equal(rvd_pt_prot_bits(RVD_PROT_WRITE), 0xd7);
	assert_int_equal(rvd_pt_prot_bits(RVD_PROT_READ | RVD_PROT_EXEC), 0x5b);
}

/* For every format and every leaf size it supports: map, walk, check the
 * leaf's level and value, replace, unmap, check the gather. */
static void one_size(enum rvd_pt_fmt_id id, unsigned level, bool napot)
{
	struct ctx c;
	uint64_t mapped;
	setup_fmt(&c, id, napot);
	uint64_t sz = napot ? K64 : (UINT64_C(1) << (12 + 9 * level));
	uint64_t iova = sz * 3, pa = sz * 5;
	if (rvd_pt_va_end(&c.pt) <= iova + sz) {
		teardown(&c);
		return;
	}
	assert_int_equal(rvd_pt_map(&c.pt, iova, pa, sz, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(mapped, sz);
	uint64_t at = pte_pa(&c, iova, level);
	uint64_t e = rd(&c, at);
	uint64_t ppn = pa >> 12;
	if (napot)
		ppn = (ppn & ~UINT64_C(0xf)) | 0x8;
	assert_int_equal(e, (napot ? RVI_PTE_N : 0) | (ppn << 10) | 0x53);
	if (napot) /* all 16 entries of the group are identical */
		for (unsigned k = 0; k < 16; k++)
			assert_int_equal(rd(&c, (at & ~UINT64_C(0x7f)) + 8 * k), e);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, iova + sz - 8), pa + sz - 8);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, iova + sz), 0);

	/* replace: one store at the same place; NAPOT groups refuse */
	uint64_t leaf = 0;
	int rc = rvd_pt_replace(&c.pt, iova, pa + sz, RVD_PROT_READ | RVD_PROT_WRITE, &leaf);
	if (napot) {
		assert_int_equal(rc, -EINVAL);
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(leaf, sz);
		assert_int_equal(rd(&c, at), ((pa + sz) >> 12 << 10) | LEAF_RW);
		assert_int_equal(rvd_pt_iova_to_phys(&c.pt, iova + 4), pa + sz + 4);
	}

	struct rvd_gather g;
	rvd_gather_init(&g);
	uint64_t live = c.h->live_pages;
	assert_int_equal(rvd_pt_unmap(&c.pt, iova, sz, &g), sz);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, iova), 0);
	assert_int_equal(g.start, iova);
	assert_int_equal(g.last, iova + sz - 1);
	assert_int_equal(g.pgsize, sz);
	/* every table below the root became empty: collected, not freed */
	unsigned tables = c.pt.fmt->levels - 1 - level;
	assert_int_equal(g.nfree, tables);
	assert_int_equal(g.tables_freed, tables > 0);
	assert_int_equal(c.h->live_pages, live);
	rvd_gather_free_pages(&c.host, &g);
	/* a level-0 table is one page, higher tables two (table + counts) */
	uint64_t pages = 0;
	for (unsigned l = level; l < level + tables; l++)
		pages += l == 0 ? 1 : 2;
	assert_int_equal(c.h->live_pages, live - pages);
	teardown(&c);
}

static void test_all_formats_all_sizes(void **state)
{
	(void)state;
	for (int id = 0; id < RVD_PT_NFMT; id++) {
		for (unsigned l = 0; l <= rvd_pt_fmts[id].max_leaf_level; l++)
			one_size((enum rvd_pt_fmt_id)id, l, false);
		one_size((enum rvd_pt_fmt_id)id, 0, true);
	}
}

static void test_pgsize_bitmap(void **state)
{
	struct ctx c;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, true);
	assert_int_equal(rvd_pt_pgsize_bitmap(&c.pt), K4 | K64 | M2 | G1);
	teardown(&c);
	setup_fmt(&c, RVD_PT_SV48X4, false);
	assert_int_equal(rvd_pt_pgsize_bitmap(&c.pt), K4 | M2 | G1 | G512);
	teardown(&c);
}

static void test_x4_root_is_16k_and_wide(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39X4, false);
	assert_int_equal(c.pt.root_phys & 0x3fff, 0);
	/* GPA 2^40 + 2^30: root index = GPA[40:30] = 1025, past the first page */
	uint64_t gpa = (UINT64_C(1) << 40) | G1;
	assert_int_equal(rvd_pt_map(&c.pt, gpa, 0x40000000, G1, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rd(&c, c.pt.root_phys + 1025 * 8), (UINT64_C(0x40000) << 10) | 0x53);
	/* the width is 41 bits: 2^41 is out of range */
	assert_int_equal(rvd_pt_map(&c.pt, UINT64_C(1) << 41, 0, K4, RVD_PROT_READ, &mapped),
	                 -ERANGE);
	teardown(&c);
}

static void test_range_checks(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	/* first stage: only the lower canonical half, [0, 2^38) */
	assert_int_equal(rvd_pt_map(&c.pt, UINT64_C(1) << 38, 0, K4, RVD_PROT_READ, &mapped),
	                 -ERANGE);
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x1800, K4, RVD_PROT_READ, &mapped), -EINVAL);
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x2000, 0, RVD_PROT_READ, &mapped), -EINVAL);
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x2000, K4, 0, &mapped), -EINVAL);
	assert_int_equal(
	    rvd_pt_map(&c.pt, UINT64_C(0xfffffffffffff000), 0, 2 * K4, RVD_PROT_READ, &mapped),
	    -EOVERFLOW);
	assert_int_equal(c.h->live_pages, 2); /* nothing allocated: root + counts */
	teardown(&c);
}

static void test_superpage_chosen_by_alignment(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	/* 2 MiB + 4 KiB at a 2 MiB-aligned IOVA and PA: one 2 MiB leaf (level 1)
	 * and one 4 KiB leaf. */
	assert_int_equal(rvd_pt_map(&c.pt, M2, 4 * M2, M2 + K4, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rd(&c, pte_pa(&c, M2, 1)), ((4 * M2) >> 12 << 10) | 0x53);
	assert_int_equal(rd(&c, pte_pa(&c, 2 * M2, 0)), ((5 * M2) >> 12 << 10) | 0x53);
	/* PA only 4 KiB aligned: 512 4 KiB leaves, no superpage */
	assert_int_equal(rvd_pt_map(&c.pt, G1, 4 * M2 + K4 * 3, M2, RVD_PROT_READ, &mapped), 0);
	uint64_t e = rd(&c, pte_pa(&c, G1, 1));
	assert_int_equal(e & 0xe, 0); /* a table, not a leaf */
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, G1 + M2 - K4), 4 * M2 + K4 * 3 + M2 - K4);
	teardown(&c);
}

static void test_napot_only_when_aligned(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV48, true);
	/* IOVA 64 KiB aligned, PA only 4 KiB aligned: plain 4 KiB leaves */
	assert_int_equal(rvd_pt_map(&c.pt, K64, K64 + K4, K64, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rd(&c, pte_pa(&c, K64, 0)) & RVI_PTE_N, 0);
	/* 60 KiB: too short for NAPOT */
	assert_int_equal(rvd_pt_map(&c.pt, 4 * K64, 4 * K64, K64 - K4, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rd(&c, pte_pa(&c, 4 * K64, 0)) & RVI_PTE_N, 0);
	teardown(&c);
}

static void test_eexist_and_partial_progress(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	assert_int_equal(rvd_pt_map(&c.pt, 0x3000, 0x10000, K4, RVD_PROT_READ, &mapped), 0);
	/* [0x1000, 0x5000): pages 0x1000 and 0x2000 map, 0x3000 exists */
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x20000, 4 * K4, RVD_PROT_WRITE, &mapped),
	                 -EEXIST);
	assert_int_equal(mapped, 2 * K4);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, 0x2000), 0x21000);
	/* the existing mapping is untouched */
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, 0x3000), 0x10000);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, 0x4000), 0);
	/* a 4 KiB map under an existing 2 MiB leaf, and a 2 MiB map over a
	 * table that holds a 4 KiB leaf */
	assert_int_equal(rvd_pt_map(&c.pt, 2 * M2, 0, M2, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rvd_pt_map(&c.pt, 2 * M2 + K4, 0, K4, RVD_PROT_READ, &mapped), -EEXIST);
	assert_int_equal(rvd_pt_map(&c.pt, 0, 0, M2, RVD_PROT_READ, &mapped), -EEXIST);
	assert_int_equal(mapped, 0);
	teardown(&c);
}

static void test_enomem_partial(void **state)
{
	struct ctx c;
	uint64_t mapped;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	/* Two 4 KiB pages in different 1 GiB regions: the second needs two
	 * new tables; allow the first page's two tables and one more. */
	c.h->fail_allocs_after = 3;
	assert_int_equal(rvd_pt_map(&c.pt, G1 - K4, 0x5000, 2 * K4, RVD_PROT_READ, &mapped),
	                 -ENOMEM);
	assert_int_equal(mapped, K4);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, G1 - K4), 0x5000);
	c.h->fail_allocs_after = -1;
	teardown(&c);
}

static void test_unmap_stops_at_hole_and_big_leaf(void **state)
{
	struct ctx c;
	uint64_t mapped;
	struct rvd_gather g;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x1000, 2 * K4, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	/* [0x1000, 0x4000): 0x3000 is a hole */
	assert_int_equal(rvd_pt_unmap(&c.pt, 0x1000, 3 * K4, &g), 2 * K4);
	assert_int_equal(g.nfree, 2); /* both tables emptied, even though it stopped */
	rvd_gather_free_pages(&c.host, &g);
	/* a 4 KiB unmap inside a 2 MiB leaf unmaps nothing */
	assert_int_equal(rvd_pt_map(&c.pt, M2, 0, M2, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_pt_unmap(&c.pt, M2, K4, &g), 0);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, M2), 0x0 + 0);
	assert_int_equal(rvd_pt_iova_to_phys(&c.pt, M2 + 8), 8);
	assert_true(g.start > g.last); /* empty gather */
	teardown(&c);
}

static void test_unmap_keeps_shared_tables(void **state)
{
	struct ctx c;
	uint64_t mapped;
	struct rvd_gather g;
	(void)state;
	setup_fmt(&c, RVD_PT_SV39, false);
	assert_int_equal(rvd_pt_map(&c.pt, 0x1000, 0x1000, 2 * K4, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_pt_unmap(&c.pt, 0x1000, K4, &g), K4);
	assert_int_equal(g.nfree, 0); /* 0x2000 still lives in the same tables */
	assert_false(g.tables_freed);
	rvd_gather_init(&g);
	assert_int_equal(rvd_pt_unmap(&c.pt, 0x2000, K4, &g), K4);
	assert_int_equal(g.nfree, 2); /* level-0 and level-1 tables */
	assert_true(g.tables_freed);
	/* the root entry is now invalid */
	assert_int_equal(rd(&c, c.pt.root_phys), 0);
	rvd_gather_free_pages(&c.host, &g);
	assert_int_equal(c.h->live_pages, 2); /* root + its count page */
	teardown(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sv39_4k_exact_layout),
	    cmocka_unit_test(test_prot_bits),
	    cmocka_unit_test(test_all_formats_all_sizes),
	    cmocka_unit_test(test_pgsize_bitmap),
	    cmocka_unit_test(test_x4_root_is_16k_and_wide),
	    cmocka_unit_test(test_range_checks),
	    cmocka_unit_test(test_superpage_chosen_by_alignment),
	    cmocka_unit_test(test_napot_only_when_aligned),
	    cmocka_unit_test(test_eexist_and_partial_progress),
	    cmocka_unit_test(test_enomem_partial),
	    cmocka_unit_test(test_unmap_stops_at_hole_and_big_leaf),
	    cmocka_unit_test(test_unmap_keeps_shared_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
