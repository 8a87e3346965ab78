/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_hpm.c - the performance monitor (§5.19-5.23): cycle
 * counter, event counters, the eventID WARL rule, every filter and DMASK
 * case, overflow with OF/iocountovf/pmip, and iocountinh.  Events are fed
 * through rvm_hpm_count() directly so that each filter is tested on its own
 * inputs; expected values are derived from the spec text in each test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>

#include "fixture.h"
#include "model/model_internal.h"

static int setup(void **state)
{
	*state = fx_create(NULL); /* default: caps.HPM, 8 counters, 64 bits */
	return 0;
}

static int teardown(void **state)
{
	fx_destroy(*state);
	return 0;
}

static uint64_t evt(unsigned event)
{
	return RVI_FIELD_PREP(RVI_IOHPMEVT_EVENTID, event);
}

static void count(struct fx *f, unsigned event, const struct rvm_hpm_ids *ids)
{
	pthread_mutex_lock(&f->m->lock);
	rvm_hpm_count(f->m, event, ids);
	pthread_mutex_unlock(&f->m->lock);
}

static uint64_t ctr(struct fx *f, unsigned x)
{
	return fx_rd(f, RVI_REG_IOHPMCTR(x), 8);
}

/* §5.21: iohpmcycles counts clock cycles; iocountinh.CY stops it. */
static void test_cycles_count_and_inhibit(void **state)
{
	struct fx *f = *state;
	rvm_advance(f->m, 100);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), 100);
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, RVI_IOCOUNTINH_CY);
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTINH, 4), 1);
	rvm_advance(f->m, 50);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), 100);
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 0);
	rvm_advance(f->m, 7);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), 107);
}

/* §5.21: the 63-bit counter wraps; OF goes 0->1 and pmip is set; with OF
 * already 1 a further wrap raises nothing (§5.18). */
static void test_cycles_overflow(void **state)
{
	struct fx *f = *state;
	uint64_t max = (UINT64_C(1) << 63) - 1;
	fx_wr(f, RVI_REG_IOHPMCYCLES, 8, max - 9); /* 10 cycles to the wrap */
	rvm_advance(f->m, 9);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), max);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, 0);
	rvm_advance(f->m, 6); /* max + 6 = 2^63 + 5 -> counter 5 */
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), RVI_IOHPMCYCLES_OF | 5);
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTOVF, 4), RVI_IOCOUNTOVF_CY);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, RVI_IPSR_PMIP);

	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_PMIP);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, 0);
	fx_wr(f, RVI_REG_IOHPMCYCLES, 8, RVI_IOHPMCYCLES_OF | max);
	rvm_advance(f->m, 1);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), RVI_IOHPMCYCLES_OF);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, 0);

	/* Software writing OF=1 is not an overflow: no pmip. */
	fx_wr(f, RVI_REG_IOHPMCYCLES, 8, 0);
	fx_wr(f, RVI_REG_IOHPMCYCLES, 8, RVI_IOHPMCYCLES_OF);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, 0);
}

/* §5.23 eventID is WARL: unsupported IDs (reserved 9..16383, custom
 * 16384..32767 with no custom events) read back as 0; changing eventID
 * keeps the counter's value; the other fields are plain RW. */
static void test_evt_warl(void **state)
{
	struct fx *f = *state;
	uint64_t fields = RVI_IOHPMEVT_DMASK | RVI_FIELD_PREP(RVI_IOHPMEVT_PID_PSCID, 0xabcde) |
	                  RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, 0x123456) | RVI_IOHPMEVT_PV_PSCV |
	                  RVI_IOHPMEVT_DV_GSCV | RVI_IOHPMEVT_IDT;
	fx_wr(f, RVI_REG_IOHPMCTR(1), 8, 77);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, fields | evt(9));
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(1), 8), fields);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, fields | evt(16384));
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(1), 8), fields);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, fields | evt(0x7fff));
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(1), 8), fields);
	for (unsigned e = 1; e <= 8; e++) {
		fx_wr(f, RVI_REG_IOHPMEVT(1), 8, fields | evt(e));
		assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(1), 8), fields | evt(e));
	}
	assert_int_equal(ctr(f, 1), 77);
}

/* Counters past cfg.hpm_counters are absent: read 0, ignore writes.  The
 * implemented counter width is cfg.hpm_counter_bits (§5.22 WARL). */
