/* SPDX-License-Identifier: MIT
 *
 * driver/probe.c - bring-up and teardown of one IOMMU.
 *
 * Spec: RISC-V IOMMU 1.0 chapter "Software guidelines", §9.1 in
 * CHECKLIST.md (initialisation), §5.3-5.8, §5.15-5.17, §5.28-5.29.
 *
 * Order (the guideline's steps, and the function that does each):
 *   0. quiesce: ddtp -> Off, queues off                      quiesce()
 *   1. capabilities, version 1.x                             rvd_probe
 *   2. fctl.BE = host byte order, or fail (END=0)            set_fctl()
 *   3. fctl.WSI per cfg and IGS, or fail                     set_fctl()
 *   4. first/second-stage formats and the stage policy       pick_formats()
 *   4b. QoSID: probe iommu_qosid widths, program cfg.rcid/
 *      mcid while ddtp is Off (§9.1 item 11)                 rvd_qos_probe()
 *   5. icvec: probe the writable bits, assign vectors        setup_irqs()
 *   6. msi_cfg_tbl (MSI mode)                                setup_irqs()
 *   7-9. CQ, FQ, PQ (with ATS): size read back from the WARL
 *      LOG2SZ field, index = 0, en = 1, wait on              setup_queue()
 *   10. DDT: probe modes by write/read-back from Off, choose
 *      the shallowest supported mode that covers
 *      cfg.device_id_bits, invalidate all, fence             setup_ddt()
 * Devices stay blocked (all DCs invalid) until attached.
 */
#include <string.h>

#include "driver/drv_internal.h"

static uint32_t rd32(struct rvd_iommu *m, uint32_t off)
{
	return m->host.ops->read32(m->host.ctx, off);
}
static uint64_t rd64(struct rvd_iommu *m, uint32_t off)
{
	return m->host.ops->read64(m->host.ctx, off);
}
static void wr32(struct rvd_iommu *m, uint32_t off, uint32_t v)
{
	m->host.ops->write32(m->host.ctx, off, v);
}
static void wr64(struct rvd_iommu *m, uint32_t off, uint64_t v)
{
	m->host.ops->write64(m->host.ctx, off, v);
}

static bool host_is_be(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one == 0;
}

static int wait_ddtp(struct rvd_iommu *m)
{
	const struct rvd_os_ops *o = m->host.ops;
	uint64_t t0 = o->now_ns(m->host.ctx);
	while (rd64(m, RVI_REG_DDTP) & RVI_DDTP_BUSY) {
		if (o->now_ns(m->host.ctx) - t0 > m->timeout_ns)
			return -ETIMEDOUT;
		o->delay_ns(m->host.ctx, 1000);
	}
	return 0;
}

static int write_ddtp(struct rvd_iommu *m, uint64_t v)
{
	int rc = wait_ddtp(m); /* writing while busy is UNSPECIFIED (§5.5) */
	if (rc)
		return rc;
	wr64(m, RVI_REG_DDTP, v);
	return wait_ddtp(m);
}

static int queue_off(struct rvd_iommu *m, uint32_t csr_off)
{
	wr32(m, csr_off, 0);
	return rvd_wait32(m, csr_off, RVI_QCSR_ON | RVI_QCSR_BUSY, 0);
}

static int quiesce(struct rvd_iommu *m)
{
	uint64_t ddtp = rd64(m, RVI_REG_DDTP);
	int rc;
	/* Keep the PPN when going Off (§5.5: SW must not change it then). */
	rc = write_ddtp(m, ddtp & RVI_DDTP_PPN);
	if (!rc)
		rc = queue_off(m, RVI_REG_CQCSR);
	if (!rc)
		rc = queue_off(m, RVI_REG_FQCSR);
	if (!rc && (m->caps & RVI_CAP_ATS))
		rc = queue_off(m, RVI_REG_PQCSR);
	return rc;
}

