/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_pq.c - Page Request handling (§6.2) and the page-request
 * queue (§4.3, §5.17): record format, pip, pqof, pqmf, and every row of the
 * IOMMU-generated PRGR table with its PASID rule and FQ record (TTYP 9,
 * iotval = the Page Request message code 0x04).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "fixture.h"

#define DID 0x21u /* fits a 1-level extended-format DDT (6 bits) */
#define PID 0x345u

static struct fx *make(void)
{
	struct fx *f = fx_create(NULL); /* caps.ATS, MSI_FLAT: 64-byte DCs */
	fx_enable_queues(f, 2);         /* 4 entries: 3 records fill the PQ */
	return f;
}

static void set_tc(struct fx *f, uint32_t did, uint64_t tc)
{
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = tc;
	fx_set_dc(f, did, dc);
}

#define PRI_TC (RVI_DC_TC_V | RVI_DC_TC_EN_ATS | RVI_DC_TC_EN_PRI)

/* A PRI-enabled device DID in a 1-level DDT. */
static struct fx *make_pri(uint64_t extra_tc)
{
	struct fx *f = make();
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	set_tc(f, DID, PRI_TC | extra_tc);
	return f;
}

static uint64_t payload(bool r, bool w, bool l, unsigned index, uint64_t addr)
{
	return (r ? RVI_PRQ_R : 0) | (w ? RVI_PRQ_W : 0) | (l ? RVI_PRQ_L : 0) |
	       RVI_FIELD_PREP(RVI_PRQ_PRG_INDEX, index) | (addr & RVI_PRQ_ADDR);
}

static void request(struct fx *f, uint32_t did, bool pv, uint64_t pl)
{
	struct rvm_page_request pr = {.device_id = did,
	                              .pid_valid = pv,
	                              .process_id = PID,
	                              .priv = true,
	                              .exec = true,
	                              .payload = pl};
	rvm_page_request(f->m, &pr);
}

/* A last request of group 0x1a5 asking R+W for 0x7000. */
static uint64_t last_rw(void)
{
	return payload(true, true, true, 0x1a5, 0x7000);
}

static uint32_t pqt(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_PQT, 4);
}

/* The one PRGR sent: rid, PASID presence and payload (index, code). */
static void assert_prgr(struct fx *f, unsigned code, bool pv)
{
	assert_int_equal(f->n_ats, 1);
	const struct rvm_ats_msg *m = &f->ats[0];
	assert_int_equal(m->type, RVM_ATS_MSG_PRGR);
	assert_int_equal(m->rid, DID);
	assert_int_equal(m->pv, pv);
	if (pv)
		assert_int_equal(m->pid, PID);
	assert_int_equal(m->payload, RVI_FIELD_PREP(RVI_ATS_PRGR_INDEX, 0x1a5) |
	                                 RVI_FIELD_PREP(RVI_ATS_PRGR_CODE, code));
}

/* The one FQ record: cause, TTYP 9, DID, PASID, iotval = 0x04. */
static void assert_fault(struct fx *f, unsigned cause, uint32_t did, bool pv)
{
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), cause);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_TTYP, rec[0]), RVI_TTYP_PCIE_MESSAGE);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_DID, rec[0]), did);
	assert_int_equal(!!(rec[0] & RVI_FQ_DW0_PV), pv);
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_PID, rec[0]), pv ? PID : 0);
	assert_int_equal(rec[2], 0x04); /* [PCIe] Page Request message code */
	assert_false(fx_pop_fault(f, rec));
}

static void assert_no_fault(struct fx *f)
{
	uint64_t rec[4];
	assert_false(fx_pop_fault(f, rec));
}

/* §4.3 record layout; PRIV/EXEC only with a PASID; no response sent. */
static void test_record_format(void **state)
{
	(void)state;
	struct fx *f = make_pri(0);
	uint64_t pl = payload(true, false, false, 0x42, UINT64_C(0xfedcba987000));
	request(f, DID, true, pl);
	assert_int_equal(pqt(f), 1);
	uint64_t dw0 = RVI_FIELD_PREP(RVI_PQ_DW0_DID, DID) | RVI_FIELD_PREP(RVI_PQ_DW0_PID, PID) |
	               RVI_PQ_DW0_PV | RVI_PQ_DW0_PRIV | RVI_PQ_DW0_EXEC;
	assert_int_equal(rv_physmem_read64(f->mem, f->pq_base), dw0);
	assert_int_equal(rv_physmem_read64(f->mem, f->pq_base + 8), pl);
	request(f, DID, false, last_rw());
	assert_int_equal(pqt(f), 2);
	assert_int_equal(rv_physmem_read64(f->mem, f->pq_base + 16),
	                 RVI_FIELD_PREP(RVI_PQ_DW0_DID, DID));
	assert_int_equal(rv_physmem_read64(f->mem, f->pq_base + 24), last_rw());
	/* A Stop Marker that can be queued is queued. */
	request(f, DID, true, payload(false, false, true, 0, 0));
	assert_int_equal(pqt(f), 3);
	assert_int_equal(f->n_ats, 0);
	assert_no_fault(f);
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.page_requests, 3);
	fx_destroy(f);
}

