/* SPDX-License-Identifier: MIT
 *
 * model/cq.c - the command-queue consumer: fetch, decode, execute.
 *
 * Spec: RISC-V IOMMU 1.0 §4.1 (command formats and semantics: IOTINVAL
 * §4.1.1, IOFENCE §4.1.2, IODIR §4.1.3, ATS §4.1.4), §5.15 (cqcsr error
 * bits), with NLINV (IOTINVAL.NL) and ARINV (IOTINVAL.S, NAPOT ranges).
 *
 * Invariants:
 *   (1) Only this file advances cqh, one command at a time, modulo the
 *       queue size, and only after the command completed (this model runs
 *       each command to completion, so cqh passing a command means it is
 *       done; §4.1 allows that).
 *   (2) Processing runs while cqon=1, cmd_ill=cmd_to=cqmf=0 and cqh != cqt.
 *       On cmd_ill or cqmf cqh stays at the offending command; on cmd_to at
 *       the IOFENCE.C that found the timeout (§5.15).
 *   (3) A command is illegal (cmd_ill) if its opcode/func3 is reserved, any
 *       reserved bit is set, or it needs a capability that is absent
 *       (§4.1: "illegal" and "unsupported" are both cmd_ill).
 *   (4) IOFENCE.C completes only when no earlier ATS.INVAL is outstanding;
 *       until then the queue stalls with cqh at the fence, and ats.c calls
 *       rvm_cq_process() again when a completion arrives or one times out.
 *       Everything else completes synchronously, so PR/PW need no action:
 *       every earlier device access the model processed has already been
 *       performed on the host's memory by the time the fence runs.
 *   (5) Work per call is bounded by the queue size: each iteration either
 *       advances cqh toward cqt or stops.
 */
#include "model/model_internal.h"

enum cmd_result {
	CMD_DONE,     /* completed: advance cqh */
	CMD_ILLEGAL,  /* set cmd_ill, stop */
	CMD_MEMFAULT, /* set cqmf, stop */
	CMD_TIMEOUT,  /* set cmd_to, stop */
	CMD_STALL,    /* cannot complete yet; retry later without an error */
};

static bool has(const struct rvm *m, uint64_t cap)
{
	return (m->caps & cap) != 0;
}

/* ARINV: the NAPOT range encoded in ADDR[63:12] (§4.1.1), as a log2 size;
 * 64 for "the whole address space" (also used for the UNSPECIFIED all-ones
 * encoding: over-invalidation is always allowed). */
static unsigned napot_range_lg2(uint64_t addr_63_12)
{
	uint64_t size = rvi_napot_range_size(addr_63_12);
	return size ? (unsigned)__builtin_ctzll(size) : 64;
}

/* §4.1.1 IOTINVAL.VMA and IOTINVAL.GVMA. */
static enum cmd_result exec_iotinval(struct rvm *m, unsigned func3, uint64_t dw0, uint64_t dw1)
{
	bool av = dw0 & RVI_IOTINVAL_AV, gv = dw0 & RVI_IOTINVAL_GV;
	bool pscv = dw0 & RVI_IOTINVAL_PSCV, nl = dw0 & RVI_IOTINVAL_NL;
	bool s = dw1 & RVI_IOTINVAL_S;
	uint32_t pscid = (uint32_t)RVI_FIELD_GET(RVI_IOTINVAL_PSCID, dw0);
	uint16_t gscid = (uint16_t)RVI_FIELD_GET(RVI_IOTINVAL_GSCID, dw0);
	uint64_t addr_63_12 = RVI_FIELD_GET(RVI_IOTINVAL_ADDR, dw1);
	unsigned range_lg2 = RVI_PAGE_SHIFT;

	if (func3 != RVI_IOTINVAL_VMA && func3 != RVI_IOTINVAL_GVMA)
		return CMD_ILLEGAL;
	if ((dw0 & RVI_IOTINVAL_DW0_RESERVED) || (dw1 & RVI_IOTINVAL_DW1_RESERVED))
		return CMD_ILLEGAL;
	if (nl && !has(m, RVI_CAP_NL))
		return CMD_ILLEGAL; /* NLINV: bit 34 is reserved without caps.NL */
	if (s && !has(m, RVI_CAP_S))
		return CMD_ILLEGAL; /* ARINV: bit 73 is reserved without caps.S */
	if (func3 == RVI_IOTINVAL_GVMA && pscv)
		return CMD_ILLEGAL; /* §4.1.1: PSCV must be 0 for GVMA */

