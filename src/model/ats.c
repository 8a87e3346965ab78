/* SPDX-License-Identifier: MIT
 *
 * model/ats.c - tracking of outstanding ATS Invalidation Requests.
 *
 * An ATS.INVAL command (§4.1.4) sends a PCIe Invalidation Request to a
 * device and is complete only when the device answers with an Invalidation
 * Completion carrying the same ITAG, or when the protocol timeout expires.
 * The command queue may move on meanwhile; an IOFENCE.C waits until no
 * invalidation sent before it is outstanding, and reports cmd_to when one
 * timed out (§4.1.2).  This file owns the slots, the model clock and the
 * timeouts; cq.c owns the fence.
 *
 * Spec: RISC-V IOMMU 1.0 §4.1.2 (IOFENCE.C timeout), §4.1.4 (ATS.INVAL).
 *
 * Invariants:
 *   (1) A slot is busy from the send of its request until its completion
 *       or timeout, and at most cfg.ats_inval_max slots are busy.
 *   (2) The ITAGs of busy slots are distinct: they come from a counter that
 *       skips any value still in use.
 *   (3) m->ats_timed_out is set here only; cq.c clears it when the
 *       IOFENCE.C that reports cmd_to consumes it.
 *   (4) Every state change that can unblock a waiting IOFENCE.C (a
 *       completion or a timeout) is followed by rvm_cq_process().
 */
#include "model/model_internal.h"

static bool itag_in_use(const struct rvm *m, uint32_t itag)
{
	for (uint32_t i = 0; i < m->cfg.ats_inval_max; i++)
		if (m->ats_pending[i].busy && m->ats_pending[i].itag == itag)
			return true;
	return false;
}

static uint64_t deadline_after(const struct rvm *m)
{
	uint64_t t = m->cfg.ats_inval_timeout;
	if (t == 0 || t > UINT64_MAX - m->now)
		return UINT64_MAX; /* never, or beyond the clock's range */
	return m->now + t;
}

bool rvm_ats_send_inval(struct rvm *m, const struct rvm_ats_msg *msg)
{
	struct rvm_ats_pending *slot = NULL;
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++) {
		if (!m->ats_pending[i].busy) {
			slot = &m->ats_pending[i];
			break;
		}
	}
	if (!slot)
		return false;

	/* Invariant (2): a free slot exists, so fewer than ats_inval_max tags
	 * are in use and this loop ends. */
	uint32_t itag = m->ats_next_itag;
	while (itag_in_use(m, itag))
		itag++;
	m->ats_next_itag = itag + 1;

	slot->busy = true;
	slot->rid = msg->rid;
	slot->itag = itag;
	slot->deadline = deadline_after(m);

	struct rvm_ats_msg out = *msg;
	out.type = RVM_ATS_MSG_INVAL;
	out.itag = itag;
	if (m->ops.ats_msg)
		m->ops.ats_msg(m->ctx, &out);
	return true;
}

bool rvm_ats_inval_outstanding(const struct rvm *m)
{
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++)
		if (m->ats_pending[i].busy)
			return true;
	return false;
}

void rvm_ats_inval_completion(struct rvm *m, uint16_t rid, uint32_t itag)
{
	bool freed = false;

	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++) {
		struct rvm_ats_pending *p = &m->ats_pending[i];
		if (p->busy && p->itag == itag && p->rid == rid) {
			p->busy = false;
			freed = true;
			break;
		}
	}
	/* A completion for an unknown tag (late, after a timeout, or from the
	 * wrong requester) is ignored. */
	if (freed)
		rvm_cq_process(m);
	pthread_mutex_unlock(&m->lock);
}

/* Free every slot whose deadline has passed; returns true if any did. */
static bool expire_timeouts(struct rvm *m)
{
	bool any = false;
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++) {
		struct rvm_ats_pending *p = &m->ats_pending[i];
		if (p->busy && p->deadline <= m->now) {
			p->busy = false;
			any = true;
		}
	}
	if (any)
		m->ats_timed_out = true;
	return any;
}

void rvm_advance(struct rvm *m, uint64_t cycles)
{
	pthread_mutex_lock(&m->lock);
	m->now = cycles > UINT64_MAX - m->now ? UINT64_MAX : m->now + cycles;
	rvm_hpm_tick(m, cycles);
	if (expire_timeouts(m))
		rvm_cq_process(m);
	pthread_mutex_unlock(&m->lock);
}
