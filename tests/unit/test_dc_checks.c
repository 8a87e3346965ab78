/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_dc_checks.c - the device-context configuration checks
 * (§2.3.1, numbered 1-23 as in the checklist and ddt.c), each with a DC
 * that is valid except for that one rule, plus an end-to-end case showing
 * that GET_DC reports 259 for a misconfigured DC and records it even with
 * DTF=1 (no valid DC was found, so DTF is taken as 0).
 *
 * rvm_dc_check() is called directly on a model built with the config each
 * rule needs; a rule that no legal config can reach through MMIO (GXL=1
 * without Sv32x4) sets the model's fctl field directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define M259 RVI_CAUSE_DDT_MISCONFIGURED
#define G_ROOT UINT64_C(0x80004000) /* 16 KiB aligned */

static uint64_t atp(unsigned mode, uint64_t ppn)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, ppn);
}

/* A valid extended DC: G-stage Sv39x4, first stage Bare, MSI Off. */
static void base_dc(uint64_t dc[8])
{
	memset(dc, 0, 8 * sizeof(dc[0]));
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = atp(8, G_ROOT >> 12);
}

static int check(const struct rvm_config *cfg, const uint64_t dc[8])
{
	struct fx *f = fx_create(cfg);
	int rc = rvm_dc_check(f->m, dc);
	fx_destroy(f);
	return rc;
}

static struct rvm_config def(void)
{
	struct rvm_config c;
	rvm_config_default(&c);
	return c;
}

static void test_baseline_valid(void **st)
{
	(void)st;
	uint64_t dc[8];
	struct rvm_config c = def();
	base_dc(dc);
	assert_int_equal(check(&c, dc), 0);
	dc[RVI_DC_TC] |= RVI_DC_TC_EN_ATS | RVI_DC_TC_EN_PRI | RVI_DC_TC_PRPR | RVI_DC_TC_T2GPA |
	                 RVI_DC_TC_SADE | RVI_DC_TC_GADE | RVI_DC_TC_DTF | RVI_DC_TC_SBE;
	dc[RVI_DC_MSIPTP] = atp(RVI_MSIPTP_FLAT, 0x90000);
	dc[RVI_DC_MSI_ADDR_MASK] = 0xff;
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_RCID, 0xfff) | RVI_FIELD_PREP(RVI_DC_TA_PSCID, 7);
	assert_int_equal(check(&c, dc), 0);
}

/* 1. Reserved bits and encodings, one field at a time. */
static void test_check01_reserved(void **st)
{
	(void)st;
	struct rvm_config c = def();
	struct {
		unsigned dw;
		uint64_t bits;
	} cases[] = {
	    {RVI_DC_TC, RVI_BIT(12)},
	    {RVI_DC_TC, RVI_BIT(32)},
	    {RVI_DC_TA, RVI_BIT(0)},
	    {RVI_DC_TA, RVI_BIT(39)},
	    {RVI_DC_FSC, RVI_BIT(44)},
	    {RVI_DC_MSIPTP, RVI_BIT(50)},
	    {RVI_DC_MSI_ADDR_MASK, RVI_BIT(52)},
	    {RVI_DC_MSI_ADDR_PATTERN, RVI_BIT(63)},
	    /* MGPAW = 59 (Sv57x4): bits 51:47 are reserved too */
	    {RVI_DC_MSI_ADDR_MASK, RVI_BIT(47)},
	    {RVI_DC_RESERVED7, 1},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t dc[8];
		base_dc(dc);
		dc[cases[i].dw] |= cases[i].bits;
		if (check(&c, dc) != M259)
			fail_msg("case %u", i);
	}
	uint64_t dc[8];
	base_dc(dc); /* MGPAW bound: bit 46 of mask is legal */
	dc[RVI_DC_MSI_ADDR_MASK] = RVI_BIT(46);
	assert_int_equal(check(&c, dc), 0);
	/* RCID/MCID without QoSID */
	c.capabilities &= ~RVI_CAP_QOSID;
	c.rcid_bits = c.mcid_bits = 0;
	base_dc(dc);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_MCID, 1);
	assert_int_equal(check(&c, dc), M259);
	/* pdtp.MODE 4 (reserved) */
	c = def();
	base_dc(dc);
	dc[RVI_DC_TC] |= RVI_DC_TC_PDTV;
	dc[RVI_DC_FSC] = atp(4, 0x1000);
	assert_int_equal(check(&c, dc), M259);
	dc[RVI_DC_FSC] = atp(RVI_PDTP_PD20, 0x1000);
	assert_int_equal(check(&c, dc), 0);
}

static void expect_tc(const struct rvm_config *c, uint64_t tc, int cause)
{
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_TC] |= tc;
	assert_int_equal(check(c, dc), cause);
}

