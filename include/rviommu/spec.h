/* SPDX-License-Identifier: MIT
 *
 * rviommu/spec.h - the one definition of the RISC-V IOMMU architecture.
 *
 * RISC-V IOMMU Architecture Specification 1.0 (doc version 20260222) with the
 * ratified QoSID 1.0, NLINV 1.0, ARINV 1.0 and Svrsw60t59b 1.0 extensions,
 * plus the RISC-V Privileged PTE formats the IOMMU walks.  Sections follow the
 * spec's chapters; section numbers in comments refer to the IOMMU spec unless
 * marked [Priv] or [AIA].
 *
 * The model, the driver core and the platform simulator all include this file
 * and only this file for architectural constants, so the copies can not drift.
 * It is self-contained (stdint only) so that the driver core stays portable.
 *
 * Conventions
 *   - A field is a constant mask built with RVI_GENMASK(hi, lo) or RVI_BIT(n).
 *     Read and write fields with RVI_FIELD_GET()/RVI_FIELD_PREP(); both
 *     statically assert that the mask is a non-zero contiguous constant.
 *   - In-memory structures are arrays of 64-bit doublewords plus masks; no C
 *     bitfields.  Byte order is applied by the accessor, not here.
 *   - Encodings are enums; each cites the spec table it transcribes.
 *   - tests/unit/test_spec_fields.c checks every mask against
 *     tests/data/spec_fields.csv, transcribed separately from the spec tables.
 *
 * Glossary (shared with the page-table code)
 *   level   0 is the table of 4 KiB leaves; level == the spec's "i".
 *   _lg2    a log2 value.   last  an inclusive end.   end  an exclusive end.
 *   _iova / _gpa / _spa name the address space of an address.
 */
#ifndef RVIOMMU_SPEC_H
#define RVIOMMU_SPEC_H

#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Field helpers                                                              */
/* ------------------------------------------------------------------------ */

#define RVI_BIT(n) (UINT64_C(1) << (n))
#define RVI_GENMASK(hi, lo) (((~UINT64_C(0)) >> (63 - (hi))) & ((~UINT64_C(0)) << (lo)))

/* Compile-time check that m is a non-zero contiguous constant mask. */
#define RVI_CHECK_MASK_(m)                                                     \
	((void)sizeof(struct {                                                 \
		_Static_assert((m) != 0 &&                                     \
				       ((((m) + ((m) & (~(m) + 1))) & (m)) == 0), \
			       "field mask must be a contiguous constant");    \
		int dummy_;                                                    \
	}))

#define RVI_FIELD_SHIFT(m) (__builtin_ctzll(m))
#define RVI_FIELD_GET(m, v)                                                    \
	(RVI_CHECK_MASK_(m), (((uint64_t)(v) & (uint64_t)(m)) >> RVI_FIELD_SHIFT(m)))
#define RVI_FIELD_PREP(m, v)                                                   \
	(RVI_CHECK_MASK_(m), (((uint64_t)(v) << RVI_FIELD_SHIFT(m)) & (uint64_t)(m)))
/* Replace field m of word w with v. */
#define RVI_FIELD_SET(m, w, v) (((uint64_t)(w) & ~(uint64_t)(m)) | RVI_FIELD_PREP(m, v))

#define RVI_PAGE_SHIFT 12
#define RVI_PAGE_SIZE (UINT64_C(1) << RVI_PAGE_SHIFT)

/* The spec's version as read from capabilities.version (§5.3). */
#define RVI_SPEC_VERSION_1_0 0x10

/* A PPN field shared by ddtp, queue bases, non-leaf DDTE/PDTE, PTEs (44 bits at 53:10). */
#define RVI_PPN_53_10 RVI_GENMASK(53, 10)
/* A PPN field shared by iohgatp, iosatp, pdtp and msiptp (44 bits at 43:0). */
#define RVI_ATP_PPN RVI_GENMASK(43, 0)
#define RVI_ATP_MODE RVI_GENMASK(63, 60)

/* ------------------------------------------------------------------------ */
/* §5 Memory-mapped register interface                                       */
/* ------------------------------------------------------------------------ */

#define RVI_REG_BLOCK_SIZE 0x1000

