/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_ats_xlate.c - PCIe ATS Translation Requests (§6.3, §4.2
 * table): completion fields (R/W/X, Priv, Global, U, N, AMA, CXL.io, S),
 * denials answered with the granted subset, A/D for ATS, the causes that
 * are answered Success with R=W=0 and not recorded, UR and CA causes with
 * their records (TTYP 8), MSI basic and MRIF answers, and T2GPA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

#define DID 0x24
#define R RVI_PTE_R
#define W RVI_PTE_W
#define X RVI_PTE_X
#define U RVI_PTE_U
#define AD (RVI_PTE_A | RVI_PTE_D)

static uint64_t atp(unsigned mode, uint64_t pa)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, pa >> 12);
}

static struct fx *setup(void)
{
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	return f;
}

static struct rvm_req ats(enum rvm_access acc, uint64_t iova)
{
	struct rvm_req r = fx_req(DID, acc, iova);
	r.type = RVM_TT_ATS;
	return r;
}

static int xl(struct fx *f, struct rvm_req rq, struct rvm_resp *rs)
{
	return rvm_translate(f->m, &rq, rs);
}

static void set_s1_dc(struct fx *f, uint64_t root, uint64_t tc)
{
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS | tc, 0, 0, atp(8, root)};
	fx_set_dc(f, DID, dc);
}

static void expect_record(struct fx *f, unsigned cause, uint64_t iotval)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), RVI_TTYP_ATS_TRANSLATION);
	assert_int_equal(rec[2], iotval);
	assert_false(fx_pop_fault(f, rec));
}

static void expect_no_record(struct fx *f)
{
	uint64_t rec[4];
	assert_false(fx_pop_fault(f, rec));
}

/* A successful completion: R/W as asked and allowed, X only when asked,
 * S for a 2 MiB page, N = AMA = CXL.io = U = 0. */
static void test_fields(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x200000, 0x4000000, 1, R | W | X | U | AD);
	fx_map(f, "sv39", s, 0x1000, 0x5000, 0, R | W | U | AD);
	set_s1_dc(f, s, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x212345), &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	assert_int_equal(rs.pa, 0x4012345);
	assert_int_equal(rs.size, 0x200000);
	assert_true(rs.ats.r && rs.ats.w && rs.ats.s);
	assert_false(rs.ats.x || rs.ats.u || rs.ats.n || rs.ats.cxl_io || rs.ats.g || rs.ats.priv);
	assert_int_equal(rs.ats.ama, 0);
	assert_int_equal(xl(f, ats(RVM_ACC_EXEC, 0x200000), &rs), 0);
	assert_true(rs.ats.r && rs.ats.x);
	assert_false(rs.ats.w);
	assert_int_equal(xl(f, ats(RVM_ACC_READ, 0x1000), &rs), 0);
	assert_true(rs.ats.r);
	assert_false(rs.ats.w || rs.ats.x || rs.ats.s);
	assert_int_equal(rs.size, 0x1000);
	expect_no_record(f);
	fx_destroy(f);
}

/* Denials are not faults: the granted subset comes back.  A write asked on
 * a read-only page sets A only (SADE=1).  An execute-only page gives
 * nothing (X needs R).  A U=0 page for a U-mode request gives R=W=0. */
static void test_denials(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t s = fx_pt_new(f, "sv39");
	uint64_t ro = fx_map(f, "sv39", s, 0x1000, 0x5000, 0, R | U);
	fx_map(f, "sv39", s, 0x2000, 0x6000, 0, X | U | AD);
	fx_map(f, "sv39", s, 0x3000, 0x7000, 0, R | W | AD); /* U=0 */
	set_s1_dc(f, s, RVI_DC_TC_SADE);
	struct rvm_resp rs;
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x1000), &rs), 0);
	assert_true(rs.ats.r);
	assert_false(rs.ats.w);
	assert_int_equal(rv_physmem_read64(f->mem, ro) & AD, RVI_PTE_A);
	assert_int_equal(xl(f, ats(RVM_ACC_EXEC, 0x2000), &rs), 0);
	assert_false(rs.ats.r || rs.ats.w || rs.ats.x);
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x3000), &rs), 0);
	assert_false(rs.ats.r || rs.ats.w);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	expect_no_record(f);
	fx_destroy(f);
}

