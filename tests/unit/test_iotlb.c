/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_iotlb.c - the IOTLB, the G-stage leaf cache and the
 * page-walk cache (model/iotlb.c) against RISC-V IOMMU spec 1.0 §4.1.1
 * (IOTINVAL.VMA / GVMA tables), NLINV and ARINV.
 *
 * "Must miss" assertions come from the spec's tables.  Assertions that an
 * entry *survives* test the documented precision of the design
 * (docs/model-caches.md), never a spec rule: over-invalidation is legal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

static struct fx *new_fx(uint32_t iotlb_entries)
{
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.iotlb_entries = iotlb_entries;
	cfg.ddtc_entries = 64;
	cfg.pdtc_entries = 64;
	return fx_create(&cfg);
}

static struct rvm_tlb_tag tag(bool gv, uint16_t gscid, bool pscv, uint32_t pscid)
{
	struct rvm_tlb_tag t = {.pscid = pscid, .gscid = gscid, .pscv = pscv, .gv = gv};
	return t;
}

static struct rvm_tlb_entry leaf(uint64_t iova, uint64_t pa, unsigned lg2, bool g)
{
	struct rvm_tlb_entry e = {0};
	e.iova_base = iova;
	e.pa_base = pa;
	e.gpa_base = pa;
	e.size_lg2 = (uint8_t)lg2;
	e.perm = RVM_PERM_R | RVM_PERM_W;
	e.g = g;
	return e;
}

static void ins(struct rvm *m, struct rvm_tlb_tag t, struct rvm_tlb_entry e)
{
	pthread_mutex_lock(&m->lock);
	rvm_iotlb_insert(m, &t, &e);
	pthread_mutex_unlock(&m->lock);
}

static void gins(struct rvm *m, uint16_t gscid, struct rvm_tlb_entry e)
{
	pthread_mutex_lock(&m->lock);
	rvm_gtlb_insert(m, gscid, &e);
	pthread_mutex_unlock(&m->lock);
}

/* The SPA a lookup of iova gives, or 0 on a miss (tests never map PA 0). */
static uint64_t pa_of(struct rvm *m, struct rvm_tlb_tag t, uint64_t iova)
{
	const struct rvm_tlb_entry *e = rvm_iotlb_lookup(m, &t, iova);
	if (!e)
		return 0;
	return e->pa_base + (iova & ((UINT64_C(1) << e->size_lg2) - 1));
}

static uint64_t gpa_of(struct rvm *m, uint16_t gscid, uint64_t gpa)
{
	const struct rvm_tlb_entry *e = rvm_gtlb_lookup(m, gscid, gpa);
	if (!e)
		return 0;
	return e->pa_base + (gpa & ((UINT64_C(1) << e->size_lg2) - 1));
}

static void vma(struct rvm *m, bool gv, uint16_t gscid, bool pscv, uint32_t pscid, bool av,
                uint64_t addr, unsigned range_lg2, bool nl)
{
	pthread_mutex_lock(&m->lock);
	rvm_iotlb_inval_vma(m, gv, gscid, pscv, pscid, av, addr, range_lg2, nl);
	pthread_mutex_unlock(&m->lock);
}

static void gvma(struct rvm *m, bool gv, uint16_t gscid, bool av, uint64_t addr, unsigned range_lg2,
                 bool nl)
{
	pthread_mutex_lock(&m->lock);
	rvm_iotlb_inval_gvma(m, gv, gscid, av, addr, range_lg2, nl);
	pthread_mutex_unlock(&m->lock);
}

/* ---- basic lookups ---- */

static void test_hit_is_tagged_by_space(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	ins(m, tag(false, 0, true, 5), leaf(0x10000000, 0x80001000, 12, false));
	assert_int_equal(pa_of(m, tag(false, 0, true, 5), 0x10000abc), 0x80001abc);
	assert_int_equal(pa_of(m, tag(false, 0, true, 5), 0x10001000), 0);
	/* §2.3: PSCID (and GSCID when the G-stage is active) are part of the tag */
	assert_int_equal(pa_of(m, tag(false, 0, true, 6), 0x10000abc), 0);
	assert_int_equal(pa_of(m, tag(true, 5, true, 5), 0x10000abc), 0);
	ins(m, tag(true, 3, true, 5), leaf(0x10000000, 0x90001000, 12, false));
	assert_int_equal(pa_of(m, tag(true, 3, true, 5), 0x10000004), 0x90001004);
	assert_int_equal(pa_of(m, tag(true, 4, true, 5), 0x10000004), 0);
	assert_int_equal(pa_of(m, tag(false, 0, true, 5), 0x10000004), 0x80001004);
	fx_destroy(f);
}

