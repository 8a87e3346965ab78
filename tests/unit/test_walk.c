/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_walk.c - first-stage page walks (G-stage Bare): every
 * first-stage scheme and leaf level, Svnapot, Svpbmt, Svrsw60t59b, every
 * PTE check of §2.5 / [Priv], permissions, A/D updates (§2.6), PT access
 * faults and poison, and big-endian first-stage tables (tc.SBE).
 *
 * Tables are built with the fixture (an independent transcription of the
 * formats); expected addresses, sizes and causes are derived from the spec
 * in each test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

#define DID 5
#define MODE_SV39 8
#define MODE_SV48 9
#define MODE_SV57 10
/* Requests without a process_id are U-mode (§2.3), so leaves need U=1. */
#define RWX (RVI_PTE_R | RVI_PTE_W | RVI_PTE_X | RVI_PTE_U)
#define RW (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U)
#define AD (RVI_PTE_A | RVI_PTE_D)

static struct fx *setup(const struct rvm_config *cfg)
{
	struct fx *f = fx_create(cfg);
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_3LVL);
	return f;
}

/* A DC with only a first stage: iosatp = mode/root, tc = V | extra. */
static void set_s1_dc(struct fx *f, unsigned mode, uint64_t root, uint64_t tc_extra)
{
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V | tc_extra;
	dc[RVI_DC_FSC] =
	    RVI_FIELD_PREP(RVI_FSC_MODE, mode) | RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12);
	fx_set_dc(f, DID, dc);
}

static int xl(struct fx *f, enum rvm_access acc, uint64_t iova, struct rvm_resp *rs)
{
	struct rvm_req rq = fx_req(DID, acc, iova);
	return rvm_translate(f->m, &rq, rs);
}

/* The one fault record expected: cause, TTYP, iotval. */
static void expect_record(struct fx *f, unsigned cause, unsigned ttyp, uint64_t iotval)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), ttyp);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), DID);
	assert_int_equal(rec[2], iotval);
	assert_false(fx_pop_fault(f, rec));
}

static void expect_ok(struct fx *f, enum rvm_access acc, uint64_t iova, uint64_t pa, uint64_t size)
{
	struct rvm_resp rs;
	assert_int_equal(xl(f, acc, iova, &rs), 0);
	assert_int_equal(rs.status, RVM_STATUS_SUCCESS);
	assert_int_equal(rs.pa, pa);
	assert_int_equal(rs.size, size);
}

static void expect_fault(struct fx *f, enum rvm_access acc, uint64_t iova, unsigned cause)
{
	struct rvm_resp rs;
	static const unsigned ttyp[3] = {2, 3, 1};
	assert_int_equal(xl(f, acc, iova, &rs), cause);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, cause, ttyp[acc], iova);
}

/* Sv39: a leaf at each level i maps 2^(12+9i) bytes (4 KiB, 2 MiB, 1 GiB);
 * the offset within the leaf comes from the IOVA. */
static void test_sv39_every_level(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x7654000, 0, RW | AD);
	fx_map(f, "sv39", root, 0x40200000, 0x12400000, 1, RW | AD);
	fx_map(f, "sv39", root, 0x80000000, 0x1c0000000, 2, RW | AD);
	set_s1_dc(f, MODE_SV39, root, 0);
	for (int pass = 0; pass < 2; pass++) { /* second pass hits the IOTLB */
		expect_ok(f, RVM_ACC_READ, 0x1abc, 0x7654abc, 0x1000);
		expect_ok(f, RVM_ACC_WRITE, 0x40212345, 0x12412345, 0x200000);
		expect_ok(f, RVM_ACC_READ, 0x80123456, 0x1c0123456, 0x40000000);
	}
	fx_destroy(f);
}