static int set_fctl(struct rvd_iommu *m)
{
	uint32_t fctl = rd32(m, RVI_REG_FCTL);
	uint32_t want = fctl & ~(RVI_FCTL_BE | RVI_FCTL_WSI);
	unsigned igs = (unsigned)RVI_FIELD_GET(RVI_CAP_IGS, m->caps);
	if (host_is_be())
		want |= RVI_FCTL_BE;
	if (m->cfg.use_wsi) {
		if (igs != RVI_IGS_WSI && igs != RVI_IGS_BOTH) {
			rvd_logf(&m->host, RVD_LOG_ERR, "probe: wired interrupts not supported");
			return -ENODEV;
		}
		want |= RVI_FCTL_WSI;
	} else if (igs != RVI_IGS_MSI && igs != RVI_IGS_BOTH) {
		rvd_logf(&m->host, RVD_LOG_ERR, "probe: MSIs not supported");
		return -ENODEV;
	}
	if (want != fctl)
		wr32(m, RVI_REG_FCTL, want);
	m->fctl = rd32(m, RVI_REG_FCTL);
	if ((m->fctl & RVI_FCTL_BE) != (want & RVI_FCTL_BE)) {
		rvd_logf(&m->host, RVD_LOG_ERR, "probe: can not set fctl.BE to the host's order%s",
		         (m->caps & RVI_CAP_END) ? "" : " (caps.END = 0)");
		return -ENODEV;
	}
	if ((m->fctl & RVI_FCTL_WSI) != (want & RVI_FCTL_WSI)) {
		rvd_logf(&m->host, RVD_LOG_ERR, "probe: fctl.WSI did not take");
		return -ENODEV;
	}
	return 0;
}

static int pick_formats(struct rvd_iommu *m)
{
	m->fmt_s1 = m->fmt_s2 = NULL;
	for (int id = RVD_PT_SV57; id >= RVD_PT_SV39; id--)
		if (!m->fmt_s1 && (m->caps & rvd_pt_fmts[id].cap))
			m->fmt_s1 = &rvd_pt_fmts[id];
	/* fctl.GXL = 1 offers only Sv32x4, which this driver does not use. */
	if (!(m->fctl & RVI_FCTL_GXL))
		for (int id = RVD_PT_SV57X4; id >= RVD_PT_SV39X4; id--)
			if (!m->fmt_s2 && (m->caps & rvd_pt_fmts[id].cap))
				m->fmt_s2 = &rvd_pt_fmts[id];
	switch (m->cfg.stage) {
	case RVD_STAGE_AUTO:
		/* The second stage when present: the MSI page table needs an
		 * active G-stage (iohgatp != Bare, §3.1.3.5). */
		m->default_stage = m->fmt_s2 ? 2 : m->fmt_s1 ? 1 : 0;
		break;
	case RVD_STAGE_FIRST:
		m->default_stage = m->fmt_s1 ? 1 : 0;
		break;
	case RVD_STAGE_SECOND:
		m->default_stage = m->fmt_s2 ? 2 : 0;
		break;
	}
	if (!m->default_stage) {
		rvd_logf(&m->host, RVD_LOG_ERR, "probe: no page-table format for the stage policy");
		return -ENODEV;
	}
	return 0;
}

