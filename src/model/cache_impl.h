/* SPDX-License-Identifier: MIT
 *
 * model/cache_impl.h - the state behind model/cache.h (see docs/model-caches.md).
 *
 * RISC-V IOMMU spec 1.0 §2.3 (IOATC tags), §4.1.1 (IOTINVAL), §4.1.3 (IODIR),
 * with the NLINV and ARINV extensions.
 *
 * Design in one paragraph: every cached leaf, G-stage leaf and non-leaf entry
 * belongs to an *address space* (GV, GSCID, PSCV, PSCID), or to the G-stage
 * space of a GSCID.  A small hashed table of space slots gives each live space
 * a generation number taken from one allocator; an entry is stamped with the
 * generation of its space at insert time and is valid only while the stamp
 * still equals the slot's generation.  Whole-space invalidation therefore is
 * one new generation (O(1)); "all spaces of a VM" and "all host spaces" bump a
 * parent counter that every slot snapshots; a global counter covers the rest.
 * Per-address invalidation probes one set per page size in use.
 *
 * Invariants:
 *   (1) A generation value handed out by rvm_caches.next_gen is never handed
 *       out again while any entry or slot could still hold it: before the
 *       allocator would wrap, every table is wiped (caches_wipe_ in iotlb.c).
 *   (2) Generation 0 is never valid; an empty way holds gen 0.
 *   (3) A space slot is live iff its key is non-zero, all_snap == all_gen
 *       and parent_snap equals its parent counter (host_gen or
 *       vm_gen[gscid]).  Entries of a slot that is not live are misses.
 *   (4) Keys are unique among the slots of one bucket.
 *   (5) The sizes bitmap of a table has bit s set whenever a valid entry of
 *       size 2^s may exist in it (it only grows, until a wipe).
 *   (6) All of this is written only with m->lock held and inside a seqcount
 *       write section; readers never write.
 */
#ifndef RVIOMMU_MODEL_CACHE_IMPL_H
#define RVIOMMU_MODEL_CACHE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#define RVM_TLB_WAYS 4u
#define RVM_SPACE_WAYS 4u
#define RVM_CTX_WAYS 4u
#define RVM_CTX_DEV_GENS 4096u /* hashed per-device generations */

/* One set of a leaf table: the tags in one cache line, the entries apart. */
struct rvm_tlb_set {
	uint64_t va_tag[RVM_TLB_WAYS]; /* iova_base | size_lg2 */
	uint32_t gen[RVM_TLB_WAYS];    /* space generation stamp; 0 = empty */
	uint32_t victim;               /* round-robin replacement cursor */
	uint32_t pad_[3];
};

struct rvm_tlb_table {
	struct rvm_tlb_set *sets;
	struct rvm_tlb_entry *entries; /* [set * RVM_TLB_WAYS + way] */
	uint32_t set_mask;             /* nsets - 1; tables with no sets are disabled */
	uint32_t nsets;
	uint64_t sizes; /* bit s: entries of 2^s bytes may be present, invariant (5) */
};

struct rvm_pwc_slot {
	struct rvm_pwc_entry e;
	uint32_t gen; /* the space's pwc_gen at insert; 0 = empty */
};

struct rvm_pwc_table {
	struct rvm_pwc_slot *slots; /* [set * RVM_TLB_WAYS + way] */
	uint32_t *victim;           /* per set */
	uint32_t set_mask;
	uint32_t nsets;
};

/* One address space.  key packs the tag (see space_key_ in iotlb.c). */
struct rvm_space {
	uint64_t key;           /* 0 = unused */
	uint32_t gen;           /* stamps leaf entries */
	uint32_t pwc_gen;       /* stamps page-walk-cache entries */
	const uint32_t *parent; /* &host_gen or &vm_gen[gscid] */
	uint32_t parent_snap;   /* *parent when claimed */
	uint32_t all_snap;      /* all_gen when claimed */
};