/* Priv echoes the request's privilege (with a PASID); G is the PTE's G
 * only with a PASID; S-mode on a U page with SUM=0 gives R=W=0. */
static void test_priv_and_global(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x5000, 0, R | W | U | RVI_PTE_G | AD);
	fx_map(f, "sv39", s, 0x2000, 0x6000, 0, R | W | RVI_PTE_G | AD);
	uint64_t pdt = fx_alloc(f, 4096);
	rv_physmem_write64(f->mem, pdt + 16 * 9 + 8, atp(8, s));
	rv_physmem_write64(f->mem, pdt + 16 * 9, RVI_PC_TA_V | RVI_PC_TA_ENS);
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS | RVI_DC_TC_PDTV | RVI_DC_TC_DPE, 0, 0,
	                  atp(RVI_PDTP_PD8, pdt)};
	fx_set_dc(f, DID, dc);
	rv_physmem_write64(f->mem, pdt + 8, atp(8, s)); /* PC 0 for DPE */
	rv_physmem_write64(f->mem, pdt, RVI_PC_TA_V);
	struct rvm_resp rs;
	struct rvm_req rq = ats(RVM_ACC_READ, 0x1000);
	assert_int_equal(xl(f, rq, &rs), 0); /* no PASID: DPE -> PC 0 */
	assert_true(rs.ats.r);
	assert_false(rs.ats.g || rs.ats.priv);
	rq.pid_valid = true;
	rq.process_id = 9;
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_true(rs.ats.g && rs.ats.r);
	assert_false(rs.ats.priv);
	rq.priv = true; /* U page, SUM=0 */
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_true(rs.ats.priv);
	assert_false(rs.ats.r || rs.ats.w);
	rq.iova = 0x2000; /* S page */
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_true(rs.ats.priv && rs.ats.r && rs.ats.g);
	expect_no_record(f);
	fx_destroy(f);
}

/* Causes answered Success with R=W=0 and never recorded: page faults
 * (13/15), guest-page faults (21), 262, 266. */
static void test_success_causes_not_recorded(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t s = fx_pt_new(f, "sv39");
	set_s1_dc(f, s, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x1000), &rs), RVI_CAUSE_WR_PAGE);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	assert_false(rs.ats.r || rs.ats.w || rs.fault_recorded);
	assert_int_equal(xl(f, ats(RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_PAGE);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	expect_no_record(f);
	fx_destroy(f);

	/* G-stage, MSI V=0, PDT V=0 */
	f = setup();
	uint64_t g = fx_pt_new(f, "sv39x4");
	uint64_t msipt = fx_alloc(f, 4096), pdt = fx_alloc(f, 4096);
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS, atp(8, g), 0,      0,
	                  atp(RVI_MSIPTP_FLAT, msipt),    0,         0x30000};
	fx_set_dc(f, DID, dc);
	assert_int_equal(xl(f, ats(RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_GUEST_PAGE);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x30000000), &rs), RVI_CAUSE_MSI_PTE_INVALID);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	expect_no_record(f);
	rv_physmem_write64(f->mem, msipt, RVI_MSIPTE_V); /* M=0: 263, CA, recorded */
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x30000000), &rs),
	                 RVI_CAUSE_MSI_PTE_MISCONFIGURED);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, 263, 0x30000000);
	uint64_t dc2[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS | RVI_DC_TC_PDTV, 0, 0,
	                   atp(RVI_PDTP_PD8, pdt)};
	fx_set_dc(f, DID + 1, dc2);
	struct rvm_req rq = ats(RVM_ACC_READ, 0x1000);
	rq.device_id = DID + 1;
	rq.pid_valid = true;
	rq.process_id = 3;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_PDT_INVALID);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	expect_no_record(f);
	rv_physmem_mark(f->mem, pdt, 4096, RVM_MEM_ACCESS_FAULT); /* 265: CA, recorded */
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_PDT_LOAD_FAULT);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, 265, 0x1000);
	fx_destroy(f);
}

