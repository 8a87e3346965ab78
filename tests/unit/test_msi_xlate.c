/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_msi_xlate.c - MSI address translation (§2.3 step 18,
 * §3.1.3.5, AIA §9.5): pattern/mask matching and the bit-extract index,
 * basic-translate hits, misses that go to the G-stage, every MSI PTE fault
 * (261/262/263/270), read-for-execute (cause 1), MRIF mode with the pending
 * bit set and the notice MSI sent (also with AMO_MRIF=0 and with the enable
 * bit clear), the discard and abort cases, MRIF faults (264/271), IOTLB
 * ranges that must not cover MSI pages, two-stage MSI, and the debug
 * interface's 260 for an MRIF hit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/translate.h"

#define DID 3
#define RW (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U)
#define AD (RVI_PTE_A | RVI_PTE_D)
#define PATTERN UINT64_C(0x28000) /* GPA 0x28000000 >> 12 */
#define MASK UINT64_C(0x7)        /* 8 interrupt files */
#define MSI_GPA(i) ((PATTERN | (i)) << 12)

struct env {
	struct fx *f;
	uint64_t g, msipt;
};

static uint64_t atp(unsigned mode, uint64_t pa)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, pa >> 12);
}

static struct env setup(const struct rvm_config *cfg, uint64_t mask, uint64_t fsc)
{
	struct env e;
	e.f = fx_create(cfg);
	fx_enable_queues(e.f, 6);
	fx_ddt_init(e.f, RVI_DDTP_MODE_1LVL);
	e.g = fx_pt_new(e.f, "sv39x4");
	e.msipt = fx_alloc(e.f, 4096);
	uint64_t dc[8] = {RVI_DC_TC_V,
	                  atp(8, e.g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, 7),
	                  0,
	                  fsc,
	                  atp(RVI_MSIPTP_FLAT, e.msipt),
	                  mask,
	                  PATTERN};
	fx_set_dc(e.f, DID, dc);
	return e;
}

static void set_basic(struct env *e, unsigned i, uint64_t ppn, uint64_t extra)
{
	rv_physmem_write64(e->f->mem, e->msipt + 16 * i,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_BASIC) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_PPN, ppn) | extra);
}

static void set_mrif(struct env *e, unsigned i, uint64_t mrif, uint64_t notice, uint32_t nid)
{
	rv_physmem_write64(e->f->mem, e->msipt + 16 * i,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_MRIF) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_MRIF_ADDR, mrif >> 9));
	rv_physmem_write64(e->f->mem, e->msipt + 16 * i + 8,
	                   RVI_FIELD_PREP(RVI_MSIPTE_NID_LO, nid & 0x3ff) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_NPPN, notice >> 12) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_NID_HI, nid >> 10));
}

static int xl(struct env *e, enum rvm_access acc, uint64_t iova, struct rvm_resp *rs)
{
	struct rvm_req rq = fx_req(DID, acc, iova);
	return rvm_translate(e->f->m, &rq, rs);
}

static int xl_data(struct env *e, uint64_t iova, uint64_t len, uint32_t data, struct rvm_resp *rs)
{
	struct rvm_req rq = fx_req(DID, RVM_ACC_WRITE, iova);
	rq.len = len;
	rq.has_data = true;
	rq.data = data;
	return rvm_translate(e->f->m, &rq, rs);
}

static void expect_record(struct fx *f, unsigned cause, uint64_t iotval)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(rec[2], iotval);
	assert_false(fx_pop_fault(f, rec));
}

/* Basic mode: the address is PPN << 12 | A[11:0], 4 KiB, R/W only. */
static void test_basic_hit(void **st)
{
	(void)st;
	struct env e = setup(NULL, MASK, 0);
	set_basic(&e, 5, 0x123456, 0);
	struct rvm_resp rs;
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(5) + 0x40, &rs), 0);
		assert_int_equal(rs.pa, UINT64_C(0x123456040));
		assert_int_equal(rs.size, 0x1000);
		assert_true(rs.is_msi);
		assert_int_equal(rs.perm, RVM_PERM_R | RVM_PERM_W);
	}
	assert_int_equal(xl(&e, RVM_ACC_READ, MSI_GPA(5), &rs), 0);
	/* read-for-execute of an MSI page: instruction access fault */
	assert_int_equal(xl(&e, RVM_ACC_EXEC, MSI_GPA(5), &rs), RVI_CAUSE_INSN_ACCESS);
	expect_record(e.f, 1, MSI_GPA(5));
	fx_destroy(e.f);
}

