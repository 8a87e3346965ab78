/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_dbg.c - the debug translation interface (§5.24-5.26):
 * request inputs (DID, PID/PV, Priv only with PV, Exe, NW), tr_response
 * (fault bit, PPN, PBMT, the S size encoding for 64 KiB, 2 MiB and 1 GiB
 * pages), fault records made as for an Untranslated request, Go/Busy
 * clearing, and HPM counting as an Untranslated request.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>

#include "fixture.h"

#define DID 0x15u
#define USR (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D)

struct env {
	struct fx *f;
	uint64_t root;
};

static int setup(void **state)
{
	static struct env e;
	e.f = fx_create(NULL);
	fx_enable_queues(e.f, 4);
	fx_ddt_init(e.f, RVI_DDTP_MODE_1LVL);
	e.root = fx_pt_new(e.f, "sv39");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV39) |
	                 RVI_FIELD_PREP(RVI_FSC_PPN, e.root >> 12);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, 7);
	fx_set_dc(e.f, DID, dc);
	*state = &e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	fx_destroy(e->f);
	return 0;
}

/* Run one debug request; returns tr_response. */
static uint64_t dbg(struct fx *f, uint64_t iova, uint64_t ctl)
{
	fx_wr(f, RVI_REG_TR_REQ_IOVA, 8, iova);
	fx_wr(f, RVI_REG_TR_REQ_CTL, 8, ctl | RVI_TR_REQ_CTL_GO_BUSY);
	/* The model completes at once: Go/Busy reads 0 (§5.25). */
	assert_int_equal(fx_rd(f, RVI_REG_TR_REQ_CTL, 8) & RVI_TR_REQ_CTL_GO_BUSY, 0);
	return fx_rd(f, RVI_REG_TR_RESPONSE, 8);
}

static uint64_t did_ctl(uint32_t did)
{
	return RVI_FIELD_PREP(RVI_TR_REQ_CTL_DID, did);
}

static uint64_t resp(uint64_t ppn, bool s, unsigned pbmt)
{
	return RVI_FIELD_PREP(RVI_TR_RESPONSE_PPN, ppn) | (s ? RVI_TR_RESPONSE_S : 0) |
	       RVI_FIELD_PREP(RVI_TR_RESPONSE_PBMT, pbmt);
}

/* A 4 KiB page: PPN is the page's, S=0. */
static void test_4k(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x1000, 0x12345000, 0, USR);
	assert_int_equal(dbg(e->f, 0x1000, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 resp(0x12345, false, 0));
	/* NW=0 asks for write as well; the page allows it. */
	assert_int_equal(dbg(e->f, 0x1000, did_ctl(DID)), resp(0x12345, false, 0));
	/* tr_req_iova bits 11:0 are not part of the request. */
	assert_int_equal(dbg(e->f, 0x1fff, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 resp(0x12345, false, 0));
}

/* §5.26 S encoding: the lowest 0 bit of PPN at X gives 2^(X+1) pages and
 * PPN bits X-1..0 are ones.  2 MiB = 2^9 pages: X = 8, low 8 bits ones.
 * 1 GiB = 2^18 pages: X = 17.  64 KiB = 2^4 pages: X = 3. */
static void test_superpage_s_encoding(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x40200000, UINT64_C(0x800200000), 1, USR);
	/* PPN 0x800200: clear bit 8, set bits 7..0 -> 0x8002ff. */
	assert_int_equal(dbg(e->f, 0x40212000, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 resp(0x8002ff, true, 0));

	fx_map(e->f, "sv39", e->root, 0x80000000, UINT64_C(0x140000000), 2, USR);
	/* PPN 0x140000: bits 16..0 ones, bit 17 zero -> 0x15ffff. */
	assert_int_equal(dbg(e->f, 0x80abc000, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 resp(0x15ffff, true, 0));

	/* Svnapot 64 KiB: PTE ppn[3:0] = 1000b; PA 0x50000. */
	fx_map(e->f, "sv39", e->root, 0x30000, 0x58000, 0, USR | RVI_PTE_N);
	/* PPN 0x50: bits 2..0 ones, bit 3 zero -> 0x57. */
	assert_int_equal(dbg(e->f, 0x30000, did_ctl(DID) | RVI_TR_REQ_CTL_NW), resp(0x57, true, 0));
}

/* PBMT of the leaf is reported (Svpbmt: NC = 1, IO = 2). */
static void test_pbmt(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x5000, 0x77000, 0, USR | RVI_FIELD_PREP(RVI_PTE_PBMT, 2));
	assert_int_equal(dbg(e->f, 0x5000, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 resp(0x77, false, RVI_PBMT_IO));
}

static void pop_fault(struct fx *f, unsigned cause, unsigned ttyp, uint64_t iotval)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), ttyp);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), DID);
	assert_int_equal(rec[2] & ~UINT64_C(0xfff), iotval);
	assert_false(fx_pop_fault(f, rec));
}

/* Faults set tr_response.fault (only) and are recorded like those of an
 * Untranslated request: read (NW=1), write (NW=0), execute (Exe). */
