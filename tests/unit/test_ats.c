/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_ats.c - ATS commands (§4.1.4) and their interaction with
 * IOFENCE.C (§4.1.2): the messages sent, ITAG tracking, completion, the
 * fence waiting for outstanding invalidations, and timeouts (cmd_to).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>

#include "fixture.h"

static uint64_t ats_dw0(unsigned func3, uint16_t rid, bool pv, uint32_t pid, bool dsv, uint8_t dseg)
{
	return RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_ATS) | RVI_FIELD_PREP(RVI_CMD_FUNC3, func3) |
	       RVI_FIELD_PREP(RVI_ATS_RID, rid) | (pv ? RVI_ATS_PV : 0) |
	       RVI_FIELD_PREP(RVI_ATS_PID, pid) | (dsv ? RVI_ATS_DSV : 0) |
	       RVI_FIELD_PREP(RVI_ATS_DSEG, dseg);
}

static uint64_t inval_dw0(uint16_t rid)
{
	return ats_dw0(RVI_ATS_INVAL, rid, false, 0, false, 0);
}

#define FENCE_DW0                                                                                  \
	(RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |                                         \
	 RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C))

/* IOFENCE.C with AV=1 storing 'data' at pa. */
static void fence_av(struct fx *f, uint64_t pa, uint32_t data)
{
	fx_cmd(f, FENCE_DW0 | RVI_IOFENCE_AV | RVI_FIELD_PREP(RVI_IOFENCE_DATA, data),
	       RVI_FIELD_PREP(RVI_IOFENCE_ADDR, pa >> 2));
}

static struct fx *make(uint64_t timeout, uint32_t max)
{
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.ats_inval_timeout = timeout;
	cfg.ats_inval_max = max;
	struct fx *f = fx_create(&cfg);
	fx_enable_queues(f, 4);
	return f;
}

static uint32_t cqh(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_CQH, 4);
}

/* ATS.INVAL sends an Invalidation Request carrying RID, PASID, segment and
 * the payload unchanged; the command itself leaves the queue at once. */
static void test_inval_message(void **state)
{
	(void)state;
	struct fx *f = make(0, 4);
	uint64_t payload = RVI_ATS_INVAL_G | RVI_ATS_INVAL_S |
	                   RVI_FIELD_PREP(RVI_ATS_INVAL_ADDR, UINT64_C(0x12345));
	fx_cmd(f, ats_dw0(RVI_ATS_INVAL, 0xbeef, true, 0xabcde, true, 0x5a), payload);
	assert_int_equal(f->n_ats, 1);
	assert_int_equal(f->ats[0].type, RVM_ATS_MSG_INVAL);
	assert_int_equal(f->ats[0].rid, 0xbeef);
	assert_true(f->ats[0].pv);
	assert_int_equal(f->ats[0].pid, 0xabcde);
	assert_true(f->ats[0].dsv);
	assert_int_equal(f->ats[0].dseg, 0x5a);
	assert_int_equal(f->ats[0].payload, payload);
	assert_int_equal(cqh(f), 1); /* cqh may advance before completion */
	/* Without PV no PASID is sent. */
	fx_cmd(f, inval_dw0(0x0102), 0);
	assert_int_equal(f->n_ats, 2);
	assert_false(f->ats[1].pv);
	assert_false(f->ats[1].dsv);
	assert_int_equal(f->ats[1].rid, 0x0102);
	assert_int_not_equal(f->ats[1].itag, f->ats[0].itag);
	fx_destroy(f);
}

/* ATS.PRGR sends a Page Request Group Response with the payload given. */
static void test_prgr_message(void **state)
{
	(void)state;
	struct fx *f = make(0, 4);
	uint64_t payload = RVI_FIELD_PREP(RVI_ATS_PRGR_INDEX, 0x1ab) |
	                   RVI_FIELD_PREP(RVI_ATS_PRGR_CODE, RVI_PRGR_INVALID_REQUEST);
	fx_cmd(f, ats_dw0(RVI_ATS_PRGR, 0x0203, true, 7, false, 0), payload);
	assert_int_equal(f->n_ats, 1);
	assert_int_equal(f->ats[0].type, RVM_ATS_MSG_PRGR);
	assert_int_equal(f->ats[0].rid, 0x0203);
	assert_true(f->ats[0].pv);
	assert_int_equal(f->ats[0].pid, 7);
	assert_int_equal(f->ats[0].payload, payload);
	assert_int_equal(cqh(f), 1);
	/* A PRGR is not tracked: a fence after it completes at once. */
	assert_true(fx_fence(f));
	fx_destroy(f);
}

