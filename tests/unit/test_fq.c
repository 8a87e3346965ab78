/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_fq.c - fault-record writing (§4.2, §5.16): the exact
 * record layout in both byte orders, the TTYP/PV forcing rules, fqon=0,
 * fqof on a full queue, fqmf on a write fault, "all later records dropped
 * until cleared", fip, and what fqen 0->1 clears.
 *
 * Records are produced with rvm_fq_report() directly (the model's internal
 * interface), so these tests do not depend on the translation code.
 * Expected doublewords are composed from the spec's bit positions by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define BIT(n) (UINT64_C(1) << (n))

static bool report(struct fx *f, const struct rvm_fault *flt)
{
	pthread_mutex_lock(&f->m->lock);
	bool ok = rvm_fq_report(f->m, flt);
	pthread_mutex_unlock(&f->m->lock);
	return ok;
}

static uint32_t fqcsr(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_FQCSR, 4);
}
static uint32_t fqt(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_FQT, 4);
}

static const struct rvm_fault full_fault = {
    .cause = 13,
    .ttyp = 2,
    .did = 0xabcdef,
    .pv = true,
    .pid = 0x12345,
    .priv = true,
    .iotval = 0x123456789abcdef0,
    .iotval2 = 0x0fedcba987654321,
};
/* CAUSE 11:0 = 13, PID 31:12 = 0x12345, PV 32, PRIV 33, TTYP 39:34 = 2,
 * DID 63:40 = 0xabcdef. */
#define FULL_DW0 UINT64_C(0xabcdef0b1234500d)

static void test_record_layout_le(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	/* Pre-fill DW1 with garbage: the model writes it as 0. */
	rv_physmem_write64(f->mem, f->fq_base + 8, ~UINT64_C(0));
	assert_true(report(f, &full_fault));
	assert_int_equal(fqt(f), 1);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(rec[0], FULL_DW0);
	assert_int_equal(rec[1], 0);
	assert_int_equal(rec[2], full_fault.iotval);
	assert_int_equal(rec[3], full_fault.iotval2);
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.faults_recorded, 1);
	assert_int_equal(st.faults_dropped, 0);
	fx_destroy(f);
}

static void test_record_layout_be(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_BE);
	fx_enable_queues(f, 4);
	assert_true(report(f, &full_fault));
	uint8_t b[32];
	assert_int_equal(rv_physmem_read(f->mem, f->fq_base, b, 32), RVM_MEM_OK);
	/* Big-endian: the most significant byte of DW0 (DID[23:16] = 0xab)
	 * comes first, the least significant (CAUSE low byte 0x0d) last. */
	assert_int_equal(b[0], 0xab);
	assert_int_equal(b[1], 0xcd);
	assert_int_equal(b[7], 0x0d);
	assert_int_equal(b[16], 0x12); /* iotval MSB */
	assert_int_equal(b[23], 0xf0);
	assert_int_equal(b[24], 0x0f); /* iotval2 MSB */
	assert_int_equal(rv_physmem_read64(f->mem, f->fq_base), __builtin_bswap64(FULL_DW0));
	fx_destroy(f);
}

/* §4.2: TTYP 0 forces DID, PV, PID, PRIV to 0; PV=0 forces PID, PRIV to 0. */
static void test_forced_zero_fields(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	struct rvm_fault a = full_fault;
	a.cause = 273;
	a.ttyp = 0;
	assert_true(report(f, &a));
	struct rvm_fault b = full_fault;
	b.pv = false;
	assert_true(report(f, &b));
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(rec[0], 273);
	assert_true(fx_pop_fault(f, rec));
	/* CAUSE 13 | TTYP 2 << 34 | DID << 40 */
	assert_int_equal(rec[0], UINT64_C(0xabcdef080000000d));
	fx_destroy(f);
}

/* fqon=0: nothing is written, the record is dropped. */
static void test_queue_off_drops(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t base = fx_alloc(f, 4096);
	fx_wr(f, RVI_REG_FQB, 8, (base >> 12) << 10 | 3);
	assert_false(report(f, &full_fault));
	assert_int_equal(fqt(f), 0);
	assert_int_equal(rv_physmem_read64(f->mem, base), 0);
	assert_int_equal(fqcsr(f), 0); /* no error bit either */
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.faults_dropped, 1);
	fx_destroy(f);
}

