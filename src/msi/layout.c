/* SPDX-License-Identifier: MIT
 *
 * msi/layout.c - MSI page-table arithmetic: msi_addr_mask/pattern from an
 * interrupt-file layout, the inverse of the AIA extract(), flat MSI PTE
 * builders, the two invalidation commands, and the isolation answer.
 *
 * Implements RISC-V IOMMU 1.0 §3.1.3.6 (msi_addr_mask/pattern: GPA[63:12]
 * in bits 51:0), AIA 1.0 "IOMMU" (MSI PTE basic M=3 and MRIF M=1 formats;
 * CHECKLIST §2.7), §4.1.1 IOTINVAL.GVMA and §4.1.2 IOFENCE.C, and the
 * "Software guidelines" rule for MSI PTE changes (CHECKLIST §9.2).
 *
 * Invariants:
 *   (1) rvmsi_msi_mask()'s mask has exactly the hart and group index bits
 *       of PA >> 12 and the pattern has no bit inside the mask, so the
 *       pages it matches are exactly the guest-0 files of the layout;
 *   (2) rvmsi_msi_deposit(rvi_msi_extract(x, m), m, p) == x for every x
 *       that matches (x & ~m) == (p & ~m);
 *   (3) builders never produce a reserved bit or C = 1.
 */
#include <errno.h>

#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define FIELD_MAX_BITS 52 /* GPA[63:12] */

int rvmsi_msi_mask(const struct rvmsi_layout *l, uint64_t *mask, uint64_t *pattern)
{
	uint64_t harts, groups = 0, m, fields;

	if (!l || !mask || !pattern || l->guest_bits > 7 || l->hart_bits > 15 ||
	    l->group_bits > 7 || (l->base & (RVI_PAGE_SIZE - 1)))
		return -EINVAL;
	if (l->guest_bits + l->hart_bits > FIELD_MAX_BITS)
		return -ERANGE;
	harts = ((UINT64_C(1) << l->hart_bits) - 1) << l->guest_bits;
	m = harts;
	if (l->group_bits) {
		/* group field at group_shift must not overlap the hart field */
		if (l->group_shift < l->guest_bits + l->hart_bits + 12)
			return -EINVAL;
		if (l->group_shift - 12 + l->group_bits > FIELD_MAX_BITS)
			return -ERANGE;
		groups = ((UINT64_C(1) << l->group_bits) - 1) << (l->group_shift - 12);
		m |= groups;
	}
	/* all index fields (guest too) must be clear in base */
	fields = m | ((UINT64_C(1) << l->guest_bits) - 1);
	if ((l->base >> 12) & fields)
		return -EINVAL;
	if ((l->base >> 12) >> FIELD_MAX_BITS)
		return -ERANGE;
	*mask = m;
	*pattern = l->base >> 12;
	return 0;
}

uint64_t rvmsi_msi_deposit(uint64_t idx, uint64_t mask, uint64_t pattern)
{
	uint64_t out = pattern & ~mask;

	for (unsigned k = 0; mask; k++) {
		uint64_t low = mask & (~mask + 1);
		if (idx >> k & 1)
			out |= low;
		mask &= mask - 1;
	}
	return out;
}

int rvmsi_pte_basic(uint64_t pa, uint64_t pte[2])
{
	if (!pte || (pa & (RVI_PAGE_SIZE - 1)))
		return -EINVAL;
	if (pa >> 56)
		return -ERANGE;
	pte[0] = RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_BASIC) |
	         RVI_FIELD_PREP(RVI_MSIPTE_PPN, pa >> 12);
	pte[1] = 0;
	return 0;
}

int rvmsi_pte_mrif(uint64_t mrif, uint64_t notice_pa, uint32_t nid, uint64_t pte[2])
{
	if (!pte || (mrif & 511) || (notice_pa & (RVI_PAGE_SIZE - 1)) || nid > 2047)
		return -EINVAL;
	if ((mrif | notice_pa) >> 56)
		return -ERANGE;
	pte[0] = RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_MRIF) |
	         RVI_FIELD_PREP(RVI_MSIPTE_MRIF_ADDR, mrif >> 9);
	pte[1] = RVI_FIELD_PREP(RVI_MSIPTE_NID_LO, nid & 0x3ff) |
	         RVI_FIELD_PREP(RVI_MSIPTE_NPPN, notice_pa >> 12) |
	         RVI_FIELD_PREP(RVI_MSIPTE_NID_HI, nid >> 10);
	return 0;
}

void rvmsi_cmd_iotinval_gvma(uint16_t gscid, uint64_t gpa, uint64_t cmd[2])
{
	cmd[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOTINVAL) |
	         RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOTINVAL_GVMA) | RVI_IOTINVAL_GV |
	         RVI_IOTINVAL_AV | RVI_FIELD_PREP(RVI_IOTINVAL_GSCID, gscid);
	cmd[1] = RVI_FIELD_PREP(RVI_IOTINVAL_ADDR, gpa >> 12);
}

void rvmsi_cmd_iofence_c(bool pw, uint64_t cmd[2])
{
	cmd[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |
	         RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C) | (pw ? RVI_IOFENCE_PW : 0);
	cmd[1] = 0;
}

bool rvmsi_isolated(uint64_t iommu_capabilities, const char **reason)
{
	(void)iommu_capabilities; /* no 1.0 capability validates MSI data */
	if (reason)
		*reason = "RISC-V IOMMU 1.0 translates MSI addresses only and cannot check the MSI "
		          "data (interrupt identity), so a device can raise any identity of any "
		          "interrupt file it can reach; limiting MSI PTEs to affined harts narrows "
		          "the files, not the vectors (IRQ_DOMAIN_FLAG_ISOLATED_MSI not set)";
	return false;
}
