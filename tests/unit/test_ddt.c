/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_ddt.c - P2IOVA steps 1-8 and GET_DC (§2.1, §2.3): Off and
 * Bare modes, 1/2/3-level DDTs in the base (32-byte DC) and extended
 * (64-byte DC) formats, device_id width (260), DDTE/DC load faults (257),
 * invalid entries (258), misconfigured non-leaf entries (259), DDT poison
 * (268), step-7 request checks (260), Translated requests with T2GPA=0,
 * and DTF filtering (§3.1.3.1 / §4.2 table).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

static struct rvm_config cfg_base(void)
{
	struct rvm_config c;
	rvm_config_default(&c);
	c.capabilities &= ~(RVI_CAP_MSI_FLAT | RVI_CAP_MSI_MRIF | RVI_CAP_AMO_MRIF);
	return c;
}

static struct fx *setup(const struct rvm_config *cfg, unsigned mode)
{
	struct fx *f = fx_create(cfg);
	fx_enable_queues(f, 6);
	if (mode != RVI_DDTP_MODE_OFF)
		fx_ddt_init(f, mode);
	return f;
}

/* A DC with both stages Bare: identity translation. */
static uint64_t set_bare_dc(struct fx *f, uint32_t did, uint64_t tc_extra)
{
	uint64_t dc[8] = {RVI_DC_TC_V | tc_extra};
	return fx_set_dc(f, did, dc);
}

static int xl(struct fx *f, struct rvm_req rq, struct rvm_resp *rs)
{
	return rvm_translate(f->m, &rq, rs);
}

static void expect_record(struct fx *f, unsigned cause, unsigned ttyp, uint32_t did,
                          uint64_t iotval)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), ttyp);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), did);
	assert_int_equal(rec[2], iotval);
	assert_int_equal(rec[3], 0);
}

static void expect_no_record(struct fx *f)
{
	uint64_t rec[4];
	assert_false(fx_pop_fault(f, rec));
}

/* Step 1: Off disallows everything (256, UR, recorded). */
static void test_off(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_OFF);
	struct rvm_resp rs;
	assert_int_equal(xl(f, fx_req(1, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_ALL_DISALLOWED);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	expect_record(f, 256, RVI_TTYP_UNTRANSLATED_READ, 1, 0x1000);
	fx_destroy(f);
}

/* Step 2: Bare passes Untranslated requests through with iommu_qosid's QoS
 * IDs; Translated and ATS requests are 260. */
static void test_bare(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_OFF);
	fx_wr(f, RVI_REG_DDTP, 8, RVI_DDTP_MODE_BARE);
	fx_wr(f, RVI_REG_IOMMU_QOSID, 4,
	      RVI_FIELD_PREP(RVI_IOMMU_QOSID_RCID, 5) | RVI_FIELD_PREP(RVI_IOMMU_QOSID_MCID, 9));
	struct rvm_resp rs;
	assert_int_equal(xl(f, fx_req(1, RVM_ACC_WRITE, 0x123456789), &rs), 0);
	assert_int_equal(rs.pa, 0x123456789);
	assert_int_equal(rs.rcid, 5);
	assert_int_equal(rs.mcid, 9);
	assert_int_equal(rs.size, UINT64_C(1) << 30); /* documented identity size */
	struct rvm_req rq = fx_req(1, RVM_ACC_READ, 0x1000);
	rq.type = RVM_TT_TRANSLATED;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	expect_record(f, 260, RVI_TTYP_TRANSLATED_READ, 1, 0x1000);
	rq.type = RVM_TT_ATS;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	expect_record(f, 260, RVI_TTYP_ATS_TRANSLATION, 1, 0x1000);
	fx_destroy(f);
}

/* Every level count in both formats finds the DC at the spec's index
 * split, and a device_id wider than the mode supports is 260. */