/* §5.18: pip is set by a new record only when pie=1. */
static void test_pip(void **state)
{
	(void)state;
	struct fx *f = make_pri(0);
	request(f, DID, false, last_rw());
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PIP, 0);
	fx_wr(f, RVI_REG_PQCSR, 4, RVI_PQCSR_PQEN | RVI_PQCSR_PIE);
	request(f, DID, false, last_rw());
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PIP, RVI_IPSR_PIP);
	fx_destroy(f);
}

/* PQ full -> pqof, Success response, no record; while pqof is set nothing
 * is queued even with room; the PASID goes in only with PRPR=1. */
static void test_full_pqof_success(void **state)
{
	(void)state;
	for (int prpr = 0; prpr < 2; prpr++) {
		struct fx *f = make_pri(prpr ? RVI_DC_TC_PRPR : 0);
		fx_wr(f, RVI_REG_PQCSR, 4, RVI_PQCSR_PQEN | RVI_PQCSR_PIE);
		for (int i = 0; i < 3; i++)
			request(f, DID, true, payload(true, false, false, 1, 0));
		assert_int_equal(pqt(f), 3);
		fx_wr(f, RVI_REG_IPSR, 4, RVI_IPSR_PIP);
		request(f, DID, true, last_rw());
		assert_int_equal(pqt(f), 3);
		assert_true(fx_rd(f, RVI_REG_PQCSR, 4) & RVI_PQCSR_PQOF);
		assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PIP, RVI_IPSR_PIP);
		assert_prgr(f, RVI_PRGR_SUCCESS, prpr);
		assert_no_fault(f);

		/* Drain, but pqof still set: discarded, Success again. */
		fx_wr(f, RVI_REG_PQH, 4, 3);
		f->n_ats = 0;
		request(f, DID, true, last_rw());
		assert_int_equal(pqt(f), 3);
		assert_prgr(f, RVI_PRGR_SUCCESS, prpr);
		/* L=0 while full: silently discarded. */
		f->n_ats = 0;
		request(f, DID, true, payload(true, false, false, 0x1a5, 0));
		assert_int_equal(f->n_ats, 0);
		/* Clear pqof: queued again. */
		fx_wr(f, RVI_REG_PQCSR, 4, RVI_PQCSR_PQEN | RVI_PQCSR_PQOF);
		request(f, DID, true, last_rw());
		assert_int_equal(pqt(f), 0);
		assert_int_equal(f->n_ats, 0);
		fx_destroy(f);
	}
}

/* PQ disabled -> Response Failure with the PASID (PRPR not needed), no
 * record; L=0 and Stop Markers get nothing. */
static void test_disabled_response_failure(void **state)
{
	(void)state;
	struct fx *f = make_pri(0);
	fx_wr(f, RVI_REG_PQCSR, 4, 0);
	assert_int_equal(fx_rd(f, RVI_REG_PQCSR, 4) & RVI_PQCSR_PQON, 0);
	request(f, DID, false, payload(true, false, false, 0x1a5, 0));
	request(f, DID, true, payload(false, false, true, 0x1a5, 0)); /* Stop Marker */
	assert_int_equal(f->n_ats, 0);
	request(f, DID, true, last_rw());
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);
	assert_no_fault(f);
	fx_destroy(f);
}

/* A fault writing the record sets pqmf (pip with pie) and the request gets
 * Response Failure; later requests are discarded while pqmf is set. */
static void test_pqmf(void **state)
{
	(void)state;
	struct fx *f = make_pri(0);
	fx_wr(f, RVI_REG_PQCSR, 4, RVI_PQCSR_PQEN | RVI_PQCSR_PIE);
	rv_physmem_mark(f->mem, f->pq_base, RVI_PAGE_SIZE, RVM_MEM_ACCESS_FAULT);
	request(f, DID, true, last_rw());
	assert_true(fx_rd(f, RVI_REG_PQCSR, 4) & RVI_PQCSR_PQMF);
	assert_int_equal(pqt(f), 0);
	assert_int_equal(fx_rd(f, RVI_REG_IPSR, 4) & RVI_IPSR_PIP, RVI_IPSR_PIP);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);
	rv_physmem_mark(f->mem, f->pq_base, RVI_PAGE_SIZE, RVM_MEM_OK);
	f->n_ats = 0;
	request(f, DID, true, last_rw());
	assert_int_equal(pqt(f), 0);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);
	assert_no_fault(f);
	fx_destroy(f);
}

