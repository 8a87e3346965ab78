/* SPDX-License-Identifier: MIT
 *
 * driver/fq.c - draining the fault queue and the page-request queue.
 *
 * Spec: RISC-V IOMMU 1.0 §4.2 (fault records), §4.3 (page-request
 * records), §5.7-5.8 and §5.16-5.17 (fqh/fqt/fqcsr, pqh/pqt/pqcsr), §6.2.
 *
 * Invariants
 *   1. Only this file writes fqh/pqh; iommu->fq.idx / pq.idx equal them.
 *   2. Records are read only after the tail register read that covers them,
 *      with rmb between (the IOMMU wrote them before advancing the tail).
 *   3. fqof/fqmf (pqof/pqmf) are cleared after the records are consumed, so
 *      the IOMMU resumes recording into an emptied queue.
 *   4. Logging is rate limited: at most RVD_FAULT_LOG_BURST lines per
 *      RVD_FAULT_LOG_WINDOW_NS; the callback sees every record.
 *   5. Page requests: only a group's last request is answered (ATS.PRGR,
 *      with the PASID only when the request had one and the device's PRPR
 *      is set); after pqof, records of groups whose last request is not in
 *      the queue are dropped unseen (the IOMMU already answered them).
 */
#include "driver/drv_internal.h"

#define RVD_FAULT_LOG_BURST 8
#define RVD_FAULT_LOG_WINDOW_NS UINT64_C(1000000000)

static uint32_t rd32(struct rvd_iommu *m, uint32_t off)
{
	return m->host.ops->read32(m->host.ctx, off);
}
static void wr32(struct rvd_iommu *m, uint32_t off, uint32_t v)
{
	m->host.ops->write32(m->host.ctx, off, v);
}

static bool log_allowed(struct rvd_iommu *m)
{
	uint64_t now = m->host.ops->now_ns(m->host.ctx);
	if (now - m->log_window_start >= RVD_FAULT_LOG_WINDOW_NS) {
		m->log_window_start = now;
		m->log_in_window = 0;
	}
	return m->log_in_window++ < RVD_FAULT_LOG_BURST;
}

int rvd_fq_drain(struct rvd_iommu *m)
{
	int n = 0;
	uint32_t csr = rd32(m, RVI_REG_FQCSR);
	uint32_t t = rd32(m, RVI_REG_FQT) & m->fq.mask;
	/* Invariant 2: the fqt read is ordered before the record loads. */
	m->host.ops->rmb(m->host.ctx);
	while (m->fq.idx != t) {
		const uint64_t *r = (const uint64_t *)m->fq.virt + 4 * m->fq.idx;
		struct rvd_fault f;
		f.cause = (uint16_t)RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, r[0]);
		f.pid = (uint32_t)RVI_FIELD_GET(RVI_FQ_DW0_PID, r[0]);
		f.pv = RVI_FIELD_GET(RVI_FQ_DW0_PV, r[0]);
		f.priv = RVI_FIELD_GET(RVI_FQ_DW0_PRIV, r[0]);
		f.ttyp = (uint8_t)RVI_FIELD_GET(RVI_FQ_DW0_TTYP, r[0]);
		f.device_id = (uint32_t)RVI_FIELD_GET(RVI_FQ_DW0_DID, r[0]);
		f.iotval = r[2];
		f.iotval2 = r[3];
		if (log_allowed(m))
			rvd_logf(&m->host, RVD_LOG_WARN,
			         "fault: cause %u ttyp %u did 0x%x iotval 0x%llx iotval2 0x%llx",
			         f.cause, f.ttyp, f.device_id, (unsigned long long)f.iotval,
			         (unsigned long long)f.iotval2);
		if (m->cfg.fault_cb)
			m->cfg.fault_cb(m->host.ctx, &f);
		m->fq.idx = (m->fq.idx + 1) & m->fq.mask;
		n++;
	}
	/* The record loads complete before fqh hands the slots back. */
	m->host.ops->mb(m->host.ctx);
	wr32(m, RVI_REG_FQH, m->fq.idx);
	if (csr & (RVI_FQCSR_FQOF | RVI_FQCSR_FQMF)) {
		rvd_logf(&m->host, RVD_LOG_ERR, "fault queue %s: records were dropped",
		         (csr & RVI_FQCSR_FQMF) ? "memory fault" : "overflow");
		wr32(m, RVI_REG_FQCSR,
		     (csr & (RVI_FQCSR_FQEN | RVI_FQCSR_FIE)) |
		         (csr & (RVI_FQCSR_FQOF | RVI_FQCSR_FQMF)));
	}
	return n;
}

