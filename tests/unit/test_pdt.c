/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_pdt.c - process contexts (§2.4): PD8/PD17/PD20 with the
 * PDI split, PDTE/PC faults (265/266/267/269), the four PC checks, ENS and
 * SUM with supervisor requests, DPE, pdtp Bare, fault records with PV/PID/
 * PRIV, and PDT accesses through the G-stage (guest-page fault with
 * iotval2 bit 0 = 1 bit 1 = 0; G-stage access fault -> 265; poison -> 269).
 *
 * The PDT is written here by hand from the §2.4 layout (the fixture has no
 * PDT helper): non-leaf entries V | PPN << 10, 16-byte PCs {ta, fsc}.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

#define DID 0x21
#define RW (RVI_PTE_R | RVI_PTE_W)
#define AD (RVI_PTE_A | RVI_PTE_D)

static uint64_t atp(unsigned mode, uint64_t pa)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, pa >> 12);
}

/* PDI: [7:0], [16:8], [19:17] (§2.4). */
static unsigned pdi(uint32_t pid, unsigned i)
{
	return i == 0 ? (pid & 0xff) : i == 1 ? ((pid >> 8) & 0x1ff) : ((pid >> 17) & 7);
}

/* Write the PC of pid into the PDT at root with 'levels'; returns its PA. */
static uint64_t set_pc(struct fx *f, uint64_t root, unsigned levels, uint32_t pid, uint64_t ta,
                       uint64_t fsc)
{
	uint64_t a = root;
	for (unsigned i = levels - 1; i > 0; i--) {
		uint64_t e_pa = a + 8u * pdi(pid, i);
		uint64_t e = rv_physmem_read64(f->mem, e_pa);
		if (!(e & 1)) {
			e = 1 | ((fx_alloc(f, 4096) >> 12) << 10);
			rv_physmem_write64(f->mem, e_pa, e);
		}
		a = (e >> 10) << 12;
	}
	uint64_t pc = a + 16u * pdi(pid, 0);
	rv_physmem_write64(f->mem, pc + 8, fsc);
	rv_physmem_write64(f->mem, pc, ta);
	return pc;
}

static struct fx *setup(void)
{
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 6);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	return f;
}

static void set_dc(struct fx *f, uint64_t tc, unsigned pdtp_mode, uint64_t pdt, uint64_t iohgatp)
{
	uint64_t dc[8] = {RVI_DC_TC_V | RVI_DC_TC_PDTV | tc, iohgatp, 0, atp(pdtp_mode, pdt)};
	fx_set_dc(f, DID, dc);
}

static struct rvm_req req(bool pv, uint32_t pid, bool priv, enum rvm_access acc, uint64_t iova)
{
	struct rvm_req r = fx_req(DID, acc, iova);
	r.pid_valid = pv;
	r.process_id = pid;
	r.priv = priv;
	return r;
}

static int xl(struct fx *f, struct rvm_req rq, struct rvm_resp *rs)
{
	return rvm_translate(f->m, &rq, rs);
}

/* Pop the one record and check cause, PV/PID/PRIV, iotval2. */
static void expect_record(struct fx *f, unsigned cause, bool pv, uint32_t pid, bool priv,
                          uint64_t iotval2)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PV, rec[0]), pv);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PID, rec[0]), pid);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PRIV, rec[0]), priv);
	assert_int_equal(rec[3], iotval2);
	assert_false(fx_pop_fault(f, rec));
}

static uint64_t pc_ta(uint32_t pscid, uint64_t flags)
{
	return RVI_PC_TA_V | RVI_FIELD_PREP(RVI_PC_TA_PSCID, pscid) | flags;
}

/* Each PDT depth reaches the PC at its PDI split; two process_ids with
 * their own first-stage tables and PSCIDs translate independently. */
static void test_pd8_pd17_pd20(void **st)
{
	(void)st;
	static const unsigned modes[3] = {RVI_PDTP_PD8, RVI_PDTP_PD17, RVI_PDTP_PD20};
	static const uint32_t pids[3][2] = {{0x00, 0xff}, {0x1abcd, 0x00101}, {0xfffff, 0x5a5a5}};
	for (unsigned m = 0; m < 3; m++) {
		struct fx *f = setup();
		uint64_t pdt = fx_alloc(f, 4096);
		for (unsigned i = 0; i < 2; i++) {
			uint64_t s = fx_pt_new(f, "sv39");
			fx_map(f, "sv39", s, 0x7000, 0x100000 * (i + 1), 0, RW | AD | RVI_PTE_U);
			set_pc(f, pdt, m + 1, pids[m][i], pc_ta(i + 1, 0), atp(8, s));
		}
		set_dc(f, 0, modes[m], pdt, 0);
		struct rvm_resp rs;
		for (int pass = 0; pass < 2; pass++)
			for (unsigned i = 0; i < 2; i++) {
				assert_int_equal(
				    xl(f, req(true, pids[m][i], false, RVM_ACC_READ, 0x7010), &rs),
				    0);
				assert_int_equal(rs.pa, 0x100000 * (i + 1) + 0x10);
			}
		fx_destroy(f);
	}
}