/* §5.2 Register layout (offsets) */
enum rvi_reg {
	RVI_REG_CAPABILITIES = 0x000, /* 64 */
	RVI_REG_FCTL = 0x008,         /* 32 */
	RVI_REG_CUSTOM0 = 0x00c,      /* 32, custom */
	RVI_REG_DDTP = 0x010,         /* 64 */
	RVI_REG_CQB = 0x018,          /* 64 */
	RVI_REG_CQH = 0x020,          /* 32 */
	RVI_REG_CQT = 0x024,          /* 32 */
	RVI_REG_FQB = 0x028,          /* 64 */
	RVI_REG_FQH = 0x030,          /* 32 */
	RVI_REG_FQT = 0x034,          /* 32 */
	RVI_REG_PQB = 0x038,          /* 64, caps.ATS */
	RVI_REG_PQH = 0x040,          /* 32, caps.ATS */
	RVI_REG_PQT = 0x044,          /* 32, caps.ATS */
	RVI_REG_CQCSR = 0x048,        /* 32 */
	RVI_REG_FQCSR = 0x04c,        /* 32 */
	RVI_REG_PQCSR = 0x050,        /* 32, caps.ATS */
	RVI_REG_IPSR = 0x054,         /* 32 */
	RVI_REG_IOCOUNTOVF = 0x058,   /* 32, caps.HPM */
	RVI_REG_IOCOUNTINH = 0x05c,   /* 32, caps.HPM */
	RVI_REG_IOHPMCYCLES = 0x060,  /* 64, caps.HPM */
	RVI_REG_IOHPMCTR_BASE = 0x068, /* 64 x 31: ctrX at 0x068 + 8*(X-1) */
	RVI_REG_IOHPMEVT_BASE = 0x160, /* 64 x 31: evtX at 0x160 + 8*(X-1) */
	RVI_REG_TR_REQ_IOVA = 0x258,  /* 64, caps.DBG */
	RVI_REG_TR_REQ_CTL = 0x260,   /* 64, caps.DBG */
	RVI_REG_TR_RESPONSE = 0x268,  /* 64, caps.DBG */
	RVI_REG_IOMMU_QOSID = 0x270,  /* 32, caps.QOSID */
	RVI_REG_RESERVED0 = 0x274,    /* 60 bytes WPRI */
	RVI_REG_CUSTOM1 = 0x2b0,      /* 72 bytes custom */
	RVI_REG_ICVEC = 0x2f8,        /* 64 */
	RVI_REG_MSI_CFG_TBL = 0x300,  /* 16 entries x 16 bytes */
	RVI_REG_RESERVED1 = 0x400,    /* to the end of the page */
};

#define RVI_HPM_COUNTERS_MAX 31
#define RVI_REG_IOHPMCTR(x) (RVI_REG_IOHPMCTR_BASE + 8 * ((x) - 1)) /* x = 1..31 */
#define RVI_REG_IOHPMEVT(x) (RVI_REG_IOHPMEVT_BASE + 8 * ((x) - 1)) /* x = 1..31 */
#define RVI_MSI_CFG_ENTRIES 16
#define RVI_REG_MSI_ADDR(x) (RVI_REG_MSI_CFG_TBL + 16 * (x))
#define RVI_REG_MSI_DATA(x) (RVI_REG_MSI_CFG_TBL + 16 * (x) + 8)
#define RVI_REG_MSI_VEC_CTL(x) (RVI_REG_MSI_CFG_TBL + 16 * (x) + 12)

/* §5.3 capabilities (64 bits, RO) */
#define RVI_CAP_VERSION RVI_GENMASK(7, 0)
#define RVI_CAP_SV32 RVI_BIT(8)
#define RVI_CAP_SV39 RVI_BIT(9)
#define RVI_CAP_SV48 RVI_BIT(10)
#define RVI_CAP_SV57 RVI_BIT(11)
#define RVI_CAP_SVRSW60T59B RVI_BIT(14)
#define RVI_CAP_SVPBMT RVI_BIT(15)
#define RVI_CAP_SV32X4 RVI_BIT(16)
#define RVI_CAP_SV39X4 RVI_BIT(17)
#define RVI_CAP_SV48X4 RVI_BIT(18)
#define RVI_CAP_SV57X4 RVI_BIT(19)
#define RVI_CAP_AMO_MRIF RVI_BIT(21)
#define RVI_CAP_MSI_FLAT RVI_BIT(22)
#define RVI_CAP_MSI_MRIF RVI_BIT(23)
#define RVI_CAP_AMO_HWAD RVI_BIT(24)
#define RVI_CAP_ATS RVI_BIT(25)
#define RVI_CAP_T2GPA RVI_BIT(26)
#define RVI_CAP_END RVI_BIT(27)
#define RVI_CAP_IGS RVI_GENMASK(29, 28) /* enum rvi_igs */
#define RVI_CAP_HPM RVI_BIT(30)
#define RVI_CAP_DBG RVI_BIT(31)
#define RVI_CAP_PAS RVI_GENMASK(37, 32)
#define RVI_CAP_PD8 RVI_BIT(38)
#define RVI_CAP_PD17 RVI_BIT(39)
#define RVI_CAP_PD20 RVI_BIT(40)
#define RVI_CAP_QOSID RVI_BIT(41)
#define RVI_CAP_NL RVI_BIT(42) /* NLINV extension */
#define RVI_CAP_S RVI_BIT(43)  /* ARINV extension */
#define RVI_CAP_CUSTOM RVI_GENMASK(63, 56)
/* Bits that are reserved (read as zero) in v1.0 with the ratified extensions. */
#define RVI_CAP_RESERVED (RVI_GENMASK(13, 12) | RVI_BIT(20) | RVI_GENMASK(55, 44))

/* §5.3 capabilities.IGS: interrupt generation support */
enum rvi_igs {
	RVI_IGS_MSI = 0,  /* message-signaled only */
	RVI_IGS_WSI = 1,  /* wire-signaled only */
	RVI_IGS_BOTH = 2, /* both; fctl.WSI selects */
	RVI_IGS_RSVD = 3,
};

/* §5.4 fctl (32 bits) */
#define RVI_FCTL_BE RVI_BIT(0)
#define RVI_FCTL_WSI RVI_BIT(1)
#define RVI_FCTL_GXL RVI_BIT(2)

/* §5.5 ddtp (64 bits) */
#define RVI_DDTP_MODE RVI_GENMASK(3, 0) /* enum rvi_ddtp_mode */
#define RVI_DDTP_BUSY RVI_BIT(4)
#define RVI_DDTP_PPN RVI_PPN_53_10
#define RVI_DDTP_RESERVED (RVI_GENMASK(9, 5) | RVI_GENMASK(63, 54))