/* Sv48 level-3 leaf = 512 GiB; Sv57 level-4 leaf = 256 TiB. */
static void test_sv48_sv57_top_levels(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t r48 = fx_pt_new(f, "sv48");
	fx_map(f, "sv48", r48, UINT64_C(0x8000000000), UINT64_C(0x10000000000), 3, RW | AD);
	fx_map(f, "sv48", r48, 0x3000, 0x9000, 0, RW | AD);
	set_s1_dc(f, MODE_SV48, r48, 0);
	expect_ok(f, RVM_ACC_READ, UINT64_C(0x8012345678), UINT64_C(0x10012345678),
	          UINT64_C(1) << 39);
	expect_ok(f, RVM_ACC_READ, 0x3010, 0x9010, 0x1000);

	fx_destroy(f);

	f = setup(NULL);
	uint64_t r57 = fx_pt_new(f, "sv57");
	fx_map(f, "sv57", r57, UINT64_C(1) << 48, UINT64_C(1) << 48, 4, RW | AD);
	fx_map(f, "sv57", r57, 0x5000, 0xa000, 0, RW | AD);
	set_s1_dc(f, MODE_SV57, r57, 0);
	expect_ok(f, RVM_ACC_READ, (UINT64_C(1) << 48) + 0x1234, (UINT64_C(1) << 48) + 0x1234,
	          UINT64_C(1) << 48);
	expect_ok(f, RVM_ACC_READ, 0x5008, 0xa008, 0x1000);
	fx_destroy(f);
}

/* Sv32 (SXL=1, caps.Sv32): 4-byte PTEs, 4 MiB superpages, 34-bit PAs,
 * and IOVA bits above 31 give a page fault (§2.2). */
static void test_sv32(void **st)
{
	(void)st;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities |= RVI_CAP_SV32;
	cfg.sxl_writable = true;
	struct fx *f = setup(&cfg);
	uint64_t root = fx_pt_new(f, "sv32");
	fx_map(f, "sv32", root, 0x00401000, UINT64_C(0x300002000), 0, RW | AD);
	fx_map(f, "sv32", root, 0x00800000, UINT64_C(0x2c00000), 1, RW | AD);
	set_s1_dc(f, MODE_SV39 /* 8 = Sv32 under SXL=1 */, root, RVI_DC_TC_SXL);
	expect_ok(f, RVM_ACC_READ, 0x00401abc, UINT64_C(0x300002abc), 0x1000);
	expect_ok(f, RVM_ACC_WRITE, 0x00812345, UINT64_C(0x2c12345), 0x400000);
	expect_fault(f, RVM_ACC_READ, UINT64_C(0x100401000), RVI_CAUSE_RD_PAGE);
	fx_destroy(f);
}

/* Svnapot: N=1 at level 0 with ppn[3:0]=1000b is a 64 KiB page whose
 * PPN[3:0] come from IOVA[15:12]; any other N=1 use is a page fault. */
static void test_napot(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	/* 64 KiB page at IOVA 0x120000 -> PA 0x5430000: PPN = 0x5438 */
	for (uint64_t i = 0; i < 16; i++)
		fx_map(f, "sv39", root, 0x120000 + i * 0x1000, 0x5438000, 0, RW | AD | RVI_PTE_N);
	fx_map(f, "sv39", root, 0x200000, 0x5434000, 0, RW | AD | RVI_PTE_N);    /* ppn[3:0]=0100 */
	fx_map(f, "sv39", root, 0x40000000, 0x80000000, 1, RW | AD | RVI_PTE_N); /* level 1 */
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_ok(f, RVM_ACC_READ, 0x12b123, 0x543b123, 0x10000);
	expect_fault(f, RVM_ACC_READ, 0x200000, RVI_CAUSE_RD_PAGE);
	expect_fault(f, RVM_ACC_READ, 0x40000000, RVI_CAUSE_RD_PAGE);
	fx_destroy(f);
}

/* The PTE checks of §2.5, each alone. */
static void test_pte_checks(void **st)
{
	(void)st;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities &= ~RVI_CAP_SVRSW60T59B;
	struct fx *f = setup(&cfg);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t ok = 0x1000000;
	fx_map(f, "sv39", root, 0x1000, ok, 0, RW | AD);
	/* V=0 */
	uint64_t a = fx_map(f, "sv39", root, 0x2000, ok, 0, RW | AD);
	rv_physmem_write64(f->mem, a, rv_physmem_read64(f->mem, a) & ~RVI_PTE_V);
	fx_map(f, "sv39", root, 0x3000, ok, 0, RVI_PTE_W | AD);             /* R=0 W=1 */
	fx_map(f, "sv39", root, 0x4000, ok, 0, RVI_PTE_W | RVI_PTE_X | AD); /* xwr=110 */
	fx_map(f, "sv39", root, 0x5000, ok, 0, RW | AD | RVI_BIT(54));      /* reserved */
	fx_map(f, "sv39", root, 0x6000, ok, 0, RW | AD | RVI_BIT(59));      /* no Svrsw60t59b */
	fx_map(f, "sv39", root, 0x7000, ok, 0, RW | AD | RVI_FIELD_PREP(RVI_PTE_PBMT, 3));
	fx_map(f, "sv39", root, 0x8000, ok, 0, 0);                  /* level 0 non-leaf */
	fx_map(f, "sv39", root, 0x40200000, 0x1201000, 1, RW | AD); /* misaligned 2M */
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_ok(f, RVM_ACC_READ, 0x1000, ok, 0x1000);
	for (uint64_t va = 0x2000; va <= 0x8000; va += 0x1000)
		expect_fault(f, RVM_ACC_READ, va, RVI_CAUSE_RD_PAGE);
	expect_fault(f, RVM_ACC_WRITE, 0x40200000, RVI_CAUSE_WR_PAGE);
	fx_destroy(f);
}

