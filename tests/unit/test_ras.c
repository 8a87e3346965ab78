/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_ras.c - cause 272 (internal data-path error) through the
 * model's RAS error injection (rvm_inject_error).  §4.2's cause table says
 * 272 is reported even when DC.tc.DTF=1 and answered with a completer
 * abort; an ATS Translation Request gets CA too (it is not one of the
 * causes answered with Success).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixture.h"

#define DID 9
#define RW (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D)

static struct fx *setup(uint64_t tc_extra)
{
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_2LVL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x7000, 0x3000000, 0, RW);
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V | tc_extra;
	dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, 8) | RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12);
	fx_set_dc(f, DID, dc);
	return f;
}

static void expect_272_record(struct fx *f, unsigned ttyp)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), 272);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), ttyp);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), DID);
	assert_int_equal(rec[2], 0x7000);
	assert_false(fx_pop_fault(f, rec));
}

/* An injected error hits the next walk once: CA, recorded despite DTF=1
 * (272 is one of the seven DTF-exempt causes); the request after it, and
 * an IOTLB hit before it, are unaffected. */
static void test_injected_datapath_error(void **st)
{
	(void)st;
	struct fx *f = setup(RVI_DC_TC_DTF);
	struct rvm_req rq = fx_req(DID, RVM_ACC_READ, 0x7000);
	struct rvm_resp rs;
	assert_int_equal(rvm_translate(f->m, &rq, &rs), 0);
	assert_int_equal(rs.pa, 0x3000000);

	assert_int_equal(rvm_inject_error(f->m, RVM_INJECT_DATAPATH), 0);
	assert_int_equal(rvm_translate(f->m, &rq, &rs), 272);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_272_record(f, RVI_TTYP_UNTRANSLATED_READ);

	assert_int_equal(rvm_translate(f->m, &rq, &rs), 0);
	assert_int_equal(rs.pa, 0x3000000);
	uint64_t rec[4];
	assert_false(fx_pop_fault(f, rec));
	fx_destroy(f);
}

/* ATS: 272 is answered with CA and recorded (unlike page faults). */
static void test_injected_error_on_ats(void **st)
{
	(void)st;
	struct fx *f = setup(RVI_DC_TC_EN_ATS);
	struct rvm_req rq = fx_req(DID, RVM_ACC_READ, 0x7000);
	rq.type = RVM_TT_ATS;
	struct rvm_resp rs;
	assert_int_equal(rvm_inject_error(f->m, RVM_INJECT_DATAPATH), 0);
	assert_int_equal(rvm_translate(f->m, &rq, &rs), 272);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_272_record(f, RVI_TTYP_ATS_TRANSLATION);
	fx_destroy(f);
}

static void test_unknown_injection_rejected(void **st)
{
	(void)st;
	struct fx *f = setup(0);
	assert_int_equal(rvm_inject_error(f->m, (enum rvm_inject)99), RVM_EINVAL);
	struct rvm_req rq = fx_req(DID, RVM_ACC_READ, 0x7000);
	struct rvm_resp rs;
	assert_int_equal(rvm_translate(f->m, &rq, &rs), 0);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_injected_datapath_error),
	    cmocka_unit_test(test_injected_error_on_ats),
	    cmocka_unit_test(test_unknown_injection_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
