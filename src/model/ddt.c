/* SPDX-License-Identifier: MIT
 *
 * model/ddt.c - locating a device context (GET_DC) and checking it.
 *
 * rvm_ddt_get_dc() walks the 1-, 2- or 3-level device directory with the
 * base (32-byte DC) or extended (64-byte DC, caps.MSI_FLAT) index split and
 * returns the DC or the cause that stopped it.  rvm_dc_check() is the
 * spec's list of device-context configuration checks, one early return per
 * rule, numbered as in docs/model-translation.md (and the checklist).
 * rvm_ctx_derive() turns a checked DC (and PC) into the decoded form the
 * translate path and the context cache use.
 *
 * Implements RISC-V IOMMU 1.0 §2.1 (Device-directory table), §2.3 steps 3-6
 * (GET_DC, device_id width), §2.3.1 "Device-context configuration checks",
 * §3.1.3 (DC fields) with the QoSID extension's DC.ta RCID/MCID.  DDT
 * structures are read in fctl.BE byte order (§3.1) at the IOMMU's own QoS
 * IDs (iommu_qosid).
 */
#include "model/translate.h"

int rvm_ddt_get_dc(struct rvm *m, uint32_t device_id, uint64_t dc[RVI_DC_DWORDS_EXT])
{
	bool ext = m->extended_dc;
	unsigned levels = rvi_ddt_levels(rvm_iommu_mode(m));
	struct rvm_mem_attr attr = rvm_attr_iommu(m, RVM_MEM_DDT);
	struct rvm_hpm_ids ids = {.did = device_id};
	bool be = rvm_fctl_be(m);
	uint64_t a = RVI_FIELD_GET(RVI_DDTP_PPN, m->ddtp) << RVI_PAGE_SHIFT;
	int st;

	for (unsigned i = 0; i < RVI_DC_DWORDS_EXT; i++)
		dc[i] = 0;
	if (device_id >> rvi_ddt_device_id_bits(levels, ext)) /* step 5: too wide */
		return RVI_CAUSE_TTYPE_DISALLOWED;
	for (unsigned i = levels - 1; i > 0; i--) {
		uint64_t ddte;
		rvm_hpm_count(m, RVI_HPM_EV_DDT_WALK, &ids);
		st = rvm_mem_read64(m, a + 8u * rvi_ddi(device_id, i, ext), be, &ddte, &attr);
		if (st == RVM_MEM_POISON) /* §2.1: data corruption */
			return RVI_CAUSE_DDT_CORRUPTED;
		if (st) /* §2.1: PMA/PMP violation */
			return RVI_CAUSE_DDT_LOAD_FAULT;
		if (!(ddte & RVI_NL_V))
			return RVI_CAUSE_DDT_INVALID;
		if (ddte & RVI_NL_RESERVED)
			return RVI_CAUSE_DDT_MISCONFIGURED;
		a = RVI_FIELD_GET(RVI_NL_PPN, ddte) << RVI_PAGE_SHIFT;
	}
	unsigned n = ext ? RVI_DC_DWORDS_EXT : RVI_DC_DWORDS_BASE;
	rvm_hpm_count(m, RVI_HPM_EV_DDT_WALK, &ids);
	st = rvm_mem_read_dws(m, a + (uint64_t)rvi_ddi(device_id, 0, ext) * n * 8u, be, dc, n,
	                      &attr);
	if (st == RVM_MEM_POISON)
		return RVI_CAUSE_DDT_CORRUPTED;
	if (st)
		return RVI_CAUSE_DDT_LOAD_FAULT;
	if (!(dc[RVI_DC_TC] & RVI_DC_TC_V))
		return RVI_CAUSE_DDT_INVALID;
	return rvm_dc_check(m, dc);
}

static bool sxl_ok_(const struct rvm *m, bool sxl)
{
	if (m->fctl & RVI_FCTL_GXL)
		return sxl; /* GXL=1 requires SXL=1 */
	return !sxl || m->cfg.sxl_writable;
}