struct rvm_ctx_set {
	uint64_t key[RVM_CTX_WAYS]; /* 0 = empty */
	uint32_t all_snap[RVM_CTX_WAYS];
	uint32_t dev_snap[RVM_CTX_WAYS];
	uint32_t victim;
};

struct rvm_ctx_table {
	struct rvm_ctx_set *sets;
	struct rvm_ctx *ctxs; /* [set * RVM_CTX_WAYS + way] */
	uint32_t set_mask;
	uint32_t nsets;
};

struct rvm_caches {
	/* IOTLB, G-stage leaf cache, page-walk cache (iotlb.c) */
	struct rvm_tlb_table iotlb;
	struct rvm_tlb_table gtlb;
	struct rvm_pwc_table pwc;
	struct rvm_space *spaces; /* [bucket * RVM_SPACE_WAYS + way] */
	uint32_t *space_victim;   /* per bucket */
	uint32_t space_mask;      /* buckets - 1 */
	uint32_t *vm_gen;         /* [1 << RVI_GSCID_BITS]: parent of GV=1 spaces */
	uint32_t host_gen;        /* parent of GV=0 spaces */
	uint32_t all_gen;
	uint32_t next_gen; /* the allocator of invariant (1) */
	uint64_t wipes;    /* how many times invariant (1) wiped everything */

	/* context cache (ctx_cache.c) */
	struct rvm_ctx_table dcs; /* pid_valid == false, cfg.ddtc_entries */
	struct rvm_ctx_table pcs; /* pid_valid == true, cfg.pdtc_entries */
	uint32_t ctx_all_gen;
	uint32_t *ctx_dev_gen; /* [RVM_CTX_DEV_GENS], hashed device_id */

	/* Work done by invalidations: ways and slots examined or written.
	 * Tests use it to show the cost does not grow with the entry count. */
	uint64_t dbg_inval_work;
};

/* ------------------------------------------------------------------------ */
/* Lookups, inline for the translate fast path                               */
/* ------------------------------------------------------------------------ */
/* These are the only definitions of the keys and hashes: iotlb.c and
 * ctx_cache.c insert with them, and rvm_translate() inlines the lookups so
 * that an IOTLB hit makes no call at all (a call each for the context and
 * IOTLB lookups, with their argument marshalling and re-derived keys, cost
 * ~40 of the ~240 instructions of a hit). */

/* Space keys: bit 63 used, 62 the G-stage space, 61 GV, 60 PSCV,
 * 47:32 GSCID, 19:0 PSCID. */
#define RVM_SKEY_USED (UINT64_C(1) << 63)
#define RVM_SKEY_GSPACE (UINT64_C(1) << 62)
#define RVM_SKEY_GV (UINT64_C(1) << 61)
#define RVM_SKEY_PSCV (UINT64_C(1) << 60)
#define RVM_SKEY_GSCID_SHIFT 32
#define RVM_SKEY_GSCID_MASK (UINT64_C(0xFFFF) << RVM_SKEY_GSCID_SHIFT)
#define RVM_SKEY_PSCID_MASK UINT64_C(0xFFFFF)
#define RVM_SKEY_GROUP (RVM_SKEY_USED | RVM_SKEY_GSPACE | RVM_SKEY_GV | RVM_SKEY_GSCID_MASK)

static inline uint64_t rvm_group_key_(bool gv, uint16_t gscid)
{
	return RVM_SKEY_USED | (gv ? RVM_SKEY_GV | ((uint64_t)gscid << RVM_SKEY_GSCID_SHIFT) : 0);
}

/* The key of the address space (GV, GSCID, PSCV, PSCID). */
static inline uint64_t rvm_space_key_(bool gv, uint16_t gscid, bool pscv, uint32_t pscid)
{
	return rvm_group_key_(gv, gscid) |
	       (pscv ? RVM_SKEY_PSCV | (pscid & RVM_SKEY_PSCID_MASK) : 0);
}

