/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_perf_paths.c - the speed mechanisms of the translate path
 * keep the model exact: the lock-free fast path (model/translate.c), the mem_page host op with its
 * mem_read fallback (model/mem.c), the cache-size knobs, and rv_physmem's arenas.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define DID 3
#define PSCID 0x21
#define VA UINT64_C(0x40000000)
#define FLAGS_RW (RVI_PTE_R | RVI_PTE_W | RVI_PTE_A | RVI_PTE_D | RVI_PTE_U)

static unsigned page_calls;

static const void *fx_page(void *ctx, uint64_t pa, const struct rvm_mem_attr *a)
{
	struct fx *f = ctx;
	(void)a;
	page_calls++;
	return rv_physmem_page(f->mem, pa);
}

static uint64_t sv39_dev(struct fx *f)
{
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, PSCID);
	dc[RVI_DC_FSC] =
	    RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV39) | RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12);
	fx_set_dc(f, DID, dc);
	return root;
}

static int xlate(struct fx *f, enum rvm_access acc, uint64_t iova, uint64_t *pa)
{
	struct rvm_req rq = fx_req(DID, acc, iova);
	struct rvm_resp rs;
	int rc = rvm_translate(f->m, &rq, &rs);
	*pa = rs.pa;
	return rc;
}

static void inval_page(struct fx *f, uint64_t va)
{
	uint64_t dw0 = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOTINVAL) |
	               RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOTINVAL_VMA) | RVI_IOTINVAL_AV |
	               RVI_IOTINVAL_PSCV | RVI_FIELD_PREP(RVI_IOTINVAL_PSCID, PSCID);
	fx_cmd(f, dw0, RVI_FIELD_PREP(RVI_IOTINVAL_ADDR, va >> 12));
	assert_true(fx_fence(f));
}

/* A fast-path hit dies with the invalidation that removes its IOTLB entry. */
static void test_fast_hit_retired_by_invalidation(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t root = sv39_dev(f);
	fx_map(f, "sv39", root, VA, 0x5000000, 0, FLAGS_RW);
	uint64_t pa;
	struct rvm_stats st0, st1;
	for (int i = 0; i < 3; i++) { /* a miss, then fast-path hits */
		assert_int_equal(xlate(f, RVM_ACC_READ, VA + 8, &pa), 0);
		assert_int_equal(pa, 0x5000008);
	}
	rvm_get_stats(f->m, &st0);
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 16, &pa), 0);
	rvm_get_stats(f->m, &st1);
	assert_int_equal(st1.iotlb_hits, st0.iotlb_hits + 1);
	/* Remap, invalidate, fence: the next request sees the new page. */
	rv_physmem_write64(f->mem, fx_pte_addr(f, "sv39", root, VA, 0),
	                   RVI_PTE_V | FLAGS_RW | RVI_FIELD_PREP(RVI_PTE_PPN, 0x6000));
	inval_page(f, VA);
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 8, &pa), 0);
	assert_int_equal(pa, 0x6000008);
	/* Unmap: a fault, not the old cached answer. */
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 8, &pa), 0); /* cached again */
	rv_physmem_write64(f->mem, fx_pte_addr(f, "sv39", root, VA, 0), 0);
	inval_page(f, VA);
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 8, &pa), RVI_CAUSE_RD_PAGE);
	fx_destroy(f);
}

/* mem_page is used for PTE reads, and a marked (faulting or poisoned) page
 * falls back to mem_read, which reports the mark. */
static void test_mem_page_fallback(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	rvm_set_mem_page(f->m, fx_page);
	uint64_t root = sv39_dev(f);
	for (unsigned i = 0; i < 4; i++)
		fx_map(f, "sv39", root, VA + i * 0x1000, 0x5000000 + i * 0x1000, 0, FLAGS_RW);
	uint64_t pa, leaf = fx_pte_addr(f, "sv39", root, VA, 0) & ~UINT64_C(0xFFF);
	page_calls = 0;
	assert_int_equal(xlate(f, RVM_ACC_READ, VA, &pa), 0);
	assert_int_equal(pa, 0x5000000);
	assert_true(page_calls > 0);
	assert_int_equal(rv_physmem_mark(f->mem, leaf, 4096, RVM_MEM_POISON), 0);
	assert_null(rv_physmem_page(f->mem, leaf));
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 0x1000, &pa), RVI_CAUSE_PT_CORRUPTED);
	assert_int_equal(rv_physmem_mark(f->mem, leaf, 4096, RVM_MEM_OK), 0);
	assert_int_equal(rv_physmem_mark(f->mem, leaf, 4096, RVM_MEM_ACCESS_FAULT), 0);
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 0x2000, &pa), RVI_CAUSE_RD_ACCESS);
	assert_int_equal(rv_physmem_mark(f->mem, leaf, 4096, RVM_MEM_OK), 0);
	assert_int_equal(xlate(f, RVM_ACC_READ, VA + 0x3000, &pa), 0);
	assert_int_equal(pa, 0x5003000);
	rvm_set_mem_page(f->m, NULL);
	fx_destroy(f);
}