/* §5.5 Table "IOMMU operating modes" */
enum rvi_ddtp_mode {
	RVI_DDTP_MODE_OFF = 0,
	RVI_DDTP_MODE_BARE = 1,
	RVI_DDTP_MODE_1LVL = 2,
	RVI_DDTP_MODE_2LVL = 3,
	RVI_DDTP_MODE_3LVL = 4,
	/* 5..13 reserved, 14..15 custom */
};

/* §5.6-5.8 queue base registers cqb / fqb / pqb (64 bits) */
#define RVI_QB_LOG2SZ_1 RVI_GENMASK(4, 0) /* LOG2SZ-1 */
#define RVI_QB_PPN RVI_PPN_53_10
#define RVI_QB_RESERVED (RVI_GENMASK(9, 5) | RVI_GENMASK(63, 54))

#define RVI_CQ_ENTRY_SIZE 16
#define RVI_FQ_ENTRY_SIZE 32
#define RVI_PQ_ENTRY_SIZE 16

/* §5.15-5.17 queue CSRs.  The enable/on/busy layout is shared by the three
 * queues; the error bits differ per queue. */
#define RVI_QCSR_EN RVI_BIT(0)
#define RVI_QCSR_IE RVI_BIT(1)
#define RVI_QCSR_ON RVI_BIT(16)
#define RVI_QCSR_BUSY RVI_BIT(17)

/* §5.15 cqcsr */
#define RVI_CQCSR_CQEN RVI_QCSR_EN
#define RVI_CQCSR_CIE RVI_QCSR_IE
#define RVI_CQCSR_CQMF RVI_BIT(8)
#define RVI_CQCSR_CMD_TO RVI_BIT(9)
#define RVI_CQCSR_CMD_ILL RVI_BIT(10)
#define RVI_CQCSR_FENCE_W_IP RVI_BIT(11)
#define RVI_CQCSR_CQON RVI_QCSR_ON
#define RVI_CQCSR_BUSY RVI_QCSR_BUSY
#define RVI_CQCSR_ERRORS (RVI_CQCSR_CQMF | RVI_CQCSR_CMD_TO | RVI_CQCSR_CMD_ILL)

/* §5.16 fqcsr */
#define RVI_FQCSR_FQEN RVI_QCSR_EN
#define RVI_FQCSR_FIE RVI_QCSR_IE
#define RVI_FQCSR_FQMF RVI_BIT(8)
#define RVI_FQCSR_FQOF RVI_BIT(9)
#define RVI_FQCSR_FQON RVI_QCSR_ON
#define RVI_FQCSR_BUSY RVI_QCSR_BUSY

/* §5.17 pqcsr */
#define RVI_PQCSR_PQEN RVI_QCSR_EN
#define RVI_PQCSR_PIE RVI_QCSR_IE
#define RVI_PQCSR_PQMF RVI_BIT(8)
#define RVI_PQCSR_PQOF RVI_BIT(9)
#define RVI_PQCSR_PQON RVI_QCSR_ON
#define RVI_PQCSR_BUSY RVI_QCSR_BUSY

/* §5.18 ipsr (32 bits, RW1C) */
#define RVI_IPSR_CIP RVI_BIT(0)
#define RVI_IPSR_FIP RVI_BIT(1)
#define RVI_IPSR_PMIP RVI_BIT(2)
#define RVI_IPSR_PIP RVI_BIT(3)
#define RVI_IPSR_ALL (RVI_IPSR_CIP | RVI_IPSR_FIP | RVI_IPSR_PMIP | RVI_IPSR_PIP)

/* §5.19-5.23 HPM */
#define RVI_IOCOUNTOVF_CY RVI_BIT(0)
#define RVI_IOCOUNTINH_CY RVI_BIT(0)
#define RVI_IOHPMCYCLES_COUNTER RVI_GENMASK(62, 0)
#define RVI_IOHPMCYCLES_OF RVI_BIT(63)

#define RVI_IOHPMEVT_EVENTID RVI_GENMASK(14, 0) /* enum rvi_hpm_event */
#define RVI_IOHPMEVT_DMASK RVI_BIT(15)
#define RVI_IOHPMEVT_PID_PSCID RVI_GENMASK(35, 16)
#define RVI_IOHPMEVT_DID_GSCID RVI_GENMASK(59, 36)
#define RVI_IOHPMEVT_PV_PSCV RVI_BIT(60)
#define RVI_IOHPMEVT_DV_GSCV RVI_BIT(61)
#define RVI_IOHPMEVT_IDT RVI_BIT(62)
#define RVI_IOHPMEVT_OF RVI_BIT(63)

/* §5.23 Table "Standard events list" */
enum rvi_hpm_event {
	RVI_HPM_EV_NONE = 0,
	RVI_HPM_EV_UNTRANSLATED_REQ = 1,
	RVI_HPM_EV_TRANSLATED_REQ = 2,
	RVI_HPM_EV_ATS_TRANS_REQ = 3,
	RVI_HPM_EV_TLB_MISS = 4,
	RVI_HPM_EV_DDT_WALK = 5,
	RVI_HPM_EV_PDT_WALK = 6,
	RVI_HPM_EV_S_VS_PT_WALK = 7, /* first-stage page-table walks */
	RVI_HPM_EV_G_PT_WALK = 8,    /* second-stage page-table walks */
	RVI_HPM_EV_STD_LAST = 8,
	RVI_HPM_EV_CUSTOM_FIRST = 16384,
};

