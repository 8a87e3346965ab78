/* SPDX-License-Identifier: MIT
 *
 * model/snapshot.c - rvm_save() and rvm_restore(): the architectural state
 * of an instance as a self-checking, versioned byte blob.
 *
 * Layout (all integers little-endian):
 *   0   magic "RVIOMMUS"          8 bytes
 *   8   format version            u32 (SNAP_VERSION)
 *   12  total blob length         u32
 *   16  CRC-32 (IEEE 802.3) of every byte except this field
 *   20  payload: the config identity, then the state, in the order of
 *       snap_fields() below, then the outstanding ATS invalidations.
 *
 * What is saved: every register (including WARL-legalised values, ipsr,
 * the held-MSI and WSI-level state and the debug registers), queue bases,
 * heads, tails and CSRs, the HPM counters and selectors, the model clock
 * and the outstanding ATS.INVALs with their ITAGs and deadlines.  What is
 * not: caches (dropped on restore; a cache is never architecturally
 * required to hold anything) and statistics.
 *
 * Errors (docs/uncertain.md): RVM_ECORRUPT for a truncated blob, a bad
 * magic, a length or checksum mismatch, or state no rvm_save() produces;
 * RVM_EVERSION for another format version; RVM_EINVAL for a blob taken on
 * an instance whose configuration (capabilities and the WARL-shaping
 * config fields) differs, or with more outstanding ATS.INVALs than this
 * instance tracks, and from rvm_save() for a buffer that is too small.
 *
 * Invariants:
 *   (1) rvm_restore() parses and checks the whole blob into a local
 *       struct before it touches the instance, so a failure leaves the
 *       instance unchanged.
 *   (2) Saving and restoring are field lists walked by the same function
 *       (snap_fields), so the two directions can not drift apart.
 */
#include "model/model_internal.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_MAGIC "RVIOMMUS"
#define SNAP_VERSION 1u
#define SNAP_HEADER_SIZE 20u
#define SNAP_CRC_OFFSET 16u

/* ---- CRC-32 (reflected polynomial 0xEDB88320), bitwise: blobs are small */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static uint32_t blob_crc(const uint8_t *b, size_t len)
{
	uint32_t c = crc32_update(0, b, SNAP_CRC_OFFSET);
	return crc32_update(c, b + SNAP_HEADER_SIZE, len - SNAP_HEADER_SIZE);
}

/* ---- one cursor serves both directions ---- */
struct cursor {
	uint8_t *out;      /* saving: destination, or NULL to measure */
	const uint8_t *in; /* restoring: source */
	size_t len, pos;   /* len: bytes available */
	bool bad;          /* restoring ran past the end */
};

static void field(struct cursor *c, void *v, unsigned size)
{
	uint64_t x = 0;
	if (c->in) {
		if (c->pos + size > c->len) {
			c->bad = true;
			return;
		}
		for (unsigned i = 0; i < size; i++)
			x |= (uint64_t)c->in[c->pos + i] << (8 * i);
		switch (size) {
		case 1:
			*(uint8_t *)v = (uint8_t)x;
			break;
		case 2:
			*(uint16_t *)v = (uint16_t)x;
			break;
		case 4:
			*(uint32_t *)v = (uint32_t)x;
			break;
		default:
			*(uint64_t *)v = x;
			break;
		}
	} else {
		switch (size) {
		case 1:
			x = *(uint8_t *)v;
			break;
		case 2:
			x = *(uint16_t *)v;
			break;
		case 4:
			x = *(uint32_t *)v;
			break;
		default:
			x = *(uint64_t *)v;
			break;
		}
		if (c->out)
			for (unsigned i = 0; i < size; i++)
				c->out[c->pos + i] = (uint8_t)(x >> (8 * i));
	}
	c->pos += size;
}

#define F(c, v) field((c), &(v), sizeof(v))

static void f_bool(struct cursor *c, bool *b)
{
	uint8_t v = *b;
	F(c, v);
	if (c->in)
		*b = v != 0;
	if (c->in && v > 1)
		c->bad = true;
}

/* The configuration a blob is tied to: capabilities and every config field
 * that shapes what a register can hold. */
struct snap_ident {
	uint64_t caps;
	uint32_t fctl_writable;
	uint8_t ddt_modes, cq_lg2, fq_lg2, pq_lg2;
	uint8_t hpm_counters, hpm_counter_bits, icvec_bits, rcid_bits, mcid_bits;
};

