/* SPDX-License-Identifier: MIT
 *
 * model/ctx_cache.c - the device-context and process-context caches: decoded
 * DCs (keyed by device_id) and DC+PC pairs (keyed by device_id, process_id),
 * each in a 4-way set-associative table sized by cfg.ddtc_entries and
 * cfg.pdtc_entries.
 *
 * RISC-V IOMMU spec 1.0 §2.3 (DDT/PDT caching and tags), §4.1.3 (IODIR).
 *
 * Invariants (on top of cache_impl.h's):
 *   (1) An entry is valid iff its key is non-zero, all_snap == ctx_all_gen
 *       and dev_snap == ctx_dev_gen[dev_hash(device_id)].
 *   (2) INVAL_DDT DV=0 bumps ctx_all_gen; DV=1 bumps the hashed device
 *       generation, which also drops every other device sharing the hash
 *       bucket (over-invalidation, §4.1.3 allows it).  Both are O(1).
 *   (3) Before either counter would wrap, every entry is wiped, so an old
 *       snapshot can never match again.
 *   (4) A (did, pid) pair is cached only when both caches are enabled: the
 *       pair holds the device's DC too.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

#define PID_LIMIT RVM_CTX_PID_LIMIT

static uint32_t pow2_sets_(uint32_t entries)
{
	uint32_t n = 1;
	while (n * RVM_CTX_WAYS < entries && n < (UINT32_C(1) << 24))
		n <<= 1;
	return n;
}

static int table_init_(struct rvm_ctx_table *t, uint32_t entries)
{
	memset(t, 0, sizeof(*t));
	if (!entries)
		return 0;
	uint32_t n = pow2_sets_(entries);
	t->sets = calloc(n, sizeof(*t->sets));
	t->ctxs = calloc((size_t)n * RVM_CTX_WAYS, sizeof(*t->ctxs));
	if (!t->sets || !t->ctxs) {
		free(t->sets);
		free(t->ctxs);
		memset(t, 0, sizeof(*t));
		return RVM_ENOMEM;
	}
	t->nsets = n;
	t->set_mask = n - 1;
	return 0;
}

static void table_free_(struct rvm_ctx_table *t)
{
	free(t->sets);
	free(t->ctxs);
	memset(t, 0, sizeof(*t));
}

int rvm_ctx_cache_init_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	c->ctx_all_gen = 1;
	if (table_init_(&c->dcs, m->cfg.ddtc_entries) ||
	    table_init_(&c->pcs, m->cfg.ddtc_entries ? m->cfg.pdtc_entries : 0))
		goto fail;
	c->ctx_dev_gen = calloc(RVM_CTX_DEV_GENS, sizeof(*c->ctx_dev_gen));
	if (!c->ctx_dev_gen)
		goto fail;
	return 0;
fail:
	rvm_ctx_cache_destroy_(m);
	return RVM_ENOMEM;
}

void rvm_ctx_cache_destroy_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	table_free_(&c->dcs);
	table_free_(&c->pcs);
	free(c->ctx_dev_gen);
	c->ctx_dev_gen = NULL;
}

static void wipe_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	if (c->dcs.sets)
		memset(c->dcs.sets, 0, (size_t)c->dcs.nsets * sizeof(*c->dcs.sets));
	if (c->pcs.sets)
		memset(c->pcs.sets, 0, (size_t)c->pcs.nsets * sizeof(*c->pcs.sets));
	if (c->ctx_dev_gen)
		memset(c->ctx_dev_gen, 0, RVM_CTX_DEV_GENS * sizeof(*c->ctx_dev_gen));
	c->ctx_all_gen = 1;
}

/* Invariant (3): bump a counter, or wipe everything when it would wrap. */
static void bump_(struct rvm *m, uint32_t *gen)
{
	if (*gen >= UINT32_MAX - 1)
		wipe_(m);
	else
		(*gen)++;
}

