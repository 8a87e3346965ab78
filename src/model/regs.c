/* SPDX-License-Identifier: MIT
 *
 * model/regs.c - the IOMMU's memory-mapped register file: access decode,
 * WARL legalisation (one function per register), RW1C/RW1S bits, and the
 * queue enable handshakes.
 *
 * Spec: RISC-V IOMMU 1.0 §5 (register layout §5.2, capabilities §5.3, fctl
 * §5.4, ddtp §5.5, queue bases/heads/tails §5.6-5.14, queue CSRs §5.15-5.17,
 * ipsr §5.18, debug §5.24-5.26, iommu_qosid §5.27 [QoSID], icvec §5.28,
 * msi_cfg_tbl §5.29).  HPM registers are decoded here and handled in hpm.c.
 *
 * Access rules (§5 general rules; docs/model-registers.md):
 *   - size 4 or 8, naturally aligned, offset < 4096; else RVM_ESIZE /
 *     RVM_EALIGN / RVM_ERANGE and no effect;
 *   - an 8-byte access must target one 64-bit register (RVM_ESIZE for a
 *     32-bit register or a pair of them); reserved space accepts both sizes;
 *   - a 4-byte access to half of a 64-bit register is merged with the other
 *     half's current value and then handled exactly like a 64-bit write, so
 *     software that writes the high half first and the low half second
 *     (§5: the order an 8-byte access may be split into) sees the side
 *     effects of the low-half write with the complete value.
 *
 * Invariants:
 *   (1) Every register field holds a legal (WARL-legalised) value.
 *   (2) For each queue, head and tail are < the queue's entry count; writes
 *       to a base register re-mask both indexes.
 *   (3) xqcsr.on == xqcsr.en at all times and busy is 0: enables and
 *       disables complete synchronously inside the write.
 *   (4) Registers of absent features (caps.ATS/HPM/DBG/QOSID, msi_cfg_tbl
 *       when IGS=WSI) read 0 and ignore writes.
 */
#include "model/model_internal.h"

/* ------------------------------------------------------------------------ */
/* Decode                                                                    */
/* ------------------------------------------------------------------------ */

/* True when a 64-bit register starts at the 8-aligned offset off8. */
static bool is_reg64(uint32_t off8)
{
	switch (off8) {
	case RVI_REG_CAPABILITIES:
	case RVI_REG_DDTP:
	case RVI_REG_CQB:
	case RVI_REG_FQB:
	case RVI_REG_PQB:
	case RVI_REG_IOHPMCYCLES:
	case RVI_REG_TR_REQ_IOVA:
	case RVI_REG_TR_REQ_CTL:
	case RVI_REG_TR_RESPONSE:
	case RVI_REG_ICVEC:
		return true;
	default:
		break;
	}
	if (off8 >= RVI_REG_IOHPMCTR_BASE && off8 < RVI_REG_IOHPMEVT(RVI_HPM_COUNTERS_MAX) + 8)
		return true; /* iohpmctr1..31 and iohpmevt1..31 */
	if (off8 >= RVI_REG_MSI_CFG_TBL && off8 < RVI_REG_RESERVED1)
		return (off8 & 0xf) == 0; /* msi_addr_x; +8 holds two 32-bit regs */
	return false;
}

/* Reserved or custom space: no register, reads 0, writes ignored. */
static bool is_unimplemented_space(uint32_t off)
{
	return off == RVI_REG_CUSTOM0 || (off >= RVI_REG_RESERVED0 && off < RVI_REG_ICVEC) ||
	       off >= RVI_REG_RESERVED1;
}

struct reg_access {
	uint32_t reg;   /* offset of the register */
	uint64_t mask;  /* bits of the register this access covers */
	unsigned shift; /* position of the access within the register */
};

static int decode(uint32_t off, unsigned size, struct reg_access *ra)
{
	if (size != 4 && size != 8)
		return RVM_ESIZE;
	if (off >= RVI_REG_BLOCK_SIZE)
		return RVM_ERANGE;
	if (off & (size - 1))
		return RVM_EALIGN;
	if (size == 8) {
		if (!is_reg64(off) && !is_unimplemented_space(off))
			return RVM_ESIZE; /* a 32-bit register or two of them */
		ra->reg = off;
		ra->mask = ~UINT64_C(0);
		ra->shift = 0;
		return RVM_OK;
	}
	if (is_reg64(off & ~7u)) {
		ra->reg = off & ~7u;
		ra->shift = (off & 4u) * 8;
		ra->mask = UINT64_C(0xffffffff) << ra->shift;
		return RVM_OK;
	}
	ra->reg = off;
	ra->mask = UINT64_C(0xffffffff);
	ra->shift = 0;
	return RVM_OK;
}

