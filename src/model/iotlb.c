/* SPDX-License-Identifier: MIT
 *
 * model/iotlb.c - the IOTLB (combined leaf translations), the G-stage leaf
 * cache (GPA -> SPA for implicit accesses) and the page-walk cache, with the
 * IOTINVAL.VMA / IOTINVAL.GVMA semantics, and the caches' lifecycle.
 *
 * RISC-V IOMMU spec 1.0 §2.3 (IOATC tags: PSCID+IOVA, GSCID+PSCID+IOVA,
 * GSCID+GPA), §4.1.1 (the IOTINVAL tables), NLINV (NL bit 34) and ARINV
 * (S bit 73, NAPOT ranges; decoded by the caller into addr/range_lg2).
 *
 * How it works (the state is described in cache_impl.h):
 *   - Leaf tables are 4-way set-associative; a set's tags fill one cache line.
 *     The set index hashes (page base, page size, GV, GSCID) - not PSCID - so
 *     that "ADDR in every space of this VM / of the host" is one probe per
 *     page size in use.
 *   - Lookup: find the live space slot of the tag, then for each page size in
 *     use probe one set.  With only 4 KiB pages in use that is two hashed
 *     probes and no scan.
 *   - Invalidation (§4.1.1; over-invalidation is allowed there):
 *       VMA, AV=0 or whole-space range, PSCV=1  -> new generation for the space
 *       VMA, AV=0 or whole-space range, PSCV=0  -> new host_gen / vm_gen[GSCID]
 *       VMA, AV=1 (range of <= 64 probes)       -> precise removal of leaves;
 *                                                  NL=1 also drops the PWC of
 *                                                  the space (PSCV=1) or the
 *                                                  whole group (PSCV=0)
 *       VMA, AV=1, larger range                 -> as AV=0
 *       GVMA, GV=0                              -> new all_gen (everything)
 *       GVMA, GV=1, AV=0                        -> new vm_gen[GSCID]
 *       GVMA, GV=1, AV=1                        -> new vm_gen[GSCID], after
 *            removing ADDR precisely from the G-stage space and the G-only
 *            (PSCV=0) VM space, which are then kept alive: combined GVA
 *            entries can only be found by GPA with a scan, so all first-stage
 *            spaces of the VM go (the spec allows it).
 *     A VMA group bump keeps the G-stage space of the GSCID alive: VMA does
 *     not cover G-stage-only information.
 *   - Nothing scans the entries: the work of any invalidation is bounded by
 *     the number of page sizes in use times the ways, or by 64 probes.
 *
 * Invariants: those of cache_impl.h.  Limits: capacities are rounded up to a
 * power of two number of 4-way sets; cfg.gtlb_entries and cfg.pwc_entries
 * size the G-stage cache and the page-walk cache (0 disables one), and both
 * are off when cfg.iotlb_entries is 0.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"

#define KEY_USED RVM_SKEY_USED
#define KEY_GSPACE RVM_SKEY_GSPACE
#define KEY_GV RVM_SKEY_GV
#define KEY_PSCV RVM_SKEY_PSCV
#define KEY_GSCID_SHIFT RVM_SKEY_GSCID_SHIFT
#define KEY_GSCID_MASK RVM_SKEY_GSCID_MASK
#define KEY_GROUP RVM_SKEY_GROUP

#define GSCID_COUNT (UINT32_C(1) << RVI_GSCID_BITS)
#define GEN_HEADROOM 16u      /* more than any one operation allocates */
#define PRECISE_MAX_PROBES 64 /* per-address work bound before bumping */
#define SIZE_LG2_MIN 12
#define SIZE_LG2_MAX 63

/* ------------------------------------------------------------------------ */
/* Keys and hashes                                                           */
/* ------------------------------------------------------------------------ */

static inline uint64_t group_key_(bool gv, uint16_t gscid)
{
	return rvm_group_key_(gv, gscid);
}

static inline uint64_t space_key_(const struct rvm_tlb_tag *t)
{
	return rvm_space_key_(t->gv, t->gscid, t->pscv, t->pscid);
}

static inline uint64_t gspace_key_(uint16_t gscid)
{
	return group_key_(true, gscid) | KEY_GSPACE;
}

static inline uint64_t lg2_mask_(unsigned lg2)
{
	return lg2 >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << lg2) - 1;
}