void rvm_ctx_cache_flush_(struct rvm *m)
{
	m->caches.dbg_inval_work++;
	bump_(m, &m->caches.ctx_all_gen);
}

static inline uint32_t dev_hash_(uint32_t device_id)
{
	return rvm_ctx_dev_hash_(device_id);
}

static inline uint64_t ctx_key_(uint32_t device_id, bool pid_valid, uint32_t process_id)
{
	return rvm_ctx_key_(device_id, pid_valid, process_id);
}

static inline uint32_t set_of_(const struct rvm_ctx_table *t, uint64_t key)
{
	return rvm_ctx_set_(t, key);
}

const struct rvm_ctx *rvm_ctx_lookup(struct rvm *m, uint32_t device_id, bool pid_valid,
                                     uint32_t process_id)
{
	return rvm_ctx_find_(&m->caches, device_id, pid_valid, process_id);
}

void rvm_ctx_insert(struct rvm *m, const struct rvm_ctx *ctx)
{
	struct rvm_caches *c = &m->caches;
	struct rvm_ctx_table *t = ctx->pid_valid ? &c->pcs : &c->dcs;
	if (!t->nsets || (ctx->pid_valid && ctx->process_id >= PID_LIMIT))
		return;
	uint64_t key = ctx_key_(ctx->device_id, ctx->pid_valid, ctx->process_id);
	uint32_t s = set_of_(t, key);
	struct rvm_ctx_set *set = &t->sets[s];
	unsigned way = RVM_CTX_WAYS;
	for (unsigned w = 0; w < RVM_CTX_WAYS && way == RVM_CTX_WAYS; w++)
		if (set->key[w] == key) /* keys are unique within a set */
			way = w;
	for (unsigned w = 0; w < RVM_CTX_WAYS && way == RVM_CTX_WAYS; w++)
		if (!set->key[w])
			way = w;
	if (way == RVM_CTX_WAYS)
		way = set->victim++ % RVM_CTX_WAYS;

	rvm_seq_write_begin(m);
	set->key[way] = key;
	set->all_snap[way] = c->ctx_all_gen;
	set->dev_snap[way] = c->ctx_dev_gen[dev_hash_(ctx->device_id)];
	struct rvm_ctx *dst = &t->ctxs[s * RVM_CTX_WAYS + way];
	*dst = *ctx;
	if (!ctx->pid_valid)
		dst->process_id = 0;
	/* The IOTLB space of an Untranslated request under this context, so
	 * the fast path need not re-derive it (cache_impl.h). */
	dst->tlb_key = rvm_space_key_(dst->gv, dst->gscid, dst->pscv, dst->pscid);
	rvm_seq_write_end(m);
}

void rvm_ctx_inval_ddt(struct rvm *m, bool dv, uint32_t device_id)
{
	struct rvm_caches *c = &m->caches;
	if (!c->ctx_dev_gen)
		return;
	rvm_seq_write_begin(m);
	c->dbg_inval_work++;
	if (dv) /* §4.1.3: the DC of device_id and every PC of that device */
		bump_(m, &c->ctx_dev_gen[dev_hash_(device_id)]);
	else /* every DC and PC */
		bump_(m, &c->ctx_all_gen);
	rvm_seq_write_end(m);
}

void rvm_ctx_inval_pdt(struct rvm *m, uint32_t device_id, uint32_t process_id)
{
	struct rvm_ctx_table *t = &m->caches.pcs;
	if (!t->nsets || process_id >= PID_LIMIT)
		return;
	uint64_t key = ctx_key_(device_id, true, process_id);
	struct rvm_ctx_set *set = &t->sets[set_of_(t, key)];
	rvm_seq_write_begin(m);
	for (unsigned w = 0; w < RVM_CTX_WAYS; w++) {
		m->caches.dbg_inval_work++;
		if (set->key[w] == key)
			set->key[w] = 0;
	}
	rvm_seq_write_end(m);
}
