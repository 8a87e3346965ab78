/* SPDX-License-Identifier: MIT
 *
 * driver/qos.c - QoS IDs (the QoSID extension): the IOMMU's own ones in
 * iommu_qosid, and a device's ones in its DC.ta.
 *
 * Spec: RISC-V IOMMU QoSID 1.0 (CHECKLIST §10): iommu_qosid (0x270; RCID
 * 11:0, MCID 27:16, WARL to the implemented widths) tags DDT, queue and
 * IOMMU-MSI accesses; DC.ta.RCID (51:40) and DC.ta.MCID (63:52) tag the
 * device's PDT, page-table, MSI-PT and MRIF accesses and its translated
 * requests, and are a DC misconfiguration (cause 259) when wider than
 * implemented.  §9.1 item 11: program iommu_qosid before ddtp leaves Off.
 *
 * Probe (rvd_qos_probe, ddtp Off, before the queues are enabled):
 *   1. write all-ones to iommu_qosid, read back: the implemented RCID and
 *      MCID bits (WARL), kept as rcid_mask/mcid_mask;
 *   2. write cfg.rcid/mcid, read back: -EINVAL unless they stuck.
 * Devices: rvd_set_dev_qosid records (did, RCID, MCID) in iommu->qos[];
 * rvd_write_dc puts them in ta of every valid DC of the device (ddt.c
 * invariant 4), and the device's current DC is rewritten at once (a
 * one-word change: hitless).
 *
 * Invariants
 *   1. qos[] holds only non-zero IDs that fit rcid_mask/mcid_mask, so no DC
 *      the driver writes is a 259 misconfiguration.
 *   2. Without caps.QOSID the masks are 0 and qos[] is empty.
 */
#include <string.h>

#include "driver/drv_internal.h"

static uint32_t qosid_of(uint32_t rcid, uint32_t mcid)
{
	return (uint32_t)(RVI_FIELD_PREP(RVI_IOMMU_QOSID_RCID, rcid) |
	                  RVI_FIELD_PREP(RVI_IOMMU_QOSID_MCID, mcid));
}

int rvd_qos_probe(struct rvd_iommu *m)
{
	const struct rvd_os_ops *o = m->host.ops;
	m->rcid_mask = m->mcid_mask = 0;
	if (!(m->caps & RVI_CAP_QOSID))
		return (m->cfg.rcid | m->cfg.mcid) ? -EINVAL : 0;
	/* 1. The WARL widths (only while Off: the IDs tag every DDT and
	 * queue access once the IOMMU runs). */
	o->write32(m->host.ctx, RVI_REG_IOMMU_QOSID, qosid_of(0xfff, 0xfff));
	uint32_t v = o->read32(m->host.ctx, RVI_REG_IOMMU_QOSID);
	m->rcid_mask = (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_RCID, v);
	m->mcid_mask = (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_MCID, v);
	/* 2. The IOMMU's own IDs, checked by read-back. */
	uint32_t want = qosid_of(m->cfg.rcid, m->cfg.mcid);
	if (m->cfg.rcid > 0xfff || m->cfg.mcid > 0xfff)
		want = UINT32_MAX; /* never read back */
	o->write32(m->host.ctx, RVI_REG_IOMMU_QOSID, want);
	if (o->read32(m->host.ctx, RVI_REG_IOMMU_QOSID) != want) {
		o->write32(m->host.ctx, RVI_REG_IOMMU_QOSID, 0);
		rvd_logf(&m->host, RVD_LOG_ERR,
		         "probe: QoS IDs rcid %u mcid %u do not fit 0x%x/0x%x", m->cfg.rcid,
		         m->cfg.mcid, m->rcid_mask, m->mcid_mask);
		return -EINVAL;
	}
	return 0;
}

static int qos_slot(const struct rvd_iommu *m, uint32_t did)
{
	for (unsigned i = 0; i < m->nqos; i++)
		if (m->qos[i].did == did)
			return (int)i;
	return -1;
}

uint64_t rvd_qos_ta_bits(struct rvd_iommu *m, uint32_t did)
{
	int i = m->nqos ? qos_slot(m, did) : -1;
	return i < 0 ? 0 : m->qos[i].ta;
}

int rvd_set_dev_qosid(struct rvd_iommu *m, uint32_t did, uint16_t rcid, uint16_t mcid)
{
	if (!(m->caps & RVI_CAP_QOSID))
		return -ENODEV;
	if ((rcid & ~m->rcid_mask) || (mcid & ~m->mcid_mask) ||
	    did >> rvi_ddt_device_id_bits(m->ddt_levels, m->dc_ext))
		return -EINVAL;
	uint64_t ta = RVI_FIELD_PREP(RVI_DC_TA_RCID, rcid) | RVI_FIELD_PREP(RVI_DC_TA_MCID, mcid);
	int rc = 0;
	m->host.ops->lock(m->host.ctx);
	int i = qos_slot(m, did);
	if (ta && i < 0) {
		if (m->nqos == RVD_MAX_QOS) {
			rc = -ENOSPC;
			goto out;
		}
		i = (int)m->nqos++;
		m->qos[i].did = did;
	}
	if (i >= 0) {
		if (ta)
			m->qos[i].ta = ta;
		else
			m->qos[i] = m->qos[--m->nqos]; /* invariant 1 */
	}
	/* The device's valid DC, rewritten with the new IDs (only ta
	 * changes: hitless, ddt.c). */
	int e;
	const uint64_t *cur = rvd_ddt_dc(m, did, false, &e);
	if (cur && (rvd_ld64(&cur[RVI_DC_TC]) & RVI_DC_TC_V)) {
		uint64_t dc[8] = {0};
		unsigned n = m->dc_ext ? RVI_DC_DWORDS_EXT : RVI_DC_DWORDS_BASE;
		for (unsigned k = 0; k < n; k++)
			dc[k] = rvd_ld64(&cur[k]);
		rc = rvd_write_dc(m, did, dc);
	}
out:
	m->host.ops->unlock(m->host.ctx);
	return rc;
}
