/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_ctx_cache.c - the device- and process-context caches
 * (model/ctx_cache.c) against RISC-V IOMMU spec 1.0 §4.1.3 (IODIR.INVAL_DDT
 * with DV=0 / DV=1, IODIR.INVAL_PDT) and the §2.3 tags (device_id;
 * device_id + process_id).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

static struct fx *new_fx(uint32_t ddtc, uint32_t pdtc)
{
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.ddtc_entries = ddtc;
	cfg.pdtc_entries = pdtc;
	return fx_create(&cfg);
}

static void put(struct rvm *m, uint32_t did, bool pv, uint32_t pid, uint64_t marker)
{
	struct rvm_ctx c;
	memset(&c, 0, sizeof(c));
	c.device_id = did;
	c.pid_valid = pv;
	c.process_id = pid;
	c.dc[0] = marker;
	c.pc[0] = marker;
	c.has_pc = pv;
	pthread_mutex_lock(&m->lock);
	rvm_ctx_insert(m, &c);
	pthread_mutex_unlock(&m->lock);
}

/* dc[0] of the cached context, or 0 on a miss. */
static uint64_t get(struct rvm *m, uint32_t did, bool pv, uint32_t pid)
{
	const struct rvm_ctx *c = rvm_ctx_lookup(m, did, pv, pid);
	if (!c)
		return 0;
	assert_int_equal(c->device_id, did);
	assert_int_equal(c->pid_valid, pv);
	if (pv)
		assert_int_equal(c->process_id, pid);
	return c->dc[0];
}

static void inval_ddt(struct rvm *m, bool dv, uint32_t did)
{
	pthread_mutex_lock(&m->lock);
	rvm_ctx_inval_ddt(m, dv, did);
	pthread_mutex_unlock(&m->lock);
}

static void inval_pdt(struct rvm *m, uint32_t did, uint32_t pid)
{
	pthread_mutex_lock(&m->lock);
	rvm_ctx_inval_pdt(m, did, pid);
	pthread_mutex_unlock(&m->lock);
}

static void test_tags(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	put(m, 5, false, 0, 0x55);
	put(m, 5, true, 9, 0x59);
	put(m, 0xFFFFFF, true, 0xFFFFF, 0x77);
	assert_int_equal(get(m, 5, false, 0), 0x55);
	assert_int_equal(get(m, 5, false, 123), 0x55); /* PID ignored without PV */
	assert_int_equal(get(m, 5, true, 9), 0x59);
	assert_int_equal(get(m, 5, true, 8), 0);
	assert_int_equal(get(m, 6, false, 0), 0);
	assert_int_equal(get(m, 0xFFFFFF, true, 0xFFFFF), 0x77);
	/* a re-insert replaces */
	put(m, 5, true, 9, 0x5a);
	assert_int_equal(get(m, 5, true, 9), 0x5a);
	fx_destroy(f);
}

static void test_inval_pdt_one_pc(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	put(m, 5, false, 0, 0x55);
	put(m, 5, true, 9, 0x59);
	put(m, 5, true, 10, 0x5a);
	inval_pdt(m, 5, 9);
	assert_int_equal(get(m, 5, true, 9), 0);
	/* design precision: the DC and the other PC stay */
	assert_int_equal(get(m, 5, false, 0), 0x55);
	assert_int_equal(get(m, 5, true, 10), 0x5a);
	fx_destroy(f);
}

static void test_inval_ddt_dv1_device(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	put(m, 5, false, 0, 0x55);
	put(m, 5, true, 9, 0x59);
	put(m, 5, true, 10, 0x5a);
	inval_ddt(m, true, 5);
	/* the DC of device 5 and every PC of device 5 */
	assert_int_equal(get(m, 5, false, 0), 0);
	assert_int_equal(get(m, 5, true, 9), 0);
	assert_int_equal(get(m, 5, true, 10), 0);
	/* a later fill is cached again */
	put(m, 5, false, 0, 0x56);
	assert_int_equal(get(m, 5, false, 0), 0x56);
	fx_destroy(f);
}

static void test_inval_ddt_dv0_all(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	for (uint32_t d = 1; d <= 20; d++) {
		put(m, d, false, 0, d);
		put(m, d, true, d, d);
	}
	inval_ddt(m, false, 12345); /* DID ignored */
	for (uint32_t d = 1; d <= 20; d++) {
		assert_int_equal(get(m, d, false, 0), 0);
		assert_int_equal(get(m, d, true, d), 0);
	}
	fx_destroy(f);
}

