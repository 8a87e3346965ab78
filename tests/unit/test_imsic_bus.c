/* SPDX-License-Identifier: MIT
 *
 * test_imsic_bus.c - the IMSIC bus helper (routing a physical write to an
 * IMSIC page or to memory) and a two-thread test: a device thread writes
 * seteipnum while a hart thread claims *topei, and every ID written is
 * claimed exactly once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "rviommu/imsic.h"

struct mem_log {
	int calls;
	uint64_t pa;
	size_t len;
	int fail;
};

static int mem_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
	struct mem_log *m = ctx;

	m->calls++;
	m->pa = pa;
	m->len = len;
	return m->fail;
}

static struct rvimsic *make(uint64_t base, uint32_t harts, uint32_t num_ids)
{
	struct rvimsic_config c = {
	    .base = base,
	    .groups = 1,
	    .harts = harts,
	    .num_ids = num_ids,
	    .hart_index_bits = 2,
	    .be_supported = true,
	};
	struct rvimsic *im;

	assert_int_equal(rvimsic_create(&c, &im), 0);
	return im;
}

static void test_bus_routing(void **state)
{
	struct rvimsic *s = make(0x28000000, 4, 63);
	struct rvimsic *m = make(0x24000000, 4, 63);
	struct mem_log log = {0};
	struct rvimsic_bus bus;
	uint8_t le5[4] = {5, 0, 0, 0}, be6[4] = {0, 0, 0, 6};
	uint8_t eight[8] = {0};
	uint64_t v;

	rvimsic_bus_init(&bus, mem_write, &log);
	assert_int_equal(rvimsic_bus_add(&bus, s), 0);
	assert_int_equal(rvimsic_bus_add(&bus, m), 0);
	/* hart 2's S file: 0x28000000 | 2 << 12 */
	assert_int_equal(rvimsic_bus_write(&bus, 0x28002000, le5, 4), RVIMSIC_ROUTED_IMSIC);
	assert_int_equal(rvimsic_ireg_read(s, (struct rvimsic_file_id){0, 2, 0}, 0x80, &v), 0);
	assert_int_equal(v, 1ull << 5);
	assert_int_equal(rvimsic_bus_write(&bus, 0x24003004, be6, 4), RVIMSIC_ROUTED_IMSIC);
	assert_int_equal(rvimsic_ireg_read(m, (struct rvimsic_file_id){0, 3, 0}, 0x80, &v), 0);
	assert_int_equal(v, 1ull << 6);
	assert_int_equal(log.calls, 0);
	/* RAM */
	assert_int_equal(rvimsic_bus_write(&bus, 0x80001000, eight, 8), RVIMSIC_ROUTED_MEMORY);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.pa, 0x80001000);
	assert_int_equal(log.len, 8);
	/* the page just past the S range is memory */
	assert_int_equal(rvimsic_bus_write(&bus, 0x28004000, le5, 4), RVIMSIC_ROUTED_MEMORY);
	/* malformed IMSIC accesses fault and never reach memory */
	assert_int_equal(rvimsic_bus_write(&bus, 0x28000000, eight, 8), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_bus_write(&bus, 0x28000002, le5, 4), RVIMSIC_E_ACCESS);
	/* a write straddling into the range from below */
	assert_int_equal(rvimsic_bus_write(&bus, 0x27fffffc, eight, 8), RVIMSIC_E_ACCESS);
	assert_int_equal(log.calls, 2);
	/* memory failure */
	log.fail = -1;
	assert_int_equal(rvimsic_bus_write(&bus, 0x80000000, le5, 4), RVIMSIC_E_MEMORY);
	/* no memory behind the bus */
	rvimsic_bus_init(&bus, NULL, NULL);
	assert_int_equal(rvimsic_bus_add(&bus, s), 0);
	assert_int_equal(rvimsic_bus_write(&bus, 0x80000000, le5, 4), RVIMSIC_E_RANGE);
	assert_int_equal(rvimsic_bus_write(&bus, 0x28000000, le5, 4), RVIMSIC_ROUTED_IMSIC);
	assert_int_equal(rvimsic_bus_write(&bus, 0x28000000, le5, 0), RVIMSIC_E_INVAL);
	assert_int_equal(rvimsic_bus_write(&bus, ~0ull, eight, 8), RVIMSIC_E_INVAL);
	for (int i = 1; i < RVIMSIC_BUS_MAX; i++)
		assert_int_equal(rvimsic_bus_add(&bus, s), 0);
	assert_int_equal(rvimsic_bus_add(&bus, s), RVIMSIC_E_FULL);
	rvimsic_destroy(s);
	rvimsic_destroy(m);
}