struct snap_state {
	struct snap_ident id;
	uint32_t fctl;
	uint64_t ddtp;
	struct rvm_queue cq, fq, pq;
	uint32_t ipsr;
	uint64_t icvec;
	uint64_t msi_addr[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_data[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_vec_ctl[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_pending, wsi_level, iommu_qosid;
	uint64_t tr_req_iova, tr_req_ctl, tr_response;
	uint32_t iocountinh;
	uint64_t iohpmcycles;
	uint64_t iohpmctr[RVI_HPM_COUNTERS_MAX + 1];
	uint64_t iohpmevt[RVI_HPM_COUNTERS_MAX + 1];
	uint32_t ats_next_itag;
	bool ats_timed_out;
	uint64_t now;
	uint32_t n_pending;
};

static void snap_queue(struct cursor *c, struct rvm_queue *q)
{
	F(c, q->base);
	F(c, q->head);
	F(c, q->tail);
	F(c, q->csr);
}

/* Invariant (2): the single list of saved fields. */
static void snap_fields(struct cursor *c, struct snap_state *s)
{
	F(c, s->id.caps);
	F(c, s->id.fctl_writable);
	F(c, s->id.ddt_modes);
	F(c, s->id.cq_lg2);
	F(c, s->id.fq_lg2);
	F(c, s->id.pq_lg2);
	F(c, s->id.hpm_counters);
	F(c, s->id.hpm_counter_bits);
	F(c, s->id.icvec_bits);
	F(c, s->id.rcid_bits);
	F(c, s->id.mcid_bits);
	F(c, s->fctl);
	F(c, s->ddtp);
	snap_queue(c, &s->cq);
	snap_queue(c, &s->fq);
	snap_queue(c, &s->pq);
	F(c, s->ipsr);
	F(c, s->icvec);
	for (unsigned i = 0; i < RVI_MSI_CFG_ENTRIES; i++) {
		F(c, s->msi_addr[i]);
		F(c, s->msi_data[i]);
		F(c, s->msi_vec_ctl[i]);
	}
	F(c, s->msi_pending);
	F(c, s->wsi_level);
	F(c, s->iommu_qosid);
	F(c, s->tr_req_iova);
	F(c, s->tr_req_ctl);
	F(c, s->tr_response);
	F(c, s->iocountinh);
	F(c, s->iohpmcycles);
	for (unsigned x = 1; x <= RVI_HPM_COUNTERS_MAX; x++) {
		F(c, s->iohpmctr[x]);
		F(c, s->iohpmevt[x]);
	}
	F(c, s->ats_next_itag);
	f_bool(c, &s->ats_timed_out);
	F(c, s->now);
	F(c, s->n_pending);
}

static void snap_pending(struct cursor *c, struct rvm_ats_pending *p)
{
	F(c, p->rid);
	F(c, p->itag);
	F(c, p->deadline);
}

static void ident_of(const struct rvm *m, struct snap_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->caps = m->caps;
	id->fctl_writable = m->cfg.fctl_writable;
	id->ddt_modes = m->cfg.ddt_modes;
	id->cq_lg2 = m->cfg.cq_log2sz_max;
	id->fq_lg2 = m->cfg.fq_log2sz_max;
	id->pq_lg2 = m->cfg.pq_log2sz_max;
	id->hpm_counters = m->cfg.hpm_counters;
	id->hpm_counter_bits = m->cfg.hpm_counter_bits;
	id->icvec_bits = m->cfg.icvec_bits;
	id->rcid_bits = m->cfg.rcid_bits;
	id->mcid_bits = m->cfg.mcid_bits;
}

static bool ident_equal(const struct snap_ident *a, const struct snap_ident *b)
{
	/* Field by field: padding bytes are not part of the identity. */
	return a->caps == b->caps && a->fctl_writable == b->fctl_writable &&
	       a->ddt_modes == b->ddt_modes && a->cq_lg2 == b->cq_lg2 && a->fq_lg2 == b->fq_lg2 &&
	       a->pq_lg2 == b->pq_lg2 && a->hpm_counters == b->hpm_counters &&
	       a->hpm_counter_bits == b->hpm_counter_bits && a->icvec_bits == b->icvec_bits &&
	       a->rcid_bits == b->rcid_bits && a->mcid_bits == b->mcid_bits;
}

/* The architectural fields copied between the model and a snap_state, in
 * both directions, from one list so save and restore cannot drift apart:
 * plain assignments, then arrays. */
#define SNAP_SCALARS(X)                                                                            \
	X(fctl)                                                                                    \
	X(ddtp) X(cq) X(fq) X(pq) X(ipsr) X(icvec) X(msi_pending) X(wsi_level) X(iommu_qosid)      \
	    X(tr_req_iova) X(tr_req_ctl) X(tr_response) X(iocountinh) X(iohpmcycles)               \
	        X(ats_next_itag) X(ats_timed_out) X(now)
#define SNAP_ARRAYS(X) X(msi_addr) X(msi_data) X(msi_vec_ctl) X(iohpmctr) X(iohpmevt)

static void state_of(const struct rvm *m, struct snap_state *s)
{
	memset(s, 0, sizeof(*s));
	ident_of(m, &s->id);
#define X(f) s->f = m->f;
	SNAP_SCALARS(X)
#undef X
#define X(f) memcpy(s->f, m->f, sizeof(s->f));
	SNAP_ARRAYS(X)
#undef X
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++)
		s->n_pending += m->ats_pending[i].busy;
}

static void save_into(const struct rvm *m, struct cursor *c)
{
	struct snap_state s;
	state_of(m, &s);
	c->pos = SNAP_HEADER_SIZE;
	snap_fields(c, &s);
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++) {
		struct rvm_ats_pending p = m->ats_pending[i];
		if (p.busy)
			snap_pending(c, &p);
	}
}

long rvm_save(const struct rvm *m, void *buf, size_t cap)
{
	struct cursor c = {0};
	save_into(m, &c);
	size_t len = c.pos;
	if (!buf)
		return (long)len;
	if (cap < len)
		return RVM_EINVAL;

	uint8_t *b = buf;
	c = (struct cursor){.out = b};
	save_into(m, &c);
	memcpy(b, SNAP_MAGIC, 8);
	for (unsigned i = 0; i < 4; i++) {
		b[8 + i] = (uint8_t)(SNAP_VERSION >> (8 * i));
		b[12 + i] = (uint8_t)((uint32_t)len >> (8 * i));
	}
	uint32_t crc = blob_crc(b, len);
	for (unsigned i = 0; i < 4; i++)
		b[SNAP_CRC_OFFSET + i] = (uint8_t)(crc >> (8 * i));
	return (long)len;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool queue_sane(const struct rvm_queue *q)
{
	uint32_t n = rvi_queue_entries(q->base);
	return q->head < n && q->tail < n;
}

/* State that rvm_save() never produces (and that later code indexes with). */
static bool state_sane(const struct snap_state *s, const struct rvm_ats_pending *p)
{
	if (!queue_sane(&s->cq) || !queue_sane(&s->fq) || !queue_sane(&s->pq))
		return false;
	for (uint32_t i = 0; i < s->n_pending; i++)
		for (uint32_t j = i + 1; j < s->n_pending; j++)
			if (p[i].itag == p[j].itag)
				return false;
	return true;
}

int rvm_restore(struct rvm *m, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	if (!b || len < SNAP_HEADER_SIZE || memcmp(b, SNAP_MAGIC, 8))
		return RVM_ECORRUPT;
	if (le32(b + 8) != SNAP_VERSION)
		return RVM_EVERSION;
	if (le32(b + 12) != len || le32(b + SNAP_CRC_OFFSET) != blob_crc(b, len))
		return RVM_ECORRUPT;

	struct snap_state s = {0};
	struct cursor c = {.in = b, .len = len, .pos = SNAP_HEADER_SIZE};
	snap_fields(&c, &s);
	if (c.bad)
		return RVM_ECORRUPT;

	struct snap_ident mine;
	ident_of(m, &mine);
	if (!ident_equal(&mine, &s.id))
		return RVM_EINVAL;
	if (s.n_pending > m->cfg.ats_inval_max)
		return RVM_EINVAL;
	/* n_pending <= ats_inval_max; each record is 14 bytes. */
	if ((len - c.pos) != (size_t)s.n_pending * 14)
		return RVM_ECORRUPT;

	struct rvm_ats_pending *pend = NULL;
	if (s.n_pending) {
		pend = calloc(s.n_pending, sizeof(*pend));
		if (!pend)
			return RVM_ENOMEM;
	}
	for (uint32_t i = 0; i < s.n_pending; i++) {
		snap_pending(&c, &pend[i]);
		pend[i].busy = true;
	}
	if (c.bad || c.pos != len || !state_sane(&s, pend)) {
		free(pend);
		return RVM_ECORRUPT;
	}

	/* Invariant (1): everything is checked; now apply. */
	pthread_mutex_lock(&m->lock);
#define X(f) m->f = s.f;
	SNAP_SCALARS(X)
#undef X
#define X(f) memcpy(m->f, s.f, sizeof(s.f));
	SNAP_ARRAYS(X)
#undef X
	m->hpm_active = 0;
	/* Rewriting iocountinh recomputes hpm_active (hpm.c invariant 1). */
	rvm_hpm_mmio_write(m, RVI_REG_IOCOUNTINH, 4, s.iocountinh);
	for (uint32_t i = 0; i < m->cfg.ats_inval_max && m->ats_pending; i++)
		m->ats_pending[i] = i < s.n_pending ? pend[i] : (struct rvm_ats_pending){0};
	rvm_caches_flush_all(m);
	pthread_mutex_unlock(&m->lock);
	free(pend);
	return 0;
}