/* §5.24-5.26 debug translation interface */
#define RVI_TR_REQ_IOVA_VPN RVI_GENMASK(63, 12)
#define RVI_TR_REQ_CTL_GO_BUSY RVI_BIT(0)
#define RVI_TR_REQ_CTL_PRIV RVI_BIT(1)
#define RVI_TR_REQ_CTL_EXE RVI_BIT(2)
#define RVI_TR_REQ_CTL_NW RVI_BIT(3)
#define RVI_TR_REQ_CTL_PID RVI_GENMASK(31, 12)
#define RVI_TR_REQ_CTL_PV RVI_BIT(32)
#define RVI_TR_REQ_CTL_CUSTOM RVI_GENMASK(39, 36)
#define RVI_TR_REQ_CTL_DID RVI_GENMASK(63, 40)
#define RVI_TR_RESPONSE_FAULT RVI_BIT(0)
#define RVI_TR_RESPONSE_PBMT RVI_GENMASK(8, 7)
#define RVI_TR_RESPONSE_S RVI_BIT(9)
#define RVI_TR_RESPONSE_PPN RVI_PPN_53_10

/* §5.27 iommu_qosid (QoSID extension) */
#define RVI_IOMMU_QOSID_RCID RVI_GENMASK(11, 0)
#define RVI_IOMMU_QOSID_MCID RVI_GENMASK(27, 16)

/* §5.28 icvec */
#define RVI_ICVEC_CIV RVI_GENMASK(3, 0)
#define RVI_ICVEC_FIV RVI_GENMASK(7, 4)
#define RVI_ICVEC_PMIV RVI_GENMASK(11, 8)
#define RVI_ICVEC_PIV RVI_GENMASK(15, 12)

/* §5.29 msi_cfg_tbl */
#define RVI_MSI_ADDR_ADDR RVI_GENMASK(55, 2)
#define RVI_MSI_VEC_CTL_M RVI_BIT(0)

/* ------------------------------------------------------------------------ */
/* §2/§3 In-memory data structures                                          */
/* ------------------------------------------------------------------------ */

/* §3.1 Device directory: non-leaf DDTE and PDTE share one layout. */
#define RVI_NL_V RVI_BIT(0)
#define RVI_NL_PPN RVI_PPN_53_10
#define RVI_NL_RESERVED (RVI_GENMASK(9, 1) | RVI_GENMASK(63, 54))

/* Device-context size and DDI widths (§3.1.1) */
#define RVI_DC_BASE_SIZE 32
#define RVI_DC_EXT_SIZE 64
#define RVI_DC_DWORDS_BASE 4
#define RVI_DC_DWORDS_EXT 8

/* Device-context doubleword indexes (§3.1.3) */
enum rvi_dc_dw {
	RVI_DC_TC = 0,
	RVI_DC_IOHGATP = 1,
	RVI_DC_TA = 2,
	RVI_DC_FSC = 3,
	RVI_DC_MSIPTP = 4,
	RVI_DC_MSI_ADDR_MASK = 5,
	RVI_DC_MSI_ADDR_PATTERN = 6,
	RVI_DC_RESERVED7 = 7,
};

/* §3.1.3.1 DC.tc */
#define RVI_DC_TC_V RVI_BIT(0)
#define RVI_DC_TC_EN_ATS RVI_BIT(1)
#define RVI_DC_TC_EN_PRI RVI_BIT(2)
#define RVI_DC_TC_T2GPA RVI_BIT(3)
#define RVI_DC_TC_DTF RVI_BIT(4)
#define RVI_DC_TC_PDTV RVI_BIT(5)
#define RVI_DC_TC_PRPR RVI_BIT(6)
#define RVI_DC_TC_GADE RVI_BIT(7)
#define RVI_DC_TC_SADE RVI_BIT(8)
#define RVI_DC_TC_DPE RVI_BIT(9)
#define RVI_DC_TC_SBE RVI_BIT(10)
#define RVI_DC_TC_SXL RVI_BIT(11)
#define RVI_DC_TC_CUSTOM RVI_GENMASK(31, 24)
#define RVI_DC_TC_RESERVED (RVI_GENMASK(23, 12) | RVI_GENMASK(63, 32))

/* §3.1.3.2 DC.iohgatp */
#define RVI_IOHGATP_PPN RVI_ATP_PPN
#define RVI_IOHGATP_GSCID RVI_GENMASK(59, 44)
#define RVI_IOHGATP_MODE RVI_ATP_MODE /* enum rvi_iohgatp_mode */

/* §3.1.3.2 Table "iohgatp.MODE" (which name applies depends on fctl.GXL) */
enum rvi_iohgatp_mode {
	RVI_IOHGATP_BARE = 0,
	RVI_IOHGATP_SV32X4 = 8, /* fctl.GXL = 1 */
	RVI_IOHGATP_SV39X4 = 8, /* fctl.GXL = 0 */
	RVI_IOHGATP_SV48X4 = 9,
	RVI_IOHGATP_SV57X4 = 10,
};