/* ------------------------------------------------------------------------ */
/* Two threads                                                               */
/* ------------------------------------------------------------------------ */
#define ROUNDS 40
#define NIDS 2047

struct race {
	struct rvimsic *im;
	struct rvimsic_bus bus;
	atomic_uint claimed[NIDS + 1];
	atomic_uint total;
	atomic_int stop;
	unsigned dup;
};

static void *device_thread(void *arg)
{
	struct race *r = arg;

	for (unsigned round = 0; round < ROUNDS; round++) {
		for (uint32_t k = 0; k < NIDS; k++) {
			/* visit IDs in a scrambled order */
			uint32_t id = (k * 1031u + round * 7u) % NIDS + 1;
			uint8_t b[4] = {id & 0xff, id >> 8, 0, 0};

			/* write an ID again only after its last claim */
			while (atomic_load(&r->claimed[id]) < round) {
				if (atomic_load(&r->stop))
					return NULL;
				sched_yield();
			}
			if (rvimsic_bus_write(&r->bus, 0x28000000, b, 4) != RVIMSIC_ROUTED_IMSIC)
				atomic_store(&r->stop, 1);
		}
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	static struct race r;
	struct rvimsic_config c = {
	    .base = 0x28000000,
	    .groups = 1,
	    .harts = 1,
	    .num_ids = NIDS,
	};
	const struct rvimsic_file_id f = {0, 0, 0};
	struct rvimsic_file_stats st;
	time_t deadline = time(NULL) + 60;
	pthread_t th;

	memset(&r, 0, sizeof(r));
	assert_int_equal(rvimsic_create(&c, &r.im), 0);
	rvimsic_bus_init(&r.bus, NULL, NULL);
	assert_int_equal(rvimsic_bus_add(&r.bus, r.im), 0);
	for (uint32_t w = 0; w < 64; w += 2)
		assert_int_equal(rvimsic_ireg_write(r.im, f, 0xc0 + w, ~0ull), 0);
	assert_int_equal(rvimsic_ireg_write(r.im, f, 0x70, 1), 0);
	assert_int_equal(pthread_create(&th, NULL, device_thread, &r), 0);
	while (atomic_load(&r.total) < ROUNDS * NIDS && time(NULL) < deadline &&
	       !atomic_load(&r.stop)) {
		uint32_t t, id;

		assert_int_equal(rvimsic_topei_claim(r.im, f, &t), 0);
		if (!t) {
			sched_yield();
			continue;
		}
		id = t >> 16;
		assert_int_equal(t & 0x7ff, id);
		assert_true(id >= 1 && id <= NIDS);
		atomic_fetch_add(&r.claimed[id], 1);
		atomic_fetch_add(&r.total, 1);
	}
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&r.total), ROUNDS * NIDS);
	for (uint32_t id = 1; id <= NIDS; id++)
		assert_int_equal(atomic_load(&r.claimed[id]), ROUNDS);
	assert_int_equal(rvimsic_file_stats(r.im, f, &st), 0);
	assert_int_equal(st.set, ROUNDS * NIDS);
	assert_int_equal(st.coalesced, 0);
	assert_int_equal(st.ignored, 0);
	rvimsic_destroy(r.im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bus_routing),
	    cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