/* Non-leaf PTEs with D, A, U, PBMT or N set are page faults ([Priv]). */
static void test_nonleaf_reserved(void **st)
{
	(void)st;
	const uint64_t bits[] = {RVI_PTE_D, RVI_PTE_A, RVI_PTE_U, RVI_FIELD_PREP(RVI_PTE_PBMT, 1),
	                         RVI_PTE_N};
	for (unsigned i = 0; i < 5; i++) {
		struct fx *f = setup(NULL);
		uint64_t root = fx_pt_new(f, "sv39");
		fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RW | AD);
		uint64_t nl = fx_pte_addr(f, "sv39", root, 0x1000, 1);
		rv_physmem_write64(f->mem, nl, rv_physmem_read64(f->mem, nl) | bits[i]);
		set_s1_dc(f, MODE_SV39, root, 0);
		expect_fault(f, RVM_ACC_EXEC, 0x1000, RVI_CAUSE_INSN_PAGE);
		fx_destroy(f);
	}
}

/* Svrsw60t59b: bits 60:59 are ignored; Svpbmt: the leaf's PBMT is the
 * resolved type with G-stage Bare; PBMT without caps.Svpbmt faults. */
static void test_rsw_and_pbmt(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RW | AD | RVI_PTE_RSW60T59B);
	fx_map(f, "sv39", root, 0x2000, 0x2000000, 0,
	       RW | AD | RVI_FIELD_PREP(RVI_PTE_PBMT, RVI_PBMT_IO));
	fx_map(f, "sv39", root, 0x3000, 0x3000000, 0, RW | AD | RVI_BIT(58));
	set_s1_dc(f, MODE_SV39, root, 0);
	struct rvm_resp rs;
	expect_ok(f, RVM_ACC_READ, 0x1000, 0x1000000, 0x1000);
	assert_int_equal(xl(f, RVM_ACC_READ, 0x2000, &rs), 0);
	assert_int_equal(rs.pbmt, RVI_PBMT_IO);
	expect_fault(f, RVM_ACC_READ, 0x3000, RVI_CAUSE_RD_PAGE); /* 58:54 still reserved */
	fx_destroy(f);

	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities &= ~RVI_CAP_SVPBMT;
	f = setup(&cfg);
	root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x2000, 0x2000000, 0,
	       RW | AD | RVI_FIELD_PREP(RVI_PTE_PBMT, RVI_PBMT_NC));
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_fault(f, RVM_ACC_READ, 0x2000, RVI_CAUSE_RD_PAGE);
	fx_destroy(f);
}

/* Permissions for a U-mode request: R for reads, W for writes, X for
 * read-for-execute, and U=1 always; no MXR (X alone does not give R). */
static void test_permissions_user(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RVI_PTE_R | RVI_PTE_U | AD);
	fx_map(f, "sv39", root, 0x2000, 0x2000000, 0, RVI_PTE_X | RVI_PTE_U | AD);
	fx_map(f, "sv39", root, 0x3000, 0x3000000, 0,
	       RVI_PTE_R | RVI_PTE_W | RVI_PTE_X | AD); /* U=0 */
	fx_map(f, "sv39", root, 0x4000, 0x4000000, 0, RWX | AD);
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_ok(f, RVM_ACC_READ, 0x1000, 0x1000000, 0x1000);
	expect_fault(f, RVM_ACC_WRITE, 0x1000, RVI_CAUSE_WR_PAGE);
	expect_fault(f, RVM_ACC_EXEC, 0x1000, RVI_CAUSE_INSN_PAGE);
	expect_ok(f, RVM_ACC_EXEC, 0x2000, 0x2000000, 0x1000);
	expect_fault(f, RVM_ACC_READ, 0x2000, RVI_CAUSE_RD_PAGE); /* no MXR */
	expect_fault(f, RVM_ACC_READ, 0x3000, RVI_CAUSE_RD_PAGE);
	expect_ok(f, RVM_ACC_WRITE, 0x4000, 0x4000000, 0x1000);
	/* A cached read-only entry must not satisfy a later write. */
	expect_fault(f, RVM_ACC_WRITE, 0x1000, RVI_CAUSE_WR_PAGE);
	fx_destroy(f);
}