/* §3.1.3.3 DC.ta */
#define RVI_DC_TA_PSCID RVI_GENMASK(31, 12)
#define RVI_DC_TA_RCID RVI_GENMASK(51, 40) /* QoSID */
#define RVI_DC_TA_MCID RVI_GENMASK(63, 52) /* QoSID */
#define RVI_DC_TA_RESERVED (RVI_GENMASK(11, 0) | RVI_GENMASK(39, 32))

/* §3.1.3.4 DC.fsc: iosatp (PDTV=0) or pdtp (PDTV=1) */
#define RVI_FSC_PPN RVI_ATP_PPN
#define RVI_FSC_MODE RVI_ATP_MODE
#define RVI_FSC_RESERVED RVI_GENMASK(59, 44)

/* §3.1.3.4 Table "iosatp.MODE" (which name applies depends on DC.tc.SXL) */
enum rvi_iosatp_mode {
	RVI_IOSATP_BARE = 0,
	RVI_IOSATP_SV32 = 8, /* SXL = 1 */
	RVI_IOSATP_SV39 = 8, /* SXL = 0 */
	RVI_IOSATP_SV48 = 9,
	RVI_IOSATP_SV57 = 10,
	/* 14..15 custom when SXL = 0 */
};

/* §3.1.3.4 Table "pdtp.MODE" */
enum rvi_pdtp_mode {
	RVI_PDTP_BARE = 0,
	RVI_PDTP_PD8 = 1,
	RVI_PDTP_PD17 = 2,
	RVI_PDTP_PD20 = 3,
	/* 4..13 reserved, 14..15 custom */
};

/* §3.1.3.5 DC.msiptp */
#define RVI_MSIPTP_PPN RVI_ATP_PPN
#define RVI_MSIPTP_MODE RVI_ATP_MODE
#define RVI_MSIPTP_RESERVED RVI_GENMASK(59, 44)

enum rvi_msiptp_mode {
	RVI_MSIPTP_OFF = 0,
	RVI_MSIPTP_FLAT = 1,
};

/* §3.1.3.6 msi_addr_mask / msi_addr_pattern: GPA[63:12] in bits 51:0 */
#define RVI_MSI_ADDR_MASK_MASK RVI_GENMASK(51, 0)
#define RVI_MSI_ADDR_MASK_RESERVED RVI_GENMASK(63, 52)

/* §3.3 Process directory: PDI widths and the 16-byte process context. */
#define RVI_PC_SIZE 16
enum rvi_pc_dw {
	RVI_PC_TA = 0,
	RVI_PC_FSC = 1,
};
#define RVI_PC_TA_V RVI_BIT(0)
#define RVI_PC_TA_ENS RVI_BIT(1)
#define RVI_PC_TA_SUM RVI_BIT(2)
#define RVI_PC_TA_PSCID RVI_GENMASK(31, 12)
#define RVI_PC_TA_RESERVED (RVI_GENMASK(11, 3) | RVI_GENMASK(63, 32))
#define RVI_PC_FSC_RESERVED RVI_FSC_RESERVED

#define RVI_PSCID_BITS 20
#define RVI_GSCID_BITS 16
#define RVI_DEVICE_ID_BITS 24
#define RVI_PROCESS_ID_BITS 20

/* [Priv] RV64 PTE (Sv39/48/57 and the x4 G-stage schemes) */
#define RVI_PTE_V RVI_BIT(0)
#define RVI_PTE_R RVI_BIT(1)
#define RVI_PTE_W RVI_BIT(2)
#define RVI_PTE_X RVI_BIT(3)
#define RVI_PTE_U RVI_BIT(4)
#define RVI_PTE_G RVI_BIT(5)
#define RVI_PTE_A RVI_BIT(6)
#define RVI_PTE_D RVI_BIT(7)
#define RVI_PTE_RSW RVI_GENMASK(9, 8)
#define RVI_PTE_PPN RVI_PPN_53_10
#define RVI_PTE_RESERVED RVI_GENMASK(60, 54)
#define RVI_PTE_RSW60T59B RVI_GENMASK(60, 59) /* SW bits with Svrsw60t59b */
#define RVI_PTE_PBMT RVI_GENMASK(62, 61)      /* enum rvi_pbmt */
#define RVI_PTE_N RVI_BIT(63)                 /* Svnapot */
#define RVI_PTE_XWR (RVI_PTE_R | RVI_PTE_W | RVI_PTE_X)

/* [Priv] Sv32 / Sv32x4 PTE (4 bytes) */
#define RVI_PTE32_PPN RVI_GENMASK(31, 10)

/* [Priv] Svpbmt page-based memory types */
enum rvi_pbmt {
	RVI_PBMT_PMA = 0,
	RVI_PBMT_NC = 1,
	RVI_PBMT_IO = 2,
	RVI_PBMT_RSVD = 3,
};

/* [Priv] Svnapot: the only defined NAPOT size is 64 KiB, ppn[3:0] = 1000b. */
#define RVI_NAPOT_64K_PPN_BITS 0x8u
#define RVI_NAPOT_64K_SHIFT 16