/* PDTE and PC faults: V=0 266, reserved bit 267, load fault 265, poison
 * 269; the PC checks (267). */
static void test_pdt_faults_and_pc_checks(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t pdt = fx_alloc(f, 4096);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x7000, 0x100000, 0, RW | AD | RVI_PTE_U);
	set_dc(f, 0, RVI_PDTP_PD17, pdt, 0);
	struct rvm_resp rs;
	/* pid 0x300: PDTE at pdt + 3*8 absent */
	assert_int_equal(xl(f, req(true, 0x300, false, RVM_ACC_READ, 0x7000), &rs),
	                 RVI_CAUSE_PDT_INVALID);
	expect_record(f, 266, true, 0x300, false, 0);
	set_pc(f, pdt, 2, 0x300, pc_ta(1, 0), atp(8, s));
	uint64_t e = rv_physmem_read64(f->mem, pdt + 24);
	rv_physmem_write64(f->mem, pdt + 24, e | RVI_BIT(54));
	assert_int_equal(xl(f, req(true, 0x300, false, RVM_ACC_READ, 0x7000), &rs),
	                 RVI_CAUSE_PDT_MISCONFIGURED);
	expect_record(f, 267, true, 0x300, false, 0);
	rv_physmem_write64(f->mem, pdt + 24, e);
	assert_int_equal(xl(f, req(true, 0x300, false, RVM_ACC_READ, 0x7000), &rs), 0);

	/* leaf PC: V=0, then each PC check */
	uint64_t pc = set_pc(f, pdt, 2, 0x301, 0, atp(8, s));
	assert_int_equal(xl(f, req(true, 0x301, false, RVM_ACC_READ, 0x7000), &rs),
	                 RVI_CAUSE_PDT_INVALID);
	expect_record(f, 266, true, 0x301, false, 0);
	struct {
		uint64_t ta, fsc;
	} bad[] = {
	    {pc_ta(1, RVI_BIT(3)), atp(8, s)},      /* 1: ta reserved */
	    {pc_ta(1, RVI_BIT(32)), atp(8, s)},     /* 1: ta reserved */
	    {pc_ta(1, 0), atp(8, s) | RVI_BIT(50)}, /* 1: fsc reserved */
	    {pc_ta(1, 0), atp(11, s)},              /* 2: invalid under SXL=0 */
	};
	for (unsigned i = 0; i < 4; i++) {
		uint32_t pid = 0x302 + i;
		set_pc(f, pdt, 2, pid, bad[i].ta, bad[i].fsc);
		if (xl(f, req(true, pid, false, RVM_ACC_READ, 0x7000), &rs) !=
		    RVI_CAUSE_PDT_MISCONFIGURED)
			fail_msg("bad PC %u", i);
		expect_record(f, 267, true, pid, false, 0);
	}
	(void)pc;
	/* load access fault and poison of the PC */
	uint64_t pc9 = set_pc(f, pdt, 2, 0x309, pc_ta(1, 0), atp(8, s));
	rv_physmem_mark(f->mem, pc9, 16, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(f, req(true, 0x309, false, RVM_ACC_WRITE, 0x7000), &rs),
	                 RVI_CAUSE_PDT_LOAD_FAULT);
	assert_int_equal(rs.status, RVM_STATUS_CA);
	expect_record(f, 265, true, 0x309, false, 0);
	rv_physmem_mark(f->mem, pc9, 16, RVM_MEM_OK);
	rv_physmem_mark(f->mem, pc9, 16, RVM_MEM_POISON);
	assert_int_equal(xl(f, req(true, 0x309, false, RVM_ACC_WRITE, 0x7000), &rs),
	                 RVI_CAUSE_PDT_CORRUPTED);
	expect_record(f, 269, true, 0x309, false, 0);
	fx_destroy(f);
}