static inline const struct rvm_space *rvm_space_bucket_(const struct rvm_caches *c, uint64_t key)
{
	uint32_t b = (uint32_t)((key * UINT64_C(0xD6E8FEB86659FD93)) >> 32) & c->space_mask;
	return &c->spaces[b * RVM_SPACE_WAYS];
}

static inline bool rvm_space_live_(const struct rvm_caches *c, const struct rvm_space *sp)
{
	return sp->all_snap == c->all_gen && sp->parent_snap == *sp->parent;
}

/* The slot holding key (live or not), or NULL.  Invariant (4). */
static inline const struct rvm_space *rvm_space_slot_(const struct rvm_caches *c, uint64_t key)
{
	const struct rvm_space *b = rvm_space_bucket_(c, key);
	for (unsigned w = 0; w < RVM_SPACE_WAYS; w++)
		if (b[w].key == key)
			return &b[w];
	return NULL;
}

/* The live slot of key, or NULL.  Invariant (3). */
static inline const struct rvm_space *rvm_space_find_(const struct rvm_caches *c, uint64_t key)
{
	if (!c->spaces)
		return NULL;
	const struct rvm_space *sp = rvm_space_slot_(c, key);
	return sp && rvm_space_live_(c, sp) ? sp : NULL;
}

/* Multiplicative hashing: one multiply on the lookup path.  The group bits
 * (47:32 and up) and the page bits both reach bits 63:32 of the product. */