static void test_counter_width_and_absent(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.hpm_counters = 3;
	cfg.hpm_counter_bits = 40;
	struct fx *f = fx_create(&cfg);
	fx_wr(f, RVI_REG_IOHPMCTR(1), 8, UINT64_MAX);
	assert_int_equal(ctr(f, 1), (UINT64_C(1) << 40) - 1);
	fx_wr(f, RVI_REG_IOHPMCTR(4), 8, 5);
	assert_int_equal(ctr(f, 4), 0);
	fx_wr(f, RVI_REG_IOHPMEVT(4), 8, evt(1));
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(4), 8), 0);
	fx_wr(f, RVI_REG_IOHPMCTR(31), 8, 5);
	assert_int_equal(ctr(f, 31), 0);
	/* iocountinh: CY and counters 1..3 exist -> bits 3:0. */
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 0xffffffff);
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTINH, 4), 0xf);
	fx_destroy(f);
}

/* A 64-bit register may be written as two 32-bit halves. */
static void test_half_writes(void **state)
{
	struct fx *f = *state;
	fx_wr(f, RVI_REG_IOHPMCTR(2) + 4, 4, 0x12345678);
	fx_wr(f, RVI_REG_IOHPMCTR(2), 4, 0x9abcdef0);
	assert_int_equal(ctr(f, 2), UINT64_C(0x123456789abcdef0));
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCTR(2) + 4, 4), 0x12345678);
	fx_wr(f, RVI_REG_IOHPMEVT(2) + 4, 4, (uint32_t)(RVI_IOHPMEVT_IDT >> 32));
	fx_wr(f, RVI_REG_IOHPMEVT(2), 4, 4);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(2), 8), RVI_IOHPMEVT_IDT | evt(4));
}

/* An event counts only on its own counter, only while not inhibited, and
 * hpm_active (the fast path's gate) follows programming and inhibits. */
static void test_event_select_and_inhibit(void **state)
{
	struct fx *f = *state;
	struct rvm_hpm_ids ids = {.did = 1};
	assert_int_equal(f->m->hpm_active, 0);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, evt(RVI_HPM_EV_UNTRANSLATED_REQ));
	fx_wr(f, RVI_REG_IOHPMEVT(2), 8, evt(RVI_HPM_EV_TRANSLATED_REQ));
	assert_int_equal(f->m->hpm_active, 0x6);
	count(f, RVI_HPM_EV_UNTRANSLATED_REQ, &ids);
	count(f, RVI_HPM_EV_UNTRANSLATED_REQ, &ids);
	count(f, RVI_HPM_EV_TRANSLATED_REQ, &ids);
	count(f, RVI_HPM_EV_DDT_WALK, &ids);
	assert_int_equal(ctr(f, 1), 2);
	assert_int_equal(ctr(f, 2), 1);
	assert_int_equal(ctr(f, 3), 0);

	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 1u << 1);
	assert_int_equal(f->m->hpm_active, 0x4);
	count(f, RVI_HPM_EV_UNTRANSLATED_REQ, &ids);
	assert_int_equal(ctr(f, 1), 2);
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 0);
	count(f, RVI_HPM_EV_UNTRANSLATED_REQ, &ids);
	assert_int_equal(ctr(f, 1), 3);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, 0);
	fx_wr(f, RVI_REG_IOHPMEVT(2), 8, 0);
	assert_int_equal(f->m->hpm_active, 0);
}

/* §5.22/5.23 overflow: ctr wraps, evt.OF 0->1, iocountovf mirrors it,
 * pmip set; a second wrap with OF=1 raises nothing. */
static void test_event_overflow(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.hpm_counter_bits = 32;
	struct fx *f = fx_create(&cfg);
	struct rvm_hpm_ids ids = {.did = 1};
	fx_wr(f, RVI_REG_IOHPMEVT(5), 8, evt(RVI_HPM_EV_TLB_MISS));
	fx_wr(f, RVI_REG_IOHPMCTR(5), 8, 0xffffffff);
	count(f, RVI_HPM_EV_TLB_MISS, &ids);
	assert_int_equal(ctr(f, 5), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(5), 8), RVI_IOHPMEVT_OF | evt(4));
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTOVF, 4), 1u << 5);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, RVI_IPSR_PMIP);
	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_PMIP);
	fx_wr(f, RVI_REG_IOHPMCTR(5), 8, 0xffffffff);
	count(f, RVI_HPM_EV_TLB_MISS, &ids);
	assert_int_equal(ctr(f, 5), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, 0);
	/* Clearing OF re-arms the interrupt. */
	fx_wr(f, RVI_REG_IOHPMEVT(5), 8, evt(RVI_HPM_EV_TLB_MISS));
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTOVF, 4), 0);
	fx_wr(f, RVI_REG_IOHPMCTR(5), 8, 0xffffffff);
	count(f, RVI_HPM_EV_TLB_MISS, &ids);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PMIP, RVI_IPSR_PMIP);
	fx_destroy(f);
}