/* UR: EN_ATS=0 (260) and a misconfigured DC (259), both recorded; CA for
 * a page-table access fault (5), recorded. */
static void test_ur_and_ca(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x5000, 0, R | U | AD);
	uint64_t leaf = fx_pte_addr(f, "sv39", s, 0x1000, 0);
	uint64_t dc[8] = {RVI_DC_TC_V, 0, 0, atp(8, s)};
	fx_set_dc(f, DID, dc);
	dc[RVI_DC_TC] = RVI_DC_TC_V | RVI_DC_TC_EN_PRI; /* 259: PRI without ATS */
	fx_set_dc(f, DID + 1, dc);
	struct rvm_resp rs;
	assert_int_equal(xl(f, ats(RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	expect_record(f, 260, 0x1000);
	struct rvm_req rq = ats(RVM_ACC_READ, 0x1000);
	rq.device_id = DID + 1;
	assert_int_equal(xl(f, rq, &rs), RVI_CAUSE_DDT_MISCONFIGURED);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), 259);
	set_s1_dc(f, s, 0);
	fx_cmd(f, RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IODIR), 0);
	assert_true(fx_fence(f));
	rv_physmem_mark(f->mem, leaf, 8, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(f, ats(RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_ACCESS);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, 5, 0x1000);
	fx_destroy(f);
}

/* MSI: a basic-mode PTE returns the SPA with R/W (X never); an MRIF-mode
 * PTE returns Success with U=1, R/W, 4 KiB.  T2GPA returns the GPA. */
static void test_msi_and_t2gpa(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t g = fx_pt_new(f, "sv39x4");
	uint64_t msipt = fx_alloc(f, 4096);
	fx_map(f, "sv39x4", g, 0x200000, 0x800000, 1, R | W | X | U | AD);
	rv_physmem_write64(f->mem, msipt,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, 3) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_PPN, 0x321));
	rv_physmem_write64(f->mem, msipt + 16,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, 1) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_MRIF_ADDR, 0x100000 >> 9));
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_EN_ATS, atp(8, g), 0,      0,
	                  atp(RVI_MSIPTP_FLAT, msipt),    1,         0x30000};
	fx_set_dc(f, DID, dc);
	struct rvm_resp rs;
	assert_int_equal(xl(f, ats(RVM_ACC_EXEC, 0x30000010), &rs), 0);
	assert_int_equal(rs.pa, 0x321010);
	assert_true(rs.ats.r && !rs.ats.x && !rs.ats.u && !rs.ats.g);
	assert_int_equal(xl(f, ats(RVM_ACC_WRITE, 0x30001000), &rs), 0);
	assert_true(rs.ats.u && rs.ats.r && rs.ats.w);
	assert_false(rs.ats.s);
	assert_int_equal(rs.size, 0x1000);
	/* T2GPA: the GPA comes back (the G-stage still grants the rights) */
	dc[RVI_DC_TC] |= RVI_DC_TC_T2GPA;
	fx_set_dc(f, DID + 1, dc);
	struct rvm_req rq = ats(RVM_ACC_WRITE, 0x212345);
	rq.device_id = DID + 1;
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_int_equal(rs.pa, 0x212345);
	assert_true(rs.ats.r && rs.ats.w);
	/* and a Translated request then goes through the G-stage (step 9) */
	rq.type = RVM_TT_TRANSLATED;
	assert_int_equal(xl(f, rq, &rs), 0);
	assert_int_equal(rs.pa, 0x812345);
	expect_no_record(f);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_denials),
	    cmocka_unit_test(test_priv_and_global),
	    cmocka_unit_test(test_success_causes_not_recorded),
	    cmocka_unit_test(test_ur_and_ca),
	    cmocka_unit_test(test_msi_and_t2gpa),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
