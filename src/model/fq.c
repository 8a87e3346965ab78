/* SPDX-License-Identifier: MIT
 *
 * model/fq.c - writing fault/event records to the fault queue.
 *
 * Spec: RISC-V IOMMU 1.0 §4.2 (fault record layout, TTYP rules) and §5.16
 * (fqcsr: fqon, fqof, fqmf, fie).  Records are 32 bytes in fctl.BE order at
 * fqb.PPN * 4 KiB + fqt * 32, written with the iommu_qosid attributes.
 *
 * Invariants:
 *   (1) A record is written only while fqon=1 and fqof=fqmf=0; otherwise it
 *       is dropped (and counted in st_faults_dropped).  fqon=0 drops
 *       silently: the spec names no error for it [UNCERTAIN].
 *   (2) The queue is full when fqt == fqh - 1 (mod size): the record is
 *       dropped and fqof set.  A failed write sets fqmf and drops it.  While
 *       either bit is set every later record is dropped.
 *   (3) fqt advances only after the whole record was written, so software
 *       never reads a partial record.
 *   (4) TTYP 0 forces DID, PV, PID and PRIV to 0; PV=0 forces PID and PRIV
 *       to 0 (§4.2).
 */
#include "model/model_internal.h"

/* The record's four doublewords, in host order. */
static void encode_record(const struct rvm_fault *f, uint64_t dw[4])
{
	bool pv = f->pv && f->ttyp != RVI_TTYP_NONE;
	uint64_t d0 =
	    RVI_FIELD_PREP(RVI_FQ_DW0_CAUSE, f->cause) | RVI_FIELD_PREP(RVI_FQ_DW0_TTYP, f->ttyp);

	if (f->ttyp != RVI_TTYP_NONE)
		d0 |= RVI_FIELD_PREP(RVI_FQ_DW0_DID, f->did);
	if (pv)
		d0 |= RVI_FQ_DW0_PV | RVI_FIELD_PREP(RVI_FQ_DW0_PID, f->pid) |
		      (f->priv ? RVI_FQ_DW0_PRIV : 0);
	dw[0] = d0;
	dw[1] = 0; /* custom / reserved */
	dw[2] = f->iotval;
	dw[3] = f->iotval2;
}

static bool drop(struct rvm *m, uint32_t set_bits)
{
	m->st_faults_dropped++;
	if (set_bits) {
		m->fq.csr |= set_bits;
		rvm_intr_update(m); /* fip when fie */
	}
	return false;
}

bool rvm_fq_report(struct rvm *m, const struct rvm_fault *f)
{
	struct rvm_queue *q = &m->fq;
	uint32_t mask = rvi_queue_entries(q->base) - 1;
	uint64_t dw[4];

	if (!(q->csr & RVI_FQCSR_FQON))
		return drop(m, 0);
	if (q->csr & (RVI_FQCSR_FQMF | RVI_FQCSR_FQOF))
		return drop(m, 0);
	if (((q->tail + 1) & mask) == q->head)
		return drop(m, RVI_FQCSR_FQOF);

	encode_record(f, dw);
	uint64_t pa = (RVI_FIELD_GET(RVI_QB_PPN, q->base) << RVI_PAGE_SHIFT) +
	              (uint64_t)q->tail * RVI_FQ_ENTRY_SIZE;
	struct rvm_mem_attr a = rvm_attr_iommu(m, RVM_MEM_FQ);
	if (rvm_mem_write_dws(m, pa, rvm_fctl_be(m), dw, 4, &a) != RVM_MEM_OK)
		return drop(m, RVI_FQCSR_FQMF);

	q->tail = (q->tail + 1) & mask;
	m->st_faults_recorded++;
	rvm_intr_raise(m, RVI_IPSR_FIP); /* a new record: edge, when fie */
	return true;
}