/* PC checks 3 and 4: Sv57 without caps.Sv57; Sv32 (SXL=1) without caps.Sv32. */
static void test_pc_checks_caps(void **st)
{
	(void)st;
	struct rvm_config c;
	rvm_config_default(&c);
	c.capabilities &= ~RVI_CAP_SV57;
	c.sxl_writable = true;
	struct fx *f = fx_create(&c);
	fx_enable_queues(f, 4);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t pdt = fx_alloc(f, 4096);
	set_pc(f, pdt, 1, 1, pc_ta(1, 0), atp(10, 0x100000));
	set_dc(f, 0, RVI_PDTP_PD8, pdt, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(f, req(true, 1, false, RVM_ACC_READ, 0), &rs),
	                 RVI_CAUSE_PDT_MISCONFIGURED);
	set_pc(f, pdt, 1, 2, pc_ta(1, 0), atp(8, 0x100000));
	set_dc(f, RVI_DC_TC_SXL, RVI_PDTP_PD8, pdt, 0);
	fx_cmd(f, RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IODIR), 0); /* INVAL_DDT all */
	assert_true(fx_fence(f));
	assert_int_equal(xl(f, req(true, 2, false, RVM_ACC_READ, 0), &rs),
	                 RVI_CAUSE_PDT_MISCONFIGURED);
	fx_destroy(f);
}

/* ENS, SUM and the S-mode rules (§2.4): S-mode needs ENS (else 260); on a
 * U=1 page it needs SUM and never executes; U-mode needs U=1. */
static void test_ens_sum(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t pdt = fx_alloc(f, 4096);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x100000, 0, RW | RVI_PTE_X | AD);             /* S page */
	fx_map(f, "sv39", s, 0x2000, 0x200000, 0, RW | RVI_PTE_X | RVI_PTE_U | AD); /* U page */
	set_pc(f, pdt, 1, 1, pc_ta(1, 0), atp(8, s));                               /* ENS=0 */
	set_pc(f, pdt, 1, 2, pc_ta(2, RVI_PC_TA_ENS), atp(8, s));                   /* SUM=0 */
	set_pc(f, pdt, 1, 3, pc_ta(3, RVI_PC_TA_ENS | RVI_PC_TA_SUM), atp(8, s));   /* SUM=1 */
	set_dc(f, 0, RVI_PDTP_PD8, pdt, 0);
	struct rvm_resp rs;
	assert_int_equal(xl(f, req(true, 1, true, RVM_ACC_READ, 0x1000), &rs),
	                 RVI_CAUSE_TTYPE_DISALLOWED);
	expect_record(f, 260, true, 1, true, 0);
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(xl(f, req(true, 2, true, RVM_ACC_EXEC, 0x1000), &rs), 0);
		assert_int_equal(xl(f, req(true, 2, false, RVM_ACC_READ, 0x2000), &rs), 0);
		assert_int_equal(xl(f, req(true, 3, true, RVM_ACC_WRITE, 0x2000), &rs), 0);
	}
	assert_int_equal(xl(f, req(true, 2, true, RVM_ACC_READ, 0x2000), &rs), RVI_CAUSE_RD_PAGE);
	expect_record(f, 13, true, 2, true, 0);
	assert_int_equal(xl(f, req(true, 3, true, RVM_ACC_EXEC, 0x2000), &rs), RVI_CAUSE_INSN_PAGE);
	expect_record(f, 12, true, 3, true, 0);
	assert_int_equal(xl(f, req(true, 2, false, RVM_ACC_READ, 0x1000), &rs), RVI_CAUSE_RD_PAGE);
	expect_record(f, 13, true, 2, false, 0);
	fx_destroy(f);
}

/* DPE=1: a request without process_id uses PC 0 (as U-mode); DPE=0: the
 * first stage is Bare; pdtp Bare: Bare even with a process_id. */