/* iommu_mode Off: 256 recorded, Response Failure with the PASID. */
static void test_mode_off(void **state)
{
	(void)state;
	struct fx *f = make();
	request(f, DID, true, last_rw());
	assert_fault(f, RVI_CAUSE_ALL_DISALLOWED, DID, true);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);
	fx_destroy(f);
}

/* iommu_mode Bare: 260 recorded, Invalid Request without the PASID (no DC,
 * so PRPR counts as 0). */
static void test_mode_bare(void **state)
{
	(void)state;
	struct fx *f = make();
	fx_wr(f, RVI_REG_DDTP, 8, RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_BARE));
	request(f, DID, true, last_rw());
	assert_fault(f, RVI_CAUSE_TTYPE_DISALLOWED, DID, true);
	assert_prgr(f, RVI_PRGR_INVALID_REQUEST, false);
	fx_destroy(f);
}

/* DC load fault 257, DC not valid 258, DC misconfigured 259: recorded
 * (even with DTF=1 for 259) and Response Failure with the PASID. */
static void test_dc_faults(void **state)
{
	(void)state;
	struct fx *f = make();
	uint64_t root = fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	request(f, DID, true, last_rw()); /* no DC written: V=0 */
	assert_fault(f, RVI_CAUSE_DDT_INVALID, DID, true);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);

	f->n_ats = 0;
	set_tc(f, DID, PRI_TC | RVI_DC_TC_DTF | RVI_BIT(12)); /* reserved bit */
	request(f, DID, false, last_rw());
	assert_fault(f, RVI_CAUSE_DDT_MISCONFIGURED, DID, false);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, false);

	f->n_ats = 0;
	rv_physmem_mark(f->mem, root, RVI_PAGE_SIZE, RVM_MEM_ACCESS_FAULT);
	request(f, DID, true, last_rw());
	assert_fault(f, RVI_CAUSE_DDT_LOAD_FAULT, DID, true);
	assert_prgr(f, RVI_PRGR_RESPONSE_FAILURE, true);
	fx_destroy(f);
}

/* EN_PRI=0 (and device_id too wide): 260 recorded unless DTF=1, Invalid
 * Request without the PASID (PRPR must be 0 when EN_PRI=0). */
static void test_pri_disabled_and_wide_did(void **state)
{
	(void)state;
	struct fx *f = make();
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	set_tc(f, DID, RVI_DC_TC_V | RVI_DC_TC_EN_ATS);
	request(f, DID, true, last_rw());
	assert_fault(f, RVI_CAUSE_TTYPE_DISALLOWED, DID, true);
	assert_prgr(f, RVI_PRGR_INVALID_REQUEST, false);

	f->n_ats = 0;
	set_tc(f, DID, RVI_DC_TC_V | RVI_DC_TC_EN_ATS | RVI_DC_TC_DTF);
	request(f, DID, true, last_rw());
	assert_no_fault(f); /* 260 is not reported with DTF=1 */
	assert_prgr(f, RVI_PRGR_INVALID_REQUEST, false);

	/* 1-level extended DDT indexes 6 bits: device 0x40 is too wide. */
	f->n_ats = 0;
	struct rvm_page_request pr = {.device_id = 0x40, .payload = last_rw()};
	rvm_page_request(f->m, &pr);
	assert_fault(f, RVI_CAUSE_TTYPE_DISALLOWED, 0x40, false);
	assert_int_equal(f->n_ats, 1);
	assert_int_equal(f->ats[0].rid, 0x40);
	assert_int_equal(RVI_FIELD_GET(RVI_ATS_PRGR_CODE, f->ats[0].payload),
	                 RVI_PRGR_INVALID_REQUEST);
	fx_destroy(f);
}

/* With a fault, L=0 requests and Stop Markers still record the fault but
 * never get a response. */
static void test_silent_discards(void **state)
{
	(void)state;
	struct fx *f = make(); /* Off */
	request(f, DID, true, payload(true, true, false, 0x1a5, 0x7000));
	assert_fault(f, RVI_CAUSE_ALL_DISALLOWED, DID, true);
	request(f, DID, true, payload(false, false, true, 0x1a5, 0));
	assert_fault(f, RVI_CAUSE_ALL_DISALLOWED, DID, true);
	assert_int_equal(f->n_ats, 0);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_record_format),
	    cmocka_unit_test(test_pip),
	    cmocka_unit_test(test_full_pqof_success),
	    cmocka_unit_test(test_disabled_response_failure),
	    cmocka_unit_test(test_pqmf),
	    cmocka_unit_test(test_mode_off),
	    cmocka_unit_test(test_mode_bare),
	    cmocka_unit_test(test_dc_faults),
	    cmocka_unit_test(test_pri_disabled_and_wide_did),
	    cmocka_unit_test(test_silent_discards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
