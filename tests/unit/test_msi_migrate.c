/* SPDX-License-Identifier: MIT
 *
 * test_msi_migrate.c - design 4 under load: one thread streams device MSIs
 * to a VM's vIMSIC S file (rvm_translate() of a write to the GPA, then the
 * IMSIC bus), another migrates the vCPU's guest interrupt file between the
 * 16 harts of the virt-imsic-2s-16-g7 fixture 10,000 times with
 * rvmsi_vcpu_migrate().
 *
 * Counting.  The sender sends each identity 1..N once per round.  Between
 * rounds it locks the migrator out and checks that the vCPU's current file
 * holds exactly the identities 1..N and that no other guest file of any
 * hart holds any pending bit; then it clears the file for the next round.
 * So an MSI lost (a write that reached the old file after its pending bits
 * were moved) shows as an identity missing from the current file and a bit
 * left in a freed file; an MSI delivered twice would show as a coalesced
 * write in the IMSIC statistics.  At the end the IMSIC's per-file "set"
 * counters summed over all files equal the MSIs sent, with no coalesced
 * writes, and every translation succeeded (no window with an invalid PTE).
 *
 * In-flight writes.  A real IOFENCE.C with PW=1 waits for MSI writes that
 * were translated with the old entry.  Here the translate and the bus write
 * are two calls, so the test's command callback provides that guarantee:
 * after the fence it waits until every send that started before it has
 * written (an epoch counter, below).  Sends that start after the fence see
 * the new PTE (the model's IOFENCE.C guarantee).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "rviommu/devicetree.h"
#include "rviommu/imsic.h"
#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define DID 3
#define GSCID 9
#define VBASE UINT64_C(0x28000000)
#define MIGRATIONS 10000

struct world {
	struct fx *f;
	struct rvdt_platform *p;
	struct rvimsic *im;
	struct rvimsic_bus bus;
	struct rvmsi_table t;
	struct rvmsi_gfiles ga;
	struct rvmsi_vcpu v;
	uint32_t groups, harts, guests, n_ids;
	/* in-flight tracking for IOFENCE.C PW=1 */
	atomic_uint epoch;
	atomic_uint inflight[2];
	/* sender <-> migrator */
	pthread_mutex_t mig_lock;
	atomic_bool done;
	atomic_uint migrations;
	uint64_t moved;
	int mig_err;
	/* sender results */
	uint64_t sent, faults, rounds, rounds_with_migration;
	char failure[256];
};

static int mem_alloc(void *ctx, uint64_t size, uint64_t align, uint64_t *pa)
{
	struct world *w = ctx;
	*pa = fx_alloc(w->f, size > align ? size : align);
	return 0;
}
/* one atomic 64-bit store: the model may read the entry at any time */
static void mem_write(void *ctx, uint64_t pa, uint64_t v)
{
	struct world *w = ctx;
	uint64_t seen = rv_physmem_read64(w->f->mem, pa), obs;
	while (rv_physmem_cas(w->f->mem, pa, 8, seen, v, &obs) == RVM_MEM_OK && obs != seen)
		seen = obs;
}
static uint64_t mem_read(void *ctx, uint64_t pa)
{
	struct world *w = ctx;
	return rv_physmem_read64(w->f->mem, pa);
}
static void mem_wmb(void *ctx)
{
	(void)ctx;
	atomic_thread_fence(memory_order_seq_cst);
}
static const struct rvmsi_mem_ops mem_ops = {mem_alloc, NULL, mem_write, mem_read, mem_wmb};

static int submit(void *ctx, const uint64_t (*cmds)[2], unsigned n)
{
	struct world *w = ctx;
	bool pw = false;
	for (unsigned i = 0; i < n; i++) {
		uint32_t csr = fx_cmd(w->f, cmds[i][0], cmds[i][1]);
		if (csr & RVI_CQCSR_ERRORS)
			return -5;
		if (RVI_FIELD_GET(RVI_CMD_OPCODE, cmds[i][0]) == RVI_CMD_IOFENCE &&
		    (cmds[i][0] & RVI_IOFENCE_PW))
			pw = true;
	}
	if (fx_rd(w->f, RVI_REG_CQH, 4) != fx_rd(w->f, RVI_REG_CQT, 4))
		return -110;
	if (pw) {
		/* PW=1: wait for the writes of sends that began before now */
		unsigned old = atomic_fetch_add(&w->epoch, 1);
		while (atomic_load(&w->inflight[old & 1]))
			sched_yield();
	}
	return 0;
}

