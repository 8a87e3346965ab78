/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_two_stage.c - G-stage and two-stage translation: every
 * x4 scheme and leaf level, the 16 KiB root's extra index bits, GPA width
 * checks, G-stage U=1, guest-page faults from the final and the implicit
 * accesses with their iotval2 bits (§4.2), G-stage access faults and poison
 * during a first-stage walk, implicit A/D stores (§2.6), PBMT resolution
 * across stages, the combined translation size, and fctl.BE G-stage tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

#define DID 9
#define GSCID 0x42
#define RW (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U)
#define RWX (RW | RVI_PTE_X)
#define AD (RVI_PTE_A | RVI_PTE_D)
#define GIB (UINT64_C(1) << 30)

static struct fx *setup(const struct rvm_config *cfg)
{
	struct fx *f = fx_create(cfg);
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_2LVL);
	return f;
}

static uint64_t atp(unsigned mode, uint64_t root)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, root >> 12);
}

static void set_dc(struct fx *f, uint64_t tc, unsigned gmode, uint64_t groot, unsigned smode,
                   uint64_t sroot)
{
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V | tc;
	dc[RVI_DC_IOHGATP] = atp(gmode, groot) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID);
	dc[RVI_DC_FSC] = atp(smode, sroot);
	fx_set_dc(f, DID, dc);
}

static int xl(struct fx *f, enum rvm_access acc, uint64_t iova, struct rvm_resp *rs)
{
	struct rvm_req rq = fx_req(DID, acc, iova);
	return rvm_translate(f->m, &rq, rs);
}

static void expect_ok(struct fx *f, enum rvm_access acc, uint64_t iova, uint64_t pa, uint64_t size)
{
	struct rvm_resp rs;
	assert_int_equal(xl(f, acc, iova, &rs), 0);
	assert_int_equal(rs.pa, pa);
	assert_int_equal(rs.size, size);
}

static void expect_fault(struct fx *f, enum rvm_access acc, uint64_t iova, unsigned cause,
                         uint64_t iotval2)
{
	static const unsigned ttyp[3] = {2, 3, 1};
	struct rvm_resp rs;
	uint64_t rec[4];
	assert_int_equal(xl(f, acc, iova, &rs), cause);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), ttyp[acc]);
	assert_int_equal(rec[2], iova);
	assert_int_equal(rec[3], iotval2);
	assert_false(fx_pop_fault(f, rec));
}

/* Sv39x4 alone: leaves of 4 KiB, 2 MiB, 1 GiB; GPA bits 40:39 index the
 * 2048-entry (16 KiB) root; GPA bit 41 and above give a guest-page fault
 * whose iotval2 is the GPA (bits 1:0 zero: not implicit). */
static void test_sv39x4_levels_and_width(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	fx_map(f, "sv39x4", g, 0x1000, 0x3000000, 0, RW | AD);
	fx_map(f, "sv39x4", g, 0x200000, 0x4000000, 1, RW | AD);
	fx_map(f, "sv39x4", g, UINT64_C(3) << 39, 2 * GIB, 2, RW | AD); /* root index 1536 */
	set_dc(f, 0, 8, g, 0, 0);
	for (int pass = 0; pass < 2; pass++) {
		expect_ok(f, RVM_ACC_READ, 0x1010, 0x3000010, 0x1000);
		expect_ok(f, RVM_ACC_WRITE, 0x212345, 0x4012345, 0x200000);
		expect_ok(f, RVM_ACC_READ, (UINT64_C(3) << 39) + 0x1234, 2 * GIB + 0x1234, GIB);
	}
	uint64_t wide = (UINT64_C(1) << 41) | 0x1000;
	expect_fault(f, RVM_ACC_READ, wide, RVI_CAUSE_RD_GUEST_PAGE, wide);
	expect_fault(f, RVM_ACC_WRITE, 0x5004, RVI_CAUSE_WR_GUEST_PAGE, 0x5004); /* not mapped */
	fx_destroy(f);
}

/* Sv48x4 and Sv57x4 top-level leaves (512 GiB and 256 TiB) and a G-stage
 * leaf with U=0, which every G-stage access must have (§2.5). */
