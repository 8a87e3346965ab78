/* SPDX-License-Identifier: MIT
 *
 * driver/ddt.c - the device directory and the one device-context writer.
 *
 * Spec: RISC-V IOMMU 1.0 §3.1 (DDT walk, DDI split, base and extended DC
 * formats), §2.0 (the IOMMU may read DC words in any order, and caches a
 * valid DC until IODIR.INVAL_DDT), §9.2 (update rules and the table of
 * required invalidations).
 *
 * rvd_write_dc() compares the new context with the valid one in memory,
 * word by word (after the device overlays, rvd_dc_overlay).  Whole words
 * are compared: the driver never writes reserved bits, so a word whose
 * value changes has a used bit that changes (arm-smmu-v3's "used bits"
 * reduced to words; a change in an unused bit could only send an update
 * down the slower path, never tear it).
 *
 * Hitless (old valid, new valid, at most one word differs), §9.2 "a valid
 * entry may be updated in place only by a single store that keeps it
 * self-consistent": before the store the IOMMU sees the old context,
 * after it the new one, both complete:
 *   H1. store the one changed word (nothing when none changed);
 *   H2. wmb; IODIR.INVAL_DDT DV=1 DID, the IOTINVALs the OLD context
 *       needs (§9.2 table), ATS.INVAL when it had EN_ATS, IOFENCE.C, wait.
 *   One publication; the device never loses its context.
 *
 * Otherwise (fields change together; or the caller forces it, as ATS
 * enable/disable must, §9.2 "Enabling ATS/PRI"), for a DC that is valid:
 *   1. store tc with V=0 (one 64-bit store);
 *   2. wmb; IODIR.INVAL_DDT DV=1 DID, the IOTINVALs the OLD context needs
 *      (§9.2 table), IOFENCE.C, wait;
 *   3. store the other words of the new context;
 *   4. wmb; store tc (V set last, one 64-bit store);
 *   5. wmb; IODIR.INVAL_DDT DV=1 DID, IOFENCE.C, wait.
 * V 0->1 needs no invalidation in principle (invalid DCs are never cached),
 * but step 5 is kept for emulated IOMMUs that ask for it.
 *
 * Invariants
 *   1. Non-leaf DDT levels are allocated on first use and published after
 *      a wmb (zeroes before pointer); they are freed only by rvd_ddt_free().
 *   2. Only rvd_write_dc() stores to a leaf device context.
 *   3. A DC is never observable with V=1 and a mix of old and new words
 *      (hitless: only one word differs, stored at once; else V=0 first).
 *   4. Every valid DC a device gets carries its overlays (ATS tc bits,
 *      QoS IDs in ta), whoever built it.
 */
#include <string.h>

#include "driver/drv_internal.h"

static void *va(struct rvd_iommu *m, uint64_t pa)
{
	return m->host.ops->phys_to_virt(m->host.ctx, pa);
}

static unsigned dc_dwords(const struct rvd_iommu *m)
{
	return m->dc_ext ? RVI_DC_DWORDS_EXT : RVI_DC_DWORDS_BASE;
}

uint64_t *rvd_dir_descend(struct rvd_iommu *m, uint64_t *p, bool alloc, int *err)
{
	uint64_t e = rvd_ld64(p);
	if (!(e & RVI_NL_V)) {
		uint64_t phys;
		void *v;
		if (!alloc) {
			*err = -ENOENT;
			return NULL;
		}
		int rc = rvd_host_alloc(&m->host, 0, &phys, &v);
		if (rc) {
			*err = rc;
			return NULL;
		}
		e = RVI_NL_V | RVI_FIELD_PREP(RVI_NL_PPN, phys >> RVI_PAGE_SHIFT);
		/* Invariant 1: the zeroed page is visible before the pointer
		 * to it, since the IOMMU may walk the entry at any time. */
		m->host.ops->wmb(m->host.ctx);
		rvd_st64(p, e);
	}
	return va(m, RVI_FIELD_GET(RVI_NL_PPN, e) << RVI_PAGE_SHIFT);
}