static inline uint32_t tlb_set_(const struct rvm_tlb_table *t, uint64_t va_tag, uint64_t group)
{
	return rvm_tlb_set_(t, va_tag, group);
}

static inline const struct rvm_space *bucket_(const struct rvm_caches *c, uint64_t key)
{
	return rvm_space_bucket_(c, key);
}

static inline uint32_t *parent_of_(struct rvm_caches *c, uint64_t key)
{
	return (key & KEY_GV) ? &c->vm_gen[(key & KEY_GSCID_MASK) >> KEY_GSCID_SHIFT]
	                      : &c->host_gen;
}

static inline bool space_live_(const struct rvm_caches *c, const struct rvm_space *sp)
{
	return rvm_space_live_(c, sp);
}

static inline const struct rvm_space *space_slot_(const struct rvm_caches *c, uint64_t key)
{
	return rvm_space_slot_(c, key);
}

static inline const struct rvm_space *space_find_(const struct rvm_caches *c, uint64_t key)
{
	return rvm_space_find_(c, key);
}

/* ------------------------------------------------------------------------ */
/* Generations                                                               */
/* ------------------------------------------------------------------------ */

/* Invariant (1): empty every table and restart the generation allocator. */
static void caches_wipe_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	if (c->iotlb.sets)
		memset(c->iotlb.sets, 0, (size_t)c->iotlb.nsets * sizeof(*c->iotlb.sets));
	if (c->gtlb.sets)
		memset(c->gtlb.sets, 0, (size_t)c->gtlb.nsets * sizeof(*c->gtlb.sets));
	if (c->pwc.slots)
		memset(c->pwc.slots, 0,
		       (size_t)c->pwc.nsets * RVM_TLB_WAYS * sizeof(*c->pwc.slots));
	if (c->spaces)
		memset(c->spaces, 0,
		       (size_t)(c->space_mask + 1) * RVM_SPACE_WAYS * sizeof(*c->spaces));
	if (c->vm_gen)
		memset(c->vm_gen, 0, GSCID_COUNT * sizeof(*c->vm_gen));
	c->iotlb.sizes = c->gtlb.sizes = 0;
	c->host_gen = c->all_gen = 0;
	c->next_gen = 1;
	c->wipes++;
}

/* Called at the start of every mutation, so that the new_gen_() calls of
 * that mutation can not wrap in its middle. */
static void gen_room_(struct rvm *m)
{
	if (m->caches.next_gen > UINT32_MAX - GEN_HEADROOM)
		caches_wipe_(m);
}

static inline uint32_t new_gen_(struct rvm_caches *c)
{
	return c->next_gen++;
}

/* space_claim_() when key has no live slot: claim one (and so drop
 * whatever the slot held before).  sp is key's dead slot or NULL. */
static RVM_COLD struct rvm_space *space_claim_slow_(struct rvm *m, uint64_t key,
                                                    struct rvm_space *sp)
{
	struct rvm_caches *c = &m->caches;
	struct rvm_space *b = (struct rvm_space *)bucket_(c, key);
	for (unsigned w = 0; w < RVM_SPACE_WAYS && !sp; w++)
		if (!b[w].key || !space_live_(c, &b[w]))
			sp = &b[w];
	if (!sp) {
		uint32_t bi = (uint32_t)(b - c->spaces) / RVM_SPACE_WAYS;
		sp = &b[c->space_victim[bi]++ % RVM_SPACE_WAYS];
	}
	sp->key = key;
	sp->gen = new_gen_(c); /* unique: no entry carries it yet */
	sp->pwc_gen = new_gen_(c);
	sp->parent = parent_of_(c, key);
	sp->parent_snap = *sp->parent;
	sp->all_snap = c->all_gen;
	return sp;
}

/* The live slot of key, claiming one when there is none.  Inline: every
 * fill calls it and the slot is nearly always live already (~15
 * instructions of call and spills per fill). */
static inline struct rvm_space *space_claim_(struct rvm *m, uint64_t key)
{
	struct rvm_space *sp = (struct rvm_space *)space_slot_(&m->caches, key);
	if (RVM_LIKELY(sp && space_live_(&m->caches, sp)))
		return sp;
	return space_claim_slow_(m, key, sp);
}

