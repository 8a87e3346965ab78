/* SPDX-License-Identifier: MIT
 *
 * model/pq.c - inbound PCIe Page Request messages.
 *
 * A Page Request from a device whose DC enables ATS and PRI is written to
 * the page-request queue as a 16-byte record.  Otherwise, or when the
 * record can not be queued, the request is discarded; a request that ends
 * its group (L=1, not a Stop Marker) is then answered by an IOMMU-generated
 * Page Request Group Response (PRGR) so the device does not wait forever.
 *
 * Spec: RISC-V IOMMU 1.0 §4.3 (PQ record), §6.2 (Page Request handling and
 * its auto-response table), §5.17 pqcsr, §5.18 pip, §4.2 (TTYP 9 records).
 *
 * The decision, as a table (CHECKLIST §6.2):
 *   cause 256-259 (and the corruption causes)  Response Failure  FQ record
 *   cause 260 (Bare, device_id too wide, EN_PRI=0)  Invalid Request  FQ record (DTF)
 *   PQ off (pqen=0 or pqon=0) or pqmf=1        Response Failure  no record
 *   PQ full or pqof=1                          Success           no record
 *   record write access fault -> pqmf          Response Failure  no record
 * L=0 requests and Stop Markers get no response in every row.
 *
 * Invariants:
 *   (1) Runs under m->lock; pqt moves only here and only after a record
 *       was written successfully.
 *   (2) While pqmf or pqof is set no record is written (§5.17).
 */
#include "model/model_internal.h"

/* Why a request was not queued. */
enum pq_outcome {
	PQ_QUEUED,
	PQ_FAULT,   /* a DC-lookup fault (cause set) */
	PQ_UNAVAIL, /* queue off or pqmf: Response Failure */
	PQ_FULL,    /* pqof or full: Success */
};

struct pq_req {
	const struct rvm_page_request *pr;
	uint16_t cause;
	bool have_dc; /* a valid DC was located (DTF and PRPR are known) */
	uint64_t tc;
};

/* P2IOVA steps 1-7 as they apply to a message (§6.2 points at steps 1-6;
 * step 7's EN_PRI check is the "EN_PRI=0" row of the table). */
static void locate_dc(struct rvm *m, struct pq_req *q)
{
	uint64_t dc[RVI_DC_DWORDS_EXT] = {0};
	unsigned mode = rvm_iommu_mode(m);
	uint32_t did = q->pr->device_id;

	if (mode == RVI_DDTP_MODE_OFF) {
		q->cause = RVI_CAUSE_ALL_DISALLOWED;
		return;
	}
	unsigned levels = rvi_ddt_levels(mode);
	if (levels == 0) { /* Bare: messages are disallowed (step 2) */
		q->cause = RVI_CAUSE_TTYPE_DISALLOWED;
		return;
	}
	unsigned bits = rvi_ddt_device_id_bits(levels, m->extended_dc);
	if (bits < 32 && (did >> bits) != 0) { /* step 5 */
		q->cause = RVI_CAUSE_TTYPE_DISALLOWED;
		return;
	}
	int c = rvm_ddt_get_dc(m, did, dc);
	if (!c)
		c = rvm_dc_check(m, dc);
	if (c) {
		q->cause = (uint16_t)c;
		return;
	}
	q->have_dc = true;
	q->tc = dc[RVI_DC_TC];
	if (!(q->tc & RVI_DC_TC_EN_ATS) || !(q->tc & RVI_DC_TC_EN_PRI))
		q->cause = RVI_CAUSE_TTYPE_DISALLOWED;
}

static void report_fault(struct rvm *m, const struct pq_req *q)
{
	/* §4.2: with DTF=1 only the causes that are reported regardless of DTF
	 * (256-259, 268, 272) are recorded.  Without a valid DC, DTF is 0. */
	bool dtf = q->have_dc && (q->tc & RVI_DC_TC_DTF);
	if (dtf && q->cause == RVI_CAUSE_TTYPE_DISALLOWED)
		return;
	struct rvm_fault f = {
	    .cause = q->cause,
	    .ttyp = RVI_TTYP_PCIE_MESSAGE,
	    .did = q->pr->device_id,
	    .pv = q->pr->pid_valid,
	    .pid = q->pr->pid_valid ? q->pr->process_id : 0,
	    .priv = q->pr->pid_valid && q->pr->priv,
	    .iotval = RVI_PCIE_MSG_PAGE_REQ,
	};
	rvm_fq_report(m, &f);
}

static enum pq_outcome try_queue(struct rvm *m, const struct rvm_page_request *pr)
{
	uint32_t csr = m->pq.csr;
	if (!(csr & RVI_PQCSR_PQEN) || !(csr & RVI_PQCSR_PQON) || (csr & RVI_PQCSR_PQMF))
		return PQ_UNAVAIL;
	if (csr & RVI_PQCSR_PQOF)
		return PQ_FULL;