uint64_t *rvd_ddt_dc(struct rvd_iommu *m, uint32_t did, bool alloc, int *err)
{
	if (did >> rvi_ddt_device_id_bits(m->ddt_levels, m->dc_ext)) {
		*err = -EINVAL;
		return NULL;
	}
	uint64_t *t = va(m, m->ddt_root);
	for (unsigned i = m->ddt_levels - 1; i > 0 && t; i--)
		t = rvd_dir_descend(m, &t[rvi_ddi(did, i, m->dc_ext)], alloc, err);
	return t ? t + (size_t)rvi_ddi(did, 0, m->dc_ext) * dc_dwords(m) : NULL;
}

/* §9.2: the invalidations a valid DC 'old' needs once it stops being used. */
static void add_old_dc_invals(struct rvd_iommu *m, struct rvd_batch *b, const uint64_t *old)
{
	struct rvd_cmd c;
	memset(&c, 0, sizeof(c));
	if (RVI_FIELD_GET(RVI_IOHGATP_MODE, old[RVI_DC_IOHGATP]) != RVI_IOHGATP_BARE) {
		uint32_t gscid = (uint32_t)RVI_FIELD_GET(RVI_IOHGATP_GSCID, old[RVI_DC_IOHGATP]);
		c.op = RVD_CMD_IOTINVAL_VMA; /* GV=1 AV=0 PSCV=0: the VM's first stage */
		c.inval.gv = true;
		c.inval.gscid = gscid;
		rvd_batch_add(m, b, &c);
		c.op = RVD_CMD_IOTINVAL_GVMA; /* GV=1 AV=0: its G-stage and MSI PT */
		rvd_batch_add(m, b, &c);
	} else if (old[RVI_DC_TC] & RVI_DC_TC_PDTV) {
		c.op = RVD_CMD_IOTINVAL_VMA; /* all host address spaces */
		rvd_batch_add(m, b, &c);
	} else if (RVI_FIELD_GET(RVI_FSC_MODE, old[RVI_DC_FSC]) != RVI_IOSATP_BARE) {
		c.op = RVD_CMD_IOTINVAL_VMA;
		c.inval.pscv = true;
		c.inval.pscid = (uint32_t)RVI_FIELD_GET(RVI_DC_TA_PSCID, old[RVI_DC_TA]);
		rvd_batch_add(m, b, &c);
	}
}

static void add_iodir(struct rvd_iommu *m, struct rvd_batch *b, uint32_t did)
{
	struct rvd_cmd c;
	memset(&c, 0, sizeof(c));
	c.op = RVD_CMD_IODIR_INVAL_DDT;
	c.iodir.dv = true;
	c.iodir.did = did;
	rvd_batch_add(m, b, &c);
}

void rvd_dc_overlay(struct rvd_iommu *m, uint32_t did, uint64_t dc[8])
{
	if (!(dc[RVI_DC_TC] & RVI_DC_TC_V))
		return;
	/* ats.c invariant 1: a device with ATS enabled keeps its tc bits. */
	dc[RVI_DC_TC] |= rvd_ats_tc_bits(m, did, dc);
	/* probe.c QoS: the device's RCID/MCID (invariant 4). */
	dc[RVI_DC_TA] =
	    (dc[RVI_DC_TA] & ~(RVI_DC_TA_RCID | RVI_DC_TA_MCID)) | rvd_qos_ta_bits(m, did);
}

/* H2 / step 2: invalidate what the old valid context 'old' left cached. */
static int inval_old(struct rvd_iommu *m, uint32_t did, const uint64_t *old)
{
	struct rvd_batch b;
	rvd_batch_init(&b);
	add_iodir(m, &b, did);
	add_old_dc_invals(m, &b, old);
	/* The device's ATC holds translations of the old context (§9.2
	 * "DevATC": after the IOATC, before the fence). */
	if ((old[RVI_DC_TC] & RVI_DC_TC_EN_ATS) && rvd_ats_find(m, did)) {
		struct rvd_cmd c = rvd_cmd_ats_inval(did, false, 0, rvd_ats_payload_all());
		rvd_batch_add(m, &b, &c);
	}
	return rvd_batch_submit(m, &b, false, false);
}