/* Sv39 IOVAs must be sign-extended from bit 38 ([Priv] canonical form). */
static void test_canonical(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t hi = UINT64_C(0xffffffc000001000); /* vpn[2] = 256 */
	fx_map(f, "sv39", root, hi, 0x1000000, 0, RW | AD);
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_ok(f, RVM_ACC_READ, hi, 0x1000000, 0x1000);
	expect_fault(f, RVM_ACC_READ, UINT64_C(0x0000004000001000), RVI_CAUSE_RD_PAGE);
	expect_fault(f, RVM_ACC_READ, UINT64_C(0x7fffffc000001000), RVI_CAUSE_RD_PAGE);
	fx_destroy(f);
}

/* §2.6: with SADE=0 a leaf needing an A or D update is a page fault; with
 * SADE=1 the IOMMU sets A (and D only for a store to a writable page). */
static void test_ad_updates(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t p1 = fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RW);
	uint64_t p2 = fx_map(f, "sv39", root, 0x2000, 0x2000000, 0, RW | RVI_PTE_A);
	set_s1_dc(f, MODE_SV39, root, 0);
	expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_RD_PAGE);  /* A=0 */
	expect_fault(f, RVM_ACC_WRITE, 0x2000, RVI_CAUSE_WR_PAGE); /* D=0 */
	expect_ok(f, RVM_ACC_READ, 0x2000, 0x2000000, 0x1000);     /* A=1: no update */
	assert_int_equal(rv_physmem_read64(f->mem, p1) & AD, 0);
	fx_destroy(f);

	f = setup(NULL);
	root = fx_pt_new(f, "sv39");
	p1 = fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RW);
	p2 = fx_map(f, "sv39", root, 0x2000, 0x2000000, 0, RW);
	uint64_t p3 = fx_map(f, "sv39", root, 0x3000, 0x3000000, 0, RVI_PTE_R | RVI_PTE_U);
	set_s1_dc(f, MODE_SV39, root, RVI_DC_TC_SADE);
	expect_ok(f, RVM_ACC_READ, 0x1000, 0x1000000, 0x1000);
	assert_int_equal(rv_physmem_read64(f->mem, p1) & AD, RVI_PTE_A);
	expect_ok(f, RVM_ACC_WRITE, 0x2000, 0x2000000, 0x1000);
	assert_int_equal(rv_physmem_read64(f->mem, p2) & AD, AD);
	/* A read cached the non-dirty 0x1000 entry; a write must still set D. */
	expect_ok(f, RVM_ACC_WRITE, 0x1000, 0x1000000, 0x1000);
	assert_int_equal(rv_physmem_read64(f->mem, p1) & AD, AD);
	/* A store to a read-only page faults and sets neither bit. */
	expect_fault(f, RVM_ACC_WRITE, 0x3000, RVI_CAUSE_WR_PAGE);
	assert_int_equal(rv_physmem_read64(f->mem, p3) & AD, 0);
	fx_destroy(f);
}

/* The permissions reported with a translation grant W only for a range a
 * write could use without an A/D update (docs/uncertain.md): a read of a
 * clean page (D=0) reports R only, on the walk (slow path) and on an IOTLB
 * hit (fast path), and reports W once a write has set D. */
static void test_clean_page_reports_no_write(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RW | RVI_PTE_A);
	fx_map(f, "sv39", root, 0x2000, 0x2000000, 0, RW | AD);
	set_s1_dc(f, MODE_SV39, root, RVI_DC_TC_SADE);
	struct rvm_resp rs;
	for (int pass = 0; pass < 2; pass++) { /* walk, then IOTLB hit */
		assert_int_equal(xl(f, RVM_ACC_READ, 0x1000, &rs), 0);
		assert_int_equal(rs.perm, RVM_PERM_R);
		assert_int_equal(xl(f, RVM_ACC_READ, 0x2000, &rs), 0);
		assert_int_equal(rs.perm, RVM_PERM_R | RVM_PERM_W);
	}
	assert_int_equal(xl(f, RVM_ACC_WRITE, 0x1000, &rs), 0); /* sets D */
	assert_int_equal(rs.perm, RVM_PERM_R | RVM_PERM_W);
	assert_int_equal(xl(f, RVM_ACC_READ, 0x1000, &rs), 0);
	assert_int_equal(rs.perm, RVM_PERM_R | RVM_PERM_W);
	fx_destroy(f);
}