/* One device MSI; returns the fault cause. */
static int send_msi(struct world *w, uint32_t id, bool yield)
{
	unsigned e = atomic_load(&w->epoch);
	atomic_fetch_add(&w->inflight[e & 1], 1);
	struct rvm_req rq = fx_req(DID, RVM_ACC_WRITE, w->v.vfile_gpa);
	struct rvm_resp rs;
	rq.len = 4;
	int cause = rvm_translate(w->f->m, &rq, &rs);
	if (!cause) {
		uint8_t le[4] = {id & 0xff, id >> 8, 0, 0};
		if (yield)
			sched_yield(); /* widen the translate-to-write window */
		if (rvimsic_bus_write(&w->bus, rs.pa, le, 4) != RVIMSIC_ROUTED_IMSIC)
			cause = -1;
	}
	atomic_fetch_sub(&w->inflight[e & 1], 1);
	return cause;
}

static void *migrator(void *arg)
{
	struct world *w = arg;
	uint32_t pos = w->v.group * w->harts + w->v.hart;
	for (unsigned i = 0; i < MIGRATIONS; i++) {
		unsigned moved = 0;
		pos = (pos + 5) % (w->groups * w->harts);
		pthread_mutex_lock(&w->mig_lock);
		int rc = rvmsi_vcpu_migrate(&w->t, &w->ga, w->im, &w->v, pos / w->harts,
		                            pos % w->harts, &moved);
		w->moved += moved;
		atomic_fetch_add(&w->migrations, 1);
		pthread_mutex_unlock(&w->mig_lock);
		if (rc) {
			w->mig_err = rc;
			break;
		}
	}
	atomic_store(&w->done, true);
	return NULL;
}

/* With the migrator locked out: the current file has exactly 1..n_ids,
 * every other guest file nothing.  Then clear it for the next round. */
static bool check_round(struct world *w)
{
	for (uint32_t g = 0; g < w->groups; g++)
		for (uint32_t h = 0; h < w->harts; h++)
			for (uint32_t q = 1; q <= w->guests; q++) {
				struct rvimsic_file_id f = {g, h, q};
				bool cur = g == w->v.group && h == w->v.hart && q == w->v.guest;
				for (uint32_t k = 0; k < (w->n_ids + 1) / 64; k++) {
					uint64_t eip = 0;
					rvimsic_ireg_read(w->im, f, RVIMSIC_ISEL_EIP0 + 2 * k,
					                  &eip);
					uint64_t want = cur ? (k ? ~UINT64_C(0) : ~UINT64_C(1)) : 0;
					if (eip != want) {
						snprintf(
						    w->failure, sizeof(w->failure),
						    "round %llu: file (%u,%u,%u) eip%u = %#llx, "
						    "want %#llx",
						    (unsigned long long)w->rounds, g, h, q, 2 * k,
						    (unsigned long long)eip,
						    (unsigned long long)want);
						return false;
					}
					if (cur)
						rvimsic_ireg_write(w->im, f,
						                   RVIMSIC_ISEL_EIP0 + 2 * k, 0);
				}
			}
	return true;
}

static void *sender(void *arg)
{
	struct world *w = arg;
	bool last = false;
	while (!last) {
		last = atomic_load(&w->done);
		unsigned m0 = atomic_load(&w->migrations);
		for (uint32_t id = 1; id <= w->n_ids; id++) {
			if (send_msi(w, id, (id & 15) == 0))
				w->faults++;
			w->sent++;
		}
		pthread_mutex_lock(&w->mig_lock);
		if (atomic_load(&w->migrations) != m0)
			w->rounds_with_migration++;
		bool ok = check_round(w);
		w->rounds++;
		pthread_mutex_unlock(&w->mig_lock);
		if (!ok || w->faults)
			break;
	}
	return NULL;
}