static void test_superpages_and_napot(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(false, 0, true, 1);
	ins(m, t, leaf(0x40200000, 0x100200000, 21, false)); /* 2 MiB megapage */
	ins(m, t, leaf(GIB(2), GIB(8), 30, false));          /* 1 GiB gigapage */
	ins(m, t, leaf(0x100010000, 0xA0000000, 16, false)); /* Svnapot 64 KiB */
	assert_int_equal(pa_of(m, t, 0x403ff123), 0x1003ff123);
	assert_int_equal(pa_of(m, t, 0x40200000), 0x100200000);
	assert_int_equal(pa_of(m, t, 0x40400000), 0);
	assert_int_equal(pa_of(m, t, 0x401ff000), 0);
	assert_int_equal(pa_of(m, t, GIB(3) - 1), GIB(9) - 1);
	assert_int_equal(pa_of(m, t, GIB(3)), 0);
	assert_int_equal(pa_of(m, t, 0x10001f008), 0xA000f008);
	assert_int_equal(pa_of(m, t, 0x100020000), 0);
	assert_int_equal(rvm_iotlb_lookup(m, &t, 0x40300000)->size_lg2, 21);
	fx_destroy(f);
}

static void test_bad_entries_not_cached(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(false, 0, true, 1);
	struct rvm_tlb_entry e = leaf(0x5000, 0x6000, 12, false);
	e.perm = 0; /* not a leaf: nothing a V=1 leaf could produce */
	ins(m, t, e);
	assert_int_equal(pa_of(m, t, 0x5000), 0);
	ins(m, t, leaf(0x201000, 0x400000, 21, false)); /* misaligned megapage */
	assert_int_equal(pa_of(m, t, 0x201000), 0);
	fx_destroy(f);
}

static void test_capacity_zero_disables(void **state)
{
	(void)state;
	struct fx *f = new_fx(0);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(true, 1, true, 1);
	ins(m, t, leaf(0x5000, 0x6000, 12, false));
	gins(m, 1, leaf(0x5000, 0x6000, 12, false));
	struct rvm_pwc_entry p = {.va_base = 0, .level = 1, .gstage = false, .table_pa = 0x7000};
	pthread_mutex_lock(&m->lock);
	rvm_pwc_insert(m, &t, &p);
	pthread_mutex_unlock(&m->lock);
	assert_null(rvm_iotlb_lookup(m, &t, 0x5000));
	assert_null(rvm_gtlb_lookup(m, 1, 0x5000));
	assert_null(rvm_pwc_lookup(m, &t, false, 0, 1));
	vma(m, true, 1, true, 1, true, 0x5000, 12, true);
	gvma(m, true, 1, true, 0x5000, 12, true);
	pthread_mutex_lock(&m->lock);
	rvm_caches_flush_all(m);
	pthread_mutex_unlock(&m->lock);
	fx_destroy(f);
}

/* ---- IOTINVAL.VMA: the eight rows of the §4.1.1 table ---- */

#define A 0x10000000u /* the invalidated address */
#define B 0x20000000u /* another address */

struct space {
	bool gv;
	uint16_t gscid;
	uint32_t pscid;
	bool global_at_a; /* the entry at A has G=1 */
};
/* host 1, host 2 (global at A), VM 7/1, VM 7/2 (global at A), VM 8/1 */
static const struct space spaces[] = {
    {false, 0, 1, false}, {false, 0, 2, true}, {true, 7, 1, false},
    {true, 7, 2, true},   {true, 8, 1, false},
};
#define NSPACES (sizeof(spaces) / sizeof(spaces[0]))

static struct rvm_tlb_tag stag(unsigned i)
{
	return tag(spaces[i].gv, spaces[i].gscid, true, spaces[i].pscid);
}

