/* SPDX-License-Identifier: MIT
 *
 * model/dbg.c - the debug translation interface.
 *
 * Software writes tr_req_iova and tr_req_ctl with Go/Busy=1; the IOMMU
 * runs the request as an Untranslated request through the normal
 * translation path (faults are recorded as usual, caches may be used and
 * filled, the HPM counts it), stores the outcome in tr_response and clears
 * Go/Busy.  The model completes the request inside the MMIO write that set
 * Go/Busy, so software never observes Busy=1.
 *
 * Spec: RISC-V IOMMU 1.0 §5.24 tr_req_iova, §5.25 tr_req_ctl, §5.26
 * tr_response (the S/PPN size encoding), §2.3 (debug requests are
 * Untranslated; an MRIF-mode MSI PTE gives cause 260).
 *
 * Choices (docs/uncertain.md):
 *   - Exe=1 asks for execute whatever NW says (Exe with NW=0 is
 *     UNSPECIFIED); NW=0 asks for write, which needs R as well.
 *   - A size too large for the PPN field is reported as the largest size
 *     the encoding holds, which is allowed (a smaller size is never wrong).
 */
#include "model/model_internal.h"
#include "model/translate.h"

/* §5.26: with S=1 the lowest clear PPN bit, at position X, gives a size of
 * 2^(X+1) pages and PPN bits X-1..0 are all ones (…0111 = 64 KiB). */
static uint64_t encode_ppn(uint64_t pa, uint64_t size, bool *s)
{
	uint64_t ppn = pa >> RVI_PAGE_SHIFT;
	unsigned max_x = 43; /* the 44-bit PPN field, bits 53:10 */
	*s = false;
	if (size <= RVI_PAGE_SIZE || (size & (size - 1)))
		return ppn;
	unsigned x = (unsigned)__builtin_ctzll(size) - RVI_PAGE_SHIFT - 1;
	if (x > max_x)
		x = max_x;
	*s = true;
	uint64_t low = (UINT64_C(1) << x) - 1;
	return (ppn & ~((low << 1) | 1)) | low;
}

void rvm_dbg_run(struct rvm *m)
{
	uint64_t ctl = m->tr_req_ctl;
	struct rvm_req rq = {0};
	struct rvm_resp rs = {0};

	rq.type = RVM_TT_UNTRANSLATED;
	rq.device_id = (uint32_t)RVI_FIELD_GET(RVI_TR_REQ_CTL_DID, ctl);
	rq.pid_valid = ctl & RVI_TR_REQ_CTL_PV;
	if (rq.pid_valid) {
		rq.process_id = (uint32_t)RVI_FIELD_GET(RVI_TR_REQ_CTL_PID, ctl);
		rq.priv = ctl & RVI_TR_REQ_CTL_PRIV; /* ignored when PV=0 (§5.25) */
	}
	if (ctl & RVI_TR_REQ_CTL_EXE)
		rq.access = RVM_ACC_EXEC;
	else
		rq.access = (ctl & RVI_TR_REQ_CTL_NW) ? RVM_ACC_READ : RVM_ACC_WRITE;
	rq.iova = m->tr_req_iova & RVI_TR_REQ_IOVA_VPN;
	rq.len = 1;

	/* The debug variant: an MRIF-mode MSI PTE is cause 260 (§2.3). */
	int cause = rvm_translate_dbg(m, &rq, &rs);
	if (cause) {
		m->tr_response = RVI_TR_RESPONSE_FAULT;
	} else {
		bool s;
		uint64_t ppn = encode_ppn(rs.pa, rs.size, &s);
		m->tr_response = RVI_FIELD_PREP(RVI_TR_RESPONSE_PPN, ppn) |
		                 RVI_FIELD_PREP(RVI_TR_RESPONSE_PBMT, rs.pbmt) |
		                 (s ? RVI_TR_RESPONSE_S : 0);
	}
	m->tr_req_ctl &= ~RVI_TR_REQ_CTL_GO_BUSY;
}