static bool beyond_pas_(const struct rvm *m, uint64_t ppn)
{
	return ((ppn << RVI_PAGE_SHIFT) & ~m->pa_mask) != 0;
}

int rvm_dc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT])
{
	const uint64_t caps = m->caps;
	const uint64_t tc = dc[RVI_DC_TC], hgatp = dc[RVI_DC_IOHGATP], ta = dc[RVI_DC_TA];
	const uint64_t fsc = dc[RVI_DC_FSC];
	const bool gxl = m->fctl & RVI_FCTL_GXL, sxl = tc & RVI_DC_TC_SXL;
	const bool pdtv = tc & RVI_DC_TC_PDTV, en_ats = tc & RVI_DC_TC_EN_ATS;
	const bool en_pri = tc & RVI_DC_TC_EN_PRI, t2gpa = tc & RVI_DC_TC_T2GPA;
	const unsigned fsc_mode = (unsigned)RVI_FIELD_GET(RVI_FSC_MODE, fsc);
	const unsigned g_mode = (unsigned)RVI_FIELD_GET(RVI_IOHGATP_MODE, hgatp);
	const int g_fmt = rvm_pt_fmt_from_hgatp(g_mode, gxl);
	const int s_fmt = rvm_pt_fmt_from_satp(fsc_mode, sxl);
	const unsigned msi_mode =
	    m->extended_dc ? (unsigned)RVI_FIELD_GET(RVI_MSIPTP_MODE, dc[RVI_DC_MSIPTP]) : 0;
	/* Mask/pattern bits 51:(MGPAW-12) are reserved when MGPAW < 64. */
	const uint64_t msi_rsvd =
	    RVI_MSI_ADDR_MASK_RESERVED | ~((UINT64_C(1) << (rvi_mgpaw(caps) - 12)) - 1);

	/* 1. reserved bits and encodings (§2.3.1) */
	if (tc & RVI_DC_TC_RESERVED)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	if (ta & RVI_DC_TA_RESERVED)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	if (!(caps & RVI_CAP_QOSID) && (ta & (RVI_DC_TA_RCID | RVI_DC_TA_MCID)))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	if (fsc & RVI_FSC_RESERVED)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	if (pdtv && rvi_pdt_levels(fsc_mode) == 0 && fsc_mode != RVI_PDTP_BARE)
		return RVI_CAUSE_DDT_MISCONFIGURED; /* pdtp.MODE 4..15 */
	if (m->extended_dc) {
		if (dc[RVI_DC_MSIPTP] & RVI_MSIPTP_RESERVED)
			return RVI_CAUSE_DDT_MISCONFIGURED;
		if ((dc[RVI_DC_MSI_ADDR_MASK] | dc[RVI_DC_MSI_ADDR_PATTERN]) & msi_rsvd)
			return RVI_CAUSE_DDT_MISCONFIGURED;
		if (dc[RVI_DC_RESERVED7])
			return RVI_CAUSE_DDT_MISCONFIGURED;
	}
	/* 2. caps.ATS=0 and EN_ATS, EN_PRI or PRPR */
	if (!(caps & RVI_CAP_ATS) && (tc & (RVI_DC_TC_EN_ATS | RVI_DC_TC_EN_PRI | RVI_DC_TC_PRPR)))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 3. EN_ATS=0 and T2GPA=1 */
	if (!en_ats && t2gpa)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 4. EN_ATS=0 and EN_PRI=1 */
	if (!en_ats && en_pri)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 5. EN_PRI=0 and PRPR=1 */
	if (!en_pri && (tc & RVI_DC_TC_PRPR))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 6. caps.T2GPA=0 and T2GPA=1 */
	if (!(caps & RVI_CAP_T2GPA) && t2gpa)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 7. T2GPA=1 and iohgatp Bare */
	if (t2gpa && g_mode == RVI_IOHGATP_BARE)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 8. PDTV=1 and pdtp.MODE not supported */
	if (pdtv && ((fsc_mode == RVI_PDTP_PD8 && !(caps & RVI_CAP_PD8)) ||
	             (fsc_mode == RVI_PDTP_PD17 && !(caps & RVI_CAP_PD17)) ||
	             (fsc_mode == RVI_PDTP_PD20 && !(caps & RVI_CAP_PD20))))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 9. PDTV=0 and iosatp.MODE not valid for SXL */
	if (!pdtv && s_fmt < 0)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 10. PDTV=0, SXL=0, Sv39/48/57 not supported */
	if (!pdtv && !sxl &&
	    ((s_fmt == RVM_PT_SV39 && !(caps & RVI_CAP_SV39)) ||
	     (s_fmt == RVM_PT_SV48 && !(caps & RVI_CAP_SV48)) ||
	     (s_fmt == RVM_PT_SV57 && !(caps & RVI_CAP_SV57))))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 11. PDTV=0, SXL=1, Sv32 not supported */
	if (!pdtv && sxl && s_fmt == RVM_PT_SV32 && !(caps & RVI_CAP_SV32))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 12. PDTV=0 and DPE=1 */
	if (!pdtv && (tc & RVI_DC_TC_DPE))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 13. iohgatp.MODE not valid for GXL */
	if (g_fmt < 0)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 14. GXL=0 and Sv39x4/48x4/57x4 not supported */
	if (!gxl && ((g_fmt == RVM_PT_SV39X4 && !(caps & RVI_CAP_SV39X4)) ||
	             (g_fmt == RVM_PT_SV48X4 && !(caps & RVI_CAP_SV48X4)) ||
	             (g_fmt == RVM_PT_SV57X4 && !(caps & RVI_CAP_SV57X4))))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 15. GXL=1 and Sv32x4 not supported */
	if (gxl && g_fmt == RVM_PT_SV32X4 && !(caps & RVI_CAP_SV32X4))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 16. caps.MSI_FLAT=1 and msiptp.MODE neither Off nor Flat */
	if (m->extended_dc && msi_mode != RVI_MSIPTP_OFF && msi_mode != RVI_MSIPTP_FLAT)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 17. iohgatp not Bare and its PPN not 16 KiB aligned */
	if (g_mode != RVI_IOHGATP_BARE && (RVI_FIELD_GET(RVI_IOHGATP_PPN, hgatp) & 3))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 18. caps.AMO_HWAD=0 and SADE or GADE */
	if (!(caps & RVI_CAP_AMO_HWAD) && (tc & (RVI_DC_TC_SADE | RVI_DC_TC_GADE)))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 19. caps.END=0 and fctl.BE != tc.SBE */
	if (!(caps & RVI_CAP_END) && !(m->fctl & RVI_FCTL_BE) != !(tc & RVI_DC_TC_SBE))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 20. tc.SXL illegal for fctl.GXL and the SXL writability */
	if (!sxl_ok_(m, sxl))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 21. tc.SBE illegal: fctl.BE fixed, so SBE must equal it */
	if (!(m->cfg.fctl_writable & RVI_FCTL_BE) &&
	    !(m->fctl & RVI_FCTL_BE) != !(tc & RVI_DC_TC_SBE))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 22. caps.QOSID=1 and RCID/MCID wider than implemented */
	if ((caps & RVI_CAP_QOSID) && ((RVI_FIELD_GET(RVI_DC_TA_RCID, ta) >> m->cfg.rcid_bits) ||
	                               (RVI_FIELD_GET(RVI_DC_TA_MCID, ta) >> m->cfg.mcid_bits)))
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* 23. (recommended, 20260222) iohgatp Bare and msiptp not Off */
	if (g_mode == RVI_IOHGATP_BARE && msi_mode != RVI_MSIPTP_OFF)
		return RVI_CAUSE_DDT_MISCONFIGURED;
	/* Optional (cfg.check_dc_addr_width): SPAs in the DC beyond PAS. */
	if (m->cfg.check_dc_addr_width) {
		if (g_mode != RVI_IOHGATP_BARE &&
		    beyond_pas_(m, RVI_FIELD_GET(RVI_IOHGATP_PPN, hgatp)))
			return RVI_CAUSE_DDT_MISCONFIGURED;
		if (g_mode == RVI_IOHGATP_BARE && fsc_mode != 0 &&
		    beyond_pas_(m, RVI_FIELD_GET(RVI_FSC_PPN, fsc)))
			return RVI_CAUSE_DDT_MISCONFIGURED;
	}
	return 0;
}

