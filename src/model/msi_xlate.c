/* SPDX-License-Identifier: MIT
 *
 * model/msi_xlate.c - MSI address translation through the DC's flat MSI
 * page table, in basic-translate and MRIF mode.
 *
 * A GPA that matches msi_addr_pattern under msi_addr_mask selects MSI PTE
 * I = extract(GPA >> 12, mask) at (msiptp.PPN << 12) | (I * 16), read in
 * fctl.BE order (§3.1.3.5; the AIA's "same as the page tables" wording is
 * not followed, see docs/model-translation.md).  MSI PTEs have no A/D bits.
 *
 * For an MRIF-mode PTE the model performs the MRIF update and the notice
 * MSI itself (the AIA allows the IOMMU or the bridge to do it): it sets the
 * pending bit of the identity in the 512-byte, always little-endian MRIF,
 * then writes the 11-bit notice ID to NPPN << 12, even when the identity's
 * enable bit is 0.
 *
 * Implements RISC-V IOMMU 1.0 §2.3 step 18, §3.1.3.5-6, and RISC-V AIA
 * §9.5 (MSI page tables, MRIFs and the write handling of MRIF mode).
 */
#include "model/translate.h"

int rvm_msi_translate(const struct rvm_walk_req *w, uint64_t gpa, struct rvm_msi_res *out)
{
	const struct rvm_ctx *c = w->c;
	struct rvm *m = w->m;
	uint64_t idx = rvi_msi_extract(gpa >> RVI_PAGE_SHIFT, c->msi_mask);
	uint64_t pte_pa = c->msi_root | (idx * RVI_MSIPTE_SIZE);
	struct rvm_mem_attr a = rvm_attr_ctx(c, RVM_MEM_MSI_PT);
	uint64_t pte[2];

	int st = rvm_mem_read_dws(m, pte_pa, rvm_fctl_be(m), pte, 2, &a);
	if (st == RVM_MEM_POISON)
		return RVI_CAUSE_MSI_PT_CORRUPTED;
	if (st)
		return RVI_CAUSE_MSI_PT_LOAD_FAULT;
	if (!(pte[0] & RVI_MSIPTE_V))
		return RVI_CAUSE_MSI_PTE_INVALID;
	if (pte[0] & RVI_MSIPTE_C) /* no custom meaning is implemented */
		return RVI_CAUSE_MSI_PTE_MISCONFIGURED;
	unsigned mode = (unsigned)RVI_FIELD_GET(RVI_MSIPTE_M, pte[0]);
	if (mode == RVI_MSIPTE_M_BASIC) {
		if (pte[0] & RVI_MSIPTE_BASIC_RESERVED)
			return RVI_CAUSE_MSI_PTE_MISCONFIGURED;
		out->kind = RVM_MSI_BASIC;
		/* "zero-extended or clipped to the PA width" */
		out->pa = ((RVI_FIELD_GET(RVI_MSIPTE_PPN, pte[0]) << RVI_PAGE_SHIFT) |
		           (gpa & (RVI_PAGE_SIZE - 1))) &
		          m->pa_mask;
	} else if (mode == RVI_MSIPTE_M_MRIF) {
		if (!(m->caps & RVI_CAP_MSI_MRIF))
			return RVI_CAUSE_MSI_PTE_MISCONFIGURED;
		if ((pte[0] & RVI_MSIPTE_MRIF_RESERVED0) || (pte[1] & RVI_MSIPTE_MRIF_RESERVED1))
			return RVI_CAUSE_MSI_PTE_MISCONFIGURED;
		out->kind = RVM_MSI_MRIF;
		out->pa = RVI_FIELD_GET(RVI_MSIPTE_MRIF_ADDR, pte[0]) << 9;
		out->notice_pa = RVI_FIELD_GET(RVI_MSIPTE_NPPN, pte[1]) << RVI_PAGE_SHIFT;
		out->nid = (uint32_t)(RVI_FIELD_GET(RVI_MSIPTE_NID_HI, pte[1]) << 10 |
		                      RVI_FIELD_GET(RVI_MSIPTE_NID_LO, pte[1]));
	} else {
		return RVI_CAUSE_MSI_PTE_MISCONFIGURED; /* M = 0 or 2: reserved */
	}
	/* §2.3 step 18: an MSI page grants R and W only; exec is cause 1. */
	if (w->acc == RVM_ACC_EXEC && !w->ats)
		return RVI_CAUSE_INSN_ACCESS;
	return 0;
}

static int mrif_set_pending_(struct rvm *m, const struct rvm_ctx *c, uint64_t dw_pa, uint64_t bit)
{
	struct rvm_mem_attr a = rvm_attr_ctx(c, RVM_MEM_MRIF);
	uint64_t old;
	/* The MRIF is always little-endian (AIA). */
	int st = rvm_mem_read64(m, dw_pa, false, &old, &a);
	for (unsigned tries = 0; st == RVM_MEM_OK && tries < 64; tries++) {
		uint64_t seen;
		if (!(m->caps & RVI_CAP_AMO_MRIF))
			return rvm_mem_write64(m, dw_pa, false, old | bit, &a); /* plain RMW */
		st = rvm_mem_cas(m, dw_pa, 8, false, old, old | bit, &seen, &a);
		if (st != RVM_MEM_OK || seen == old)
			return st;
		old = seen; /* AMOOR emulated by CAS: retry with what memory held */
	}
	return st == RVM_MEM_OK ? RVM_MEM_ACCESS_FAULT : st;
}

int rvm_mrif_write(const struct rvm_walk_req *w, const struct rvm_msi_res *mr, uint64_t gpa,
                   const struct rvm_req *rq, bool *discarded, bool *unsupported)
{
	struct rvm *m = w->m;
	uint64_t len = rq->len ? rq->len : 1;
	uint32_t off = (uint32_t)(gpa & (RVI_PAGE_SIZE - 1));
	*discarded = *unsupported = false;

	if (len != 4 || (off & 3)) { /* AIA: not an aligned 32-bit write */
		*unsupported = true;
		return 0;
	}
	bool be = off & 4; /* A[2] selects a big-endian MSI */
	uint32_t d = be ? __builtin_bswap32(rq->data) : rq->data;
	if ((off >> 3) || (d >> 11) || (be && !m->cfg.msi_be)) {
		*discarded = true; /* accepted and dropped */
		return 0;
	}
	int st = mrif_set_pending_(m, w->c, mr->pa + (d / 64) * 16, UINT64_C(1) << (d % 64));
	if (st == RVM_MEM_POISON)
		return RVI_CAUSE_MRIF_CORRUPTED;
	if (st)
		return RVI_CAUSE_MRIF_ACCESS_FAULT;
	/* Notice MSI after the pending bit is visible; sent whatever the
	 * enable bit.  A fault on it has no cause in the spec: ignored. */
	struct rvm_mem_attr na = rvm_attr_ctx(w->c, RVM_MEM_MSI);
	(void)rvm_mem_write32(m, mr->notice_pa, false, mr->nid, &na);
	return 0;
}