static uint64_t pa_a(unsigned i)
{
	return 0x100000000 + i * MIB(1);
}
static uint64_t pa_b(unsigned i)
{
	return 0x200000000 + i * MIB(1);
}

static void populate(struct rvm *m)
{
	for (unsigned i = 0; i < NSPACES; i++) {
		ins(m, stag(i), leaf(A, pa_a(i), 12, spaces[i].global_at_a));
		ins(m, stag(i), leaf(B, pa_b(i), 12, false));
	}
}

/* Does the §4.1.1 VMA row (gv, av, pscv) with gscid 7, pscid 1 and ADDR A
 * remove the entry of space i at address a? */
static bool vma_removes(unsigned i, bool gv, bool av, bool pscv, uint64_t a)
{
	const struct space *s = &spaces[i];
	bool global = a == A && s->global_at_a;
	if (gv != s->gv || (gv && s->gscid != 7))
		return false;
	if (pscv && (s->pscid != 1 || global))
		return false; /* PSCV=1 rows: "except global" (not removed: allowed) */
	if (av && a != A)
		return false;
	return true;
}

static void run_vma_row(bool gv, bool av, bool pscv)
{
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate(m);
	for (unsigned i = 0; i < NSPACES; i++) {
		assert_int_equal(pa_of(m, stag(i), A), pa_a(i));
		assert_int_equal(pa_of(m, stag(i), B), pa_b(i));
	}
	vma(m, gv, 7, pscv, 1, av, A, 12, false);
	for (unsigned i = 0; i < NSPACES; i++) {
		if (vma_removes(i, gv, av, pscv, A))
			assert_int_equal(pa_of(m, stag(i), A), 0);
		if (vma_removes(i, gv, av, pscv, B))
			assert_int_equal(pa_of(m, stag(i), B), 0);
		/* design precision: other groups and other addresses survive */
		if (gv != spaces[i].gv || (gv && spaces[i].gscid != 7))
			assert_int_equal(pa_of(m, stag(i), A), pa_a(i));
		if (av)
			assert_int_equal(pa_of(m, stag(i), B), pa_b(i));
	}
	fx_destroy(f);
}

static void test_vma_gv0_av0_pscv0(void **s)
{
	(void)s, run_vma_row(false, false, false);
}
static void test_vma_gv0_av0_pscv1(void **s)
{
	(void)s, run_vma_row(false, false, true);
}
static void test_vma_gv0_av1_pscv0(void **s)
{
	(void)s, run_vma_row(false, true, false);
}
static void test_vma_gv0_av1_pscv1(void **s)
{
	(void)s, run_vma_row(false, true, true);
}
static void test_vma_gv1_av0_pscv0(void **s)
{
	(void)s, run_vma_row(true, false, false);
}
static void test_vma_gv1_av0_pscv1(void **s)
{
	(void)s, run_vma_row(true, false, true);
}
static void test_vma_gv1_av1_pscv0(void **s)
{
	(void)s, run_vma_row(true, true, false);
}
static void test_vma_gv1_av1_pscv1(void **s)
{
	(void)s, run_vma_row(true, true, true);
}

/* The global entries the PSCV=0 rows must remove, checked explicitly. */
static void test_vma_pscv0_removes_global(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate(m);
	vma(m, false, 0, false, 0, true, A, 12, false);
	assert_int_equal(pa_of(m, stag(1), A), 0); /* host 2's global entry */
	vma(m, true, 7, false, 0, true, A, 12, false);
	assert_int_equal(pa_of(m, stag(3), A), 0); /* VM 7/2's global entry */
	fx_destroy(f);
}

/* ---- IOTINVAL.GVMA ---- */

#define GPA_X 0x40000000u