void rvm_ctx_derive(const struct rvm *m, struct rvm_ctx *c)
{
	const uint64_t tc = c->dc[RVI_DC_TC], hgatp = c->dc[RVI_DC_IOHGATP], ta = c->dc[RVI_DC_TA];
	const bool sxl = tc & RVI_DC_TC_SXL;
	int g = rvm_pt_fmt_from_hgatp((unsigned)RVI_FIELD_GET(RVI_IOHGATP_MODE, hgatp),
	                              m->fctl & RVI_FCTL_GXL);
	c->g_fmt = (uint8_t)(g < 0 ? RVM_PT_BARE : g);
	c->g_root = RVI_FIELD_GET(RVI_IOHGATP_PPN, hgatp) << RVI_PAGE_SHIFT;
	c->gscid = (uint16_t)RVI_FIELD_GET(RVI_IOHGATP_GSCID, hgatp);
	c->gv = c->g_fmt != RVM_PT_BARE;

	uint64_t fsc = 0;
	c->ens = c->sum = false;
	c->pscid = 0;
	if (c->has_pc) {
		fsc = c->pc[RVI_PC_FSC];
		c->pscid = (uint32_t)RVI_FIELD_GET(RVI_PC_TA_PSCID, c->pc[RVI_PC_TA]);
		c->ens = c->pc[RVI_PC_TA] & RVI_PC_TA_ENS;
		c->sum = c->pc[RVI_PC_TA] & RVI_PC_TA_SUM;
	} else if (!(tc & RVI_DC_TC_PDTV)) {
		fsc = c->dc[RVI_DC_FSC];
		c->pscid = (uint32_t)RVI_FIELD_GET(RVI_DC_TA_PSCID, ta);
	}
	int s = rvm_pt_fmt_from_satp((unsigned)RVI_FIELD_GET(RVI_FSC_MODE, fsc), sxl);
	c->s1_fmt = (uint8_t)(s < 0 ? RVM_PT_BARE : s);
	c->s1_root = RVI_FIELD_GET(RVI_FSC_PPN, fsc) << RVI_PAGE_SHIFT;
	c->pscv = c->s1_fmt != RVM_PT_BARE;
	if (!c->pscv)
		c->pscid = 0;

	c->sbe = tc & RVI_DC_TC_SBE;
	c->sade = tc & RVI_DC_TC_SADE;
	c->gade = tc & RVI_DC_TC_GADE;
	c->dtf = tc & RVI_DC_TC_DTF;
	c->msi_flat = m->extended_dc &&
	              RVI_FIELD_GET(RVI_MSIPTP_MODE, c->dc[RVI_DC_MSIPTP]) == RVI_MSIPTP_FLAT;
	c->msi_root = RVI_FIELD_GET(RVI_MSIPTP_PPN, c->dc[RVI_DC_MSIPTP]) << RVI_PAGE_SHIFT;
	c->msi_mask = c->dc[RVI_DC_MSI_ADDR_MASK] & RVI_MSI_ADDR_MASK_MASK;
	c->msi_pattern = c->dc[RVI_DC_MSI_ADDR_PATTERN] & RVI_MSI_ADDR_MASK_MASK;
	bool qos = m->caps & RVI_CAP_QOSID;
	c->rcid = qos ? (uint16_t)RVI_FIELD_GET(RVI_DC_TA_RCID, ta) : 0;
	c->mcid = qos ? (uint16_t)RVI_FIELD_GET(RVI_DC_TA_MCID, ta) : 0;
}