static void test_dpe_and_bare(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t pdt = fx_alloc(f, 4096);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x100000, 0, RW | RVI_PTE_U | AD);
	set_pc(f, pdt, 1, 0, pc_ta(1, 0), atp(8, s));
	set_dc(f, RVI_DC_TC_DPE, RVI_PDTP_PD8, pdt, 0);
	struct rvm_resp rs;
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(xl(f, req(false, 0, false, RVM_ACC_READ, 0x1000), &rs), 0);
		assert_int_equal(rs.pa, 0x100000);
	}
	fx_destroy(f);

	f = setup();
	pdt = fx_alloc(f, 4096);
	set_dc(f, 0, RVI_PDTP_PD8, pdt, 0);
	assert_int_equal(xl(f, req(false, 0, false, RVM_ACC_READ, 0x1000), &rs), 0);
	assert_int_equal(rs.pa, 0x1000); /* first stage Bare */
	set_dc(f, 0, RVI_PDTP_BARE, 0, 0);
	fx_cmd(f, RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IODIR), 0);
	assert_true(fx_fence(f));
	assert_int_equal(xl(f, req(true, 0x12345, false, RVM_ACC_READ, 0x3000), &rs), 0);
	assert_int_equal(rs.pa, 0x3000);
	fx_destroy(f);
}

/* PDT addresses are GPAs when the G-stage is active (§2.4 step 3). */
static void test_pdt_through_gstage(void **st)
{
	(void)st;
	struct fx *f = setup();
	uint64_t g = fx_pt_new(f, "sv39x4");
	uint64_t pdt_gpa = 0x40000000, pdt_spa = fx_alloc(f, 4096);
	uint64_t s = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", s, 0x1000, 0x6000, 0, RW | RVI_PTE_U | AD);
	set_pc(f, pdt_spa, 2, 0x105, pc_ta(1, 0), atp(8, s));
	uint64_t l0 = (rv_physmem_read64(f->mem, pdt_spa + 8) >> 10) << 12;
	uint64_t gatp = atp(8, g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, 3);
	set_dc(f, 0, RVI_PDTP_PD17, pdt_gpa, gatp);
	struct rvm_resp rs;
	/* PDT root GPA unmapped: guest-page fault, iotval2 = GPA of PDTE | 1 */
	assert_int_equal(xl(f, req(true, 0x105, false, RVM_ACC_WRITE, 0x1000), &rs),
	                 RVI_CAUSE_WR_GUEST_PAGE);
	expect_record(f, 23, true, 0x105, false, (pdt_gpa + 8) | 1);
	/* map the PDT root; the leaf PDT page (its SPA used as GPA) and the
	 * first-stage tables and data identity-mapped */
	fx_map(f, "sv39x4", g, pdt_gpa, pdt_spa, 0, RW | RVI_PTE_U | AD);
	fx_map(f, "sv39x4", g, l0, l0, 0, RW | RVI_PTE_U | AD);
	uint64_t gpte = fx_map(f, "sv39x4", g, UINT64_C(0x80000000), UINT64_C(0x80000000), 2,
	                       RW | RVI_PTE_U | AD);
	fx_map(f, "sv39x4", g, 0x6000, 0x9000, 0, RW | RVI_PTE_U | AD);
	assert_int_equal(xl(f, req(true, 0x105, false, RVM_ACC_WRITE, 0x1010), &rs), 0);
	assert_int_equal(rs.pa, 0x9010);
	/* a G-stage PTE read failing during the PDT walk: 265; poison: 269 */
	fx_destroy(f);

	f = setup();
	g = fx_pt_new(f, "sv39x4");
	pdt_spa = fx_alloc(f, 4096);
	set_pc(f, pdt_spa, 1, 5, pc_ta(1, 0), atp(8, 0x1000));
	gpte = fx_map(f, "sv39x4", g, pdt_gpa, pdt_spa, 0, RW | RVI_PTE_U | AD);
	set_dc(f, 0, RVI_PDTP_PD8, pdt_gpa, atp(8, g));
	rv_physmem_mark(f->mem, gpte, 8, RVM_MEM_ACCESS_FAULT);
	assert_int_equal(xl(f, req(true, 5, false, RVM_ACC_READ, 0x1000), &rs),
	                 RVI_CAUSE_PDT_LOAD_FAULT);
	expect_record(f, 265, true, 5, false, 0);
	rv_physmem_mark(f->mem, gpte, 8, RVM_MEM_OK);
	rv_physmem_mark(f->mem, gpte, 8, RVM_MEM_POISON);
	assert_int_equal(xl(f, req(true, 5, false, RVM_ACC_READ, 0x1000), &rs),
	                 RVI_CAUSE_PDT_CORRUPTED);
	expect_record(f, 269, true, 5, false, 0);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pd8_pd17_pd20),  cmocka_unit_test(test_pdt_faults_and_pc_checks),
	    cmocka_unit_test(test_pc_checks_caps), cmocka_unit_test(test_ens_sum),
	    cmocka_unit_test(test_dpe_and_bare),   cmocka_unit_test(test_pdt_through_gstage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