/* With the page-walk cache and the G-stage cache off, walks still work. */
static void test_cache_knobs_off(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.pwc_entries = 0;
	cfg.gtlb_entries = 0;
	struct fx *f = fx_create(&cfg);
	uint64_t root = sv39_dev(f);
	for (unsigned i = 0; i < 8; i++)
		fx_map(f, "sv39", root, VA + i * 0x200000, 0x5000000 + i * 0x1000, 0, FLAGS_RW);
	for (unsigned i = 0; i < 8; i++) {
		uint64_t pa;
		assert_int_equal(xlate(f, RVM_ACC_READ, VA + i * 0x200000, &pa), 0);
		assert_int_equal(pa, 0x5000000 + i * 0x1000);
	}
	assert_int_equal(f->m->caches.pwc.nsets, 0);
	fx_destroy(f);
}

/* Arenas: scattered pages read back; rv_physmem_page() agrees with reads
 * and refuses unwritten, marked and out-of-range pages. */
static void test_physmem_pages(void **state)
{
	(void)state;
	struct rv_physmem *p = rv_physmem_create(40);
	for (uint64_t i = 0; i < 1500; i++) /* spans several 2 MiB arenas */
		rv_physmem_write64(p, (i * UINT64_C(0x12345000)) % (UINT64_C(1) << 40) + 8, i + 1);
	for (uint64_t i = 0; i < 1500; i++) {
		uint64_t pa = (i * UINT64_C(0x12345000)) % (UINT64_C(1) << 40) + 8;
		assert_int_equal(rv_physmem_read64(p, pa), i + 1);
		const uint8_t *pg = rv_physmem_page(p, pa);
		assert_non_null(pg);
		uint64_t v;
		memcpy(&v, pg + 8, 8);
		assert_int_equal(v, i + 1);
	}
	assert_int_equal(rv_physmem_footprint(p), 1500 * 4096);
	assert_null(rv_physmem_page(p, UINT64_C(0x7000)));  /* never written */
	assert_null(rv_physmem_page(p, UINT64_C(1) << 40)); /* beyond pa_bits */
	assert_int_equal(rv_physmem_mark(p, 8 + 0x100, 8, RVM_MEM_ACCESS_FAULT), 0);
	assert_null(rv_physmem_page(p, 8)); /* page 0 holds a marked byte */
	rv_physmem_destroy(p);
}

struct writer_arg {
	struct rv_physmem *p;
	unsigned id;
};

static void *writer(void *arg)
{
	struct writer_arg *w = arg;
	for (uint64_t i = 0; i < 4096; i++) /* both threads race to create each page */
		rv_physmem_write64(w->p, i * 4096 + 8 * w->id, i * 2 + w->id);
	return NULL;
}

/* Concurrent first writes to the same pages agree on one page each. */
static void test_physmem_threads(void **state)
{
	(void)state;
	struct rv_physmem *p = rv_physmem_create(40);
	pthread_t th[2];
	struct writer_arg a[2] = {{p, 0}, {p, 1}};
	for (int t = 0; t < 2; t++)
		assert_int_equal(pthread_create(&th[t], NULL, writer, &a[t]), 0);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	for (uint64_t i = 0; i < 4096; i++) {
		assert_int_equal(rv_physmem_read64(p, i * 4096), i * 2);
		assert_int_equal(rv_physmem_read64(p, i * 4096 + 8), i * 2 + 1);
	}
	assert_int_equal(rv_physmem_footprint(p), 4096 * 4096);
	rv_physmem_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fast_hit_retired_by_invalidation),
	    cmocka_unit_test(test_mem_page_fallback),
	    cmocka_unit_test(test_cache_knobs_off),
	    cmocka_unit_test(test_physmem_pages),
	    cmocka_unit_test(test_physmem_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