int rvd_write_dc_ex(struct rvd_iommu *m, uint32_t did, const uint64_t dc_in[8], bool hitless)
{
	int rc = 0;
	uint64_t old[RVI_DC_DWORDS_EXT], dc[8];
	struct rvd_batch b;
	uint64_t *p = rvd_ddt_dc(m, did, true, &rc);
	if (!p)
		return rc;
	unsigned n = dc_dwords(m);
	memcpy(dc, dc_in, sizeof(dc));
	rvd_dc_overlay(m, did, dc);
	for (unsigned i = 0; i < n; i++)
		old[i] = rvd_ld64(&p[i]);

	if ((old[RVI_DC_TC] & RVI_DC_TC_V) && (dc[RVI_DC_TC] & RVI_DC_TC_V) && hitless) {
		unsigned ndiff = 0, w = 0;
		for (unsigned i = 0; i < n; i++)
			if (old[i] != dc[i]) {
				ndiff++;
				w = i;
			}
		if (ndiff <= 1) {
			/* H1. One store: old context before, new one after. */
			if (ndiff)
				rvd_st64(&p[w], dc[w]);
			/* H2. Visible before the IODIR that drops the cached
			 * old copy (§9.2: invalidate after the store). */
			m->host.ops->wmb(m->host.ctx);
			return inval_old(m, did, old);
		}
	}
	if (old[RVI_DC_TC] & RVI_DC_TC_V) {
		/* 1. The device loses its context: V=0 with one store. */
		rvd_st64(&p[RVI_DC_TC], old[RVI_DC_TC] & ~RVI_DC_TC_V);
		/* 2. The V=0 store is globally visible before the IODIR that
		 * tells the IOMMU to drop its cached copy (§9.2: invalidate
		 * after the store is visible). */
		m->host.ops->wmb(m->host.ctx);
		rc = inval_old(m, did, old);
		if (rc)
			return rc; /* the device stays blocked (V=0) */
	}
	/* 3. The body of the new context, V still clear. */
	for (unsigned i = 1; i < n; i++)
		rvd_st64(&p[i], dc[i]);
	/* 4. Every body word is visible before V=1 makes the IOMMU read them
	 * (it may read them in any order, §2.0). */
	m->host.ops->wmb(m->host.ctx);
	rvd_st64(&p[RVI_DC_TC], dc[RVI_DC_TC]);
	/* 5. The new tc is visible before the IODIR that follows it. */
	m->host.ops->wmb(m->host.ctx);
	rvd_batch_init(&b);
	add_iodir(m, &b, did);
	return rvd_batch_submit(m, &b, false, false);
}

int rvd_write_dc(struct rvd_iommu *m, uint32_t did, const uint64_t dc[8])
{
	return rvd_write_dc_ex(m, did, dc, true);
}

static void free_level(struct rvd_iommu *m, uint64_t phys, unsigned level)
{
	if (level > 0) {
		uint64_t *t = va(m, phys);
		for (unsigned i = 0; i < RVI_PAGE_SIZE / 8; i++) {
			uint64_t e = rvd_ld64(&t[i]);
			if (e & RVI_NL_V)
				free_level(m, RVI_FIELD_GET(RVI_NL_PPN, e) << RVI_PAGE_SHIFT,
				           level - 1);
		}
	}
	rvd_host_free(&m->host, phys, 0);
}

void rvd_ddt_free(struct rvd_iommu *m)
{
	free_level(m, m->ddt_root, m->ddt_levels ? m->ddt_levels - 1 : 0);
	m->ddt_root = 0;
}
