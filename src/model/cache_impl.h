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

/* Internal to iotlb.c / ctx_cache.c: the context cache's part of the
 * lifecycle, called from rvm_caches_init/destroy/flush_all. */
int rvm_ctx_cache_init_(struct rvm *m);
void rvm_ctx_cache_destroy_(struct rvm *m);
void rvm_ctx_cache_flush_(struct rvm *m);

#endif /* RVIOMMU_MODEL_CACHE_IMPL_H */