/* I = extract(A >> 12, mask): with mask 1010b the page bits 3 and 1 form
 * I, so page PATTERN|1000b is file 2, and a page differing from the pattern
 * in an unmasked bit is no MSI (it goes to the G-stage). */
static void test_extract_and_miss(void **st)
{
	(void)st;
	struct env e = setup(NULL, 0xa, 0);
	set_basic(&e, 2, 0x555, 0);
	fx_map(e.f, "sv39x4", e.g, MSI_GPA(1), 0x777000, 0, RW | AD);
	struct rvm_resp rs;
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(8), &rs), 0);
	assert_int_equal(rs.pa, 0x555000);
	assert_true(rs.is_msi);
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(1), &rs), 0); /* bit 0 not masked */
	assert_int_equal(rs.pa, 0x777000);
	assert_false(rs.is_msi);
	fx_destroy(e.f);
}

/* MSI PTE faults: 261 load fault, 270 poison, 262 V=0, 263 for C=1,
 * reserved bits, and the reserved modes 0 and 2. */
static void test_msi_pte_faults(void **st)
{
	(void)st;
	struct env e = setup(NULL, MASK, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(0), &rs), RVI_CAUSE_MSI_PTE_INVALID);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(e.f, 262, MSI_GPA(0));
	set_basic(&e, 1, 0x10, RVI_MSIPTE_C);
	set_basic(&e, 2, 0x10, RVI_BIT(3));
	set_basic(&e, 3, 0x10, RVI_BIT(54));
	rv_physmem_write64(e.f->mem, e.msipt + 16 * 4, RVI_MSIPTE_V);                      /* M=0 */
	rv_physmem_write64(e.f->mem, e.msipt + 16 * 5, RVI_MSIPTE_V | (UINT64_C(2) << 1)); /* M=2 */
	for (unsigned i = 1; i <= 5; i++) {
		assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(i), &rs),
		                 RVI_CAUSE_MSI_PTE_MISCONFIGURED);
		expect_record(e.f, 263, MSI_GPA(i));
	}
	rv_physmem_mark(e.f->mem, e.msipt + 16 * 6, 16, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(6), &rs), RVI_CAUSE_MSI_PT_LOAD_FAULT);
	expect_record(e.f, 261, MSI_GPA(6));
	rv_physmem_mark(e.f->mem, e.msipt + 16 * 7, 16, RVM_MEM_POISON);
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(7), &rs), RVI_CAUSE_MSI_PT_CORRUPTED);
	expect_record(e.f, 270, MSI_GPA(7));
	fx_destroy(e.f);
}

/* MRIF: identity D's pending bit (bit D%64 of the doubleword at
 * MRIF + (D/64)*16) is set, then NID goes to NPPN << 12 as an MSI, even
 * with the enable bit 0.  Identity 0 is valid too. */
static void test_mrif_set_and_notice(void **st)
{
	(void)st;
	for (int amo = 0; amo < 2; amo++) {
		struct rvm_config c;
		rvm_config_default(&c);
		if (!amo)
			c.capabilities &= ~RVI_CAP_AMO_MRIF;
		struct env e = setup(&c, MASK, 0);
		uint64_t mrif = fx_alloc(e.f, 4096) + 512, notice = fx_alloc(e.f, 4096);
		set_mrif(&e, 3, mrif, notice, 0x5a5);       /* NID[10] = 1 */
		rv_physmem_write64(e.f->mem, mrif + 16, 1); /* identity 64 already pending */
		struct rvm_resp rs;
		assert_int_equal(xl_data(&e, MSI_GPA(3), 4, 70, &rs), 0);
		assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
		assert_true(rs.is_mrif);
		assert_int_equal(rv_physmem_read64(e.f->mem, mrif + 16), 1 | (UINT64_C(1) << 6));
		assert_int_equal(e.f->n_msis, 1);
		assert_int_equal(e.f->msis[0].addr, notice);
		assert_int_equal(e.f->msis[0].data, 0x5a5);
		assert_int_equal(xl_data(&e, MSI_GPA(3), 4, 0, &rs), 0);
		assert_int_equal(rv_physmem_read64(e.f->mem, mrif), 1);
		assert_int_equal(e.f->n_msis, 2);
		/* the highest identity, 2047: DW 31*16, bit 63 */
		assert_int_equal(xl_data(&e, MSI_GPA(3), 4, 2047, &rs), 0);
		assert_int_equal(rv_physmem_read64(e.f->mem, mrif + 31 * 16), UINT64_C(1) << 63);
		fx_destroy(e.f);
	}
}

