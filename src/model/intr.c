/* SPDX-License-Identifier: MIT
 *
 * model/intr.c - the IOMMU's own interrupts: the ipsr pending bits, the
 * wired lines (WSI) and the MSIs it sends through msi_cfg_tbl.
 *
 * Spec: RISC-V IOMMU 1.0 §5.18 (ipsr), §5.28 (icvec), §5.29 (msi_cfg_tbl),
 * and the interrupt chapter (CHECKLIST §1.11, §7).
 *
 * Sources and their set conditions:
 *   cip  = cqcsr.cie && (fence_w_ip | cmd_ill | cmd_to | cqmf)     (level)
 *   fip  = fqcsr.fie && (fqof | fqmf), or a new FQ record           (level+edge)
 *   pip  = pqcsr.pie && (pqof | pqmf), or a new PQ record           (level+edge)
 *   pmip = an HPM counter overflow (edge; hpm.c raises it)
 *
 * Invariants:
 *   (1) After rvm_intr_update() every level condition that holds has its
 *       ipsr bit set; software clearing a bit whose condition still holds
 *       sees it set again (§5.18).
 *   (2) fctl.WSI=1: wsi_level bit v == OR of the pending bits whose icvec
 *       field is v, and ops.wsi is called exactly on changes.  fctl.WSI=0:
 *       every wire is low.
 *   (3) fctl.WSI=0: one MSI per 0->1 transition of a pending bit, sent to
 *       msi_cfg_tbl[vector] unless that vector's M bit is set, in which case
 *       msi_pending remembers it and it is sent when M clears.
 *   (4) Recursion is bounded: a failed MSI write queues a cause-273 record,
 *       which may raise fip and send another MSI; but a send only happens on
 *       a 0->1 transition of one of four ipsr bits (or once per held
 *       vector), and nothing clears those bits while m->lock is held, so the
 *       nesting depth is at most 4 + 16.
 */
#include "model/model_internal.h"

static unsigned vector_of(const struct rvm *m, uint32_t ipsr_bit)
{
	switch (ipsr_bit) {
	case RVI_IPSR_CIP:
		return (unsigned)RVI_FIELD_GET(RVI_ICVEC_CIV, m->icvec);
	case RVI_IPSR_FIP:
		return (unsigned)RVI_FIELD_GET(RVI_ICVEC_FIV, m->icvec);
	case RVI_IPSR_PMIP:
		return (unsigned)RVI_FIELD_GET(RVI_ICVEC_PMIV, m->icvec);
	default:
		return (unsigned)RVI_FIELD_GET(RVI_ICVEC_PIV, m->icvec);
	}
}

static void set_wires(struct rvm *m, uint32_t levels)
{
	uint32_t changed = levels ^ m->wsi_level;

	m->wsi_level = levels;
	for (unsigned v = 0; changed; v++, changed >>= 1)
		if ((changed & 1u) && m->ops.wsi)
			m->ops.wsi(m->ctx, v, (levels >> v) & 1u);
}

/* Invariant (2). */
static void drive_wires(struct rvm *m)
{
	uint32_t levels = 0;

	for (uint32_t b = 1; b <= RVI_IPSR_PIP; b <<= 1)
		if (m->ipsr & b)
			levels |= 1u << vector_of(m, b);
	set_wires(m, levels);
}

/* §5.29: a 4-byte write of msi_data to msi_addr in fctl.BE order.  An
 * access fault is cause 273 with TTYP 0 and iotval = msi_addr. */
static void send_msi(struct rvm *m, unsigned v)
{
	struct rvm_mem_attr a = rvm_attr_iommu(m, RVM_MEM_MSI);
	int st = rvm_mem_write32(m, m->msi_addr[v], rvm_fctl_be(m), m->msi_data[v], &a);

	if (st == RVM_MEM_OK) {
		m->st_msis_sent++;
		return;
	}
	struct rvm_fault f = {
	    .cause = RVI_CAUSE_MSI_WRITE_FAULT,
	    .ttyp = RVI_TTYP_NONE,
	    .iotval = m->msi_addr[v],
	};
	rvm_fq_report(m, &f);
}

static void send_or_hold(struct rvm *m, unsigned v)
{
	if (m->msi_vec_ctl[v] & RVI_MSI_VEC_CTL_M) {
		m->msi_pending |= 1u << v;
		return;
	}
	send_msi(m, v);
}

/* Deliver the ipsr bits that rose since 'old'. */
static void deliver(struct rvm *m, uint32_t old)
{
	if (m->fctl & RVI_FCTL_WSI) {
		drive_wires(m);
		return;
	}
	if (m->wsi_level)
		set_wires(m, 0); /* the interrupt mode changed to MSI */

	uint32_t rising = m->ipsr & ~old;
	for (uint32_t b = 1; b <= RVI_IPSR_PIP; b <<= 1)
		if (rising & b)
			send_or_hold(m, vector_of(m, b));

	/* Held messages of vectors that are no longer masked. */
	for (unsigned v = 0; v < RVI_MSI_CFG_ENTRIES; v++) {
		uint32_t bit = 1u << v;
		if ((m->msi_pending & bit) && !(m->msi_vec_ctl[v] & RVI_MSI_VEC_CTL_M)) {
			m->msi_pending &= ~bit; /* before sending: invariant (4) */
			send_msi(m, v);
		}
	}
}

void rvm_intr_update(struct rvm *m)
{
	uint32_t old = m->ipsr, cond = 0;

	if ((m->cq.csr & RVI_CQCSR_CIE) && (m->cq.csr & (RVI_CQCSR_ERRORS | RVI_CQCSR_FENCE_W_IP)))
		cond |= RVI_IPSR_CIP;
	if ((m->fq.csr & RVI_FQCSR_FIE) && (m->fq.csr & (RVI_FQCSR_FQOF | RVI_FQCSR_FQMF)))
		cond |= RVI_IPSR_FIP;
	if ((m->caps & RVI_CAP_ATS) && (m->pq.csr & RVI_PQCSR_PIE) &&
	    (m->pq.csr & (RVI_PQCSR_PQOF | RVI_PQCSR_PQMF)))
		cond |= RVI_IPSR_PIP;
	m->ipsr |= cond;
	deliver(m, old);
}

void rvm_intr_raise(struct rvm *m, uint32_t ipsr_bits)
{
	uint32_t old = m->ipsr;

	/* The queue interrupts have enables; pmip has none (OF=1 is its
	 * disable, which hpm.c checks before raising). */
	if (!(m->cq.csr & RVI_CQCSR_CIE))
		ipsr_bits &= ~RVI_IPSR_CIP;
	if (!(m->fq.csr & RVI_FQCSR_FIE))
		ipsr_bits &= ~RVI_IPSR_FIP;
	if (!(m->pq.csr & RVI_PQCSR_PIE))
		ipsr_bits &= ~RVI_IPSR_PIP;
	m->ipsr |= ipsr_bits & RVI_IPSR_ALL;
	deliver(m, old);
}