static inline uint32_t rvm_tlb_set_(const struct rvm_tlb_table *t, uint64_t va_tag, uint64_t group)
{
	return (uint32_t)(((va_tag ^ group) * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & t->set_mask;
}

/* One probe per page size in use (invariant (5)). */
static inline const struct rvm_tlb_entry *rvm_tlb_find_(const struct rvm_tlb_table *t,
                                                        uint64_t group, uint32_t gen, uint64_t addr)
{
	uint64_t sizes = t->sizes;
	while (sizes) {
		unsigned lg2 = (unsigned)__builtin_ctzll(sizes);
		sizes &= sizes - 1;
		uint64_t tag = (addr & ~((UINT64_C(1) << lg2) - 1)) | lg2;
		uint32_t s = rvm_tlb_set_(t, tag, group);
		const struct rvm_tlb_set *set = &t->sets[s];
		for (unsigned w = 0; w < RVM_TLB_WAYS; w++)
			if (set->va_tag[w] == tag && set->gen[w] == gen)
				return &t->entries[s * RVM_TLB_WAYS + w];
	}
	return NULL;
}

/* rvm_iotlb_lookup() for a precomputed space key (struct rvm_ctx.tlb_key). */
static inline const struct rvm_tlb_entry *rvm_iotlb_find_(const struct rvm_caches *c, uint64_t key,
                                                          uint64_t iova)
{
	const struct rvm_space *sp = rvm_space_find_(c, key);
	return sp ? rvm_tlb_find_(&c->iotlb, key & RVM_SKEY_GROUP, sp->gen, iova) : NULL;
}

/* Page-walk cache, inline for the walker: pt_walk.c finds the space's
 * pwc_gen once per walk (rvm_pwc_gen_) and then probes one set per level
 * (rvm_pwc_find_), instead of a call per level that found the space again
 * (~40 instructions per probed level). */
static inline uint64_t rvm_pwc_mix_(uint64_t x)
{
	x ^= x >> 31;
	x *= UINT64_C(0xBF58476D1CE4E5B9);
	x ^= x >> 29;
	return x;
}

static inline uint32_t rvm_pwc_set_(const struct rvm_pwc_table *t, uint64_t va, uint8_t level,
                                    bool gstage, uint32_t gen)
{
	uint64_t x = va ^ ((uint64_t)level << 1) ^ (uint64_t)gstage ^ ((uint64_t)gen << 40);
	return (uint32_t)(rvm_pwc_mix_(x) >> 32) & t->set_mask;
}

/* G-stage walk entries belong to the G-stage space of the GSCID, whatever
 * first-stage space the walk was for. */
static inline uint64_t rvm_pwc_key_(bool gv, uint16_t gscid, bool pscv, uint32_t pscid, bool gstage)
{
	return gstage ? rvm_group_key_(true, gscid) | RVM_SKEY_GSPACE
	              : rvm_space_key_(gv, gscid, pscv, pscid);
}

/* The pwc_gen of the live space of key, or 0 (no entry can match). */
static inline uint32_t rvm_pwc_gen_(const struct rvm_caches *c, uint64_t key)
{
	if (!c->pwc.nsets)
		return 0;
	const struct rvm_space *sp = rvm_space_find_(c, key);
	return sp ? sp->pwc_gen : 0;
}

static inline const struct rvm_pwc_entry *rvm_pwc_find_(const struct rvm_caches *c, uint32_t gen,
                                                        bool gstage, uint64_t va, uint8_t level)
{
	uint32_t s = rvm_pwc_set_(&c->pwc, va, level, gstage, gen);
	const struct rvm_pwc_slot *set = &c->pwc.slots[s * RVM_TLB_WAYS];
	for (unsigned w = 0; w < RVM_TLB_WAYS; w++)
		if (set[w].gen == gen && set[w].e.va_base == va && set[w].e.level == level &&
		    set[w].e.gstage == gstage)
			return &set[w].e;
	return NULL;
}

/* Context cache keys (ctx_cache.c). */
#define RVM_CKEY_USED (UINT64_C(1) << 63)
#define RVM_CKEY_PV (UINT64_C(1) << 62)
#define RVM_CTX_PID_LIMIT (UINT32_C(1) << 20) /* process_id is 20 bits (§2.2) */

static inline uint32_t rvm_ctx_dev_hash_(uint32_t device_id)
{
	return (device_id * UINT32_C(0x9E3779B1)) >> (32 - 12); /* RVM_CTX_DEV_GENS buckets */
}

static inline uint64_t rvm_ctx_key_(uint32_t device_id, bool pid_valid, uint32_t process_id)
{
	return RVM_CKEY_USED | (pid_valid ? RVM_CKEY_PV | process_id : 0) |
	       ((uint64_t)device_id << 20);
}

static inline uint32_t rvm_ctx_set_(const struct rvm_ctx_table *t, uint64_t key)
{
	uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
	return (uint32_t)(h >> 40) & t->set_mask;
}

/* rvm_ctx_lookup(), inline (ctx_cache.c invariant (1)). */
static inline const struct rvm_ctx *rvm_ctx_find_(const struct rvm_caches *c, uint32_t device_id,
                                                  bool pid_valid, uint32_t process_id)
{
	const struct rvm_ctx_table *t = pid_valid ? &c->pcs : &c->dcs;
	if (!t->nsets || (pid_valid && process_id >= RVM_CTX_PID_LIMIT))
		return NULL;
	uint64_t key = rvm_ctx_key_(device_id, pid_valid, process_id);
	uint32_t s = rvm_ctx_set_(t, key);
	const struct rvm_ctx_set *set = &t->sets[s];
	for (unsigned w = 0; w < RVM_CTX_WAYS; w++) {
		if (set->key[w] != key)
			continue;
		if (set->all_snap[w] != c->ctx_all_gen ||
		    set->dev_snap[w] != c->ctx_dev_gen[rvm_ctx_dev_hash_(device_id)])
			return NULL; /* invalidated */
		return &t->ctxs[s * RVM_CTX_WAYS + w];
	}
	return NULL;
}

/* Internal to iotlb.c / ctx_cache.c: the context cache's part of the
 * lifecycle, called from rvm_caches_init/destroy/flush_all. */
int rvm_ctx_cache_init_(struct rvm *m);
void rvm_ctx_cache_destroy_(struct rvm *m);
void rvm_ctx_cache_flush_(struct rvm *m);

#endif /* RVIOMMU_MODEL_CACHE_IMPL_H */