static void populate_vms(struct rvm *m)
{
	/* VM 7: a combined GVA entry whose GPA is X, one whose GPA is not, a
	 * G-only (PSCV=0) entry at X, an MSI PTE entry at X+1MiB; G-stage
	 * cache entries at X and X+4KiB.  VM 8: the same GPA X. */
	struct rvm_tlb_entry c1 = leaf(0x7000, 0x800000000, 12, false);
	c1.gpa_base = GPA_X;
	struct rvm_tlb_entry c2 = leaf(0x8000, 0x800001000, 12, false);
	c2.gpa_base = GPA_X + 0x1000;
	ins(m, tag(true, 7, true, 1), c1);
	ins(m, tag(true, 7, true, 1), c2);
	ins(m, tag(true, 7, false, 0), leaf(GPA_X, 0x800000000, 12, false));
	struct rvm_tlb_entry msi = leaf(GPA_X + MIB(1), 0x28000000, 12, false);
	msi.is_msi = true;
	ins(m, tag(true, 7, false, 0), msi);
	gins(m, 7, leaf(GPA_X, 0x800000000, 12, false));
	gins(m, 7, leaf(GPA_X + 0x1000, 0x800001000, 12, false));
	gins(m, 8, leaf(GPA_X, 0x900000000, 12, false));
	ins(m, tag(true, 8, false, 0), leaf(GPA_X, 0x900000000, 12, false));
	ins(m, tag(false, 0, true, 1), leaf(0x7000, 0xA00000000, 12, false));
}

static void test_gvma_gv0_all_vms(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate_vms(m);
	gvma(m, false, 0, false, 0, 12, false);
	/* "G-stage info from all levels, all VMs" */
	assert_int_equal(pa_of(m, tag(true, 7, true, 1), 0x7000), 0);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X), 0);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X + MIB(1)), 0);
	assert_int_equal(gpa_of(m, 7, GPA_X), 0);
	assert_int_equal(gpa_of(m, 8, GPA_X), 0);
	assert_int_equal(pa_of(m, tag(true, 8, false, 0), GPA_X), 0);
	fx_destroy(f);
}

static void test_gvma_gv1_av0_one_vm(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate_vms(m);
	gvma(m, true, 7, false, 0, 12, false);
	assert_int_equal(pa_of(m, tag(true, 7, true, 1), 0x7000), 0);
	assert_int_equal(pa_of(m, tag(true, 7, true, 1), 0x8000), 0);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X), 0);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X + MIB(1)), 0);
	assert_int_equal(gpa_of(m, 7, GPA_X), 0);
	assert_int_equal(gpa_of(m, 7, GPA_X + 0x1000), 0);
	/* design: VM 8 and the host are untouched */
	assert_int_equal(gpa_of(m, 8, GPA_X), 0x900000000);
	assert_int_equal(pa_of(m, tag(false, 0, true, 1), 0x7000), 0xA00000000);
	fx_destroy(f);
}

static void test_gvma_gv1_av1_one_gpa(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate_vms(m);
	gvma(m, true, 7, true, GPA_X, 12, false);
	/* leaf G-stage entries for GPA X in GSCID 7, and combined entries
	 * whose GPA is X */
	assert_int_equal(gpa_of(m, 7, GPA_X), 0);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X), 0);
	assert_int_equal(pa_of(m, tag(true, 7, true, 1), 0x7000), 0);
	/* design: other GPAs of the G-only space and G cache stay; VM 8 stays */
	assert_int_equal(gpa_of(m, 7, GPA_X + 0x1000), 0x800001000);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X + MIB(1)), 0x28000000);
	assert_int_equal(gpa_of(m, 8, GPA_X), 0x900000000);
	/* an MSI PTE is invalidated by GVMA of its GPA (§2.3: tagged GSCID+GPA) */
	gvma(m, true, 7, true, GPA_X + MIB(1), 12, false);
	assert_int_equal(pa_of(m, tag(true, 7, false, 0), GPA_X + MIB(1)), 0);
	fx_destroy(f);
}

/* VMA must not be needed for, and in this design does not drop, G-stage
 * cache entries: a VM-wide VMA keeps the G-stage space alive. */
static void test_vma_keeps_gstage_cache(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate_vms(m);
	vma(m, true, 7, false, 0, false, 0, 12, false);
	assert_int_equal(pa_of(m, tag(true, 7, true, 1), 0x7000), 0);
	assert_int_equal(gpa_of(m, 7, GPA_X), 0x800000000);
	fx_destroy(f);
}

/* ---- ARINV ranges ---- */