/* 2-7: the ATS/PRI/T2GPA consistency rules. */
static void test_check02_to_07_ats(void **st)
{
	(void)st;
	struct rvm_config c = def();
	struct rvm_config noats = def();
	noats.capabilities &= ~(RVI_CAP_ATS | RVI_CAP_T2GPA);
	struct rvm_config not2 = def();
	not2.capabilities &= ~RVI_CAP_T2GPA;
	expect_tc(&noats, RVI_DC_TC_EN_ATS, M259); /* 2 */
	expect_tc(&noats, 0, 0);
	expect_tc(&c, RVI_DC_TC_T2GPA, M259);                       /* 3 */
	expect_tc(&c, RVI_DC_TC_EN_PRI, M259);                      /* 4 */
	expect_tc(&c, RVI_DC_TC_EN_ATS | RVI_DC_TC_PRPR, M259);     /* 5 */
	expect_tc(&not2, RVI_DC_TC_EN_ATS | RVI_DC_TC_T2GPA, M259); /* 6 */
	expect_tc(&c, RVI_DC_TC_EN_ATS | RVI_DC_TC_T2GPA, 0);
	uint64_t dc[8];
	base_dc(dc); /* 7: T2GPA with iohgatp Bare */
	dc[RVI_DC_TC] |= RVI_DC_TC_EN_ATS | RVI_DC_TC_T2GPA;
	dc[RVI_DC_IOHGATP] = 0;
	assert_int_equal(check(&c, dc), M259);
}

static void expect_fsc(const struct rvm_config *c, uint64_t tc, uint64_t fsc, int cause)
{
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_TC] |= tc;
	dc[RVI_DC_FSC] = fsc;
	assert_int_equal(check(c, dc), cause);
}

/* 8-12: pdtp / iosatp modes and DPE. */
static void test_check08_to_12_first_stage(void **st)
{
	(void)st;
	struct rvm_config c = def();
	c.capabilities &= ~RVI_CAP_PD20;
	expect_fsc(&c, RVI_DC_TC_PDTV, atp(RVI_PDTP_PD20, 1), M259); /* 8 */
	expect_fsc(&c, RVI_DC_TC_PDTV, atp(RVI_PDTP_PD17, 1), 0);
	c = def();
	expect_fsc(&c, 0, atp(11, 1), M259); /* 9: reserved under SXL=0 */
	expect_fsc(&c, 0, atp(14, 1), M259); /* 9: custom, not implemented */
	c.capabilities &= ~RVI_CAP_SV57;
	expect_fsc(&c, 0, atp(10, 1), M259); /* 10 */
	expect_fsc(&c, 0, atp(9, 1), 0);
	c = def();
	c.sxl_writable = true;
	expect_fsc(&c, RVI_DC_TC_SXL, atp(9, 1), M259); /* 9: Sv48 code under SXL=1 */
	expect_fsc(&c, RVI_DC_TC_SXL, atp(8, 1), M259); /* 11: no caps.Sv32 */
	c.capabilities |= RVI_CAP_SV32;
	expect_fsc(&c, RVI_DC_TC_SXL, atp(8, 1), 0);
	c = def();
	expect_fsc(&c, RVI_DC_TC_DPE, 0, M259); /* 12 */
	expect_fsc(&c, RVI_DC_TC_DPE | RVI_DC_TC_PDTV, 0, 0);
}

static int check_g(const struct rvm_config *c, uint32_t fctl, uint64_t tc, uint64_t hgatp)
{
	struct fx *f = fx_create(c);
	f->m->fctl = fctl; /* reach encodings no legal config could */
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_TC] |= tc;
	dc[RVI_DC_IOHGATP] = hgatp;
	int rc = rvm_dc_check(f->m, dc);
	fx_destroy(f);
	return rc;
}

/* 13-17: iohgatp modes, GXL, msiptp mode, root alignment. */
static void test_check13_to_17_gstage(void **st)
{
	(void)st;
	struct rvm_config c = def();
	assert_int_equal(check_g(&c, 0, 0, atp(11, 4)), M259); /* 13 */
	assert_int_equal(check_g(&c, 0, 0, atp(1, 4)), M259);  /* 13 */
	c.capabilities &= ~RVI_CAP_SV57X4;
	assert_int_equal(check_g(&c, 0, 0, atp(10, 4)), M259); /* 14 */
	assert_int_equal(check_g(&c, 0, 0, atp(9, 4)), 0);
	c = def();
	assert_int_equal(check_g(&c, RVI_FCTL_GXL, RVI_DC_TC_SXL, atp(8, 4)), M259); /* 15 */
	c.capabilities |= RVI_CAP_SV32X4;
	assert_int_equal(check_g(&c, RVI_FCTL_GXL, RVI_DC_TC_SXL, atp(8, 4)), 0);
	assert_int_equal(check_g(&c, RVI_FCTL_GXL, RVI_DC_TC_SXL, atp(9, 4)), M259); /* 13 */
	c = def();
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_MSIPTP] = atp(2, 1); /* 16 */
	assert_int_equal(check(&c, dc), M259);
	assert_int_equal(check_g(&c, 0, 0, atp(8, 4 | 2)), M259); /* 17 */
	assert_int_equal(check_g(&c, 0, 0, atp(8, 4 | 1)), M259); /* 17 */
}

