/* SPDX-License-Identifier: MIT
 *
 * model/pt_fmt.c - the paging schemes the IOMMU walks, described as data.
 *
 * Each first-stage scheme (Sv32/39/48/57) and G-stage scheme (Sv32x4 ..
 * Sv57x4) is one row of constants; pt_walk.c is the only walker and reads
 * everything scheme-specific from here.  The x4 schemes widen the root index
 * by two bits, so their root table is 16 KiB.
 *
 * Implements: RISC-V IOMMU 1.0 §3.1.3.2 (iohgatp.MODE under fctl.GXL),
 * §3.1.3.4 (iosatp.MODE under DC.tc.SXL), and the [Priv] Sv32/Sv39/Sv48/Sv57
 * and Sv*x4 formats.
 */
#include "model/model_internal.h"

const struct rvm_pt_fmt rvm_pt_fmts[RVM_PT_FMT_COUNT] = {
    [RVM_PT_BARE] = {"bare", 0, 0, 64, 0, 0, false},
    [RVM_PT_SV32] = {"sv32", 2, 4, 32, 0, 10, false},
    [RVM_PT_SV39] = {"sv39", 3, 8, 39, 0, 9, false},
    [RVM_PT_SV48] = {"sv48", 4, 8, 48, 0, 9, false},
    [RVM_PT_SV57] = {"sv57", 5, 8, 57, 0, 9, false},
    [RVM_PT_SV32X4] = {"sv32x4", 2, 4, 34, 2, 10, true},
    [RVM_PT_SV39X4] = {"sv39x4", 3, 8, 41, 2, 9, true},
    [RVM_PT_SV48X4] = {"sv48x4", 4, 8, 50, 2, 9, true},
    [RVM_PT_SV57X4] = {"sv57x4", 5, 8, 59, 2, 9, true},
};

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