static void test_arinv_small_range(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(false, 0, true, 3);
	for (uint64_t va = 0x3f000; va <= 0x44000; va += 0x1000)
		ins(m, t, leaf(va, 0x1000000 + va, 12, false));
	ins(m, t, leaf(MIB(4), MIB(64), 21, false));
	/* ADDR[63:12] = 0x41 (first zero bit at position 1): 16 KiB at 0x40000 */
	uint64_t addr = 0x41000;
	vma(m, false, 0, true, 3, true, addr, 14, false);
	for (uint64_t va = 0x40000; va < 0x44000; va += 0x1000)
		assert_int_equal(pa_of(m, t, va), 0);
	assert_int_equal(pa_of(m, t, 0x3f000), 0x103f000); /* design precision */
	assert_int_equal(pa_of(m, t, 0x44000), 0x1044000);
	/* a 16 KiB range inside a 2 MiB megapage removes the megapage */
	vma(m, false, 0, true, 3, true, MIB(5), 14, false);
	assert_int_equal(pa_of(m, t, MIB(4)), 0);
	fx_destroy(f);
}

static void test_arinv_large_and_whole_range(void **state)
{
	(void)state;
	struct fx *f = new_fx(4096);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(true, 2, true, 3);
	for (uint64_t i = 0; i < 512; i++)
		ins(m, t, leaf(GIB(1) + i * 0x1000, 0x1000000 + i * 0x1000, 12, false));
	/* 2 MiB range: 512 pages, more than the precise bound */
	vma(m, true, 2, true, 3, true, GIB(1), 21, false);
	for (uint64_t i = 0; i < 512; i++)
		assert_int_equal(pa_of(m, t, GIB(1) + i * 0x1000), 0);
	/* the whole address space (range_lg2 64) */
	ins(m, t, leaf(0xfff000, 0x5000, 12, false));
	ins(m, t, leaf(GIB(256), 0x6000, 30, false));
	vma(m, true, 2, true, 3, true, 0, 64, false);
	assert_int_equal(pa_of(m, t, 0xfff000), 0);
	assert_int_equal(pa_of(m, t, GIB(256)), 0);
	/* a GVMA range over the G-stage cache */
	for (uint64_t i = 0; i < 8; i++)
		gins(m, 2, leaf(GIB(1) + i * 0x1000, 0x1000000 + i * 0x1000, 12, false));
	gvma(m, true, 2, true, GIB(1), 15, false); /* 32 KiB */
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(gpa_of(m, 2, GIB(1) + i * 0x1000), 0);
	fx_destroy(f);
}

/* ---- NLINV and the page-walk cache ---- */

static const struct rvm_pwc_entry *pwc_get(struct rvm *m, struct rvm_tlb_tag t, bool gstage,
                                           uint64_t va, uint8_t level)
{
	return rvm_pwc_lookup(m, &t, gstage, va, level);
}

static void pwc_put(struct rvm *m, struct rvm_tlb_tag t, bool gstage, uint64_t va, uint8_t level,
                    uint64_t table)
{
	struct rvm_pwc_entry e = {
	    .va_base = va, .level = level, .gstage = gstage, .table_pa = table};
	pthread_mutex_lock(&m->lock);
	rvm_pwc_insert(m, &t, &e);
	pthread_mutex_unlock(&m->lock);
}