/* Returns the increment one event with ids gives under selector v. */
static uint64_t counts(struct fx *f, uint64_t v, unsigned event, struct rvm_hpm_ids ids)
{
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, v | evt(event));
	uint64_t before = ctr(f, 1);
	count(f, event, &ids);
	return ctr(f, 1) - before;
}

/* §5.23: IDT=1 is defined only for events 4, 7 and 8; with another event
 * the counter does not count at all (even with no ID filter). */
static void test_idt_support_per_event(void **state)
{
	struct fx *f = *state;
	struct rvm_hpm_ids ids = {.did = 3, .pscv = true, .gscv = true};
	const unsigned idt0_only[] = {1, 2, 3, 5, 6};
	const unsigned idt_both[] = {4, 7, 8};
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(counts(f, 0, idt0_only[i], ids), 1);
		assert_int_equal(counts(f, RVI_IOHPMEVT_IDT, idt0_only[i], ids), 0);
	}
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(counts(f, 0, idt_both[i], ids), 1);
		assert_int_equal(counts(f, RVI_IOHPMEVT_IDT, idt_both[i], ids), 1);
	}
}

/* IDT=0 filters: PV_PSCV on process_id (needs a valid one), DV_GSCV on
 * device_id, both together. */
static void test_filter_idt0(void **state)
{
	struct fx *f = *state;
	uint64_t pidf = RVI_IOHPMEVT_PV_PSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_PID_PSCID, 0x42);
	uint64_t didf = RVI_IOHPMEVT_DV_GSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, 0x1234);
	struct rvm_hpm_ids no_pid = {.did = 0x1234, .pid = 0x42, .pv = false};
	struct rvm_hpm_ids pid42 = {.did = 0x1234, .pid = 0x42, .pv = true};
	struct rvm_hpm_ids pid43 = {.did = 0x1234, .pid = 0x43, .pv = true};
	struct rvm_hpm_ids other_dev = {.did = 0x1235, .pid = 0x42, .pv = true};
	/* PV_PSCV only */
	assert_int_equal(counts(f, pidf, 1, no_pid), 0);
	assert_int_equal(counts(f, pidf, 1, pid42), 1);
	assert_int_equal(counts(f, pidf, 1, pid43), 0);
	assert_int_equal(counts(f, pidf, 1, other_dev), 1);
	/* DV_GSCV only: no process_id needed */
	assert_int_equal(counts(f, didf, 2, no_pid), 1);
	assert_int_equal(counts(f, didf, 2, other_dev), 0);
	/* both */
	assert_int_equal(counts(f, pidf | didf, 3, pid42), 1);
	assert_int_equal(counts(f, pidf | didf, 3, no_pid), 0);
	assert_int_equal(counts(f, pidf | didf, 3, pid43), 0);
	assert_int_equal(counts(f, pidf | didf, 3, other_dev), 0);
	/* no filter: always */
	assert_int_equal(counts(f, 0, 5, other_dev), 1);
}

/* IDT=1 filters: PSCID and GSCID, each needing a valid ID. */
static void test_filter_idt1(void **state)
{
	struct fx *f = *state;
	uint64_t idt = RVI_IOHPMEVT_IDT;
	uint64_t pscf = RVI_IOHPMEVT_PV_PSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_PID_PSCID, 0x777);
	uint64_t gscf = RVI_IOHPMEVT_DV_GSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, 0x99);
	struct rvm_hpm_ids both = {
	    .did = 1, .pscid = 0x777, .pscv = true, .gscid = 0x99, .gscv = true};
	struct rvm_hpm_ids no_psc = both, no_gsc = both, psc_ne = both, gsc_ne = both;
	no_psc.pscv = false;
	no_gsc.gscv = false;
	psc_ne.pscid = 0x776;
	gsc_ne.gscid = 0x98;
	assert_int_equal(counts(f, idt | pscf, 4, both), 1);
	assert_int_equal(counts(f, idt | pscf, 4, no_psc), 0);
	assert_int_equal(counts(f, idt | pscf, 4, psc_ne), 0);
	assert_int_equal(counts(f, idt | pscf, 4, no_gsc), 1);
	assert_int_equal(counts(f, idt | gscf, 7, both), 1);
	assert_int_equal(counts(f, idt | gscf, 7, no_gsc), 0);
	assert_int_equal(counts(f, idt | gscf, 7, gsc_ne), 0);
	assert_int_equal(counts(f, idt | gscf, 7, no_psc), 1);
	assert_int_equal(counts(f, idt | pscf | gscf, 8, both), 1);
	assert_int_equal(counts(f, idt | pscf | gscf, 8, no_psc), 0);
	assert_int_equal(counts(f, idt | pscf | gscf, 8, no_gsc), 0);
	assert_int_equal(counts(f, idt | pscf | gscf, 8, psc_ne), 0);
	assert_int_equal(counts(f, idt | pscf | gscf, 8, gsc_ne), 0);
	/* IDT=1 compares PSCID, not the process_id */
	struct rvm_hpm_ids pid_only = {.did = 1, .pid = 0x777, .pv = true};
	assert_int_equal(counts(f, idt | pscf, 4, pid_only), 0);
}