/* §4.1.2: IOFENCE.C completes only once every earlier ATS.INVAL has
 * completed; completions with a wrong tag or requester are ignored. */
static void test_fence_waits_for_completion(void **state)
{
	(void)state;
	struct fx *f = make(0, 4);
	uint64_t flag = fx_alloc(f, RVI_PAGE_SIZE);
	fx_cmd(f, inval_dw0(0x10), 0);
	fx_cmd(f, inval_dw0(0x11), 0);
	fence_av(f, flag, 0xfeedf00d);
	assert_int_equal(cqh(f), 2); /* stalled on the fence */
	assert_int_equal(rv_physmem_read32(f->mem, flag), 0);
	uint32_t t0 = f->ats[0].itag, t1 = f->ats[1].itag;

	rvm_ats_inval_completion(f->m, 0x10, t0 + 1000); /* unknown tag */
	rvm_ats_inval_completion(f->m, 0x11, t0);        /* wrong requester */
	assert_int_equal(cqh(f), 2);
	rvm_ats_inval_completion(f->m, 0x10, t0);
	assert_int_equal(cqh(f), 2); /* the second is still outstanding */
	assert_int_equal(rv_physmem_read32(f->mem, flag), 0);
	rvm_ats_inval_completion(f->m, 0x11, t1);
	assert_int_equal(cqh(f), 3);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 0xfeedf00d);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	fx_destroy(f);
}

/* A timed-out ATS.INVAL surfaces at the next IOFENCE.C as cmd_to with cqh
 * on the fence (§4.1.2, §5.15); after cmd_to is cleared the fence
 * completes; a late completion is ignored. */
static void test_timeout_sets_cmd_to(void **state)
{
	(void)state;
	struct fx *f = make(100, 4);
	uint64_t flag = fx_alloc(f, RVI_PAGE_SIZE);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE);
	fx_cmd(f, inval_dw0(0x20), 0);
	fence_av(f, flag, 1);
	rvm_advance(f->m, 99);
	assert_int_equal(cqh(f), 1);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, 0);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_CIP, 0);
	rvm_advance(f->m, 1); /* deadline = 0 + 100 */
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, RVI_CQCSR_CMD_TO);
	assert_int_equal(cqh(f), 1);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_CIP, RVI_IPSR_CIP);

	rvm_ats_inval_completion(f->m, 0x20, f->ats[0].itag); /* too late */
	assert_int_equal(cqh(f), 1);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CMD_TO);
	assert_int_equal(cqh(f), 2);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 1);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	fx_destroy(f);
}

/* A completion before the deadline means no timeout, even if the clock
 * later passes the deadline; timeout 0 never expires. */
static void test_no_timeout(void **state)
{
	(void)state;
	struct fx *f = make(100, 4);
	fx_cmd(f, inval_dw0(0x20), 0);
	rvm_advance(f->m, 50);
	rvm_ats_inval_completion(f->m, 0x20, f->ats[0].itag);
	rvm_advance(f->m, 1000);
	assert_true(fx_fence(f));
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, 0);
	fx_destroy(f);

	f = make(0, 4);
	fx_cmd(f, inval_dw0(0x20), 0);
	rvm_advance(f->m, UINT64_MAX / 2);
	rvm_advance(f->m, UINT64_MAX / 2);
	assert_false(fx_fence(f));
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, 0);
	fx_destroy(f);
}

/* With every tracking slot busy the next ATS.INVAL waits in the queue and
 * is sent when a slot frees; tags of outstanding requests stay distinct. */
static void test_slots_exhausted(void **state)
{
	(void)state;
	struct fx *f = make(0, 2);
	fx_cmd(f, inval_dw0(1), 0);
	fx_cmd(f, inval_dw0(2), 0);
	fx_cmd(f, inval_dw0(3), 0);
	assert_int_equal(f->n_ats, 2);
	assert_int_equal(cqh(f), 2);
	rvm_ats_inval_completion(f->m, 1, f->ats[0].itag);
	assert_int_equal(f->n_ats, 3);
	assert_int_equal(cqh(f), 3);
	assert_int_equal(f->ats[2].rid, 3);
	assert_int_not_equal(f->ats[2].itag, f->ats[1].itag);
	rvm_ats_inval_completion(f->m, 2, f->ats[1].itag);
	rvm_ats_inval_completion(f->m, 3, f->ats[2].itag);
	assert_true(fx_fence(f));
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inval_message),
	    cmocka_unit_test(test_prgr_message),
	    cmocka_unit_test(test_fence_waits_for_completion),
	    cmocka_unit_test(test_timeout_sets_cmd_to),
	    cmocka_unit_test(test_no_timeout),
	    cmocka_unit_test(test_slots_exhausted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