/* A PT access that faults is an access fault of the original type; poison
 * is cause 274 (§2.5 / §4.2 table). */
static void test_pt_access_fault_and_poison(void **st)
{
	(void)st;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities = RVI_FIELD_SET(RVI_CAP_PAS, cfg.capabilities, 40);
	struct fx *f = setup(&cfg);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x1000000, 0, RWX | AD);
	uint64_t leaf = fx_pte_addr(f, "sv39", root, 0x1000, 0);
	fx_map(f, "sv39", root, 0x40000000, 0x1000000, 0, RWX | AD);
	uint64_t leaf2 = fx_pte_addr(f, "sv39", root, 0x40000000, 0);
	/* a non-leaf pointing to PA 2^42, beyond PAS (2^40) */
	fx_map(f, "sv39", root, 0x80000000, 0x1000000, 0, RWX | AD);
	uint64_t nl = fx_pte_addr(f, "sv39", root, 0x80000000, 1);
	rv_physmem_write64(f->mem, nl, RVI_PTE_V | RVI_FIELD_PREP(RVI_PTE_PPN, UINT64_C(1) << 30));
	set_s1_dc(f, MODE_SV39, root, 0);
	rv_physmem_mark(f->mem, leaf & ~UINT64_C(0xfff), 0x1000, RVM_MEM_ACCESS_FAULT);
	rv_physmem_mark(f->mem, leaf2 & ~UINT64_C(0xfff), 0x1000, RVM_MEM_POISON);
	expect_fault(f, RVM_ACC_READ, 0x1000, RVI_CAUSE_RD_ACCESS);
	expect_fault(f, RVM_ACC_WRITE, 0x1000, RVI_CAUSE_WR_ACCESS);
	expect_fault(f, RVM_ACC_EXEC, 0x1000, RVI_CAUSE_INSN_ACCESS);
	expect_fault(f, RVM_ACC_READ, 0x40000000, RVI_CAUSE_PT_CORRUPTED);
	expect_fault(f, RVM_ACC_WRITE, 0x80000000, RVI_CAUSE_WR_ACCESS);
	fx_destroy(f);
}

/* tc.SBE=1: first-stage PTEs are big-endian (§3.1.3.1).  The fixture writes
 * little-endian, so the test writes the byte-swapped PTEs itself. */
static void test_big_endian_first_stage(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, 0); /* DDT stays LE; END=1 lets SBE differ */
	uint64_t root = fx_pt_new(f, "sv39");
	uint64_t addrs[3];
	fx_map(f, "sv39", root, 0x1000, 0x1234000, 0, RW | AD);
	for (unsigned l = 0; l < 3; l++)
		addrs[l] = fx_pte_addr(f, "sv39", root, 0x1000, l);
	for (unsigned l = 0; l < 3; l++)
		rv_physmem_write64(f->mem, addrs[l],
		                   __builtin_bswap64(rv_physmem_read64(f->mem, addrs[l])));
	set_s1_dc(f, MODE_SV39, root, RVI_DC_TC_SBE | RVI_DC_TC_SADE);
	expect_ok(f, RVM_ACC_READ, 0x1010, 0x1234010, 0x1000);
	fx_destroy(f);
}

/* HPM (§5.23): one request event per request, one TLB-miss event per
 * walk, and one walk event per table-entry load: 3 DDT loads (two non-leaf
 * DDTEs and the DC of a 3-level DDT) and 3 Sv39 PTE loads for a 4 KiB
 * leaf.  A repeat of the same request hits the IOTLB and the DC cache. */
static void test_hpm_events(void **st)
{
	(void)st;
	struct fx *f = setup(NULL);
	static const unsigned ev[4] = {RVI_HPM_EV_UNTRANSLATED_REQ, RVI_HPM_EV_TLB_MISS,
	                               RVI_HPM_EV_DDT_WALK, RVI_HPM_EV_S_VS_PT_WALK};
	for (unsigned i = 0; i < 4; i++)
		fx_wr(f, RVI_REG_IOHPMEVT(i + 1), 8, RVI_FIELD_PREP(RVI_IOHPMEVT_EVENTID, ev[i]));
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x2000, 0, RW | AD);
	set_s1_dc(f, MODE_SV39, root, 0);
	static const uint64_t want[2][4] = {{1, 1, 3, 3}, {2, 1, 3, 3}};
	for (unsigned pass = 0; pass < 2; pass++) {
		expect_ok(f, RVM_ACC_READ, 0x1000, 0x2000, 0x1000);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(fx_rd(f, RVI_REG_IOHPMCTR(i + 1), 8), want[pass][i]);
	}
	fx_destroy(f);
}