/* §5.16: full when fqt == fqh-1: fqof, dropped, and all later records
 * dropped until fqof is cleared, even when space was freed. */
static void test_overflow(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 2); /* 4 entries, 3 usable */
	struct rvm_fault flt = full_fault;
	for (unsigned i = 0; i < 3; i++) {
		flt.iotval = i;
		assert_true(report(f, &flt));
	}
	assert_int_equal(fqt(f), 3);
	assert_int_equal(fqcsr(f) & (BIT(8) | BIT(9)), 0);
	flt.iotval = 3;
	assert_false(report(f, &flt));
	assert_int_equal(fqcsr(f), BIT(0) | BIT(9) | BIT(16)); /* fqof */
	assert_int_equal(fqt(f), 3);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec)); /* frees a slot */
	assert_int_equal(rec[2], 0);
	flt.iotval = 4;
	assert_false(report(f, &flt)); /* still dropped: fqof set */
	assert_int_equal(fqt(f), 3);
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FQOF);
	assert_int_equal(fqcsr(f), BIT(0) | BIT(16));
	flt.iotval = 5;
	assert_true(report(f, &flt));
	assert_int_equal(fqt(f), 0); /* wrapped */
	assert_true(fx_pop_fault(f, rec));
	assert_true(fx_pop_fault(f, rec));
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(rec[2], 5);
	assert_false(fx_pop_fault(f, rec));
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.faults_recorded, 4);
	assert_int_equal(st.faults_dropped, 2);
	fx_destroy(f);
}

/* §5.16: a write fault sets fqmf, drops the record and all later ones. */
static void test_write_fault(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	assert_int_equal(rv_physmem_mark(f->mem, f->fq_base, 4096, RVM_MEM_ACCESS_FAULT), 0);
	assert_false(report(f, &full_fault));
	assert_int_equal(fqcsr(f), BIT(0) | BIT(8) | BIT(16)); /* fqmf */
	assert_int_equal(fqt(f), 0);
	assert_int_equal(rv_physmem_mark(f->mem, f->fq_base, 4096, RVM_MEM_OK), 0);
	assert_false(report(f, &full_fault));
	assert_int_equal(fqt(f), 0);
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FQMF);
	assert_true(report(f, &full_fault));
	assert_int_equal(fqt(f), 1);
	fx_destroy(f);
}

/* §5.18: fip on a new record when fie; on fqof/fqmf when fie. */
static void test_fip(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 2);
	assert_true(report(f, &full_fault));
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), 0); /* fie=0 */
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FIE);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), 0); /* no record since */
	assert_true(report(f, &full_fault));
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), RVI_IPSR_FIP);
	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_FIP);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), 0); /* edge: stays clear */
	assert_true(report(f, &full_fault));            /* fills the queue */
	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_FIP);
	assert_false(report(f, &full_fault)); /* fqof */
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), RVI_IPSR_FIP);
	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_FIP);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), RVI_IPSR_FIP); /* level: fqof still 1 */
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FIE | RVI_FQCSR_FQOF);
	fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_FIP);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4), 0);
	fx_destroy(f);
}

/* §5.16: fqen 0->1 clears fqt, fqof and fqmf (fqh is software's). */
static void test_enable_clears(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 2);
	for (unsigned i = 0; i < 4; i++)
		report(f, &full_fault);
	assert_int_equal(fqt(f), 3);
	assert_true(fqcsr(f) & BIT(9));
	fx_wr(f, RVI_REG_FQH, 4, 2);
	fx_wr(f, RVI_REG_FQCSR, 4, 0);
	assert_int_equal(fqcsr(f), BIT(9)); /* RW1C bits survive disable */
	assert_int_equal(fqt(f), 3);
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN);
	assert_int_equal(fqcsr(f), BIT(0) | BIT(16));
	assert_int_equal(fqt(f), 0);
	assert_int_equal(fx_rd(f, RVI_REG_FQH, 4), 2);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_layout_le),
	    cmocka_unit_test(test_record_layout_be),
	    cmocka_unit_test(test_forced_zero_fields),
	    cmocka_unit_test(test_queue_off_drops),
	    cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_write_fault),
	    cmocka_unit_test(test_fip),
	    cmocka_unit_test(test_enable_clears),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