static void test_sv48x4_sv57x4(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv48x4");
	fx_map(f, "sv48x4", g, UINT64_C(5) << 39, UINT64_C(1) << 39, 3, RW | AD);
	fx_map(f, "sv48x4", g, 0x1000, 0x2000, 0, RVI_PTE_R | RVI_PTE_W | AD); /* U=0 */
	set_dc(f, 0, 9, g, 0, 0);
	expect_ok(f, RVM_ACC_READ, (UINT64_C(5) << 39) + 0x4321, (UINT64_C(1) << 39) + 0x4321,
	          UINT64_C(1) << 39);
	expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_RD_GUEST_PAGE, 0x1000);
	expect_fault(f, RVM_ACC_READ, UINT64_C(1) << 50, RVI_CAUSE_RD_GUEST_PAGE,
	             UINT64_C(1) << 50);
	fx_destroy(f);

	f = setup(NULL);
	g = fx_pt_new(f, "sv57x4");
	fx_map(f, "sv57x4", g, UINT64_C(7) << 48, UINT64_C(1) << 48, 4, RW | AD);
	set_dc(f, 0, 10, g, 0, 0);
	expect_ok(f, RVM_ACC_READ, (UINT64_C(7) << 48) + 0x10, (UINT64_C(1) << 48) + 0x10,
	          UINT64_C(1) << 48);
	expect_fault(f, RVM_ACC_READ, UINT64_C(1) << 59, RVI_CAUSE_RD_GUEST_PAGE,
	             UINT64_C(1) << 59);
	fx_destroy(f);
}

/* Sv32x4 (fctl.GXL=1, caps.Sv32x4; SXL must be 1): 34-bit GPAs, 4-byte
 * PTEs, 16 KiB root indexed by GPA[33:22]; with Sv32 first stage. */
static void test_sv32x4(void **st)
{
	(void)st;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities |= RVI_CAP_SV32X4 | RVI_CAP_SV32;
	cfg.fctl = RVI_FCTL_GXL;
	struct fx *f = setup(&cfg);
	uint64_t g = fx_pt_new(f, "sv32x4");
	fx_map(f, "sv32x4", g, UINT64_C(0x300000000), 0x1400000, 1,
	       RW | AD); /* 4 MiB, root idx 3072 */
	fx_map(f, "sv32x4", g, 0x7000, 0x9000, 0, RW | AD);
	set_dc(f, RVI_DC_TC_SXL, 8, g, 0, 0);
	expect_ok(f, RVM_ACC_READ, UINT64_C(0x300123456), 0x1523456, 0x400000);
	expect_ok(f, RVM_ACC_WRITE, 0x7abc, 0x9abc, 0x1000);
	expect_fault(f, RVM_ACC_READ, UINT64_C(0x400000000), RVI_CAUSE_RD_GUEST_PAGE,
	             UINT64_C(0x400000000));
	fx_destroy(f);
}

/* Two stages: Sv39 over Sv39x4 with the first-stage tables at GPA = SPA
 * (a 1 GiB G-stage identity leaf).  The size is the smaller leaf. */
static void test_two_stage_sizes(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	fx_map(f, "sv39x4", g, 2 * GIB, 2 * GIB, 2, RW | AD);       /* tables */
	fx_map(f, "sv39x4", g, 0x10000000, 0x20000000, 1, RW | AD); /* 2 MiB */
	fx_map(f, "sv39x4", g, 4 * GIB, 8 * GIB, 2, RWX | AD);      /* 1 GiB */
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x10003000, 0, RW | AD);           /* 4K over 2M */
	fx_map(f, "sv39", s, GIB, 4 * GIB, 2, RWX | AD);                /* 1G over 1G */
	fx_map(f, "sv39", s, 0x400000, 4 * GIB + 0x200000, 1, RW | AD); /* 2M over 1G */
	set_dc(f, 0, 8, g, 8, s);
	for (int pass = 0; pass < 2; pass++) {
		expect_ok(f, RVM_ACC_READ, 0x1004, 0x20003004, 0x1000);
		expect_ok(f, RVM_ACC_EXEC, GIB + 0x12345, 8 * GIB + 0x12345, GIB);
		expect_ok(f, RVM_ACC_WRITE, 0x412345, 8 * GIB + 0x212345, 0x200000);
	}
	fx_destroy(f);
}