static void test_levels_and_widths(void **st)
{
	(void)st;
	/* widest device_id of each level count: base 7/16/24, extended 6/15/24 */
	static const unsigned bits[2][3] = {{7, 16, 24}, {6, 15, 24}};
	for (int ext = 0; ext < 2; ext++) {
		struct rvm_config c = cfg_base();
		if (ext)
			rvm_config_default(&c);
		for (unsigned lv = 1; lv <= 3; lv++) {
			struct fx *f = setup(&c, RVI_DDTP_MODE_1LVL + lv - 1);
			uint32_t top = (1u << bits[ext][lv - 1]) - 1;
			uint32_t dids[3] = {0, top, top / 3};
			for (unsigned i = 0; i < 3; i++)
				set_bare_dc(f, dids[i], 0);
			struct rvm_resp rs;
			for (unsigned i = 0; i < 3; i++) {
				assert_int_equal(xl(f, fx_req(dids[i], RVM_ACC_READ, 0x5000), &rs),
				                 0);
				assert_int_equal(rs.pa, 0x5000);
			}
			if (lv < 3) {
				uint32_t wide = top + 1;
				assert_int_equal(xl(f, fx_req(wide, RVM_ACC_READ, 0x5000), &rs),
				                 RVI_CAUSE_TTYPE_DISALLOWED);
				expect_record(f, 260, RVI_TTYP_UNTRANSLATED_READ, wide, 0x5000);
			}
			/* a device with no DC: leaf (1LVL) or non-leaf V=0 */
			assert_int_equal(xl(f, fx_req(1, RVM_ACC_READ, 0x5000), &rs),
			                 RVI_CAUSE_DDT_INVALID);
			expect_record(f, 258, RVI_TTYP_UNTRANSLATED_READ, 1, 0x5000);
			fx_destroy(f);
		}
	}
}

/* Base format: the DC of device 5 is at root + 5 * 32 (1LVL); a 64-byte
 * stride would find nothing there. */
static void test_base_dc_stride(void **st)
{
	(void)st;
	struct rvm_config c = cfg_base();
	struct fx *f = setup(&c, RVI_DDTP_MODE_1LVL);
	uint64_t root = fx_rd(f, RVI_REG_DDTP, 8) >> 10 << 12;
	assert_int_equal(set_bare_dc(f, 5, 0), root + 5 * 32);
	struct rvm_resp rs;
	assert_int_equal(xl(f, fx_req(5, RVM_ACC_READ, 0x1000), &rs), 0);
	fx_destroy(f);
}

/* Non-leaf DDTE with a reserved bit: 259.  Load access fault: 257.
 * Poison: 268 (DDT entries and the DC itself). */
static void test_ddte_faults(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_3LVL);
	uint64_t root = fx_rd(f, RVI_REG_DDTP, 8) >> 10 << 12;
	uint32_t did = (2u << 15) | (3u << 6) | 1; /* extended: DDI = 1, 3, 2 */
	set_bare_dc(f, did, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(f, fx_req(did, RVM_ACC_READ, 0x1000), &rs), 0);
	/* new device sharing the root entry, mid-level entry corrupted */
	uint32_t did2 = (2u << 15) | (4u << 6);
	set_bare_dc(f, did2, 0);
	uint64_t l2 = root + 2 * 8;
	uint64_t mid = (rv_physmem_read64(f->mem, l2) >> 10 << 12) + 4 * 8;
	rv_physmem_write64(f->mem, mid, rv_physmem_read64(f->mem, mid) | RVI_BIT(1));
	assert_int_equal(xl(f, fx_req(did2, RVM_ACC_READ, 0x1000), &rs),
	                 RVI_CAUSE_DDT_MISCONFIGURED);
	expect_record(f, 259, RVI_TTYP_UNTRANSLATED_READ, did2, 0x1000);

	uint32_t did3 = 5u << 15;
	set_bare_dc(f, did3, 0);
	rv_physmem_mark(f->mem, root + 5 * 8, 8, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(f, fx_req(did3, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_DDT_LOAD_FAULT);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	expect_record(f, 257, RVI_TTYP_UNTRANSLATED_READ, did3, 0x1000);
	rv_physmem_mark(f->mem, root + 5 * 8, 8, RVM_MEM_OK);
	rv_physmem_mark(f->mem, root + 5 * 8, 8, RVM_MEM_POISON);
	assert_int_equal(xl(f, fx_req(did3, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_DDT_CORRUPTED);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, 268, RVI_TTYP_UNTRANSLATED_READ, did3, 0x1000);

	uint32_t did4 = (6u << 15) | 2;
	uint64_t dc4 = set_bare_dc(f, did4, 0);
	rv_physmem_mark(f->mem, dc4, 64, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(f, fx_req(did4, RVM_ACC_EXEC, 0x1000), &rs), RVI_CAUSE_DDT_LOAD_FAULT);
	expect_record(f, 257, RVI_TTYP_UNTRANSLATED_EXEC, did4, 0x1000);
	rv_physmem_mark(f->mem, dc4, 64, RVM_MEM_OK);
	rv_physmem_mark(f->mem, dc4, 64, RVM_MEM_POISON);
	assert_int_equal(xl(f, fx_req(did4, RVM_ACC_EXEC, 0x1000), &rs), RVI_CAUSE_DDT_CORRUPTED);
	expect_record(f, 268, RVI_TTYP_UNTRANSLATED_EXEC, did4, 0x1000);
	fx_destroy(f);
}

/* Step 7: Translated without EN_ATS; a process_id with PDTV=0; a process_id
 * wider than pdtp.MODE allows: 260.  Step 8: Translated with T2GPA=0 is
 * the SPA already (even where a first stage exists). */
static void test_step7_and_8(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_1LVL);
	set_bare_dc(f, 1, 0);
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS, 0, 0,
	                  RVI_FIELD_PREP(RVI_FSC_MODE, 8) | RVI_FIELD_PREP(RVI_FSC_PPN, 0x12345)};
	fx_set_dc(f, 2, dc);
	uint64_t dc3[8] = {RVI_DC_TC_V | RVI_DC_TC_PDTV, 0, 0,
	                   RVI_FIELD_PREP(RVI_FSC_MODE, RVI_PDTP_PD8) |
	                       RVI_FIELD_PREP(RVI_FSC_PPN, 0x12345)};
	fx_set_dc(f, 3, dc3);
	struct rvm_resp rs;
	struct rvm_req rq = fx_req(1, RVM_ACC_WRITE, 0x2000);
	rq.type = RVM_TT_TRANSLATED;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	expect_record(f, 260, RVI_TTYP_TRANSLATED_WRITE, 1, 0x2000);
	rq.device_id = 2;
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_int_equal(rs.pa, 0x2000);
	rq = fx_req(1, RVM_ACC_READ, 0x2000);
	rq.pid_valid = true;
	rq.process_id = 7;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PID, rec[0]), 7);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PV, rec[0]), 1);
	rq.device_id = 3;
	rq.process_id = 256; /* PD8 holds 8-bit process_ids */
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), 260);
	fx_destroy(f);
}