static void test_faults(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x2000, 0x22000, 0,
	       RVI_PTE_R | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D); /* read-only */
	assert_int_equal(dbg(e->f, 0x9000, did_ctl(DID) | RVI_TR_REQ_CTL_NW),
	                 RVI_TR_RESPONSE_FAULT);
	pop_fault(e->f, RVI_CAUSE_RD_PAGE, RVI_TTYP_UNTRANSLATED_READ, 0x9000);
	assert_int_equal(dbg(e->f, 0x2000, did_ctl(DID) | RVI_TR_REQ_CTL_NW), resp(0x22, false, 0));
	assert_int_equal(dbg(e->f, 0x2000, did_ctl(DID)), RVI_TR_RESPONSE_FAULT);
	pop_fault(e->f, RVI_CAUSE_WR_PAGE, RVI_TTYP_UNTRANSLATED_WRITE, 0x2000);
	assert_int_equal(dbg(e->f, 0x2000, did_ctl(DID) | RVI_TR_REQ_CTL_NW | RVI_TR_REQ_CTL_EXE),
	                 RVI_TR_RESPONSE_FAULT);
	pop_fault(e->f, RVI_CAUSE_INSN_PAGE, RVI_TTYP_UNTRANSLATED_EXEC, 0x2000);
	/* Unknown device: DC not valid (258). */
	assert_int_equal(dbg(e->f, 0x2000, did_ctl(DID + 1) | RVI_TR_REQ_CTL_NW),
	                 RVI_TR_RESPONSE_FAULT);
	uint64_t rec[4];
	assert_true(fx_pop_fault(e->f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_DDT_INVALID);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), DID + 1);
}

/* PV=1 carries the PID (here the DC has PDTV=0, so 260 with PV/PID in the
 * record); Priv is ignored when PV=0 (a U=1 page stays reachable). */
static void test_pid_and_priv(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x3000, 0x33000, 0, USR);
	uint64_t ctl = did_ctl(DID) | RVI_TR_REQ_CTL_NW | RVI_TR_REQ_CTL_PV |
	               RVI_FIELD_PREP(RVI_TR_REQ_CTL_PID, 0x4567);
	assert_int_equal(dbg(e->f, 0x3000, ctl), RVI_TR_RESPONSE_FAULT);
	uint64_t rec[4];
	assert_true(fx_pop_fault(e->f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_true(rec[0] & RVI_FQ_DW0_PV);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PID, rec[0]), 0x4567);

	assert_int_equal(dbg(e->f, 0x3000, did_ctl(DID) | RVI_TR_REQ_CTL_NW | RVI_TR_REQ_CTL_PRIV),
	                 resp(0x33, false, 0));
	assert_false(fx_pop_fault(e->f, rec));
}

/* A debug translation counts as an Untranslated request (event 1). */
static void test_hpm_counts_untranslated(void **state)
{
	struct env *e = *state;
	fx_map(e->f, "sv39", e->root, 0x4000, 0x44000, 0, USR);
	fx_wr(e->f, RVI_REG_IOHPMEVT(1), 8,
	      RVI_FIELD_PREP(RVI_IOHPMEVT_EVENTID, RVI_HPM_EV_UNTRANSLATED_REQ) |
	          RVI_IOHPMEVT_DV_GSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, DID));
	dbg(e->f, 0x4000, did_ctl(DID) | RVI_TR_REQ_CTL_NW);
	dbg(e->f, 0x4000, did_ctl(DID) | RVI_TR_REQ_CTL_NW);
	assert_int_equal(fx_rd(e->f, RVI_REG_IOHPMCTR(1), 8), 2);
}

/* An MSI address whose MSI PTE is in MRIF mode is not translatable through
 * the debug interface: cause 260 (§2.3); a basic-mode PTE translates. */
static void test_msi_mrif_is_260(void **state)
{
	struct env *e = *state;
	struct fx *f = e->f;
	uint64_t msi_root = fx_alloc(f, RVI_PAGE_SIZE);
	uint64_t g_root = fx_pt_new(f, "sv39x4");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = RVI_FIELD_PREP(RVI_IOHGATP_MODE, RVI_IOHGATP_SV39X4) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_GSCID, 3) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_PPN, g_root >> 12);
	dc[RVI_DC_MSIPTP] = RVI_FIELD_PREP(RVI_MSIPTP_MODE, RVI_MSIPTP_FLAT) |
	                    RVI_FIELD_PREP(RVI_MSIPTP_PPN, msi_root >> 12);
	dc[RVI_DC_MSI_ADDR_MASK] = 1;          /* GPA page bit 0 selects the PTE */
	dc[RVI_DC_MSI_ADDR_PATTERN] = 0x28000; /* pages 0x28000 and 0x28001 */
	fx_set_dc(f, DID + 2, dc);
	/* PTE 0: basic mode to SPA page 0x99; PTE 1: MRIF mode. */
	rv_physmem_write64(f->mem, msi_root,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_BASIC) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_PPN, 0x99));
	uint64_t mrif = fx_alloc(f, RVI_PAGE_SIZE);
	rv_physmem_write64(f->mem, msi_root + 16,
	                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_MRIF) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_MRIF_ADDR, mrif >> 9));
	rv_physmem_write64(f->mem, msi_root + 24,
	                   RVI_FIELD_PREP(RVI_MSIPTE_NPPN, mrif >> 12) |
	                       RVI_FIELD_PREP(RVI_MSIPTE_NID_LO, 5));
	assert_int_equal(dbg(f, UINT64_C(0x28000000), did_ctl(DID + 2) | RVI_TR_REQ_CTL_NW),
	                 resp(0x99, false, 0));
	assert_int_equal(dbg(f, UINT64_C(0x28001000), did_ctl(DID + 2) | RVI_TR_REQ_CTL_NW),
	                 RVI_TR_RESPONSE_FAULT);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_TTYPE_DISALLOWED);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), RVI_TTYP_UNTRANSLATED_READ);
	/* Nothing was written to the MRIF. */
	for (unsigned i = 0; i < RVI_MRIF_SIZE; i += 8)
		assert_int_equal(rv_physmem_read64(f->mem, mrif + i), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_4k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_superpage_s_encoding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pbmt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pid_and_priv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hpm_counts_untranslated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_msi_mrif_is_260, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