static void test_pwc_nl_semantics(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(true, 4, true, 9);
	pwc_put(m, t, false, 0, 1, 0x11000); /* first-stage table for VA 0..1 GiB */
	pwc_put(m, t, true, 0, 1, 0x22000);  /* G-stage table for GPA 0..1 GiB */
	assert_int_equal(pwc_get(m, t, false, 0, 1)->table_pa, 0x11000);
	assert_int_equal(pwc_get(m, t, true, 0, 1)->table_pa, 0x22000);
	assert_null(pwc_get(m, t, false, 0, 2));
	assert_null(pwc_get(m, tag(true, 4, true, 8), false, 0, 1));
	/* G-stage walk entries are shared by every first-stage space of the VM */
	assert_int_equal(pwc_get(m, tag(true, 4, true, 8), true, 0, 1)->table_pa, 0x22000);

	/* NL=0 address form: leaf only; design keeps the non-leaf entry */
	vma(m, true, 4, true, 9, true, 0x3000, 12, false);
	assert_non_null(pwc_get(m, t, false, 0, 1));
	/* NL=1: every level cached for ADDR goes */
	vma(m, true, 4, true, 9, true, 0x3000, 12, true);
	assert_null(pwc_get(m, t, false, 0, 1));
	/* NL=1 with PSCV=0 covers every space of the GSCID */
	pwc_put(m, t, false, 0, 1, 0x11000);
	vma(m, true, 4, false, 0, true, 0x3000, 12, true);
	assert_null(pwc_get(m, t, false, 0, 1));
	/* non-address forms remove non-leaf entries */
	pwc_put(m, t, false, 0, 1, 0x11000);
	vma(m, true, 4, true, 9, false, 0, 12, false);
	assert_null(pwc_get(m, t, false, 0, 1));
	/* VMA leaves G-stage walk entries (design) */
	assert_non_null(pwc_get(m, t, true, 0, 1));
	/* GVMA NL=0 address form: G-stage leaf only (design keeps non-leaf) */
	gvma(m, true, 4, true, 0x3000, 12, false);
	assert_non_null(pwc_get(m, t, true, 0, 1));
	/* GVMA NL=1: non-leaf G-stage entries for the GPA go */
	gvma(m, true, 4, true, 0x3000, 12, true);
	assert_null(pwc_get(m, t, true, 0, 1));
	/* GVMA AV=0: all levels for the GSCID */
	pwc_put(m, t, true, 0, 1, 0x22000);
	gvma(m, true, 4, false, 0, 12, false);
	assert_null(pwc_get(m, t, true, 0, 1));
	fx_destroy(f);
}

static void test_flush_all(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	populate(m);
	gins(m, 7, leaf(GPA_X, 0x800000000, 12, false));
	pwc_put(m, stag(0), false, 0, 1, 0x11000);
	pthread_mutex_lock(&m->lock);
	rvm_caches_flush_all(m);
	pthread_mutex_unlock(&m->lock);
	for (unsigned i = 0; i < NSPACES; i++) {
		assert_int_equal(pa_of(m, stag(i), A), 0);
		assert_int_equal(pa_of(m, stag(i), B), 0);
	}
	assert_int_equal(gpa_of(m, 7, GPA_X), 0);
	assert_null(pwc_get(m, stag(0), false, 0, 1));
	fx_destroy(f);
}

/* ---- generation wrap-around ---- */

/* Invariant (1) of cache_impl.h: when the generation allocator would wrap,
 * everything is wiped.  Without it the allocator would hand out again the
 * small generation that the first entry still carries. */
static void test_generation_wrap(void **state)
{
	(void)state;
	struct fx *f = new_fx(1024);
	struct rvm *m = f->m;
	struct rvm_tlb_tag t = tag(false, 0, true, 1);
	ins(m, t, leaf(A, 0x123000, 12, false));
	assert_int_equal(pa_of(m, t, A), 0x123000);
	assert_true(m->caches.next_gen < 8);            /* A carries a small generation */
	vma(m, false, 0, true, 1, false, 0, 12, false); /* A must now miss for good */
	assert_int_equal(pa_of(m, t, A), 0);
	m->caches.next_gen = UINT32_MAX - 20; /* as after ~4e9 invalidations */
	for (unsigned i = 0; i < 64; i++) {
		ins(m, t, leaf(B, 0x456000, 12, false)); /* re-claims the space */
		assert_int_equal(pa_of(m, t, A), 0);
		assert_int_equal(pa_of(m, t, B), 0x456000);
		vma(m, false, 0, true, 1, false, 0, 12, false);
		assert_int_equal(pa_of(m, t, A), 0);
		assert_int_equal(pa_of(m, t, B), 0);
	}
	assert_int_equal(m->caches.wipes, 1);
	fx_destroy(f);
}

/* ---- no stale entry survives: random sequences against a reference ---- */

struct ref {
	struct rvm_tlb_tag t;
	uint64_t base, gpa, pa;
	unsigned lg2;
	bool g, live;
};

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool overlaps(uint64_t b1, unsigned l1, uint64_t b2, unsigned l2)
{
	uint64_t e1 = b1 + (UINT64_C(1) << l1) - 1, e2 = b2 + (UINT64_C(1) << l2) - 1;
	return b1 <= e2 && b2 <= e1;
}