/* [AIA] / §3.1.3.5 MSI page-table entry (16 bytes) */
#define RVI_MSIPTE_SIZE 16
#define RVI_MSIPTE_V RVI_BIT(0)
#define RVI_MSIPTE_M RVI_GENMASK(2, 1) /* enum rvi_msipte_mode */
#define RVI_MSIPTE_C RVI_BIT(63)
/* basic translate mode, DW0 */
#define RVI_MSIPTE_PPN RVI_PPN_53_10
#define RVI_MSIPTE_BASIC_RESERVED (RVI_GENMASK(9, 3) | RVI_GENMASK(62, 54))
/* MRIF mode, DW0 and DW1 */
#define RVI_MSIPTE_MRIF_ADDR RVI_GENMASK(53, 7) /* MRIF address [55:9] */
#define RVI_MSIPTE_MRIF_RESERVED0 (RVI_GENMASK(6, 3) | RVI_GENMASK(62, 54))
#define RVI_MSIPTE_NID_LO RVI_GENMASK(9, 0)
#define RVI_MSIPTE_NPPN RVI_PPN_53_10
#define RVI_MSIPTE_NID_HI RVI_BIT(60)
#define RVI_MSIPTE_MRIF_RESERVED1 (RVI_GENMASK(59, 54) | RVI_GENMASK(63, 61))

enum rvi_msipte_mode {
	RVI_MSIPTE_M_MRIF = 1,
	RVI_MSIPTE_M_BASIC = 3,
	/* 0 and 2 reserved */
};

/* [AIA] MRIF: 512 bytes, 32 pairs of (pending, enable) doublewords. */
#define RVI_MRIF_SIZE 512
#define RVI_MRIF_ALIGN 512
#define RVI_MRIF_IDS 2048

/* ------------------------------------------------------------------------ */
/* §4 Command queue                                                          */
/* ------------------------------------------------------------------------ */

#define RVI_CMD_OPCODE RVI_GENMASK(6, 0)
#define RVI_CMD_FUNC3 RVI_GENMASK(9, 7)

/* §4.1 Table "Command opcodes" */
enum rvi_cmd_opcode {
	RVI_CMD_IOTINVAL = 1,
	RVI_CMD_IOFENCE = 2,
	RVI_CMD_IODIR = 3,
	RVI_CMD_ATS = 4,
	/* 0 and 5..63 reserved, 64..127 custom */
};

enum rvi_cmd_func3 {
	RVI_IOTINVAL_VMA = 0,
	RVI_IOTINVAL_GVMA = 1,
	RVI_IOFENCE_C = 0,
	RVI_IODIR_INVAL_DDT = 0,
	RVI_IODIR_INVAL_PDT = 1,
	RVI_ATS_INVAL = 0,
	RVI_ATS_PRGR = 1,
};

/* §4.1.1 IOTINVAL.VMA / IOTINVAL.GVMA */
#define RVI_IOTINVAL_AV RVI_BIT(10)
#define RVI_IOTINVAL_PSCID RVI_GENMASK(31, 12)
#define RVI_IOTINVAL_PSCV RVI_BIT(32)
#define RVI_IOTINVAL_GV RVI_BIT(33)
#define RVI_IOTINVAL_NL RVI_BIT(34) /* NLINV; reserved without caps.NL */
#define RVI_IOTINVAL_GSCID RVI_GENMASK(59, 44)
#define RVI_IOTINVAL_DW0_RESERVED (RVI_BIT(11) | RVI_GENMASK(43, 35) | RVI_GENMASK(63, 60))
#define RVI_IOTINVAL_S RVI_BIT(9) /* DW1: ARINV; reserved without caps.S */
#define RVI_IOTINVAL_ADDR RVI_GENMASK(61, 10) /* DW1: ADDR[63:12] */
#define RVI_IOTINVAL_DW1_RESERVED (RVI_GENMASK(8, 0) | RVI_GENMASK(63, 62))

/* §4.1.2 IOFENCE.C */
#define RVI_IOFENCE_AV RVI_BIT(10)
#define RVI_IOFENCE_WSI RVI_BIT(11)
#define RVI_IOFENCE_PR RVI_BIT(12)
#define RVI_IOFENCE_PW RVI_BIT(13)
#define RVI_IOFENCE_DATA RVI_GENMASK(63, 32)
#define RVI_IOFENCE_DW0_RESERVED RVI_GENMASK(31, 14)
#define RVI_IOFENCE_ADDR RVI_GENMASK(61, 0) /* DW1: ADDR[63:2] */
#define RVI_IOFENCE_DW1_RESERVED RVI_GENMASK(63, 62)

/* §4.1.3 IODIR */
#define RVI_IODIR_PID RVI_GENMASK(31, 12)
#define RVI_IODIR_DV RVI_BIT(33)
#define RVI_IODIR_DID RVI_GENMASK(63, 40)
#define RVI_IODIR_DW0_RESERVED (RVI_GENMASK(11, 10) | RVI_BIT(32) | RVI_GENMASK(39, 34))

/* §4.1.4 ATS.INVAL / ATS.PRGR */
#define RVI_ATS_PID RVI_GENMASK(31, 12)
#define RVI_ATS_PV RVI_BIT(32)
#define RVI_ATS_DSV RVI_BIT(33)
#define RVI_ATS_RID RVI_GENMASK(55, 40)
#define RVI_ATS_DSEG RVI_GENMASK(63, 56)
#define RVI_ATS_DW0_RESERVED (RVI_GENMASK(11, 10) | RVI_GENMASK(39, 34))
/* ATS.INVAL payload (PCIe invalidation request body) */
#define RVI_ATS_INVAL_G RVI_BIT(0)
#define RVI_ATS_INVAL_S RVI_BIT(11)
#define RVI_ATS_INVAL_ADDR RVI_GENMASK(63, 12)
/* ATS.PRGR payload */
#define RVI_ATS_PRGR_INDEX RVI_GENMASK(40, 32)
#define RVI_ATS_PRGR_CODE RVI_GENMASK(47, 44)
#define RVI_ATS_PRGR_RESERVED (RVI_GENMASK(31, 0) | RVI_GENMASK(43, 41) | RVI_GENMASK(63, 48))