/* DTF=1 suppresses translation-fault records (here 13 and 260) but not
 * the DDT causes; the response is still an error. */
static void test_dtf(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_1LVL);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_DTF, 0, 0,
	                  RVI_FIELD_PREP(RVI_FSC_MODE, 8) |
	                      RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12)};
	fx_set_dc(f, 4, dc);
	struct rvm_resp rs;
	assert_int_equal(xl(f, fx_req(4, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_PAGE);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	assert_false(rs.fault_recorded);
	struct rvm_req rq = fx_req(4, RVM_ACC_READ, 0x1000);
	rq.pid_valid = true;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_false(rs.fault_recorded);
	expect_no_record(f);
	/* without DTF the same fault is recorded */
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	fx_set_dc(f, 6, dc);
	assert_int_equal(xl(f, fx_req(6, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_PAGE);
	assert_true(rs.fault_recorded);
	expect_record(f, 13, RVI_TTYP_UNTRANSLATED_READ, 6, 0x1000);
	fx_destroy(f);
}

/* A DC's QoS IDs (DC.ta) go with the translation. */
static void test_dc_qos_ids(void **st)
{
	(void)st;
	struct fx *f = setup(NULL, RVI_DDTP_MODE_1LVL);
	uint64_t dc[8] = {RVI_DC_TC_V, 0,
	                  RVI_FIELD_PREP(RVI_DC_TA_RCID, 0x12) |
	                      RVI_FIELD_PREP(RVI_DC_TA_MCID, 0x34)};
	fx_set_dc(f, 1, dc);
	struct rvm_resp rs;
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(xl(f, fx_req(1, RVM_ACC_READ, 0x9000), &rs), 0);
		assert_int_equal(rs.rcid, 0x12);
		assert_int_equal(rs.mcid, 0x34);
	}
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_off),
	    cmocka_unit_test(test_bare),
	    cmocka_unit_test(test_levels_and_widths),
	    cmocka_unit_test(test_base_dc_stride),
	    cmocka_unit_test(test_ddte_faults),
	    cmocka_unit_test(test_step7_and_8),
	    cmocka_unit_test(test_dtf),
	    cmocka_unit_test(test_dc_qos_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