/* §2.6: when the CAS of an A/D update finds the PTE changed, the walk
 * restarts at that level and the update is made on the new value.  The
 * host's CAS hook changes the PTE (sets an RSW bit) before the first CAS. */
struct cas_host {
	struct rv_physmem *mem;
	uint64_t pte_pa;
	unsigned cas_calls;
};

static int ch_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	return rv_physmem_op_read(((struct cas_host *)ctx)->mem, pa, buf, len, a);
}

static int ch_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                    const struct rvm_mem_attr *a)
{
	return rv_physmem_op_write(((struct cas_host *)ctx)->mem, pa, buf, len, a);
}

static int ch_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                  uint64_t *observed, const struct rvm_mem_attr *a)
{
	struct cas_host *h = ctx;
	if (h->cas_calls++ == 0 && pa == h->pte_pa)
		rv_physmem_write64(h->mem, pa, rv_physmem_read64(h->mem, pa) | RVI_BIT(8));
	return rv_physmem_op_cas(h->mem, pa, size, expected, desired, observed, a);
}

static void test_ad_cas_restart(void **st)
{
	(void)st;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	struct cas_host h = {rv_physmem_create(56), 0, 0};
	struct rvm_host_ops ops = {ch_read, ch_write, ch_cas, NULL, NULL};
	struct rvm *m = rvm_create(&cfg, &ops, &h, NULL);
	assert_non_null(m);
	uint64_t ddt = 0x10000, l0 = 0x20000, l1 = 0x21000, l2 = 0x22000;
	/* 1LVL extended DDT: DC of device 1 at ddt + 64 */
	rv_physmem_write64(h.mem, ddt + 64 + 24,
	                   RVI_FIELD_PREP(RVI_FSC_MODE, MODE_SV39) | (l2 >> 12));
	rv_physmem_write64(h.mem, ddt + 64, RVI_DC_TC_V | RVI_DC_TC_SADE);
	rv_physmem_write64(h.mem, l2, RVI_PTE_V | ((l1 >> 12) << 10));
	rv_physmem_write64(h.mem, l1, RVI_PTE_V | ((l0 >> 12) << 10));
	h.pte_pa = l0 + 8 * 3;
	rv_physmem_write64(h.mem, h.pte_pa, RVI_PTE_V | RW | (UINT64_C(0x777) << 10));
	assert_int_equal(
	    rvm_mmio_write(m, RVI_REG_DDTP, 8, RVI_DDTP_MODE_1LVL | ((ddt >> 12) << 10)), 0);
	struct rvm_req rq = fx_req(1, RVM_ACC_WRITE, 0x3008);
	struct rvm_resp rs;
	assert_int_equal(rvm_translate(m, &rq, &rs), 0);
	assert_int_equal(rs.pa, 0x777008);
	assert_int_equal(h.cas_calls, 2); /* the first CAS failed, the retry won */
	assert_int_equal(rv_physmem_read64(h.mem, h.pte_pa),
	                 RVI_PTE_V | RW | AD | RVI_BIT(8) | (UINT64_C(0x777) << 10));
	rvm_destroy(m);
	rv_physmem_destroy(h.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sv39_every_level),
	    cmocka_unit_test(test_sv48_sv57_top_levels),
	    cmocka_unit_test(test_sv32),
	    cmocka_unit_test(test_napot),
	    cmocka_unit_test(test_pte_checks),
	    cmocka_unit_test(test_nonleaf_reserved),
	    cmocka_unit_test(test_rsw_and_pbmt),
	    cmocka_unit_test(test_permissions_user),
	    cmocka_unit_test(test_canonical),
	    cmocka_unit_test(test_ad_updates),
	    cmocka_unit_test(test_clean_page_reports_no_write),
	    cmocka_unit_test(test_pt_access_fault_and_poison),
	    cmocka_unit_test(test_big_endian_first_stage),
	    cmocka_unit_test(test_hpm_events),
	    cmocka_unit_test(test_ad_cas_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
