/* SPDX-License-Identifier: MIT
 *
 * model/pt_fmt.c - the paging schemes the IOMMU walks, described as data.
 *
 * Each first-stage scheme (Sv32/39/48/57) and G-stage scheme (Sv32x4 ..
 * Sv57x4) is one row of constants, written once in RVM_PT_FMT_ROWS
 * (pt_walk.h); this table and the walker's per-format instances both come
 * from those rows.  The x4 schemes widen the root index by two bits, so
 * their root table is 16 KiB.
 *
 * Implements: RISC-V IOMMU 1.0 §3.1.3.2 (iohgatp.MODE under fctl.GXL),
 * §3.1.3.4 (iosatp.MODE under DC.tc.SXL), and the [Priv] Sv32/Sv39/Sv48/Sv57
 * and Sv*x4 formats.
 */
#include "model/pt_walk.h"

const struct rvm_pt_fmt rvm_pt_fmts[RVM_PT_FMT_COUNT] = {RVM_PT_FMT_ROWS(RVM_PT_FMT_INIT_)};

/* §3.1.3.4: MODE 8 is Sv32 when SXL=1 and Sv39 when SXL=0; 9 and 10 exist
 * only for SXL=0.  Custom encodings (14, 15) are not implemented. */
int rvm_pt_fmt_from_satp(unsigned mode, bool sxl)
{
	if (mode == RVI_IOSATP_BARE)
		return RVM_PT_BARE;
	if (sxl)
		return mode == RVI_IOSATP_SV32 ? RVM_PT_SV32 : -1;
	switch (mode) {
	case RVI_IOSATP_SV39:
		return RVM_PT_SV39;
	case RVI_IOSATP_SV48:
		return RVM_PT_SV48;
	case RVI_IOSATP_SV57:
		return RVM_PT_SV57;
	default:
		return -1;
	}
}

/* §3.1.3.2: the same numbering for iohgatp under fctl.GXL. */
int rvm_pt_fmt_from_hgatp(unsigned mode, bool gxl)
{
	if (mode == RVI_IOHGATP_BARE)
		return RVM_PT_BARE;
	if (gxl)
		return mode == RVI_IOHGATP_SV32X4 ? RVM_PT_SV32X4 : -1;
	switch (mode) {
	case RVI_IOHGATP_SV39X4:
		return RVM_PT_SV39X4;
	case RVI_IOHGATP_SV48X4:
		return RVM_PT_SV48X4;
	case RVI_IOHGATP_SV57X4:
		return RVM_PT_SV57X4;
	default:
		return -1;
	}
}
