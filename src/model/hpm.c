/* SPDX-License-Identifier: MIT
 *
 * model/hpm.c - the performance-monitoring counters.
 *
 * iohpmcycles counts rvm_advance() cycles; iohpmctr1..N count the standard
 * events that the translation path reports through rvm_hpm_count(), each
 * under the filter its iohpmevtX programs.  Counters past cfg.hpm_counters
 * are not implemented: they read as zero and ignore writes.
 *
 * Spec: RISC-V IOMMU 1.0 §5.19 iocountovf, §5.20 iocountinh, §5.21
 * iohpmcycles, §5.22 iohpmctrX, §5.23 iohpmevtX and the standard events
 * table; §5.18 ipsr.pmip.
 *
 * WARL choices (docs/uncertain.md):
 *   - iohpmevtX.eventID keeps 0..RVI_HPM_EV_STD_LAST; any other value
 *     (reserved or custom, as none is implemented) reads back as 0, "no
 *     event".  The other iohpmevtX fields are fully writable.
 *   - iohpmctrX keeps cfg.hpm_counter_bits low bits; higher bits read 0.
 *   - iocountinh keeps bit 0 and bits 1..cfg.hpm_counters.
 *
 * Invariants:
 *   (1) m->hpm_active has bit X set iff counter X is implemented, its
 *       eventID is non-zero and iocountinh bit X is clear; it is recomputed
 *       by every write to iohpmevtX or iocountinh.  The translation fast
 *       path skips rvm_hpm_count_slow() when it is zero.
 *   (2) Every stored register value is already legal (WARL applied).
 *   (3) pmip is raised only on an overflow that moves OF from 0 to 1
 *       (§5.18); writing OF=1 from software raises nothing.
 *   (4) rvm_hpm_count_slow() and rvm_hpm_tick() run with m->lock held.
 */
#include "model/model_internal.h"

static bool hpm_present(const struct rvm *m)
{
	return m->caps & RVI_CAP_HPM;
}

static unsigned hpm_counters(const struct rvm *m)
{
	if (!hpm_present(m))
		return 0;
	return m->cfg.hpm_counters > RVI_HPM_COUNTERS_MAX ? RVI_HPM_COUNTERS_MAX
	                                                  : m->cfg.hpm_counters;
}

static uint64_t ctr_mask(const struct rvm *m)
{
	unsigned bits = m->cfg.hpm_counter_bits;
	if (bits < 32)
		bits = 32; /* §5.22: at least 32 bits; rvm_create validates */
	return bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
}

/* Bits of iocountinh / iocountovf that exist: CY and 1..N. */
static uint32_t implemented_bits(const struct rvm *m)
{
	unsigned n = hpm_counters(m);
	if (!hpm_present(m))
		return 0;
	return (uint32_t)(RVI_GENMASK(n, 0) & 0xffffffffu);
}

static void recompute_active(struct rvm *m)
{
	uint32_t active = 0;
	for (unsigned x = 1; x <= hpm_counters(m); x++)
		if (RVI_FIELD_GET(RVI_IOHPMEVT_EVENTID, m->iohpmevt[x]) &&
		    !(m->iocountinh & (UINT32_C(1) << x)))
			active |= UINT32_C(1) << x;
	/* translate.c reads hpm_active without the lock to pick its path. */
	__atomic_store_n(&m->hpm_active, active, __ATOMIC_RELAXED);
}

static uint32_t iocountovf(const struct rvm *m)
{
	uint32_t v = 0;
	if (!hpm_present(m))
		return 0;
	if (m->iohpmcycles & RVI_IOHPMCYCLES_OF)
		v |= RVI_IOCOUNTOVF_CY;
	for (unsigned x = 1; x <= hpm_counters(m); x++)
		if (m->iohpmevt[x] & RVI_IOHPMEVT_OF)
			v |= UINT32_C(1) << x;
	return v;
}

static uint64_t legal_evt(uint64_t v)
{
	if (RVI_FIELD_GET(RVI_IOHPMEVT_EVENTID, v) > RVI_HPM_EV_STD_LAST)
		v = RVI_FIELD_SET(RVI_IOHPMEVT_EVENTID, v, RVI_HPM_EV_NONE);
	return v;
}

/* ---- filters (§5.23) ---- */

/* IDT=1 (GSCID/PSCID) filtering is defined only for these events. */
static bool event_allows_idt(unsigned event)
{
	return event == RVI_HPM_EV_TLB_MISS || event == RVI_HPM_EV_S_VS_PT_WALK ||
	       event == RVI_HPM_EV_G_PT_WALK;
}

/* DID_GSCID comparison.  With DMASK the bits up to and including the
 * lowest clear bit of the programmed value are ignored (xxx011 matches
 * the eight IDs xxx000..xxx111). */
static bool did_gscid_match(uint64_t evt, uint32_t id)
{
	uint64_t v = RVI_FIELD_GET(RVI_IOHPMEVT_DID_GSCID, evt);
	uint64_t care = RVI_FIELD_GET(RVI_IOHPMEVT_DID_GSCID, RVI_IOHPMEVT_DID_GSCID);
	if (evt & RVI_IOHPMEVT_DMASK)
		care &= ~((v + 1) ^ v);
	return (v & care) == ((uint64_t)id & care);
}