/* 18-21: A/D enables, byte order and SXL legality. */
static void test_check18_to_21(void **st)
{
	(void)st;
	struct rvm_config c = def();
	c.capabilities &= ~(RVI_CAP_AMO_HWAD);
	expect_tc(&c, RVI_DC_TC_SADE, M259); /* 18 */
	expect_tc(&c, RVI_DC_TC_GADE, M259); /* 18 */
	c = def();
	c.capabilities &= ~RVI_CAP_END;
	c.fctl_writable &= ~(uint32_t)RVI_FCTL_BE;
	expect_tc(&c, RVI_DC_TC_SBE, M259); /* 19 */
	c = def();
	c.fctl_writable &= ~(uint32_t)RVI_FCTL_BE; /* END=1 but BE fixed at 0 */
	expect_tc(&c, RVI_DC_TC_SBE, M259);        /* 21 */
	c = def();
	expect_tc(&c, RVI_DC_TC_SBE, 0);    /* BE writable: SBE free */
	expect_tc(&c, RVI_DC_TC_SXL, M259); /* 20: GXL=0, SXL read-only 0 */
	c.sxl_writable = true;
	expect_tc(&c, RVI_DC_TC_SXL, 0);
	c = def();
	c.capabilities |= RVI_CAP_SV32X4;
	assert_int_equal(check_g(&c, RVI_FCTL_GXL, 0, atp(8, 4)), M259); /* 20: GXL=1 needs SXL */
}

/* 22: RCID/MCID wider than implemented; 23: msiptp on with G-stage Bare. */
static void test_check22_23(void **st)
{
	(void)st;
	struct rvm_config c = def();
	c.rcid_bits = 4;
	c.mcid_bits = 2;
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_RCID, 15) | RVI_FIELD_PREP(RVI_DC_TA_MCID, 3);
	assert_int_equal(check(&c, dc), 0);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_RCID, 16);
	assert_int_equal(check(&c, dc), M259);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_MCID, 4);
	assert_int_equal(check(&c, dc), M259);
	c = def();
	base_dc(dc);
	dc[RVI_DC_IOHGATP] = 0;
	dc[RVI_DC_MSIPTP] = atp(RVI_MSIPTP_FLAT, 0x90000);
	assert_int_equal(check(&c, dc), M259);
	dc[RVI_DC_MSIPTP] = 0;
	assert_int_equal(check(&c, dc), 0);
}

/* Optional address check (cfg.check_dc_addr_width): iohgatp.PPN beyond PAS. */
static void test_dc_addr_width(void **st)
{
	(void)st;
	struct rvm_config c = def();
	c.capabilities = RVI_FIELD_SET(RVI_CAP_PAS, c.capabilities, 40);
	assert_int_equal(check_g(&c, 0, 0, atp(8, UINT64_C(1) << 30)), M259);
	c.check_dc_addr_width = false;
	assert_int_equal(check_g(&c, 0, 0, atp(8, UINT64_C(1) << 30)), 0);
}

/* End to end: a misconfigured DC is cause 259, UR, recorded even though
 * the DC has DTF=1. */
static void test_get_dc_misconfigured_recorded(void **st)
{
	(void)st;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t dc[8];
	base_dc(dc);
	dc[RVI_DC_TC] |= RVI_DC_TC_DTF | RVI_BIT(13);
	fx_set_dc(f, 3, dc);
	struct rvm_req rq = fx_req(3, RVM_ACC_WRITE, 0x1234);
	struct rvm_resp rs;
	assert_int_equal(rvm_translate(f->m, &rq, &rs), M259);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	assert_true(rs.fault_recorded);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), M259);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), RVI_TTYP_UNTRANSLATED_WRITE);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), 3);
	assert_int_equal(rec[2], 0x1234);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_baseline_valid),
	    cmocka_unit_test(test_check01_reserved),
	    cmocka_unit_test(test_check02_to_07_ats),
	    cmocka_unit_test(test_check08_to_12_first_stage),
	    cmocka_unit_test(test_check13_to_17_gstage),
	    cmocka_unit_test(test_check18_to_21),
	    cmocka_unit_test(test_check22_23),
	    cmocka_unit_test(test_dc_addr_width),
	    cmocka_unit_test(test_get_dc_misconfigured_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