/* [PCIe] Page Request Group Response codes */
enum rvi_prgr_code {
	RVI_PRGR_SUCCESS = 0,
	RVI_PRGR_INVALID_REQUEST = 1,
	RVI_PRGR_RESPONSE_FAILURE = 0xf,
};

/* [PCIe] Message Codes of the ATS/PRI messages; a fault record for a PCIe
 * message (TTYP 9) carries the code in iotval (§4.2). */
enum rvi_pcie_msg_code {
	RVI_PCIE_MSG_ATS_INVAL_REQ = 0x01,
	RVI_PCIE_MSG_ATS_INVAL_CPL = 0x02,
	RVI_PCIE_MSG_PAGE_REQ = 0x04,
	RVI_PCIE_MSG_PRG_RESP = 0x05,
};

/* ------------------------------------------------------------------------ */
/* §4.2 Fault/event queue record (32 bytes)                                  */
/* ------------------------------------------------------------------------ */

#define RVI_FQ_DW0_CAUSE RVI_GENMASK(11, 0)
#define RVI_FQ_DW0_PID RVI_GENMASK(31, 12)
#define RVI_FQ_DW0_PV RVI_BIT(32)
#define RVI_FQ_DW0_PRIV RVI_BIT(33)
#define RVI_FQ_DW0_TTYP RVI_GENMASK(39, 34)
#define RVI_FQ_DW0_DID RVI_GENMASK(63, 40)
/* DW1 custom/reserved, DW2 iotval, DW3 iotval2 */
#define RVI_FQ_IOTVAL2_IMPLICIT RVI_BIT(0)    /* fault on a first-stage implicit access */
#define RVI_FQ_IOTVAL2_IMPLICIT_WR RVI_BIT(1) /* that implicit access was a write */

/* §4.2 Table "Fault record transaction types" */
enum rvi_ttyp {
	RVI_TTYP_NONE = 0,
	RVI_TTYP_UNTRANSLATED_EXEC = 1,
	RVI_TTYP_UNTRANSLATED_READ = 2,
	RVI_TTYP_UNTRANSLATED_WRITE = 3,
	RVI_TTYP_TRANSLATED_EXEC = 5,
	RVI_TTYP_TRANSLATED_READ = 6,
	RVI_TTYP_TRANSLATED_WRITE = 7,
	RVI_TTYP_ATS_TRANSLATION = 8,
	RVI_TTYP_PCIE_MESSAGE = 9,
};

/* §4.2 Table "Fault record CAUSE field encodings" (30 defined causes) */
enum rvi_cause {
	RVI_CAUSE_NONE = 0, /* not a cause: "no fault" in this library */
	RVI_CAUSE_INSN_ACCESS = 1,
	RVI_CAUSE_RD_MISALIGNED = 4,
	RVI_CAUSE_RD_ACCESS = 5,
	RVI_CAUSE_WR_MISALIGNED = 6,
	RVI_CAUSE_WR_ACCESS = 7,
	RVI_CAUSE_INSN_PAGE = 12,
	RVI_CAUSE_RD_PAGE = 13,
	RVI_CAUSE_WR_PAGE = 15,
	RVI_CAUSE_INSN_GUEST_PAGE = 20,
	RVI_CAUSE_RD_GUEST_PAGE = 21,
	RVI_CAUSE_WR_GUEST_PAGE = 23,
	RVI_CAUSE_ALL_DISALLOWED = 256,
	RVI_CAUSE_DDT_LOAD_FAULT = 257,
	RVI_CAUSE_DDT_INVALID = 258,
	RVI_CAUSE_DDT_MISCONFIGURED = 259,
	RVI_CAUSE_TTYPE_DISALLOWED = 260,
	RVI_CAUSE_MSI_PT_LOAD_FAULT = 261,
	RVI_CAUSE_MSI_PTE_INVALID = 262,
	RVI_CAUSE_MSI_PTE_MISCONFIGURED = 263,
	RVI_CAUSE_MRIF_ACCESS_FAULT = 264,
	RVI_CAUSE_PDT_LOAD_FAULT = 265,
	RVI_CAUSE_PDT_INVALID = 266,
	RVI_CAUSE_PDT_MISCONFIGURED = 267,
	RVI_CAUSE_DDT_CORRUPTED = 268,
	RVI_CAUSE_PDT_CORRUPTED = 269,
	RVI_CAUSE_MSI_PT_CORRUPTED = 270,
	RVI_CAUSE_MRIF_CORRUPTED = 271,
	RVI_CAUSE_INTERNAL_DATAPATH = 272,
	RVI_CAUSE_MSI_WRITE_FAULT = 273,
	RVI_CAUSE_PT_CORRUPTED = 274,
};

/* ------------------------------------------------------------------------ */
/* §4.3 Page-request queue record (16 bytes)                                */
/* ------------------------------------------------------------------------ */