static void world_init(struct world *w)
{
	char path[512], err[512];
	const struct rvdt_imsic *s = NULL;
	struct rvimsic_config cfg = {0};
	uint64_t mask, pattern;

	memset(w, 0, sizeof(*w));
	snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/virt-imsic-2s-16-g7.dts");
	if (rvdt_load_file(path, &w->p, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	for (size_t i = 0; i < w->p->nr_imsics; i++)
		if (w->p->imsics[i].level == RVDT_LEVEL_S)
			s = &w->p->imsics[i];
	assert_non_null(s);
	assert_int_equal(rvdt_imsic_to_config(s, &cfg), 0);
	assert_int_equal(rvimsic_create(&cfg, &w->im), 0);
	const struct rvimsic_config *c = rvimsic_config(w->im);
	w->groups = c->groups;
	w->harts = c->harts;
	w->guests = c->guests;
	w->n_ids = c->num_guest_ids ? c->num_guest_ids : c->num_ids;
	assert_int_equal(w->groups * w->harts, 16);
	assert_int_equal(w->guests, 7);
	assert_int_equal(w->n_ids, 255);
	rvimsic_bus_init(&w->bus, NULL, NULL);
	assert_int_equal(rvimsic_bus_add(&w->bus, w->im), 0);

	w->f = fx_create(NULL);
	fx_enable_queues(w->f, 8);
	fx_ddt_init(w->f, RVI_DDTP_MODE_1LVL);
	struct rvmsi_layout vm = {VBASE, 0, 2, 0, 0}; /* 4 vharts */
	assert_int_equal(rvmsi_msi_mask(&vm, &mask, &pattern), 0);
	assert_int_equal(rvmsi_table_init(&w->t, &mem_ops, w, submit, w, mask, pattern, GSCID), 0);
	assert_int_equal(rvmsi_gfiles_init(&w->ga, w->groups, w->harts, w->guests), 0);
	uint64_t g = fx_pt_new(w->f, "sv39x4");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = RVI_FIELD_PREP(RVI_ATP_MODE, RVI_IOHGATP_SV39X4) |
	                     RVI_FIELD_PREP(RVI_ATP_PPN, g >> 12) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID);
	dc[RVI_DC_MSIPTP] = rvmsi_table_msiptp(&w->t);
	dc[RVI_DC_MSI_ADDR_MASK] = mask;
	dc[RVI_DC_MSI_ADDR_PATTERN] = pattern;
	fx_set_dc(w->f, DID, dc);
	w->v.vfile_gpa = VBASE; /* vhart 0 */
	assert_int_equal(rvmsi_vcpu_bind(&w->t, &w->ga, w->im, &w->v, 0, 0), 0);
	pthread_mutex_init(&w->mig_lock, NULL);
}

static void world_fini(struct world *w)
{
	pthread_mutex_destroy(&w->mig_lock);
	rvmsi_gfiles_destroy(&w->ga);
	rvmsi_table_destroy(&w->t);
	fx_destroy(w->f);
	rvimsic_destroy(w->im);
	rvdt_free(w->p);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_stream_during_migrations(void **state)
{
	(void)state;
	struct world *w = calloc(1, sizeof(*w));
	pthread_t ts, tm;
	assert_non_null(w);
	world_init(w);

	double t0 = now_s();
	assert_int_equal(pthread_create(&ts, NULL, sender, w), 0);
	assert_int_equal(pthread_create(&tm, NULL, migrator, w), 0);
	pthread_join(tm, NULL);
	pthread_join(ts, NULL);
	double secs = now_s() - t0;

	if (w->failure[0])
		fail_msg("%s", w->failure);
	assert_int_equal(w->mig_err, 0);
	assert_int_equal(w->faults, 0); /* every MSI translated: no window */
	assert_int_equal(atomic_load(&w->migrations), MIGRATIONS);
	assert_int_equal(w->sent, w->rounds * w->n_ids);
	assert_true(w->rounds_with_migration > 0); /* the race was exercised */

	/* every MSI set a clear bit in exactly one file, once */
	uint64_t set = 0, coalesced = 0;
	for (uint32_t g = 0; g < w->groups; g++)
		for (uint32_t h = 0; h < w->harts; h++)
			for (uint32_t q = 0; q <= w->guests; q++) {
				struct rvimsic_file_stats st;
				struct rvimsic_file_id f = {g, h, q};
				assert_int_equal(rvimsic_file_stats(w->im, f, &st), 0);
				set += st.set;
				coalesced += st.coalesced;
			}
	assert_int_equal(set, w->sent);
	assert_int_equal(coalesced, 0);
	print_message("sent %llu MSIs in %llu rounds (%llu with migrations), %u migrations "
	              "moved %llu pending IDs, %.2f s\n",
	              (unsigned long long)w->sent, (unsigned long long)w->rounds,
	              (unsigned long long)w->rounds_with_migration, MIGRATIONS,
	              (unsigned long long)w->moved, secs);
	assert_true(secs < 10.0);
	world_fini(w);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stream_during_migrations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