/* Drop every entry of one space, leaves and page-walk entries. */
static void space_kill_(struct rvm *m, uint64_t key)
{
	struct rvm_space *sp = (struct rvm_space *)space_find_(&m->caches, key);
	m->caches.dbg_inval_work++;
	if (sp) {
		sp->gen = new_gen_(&m->caches);
		sp->pwc_gen = new_gen_(&m->caches);
	}
}

/* Drop every space of the host (gv = 0) or of one VM, except the G-stage
 * space of the VM when keep_gspace (VMA does not cover it). */
static void group_kill_(struct rvm *m, bool gv, uint16_t gscid, bool keep_gspace)
{
	struct rvm_caches *c = &m->caches;
	c->dbg_inval_work++;
	if (!gv) {
		c->host_gen = new_gen_(c);
		return;
	}
	struct rvm_space *gs = (struct rvm_space *)space_find_(c, gspace_key_(gscid));
	c->vm_gen[gscid] = new_gen_(c);
	if (gs && keep_gspace)
		gs->parent_snap = c->vm_gen[gscid];
}

/* ------------------------------------------------------------------------ */
/* Leaf tables                                                               */
/* ------------------------------------------------------------------------ */

static inline const struct rvm_tlb_entry *tlb_find_(const struct rvm_tlb_table *t, uint64_t group,
                                                    uint32_t gen, uint64_t addr)
{
	return rvm_tlb_find_(t, group, gen, addr);
}

/* What a table may hold: a real leaf (invariant (4) of model_internal.h
 * is the caller's; a leaf with no permission is not one), naturally aligned. */
static bool entry_ok_(const struct rvm_tlb_entry *e)
{
	return e->perm && e->size_lg2 >= SIZE_LG2_MIN && e->size_lg2 <= SIZE_LG2_MAX &&
	       !(e->iova_base & lg2_mask_(e->size_lg2));
}

/* Inline into its two callers (IOTLB and G-stage fills): saves the call. */
static inline __attribute__((always_inline)) void
tlb_put_(struct rvm_tlb_table *t, uint64_t group, uint32_t gen, const struct rvm_tlb_entry *e)
{
	uint64_t tag = e->iova_base | e->size_lg2;
	uint32_t s = tlb_set_(t, tag, group);
	struct rvm_tlb_set *set = &t->sets[s];
	unsigned way = RVM_TLB_WAYS, empty = RVM_TLB_WAYS;
	for (unsigned w = 0; w < RVM_TLB_WAYS; w++) {
		if (set->va_tag[w] == tag && set->gen[w] == gen) {
			way = w; /* refresh in place: one entry per (space, page) */
			break;
		}
		if (!set->gen[w] && empty == RVM_TLB_WAYS)
			empty = w;
	}
	if (way == RVM_TLB_WAYS)
		way = empty != RVM_TLB_WAYS ? empty : set->victim++ & (RVM_TLB_WAYS - 1);
	t->entries[s * RVM_TLB_WAYS + way] = *e;
	set->va_tag[way] = tag;
	set->gen[way] = gen;
	t->sizes |= UINT64_C(1) << e->size_lg2;
}

/* Probes needed to remove [base, base + 2^range_lg2) precisely. */
static unsigned range_probes_(const struct rvm_tlb_table *t, unsigned range_lg2)
{
	unsigned n = 0;
	for (uint64_t sizes = t->sizes; sizes; sizes &= sizes - 1) {
		unsigned lg2 = (unsigned)__builtin_ctzll(sizes);
		if (lg2 >= range_lg2)
			n += 1;
		else if (range_lg2 - lg2 >= 7)
			return PRECISE_MAX_PROBES + 1;
		else
			n += 1u << (range_lg2 - lg2);
	}
	return n;
}

/* Remove the entries of group overlapping [base, base + 2^range_lg2): all
 * spaces of the group when gen == 0, else the space with that generation. */