/* §5.23 DMASK: the bits up to and including the lowest 0 bit of DID_GSCID
 * are ignored.  xxx011 -> the 8 IDs xxx000..xxx111; 0x7f -> a whole bus
 * (0x00..0xff); 0x7fff -> 0x0000..0xffff. */
static void test_dmask(void **state)
{
	struct fx *f = *state;
	struct {
		uint32_t v;
		uint32_t lo, hi; /* matching range */
	} cases[] = {
	    {0x2b, 0x28, 0x2f},         /* 101011: ignore bits 2..0 */
	    {0x7f, 0x00, 0xff},         /* 01111111 */
	    {0x7fff, 0x0000, 0xffff},   /* 01111111_11111111 */
	    {0x12344, 0x12344, 0x12345} /* lowest 0 is bit 0: ignore bit 0 */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t sel = RVI_IOHPMEVT_DV_GSCV | RVI_IOHPMEVT_DMASK |
		               RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, cases[i].v);
		struct rvm_hpm_ids in_lo = {.did = cases[i].lo}, in_hi = {.did = cases[i].hi};
		struct rvm_hpm_ids below = {.did = cases[i].lo - 1},
		                   above = {.did = cases[i].hi + 1};
		assert_int_equal(counts(f, sel, 1, in_lo), 1);
		assert_int_equal(counts(f, sel, 1, in_hi), 1);
		if (cases[i].lo)
			assert_int_equal(counts(f, sel, 1, below), 0);
		assert_int_equal(counts(f, sel, 1, above), 0);
		/* Without DMASK only the exact value matches. */
		sel &= ~RVI_IOHPMEVT_DMASK;
		struct rvm_hpm_ids exact = {.did = cases[i].v};
		assert_int_equal(counts(f, sel, 1, exact), 1);
		struct rvm_hpm_ids other = {.did = cases[i].v ^ 1};
		assert_int_equal(counts(f, sel, 1, other), 0);
	}
	/* DMASK applies to GSCID under IDT=1 too. */
	uint64_t gsel =
	    RVI_IOHPMEVT_IDT | RVI_IOHPMEVT_DV_GSCV | RVI_IOHPMEVT_DMASK |
	    RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, 0x13); /* 10011: bits 2..0 ignored, 0x10..0x17 */
	struct rvm_hpm_ids g10 = {.gscid = 0x10, .gscv = true}, g17 = {.gscid = 0x17, .gscv = true},
	                   g18 = {.gscid = 0x18, .gscv = true};
	assert_int_equal(counts(f, gsel, 8, g10), 1);
	assert_int_equal(counts(f, gsel, 8, g17), 1);
	assert_int_equal(counts(f, gsel, 8, g18), 0);
}

/* Without caps.HPM the registers read 0 and ignore writes (§5). */
static void test_absent_without_cap(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities &= ~RVI_CAP_HPM;
	cfg.hpm_counters = 0;
	struct fx *f = fx_create(&cfg);
	fx_wr(f, RVI_REG_IOHPMEVT(1), 8, evt(1));
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 1);
	rvm_advance(f->m, 10);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMEVT(1), 8), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IOCOUNTINH, 4), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), 0);
	assert_int_equal(f->m->hpm_active, 0);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cycles_count_and_inhibit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cycles_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_evt_warl, setup, teardown),
	    cmocka_unit_test(test_counter_width_and_absent),
	    cmocka_unit_test_setup_teardown(test_half_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_event_select_and_inhibit, setup, teardown),
	    cmocka_unit_test(test_event_overflow),
	    cmocka_unit_test_setup_teardown(test_idt_support_per_event, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_idt0, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_idt1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dmask, setup, teardown),
	    cmocka_unit_test(test_absent_without_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