static void setup_irqs(struct rvd_iommu *m)
{
	/* §5.28: write all ones to a field, the bits that stick are its
	 * writable bits; 2^N vectors. */
	wr64(m, RVI_REG_ICVEC, RVI_ICVEC_CIV);
	unsigned bits =
	    (unsigned)__builtin_popcountll(RVI_FIELD_GET(RVI_ICVEC_CIV, rd64(m, RVI_REG_ICVEC)));
	m->nvec = 1u << bits;
	unsigned mask = m->nvec - 1;
	wr64(m, RVI_REG_ICVEC,
	     RVI_FIELD_PREP(RVI_ICVEC_CIV, 0 & mask) | RVI_FIELD_PREP(RVI_ICVEC_FIV, 1 & mask) |
	         RVI_FIELD_PREP(RVI_ICVEC_PMIV, 2 & mask) |
	         RVI_FIELD_PREP(RVI_ICVEC_PIV, 3 & mask));
	if (m->fctl & RVI_FCTL_WSI)
		return; /* the platform's interrupt controller routes the wires */
	for (unsigned v = 0; v < m->cfg.msi_vectors && v < m->nvec && v < RVI_MSI_CFG_ENTRIES;
	     v++) {
		wr64(m, RVI_REG_MSI_ADDR(v), m->cfg.msi_addr[v] & RVI_MSI_ADDR_ADDR);
		wr32(m, RVI_REG_MSI_DATA(v), m->cfg.msi_data[v]);
		wr32(m, RVI_REG_MSI_VEC_CTL(v), 0); /* unmask */
	}
}

static int setup_queue(struct rvd_iommu *m, struct rvd_queue *q, unsigned lg2, unsigned esize,
                       uint32_t qb, uint32_t idx_reg, uint32_t csr)
{
	uint64_t bytes = (uint64_t)esize << lg2;
	unsigned order = 0;
	while ((RVI_PAGE_SIZE << order) < bytes)
		order++;
	/* Size and natural alignment: 4 KiB, or the queue size (§5.6). */
	int rc = rvd_host_alloc(&m->host, order, &q->phys, &q->virt);
	if (rc)
		return rc;
	q->order = order;
	wr64(m, qb,
	     RVI_FIELD_PREP(RVI_QB_PPN, q->phys >> RVI_PAGE_SHIFT) |
	         RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, lg2 - 1));
	uint64_t back = rd64(m, qb);
	/* LOG2SZ is WARL: use the size the IOMMU kept (never larger). */
	q->lg2 = (unsigned)RVI_FIELD_GET(RVI_QB_LOG2SZ_1, back) + 1;
	if (RVI_FIELD_GET(RVI_QB_PPN, back) != q->phys >> RVI_PAGE_SHIFT || q->lg2 > lg2) {
		rvd_logf(&m->host, RVD_LOG_ERR, "probe: queue base 0x%llx not accepted",
		         (unsigned long long)q->phys);
		return -ENODEV;
	}
	q->mask = (1u << q->lg2) - 1;
	q->idx = 0;
	wr32(m, idx_reg, 0);
	wr32(m, csr, RVI_QCSR_EN | RVI_QCSR_IE);
	return rvd_wait32(m, csr, RVI_QCSR_ON | RVI_QCSR_BUSY, RVI_QCSR_ON);
}

static void free_queue(struct rvd_iommu *m, struct rvd_queue *q)
{
	if (q->virt)
		rvd_host_free(&m->host, q->phys, q->order);
	q->virt = NULL;
}

static int inval_all(struct rvd_iommu *m)
{
	struct rvd_batch b;
	struct rvd_cmd c;
	rvd_batch_init(&b);
	memset(&c, 0, sizeof(c));
	c.op = RVD_CMD_IODIR_INVAL_DDT; /* DV=0: every DDT and PDT entry */
	rvd_batch_add(m, &b, &c);
	memset(&c, 0, sizeof(c));
	c.op = RVD_CMD_IOTINVAL_VMA; /* GV=AV=PSCV=0: all host address spaces */
	rvd_batch_add(m, &b, &c);
	memset(&c, 0, sizeof(c));
	c.op = RVD_CMD_IOTINVAL_GVMA; /* GV=0: all G-stage and MSI entries */
	rvd_batch_add(m, &b, &c);
	return rvd_batch_submit(m, &b, false, false);
}