static bool has(const struct rvm *m, uint64_t cap)
{
	return (m->caps & cap) != 0;
}

static bool hpm_reg(uint32_t reg)
{
	return reg >= RVI_REG_IOCOUNTOVF && reg < RVI_REG_TR_REQ_IOVA;
}

static unsigned igs(const struct rvm *m)
{
	return (unsigned)RVI_FIELD_GET(RVI_CAP_IGS, m->caps);
}

static bool msi_tbl_present(const struct rvm *m)
{
	return igs(m) != RVI_IGS_WSI; /* §5.29: hard-wired to 0 when IGS=WSI */
}

/* PPN bits 53:10 that name a physical address below 2^PAS. */
static uint64_t ppn_mask(const struct rvm *m)
{
	return RVI_FIELD_PREP(RVI_PPN_53_10, m->pa_mask >> RVI_PAGE_SHIFT);
}

static uint32_t queue_mask(const struct rvm_queue *q)
{
	return rvi_queue_entries(q->base) - 1;
}

/* ------------------------------------------------------------------------ */
/* Reads                                                                     */
/* ------------------------------------------------------------------------ */

/* The full value of the register at reg (32-bit registers zero-extended). */
static uint64_t reg_value(struct rvm *m, uint32_t reg)
{
	switch (reg) {
	case RVI_REG_CAPABILITIES:
		return m->caps;
	case RVI_REG_FCTL:
		return m->fctl;
	case RVI_REG_DDTP:
		return m->ddtp; /* busy is hard-wired 0 (invariant (3)) */
	case RVI_REG_CQB:
		return m->cq.base;
	case RVI_REG_CQH:
		return m->cq.head;
	case RVI_REG_CQT:
		return m->cq.tail;
	case RVI_REG_FQB:
		return m->fq.base;
	case RVI_REG_FQH:
		return m->fq.head;
	case RVI_REG_FQT:
		return m->fq.tail;
	case RVI_REG_PQB:
		return has(m, RVI_CAP_ATS) ? m->pq.base : 0;
	case RVI_REG_PQH:
		return has(m, RVI_CAP_ATS) ? m->pq.head : 0;
	case RVI_REG_PQT:
		return has(m, RVI_CAP_ATS) ? m->pq.tail : 0;
	case RVI_REG_CQCSR:
		return m->cq.csr;
	case RVI_REG_FQCSR:
		return m->fq.csr;
	case RVI_REG_PQCSR:
		return has(m, RVI_CAP_ATS) ? m->pq.csr : 0;
	case RVI_REG_IPSR:
		return m->ipsr;
	case RVI_REG_TR_REQ_IOVA:
		return has(m, RVI_CAP_DBG) ? m->tr_req_iova : 0;
	case RVI_REG_TR_REQ_CTL:
		return has(m, RVI_CAP_DBG) ? m->tr_req_ctl : 0;
	case RVI_REG_TR_RESPONSE:
		return has(m, RVI_CAP_DBG) ? m->tr_response : 0;
	case RVI_REG_IOMMU_QOSID:
		return has(m, RVI_CAP_QOSID) ? m->iommu_qosid : 0;
	case RVI_REG_ICVEC:
		return m->icvec;
	default:
		break;
	}
	if (reg >= RVI_REG_MSI_CFG_TBL && reg < RVI_REG_RESERVED1 && msi_tbl_present(m)) {
		unsigned x = (reg - RVI_REG_MSI_CFG_TBL) / 16;
		switch (reg & 0xf) {
		case 0:
			return m->msi_addr[x];
		case 8:
			return m->msi_data[x];
		case 12:
			return m->msi_vec_ctl[x];
		default:
			break;
		}
	}
	return 0; /* reserved, custom, or an absent feature (invariant (4)) */
}