	uint32_t n = rvi_queue_entries(m->pq.base);
	if (((m->pq.tail + 1) & (n - 1)) == (m->pq.head & (n - 1))) {
		m->pq.csr |= RVI_PQCSR_PQOF; /* §5.17 */
		rvm_intr_update(m);
		return PQ_FULL;
	}

	bool pv = pr->pid_valid;
	uint64_t dw[2];
	dw[0] = RVI_FIELD_PREP(RVI_PQ_DW0_DID, pr->device_id);
	if (pv)
		dw[0] |= RVI_FIELD_PREP(RVI_PQ_DW0_PID, pr->process_id) | RVI_PQ_DW0_PV |
		         (pr->priv ? RVI_PQ_DW0_PRIV : 0) | (pr->exec ? RVI_PQ_DW0_EXEC : 0);
	dw[1] = pr->payload;

	uint64_t pa = (RVI_FIELD_GET(RVI_QB_PPN, m->pq.base) << RVI_PAGE_SHIFT) +
	              (uint64_t)m->pq.tail * RVI_PQ_ENTRY_SIZE;
	struct rvm_mem_attr a = rvm_attr_iommu(m, RVM_MEM_PQ);
	if (rvm_mem_write_dws(m, pa, rvm_fctl_be(m), dw, 2, &a) != RVM_MEM_OK) {
		m->pq.csr |= RVI_PQCSR_PQMF;
		rvm_intr_update(m);
		return PQ_UNAVAIL;
	}
	m->pq.tail = (m->pq.tail + 1) & (n - 1);
	if (m->pq.csr & RVI_PQCSR_PIE)
		rvm_intr_raise(m, RVI_IPSR_PIP); /* a new message was queued */
	return PQ_QUEUED;
}

static void send_prgr(struct rvm *m, const struct pq_req *q, enum rvi_prgr_code code)
{
	const struct rvm_page_request *pr = q->pr;
	/* §6.2: a Response Failure carries the PASID whenever the request had
	 * one; Success and Invalid Request only when DC.tc.PRPR=1 (taken as 0
	 * when no valid DC was found). */
	bool prpr = q->have_dc && (q->tc & RVI_DC_TC_PRPR);
	bool pv = pr->pid_valid && (code == RVI_PRGR_RESPONSE_FAILURE || prpr);
	struct rvm_ats_msg msg = {
	    .type = RVM_ATS_MSG_PRGR,
	    .rid = (uint16_t)pr->device_id,
	    .dseg = (uint8_t)(pr->device_id >> 16),
	    .dsv = (pr->device_id >> 16) != 0,
	    .pv = pv,
	    .pid = pv ? pr->process_id : 0,
	    .payload =
	        RVI_FIELD_PREP(RVI_ATS_PRGR_INDEX, RVI_FIELD_GET(RVI_PRQ_PRG_INDEX, pr->payload)) |
	        RVI_FIELD_PREP(RVI_ATS_PRGR_CODE, code),
	};
	if (m->ops.ats_msg)
		m->ops.ats_msg(m->ctx, &msg);
}

void rvm_page_request(struct rvm *m, const struct rvm_page_request *pr)
{
	struct pq_req q = {.pr = pr};
	bool last = pr->payload & RVI_PRQ_L;
	bool stop_marker = last && pr->pid_valid && !(pr->payload & (RVI_PRQ_R | RVI_PRQ_W));
	enum rvi_prgr_code code;

	pthread_mutex_lock(&m->lock);
	m->st_page_requests++;
	locate_dc(m, &q);

	enum pq_outcome out = q.cause ? PQ_FAULT : try_queue(m, pr);
	switch (out) {
	case PQ_QUEUED:
		pthread_mutex_unlock(&m->lock);
		return;
	case PQ_FAULT:
		report_fault(m, &q);
		/* 268/272 and other lookup failures: the spec leaves the status
		 * open; Response Failure (docs/uncertain.md). */
		code = q.cause == RVI_CAUSE_TTYPE_DISALLOWED ? RVI_PRGR_INVALID_REQUEST
		                                             : RVI_PRGR_RESPONSE_FAILURE;
		break;
	case PQ_UNAVAIL:
		code = RVI_PRGR_RESPONSE_FAILURE;
		break;
	case PQ_FULL:
	default:
		code = RVI_PRGR_SUCCESS;
		break;
	}
	/* §6.2: L=0 requests and Stop Markers are discarded silently. */
	if (last && !stop_marker)
		send_prgr(m, &q, code);
	pthread_mutex_unlock(&m->lock);
}