static int setup_ddt(struct rvd_iommu *m)
{
	void *v;
	int rc = rvd_host_alloc(&m->host, 0, &m->ddt_root, &v);
	if (rc)
		return rc;
	m->dc_ext = m->caps & RVI_CAP_MSI_FLAT; /* 64-byte DCs (§3.1.3) */
	uint64_t ppn = RVI_FIELD_PREP(RVI_DDTP_PPN, m->ddt_root >> RVI_PAGE_SHIFT);
	unsigned supported = 0;
	for (unsigned mode = RVI_DDTP_MODE_1LVL; mode <= RVI_DDTP_MODE_3LVL; mode++) {
		/* Only Off -> nLVL is defined (§5.5); return to Off each time. */
		rc = write_ddtp(m, ppn | RVI_FIELD_PREP(RVI_DDTP_MODE, mode));
		if (!rc && RVI_FIELD_GET(RVI_DDTP_MODE, rd64(m, RVI_REG_DDTP)) == mode)
			supported |= 1u << mode;
		if (!rc)
			rc = write_ddtp(m, ppn | RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_OFF));
		if (rc)
			return rc;
	}
	m->ddt_mode = 0;
	for (unsigned mode = RVI_DDTP_MODE_1LVL; mode <= RVI_DDTP_MODE_3LVL; mode++) {
		unsigned levels = rvi_ddt_levels(mode);
		if ((supported & (1u << mode)) &&
		    rvi_ddt_device_id_bits(levels, m->dc_ext) >= m->cfg.device_id_bits) {
			m->ddt_mode = mode;
			break;
		}
	}
	if (!m->ddt_mode) {
		rvd_logf(&m->host, RVD_LOG_ERR,
		         "probe: no DDT mode covers %u-bit device IDs (modes 0x%x)",
		         m->cfg.device_id_bits, supported);
		return -ENODEV;
	}
	m->ddt_levels = rvi_ddt_levels(m->ddt_mode);
	/* Drop anything cached before we owned the IOMMU, then go live. */
	rc = inval_all(m);
	if (!rc)
		rc = write_ddtp(m, ppn | RVI_FIELD_PREP(RVI_DDTP_MODE, m->ddt_mode));
	if (!rc && RVI_FIELD_GET(RVI_DDTP_MODE, rd64(m, RVI_REG_DDTP)) != m->ddt_mode)
		rc = -ENODEV;
	if (!rc)
		rc = inval_all(m);
	return rc;
}

static void init_static_domains(struct rvd_iommu *m)
{
	m->blocked.iommu = m;
	m->blocked.type = RVD_DOMAIN_BLOCKED;
	m->identity.iommu = m;
	m->identity.type = RVD_DOMAIN_IDENTITY;
}

static void teardown(struct rvd_iommu *m)
{
	rvd_pdt_free_all(m);
	if (m->ddt_root)
		rvd_ddt_free(m);
	free_queue(m, &m->cq);
	free_queue(m, &m->fq);
	free_queue(m, &m->pq);
	if (m->pscid_map)
		rvd_host_free(&m->host, m->pscid_map_phys, 0);
	if (m->gscid_map)
		rvd_host_free(&m->host, m->gscid_map_phys, 0);
	struct rvd_host h = m->host;
	rvd_obj_free(&h, m->self_phys, sizeof(*m));
}