	if (func3 == RVI_IOTINVAL_GVMA) {
		/* GV=0: all VMs, all levels; AV, NL and S are ignored. */
		bool use_addr = gv && av;
		if (use_addr && s)
			range_lg2 = napot_range_lg2(addr_63_12);
		uint64_t addr = use_addr ? addr_63_12 << RVI_PAGE_SHIFT : 0;
		if (range_lg2 < 64)
			addr &= ~((UINT64_C(1) << range_lg2) - 1);
		rvm_iotlb_inval_gvma(m, gv, gscid, use_addr, addr, range_lg2, use_addr && nl);
		return CMD_DONE;
	}
	/* VMA: NL and S act only with AV=1. */
	if (av && s)
		range_lg2 = napot_range_lg2(addr_63_12);
	uint64_t addr = av ? addr_63_12 << RVI_PAGE_SHIFT : 0;
	if (range_lg2 < 64)
		addr &= ~((UINT64_C(1) << range_lg2) - 1);
	rvm_iotlb_inval_vma(m, gv, gscid, pscv, pscid, av, addr, range_lg2, av && nl);
	return CMD_DONE;
}

/* §4.1.2 IOFENCE.C. */
static enum cmd_result exec_iofence(struct rvm *m, unsigned func3, uint64_t dw0, uint64_t dw1)
{
	if (func3 != RVI_IOFENCE_C)
		return CMD_ILLEGAL;
	if ((dw0 & RVI_IOFENCE_DW0_RESERVED) || (dw1 & RVI_IOFENCE_DW1_RESERVED))
		return CMD_ILLEGAL;
	/* WSI is reserved unless wires are in use (fctl.WSI=1, which already
	 * implies IGS is WSI or BOTH). */
	if ((dw0 & RVI_IOFENCE_WSI) && !(m->fctl & RVI_FCTL_WSI))
		return CMD_ILLEGAL;

	/* Invariant (4): wait for every earlier ATS.INVAL. */
	if (rvm_ats_inval_outstanding(m))
		return CMD_STALL;
	if (m->ats_timed_out) {
		/* §4.1.2: report it here; once software clears cmd_to the
		 * fence runs again and completes. */
		m->ats_timed_out = false;
		return CMD_TIMEOUT;
	}
	if (dw0 & RVI_IOFENCE_AV) {
		uint64_t pa = RVI_FIELD_GET(RVI_IOFENCE_ADDR, dw1) << 2;
		uint32_t data = (uint32_t)RVI_FIELD_GET(RVI_IOFENCE_DATA, dw0);
		struct rvm_mem_attr a = rvm_attr_iommu(m, RVM_MEM_FENCE);
		if (rvm_mem_write32(m, pa, rvm_fctl_be(m), data, &a) != RVM_MEM_OK)
			return CMD_MEMFAULT; /* the fence does not complete */
	}
	if (dw0 & RVI_IOFENCE_WSI)
		m->cq.csr |= RVI_CQCSR_FENCE_W_IP;
	return CMD_DONE;
}

/* §4.1.3 IODIR.INVAL_DDT and IODIR.INVAL_PDT. */
static enum cmd_result exec_iodir(struct rvm *m, unsigned func3, uint64_t dw0, uint64_t dw1)
{
	bool dv = dw0 & RVI_IODIR_DV;
	uint32_t did = (uint32_t)RVI_FIELD_GET(RVI_IODIR_DID, dw0);
	uint32_t pid = (uint32_t)RVI_FIELD_GET(RVI_IODIR_PID, dw0);

	if (func3 != RVI_IODIR_INVAL_DDT && func3 != RVI_IODIR_INVAL_PDT)
		return CMD_ILLEGAL;
	if ((dw0 & RVI_IODIR_DW0_RESERVED) || dw1)
		return CMD_ILLEGAL; /* DW1 is entirely reserved */
	if (func3 == RVI_IODIR_INVAL_DDT) {
		if (pid)
			return CMD_ILLEGAL; /* PID is reserved for INVAL_DDT */
		rvm_ctx_inval_ddt(m, dv, dv ? did : 0);
		return CMD_DONE;
	}
	if (!dv)
		return CMD_ILLEGAL; /* INVAL_PDT requires DV=1 */
	rvm_ctx_inval_pdt(m, did, pid);
	return CMD_DONE;
}