/* Accepted and discarded: A[11:3] != 0, D >= 2048, a BE MSI (A[2]=1)
 * without BE support.  With BE support D is read big-endian.  Not a 4-byte
 * aligned write: aborted (UR) with no record.  A read returns Success. */
static void test_mrif_discard_and_abort(void **st)
{
	(void)st;
	struct rvm_config c;
	rvm_config_default(&c);
	c.msi_be = false;
	struct env e = setup(&c, MASK, 0);
	uint64_t mrif = fx_alloc(e.f, 4096), notice = fx_alloc(e.f, 4096);
	set_mrif(&e, 1, mrif, notice, 9);
	struct rvm_resp rs;
	assert_int_equal(xl_data(&e, MSI_GPA(1) + 8, 4, 5, &rs), 0);
	assert_int_equal(xl_data(&e, MSI_GPA(1), 4, 2048, &rs), 0);
	assert_int_equal(xl_data(&e, MSI_GPA(1) + 4, 4, __builtin_bswap32(5), &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	assert_int_equal(xl_data(&e, MSI_GPA(1), 2, 5, &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	assert_int_equal(xl_data(&e, MSI_GPA(1) + 2, 4, 5, &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_UR);
	assert_int_equal(xl(&e, RVM_ACC_READ, MSI_GPA(1), &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	for (unsigned k = 0; k < 32; k++)
		assert_int_equal(rv_physmem_read64(e.f->mem, mrif + 16 * k), 0);
	assert_int_equal(e.f->n_msis, 0);
	uint64_t rec[4];
	assert_false(fx_pop_fault(e.f, rec));
	fx_destroy(e.f);

	rvm_config_default(&c); /* msi_be = true */
	e = setup(&c, MASK, 0);
	mrif = fx_alloc(e.f, 4096);
	set_mrif(&e, 1, mrif, notice, 9);
	assert_int_equal(xl_data(&e, MSI_GPA(1) + 4, 4, __builtin_bswap32(5), &rs), 0);
	assert_int_equal(rv_physmem_read64(e.f->mem, mrif), UINT64_C(1) << 5);
	assert_int_equal(e.f->n_msis, 1);
	fx_destroy(e.f);
}

/* MRIF faults: 264 access fault, 271 poison; MRIF mode without
 * caps.MSI_MRIF and MRIF reserved bits: 263; exec: cause 1. */
static void test_mrif_faults(void **st)
{
	(void)st;
	struct env e = setup(NULL, MASK, 0);
	uint64_t mrif = fx_alloc(e.f, 4096), notice = fx_alloc(e.f, 4096);
	set_mrif(&e, 1, mrif, notice, 1);
	set_mrif(&e, 2, mrif + 512, notice, 1);
	set_mrif(&e, 3, mrif, notice, 1);
	rv_physmem_write64(e.f->mem, e.msipt + 16 * 3 + 8,
	                   rv_physmem_read64(e.f->mem, e.msipt + 16 * 3 + 8) | RVI_BIT(61));
	rv_physmem_mark(e.f->mem, mrif, 512, RVM_MEM_ACCESS_FAULT);
	rv_physmem_mark(e.f->mem, mrif + 512, 512, RVM_MEM_POISON);
	struct rvm_resp rs;
	assert_int_equal(xl_data(&e, MSI_GPA(1), 4, 3, &rs), RVI_CAUSE_MRIF_ACCESS_FAULT);
	expect_record(e.f, 264, MSI_GPA(1));
	assert_int_equal(xl_data(&e, MSI_GPA(2), 4, 3, &rs), RVI_CAUSE_MRIF_CORRUPTED);
	expect_record(e.f, 271, MSI_GPA(2));
	assert_int_equal(xl_data(&e, MSI_GPA(3), 4, 3, &rs), RVI_CAUSE_MSI_PTE_MISCONFIGURED);
	expect_record(e.f, 263, MSI_GPA(3));
	assert_int_equal(xl(&e, RVM_ACC_EXEC, MSI_GPA(1), &rs), RVI_CAUSE_INSN_ACCESS);
	expect_record(e.f, 1, MSI_GPA(1));
	assert_int_equal(e.f->n_msis, 0);
	fx_destroy(e.f);

	struct rvm_config c;
	rvm_config_default(&c);
	c.capabilities &= ~(RVI_CAP_MSI_MRIF | RVI_CAP_AMO_MRIF);
	e = setup(&c, MASK, 0);
	set_mrif(&e, 1, 0x100000, 0x200000, 1);
	assert_int_equal(xl_data(&e, MSI_GPA(1), 4, 3, &rs), RVI_CAUSE_MSI_PTE_MISCONFIGURED);
	fx_destroy(e.f);
}

/* A G-stage 1 GiB leaf over [0, 1 GiB) holds the MSI pages at
 * 0x28000000..0x28007fff: a translation of 0x1000 may only cover the
 * largest aligned block excluding them, [0, 512 MiB); and the MSI page is
 * still translated through the MSI table afterwards. */
static void test_range_excludes_msi_pages(void **st)
{
	(void)st;
	struct env e = setup(NULL, MASK, 0);
	fx_map(e.f, "sv39x4", e.g, 0, 0, 2, RW | AD);
	set_basic(&e, 0, 0x999, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(&e, RVM_ACC_READ, 0x1000, &rs), 0);
	assert_int_equal(rs.size, UINT64_C(1) << 29);
	assert_int_equal(xl(&e, RVM_ACC_READ, 0x20001000, &rs), 0); /* [0x20000000, +128M) */
	assert_int_equal(rs.size, UINT64_C(1) << 27);
	assert_int_equal(xl(&e, RVM_ACC_WRITE, MSI_GPA(0), &rs), 0);
	assert_true(rs.is_msi);
	assert_int_equal(rs.pa, 0x999000);
	fx_destroy(e.f);
}

/* Two stages: the first stage produces the MSI GPA (step 18 after 17). */
static void test_two_stage_msi(void **st)
{
	(void)st;
	struct rvm_config c;
	rvm_config_default(&c);
	struct env e = setup(&c, MASK, 0);
	uint64_t s = fx_pt_new(e.f, "sv39");
	fx_map(e.f, "sv39", s, 0x4000, MSI_GPA(6), 0, RW | AD);
	fx_map(e.f, "sv39x4", e.g, UINT64_C(0x80000000), UINT64_C(0x80000000), 2, RW | AD);
	uint64_t dc[8] = {RVI_DC_TC_V,
	                  atp(8, e.g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, 7),
	                  0,
	                  atp(8, s),
	                  atp(RVI_MSIPTP_FLAT, e.msipt),
	                  MASK,
	                  PATTERN};
	fx_set_dc(e.f, DID, dc);
	set_basic(&e, 6, 0xabc, 0);
	struct rvm_resp rs;
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(xl(&e, RVM_ACC_WRITE, 0x4008, &rs), 0);
		assert_int_equal(rs.pa, 0xabc008);
		assert_true(rs.is_msi);
	}
	fx_destroy(e.f);
}

/* Debug interface: an MRIF-mode hit is 260 (§5.24). */
static void test_dbg_mrif_260(void **st)
{
	(void)st;
	struct env e = setup(NULL, MASK, 0);
	set_mrif(&e, 2, 0x100000, 0x200000, 1);
	set_basic(&e, 3, 0x42, 0);
	struct rvm_req rq = fx_req(DID, RVM_ACC_WRITE, MSI_GPA(2));
	struct rvm_resp rs;
	pthread_mutex_lock(&e.f->m->lock);
	int c1 = rvm_translate_dbg(e.f->m, &rq, &rs);
	rq.iova = MSI_GPA(3);
	int c2 = rvm_translate_dbg(e.f->m, &rq, &rs);
	pthread_mutex_unlock(&e.f->m->lock);
	assert_int_equal(c1, RVI_CAUSE_TTYPE_DISALLOWED);
	assert_int_equal(c2, 0);
	assert_int_equal(rs.pa, 0x42000);
	expect_record(e.f, 260, MSI_GPA(2));
	fx_destroy(e.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_hit),
	    cmocka_unit_test(test_extract_and_miss),
	    cmocka_unit_test(test_msi_pte_faults),
	    cmocka_unit_test(test_mrif_set_and_notice),
	    cmocka_unit_test(test_mrif_discard_and_abort),
	    cmocka_unit_test(test_mrif_faults),
	    cmocka_unit_test(test_range_excludes_msi_pages),
	    cmocka_unit_test(test_two_stage_msi),
	    cmocka_unit_test(test_dbg_mrif_260),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