static void tlb_remove_range_(struct rvm *m, struct rvm_tlb_table *t, uint64_t group, uint32_t gen,
                              uint64_t base, unsigned range_lg2)
{
	for (uint64_t sizes = t->sizes; sizes; sizes &= sizes - 1) {
		unsigned lg2 = (unsigned)__builtin_ctzll(sizes);
		uint64_t first = base & ~lg2_mask_(lg2);
		uint64_t count = lg2 >= range_lg2 ? 1 : UINT64_C(1) << (range_lg2 - lg2);
		for (uint64_t k = 0; k < count; k++) {
			uint64_t tag = (first + (k << lg2)) | lg2;
			struct rvm_tlb_set *set = &t->sets[tlb_set_(t, tag, group)];
			for (unsigned w = 0; w < RVM_TLB_WAYS; w++) {
				m->caches.dbg_inval_work++;
				if (set->va_tag[w] == tag && set->gen[w] &&
				    (!gen || set->gen[w] == gen))
					set->gen[w] = 0;
			}
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */
/* ------------------------------------------------------------------------ */

static uint32_t sets_for_(uint32_t entries)
{
	uint32_t n = 1;
	while (n * RVM_TLB_WAYS < entries && n < (UINT32_C(1) << 24))
		n <<= 1;
	return n;
}

static int tlb_init_(struct rvm_tlb_table *t, uint32_t entries)
{
	uint32_t n = sets_for_(entries);
	t->sets = aligned_alloc(64, (size_t)n * sizeof(*t->sets));
	t->entries = calloc((size_t)n * RVM_TLB_WAYS, sizeof(*t->entries));
	if (!t->sets || !t->entries)
		return RVM_ENOMEM;
	memset(t->sets, 0, (size_t)n * sizeof(*t->sets));
	t->nsets = n;
	t->set_mask = n - 1;
	return 0;
}

static int pwc_init_(struct rvm_pwc_table *t, uint32_t entries)
{
	uint32_t n = sets_for_(entries);
	t->slots = calloc((size_t)n * RVM_TLB_WAYS, sizeof(*t->slots));
	t->victim = calloc(n, sizeof(*t->victim));
	if (!t->slots || !t->victim)
		return RVM_ENOMEM;
	t->nsets = n;
	t->set_mask = n - 1;
	return 0;
}

static int leaf_caches_init_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	uint32_t n = m->cfg.iotlb_entries;
	c->next_gen = 1;
	if (!n)
		return 0; /* every leaf lookup misses; inserts are dropped */
	uint32_t buckets = 16;
	while (buckets < 1024 && buckets * 64 < n)
		buckets <<= 1;
	c->spaces = calloc((size_t)buckets * RVM_SPACE_WAYS, sizeof(*c->spaces));
	c->space_victim = calloc(buckets, sizeof(*c->space_victim));
	c->vm_gen = calloc(GSCID_COUNT, sizeof(*c->vm_gen));
	if (!c->spaces || !c->space_victim || !c->vm_gen)
		return RVM_ENOMEM;
	c->space_mask = buckets - 1;
	if (tlb_init_(&c->iotlb, n) ||
	    (m->cfg.gtlb_entries && tlb_init_(&c->gtlb, m->cfg.gtlb_entries)) ||
	    (m->cfg.pwc_entries && pwc_init_(&c->pwc, m->cfg.pwc_entries)))
		return RVM_ENOMEM;
	return 0;
}

static void leaf_caches_destroy_(struct rvm *m)
{
	struct rvm_caches *c = &m->caches;
	free(c->iotlb.sets);
	free(c->iotlb.entries);
	free(c->gtlb.sets);
	free(c->gtlb.entries);
	free(c->pwc.slots);
	free(c->pwc.victim);
	free(c->spaces);
	free(c->space_victim);
	free(c->vm_gen);
	memset(&c->iotlb, 0, sizeof(c->iotlb));
	memset(&c->gtlb, 0, sizeof(c->gtlb));
	memset(&c->pwc, 0, sizeof(c->pwc));
	c->spaces = NULL;
	c->space_victim = NULL;
	c->vm_gen = NULL;
}

int rvm_caches_init(struct rvm *m)
{
	memset(&m->caches, 0, sizeof(m->caches));
	if (leaf_caches_init_(m) || rvm_ctx_cache_init_(m)) {
		rvm_caches_destroy(m);
		return RVM_ENOMEM;
	}
	return 0;
}

void rvm_caches_destroy(struct rvm *m)
{
	leaf_caches_destroy_(m);
	rvm_ctx_cache_destroy_(m);
}

void rvm_caches_flush_all(struct rvm *m)
{
	rvm_seq_write_begin(m);
	gen_room_(m);
	m->caches.all_gen = new_gen_(&m->caches);
	m->caches.dbg_inval_work++;
	rvm_ctx_cache_flush_(m);
	rvm_seq_write_end(m);
}

/* ------------------------------------------------------------------------ */
/* IOTLB                                                                     */
/* ------------------------------------------------------------------------ */

/* Insert a leaf into the IOTLB or the G-stage cache under space key
 * 'key' (cache.h rule 2: inside a seqcount write section).  Entries are
 * stamped with the space's current generation, so any later invalidation
 * of the space retires them without a scan. */
static void fill_(struct rvm *m, struct rvm_tlb_table *t, uint64_t key,
                  const struct rvm_tlb_entry *e)
{
	if (!t->nsets || !entry_ok_(e))
		return;
	rvm_seq_write_begin(m);
	gen_room_(m);
	struct rvm_space *sp = space_claim_(m, key);
	tlb_put_(t, key & KEY_GROUP, sp->gen, e);
	rvm_seq_write_end(m);
}

const struct rvm_tlb_entry *rvm_iotlb_lookup(struct rvm *m, const struct rvm_tlb_tag *t,
                                             uint64_t iova)
{
	return rvm_iotlb_find_(&m->caches, space_key_(t), iova);
}

void rvm_iotlb_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_tlb_entry *e)
{
	fill_(m, &m->caches.iotlb, space_key_(t), e);
}

void rvm_iotlb_inval_vma(struct rvm *m, bool gv, uint16_t gscid, bool pscv, uint32_t pscid, bool av,
                         uint64_t addr, unsigned range_lg2, bool nl)
{
	struct rvm_caches *c = &m->caches;
	if (!c->iotlb.nsets)
		return;
	struct rvm_tlb_tag t = {.pscid = pscid, .gscid = gscid, .pscv = pscv, .gv = gv};
	uint64_t key = space_key_(&t);
	if (range_lg2 < SIZE_LG2_MIN)
		range_lg2 = SIZE_LG2_MIN;

	rvm_seq_write_begin(m);
	gen_room_(m);
	bool whole =
	    !av || range_lg2 >= 64 || range_probes_(&c->iotlb, range_lg2) > PRECISE_MAX_PROBES;
	if (whole) {
		/* Rows AV=0 of the §4.1.1 table (global entries go too: allowed) */
		if (pscv)
			space_kill_(m, key);
		else
			group_kill_(m, gv, gscid, true);
	} else if (pscv) {
		/* leaf entries for ADDR in the one space */
		struct rvm_space *sp = (struct rvm_space *)space_find_(c, key);
		if (sp) {
			tlb_remove_range_(m, &c->iotlb, key & KEY_GROUP, sp->gen,
			                  addr & ~lg2_mask_(range_lg2), range_lg2);
			if (nl) /* NLINV: non-leaf entries for ADDR too */
				sp->pwc_gen = new_gen_(c);
		}
	} else {
		/* leaf entries for ADDR in every space of the host / the VM */
		tlb_remove_range_(m, &c->iotlb, key & KEY_GROUP, 0, addr & ~lg2_mask_(range_lg2),
		                  range_lg2);
		if (nl)
			group_kill_(m, gv, gscid, true);
	}
	rvm_seq_write_end(m);
}

/* GVMA GV=1 AV=1: remove ADDR from one G-stage-derived space that was live
 * before the VM's generation moved on, and keep that space alive. */
static void gvma_keep_space_(struct rvm *m, struct rvm_tlb_table *t, uint64_t key,
                             uint32_t old_vm_gen, uint64_t base, unsigned range_lg2, bool nl)
{
	struct rvm_caches *c = &m->caches;
	struct rvm_space *sp = (struct rvm_space *)space_slot_(c, key);
	if (!sp || sp->all_snap != c->all_gen || sp->parent_snap != old_vm_gen)
		return;
	if (range_probes_(t, range_lg2) > PRECISE_MAX_PROBES)
		return; /* stays dead with the rest of the VM */
	tlb_remove_range_(m, t, key & KEY_GROUP, sp->gen, base, range_lg2);
	if (nl)
		sp->pwc_gen = new_gen_(c);
	sp->parent_snap = c->vm_gen[(key & KEY_GSCID_MASK) >> KEY_GSCID_SHIFT];
}

void rvm_iotlb_inval_gvma(struct rvm *m, bool gv, uint16_t gscid, bool av, uint64_t addr,
                          unsigned range_lg2, bool nl)
{
	struct rvm_caches *c = &m->caches;
	if (!c->iotlb.nsets)
		return;
	if (range_lg2 < SIZE_LG2_MIN)
		range_lg2 = SIZE_LG2_MIN;
	rvm_seq_write_begin(m);
	gen_room_(m);
	c->dbg_inval_work++;
	if (!gv) {
		/* G-stage information of every VM: everything (over-invalidates
		 * host first-stage entries, which §4.1.1 allows) */
		c->all_gen = new_gen_(c);
	} else {
		uint32_t old = c->vm_gen[gscid];
		c->vm_gen[gscid] = new_gen_(c);
		if (av && range_lg2 < 64) {
			uint64_t base = addr & ~lg2_mask_(range_lg2);
			struct rvm_tlb_tag gonly = {.gscid = gscid, .gv = true};
			gvma_keep_space_(m, &c->gtlb, gspace_key_(gscid), old, base, range_lg2, nl);
			gvma_keep_space_(m, &c->iotlb, space_key_(&gonly), old, base, range_lg2,
			                 nl);
		}
	}
	rvm_seq_write_end(m);
}

/* ------------------------------------------------------------------------ */
/* G-stage leaf cache                                                        */
/* ------------------------------------------------------------------------ */

const struct rvm_tlb_entry *rvm_gtlb_lookup(struct rvm *m, uint16_t gscid, uint64_t gpa)
{
	const struct rvm_caches *c = &m->caches;
	uint64_t key = gspace_key_(gscid);
	const struct rvm_space *sp = space_find_(c, key);
	if (!sp)
		return NULL;
	return tlb_find_(&c->gtlb, key & KEY_GROUP, sp->gen, gpa);
}

void rvm_gtlb_insert(struct rvm *m, uint16_t gscid, const struct rvm_tlb_entry *e)
{
	fill_(m, &m->caches.gtlb, gspace_key_(gscid), e);
}

/* ------------------------------------------------------------------------ */
/* Page-walk cache                                                           */
/* ------------------------------------------------------------------------ */

static inline uint32_t pwc_set_(const struct rvm_pwc_table *t, uint64_t va, uint8_t level,
                                bool gstage, uint32_t gen)
{
	return rvm_pwc_set_(t, va, level, gstage, gen);
}

static inline uint64_t pwc_key_(const struct rvm_tlb_tag *t, bool gstage)
{
	return rvm_pwc_key_(t->gv, t->gscid, t->pscv, t->pscid, gstage);
}

const struct rvm_pwc_entry *rvm_pwc_lookup(struct rvm *m, const struct rvm_tlb_tag *t, bool gstage,
                                           uint64_t va, uint8_t level)
{
	const struct rvm_caches *c = &m->caches;
	uint32_t gen = rvm_pwc_gen_(c, pwc_key_(t, gstage));
	return gen ? rvm_pwc_find_(c, gen, gstage, va, level) : NULL;
}

void rvm_pwc_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_pwc_entry *e)
{
	struct rvm_caches *c = &m->caches;
	if (!c->pwc.nsets)
		return;
	rvm_seq_write_begin(m);
	gen_room_(m);
	struct rvm_space *sp = space_claim_(m, pwc_key_(t, e->gstage));
	uint32_t s = pwc_set_(&c->pwc, e->va_base, e->level, e->gstage, sp->pwc_gen);
	struct rvm_pwc_slot *set = &c->pwc.slots[s * RVM_TLB_WAYS];
	unsigned way = RVM_TLB_WAYS;
	for (unsigned w = 0; w < RVM_TLB_WAYS && way == RVM_TLB_WAYS; w++)
		if (set[w].gen == sp->pwc_gen && set[w].e.va_base == e->va_base &&
		    set[w].e.level == e->level && set[w].e.gstage == e->gstage)
			way = w;
	for (unsigned w = 0; w < RVM_TLB_WAYS && way == RVM_TLB_WAYS; w++)
		if (!set[w].gen)
			way = w;
	if (way == RVM_TLB_WAYS)
		way = c->pwc.victim[s]++ % RVM_TLB_WAYS;
	set[way].e = *e;
	set[way].gen = sp->pwc_gen;
	rvm_seq_write_end(m);
}