int rvm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val)
{
	struct reg_access ra;
	int rc;

	if (!m || !val)
		return RVM_EINVAL;
	*val = 0;
	rc = decode(off, size, &ra);
	if (rc)
		return rc;
	pthread_mutex_lock(&m->lock);
	if (hpm_reg(ra.reg)) {
		rc = has(m, RVI_CAP_HPM) ? rvm_hpm_mmio_read(m, off, size, val) : RVM_OK;
	} else {
		*val = (reg_value(m, ra.reg) & ra.mask) >> ra.shift;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Writes: one legalising function per register                              */
/* ------------------------------------------------------------------------ */

static bool any_queue_active(const struct rvm *m)
{
	uint32_t act = RVI_QCSR_EN | RVI_QCSR_ON;
	return (m->cq.csr & act) || (m->fq.csr & act) || (m->pq.csr & act);
}

/* §5.4.  Changing fctl while the IOMMU is translating or a queue is active
 * is UNSPECIFIED; this model ignores such writes (docs/model-registers.md),
 * so byte order and interrupt mode never change under a running queue. */
static void write_fctl(struct rvm *m, uint64_t v)
{
	if (rvm_iommu_mode(m) != RVI_DDTP_MODE_OFF || any_queue_active(m))
		return;
	uint32_t w = m->cfg.fctl_writable; /* already masked by caps at create */
	uint32_t nv = (m->fctl & ~w) | ((uint32_t)v & w);
	if (nv == m->fctl)
		return;
	/* The fast path reads fctl (byte order); make it retry. */
	rvm_seq_write_begin(m);
	m->fctl = nv;
	rvm_seq_write_end(m);
	rvm_intr_update(m); /* WSI <-> MSI: re-drive or release the wires */
}

/* §5.5.  iommu_mode is WARL: an unsupported value is not retained, the
 * previous mode stays.  Mode changes complete synchronously (busy reads 0).
 * Switching between LVL modes without passing through Off/Bare is
 * UNSPECIFIED; the model performs it like any other change.  No change of
 * mode flushes a cache: §5.5 requires software to invalidate. */
static void write_ddtp(struct rvm *m, uint64_t v)
{
	unsigned mode = (unsigned)RVI_FIELD_GET(RVI_DDTP_MODE, v);
	uint64_t nv;

	if (mode >= 8 || !(m->cfg.ddt_modes & (1u << mode)))
		mode = rvm_iommu_mode(m);
	nv = RVI_FIELD_PREP(RVI_DDTP_MODE, mode) | (v & RVI_DDTP_PPN & ppn_mask(m));
	/* The translate fast path reads ddtp; a write section makes any
	 * translation that overlapped this change retry under the lock. */
	rvm_seq_write_begin(m);
	m->ddtp = nv;
	rvm_seq_write_end(m);
}

/* §5.6-5.8.  Writes while the queue is enabled or on are UNSPECIFIED; the
 * model ignores them.  LOG2SZ-1 is clamped to the configured maximum (WARL),
 * the PPN to PAS.  Afterwards the software-owned index (cqt/fqh/pqh) keeps
 * only its bits below LOG2SZ (§5.6), and so does the IOMMU-owned one. */
static void write_qbase(struct rvm_queue *q, uint64_t v, uint8_t log2_max, uint64_t ppn)
{
	if (q->csr & (RVI_QCSR_EN | RVI_QCSR_ON))
		return;
	uint64_t l = RVI_FIELD_GET(RVI_QB_LOG2SZ_1, v);
	if (l > (uint64_t)log2_max - 1)
		l = (uint64_t)log2_max - 1;
	q->base = RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, l) | (v & RVI_QB_PPN & ppn);
	q->head &= queue_mask(q);
	q->tail &= queue_mask(q);
}

/* The part of §5.15-5.17 the three queue CSRs share: RW1C error bits, the
 * interrupt enable, and the en/on handshake.  en 0->1 clears the error
 * bits and the IOMMU-owned index (*index_on_enable: cqh, fqt or pqt), then
 * the queue is on; 1->0 turns it off at once, as nothing is in flight in
 * this synchronous model.  Returns true when this write enabled the queue. */
static bool write_qcsr_(struct rvm_queue *q, uint32_t v, uint32_t rw1c, uint32_t *index_on_enable)
{
	q->csr &= ~(v & rw1c);
	q->csr = (q->csr & ~RVI_QCSR_IE) | (v & RVI_QCSR_IE);
	if (!(q->csr & RVI_QCSR_EN) && (v & RVI_QCSR_EN)) {
		*index_on_enable = 0;
		q->csr &= ~rw1c;
		q->csr |= RVI_QCSR_EN | RVI_QCSR_ON;
		return true;
	}
	if ((q->csr & RVI_QCSR_EN) && !(v & RVI_QCSR_EN))
		q->csr &= ~(uint32_t)(RVI_QCSR_EN | RVI_QCSR_ON);
	return false;
}

/* §5.15 cqcsr: cmd_ill, cmd_to, cqmf and fence_w_ip are RW1C; a command
 * stalled at IOFENCE.C is abandoned when the queue turns off. */
static void write_cqcsr(struct rvm *m, uint32_t v)
{
	if (write_qcsr_(&m->cq, v, RVI_CQCSR_ERRORS | RVI_CQCSR_FENCE_W_IP, &m->cq.head))
		/* A timeout noted before the queue was (re)enabled belongs to
		 * commands that no longer exist. */
		m->ats_timed_out = false;
	/* Clearing the last error bit (or enabling) resumes processing. */
	rvm_cq_process(m);
	rvm_intr_update(m);
}

/* §5.16 fqcsr and §5.17 pqcsr: mf and of are RW1C (fqmf/fqof == pqmf/pqof). */
static void write_record_qcsr(struct rvm *m, struct rvm_queue *q, uint32_t v)
{
	write_qcsr_(q, v, RVI_FQCSR_FQMF | RVI_FQCSR_FQOF, &q->tail);
	rvm_intr_update(m);
}

/* §5.18: RW1C, then any source whose condition still holds sets again. */
static void write_ipsr(struct rvm *m, uint32_t v)
{
	m->ipsr &= ~(v & RVI_IPSR_ALL);
	rvm_intr_update(m);
}

/* §5.24 tr_req_iova: vpn WARL, bits 11:0 reserved. */
static void write_tr_req_iova(struct rvm *m, uint64_t v)
{
	m->tr_req_iova = v & RVI_TR_REQ_IOVA_VPN;
}

/* §5.25 tr_req_ctl.  Go/Busy is RW1S; a 0->1 write runs the request.  The
 * request completes inside rvm_dbg_run(), so Go/Busy reads 0 afterwards. */
static void write_tr_req_ctl(struct rvm *m, uint64_t v)
{
	const uint64_t fields = RVI_TR_REQ_CTL_PRIV | RVI_TR_REQ_CTL_EXE | RVI_TR_REQ_CTL_NW |
	                        RVI_TR_REQ_CTL_PID | RVI_TR_REQ_CTL_PV | RVI_TR_REQ_CTL_DID;
	bool go = (v & RVI_TR_REQ_CTL_GO_BUSY) && !(m->tr_req_ctl & RVI_TR_REQ_CTL_GO_BUSY);

	m->tr_req_ctl = (m->tr_req_ctl & RVI_TR_REQ_CTL_GO_BUSY) | (v & fields);
	if (go) {
		m->tr_req_ctl |= RVI_TR_REQ_CTL_GO_BUSY;
		rvm_dbg_run(m);
		m->tr_req_ctl &= ~RVI_TR_REQ_CTL_GO_BUSY;
	}
}

/* §5.27 [QoSID]: RCID and MCID are WARL to the implemented widths. */
static void write_qosid(struct rvm *m, uint32_t v)
{
	uint32_t rc = (uint32_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_RCID, v);
	uint32_t mc = (uint32_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_MCID, v);
	rc &= (1u << m->cfg.rcid_bits) - 1;
	mc &= (1u << m->cfg.mcid_bits) - 1;
	m->iommu_qosid = (uint32_t)(RVI_FIELD_PREP(RVI_IOMMU_QOSID_RCID, rc) |
	                            RVI_FIELD_PREP(RVI_IOMMU_QOSID_MCID, mc));
}

/* §5.28: each 4-bit vector field keeps its low cfg.icvec_bits bits. */
static void write_icvec(struct rvm *m, uint64_t v)
{
	uint64_t f = (UINT64_C(1) << m->cfg.icvec_bits) - 1;
	uint64_t keep = f | f << 4 | f << 8 | f << 12;
	m->icvec = v & keep;
	rvm_intr_update(m); /* WSI: a pending source may now drive another wire */
}

/* §5.29 msi_cfg_tbl. */
static void write_msi_cfg(struct rvm *m, uint32_t reg, uint64_t v)
{
	unsigned x = (reg - RVI_REG_MSI_CFG_TBL) / 16;

	if (!msi_tbl_present(m))
		return;
	switch (reg & 0xf) {
	case 0: /* ADDR 55:2 WARL, and only addresses below 2^PAS */
		m->msi_addr[x] = v & RVI_MSI_ADDR_ADDR & m->pa_mask;
		break;
	case 8:
		m->msi_data[x] = (uint32_t)v;
		break;
	case 12: {
		bool was_masked = m->msi_vec_ctl[x] & RVI_MSI_VEC_CTL_M;
		m->msi_vec_ctl[x] = (uint32_t)(v & RVI_MSI_VEC_CTL_M);
		if (was_masked && !(v & RVI_MSI_VEC_CTL_M))
			rvm_intr_update(m); /* sends the held message */
		break;
	}
	default:
		break;
	}
}

/* Apply a full-width write value to the register at reg. */
static void reg_write(struct rvm *m, uint32_t reg, uint64_t v)
{
	bool ats = has(m, RVI_CAP_ATS);

	switch (reg) {
	case RVI_REG_FCTL:
		write_fctl(m, v);
		return;
	case RVI_REG_DDTP:
		write_ddtp(m, v);
		return;
	case RVI_REG_CQB:
		write_qbase(&m->cq, v, m->cfg.cq_log2sz_max, ppn_mask(m));
		return;
	case RVI_REG_CQT:
		/* §5.9: WARL, bits at and above LOG2SZ read 0.  Publishing
		 * commands runs them (model.h: side effects complete). */
		m->cq.tail = (uint32_t)v & queue_mask(&m->cq);
		rvm_cq_process(m);
		return;
	case RVI_REG_FQB:
		write_qbase(&m->fq, v, m->cfg.fq_log2sz_max, ppn_mask(m));
		return;
	case RVI_REG_FQH:
		m->fq.head = (uint32_t)v & queue_mask(&m->fq);
		return;
	case RVI_REG_PQB:
		if (ats)
			write_qbase(&m->pq, v, m->cfg.pq_log2sz_max, ppn_mask(m));
		return;
	case RVI_REG_PQH:
		if (ats)
			m->pq.head = (uint32_t)v & queue_mask(&m->pq);
		return;
	case RVI_REG_CQCSR:
		write_cqcsr(m, (uint32_t)v);
		return;
	case RVI_REG_FQCSR:
		write_record_qcsr(m, &m->fq, (uint32_t)v);
		return;
	case RVI_REG_PQCSR:
		if (ats)
			write_record_qcsr(m, &m->pq, (uint32_t)v);
		return;
	case RVI_REG_IPSR:
		write_ipsr(m, (uint32_t)v);
		return;
	case RVI_REG_TR_REQ_IOVA:
		if (has(m, RVI_CAP_DBG))
			write_tr_req_iova(m, v);
		return;
	case RVI_REG_TR_REQ_CTL:
		if (has(m, RVI_CAP_DBG))
			write_tr_req_ctl(m, v);
		return;
	case RVI_REG_IOMMU_QOSID:
		if (has(m, RVI_CAP_QOSID))
			write_qosid(m, (uint32_t)v);
		return;
	case RVI_REG_ICVEC:
		write_icvec(m, v);
		return;
	default:
		break;
	}
	if (reg >= RVI_REG_MSI_CFG_TBL && reg < RVI_REG_RESERVED1)
		write_msi_cfg(m, reg, v);
	/* Everything else (capabilities, cqh, fqt, pqt, tr_response,
	 * reserved and custom space) is read-only. */
}

int rvm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val)
{
	struct reg_access ra;
	int rc;

	if (!m)
		return RVM_EINVAL;
	rc = decode(off, size, &ra);
	if (rc)
		return rc;
	pthread_mutex_lock(&m->lock);
	if (hpm_reg(ra.reg)) {
		if (has(m, RVI_CAP_HPM))
			rc = rvm_hpm_mmio_write(m, off, size, val);
	} else {
		/* Merge a half-register write with the other half's value. */
		uint64_t full = (reg_value(m, ra.reg) & ~ra.mask) | ((val << ra.shift) & ra.mask);
		reg_write(m, ra.reg, full);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}