static bool filter_pass(uint64_t evt, unsigned event, const struct rvm_hpm_ids *ids)
{
	bool idt = evt & RVI_IOHPMEVT_IDT;
	bool pf = evt & RVI_IOHPMEVT_PV_PSCV;
	bool df = evt & RVI_IOHPMEVT_DV_GSCV;
	uint64_t pid_pscid = RVI_FIELD_GET(RVI_IOHPMEVT_PID_PSCID, evt);

	if (idt && !event_allows_idt(event))
		return false;
	if (!idt) {
		if (pf && (!ids->pv || ids->pid != pid_pscid))
			return false;
		if (df && !did_gscid_match(evt, ids->did))
			return false;
		return true;
	}
	/* A transaction without a valid PSCID/GSCID never matches a filter on
	 * it (CHECKLIST §8, from the reference model). */
	if (pf && (!ids->pscv || ids->pscid != pid_pscid))
		return false;
	if (df && (!ids->gscv || !did_gscid_match(evt, ids->gscid)))
		return false;
	return true;
}

void rvm_hpm_count_slow(struct rvm *m, unsigned event, const struct rvm_hpm_ids *ids)
{
	uint32_t active = m->hpm_active;
	uint64_t mask = ctr_mask(m);

	while (active) {
		unsigned x = (unsigned)__builtin_ctz(active);
		active &= active - 1;
		uint64_t evt = m->iohpmevt[x];
		if (RVI_FIELD_GET(RVI_IOHPMEVT_EVENTID, evt) != event ||
		    !filter_pass(evt, event, ids))
			continue;
		m->iohpmctr[x] = (m->iohpmctr[x] + 1) & mask;
		if (m->iohpmctr[x] == 0 && !(evt & RVI_IOHPMEVT_OF)) {
			m->iohpmevt[x] = evt | RVI_IOHPMEVT_OF;
			rvm_intr_raise(m, RVI_IPSR_PMIP); /* invariant (3) */
		}
	}
}

void rvm_hpm_tick(struct rvm *m, uint64_t cycles)
{
	if (!hpm_present(m) || (m->iocountinh & RVI_IOCOUNTINH_CY) || cycles == 0)
		return;
	uint64_t c = RVI_FIELD_GET(RVI_IOHPMCYCLES_COUNTER, m->iohpmcycles);
	uint64_t max = RVI_FIELD_GET(RVI_IOHPMCYCLES_COUNTER, RVI_IOHPMCYCLES_COUNTER);
	bool wrapped = cycles > max - c;
	/* Arithmetic modulo 2^64 is also correct modulo 2^63. */
	uint64_t of = m->iohpmcycles & RVI_IOHPMCYCLES_OF;
	m->iohpmcycles = ((c + cycles) & max) | of;
	if (wrapped && !of) {
		m->iohpmcycles |= RVI_IOHPMCYCLES_OF;
		rvm_intr_raise(m, RVI_IPSR_PMIP);
	}
}

/* ---- register access ---- */

/* Register X of the ctr/evt arrays at off, or 0 when off is not in one. */
static unsigned array_index(uint32_t off, uint32_t base)
{
	if (off < base || off >= base + 8 * RVI_HPM_COUNTERS_MAX)
		return 0;
	return (off - base) / 8 + 1;
}

static uint64_t read64(const struct rvm *m, uint32_t reg)
{
	unsigned x;
	if (reg == RVI_REG_IOHPMCYCLES)
		return m->iohpmcycles;
	if ((x = array_index(reg, RVI_REG_IOHPMCTR_BASE)))
		return x <= hpm_counters(m) ? m->iohpmctr[x] : 0;
	if ((x = array_index(reg, RVI_REG_IOHPMEVT_BASE)))
		return x <= hpm_counters(m) ? m->iohpmevt[x] : 0;
	return 0;
}

static void write64(struct rvm *m, uint32_t reg, uint64_t v)
{
	unsigned x;
	if (reg == RVI_REG_IOHPMCYCLES) {
		m->iohpmcycles = v; /* counter 62:0 and OF are both writable */
	} else if ((x = array_index(reg, RVI_REG_IOHPMCTR_BASE))) {
		if (x <= hpm_counters(m))
			m->iohpmctr[x] = v & ctr_mask(m);
	} else if ((x = array_index(reg, RVI_REG_IOHPMEVT_BASE))) {
		if (x <= hpm_counters(m)) {
			/* §5.23: changing eventID leaves the counter alone. */
			m->iohpmevt[x] = legal_evt(v);
			recompute_active(m);
		}
	}
}

int rvm_hpm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val)
{
	*val = 0;
	if (!hpm_present(m))
		return 0;
	if (off == RVI_REG_IOCOUNTOVF || off == RVI_REG_IOCOUNTINH) {
		if (size != 4)
			return RVM_ESIZE;
		*val = off == RVI_REG_IOCOUNTOVF ? iocountovf(m) : m->iocountinh;
		return 0;
	}
	uint64_t v = read64(m, off & ~UINT32_C(7));
	if (size == 8)
		*val = v;
	else
		*val = (off & 4) ? v >> 32 : (uint32_t)v;
	return 0;
}

int rvm_hpm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val)
{
	if (!hpm_present(m))
		return 0;
	if (off == RVI_REG_IOCOUNTOVF || off == RVI_REG_IOCOUNTINH) {
		if (size != 4)
			return RVM_ESIZE;
		if (off == RVI_REG_IOCOUNTINH) { /* iocountovf is read-only */
			m->iocountinh = (uint32_t)val & implemented_bits(m);
			recompute_active(m);
		}
		return 0;
	}
	uint32_t reg = off & ~UINT32_C(7);
	uint64_t v = val;
	if (size == 4) {
		/* A 32-bit write replaces one half of the stored legal value. */
		unsigned sh = (off & 4) ? 32 : 0;
		v = (read64(m, reg) & ~(UINT64_C(0xffffffff) << sh)) | ((val & 0xffffffffu) << sh);
	}
	write64(m, reg, v);
	return 0;
}