struct rvd_iommu *rvd_probe(const struct rvd_os_ops *ops, void *ctx, const struct rvd_config *cfg,
                            int *err)
{
	struct rvd_host h = {ops, ctx};
	uint64_t phys;
	int rc;
	if (!ops || !cfg || cfg->device_id_bits > RVI_DEVICE_ID_BITS || cfg->msi_vectors > 16) {
		rc = -EINVAL;
		goto fail;
	}
	struct rvd_iommu *m = rvd_obj_alloc(&h, sizeof(*m), &phys);
	if (!m) {
		rc = -ENOMEM;
		goto fail;
	}
	m->host = h;
	m->self_phys = phys;
	m->cfg = *cfg;
	m->timeout_ns = cfg->timeout_ns ? cfg->timeout_ns : UINT64_C(100000000);
	if (!m->cfg.cq_lg2)
		m->cfg.cq_lg2 = 10;
	if (!m->cfg.fq_lg2)
		m->cfg.fq_lg2 = 10;
	if (!m->cfg.pq_lg2)
		m->cfg.pq_lg2 = 10;
	if (!m->cfg.inval_threshold)
		m->cfg.inval_threshold = 64;
	init_static_domains(m);

	/* Step 1 */
	m->caps = rd64(m, RVI_REG_CAPABILITIES);
	if (RVI_FIELD_GET(RVI_CAP_VERSION, m->caps) >> 4 != RVI_SPEC_VERSION_1_0 >> 4) {
		rvd_logf(&h, RVD_LOG_ERR, "probe: unsupported version 0x%02x",
		         (unsigned)RVI_FIELD_GET(RVI_CAP_VERSION, m->caps));
		rc = -ENODEV;
		goto fail_free;
	}
	rc = quiesce(m);
	if (!rc)
		rc = set_fctl(m); /* steps 2, 3 */
	if (!rc)
		rc = pick_formats(m); /* step 4 */
	if (!rc)
		rc = rvd_qos_probe(m); /* step 4b: before queues and DDT run */
	if (rc)
		goto fail_free;
	void *v;
	rc = rvd_host_alloc(&h, 0, &m->pscid_map_phys, &v);
	m->pscid_map = rc ? NULL : v;
	if (!rc) {
		rc = rvd_host_alloc(&h, 0, &m->gscid_map_phys, &v);
		m->gscid_map = rc ? NULL : v;
	}
	if (rc)
		goto fail_free;
	m->pscid_map[0] = m->gscid_map[0] = 1; /* ID 0 stays unused */
	setup_irqs(m);                         /* steps 5, 6 */
	rc = setup_queue(m, &m->cq, m->cfg.cq_lg2, RVI_CQ_ENTRY_SIZE, RVI_REG_CQB, RVI_REG_CQT,
	                 RVI_REG_CQCSR);
	if (!rc)
		rc = setup_queue(m, &m->fq, m->cfg.fq_lg2, RVI_FQ_ENTRY_SIZE, RVI_REG_FQB,
		                 RVI_REG_FQH, RVI_REG_FQCSR);
	if (!rc && (m->caps & RVI_CAP_ATS)) {
		rc = setup_queue(m, &m->pq, m->cfg.pq_lg2, RVI_PQ_ENTRY_SIZE, RVI_REG_PQB,
		                 RVI_REG_PQH, RVI_REG_PQCSR);
		m->have_pq = !rc;
	}
	if (!rc)
		rc = setup_ddt(m); /* step 10 */
	if (rc)
		goto fail_quiesce;
	rvd_logf(&h, RVD_LOG_INFO, "probe: ddt mode %u, stage %d, %u vectors", m->ddt_mode,
	         m->default_stage, m->nvec);
	return m;

fail_quiesce:
	quiesce(m);
fail_free:
	teardown(m);
fail:
	if (err)
		*err = rc;
	return NULL;
}

void rvd_remove(struct rvd_iommu *m)
{
	if (!m)
		return;
	m->host.ops->lock(m->host.ctx);
	quiesce(m);
	m->host.ops->unlock(m->host.ctx);
	teardown(m);
}

uint64_t rvd_capabilities(const struct rvd_iommu *m)
{
	return m->caps;
}

int rvd_handle_irq(struct rvd_iommu *m)
{
	int n = 0;
	m->host.ops->lock(m->host.ctx);
	uint32_t ipsr = rd32(m, RVI_REG_IPSR);
	/* Clear first: a record that arrives after the clear sets it again
	 * (§5.18), so none is missed by the drain below. */
	wr32(m, RVI_REG_IPSR, ipsr & (RVI_IPSR_FIP | RVI_IPSR_PIP | RVI_IPSR_CIP));
	n += rvd_fq_drain(m);
	if (m->have_pq)
		n += rvd_pq_drain(m);
	m->host.ops->unlock(m->host.ctx);
	return n;
}