/* §4.1.4 ATS.INVAL and ATS.PRGR.  The payload is the PCIe message body and
 * is forwarded without interpretation [UNCERTAIN: its "must be zero" bits
 * are the device's to check]. */
static enum cmd_result exec_ats(struct rvm *m, unsigned func3, uint64_t dw0, uint64_t dw1)
{
	if (!has(m, RVI_CAP_ATS))
		return CMD_ILLEGAL; /* unsupported */
	if (func3 != RVI_ATS_INVAL && func3 != RVI_ATS_PRGR)
		return CMD_ILLEGAL;
	if (dw0 & RVI_ATS_DW0_RESERVED)
		return CMD_ILLEGAL;

	struct rvm_ats_msg msg = {
	    .type = func3 == RVI_ATS_INVAL ? RVM_ATS_MSG_INVAL : RVM_ATS_MSG_PRGR,
	    .rid = (uint16_t)RVI_FIELD_GET(RVI_ATS_RID, dw0),
	    .dseg = (uint8_t)RVI_FIELD_GET(RVI_ATS_DSEG, dw0),
	    .dsv = (dw0 & RVI_ATS_DSV) != 0,
	    .pv = (dw0 & RVI_ATS_PV) != 0,
	    .payload = dw1,
	};
	if (msg.pv)
		msg.pid = (uint32_t)RVI_FIELD_GET(RVI_ATS_PID, dw0);
	if (func3 == RVI_ATS_INVAL)
		return rvm_ats_send_inval(m, &msg) ? CMD_DONE : CMD_STALL; /* no free tag */
	if (m->ops.ats_msg)
		m->ops.ats_msg(m->ctx, &msg);
	return CMD_DONE;
}

static enum cmd_result exec_cmd(struct rvm *m, uint64_t dw0, uint64_t dw1)
{
	unsigned opcode = (unsigned)RVI_FIELD_GET(RVI_CMD_OPCODE, dw0);
	unsigned func3 = (unsigned)RVI_FIELD_GET(RVI_CMD_FUNC3, dw0);

	switch (opcode) {
	case RVI_CMD_IOTINVAL:
		return exec_iotinval(m, func3, dw0, dw1);
	case RVI_CMD_IOFENCE:
		return exec_iofence(m, func3, dw0, dw1);
	case RVI_CMD_IODIR:
		return exec_iodir(m, func3, dw0, dw1);
	case RVI_CMD_ATS:
		return exec_ats(m, func3, dw0, dw1);
	default:
		return CMD_ILLEGAL; /* reserved, or custom with no custom commands */
	}
}

void rvm_cq_process(struct rvm *m)
{
	struct rvm_queue *q = &m->cq;
	uint32_t mask = rvi_queue_entries(q->base) - 1;
	uint32_t before = q->csr;

	while ((q->csr & RVI_CQCSR_CQON) && !(q->csr & RVI_CQCSR_ERRORS) && q->head != q->tail) {
		uint64_t pa = (RVI_FIELD_GET(RVI_QB_PPN, q->base) << RVI_PAGE_SHIFT) +
		              (uint64_t)q->head * RVI_CQ_ENTRY_SIZE;
		struct rvm_mem_attr a = rvm_attr_iommu(m, RVM_MEM_CQ);
		uint64_t dw[2];
		enum cmd_result r;

		if (rvm_mem_read_dws(m, pa, rvm_fctl_be(m), dw, 2, &a) != RVM_MEM_OK)
			r = CMD_MEMFAULT; /* §5.15: fetch fault, cqh stays */
		else
			r = exec_cmd(m, dw[0], dw[1]);

		if (r == CMD_STALL)
			break;
		if (r == CMD_ILLEGAL)
			q->csr |= RVI_CQCSR_CMD_ILL;
		else if (r == CMD_MEMFAULT)
			q->csr |= RVI_CQCSR_CQMF;
		else if (r == CMD_TIMEOUT)
			q->csr |= RVI_CQCSR_CMD_TO;
		else {
			q->head = (q->head + 1) & mask;
			m->st_commands++;
		}
	}
	if (q->csr != before)
		rvm_intr_update(m); /* cip */
}
