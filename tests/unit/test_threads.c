/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_threads.c - the IOFENCE.C guarantee under concurrency
 * (docs/model-threads.md): once a fence that follows an invalidation has
 * completed, no rvm_translate() that starts afterwards returns the removed
 * translation.
 *
 * Reader threads translate a set of pages continuously.  The main thread,
 * round after round, maps every page to a new physical page (generation g),
 * then for each page clears the PTE in memory, issues IOTINVAL.VMA for it
 * and IOFENCE.C through MMIO, and only after the fence has completed
 * publishes removed_gen[page] = g.  A reader loads removed_gen before it
 * starts a translation; getting back a physical page of a generation at or
 * below that value is a stale translation.  The run is time-bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "fixture.h"

#define DID 3u
#define PSCID 9u
#define NPAGES 16u
#define NREADERS 3
#define VA_BASE UINT64_C(0x100000)
#define PA_BASE UINT64_C(0x200000000)
#define RUN_NS (1500u * 1000u * 1000u)
#define MAX_ROUNDS 100000u

#define LEAF (RVI_PTE_V | RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D)

struct shared {
	struct fx *f;
	atomic_uint removed_gen[NPAGES];
	atomic_bool stop;
	atomic_ulong stale, wrong_page, hits, translations;
};

static uint64_t va_of(unsigned i)
{
	return VA_BASE + (uint64_t)i * RVI_PAGE_SIZE;
}

static uint64_t pa_of(unsigned gen, unsigned i)
{
	return PA_BASE + ((uint64_t)gen * NPAGES + i) * RVI_PAGE_SIZE;
}

static uint64_t pte_of(unsigned gen, unsigned i)
{
	return LEAF | RVI_FIELD_PREP(RVI_PTE_PPN, pa_of(gen, i) >> 12);
}

static void *reader(void *arg)
{
	struct shared *s = arg;
	unsigned i = 0;
	while (!atomic_load_explicit(&s->stop, memory_order_acquire)) {
		i = (i + 1) % NPAGES;
		unsigned removed = atomic_load_explicit(&s->removed_gen[i], memory_order_acquire);
		struct rvm_req rq = fx_req(DID, RVM_ACC_READ, va_of(i));
		struct rvm_resp rs;
		int cause = rvm_translate(s->f->m, &rq, &rs);
		atomic_fetch_add_explicit(&s->translations, 1, memory_order_relaxed);
		if (cause)
			continue;
		atomic_fetch_add_explicit(&s->hits, 1, memory_order_relaxed);
		uint64_t n = (rs.pa - PA_BASE) >> 12;
		if (rs.pa < PA_BASE || n % NPAGES != i) {
			atomic_fetch_add_explicit(&s->wrong_page, 1, memory_order_relaxed);
			continue;
		}
		unsigned gen = (unsigned)(n / NPAGES);
		if (gen <= removed)
			atomic_fetch_add_explicit(&s->stale, 1, memory_order_relaxed);
	}
	return NULL;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void swap_pte(struct fx *f, uint64_t at, uint64_t old, uint64_t new)
{
	uint64_t seen;
	/* Atomic against the walker's concurrent reads of the same PTE. */
	assert_int_equal(rv_physmem_cas(f->mem, at, 8, old, new, &seen), RVM_MEM_OK);
	assert_int_equal(seen, old);
}

static void test_fence_hides_removed_translations(void **state)
{
	(void)state;
	static struct shared s;
	struct fx *f = fx_create(NULL);
	s.f = f;
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, PSCID);
	dc[RVI_DC_FSC] =
	    RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV39) | RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12);
	fx_set_dc(f, DID, dc);
	uint64_t pte_at[NPAGES];
	for (unsigned i = 0; i < NPAGES; i++) {
		fx_map(f, "sv39", root, va_of(i), 0, 0, 0);
		pte_at[i] = fx_pte_addr(f, "sv39", root, va_of(i), 0);
		rv_physmem_write64(f->mem, pte_at[i], 0); /* start unmapped */
	}

	pthread_t th[NREADERS];
	for (int t = 0; t < NREADERS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, reader, &s), 0);

	uint64_t start = now_ns();
	unsigned rounds = 0;
	for (unsigned gen = 1; gen <= MAX_ROUNDS && now_ns() - start < RUN_NS; gen++) {
		for (unsigned i = 0; i < NPAGES; i++)
			swap_pte(f, pte_at[i], 0, pte_of(gen, i));
		if (gen == 1) { /* single-threaded sanity check of the setup */
			struct rvm_req rq = fx_req(DID, RVM_ACC_READ, va_of(1));
			struct rvm_resp rs;
			assert_int_equal(rvm_translate(f->m, &rq, &rs), 0);
			assert_int_equal(rs.pa, pa_of(1, 1));
		}
		/* Let the readers see (and cache) this generation. */
		unsigned long h = atomic_load(&s.hits);
		uint64_t t0 = now_ns();
		while (atomic_load(&s.hits) < h + 4 * NPAGES && now_ns() - t0 < 2000000u)
			;
		for (unsigned i = 0; i < NPAGES; i++) {
			swap_pte(f, pte_at[i], pte_of(gen, i), 0);
			uint64_t dw0 = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOTINVAL) |
			               RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOTINVAL_VMA) |
			               RVI_IOTINVAL_AV | RVI_IOTINVAL_PSCV |
			               RVI_FIELD_PREP(RVI_IOTINVAL_PSCID, PSCID);
			uint64_t dw1 = RVI_FIELD_PREP(RVI_IOTINVAL_ADDR, va_of(i) >> 12);
			fx_cmd(f, dw0, dw1);
			assert_true(fx_fence(f));
			/* Published only after the fence completed. */
			atomic_store_explicit(&s.removed_gen[i], gen, memory_order_release);
		}
		rounds++;
	}
	atomic_store_explicit(&s.stop, true, memory_order_release);
	for (int t = 0; t < NREADERS; t++)
		pthread_join(th[t], NULL);

	assert_int_equal(atomic_load(&s.stale), 0);
	assert_int_equal(atomic_load(&s.wrong_page), 0);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	/* The run exercised both outcomes (not vacuous). */
	assert_true(rounds >= 2);
	assert_true(atomic_load(&s.hits) > 0);
	assert_true(atomic_load(&s.translations) > atomic_load(&s.hits));
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fence_hides_removed_translations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