static void test_random_vs_reference(void **state)
{
	(void)state;
	struct fx *f = new_fx(256); /* small: evictions happen too */
	struct rvm *m = f->m;
	enum { NREF = 4000 };
	struct ref *refs = calloc(NREF, sizeof(*refs));
	assert_non_null(refs);
	unsigned n = 0;
	static const unsigned sizes[] = {12, 12, 12, 16, 21};
	uint64_t next_pa = 0x100000000;
	unsigned long hits = 0;
	for (unsigned step = 0; step < 3000 && n < NREF; step++) {
		unsigned op = (unsigned)(rnd() % 4);
		bool gv = rnd() & 1;
		uint16_t gscid = (uint16_t)(gv ? 1 + rnd() % 2 : 0);
		uint32_t pscid = (uint32_t)(1 + rnd() % 3);
		if (op < 3) { /* insert */
			unsigned lg2 = sizes[rnd() % 5];
			uint64_t base = (rnd() % 64) << 12 & ~((UINT64_C(1) << lg2) - 1);
			struct ref *r = &refs[n++];
			r->t = tag(gv, gscid, true, pscid);
			r->base = base;
			r->lg2 = lg2;
			r->g = (rnd() % 4) == 0;
			r->pa = next_pa;
			r->gpa = 0x40000000 + ((rnd() % 64) << 12);
			next_pa += UINT64_C(1) << 22;
			struct rvm_tlb_entry e = leaf(base, r->pa, lg2, r->g);
			e.gpa_base = r->gpa;
			ins(m, r->t, e);
			r->live = true;
			/* an insert for the same (space, page, size) replaces */
			for (unsigned i = 0; i + 1 < n; i++)
				if (refs[i].live && !memcmp(&refs[i].t, &r->t, sizeof(r->t)) &&
				    refs[i].base == base && refs[i].lg2 == lg2)
					refs[i].live = false;
		} else if (rnd() % 4) { /* IOTINVAL.VMA */
			bool av = rnd() & 1, pscv = rnd() & 1;
			unsigned range = (rnd() % 3) ? 12 : 12 + (unsigned)(rnd() % 6);
			uint64_t addr = (rnd() % 64) << 12;
			uint64_t abase = addr & ~((UINT64_C(1) << range) - 1);
			vma(m, gv, gscid, pscv, pscid, av, addr, range, false);
			for (unsigned i = 0; i < n; i++) {
				struct ref *r = &refs[i];
				if (r->t.gv != gv || (gv && r->t.gscid != gscid))
					continue;
				if (pscv && (r->t.pscid != pscid || r->g))
					continue;
				if (av && !overlaps(r->base, r->lg2, abase, range))
					continue;
				r->live = false;
			}
		} else { /* IOTINVAL.GVMA */
			bool av = rnd() & 1;
			uint64_t gpa = 0x40000000 + ((rnd() % 64) << 12);
			gvma(m, gv, gscid, av, gpa, 12, false);
			for (unsigned i = 0; i < n; i++) {
				struct ref *r = &refs[i];
				if (!r->t.gv || (gv && r->t.gscid != gscid))
					continue;
				if (gv && av && !overlaps(r->gpa, r->lg2, gpa, 12))
					continue;
				r->live = false;
			}
		}
		/* every hit must be a live reference entry of that space */
		for (unsigned i = 0; i < n; i++) {
			const struct rvm_tlb_entry *e =
			    rvm_iotlb_lookup(m, &refs[i].t, refs[i].base);
			if (!e)
				continue;
			hits++;
			/* pa_base identifies the reference entry: pa = base + j << 22 */
			uint64_t j = (e->pa_base - UINT64_C(0x100000000)) >> 22;
			bool ok = j < n && refs[j].live && refs[j].pa == e->pa_base &&
			          !memcmp(&refs[j].t, &refs[i].t, sizeof(refs[i].t));
			if (!ok)
				fail_msg("step %u: stale entry pa %#llx for ref %u", step,
				         (unsigned long long)e->pa_base, i);
		}
	}
	assert_true(hits > 10000); /* the check above is not vacuous */
	free(refs);
	fx_destroy(f);
}