#define RVI_PQ_DW0_PID RVI_GENMASK(31, 12)
#define RVI_PQ_DW0_PV RVI_BIT(32)
#define RVI_PQ_DW0_PRIV RVI_BIT(33)
#define RVI_PQ_DW0_EXEC RVI_BIT(34)
#define RVI_PQ_DW0_DID RVI_GENMASK(63, 40)
#define RVI_PQ_DW0_RESERVED (RVI_GENMASK(11, 0) | RVI_GENMASK(39, 35))
/* DW1: the PCIe Page Request message bytes 0x08-0x0F */
#define RVI_PRQ_R RVI_BIT(0)
#define RVI_PRQ_W RVI_BIT(1)
#define RVI_PRQ_L RVI_BIT(2)
#define RVI_PRQ_PRG_INDEX RVI_GENMASK(11, 3)
#define RVI_PRQ_ADDR RVI_GENMASK(63, 12)

/* ------------------------------------------------------------------------ */
/* Derived quantities                                                        */
/* ------------------------------------------------------------------------ */

/* Entries in a queue whose base register holds LOG2SZ-1 = f (2 .. 2^32).
 * Computed in 64 bits: LOG2SZ-1 = 31 means 2^32 entries, which does not fit
 * a 32-bit result. */
static inline uint64_t rvi_queue_entries(uint64_t qb)
{
	return UINT64_C(1) << (RVI_FIELD_GET(RVI_QB_LOG2SZ_1, qb) + 1);
}

/* §5.3 MGPAW: the GPA width used by msi_addr_mask/pattern. */
static inline unsigned rvi_mgpaw(uint64_t caps)
{
	if (caps & RVI_CAP_SV57X4)
		return 59;
	if (caps & RVI_CAP_SV48X4)
		return 50;
	if (caps & RVI_CAP_SV39X4)
		return 41;
	if (caps & RVI_CAP_SV32X4)
		return 34;
	return (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, caps);
}

/* Number of DDT levels of an iommu_mode; 0 for Off and Bare. */
static inline unsigned rvi_ddt_levels(unsigned iommu_mode)
{
	switch (iommu_mode) {
	case RVI_DDTP_MODE_1LVL:
		return 1;
	case RVI_DDTP_MODE_2LVL:
		return 2;
	case RVI_DDTP_MODE_3LVL:
		return 3;
	default:
		return 0;
	}
}

/* §3.1.1 The widest device_id a DDT of this many levels can index. */
static inline unsigned rvi_ddt_device_id_bits(unsigned levels, int extended_dc)
{
	static const unsigned base[4] = {0, 7, 16, 24};
	static const unsigned ext[4] = {0, 6, 15, 24};
	return levels > 3 ? 0 : (extended_dc ? ext[levels] : base[levels]);
}

/* §3.1.1 DDI[level] of a device_id (level 0 indexes the leaf page of DCs). */
static inline unsigned rvi_ddi(uint32_t device_id, unsigned level, int extended_dc)
{
	/* Base: 7, 9, 8 bits.  Extended: 6, 9, 9 bits. */
	unsigned lo0 = extended_dc ? 6 : 7;
	if (level == 0)
		return device_id & ((1u << lo0) - 1);
	if (level == 1)
		return (device_id >> lo0) & 0x1ff;
	return (device_id >> (lo0 + 9)) & (extended_dc ? 0x1ff : 0xff);
}

/* §3.3 PDI[level] of a process_id: 8, 9 and 3 bits. */
static inline unsigned rvi_pdi(uint32_t process_id, unsigned level)
{
	if (level == 0)
		return process_id & 0xff;
	if (level == 1)
		return (process_id >> 8) & 0x1ff;
	return (process_id >> 17) & 0x7;
}

/* Levels of a PDT for pdtp.MODE; 0 for Bare or reserved. */
static inline unsigned rvi_pdt_levels(unsigned pdtp_mode)
{
	switch (pdtp_mode) {
	case RVI_PDTP_PD8:
		return 1;
	case RVI_PDTP_PD17:
		return 2;
	case RVI_PDTP_PD20:
		return 3;
	default:
		return 0;
	}
}

/* Widest process_id of a pdtp.MODE (§3.1.3.4). */
static inline unsigned rvi_pdt_process_id_bits(unsigned pdtp_mode)
{
	static const unsigned bits[4] = {0, 8, 17, 20};
	return pdtp_mode < 4 ? bits[pdtp_mode] : 0;
}

/* [AIA] §2.7: parallel bit extract of (gpa >> 12) under msi_addr_mask. */
static inline uint64_t rvi_msi_extract(uint64_t gpa_pfn, uint64_t mask)
{
	uint64_t out = 0;
	unsigned k = 0;
	while (mask) {
		uint64_t low = mask & (~mask + 1);
		if (gpa_pfn & low)
			out |= UINT64_C(1) << k;
		k++;
		mask &= mask - 1;
	}
	return out;
}

/* ARINV §4.1.1: size in bytes of the NAPOT range encoded in ADDR[63:12].
 * Returns 0 when ADDR is all ones (UNSPECIFIED). */
static inline uint64_t rvi_napot_range_size(uint64_t addr_63_12)
{
	unsigned x = (unsigned)__builtin_ctzll(~addr_63_12);
	if (x >= 52)
		return 0;
	if (x + 1 + RVI_PAGE_SHIFT >= 64)
		return 0; /* whole address space; callers treat 0 as "all" */
	return UINT64_C(1) << (x + 1 + RVI_PAGE_SHIFT);
}

#endif /* RVIOMMU_SPEC_H */