/* A first-stage table whose GPA the G-stage does not map: guest-page fault
 * of the ORIGINAL access type, iotval2 = GPA of the PTE, bit 0 = 1 (an
 * implicit access), bit 1 = 0 (a read) (§2.3 step 17, §4.2). */
static void test_implicit_guest_page_fault(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	uint64_t s_root_gpa = 0x40000000; /* not mapped in G */
	set_dc(f, 0, 8, g, 8, s_root_gpa);
	/* iova 0x80201000: vpn[2] = 2, PTE at root + 16 */
	expect_fault(f, RVM_ACC_READ, 0x80201000, RVI_CAUSE_RD_GUEST_PAGE, s_root_gpa + 16 + 1);
	expect_fault(f, RVM_ACC_WRITE, 0x80201000, RVI_CAUSE_WR_GUEST_PAGE, s_root_gpa + 16 + 1);
	expect_fault(f, RVM_ACC_EXEC, 0x80201000, RVI_CAUSE_INSN_GUEST_PAGE, s_root_gpa + 16 + 1);
	fx_destroy(f);
}

/* A G-stage PTE that can not be read while walking the first stage's
 * tables: access fault of the original type; poisoned: 274. */
static void test_gstage_access_fault_in_s1_walk(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	fx_map(f, "sv39x4", g, 2 * GIB, 2 * GIB, 2, RW | AD);
	uint64_t gpte = fx_pte_addr(f, "sv39x4", g, 2 * GIB, 2);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x10003000, 0, RW | AD);
	set_dc(f, 0, 8, g, 8, s);
	rv_physmem_mark(f->mem, gpte & ~UINT64_C(0xfff), 0x1000, RVM_MEM_ACCESS_FAULT);
	expect_fault(f, RVM_ACC_WRITE, 0x1000, RVI_CAUSE_WR_ACCESS, 0);
	expect_fault(f, RVM_ACC_EXEC, 0x1000, RVI_CAUSE_INSN_ACCESS, 0);
	rv_physmem_mark(f->mem, gpte & ~UINT64_C(0xfff), 0x1000, RVM_MEM_OK);
	rv_physmem_mark(f->mem, gpte & ~UINT64_C(0xfff), 0x1000, RVM_MEM_POISON);
	expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_PT_CORRUPTED, 0);
	fx_destroy(f);
}

/* §2.6: a first-stage A/D update is an implicit G-stage store.  The G-stage
 * page holding the first-stage leaf table is read-only: guest-page fault
 * with iotval2 bit 0 = 1 and bit 1 = 1.  Writable with D=0 and GADE=1:
 * the update succeeds and sets the G-stage D bit too. */
static void test_implicit_ad_store(void **st)
{
	(void)st;
	for (int writable = 0; writable < 2; writable++) {
		struct fx *f = setup(NULL);
		uint64_t g = fx_pt_new(f, "sv39x4");
		uint64_t s = fx_pt_new(f, "sv39");
		uint64_t leaf = fx_map(f, "sv39", s, 0x1000, 0x10003000, 0, RW); /* A=D=0 */
		uint64_t t1 = fx_pte_addr(f, "sv39", s, 0x1000, 1) & ~UINT64_C(0xfff);
		uint64_t t0 = leaf & ~UINT64_C(0xfff);
		fx_map(f, "sv39x4", g, s, s, 0, RW | AD);
		fx_map(f, "sv39x4", g, t1, t1, 0, RW | AD);
		uint64_t gl =
		    fx_map(f, "sv39x4", g, t0, t0, 0,
		           writable ? (RW | RVI_PTE_A) : (RVI_PTE_R | RVI_PTE_U | RVI_PTE_A));
		fx_map(f, "sv39x4", g, 0x10003000, 0x50003000, 0, RW | AD);
		set_dc(f, RVI_DC_TC_SADE | RVI_DC_TC_GADE, 8, g, 8, s);
		if (!writable) {
			expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_RD_GUEST_PAGE, leaf | 3);
			assert_int_equal(rv_physmem_read64(f->mem, leaf) & AD, 0);
		} else {
			expect_ok(f, RVM_ACC_WRITE, 0x1000, 0x50003000, 0x1000);
			assert_int_equal(rv_physmem_read64(f->mem, leaf) & AD, AD);
			assert_int_equal(rv_physmem_read64(f->mem, gl) & RVI_PTE_D, RVI_PTE_D);
		}
		fx_destroy(f);
	}
}

