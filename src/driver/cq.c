/* SPDX-License-Identifier: MIT
 *
 * driver/cq.c - command submission: batches, IOFENCE.C sync with a
 * timeout, and recovery from cmd_ill, cqmf and cmd_to.
 *
 * Spec: RISC-V IOMMU 1.0 §4.1 (command queue), §5.6/§5.15 (cqb, cqh, cqt,
 * cqcsr), §9 software guidelines (errors: "resubmit everything since the
 * last IOFENCE.C that completed").
 *
 * Submission algorithm (the caller holds the host lock):
 *   1. wait for a free slot (cqt + 1 != cqh), polling cqh with the timeout;
 *   2. store the command words in the slot at cqt;
 *   3. wmb: the command stores are visible before the cqt write (§5.7:
 *      "the producer must make the entry visible before the tail update");
 *   4. write cqt, which publishes everything up to it.
 * Sync: append IOFENCE.C and wait until cqh == cqt, i.e. the IOMMU has
 * moved past the fence, which it does only once every earlier command has
 * completed (§4.1.2).
 *
 * rvd_submit_cmds() is the one public entry point here; it takes the lock.
 *
 * Invariants
 *   1. Only this file writes cqt; iommu->cq.idx always equals it.
 *   2. Every batch ends with exactly one IOFENCE.C (rvd_batch_submit).
 *   3. After any error the queue is running again before we return:
 *      cmd_ill -> the offending slot is overwritten with an IOFENCE.C (a
 *                 no-op) and cmd_ill cleared: skip;
 *      cmd_to  -> cleared; the fence that saw it then completes;
 *      cqmf    -> the queue is disabled and re-enabled (cqh = cqt = 0):
 *                 restart; commands since the last fence are lost.
 *      The sync reports -EIO (cmd_ill, cqmf) or -ETIMEDOUT (cmd_to).
 */
#include "driver/drv_internal.h"

#define POLL_NS 1000

static uint32_t rd32(struct rvd_iommu *m, uint32_t off)
{
	return m->host.ops->read32(m->host.ctx, off);
}

static void wr32(struct rvd_iommu *m, uint32_t off, uint32_t v)
{
	m->host.ops->write32(m->host.ctx, off, v);
}

int rvd_wait32(struct rvd_iommu *m, uint32_t off, uint32_t mask, uint32_t want)
{
	const struct rvd_os_ops *o = m->host.ops;
	uint64_t t0 = o->now_ns(m->host.ctx);
	for (;;) {
		if ((rd32(m, off) & mask) == want)
			return 0;
		if (o->now_ns(m->host.ctx) - t0 > m->timeout_ns)
			return -ETIMEDOUT;
		o->delay_ns(m->host.ctx, POLL_NS);
	}
}

/* Restart the CQ after cqmf: cqen 1->0, wait off, 0->1, wait on. */
static int cq_restart(struct rvd_iommu *m)
{
	uint32_t keep = rd32(m, RVI_REG_CQCSR) & RVI_CQCSR_CIE;
	wr32(m, RVI_REG_CQCSR, keep);
	int rc = rvd_wait32(m, RVI_REG_CQCSR, RVI_CQCSR_CQON | RVI_CQCSR_BUSY, 0);
	if (rc)
		return rc;
	m->cq.idx = 0;
	wr32(m, RVI_REG_CQT, 0);
	/* cqen 0->1 clears cqh and the error bits (§5.15). */
	wr32(m, RVI_REG_CQCSR, keep | RVI_CQCSR_CQEN);
	return rvd_wait32(m, RVI_REG_CQCSR, RVI_CQCSR_CQON | RVI_CQCSR_BUSY, RVI_CQCSR_CQON);
}

/* Handle the error bits in cqcsr.  Return the error to report. */
static int cq_recover(struct rvd_iommu *m, uint32_t csr)
{
	uint32_t keep = csr & (RVI_CQCSR_CQEN | RVI_CQCSR_CIE);
	uint32_t h = rd32(m, RVI_REG_CQH) & m->cq.mask;
	uint64_t *slot = (uint64_t *)m->cq.virt + 2 * h;
	m->n_cmd_errors++;
	if (csr & RVI_CQCSR_CQMF) {
		rvd_logf(&m->host, RVD_LOG_ERR, "cq: memory fault at cqh %u; restarting queue", h);
		int rc = cq_restart(m);
		return rc ? rc : -EIO;
	}
	if (csr & RVI_CQCSR_CMD_ILL) {
		rvd_logf(&m->host, RVD_LOG_ERR,
		         "cq: illegal command at %u: %016llx %016llx; skipped", h,
		         (unsigned long long)slot[0], (unsigned long long)slot[1]);
		slot[0] = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |
		          RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C);
		slot[1] = 0;
		/* The replacement is visible before the IOMMU refetches the
		 * slot, which it does once cmd_ill is cleared. */
		m->host.ops->wmb(m->host.ctx);
		wr32(m, RVI_REG_CQCSR, keep | RVI_CQCSR_CMD_ILL);
		return -EIO;
	}
	/* cmd_to: an earlier ATS.INVAL timed out; cqh is on the fence. */
	rvd_logf(&m->host, RVD_LOG_ERR, "cq: ATS invalidation timed out (fence at %u)", h);
	wr32(m, RVI_REG_CQCSR, keep | RVI_CQCSR_CMD_TO);
	return -ETIMEDOUT;
}