static void decode_pr(const uint64_t *r, struct rvd_page_request *pr)
{
	pr->device_id = (uint32_t)RVI_FIELD_GET(RVI_PQ_DW0_DID, r[0]);
	pr->pv = RVI_FIELD_GET(RVI_PQ_DW0_PV, r[0]);
	pr->pid = (uint32_t)RVI_FIELD_GET(RVI_PQ_DW0_PID, r[0]);
	pr->priv = RVI_FIELD_GET(RVI_PQ_DW0_PRIV, r[0]);
	pr->exec = RVI_FIELD_GET(RVI_PQ_DW0_EXEC, r[0]);
	pr->r = r[1] & RVI_PRQ_R;
	pr->w = r[1] & RVI_PRQ_W;
	pr->last = r[1] & RVI_PRQ_L;
	pr->prg_index = (uint16_t)RVI_FIELD_GET(RVI_PRQ_PRG_INDEX, r[1]);
	pr->addr = r[1] & RVI_PRQ_ADDR;
}

static bool same_group(const struct rvd_page_request *a, const struct rvd_page_request *b)
{
	return a->device_id == b->device_id && a->pv == b->pv && a->pid == b->pid &&
	       a->prg_index == b->prg_index;
}

/* After pqof: is the group of record i complete in [i, t), i.e. does its
 * last request follow?  A group whose last request was dropped has been
 * answered by the IOMMU (Success, §6.2) and the device will retry: it is
 * ignored (CHECKLIST §6.2 "ignore incomplete PRGs").  O(n) per record, so
 * O(n^2) per overflow drain; overflows are rare. */
static bool group_complete(struct rvd_iommu *m, uint32_t i, uint32_t t,
                           const struct rvd_page_request *pr)
{
	for (uint32_t j = i; j != t; j = (j + 1) & m->pq.mask) {
		struct rvd_page_request o;
		decode_pr((const uint64_t *)m->pq.virt + 2 * j, &o);
		if (o.last && same_group(&o, pr))
			return true;
	}
	return false;
}

/* ATS.PRGR for pr with code.  PCIe PRI: the response carries the PASID
 * only when the request had one and the device requires it (PRPR). */
static int send_prgr(struct rvd_iommu *m, const struct rvd_page_request *pr, int code)
{
	struct rvd_batch b;
	struct rvd_cmd c = {.op = RVD_CMD_ATS_PRGR};
	const struct rvd_ats_dev *a = rvd_ats_find(m, pr->device_id);
	c.ats.rid = pr->device_id & 0xffff;
	c.ats.dsv = pr->device_id > 0xffff;
	c.ats.dseg = pr->device_id >> 16;
	c.ats.pv = pr->pv && a && a->prpr;
	c.ats.pid = c.ats.pv ? pr->pid : 0;
	c.ats.payload = RVI_FIELD_PREP(RVI_ATS_PRGR_INDEX, pr->prg_index) |
	                RVI_FIELD_PREP(RVI_ATS_PRGR_CODE, (unsigned)code);
	rvd_batch_init(&b);
	rvd_batch_add(m, &b, &c);
	return rvd_batch_submit(m, &b, false, false);
}

int rvd_pq_drain(struct rvd_iommu *m)
{
	int n = 0;
	uint32_t csr = rd32(m, RVI_REG_PQCSR);
	uint32_t t = rd32(m, RVI_REG_PQT) & m->pq.mask;
	bool overflow = csr & RVI_PQCSR_PQOF;
	m->host.ops->rmb(m->host.ctx);
	while (m->pq.idx != t) {
		const uint64_t *r = (const uint64_t *)m->pq.virt + 2 * m->pq.idx;
		struct rvd_page_request pr;
		decode_pr(r, &pr);
		bool skip = overflow && !group_complete(m, m->pq.idx, t, &pr);
		m->pq.idx = (m->pq.idx + 1) & m->pq.mask;
		if (skip)
			continue;
		n++;
		int code =
		    m->cfg.prq_cb ? m->cfg.prq_cb(m->host.ctx, &pr) : (int)RVI_PRGR_INVALID_REQUEST;
		/* Only the last request of a group is answered; a stop marker
		 * (L=1, R=W=0) never is (PCIe PRI). */
		if (code >= 0 && pr.last && (pr.r || pr.w))
			send_prgr(m, &pr, code);
	}
	m->host.ops->mb(m->host.ctx);
	wr32(m, RVI_REG_PQH, m->pq.idx);
	if (csr & (RVI_PQCSR_PQOF | RVI_PQCSR_PQMF)) {
		rvd_logf(&m->host, RVD_LOG_WARN, "page-request queue %s: incomplete groups ignored",
		         (csr & RVI_PQCSR_PQMF) ? "memory fault" : "overflow");
		wr32(m, RVI_REG_PQCSR,
		     (csr & (RVI_PQCSR_PQEN | RVI_PQCSR_PIE)) |
		         (csr & (RVI_PQCSR_PQOF | RVI_PQCSR_PQMF)));
	}
	return n;
}

int rvd_page_response(struct rvd_iommu *m, const struct rvd_page_request *pr, int code)
{
	if (!(m->caps & RVI_CAP_ATS))
		return -ENODEV;
	if (code < 0 || code > 0xf)
		return -EINVAL;
	m->host.ops->lock(m->host.ctx);
	int rc = send_prgr(m, pr, code);
	m->host.ops->unlock(m->host.ctx);
	return rc;
}
