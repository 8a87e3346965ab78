/* SPDX-License-Identifier: MIT
 *
 * driver/cmd.c - the one place that turns a typed command into the two
 * raw doublewords of a command-queue entry.
 *
 * Spec: RISC-V IOMMU 1.0 §4.1 (command formats: IOTINVAL.VMA/GVMA,
 * IOFENCE.C, IODIR.INVAL_DDT/PDT, ATS.INVAL/PRGR), NLINV (bit 34) and
 * ARINV (bit 73).  Every reserved combination the spec makes cmd_ill is
 * rejected here with -EINVAL, so the driver never sends one.
 */
#include "driver/drv_internal.h"

static bool fits(uint64_t v, unsigned bits)
{
	return bits >= 64 || v < (UINT64_C(1) << bits);
}

static int build_inval(uint64_t caps, const struct rvd_cmd *c, uint64_t out[2])
{
	bool gvma = c->op == RVD_CMD_IOTINVAL_GVMA;
	const struct rvd_cmd_inval *iv = &c->inval;
	if (gvma && iv->pscv)
		return -EINVAL; /* §4.1.1: PSCV=1 with GVMA is illegal */
	if (iv->nl && (!(caps & RVI_CAP_NL) || !iv->av))
		return -EINVAL; /* NLINV: reserved without caps.NL; no effect without AV */
	if (iv->s && (!(caps & RVI_CAP_S) || !iv->av))
		return -EINVAL; /* ARINV: reserved without caps.S; needs AV */
	if (!fits(iv->pscid, RVI_PSCID_BITS) || !fits(iv->gscid, RVI_GSCID_BITS))
		return -EINVAL;
	if (iv->av && (iv->addr & (RVI_PAGE_SIZE - 1)))
		return -EINVAL;
	out[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOTINVAL) |
	         RVI_FIELD_PREP(RVI_CMD_FUNC3, gvma ? RVI_IOTINVAL_GVMA : RVI_IOTINVAL_VMA) |
	         (iv->av ? RVI_IOTINVAL_AV : 0) | (iv->pscv ? RVI_IOTINVAL_PSCV : 0) |
	         (iv->gv ? RVI_IOTINVAL_GV : 0) | (iv->nl ? RVI_IOTINVAL_NL : 0);
	if (iv->pscv)
		out[0] |= RVI_FIELD_PREP(RVI_IOTINVAL_PSCID, iv->pscid);
	if (iv->gv)
		out[0] |= RVI_FIELD_PREP(RVI_IOTINVAL_GSCID, iv->gscid);
	out[1] = 0;
	if (iv->av)
		out[1] = RVI_FIELD_PREP(RVI_IOTINVAL_ADDR, iv->addr >> RVI_PAGE_SHIFT) |
		         (iv->s ? RVI_IOTINVAL_S : 0);
	return 0;
}

int rvd_cmd_build(uint64_t caps, uint32_t fctl, const struct rvd_cmd *c, uint64_t out[2])
{
	switch (c->op) {
	case RVD_CMD_IOTINVAL_VMA:
	case RVD_CMD_IOTINVAL_GVMA:
		return build_inval(caps, c, out);
	case RVD_CMD_IOFENCE_C:
		/* §4.1.2: WSI is reserved unless wired interrupts are in use. */
		if (c->fence.wsi && !(fctl & RVI_FCTL_WSI))
			return -EINVAL;
		if (c->fence.av && (c->fence.addr & 3))
			return -EINVAL;
		out[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |
		         RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C) |
		         (c->fence.av ? RVI_IOFENCE_AV : 0) | (c->fence.wsi ? RVI_IOFENCE_WSI : 0) |
		         (c->fence.pr ? RVI_IOFENCE_PR : 0) | (c->fence.pw ? RVI_IOFENCE_PW : 0);
		out[1] = 0;
		if (c->fence.av) {
			out[0] |= RVI_FIELD_PREP(RVI_IOFENCE_DATA, c->fence.data);
			out[1] = RVI_FIELD_PREP(RVI_IOFENCE_ADDR, c->fence.addr >> 2);
		}
		return 0;
	case RVD_CMD_IODIR_INVAL_DDT:
	case RVD_CMD_IODIR_INVAL_PDT: {
		bool pdt = c->op == RVD_CMD_IODIR_INVAL_PDT;
		if (pdt && !c->iodir.dv)
			return -EINVAL; /* §4.1.3: INVAL_PDT requires DV=1 */
		if (!pdt && c->iodir.pid)
			return -EINVAL; /* PID is reserved for INVAL_DDT */
		if (!fits(c->iodir.did, RVI_DEVICE_ID_BITS) ||
		    !fits(c->iodir.pid, RVI_PROCESS_ID_BITS))
			return -EINVAL;
		out[0] =
		    RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IODIR) |
		    RVI_FIELD_PREP(RVI_CMD_FUNC3, pdt ? RVI_IODIR_INVAL_PDT : RVI_IODIR_INVAL_DDT);
		if (c->iodir.dv)
			out[0] |= RVI_IODIR_DV | RVI_FIELD_PREP(RVI_IODIR_DID, c->iodir.did);
		if (pdt)
			out[0] |= RVI_FIELD_PREP(RVI_IODIR_PID, c->iodir.pid);
		out[1] = 0;
		return 0;
	}
	case RVD_CMD_ATS_INVAL:
	case RVD_CMD_ATS_PRGR: {
		bool prgr = c->op == RVD_CMD_ATS_PRGR;
		if (!(caps & RVI_CAP_ATS))
			return -EINVAL; /* unsupported without caps.ATS */
		if (!fits(c->ats.pid, RVI_PROCESS_ID_BITS) || !fits(c->ats.rid, 16) ||
		    !fits(c->ats.dseg, 8))
			return -EINVAL;
		if (prgr && (c->ats.payload & RVI_ATS_PRGR_RESERVED))
			return -EINVAL;
		out[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_ATS) |
		         RVI_FIELD_PREP(RVI_CMD_FUNC3, prgr ? RVI_ATS_PRGR : RVI_ATS_INVAL) |
		         RVI_FIELD_PREP(RVI_ATS_RID, c->ats.rid);
		if (c->ats.pv)
			out[0] |= RVI_ATS_PV | RVI_FIELD_PREP(RVI_ATS_PID, c->ats.pid);
		if (c->ats.dsv)
			out[0] |= RVI_ATS_DSV | RVI_FIELD_PREP(RVI_ATS_DSEG, c->ats.dseg);
		out[1] = c->ats.payload;
		return 0;
	}
	}
	return -EINVAL;
}