/* Poll until cond holds: stop==cqh (slot free) or cqh==cqt (drained). */
static int cq_wait(struct rvd_iommu *m, bool for_space, int *err)
{
	const struct rvd_os_ops *o = m->host.ops;
	uint64_t t0 = o->now_ns(m->host.ctx);
	for (;;) {
		uint32_t csr = rd32(m, RVI_REG_CQCSR);
		if (csr & RVI_CQCSR_ERRORS) {
			int rc = cq_recover(m, csr);
			if (!*err)
				*err = rc;
			/* Kick: a cqt write makes the IOMMU fetch again. */
			wr32(m, RVI_REG_CQT, m->cq.idx);
			continue;
		}
		uint32_t h = rd32(m, RVI_REG_CQH) & m->cq.mask;
		if (for_space ? ((m->cq.idx + 1) & m->cq.mask) != h : h == m->cq.idx)
			return 0;
		if (o->now_ns(m->host.ctx) - t0 > m->timeout_ns) {
			rvd_logf(&m->host, RVD_LOG_ERR, "cq: timeout (cqh %u cqt %u cqcsr %x)", h,
			         m->cq.idx, csr);
			return -ETIMEDOUT;
		}
		o->delay_ns(m->host.ctx, POLL_NS);
	}
}

int rvd_cq_push_raw(struct rvd_iommu *m, const uint64_t (*raw)[2], unsigned n)
{
	int err = 0;
	for (unsigned i = 0; i < n; i++) {
		if (((m->cq.idx + 1) & m->cq.mask) == (rd32(m, RVI_REG_CQH) & m->cq.mask)) {
			/* Full: publish what we wrote, then wait for room. */
			m->host.ops->wmb(m->host.ctx);
			wr32(m, RVI_REG_CQT, m->cq.idx);
			int rc = cq_wait(m, true, &err);
			if (rc)
				return rc;
		}
		uint64_t *slot = (uint64_t *)m->cq.virt + 2 * m->cq.idx;
		slot[0] = raw[i][0];
		slot[1] = raw[i][1];
		m->cq.idx = (m->cq.idx + 1) & m->cq.mask;
	}
	/* Step 3: the command stores are ordered before the cqt write that
	 * lets the IOMMU fetch them. */
	m->host.ops->wmb(m->host.ctx);
	wr32(m, RVI_REG_CQT, m->cq.idx);
	return err;
}

int rvd_cq_sync(struct rvd_iommu *m, bool pr, bool pw)
{
	struct rvd_cmd c = {.op = RVD_CMD_IOFENCE_C};
	uint64_t raw[1][2];
	int err;
	c.fence.pr = pr;
	c.fence.pw = pw;
	rvd_cmd_build(m->caps, m->fctl, &c, raw[0]);
	err = rvd_cq_push_raw(m, raw, 1);
	int rc = cq_wait(m, false, &err);
	m->n_syncs++;
	return err ? err : rc;
}

void rvd_batch_init(struct rvd_batch *b)
{
	b->n = 0;
	b->err = 0;
}

void rvd_batch_add(struct rvd_iommu *m, struct rvd_batch *b, const struct rvd_cmd *cmd)
{
	int rc = rvd_cmd_build(m->caps, m->fctl, cmd, b->raw[b->n]);
	if (rc) {
		if (!b->err)
			b->err = rc;
		return;
	}
	if (++b->n == RVD_BATCH_MAX) {
		rc = rvd_cq_push_raw(m, (const uint64_t(*)[2])b->raw, b->n);
		if (rc && !b->err)
			b->err = rc;
		b->n = 0;
	}
}

int rvd_batch_submit(struct rvd_iommu *m, struct rvd_batch *b, bool pr, bool pw)
{
	struct rvd_cmd f = {.op = RVD_CMD_IOFENCE_C};
	int err = b->err;
	if (b->n == RVD_BATCH_MAX) {
		int rc = rvd_cq_push_raw(m, (const uint64_t(*)[2])b->raw, b->n);
		if (rc && !err)
			err = rc;
		b->n = 0;
	}
	/* Invariant 2: the fence goes out with the batch in one cqt write. */
	f.fence.pr = pr;
	f.fence.pw = pw;
	rvd_cmd_build(m->caps, m->fctl, &f, b->raw[b->n++]);
	int rc = rvd_cq_push_raw(m, (const uint64_t(*)[2])b->raw, b->n);
	if (rc && !err)
		err = rc;
	rc = cq_wait(m, false, &err);
	m->n_syncs++;
	rvd_batch_init(b);
	return err ? err : rc;
}

int rvd_submit_cmds(struct rvd_iommu *m, const struct rvd_cmd *cmds, unsigned n)
{
	struct rvd_batch b;
	uint64_t w[2];
	/* Check everything first, so a bad command publishes nothing. */
	for (unsigned i = 0; i < n; i++)
		if (rvd_cmd_build(m->caps, m->fctl, &cmds[i], w))
			return -EINVAL;
	/* The batch always ends with an IOFENCE.C PR=PW=1, which subsumes a
	 * caller's own trailing fence unless that one writes (AV) or signals
	 * (WSI): sending both would wait twice for the same completions. */
	if (n && cmds[n - 1].op == RVD_CMD_IOFENCE_C && !cmds[n - 1].fence.av &&
	    !cmds[n - 1].fence.wsi)
		n--;
	m->host.ops->lock(m->host.ctx);
	rvd_batch_init(&b);
	for (unsigned i = 0; i < n; i++) {
		rvd_batch_add(m, &b, &cmds[i]);
		rvd_add_ats_invals_gvma(m, &cmds[i], &b); /* after the IOATC's (§9.2) */
	}
	int rc = rvd_batch_submit(m, &b, true, true);
	m->host.ops->unlock(m->host.ctx);
	return rc;
}