/* GADE=0: a G-stage leaf with A=0 is a guest-page fault (§2.6). */
static void test_gade_off(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	fx_map(f, "sv39x4", g, 0x1000, 0x3000, 0, RW);
	fx_map(f, "sv39x4", g, 0x2000, 0x4000, 0, RW | RVI_PTE_A);
	set_dc(f, 0, 8, g, 0, 0);
	expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_RD_GUEST_PAGE, 0x1000);
	expect_ok(f, RVM_ACC_READ, 0x2000, 0x4000, 0x1000);
	expect_fault(f, RVM_ACC_WRITE, 0x2008, RVI_CAUSE_WR_GUEST_PAGE, 0x2008);
	fx_destroy(f);
}

/* Svpbmt across stages: PMA, overridden by a non-zero G-stage PBMT, then
 * by a non-zero first-stage PBMT. */
static void test_pbmt_resolution(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	fx_map(f, "sv39x4", g, 2 * GIB, 2 * GIB, 2, RW | AD);
	uint64_t nc = RVI_FIELD_PREP(RVI_PTE_PBMT, RVI_PBMT_NC),
	         io = RVI_FIELD_PREP(RVI_PTE_PBMT, RVI_PBMT_IO);
	fx_map(f, "sv39x4", g, 0x1000, 0x1000, 0, RW | AD | nc);
	fx_map(f, "sv39x4", g, 0x2000, 0x2000, 0, RW | AD);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x10000, 0x1000, 0, RW | AD);      /* G NC, S PMA -> NC */
	fx_map(f, "sv39", s, 0x11000, 0x1000, 0, RW | AD | io); /* G NC, S IO  -> IO */
	fx_map(f, "sv39", s, 0x12000, 0x2000, 0, RW | AD);      /* both 0     -> PMA */
	fx_map(f, "sv39", s, 0x13000, 0x2000, 0, RW | AD | nc); /* G 0, S NC  -> NC */
	set_dc(f, 0, 8, g, 8, s);
	static const uint8_t expect[4] = {RVI_PBMT_NC, RVI_PBMT_IO, RVI_PBMT_PMA, RVI_PBMT_NC};
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < 4; i++) {
			struct rvm_resp rs;
			assert_int_equal(xl(f, RVM_ACC_READ, 0x10000 + i * 0x1000, &rs), 0);
			assert_int_equal(rs.pbmt, expect[i]);
		}
	fx_destroy(f);
}

/* fctl.BE=1: DDT and G-stage tables are big-endian (§3.1); tc.SBE=1 must
 * follow for the first stage (here Bare).  All structures are byte-swapped
 * by the test. */
static void test_big_endian_gstage(void **st)
{
	(void)st;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_BE);
	assert_int_equal(fx_rd(f, RVI_REG_FCTL, 4) & RVI_FCTL_BE, RVI_FCTL_BE);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t g = fx_pt_new(f, "sv39x4");
	uint64_t va = 0x5000;
	fx_map(f, "sv39x4", g, va, 0x7777000, 0, RW | AD);
	for (unsigned l = 0; l < 3; l++) {
		uint64_t a = fx_pte_addr(f, "sv39x4", g, va, l);
		rv_physmem_write64(f->mem, a, __builtin_bswap64(rv_physmem_read64(f->mem, a)));
	}
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_SBE,
	                  atp(8, g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID)};
	uint64_t dcpa = fx_set_dc(f, DID, dc);
	for (unsigned i = 0; i < 8; i++)
		rv_physmem_write64(f->mem, dcpa + 8 * i, __builtin_bswap64(dc[i]));
	expect_ok(f, RVM_ACC_READ, va + 0x44, 0x7777044, 0x1000);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sv39x4_levels_and_width),
	    cmocka_unit_test(test_sv48x4_sv57x4),
	    cmocka_unit_test(test_sv32x4),
	    cmocka_unit_test(test_two_stage_sizes),
	    cmocka_unit_test(test_implicit_guest_page_fault),
	    cmocka_unit_test(test_gstage_access_fault_in_s1_walk),
	    cmocka_unit_test(test_implicit_ad_store),
	    cmocka_unit_test(test_gade_off),
	    cmocka_unit_test(test_pbmt_resolution),
	    cmocka_unit_test(test_big_endian_gstage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
