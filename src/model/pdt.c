/* SPDX-License-Identifier: MIT
 *
 * model/pdt.c - locating a process context (GET_PC) and checking it.
 *
 * The process directory is a 1-, 2- or 3-level radix table (PD8, PD17,
 * PD20) of 8-byte non-leaf entries and 16-byte process contexts, read in
 * DC.tc.SBE byte order.  When the G-stage is active every PDT address is a
 * GPA: each entry's address goes through the G-stage as an implicit load,
 * and a fault there is reported as §2.4 step 3 says (guest-page fault of
 * the original type with iotval2 bit 0 = 1; access fault -> 265; corrupt
 * G-stage data -> 269).
 *
 * Implements RISC-V IOMMU 1.0 §2.4 (Process-directory table and GET_PC),
 * §2.4.1 "Process-context configuration checks", §3.2 (PC fields).
 */
#include "model/translate.h"

/* Map a fault of the implicit G-stage access to its §2.4 step 3 cause. */
static int pdt_gstage_cause_(int rc)
{
	switch (rc) {
	case RVI_CAUSE_INSN_ACCESS:
	case RVI_CAUSE_RD_ACCESS:
	case RVI_CAUSE_WR_ACCESS:
		return RVI_CAUSE_PDT_LOAD_FAULT;
	case RVI_CAUSE_PT_CORRUPTED:
		return RVI_CAUSE_PDT_CORRUPTED;
	default:
		return rc; /* guest-page faults keep the original type */
	}
}

static int pdt_mem_cause_(int st)
{
	return st == RVM_MEM_POISON ? RVI_CAUSE_PDT_CORRUPTED : RVI_CAUSE_PDT_LOAD_FAULT;
}

int rvm_pdt_get_pc(const struct rvm_walk_req *w, uint32_t process_id, uint64_t pc[2],
                   uint64_t *iotval2)
{
	const struct rvm_ctx *c = w->c;
	struct rvm *m = w->m;
	uint64_t pdtp = c->dc[RVI_DC_FSC];
	unsigned levels = rvi_pdt_levels((unsigned)RVI_FIELD_GET(RVI_FSC_MODE, pdtp));
	uint64_t a = RVI_FIELD_GET(RVI_FSC_PPN, pdtp) << RVI_PAGE_SHIFT;
	struct rvm_mem_attr attr = rvm_attr_ctx(c, RVM_MEM_PDT);
	int rc;

	uint64_t spa = 0;

	pc[0] = pc[1] = 0;
	for (unsigned i = levels - 1;; i--) {
		/* step 2 (the spec's "PDI[2]" means PDI[i]) */
		a += i ? 8u * rvi_pdi(process_id, i)
		       : (uint64_t)RVI_PC_SIZE * rvi_pdi(process_id, 0);
		spa = a;
		if (c->gv) { /* step 3: implicit G-stage load */
			rc = rvm_walk_g_implicit(w, a, false, &spa, iotval2);
			if (rc)
				return pdt_gstage_cause_(rc);
		}
		rvm_hpm_count(m, RVI_HPM_EV_PDT_WALK, w->ids);
		if (i == 0)
			break;
		uint64_t pdte;
		rc = rvm_mem_read64(m, spa, c->sbe, &pdte, &attr);
		if (rc) /* step 4 */
			return pdt_mem_cause_(rc);
		if (!(pdte & RVI_NL_V))
			return RVI_CAUSE_PDT_INVALID;
		if (pdte & RVI_NL_RESERVED)
			return RVI_CAUSE_PDT_MISCONFIGURED;
		a = RVI_FIELD_GET(RVI_NL_PPN, pdte) << RVI_PAGE_SHIFT;
	}
	rc = rvm_mem_read_dws(m, spa, c->sbe, pc, 2, &attr);
	if (rc) /* step 5 */
		return pdt_mem_cause_(rc);
	if (!(pc[RVI_PC_TA] & RVI_PC_TA_V))
		return RVI_CAUSE_PDT_INVALID;
	return rvm_pc_check(m, c->dc, pc);
}

int rvm_pc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT], const uint64_t pc[2])
{
	const bool sxl = dc[RVI_DC_TC] & RVI_DC_TC_SXL;
	const int fmt =
	    rvm_pt_fmt_from_satp((unsigned)RVI_FIELD_GET(RVI_FSC_MODE, pc[RVI_PC_FSC]), sxl);
	const uint64_t caps = m->caps;

	/* 1. reserved bits */
	if ((pc[RVI_PC_TA] & RVI_PC_TA_RESERVED) || (pc[RVI_PC_FSC] & RVI_PC_FSC_RESERVED))
		return RVI_CAUSE_PDT_MISCONFIGURED;
	/* 2. fsc.MODE not a valid encoding for DC.tc.SXL */
	if (fmt < 0)
		return RVI_CAUSE_PDT_MISCONFIGURED;
	/* 3. SXL=0 and Sv39/48/57 not supported */
	if (!sxl && ((fmt == RVM_PT_SV39 && !(caps & RVI_CAP_SV39)) ||
	             (fmt == RVM_PT_SV48 && !(caps & RVI_CAP_SV48)) ||
	             (fmt == RVM_PT_SV57 && !(caps & RVI_CAP_SV57))))
		return RVI_CAUSE_PDT_MISCONFIGURED;
	/* 4. SXL=1 and Sv32 not supported */
	if (sxl && fmt == RVM_PT_SV32 && !(caps & RVI_CAP_SV32))
		return RVI_CAUSE_PDT_MISCONFIGURED;
	return 0;
}