/* ---- invalidation cost does not depend on the number of entries ---- */

static uint64_t work_of(struct rvm *m, void (*op)(struct rvm *))
{
	uint64_t before = m->caches.dbg_inval_work;
	pthread_mutex_lock(&m->lock);
	op(m);
	pthread_mutex_unlock(&m->lock);
	return m->caches.dbg_inval_work - before;
}

static void op_space(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, true, 1, false, 0, 12, 0);
}
static void op_group(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, false, 0, false, 0, 12, 0);
}
static void op_addr(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, true, 1, true, B, 12, 1);
}
static void op_addr_all(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, false, 0, true, B, 12, 0);
}
static void op_range(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, true, 1, true, B, 16, 0);
}
static void op_big_range(struct rvm *m)
{
	rvm_iotlb_inval_vma(m, true, 1, true, 1, true, B, 40, 0);
}
static void op_gvma(struct rvm *m)
{
	rvm_iotlb_inval_gvma(m, true, 1, true, B, 12, 0);
}
static void op_gvma_all(struct rvm *m)
{
	rvm_iotlb_inval_gvma(m, false, 0, false, 0, 12, 0);
}
static void op_flush(struct rvm *m)
{
	rvm_caches_flush_all(m);
}

static void test_inval_work_independent_of_entries(void **state)
{
	(void)state;
	void (*ops[])(struct rvm *) = {op_space, op_addr, op_addr_all, op_range, op_big_range,
	                               op_group, op_gvma, op_gvma_all, op_flush};
	enum { NOPS = sizeof(ops) / sizeof(ops[0]) };
	uint64_t work[2][NOPS];
	static const unsigned counts[2] = {4, 50000};
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned o = 0; o < NOPS; o++) {
			struct fx *f = new_fx(65536);
			struct rvm_tlb_tag t = tag(true, 1, true, 1);
			for (unsigned i = 0; i < counts[k]; i++)
				ins(f->m, t,
				    leaf(0x1000000 + (uint64_t)i * 0x1000, 0x2000000, 12, false));
			gins(f->m, 1, leaf(B, 0x3000, 12, false));
			work[k][o] = work_of(f->m, ops[o]);
			assert_true(work[k][o] >= 1 && work[k][o] <= 4 * 64 + 8);
			fx_destroy(f);
		}
	}
	for (unsigned o = 0; o < NOPS; o++)
		assert_int_equal(work[0][o], work[1][o]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_is_tagged_by_space),
	    cmocka_unit_test(test_superpages_and_napot),
	    cmocka_unit_test(test_bad_entries_not_cached),
	    cmocka_unit_test(test_capacity_zero_disables),
	    cmocka_unit_test(test_vma_gv0_av0_pscv0),
	    cmocka_unit_test(test_vma_gv0_av0_pscv1),
	    cmocka_unit_test(test_vma_gv0_av1_pscv0),
	    cmocka_unit_test(test_vma_gv0_av1_pscv1),
	    cmocka_unit_test(test_vma_gv1_av0_pscv0),
	    cmocka_unit_test(test_vma_gv1_av0_pscv1),
	    cmocka_unit_test(test_vma_gv1_av1_pscv0),
	    cmocka_unit_test(test_vma_gv1_av1_pscv1),
	    cmocka_unit_test(test_vma_pscv0_removes_global),
	    cmocka_unit_test(test_gvma_gv0_all_vms),
	    cmocka_unit_test(test_gvma_gv1_av0_one_vm),
	    cmocka_unit_test(test_gvma_gv1_av1_one_gpa),
	    cmocka_unit_test(test_vma_keeps_gstage_cache),
	    cmocka_unit_test(test_arinv_small_range),
	    cmocka_unit_test(test_arinv_large_and_whole_range),
	    cmocka_unit_test(test_pwc_nl_semantics),
	    cmocka_unit_test(test_flush_all),
	    cmocka_unit_test(test_generation_wrap),
	    cmocka_unit_test(test_random_vs_reference),
	    cmocka_unit_test(test_inval_work_independent_of_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