static void test_flush_all_empties(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	put(m, 1, false, 0, 1);
	put(m, 1, true, 2, 3);
	pthread_mutex_lock(&m->lock);
	rvm_caches_flush_all(m);
	pthread_mutex_unlock(&m->lock);
	assert_int_equal(get(m, 1, false, 0), 0);
	assert_int_equal(get(m, 1, true, 2), 0);
	fx_destroy(f);
}

static void test_capacity_zero(void **state)
{
	(void)state;
	struct fx *f = new_fx(0, 64);
	put(f->m, 1, false, 0, 1);
	put(f->m, 1, true, 2, 3); /* a (did, pid) entry holds the DC: off too */
	assert_int_equal(get(f->m, 1, false, 0), 0);
	assert_int_equal(get(f->m, 1, true, 2), 0);
	inval_ddt(f->m, true, 1);
	inval_pdt(f->m, 1, 2);
	fx_destroy(f);
	f = new_fx(64, 0);
	put(f->m, 1, false, 0, 1);
	put(f->m, 1, true, 2, 3);
	assert_int_equal(get(f->m, 1, false, 0), 1);
	assert_int_equal(get(f->m, 1, true, 2), 0);
	fx_destroy(f);
}

static void test_pid_out_of_range_not_cached(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	put(f->m, 1, true, UINT32_C(1) << 20, 3); /* PIDs are 20 bits */
	assert_int_equal(get(f->m, 1, true, UINT32_C(1) << 20), 0);
	assert_int_equal(get(f->m, 1, true, 0), 0);
	fx_destroy(f);
}

static void test_capacity_eviction_keeps_working(void **state)
{
	(void)state;
	struct fx *f = new_fx(4, 4);
	for (uint32_t d = 0; d < 100; d++)
		put(f->m, d, false, 0, 1000 + d);
	unsigned hits = 0;
	for (uint32_t d = 0; d < 100; d++) {
		uint64_t v = get(f->m, d, false, 0);
		assert_true(v == 0 || v == 1000 + d); /* a miss, or the right DC */
		hits += v != 0;
	}
	assert_true(hits >= 1 && hits <= 4);
	fx_destroy(f);
}

/* Invariant (3): a counter about to wrap wipes the cache, so an entry
 * snapshotting a small generation can not come back. */
static void test_generation_wrap(void **state)
{
	(void)state;
	struct fx *f = new_fx(64, 64);
	struct rvm *m = f->m;
	put(m, 3, false, 0, 0x33);
	uint32_t g = m->caches.ctx_all_gen;
	inval_ddt(m, false, 0);
	assert_int_equal(get(m, 3, false, 0), 0);
	m->caches.ctx_all_gen = UINT32_MAX - 3;
	for (unsigned i = 0; i < 8; i++) {
		inval_ddt(m, false, 0);
		assert_int_equal(get(m, 3, false, 0), 0);
	}
	/* the counter is back among small values, including (eventually) g */
	assert_true(m->caches.ctx_all_gen < 16 && g < 16);
	while (m->caches.ctx_all_gen < g + 2) {
		assert_int_equal(get(m, 3, false, 0), 0);
		inval_ddt(m, false, 0);
	}
	fx_destroy(f);
}

static void test_inval_work_independent_of_entries(void **state)
{
	(void)state;
	uint64_t work[2][3];
	static const uint32_t counts[2] = {4, 20000};
	for (unsigned k = 0; k < 2; k++) {
		struct fx *f = new_fx(32768, 32768);
		struct rvm *m = f->m;
		for (uint32_t i = 0; i < counts[k]; i++) {
			put(m, i, false, 0, 1);
			put(m, 7, true, i, 1);
		}
		for (unsigned o = 0; o < 3; o++) {
			uint64_t before = m->caches.dbg_inval_work;
			if (o == 0)
				inval_pdt(m, 7, 3);
			else if (o == 1)
				inval_ddt(m, true, 7);
			else
				inval_ddt(m, false, 0);
			work[k][o] = m->caches.dbg_inval_work - before;
			assert_true(work[k][o] >= 1 && work[k][o] <= RVM_CTX_WAYS);
		}
		fx_destroy(f);
	}
	for (unsigned o = 0; o < 3; o++)
		assert_int_equal(work[0][o], work[1][o]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tags),
	    cmocka_unit_test(test_inval_pdt_one_pc),
	    cmocka_unit_test(test_inval_ddt_dv1_device),
	    cmocka_unit_test(test_inval_ddt_dv0_all),
	    cmocka_unit_test(test_flush_all_empties),
	    cmocka_unit_test(test_capacity_zero),
	    cmocka_unit_test(test_pid_out_of_range_not_cached),
	    cmocka_unit_test(test_capacity_eviction_keeps_working),
	    cmocka_unit_test(test_generation_wrap),
	    cmocka_unit_test(test_inval_work_independent_of_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
