/* SPDX-License-Identifier: MIT
 *
 * model/pt_walk.c - the one walker for every paging scheme, both stages.
 *
 * walk_() is the [Priv] "virtual address translation process" driven by a
 * struct rvm_pt_fmt row, so Sv32..Sv57 and Sv32x4..Sv57x4 share one
 * algorithm.  The first stage differs from the G-stage only in the data it
 * passes: its table addresses are GPAs translated by an implicit G-stage
 * access when the G-stage is active, its faults are page faults rather than
 * guest-page faults, and its privilege rules use U/SUM.
 *
 * Implements RISC-V IOMMU 1.0 §2.3 steps 17 and 19, §2.5, §2.6, §3.1.3.x
 * byte order (first stage: DC.tc.SBE; G-stage: fctl.BE), and [Priv] Svnapot,
 * Svpbmt, Svrsw60t59b.
 *
 * Check order within one PTE (all page faults of one type, so the order only
 * matters against access faults, which come first because the PTE must be
 * read): read (access fault / poison 274) -> V=0 -> R=0&W=1 -> reserved bits
 * -> PBMT -> leaf? -> non-leaf D/A/U/PBMT/N -> level underflow; leaf: NAPOT
 * -> permissions -> misaligned superpage -> A/D (fault or CAS).
 *
 * Invariants:
 *   (1) A page-walk-cache entry is inserted only for a table reached through
 *       a non-leaf PTE that passed every check above (cache.h rule 4).
 *   (2) A G-stage-cache entry is inserted only for a G-stage leaf that passed
 *       every check and has U=1; 'dirty' is set only when D=1 in memory.
 *   (3) A CAS mismatch re-reads the same PTE (the spec's "restart at that
 *       level"), at most RVM_AD_RETRIES times.
 */
#include "model/pt_walk.h"

#define RVM_AD_RETRIES 64

/* What differs between a first-stage walk and a G-stage walk. */
struct walk_cfg {
	const struct rvm_pt_fmt *fmt;
	uint8_t fmt_id; /* enum rvm_pt_fmt_id of fmt: selects the instance of walk_t_() */
	uint64_t root;
	bool gstage;
	bool tables_gpa; /* first stage with the G-stage active */
	bool be;
	bool ade; /* SADE or GADE */
	uint8_t want;
	bool ats;
	bool need_d;            /* the access is a store (non-ATS) */
	uint64_t implicit_bits; /* iotval2 bits 1:0 for a G-stage fault */
	enum rvm_mem_kind kind;
	unsigned hpm_event;
	struct rvm_tlb_tag tag;
};

/* The formats again, from the same rows as rvm_pt_fmts[] (pt_walk.h), but
 * visible here so that walk_t_(fmts_ + constant) folds every field. */
static const struct rvm_pt_fmt fmts_[RVM_PT_FMT_COUNT] = {RVM_PT_FMT_ROWS(RVM_PT_FMT_INIT_)};

#if defined(__GNUC__)
#define ALWAYS_INLINE_ inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE_ inline
#endif

static inline unsigned span_lg2_(const struct rvm_pt_fmt *f, unsigned level)
{
	return RVI_PAGE_SHIFT + f->vpn_bits * level;
}

static inline unsigned vpn_(const struct rvm_pt_fmt *f, uint64_t va, unsigned level)
{
	unsigned bits = f->vpn_bits + (level == f->levels - 1u ? f->root_extra_lg2 : 0);
	return (unsigned)(va >> span_lg2_(f, level)) & ((1u << bits) - 1);
}

static ALWAYS_INLINE_ int fault_(const struct rvm_walk_req *w, const struct walk_cfg *k,
                                 uint64_t gpa, uint64_t *iotval2)
{
	if (!k->gstage)
		return rvm_cause_page(w->acc);
	*iotval2 = (gpa & ~UINT64_C(3)) | k->implicit_bits;
	return rvm_cause_guest_page(w->acc);
}

static int mem_cause_(const struct rvm_walk_req *w, int st)
{
	return st == RVM_MEM_POISON ? RVI_CAUSE_PT_CORRUPTED : rvm_cause_access(w->acc);
}

static uint8_t pte_perm_(uint64_t pte)
{
	return (uint8_t)(((pte & RVI_PTE_R) ? RVM_PERM_R : 0) |
	                 ((pte & RVI_PTE_W) ? RVM_PERM_W : 0) |
	                 ((pte & RVI_PTE_X) ? RVM_PERM_X : 0));
}

/* §3 permission rules: what this request may do with the leaf. */
static ALWAYS_INLINE_ uint8_t allowed_(const struct rvm_walk_req *w, const struct walk_cfg *k,
                                       uint64_t pte)
{
	uint8_t perm = pte_perm_(pte);
	bool u = pte & RVI_PTE_U;
	if (k->gstage || !w->priv)
		return u ? perm : 0; /* G-stage accesses are all U-level */
	if (!u)
		return perm;
	/* S-mode on a U page: needs SUM, and never executes (§2.4). */
	return w->c->sum ? (uint8_t)(perm & ~RVM_PERM_X) : 0;
}

static ALWAYS_INLINE_ int read_pte_(const struct rvm_walk_req *w, const struct walk_cfg *k,
                                    const struct rvm_pt_fmt *f, uint64_t spa, uint64_t *pte)
{
	struct rvm_mem_attr a = rvm_attr_ctx(w->c, k->kind);
	rvm_hpm_count(w->m, k->hpm_event, w->ids);
	return rvm_mem_read_pt_inline_(w->m, spa, f->pte_size, k->be, pte, &a);
}

/* §2.5 checks that apply to every PTE, leaf or not. */
static ALWAYS_INLINE_ bool pte_invalid_(const struct rvm *m, const struct rvm_pt_fmt *f,
                                        uint64_t pte)
{
	if (!(pte & RVI_PTE_V)) /* V=0 */
		return true;
	if (!(pte & RVI_PTE_R) && (pte & RVI_PTE_W)) /* R=0 W=1, incl. xwr=010 */
		return true;
	if (f->pte_size == 4)
		return false; /* Sv32 has no bits above 31 */
	uint64_t rsvd = RVI_PTE_RESERVED;
	if (m->caps & RVI_CAP_SVRSW60T59B)
		rsvd &= ~RVI_PTE_RSW60T59B; /* Svrsw60t59b: 60:59 are SW bits */
	if (pte & rsvd)                     /* reserved 60:54 (58:54) */
		return true;
	unsigned pbmt = (unsigned)RVI_FIELD_GET(RVI_PTE_PBMT, pte);
	if (pbmt && !(m->caps & RVI_CAP_SVPBMT)) /* PBMT without Svpbmt */
		return true;
	if (pbmt == RVI_PBMT_RSVD) /* PBMT=3 */
		return true;
	return false;
}

/* Non-leaf PTE: D, A, U (and PBMT, N for RV64) are reserved ([Priv]). */
static ALWAYS_INLINE_ bool nonleaf_invalid_(const struct rvm_pt_fmt *f, uint64_t pte)
{
	if (pte & (RVI_PTE_D | RVI_PTE_A | RVI_PTE_U))
		return true;
	return f->pte_size == 8 && (pte & (RVI_PTE_PBMT | RVI_PTE_N));
}

static ALWAYS_INLINE_ uint64_t pte_ppn_(const struct rvm_pt_fmt *f, uint64_t pte)
{
	return f->pte_size == 4 ? RVI_FIELD_GET(RVI_PTE32_PPN, pte)
	                        : RVI_FIELD_GET(RVI_PTE_PPN, pte);
}

/* The walk for format fmts_[id]; id is a compile-time constant in every
 * instance (WALKER_ below), so the level count, shifts, PTE size and the
 * page-walk-cache probe loop fold away (~60 instructions per Sv39 walk
 * against reading them from the table). */
static ALWAYS_INLINE_ int walk_t_(const struct rvm_walk_req *w, const struct walk_cfg *k,
                                  uint64_t va, struct rvm_walk_res *r, uint64_t *iotval2,
                                  unsigned id)
{
	struct rvm *m = w->m;
	const struct rvm_pt_fmt *f = &fmts_[id];
	bool use_pwc = !w->no_pwc;
	if (f->levels == 0) /* Bare: never walked (callers check pscv/gv) */
		return fault_(w, k, va, iotval2);
	unsigned retries = 0;
	int rc;

restart:;
	unsigned level = f->levels - 1u;
	uint64_t table = k->root;
	bool table_spa = !k->tables_gpa;
	bool pte_gpa_known = true;
	bool insert_pending = false;

	/* The space is found once per walk, then one probe per level. */
	uint32_t pwc_gen =
	    use_pwc ? rvm_pwc_gen_(&m->caches, rvm_pwc_key_(k->tag.gv, k->tag.gscid, k->tag.pscv,
	                                                    k->tag.pscid, k->gstage))
	            : 0;
	if (pwc_gen) {
#pragma GCC unroll 8
		for (unsigned l = 0; l + 1 < f->levels; l++) {
			uint64_t base = va & ~((UINT64_C(1) << span_lg2_(f, l + 1)) - 1);
			const struct rvm_pwc_entry *e =
			    rvm_pwc_find_(&m->caches, pwc_gen, k->gstage, base, (uint8_t)l);
			if (e) {
				level = l;
				table = e->table_pa;
				table_spa = true;
				pte_gpa_known = !k->tables_gpa;
				break;
			}
		}
	}

	uint64_t pte, pte_addr, pte_spa;
	for (;;) {
		pte_addr = table + (uint64_t)vpn_(f, va, level) * f->pte_size;
		pte_spa = pte_addr;
		if (!table_spa) {
			/* §2.3 step 17: the PTE address is a GPA; implicit load. */
			rc = rvm_walk_g_implicit(w, pte_addr, false, &pte_spa, iotval2);
			if (rc)
				return rc;
		}
		if (insert_pending) {
			struct rvm_pwc_entry e = {
			    .va_base = va & ~((UINT64_C(1) << span_lg2_(f, level + 1)) - 1),
			    .level = (uint8_t)level,
			    .gstage = k->gstage,
			    .table_pa = pte_spa & ~(RVI_PAGE_SIZE - 1),
			};
			rvm_pwc_insert(m, &k->tag, &e);
			insert_pending = false;
		}
	reread:
		rc = read_pte_(w, k, f, pte_spa, &pte);
		if (rc) /* §2.5: access fault of the original type, or 274 */
			return mem_cause_(w, rc);
		if (pte_invalid_(m, f, pte)) /* §2.5 V / RW / reserved / PBMT */
			return fault_(w, k, va, iotval2);
		if (pte & (RVI_PTE_R | RVI_PTE_X))
			break;                /* a leaf */
		if (nonleaf_invalid_(f, pte)) /* [Priv] non-leaf D/A/U/PBMT/N */
			return fault_(w, k, va, iotval2);
		if (level == 0) /* [Priv] step 4: i < 0 */
			return fault_(w, k, va, iotval2);
		level--;
		table = pte_ppn_(f, pte) << RVI_PAGE_SHIFT;
		table_spa = !k->tables_gpa;
		pte_gpa_known = true;
		if (use_pwc)
			insert_pending = true; /* invariant (1): this PTE passed */
	}

	/* Leaf. */
	unsigned size_lg2 = span_lg2_(f, level);
	uint64_t ppn = pte_ppn_(f, pte);
	if (f->pte_size == 8 && (pte & RVI_PTE_N)) {
		/* Svnapot: only 64 KiB at level 0, ppn[3:0] = 1000b. */
		if (level != 0 || (ppn & 0xf) != RVI_NAPOT_64K_PPN_BITS)
			return fault_(w, k, va, iotval2);
		size_lg2 = RVI_NAPOT_64K_SHIFT;
	}

	uint8_t allowed = allowed_(w, k, pte);
	if (k->ats) {
		allowed &= k->want;
		if (!(allowed & RVM_PERM_R))
			allowed &= (uint8_t)~RVM_PERM_X; /* §6.3: X only with R */
	} else if ((allowed & k->want) != k->want) {
		return fault_(w, k, va, iotval2); /* §3 permission rules */
	}

	if (level && (ppn & ((UINT64_C(1) << (f->vpn_bits * level)) - 1)))
		return fault_(w, k, va, iotval2); /* [Priv] misaligned superpage */

	/* §2.6 A/D.  An ATS request that is granted nothing updates nothing. */
	bool need_d = k->ats ? (allowed & RVM_PERM_W) != 0 : k->need_d;
	bool need_a = !(pte & RVI_PTE_A);
	bool update = (need_a || (need_d && !(pte & RVI_PTE_D))) && (!k->ats || allowed);
	if (update) {
		if (!k->ade) /* SADE/GADE = 0: (guest-)page fault */
			return fault_(w, k, va, iotval2);
		if (k->tables_gpa) {
			if (!pte_gpa_known) {
				/* Table came from the PWC as an SPA; the implicit
				 * store needs its GPA, so walk again from the root. */
				use_pwc = false;
				goto restart;
			}
			/* §2.6: the update is an implicit G-stage store. */
			uint64_t spa2;
			rc = rvm_walk_g_implicit(w, pte_addr, true, &spa2, iotval2);
			if (rc)
				return rc;
			pte_spa = spa2;
		}
		uint64_t want_pte = pte | RVI_PTE_A | (need_d ? RVI_PTE_D : 0);
		uint64_t seen = 0;
		struct rvm_mem_attr a = rvm_attr_ctx(w->c, k->kind);
		rc = rvm_mem_cas(m, pte_spa, f->pte_size, k->be, pte, want_pte, &seen, &a);
		if (rc)
			return mem_cause_(w, rc);
		if (seen != pte) {
			if (++retries > RVM_AD_RETRIES)
				return rvm_cause_access(w->acc);
			goto reread; /* §2.6: restart at this level */
		}
		pte = want_pte;
	}

	uint64_t size = UINT64_C(1) << size_lg2;
	r->pa = ((ppn << RVI_PAGE_SHIFT) & ~(size - 1)) | (va & (size - 1));
	r->size_lg2 = (uint8_t)size_lg2;
	r->perm = pte_perm_(pte);
	r->allowed = allowed;
	r->pbmt = f->pte_size == 8 ? (uint8_t)RVI_FIELD_GET(RVI_PTE_PBMT, pte) : 0;
	r->u = pte & RVI_PTE_U;
	r->g = pte & RVI_PTE_G;
	r->dirty = pte & RVI_PTE_D;
	return 0;
}

#define WALKER_(id, ...)                                                                           \
	static int walk_##id##_(const struct rvm_walk_req *w, const struct walk_cfg *k,            \
	                        uint64_t va, struct rvm_walk_res *r, uint64_t *iotval2)            \
	{                                                                                          \
		return walk_t_(w, k, va, r, iotval2, id);                                          \
	}
RVM_PT_FMT_ROWS(WALKER_)
#undef WALKER_

typedef int walk_fn_(const struct rvm_walk_req *, const struct walk_cfg *, uint64_t,
                     struct rvm_walk_res *, uint64_t *);
#define WALKER_PTR_(id, ...) [id] = walk_##id##_,
static walk_fn_ *const walkers_[RVM_PT_FMT_COUNT] = {RVM_PT_FMT_ROWS(WALKER_PTR_)};
#undef WALKER_PTR_

static int walk_(const struct rvm_walk_req *w, const struct walk_cfg *k, uint64_t va,
                 struct rvm_walk_res *r, uint64_t *iotval2)
{
	return walkers_[k->fmt_id](w, k, va, r, iotval2);
}

static void g_cfg_(const struct rvm_walk_req *w, struct walk_cfg *k)
{
	const struct rvm_ctx *c = w->c;
	k->fmt = &rvm_pt_fmts[c->g_fmt];
	k->fmt_id = c->g_fmt;
	k->root = c->g_root;
	k->gstage = true;
	k->tables_gpa = false;
	k->be = rvm_fctl_be(w->m);
	k->ade = c->gade;
	k->kind = RVM_MEM_G_PT;
	k->hpm_event = RVI_HPM_EV_G_PT_WALK;
	k->tag = (struct rvm_tlb_tag){.gscid = c->gscid, .gv = true};
}

/* §2.2: with SXL=1 a GPA has 34 bits whatever the G-stage scheme. */
static bool gpa_too_wide_(const struct rvm_ctx *c, const struct rvm_pt_fmt *f, uint64_t gpa)
{
	unsigned bits = (c->dc[RVI_DC_TC] & RVI_DC_TC_SXL) ? 34 : f->va_bits;
	return (gpa >> bits) != 0;
}

static int walk_g_(const struct rvm_walk_req *w, struct walk_cfg *k, uint64_t gpa,
                   struct rvm_walk_res *r, uint64_t *iotval2)
{
	if (gpa_too_wide_(w->c, k->fmt, gpa)) /* §2.5 G-stage GPA width */
		return fault_(w, k, gpa, iotval2);
	int rc = walk_(w, k, gpa, r, iotval2);
	if (rc || !r->u)
		return rc;
	/* Invariant (2): cache valid U=1 leaves for implicit accesses. */
	uint64_t size = UINT64_C(1) << r->size_lg2;
	struct rvm_tlb_entry e = {
	    .iova_base = gpa & ~(size - 1),
	    .pa_base = r->pa & ~(size - 1),
	    .gpa_base = gpa & ~(size - 1),
	    .size_lg2 = r->size_lg2,
	    .perm = r->perm,
	    .pbmt = r->pbmt,
	    .u = true,
	    .dirty = r->dirty,
	};
	rvm_gtlb_insert(w->m, w->c->gscid, &e);
	return 0;
}

int rvm_walk_g_implicit(const struct rvm_walk_req *w, uint64_t gpa, bool write, uint64_t *spa,
                        uint64_t *iotval2)
{
	uint8_t want = write ? RVM_PERM_W : RVM_PERM_R;
	const struct rvm_tlb_entry *e = rvm_gtlb_lookup(w->m, w->c->gscid, gpa);
	if (e && (e->perm & want) && (!write || e->dirty)) {
		*spa = e->pa_base + (gpa - e->iova_base);
		return 0;
	}
	struct walk_cfg k = {0};
	g_cfg_(w, &k);
	k.want = want;
	k.need_d = write;
	k.implicit_bits = RVI_FQ_IOTVAL2_IMPLICIT | (write ? RVI_FQ_IOTVAL2_IMPLICIT_WR : 0);
	struct rvm_walk_res r;
	int rc = walk_g_(w, &k, gpa, &r, iotval2);
	if (!rc)
		*spa = r.pa;
	return rc;
}

int rvm_walk_g(const struct rvm_walk_req *w, uint64_t gpa, struct rvm_walk_res *r,
               uint64_t *iotval2)
{
	if (!w->ats) {
		const struct rvm_tlb_entry *e = rvm_gtlb_lookup(w->m, w->c->gscid, gpa);
		if (e && (e->perm & w->want) == w->want && (w->acc != RVM_ACC_WRITE || e->dirty)) {
			uint64_t off = gpa - e->iova_base;
			r->pa = e->pa_base + off;
			r->size_lg2 = e->size_lg2;
			r->perm = e->perm;
			r->allowed = e->perm;
			r->pbmt = e->pbmt;
			r->u = true;
			r->g = false;
			r->dirty = e->dirty;
			return 0;
		}
	}
	struct walk_cfg k = {0};
	g_cfg_(w, &k);
	k.want = w->want;
	k.ats = w->ats;
	k.need_d = w->acc == RVM_ACC_WRITE;
	return walk_g_(w, &k, gpa, r, iotval2);
}

/* The first-stage walk for format fmts_[id]: the checks of the IOVA and
 * the walk configuration are built here, in the same instance as the walk,
 * so the compiler sees gstage = false, the memory kind, the HPM event and
 * the format as constants (~25 instructions per walk less than building
 * them in memory for an out-of-line walker). */
static ALWAYS_INLINE_ int walk_s1_t_(const struct rvm_walk_req *w, uint64_t iova,
                                     struct rvm_walk_res *r, uint64_t *iotval2, unsigned id)
{
	const struct rvm_ctx *c = w->c;
	const struct rvm_pt_fmt *f = &fmts_[id];
	if (f->pte_size == 4) {
		if (iova >> 32) /* §2.2: SXL=1, IOVA bits above 31 */
			return rvm_cause_page(w->acc);
	} else {
		unsigned sh = 64u - f->va_bits; /* [Priv] canonical: sign-extended */
		if ((uint64_t)((int64_t)(iova << sh) >> sh) != iova)
			return rvm_cause_page(w->acc);
	}
	struct walk_cfg k = {
	    .fmt = f,
	    .fmt_id = (uint8_t)id,
	    .root = c->s1_root,
	    .gstage = false,
	    .tables_gpa = c->gv,
	    .be = c->sbe,
	    .ade = c->sade,
	    .want = w->want,
	    .ats = w->ats,
	    .need_d = w->acc == RVM_ACC_WRITE,
	    .kind = RVM_MEM_S1_PT,
	    .hpm_event = RVI_HPM_EV_S_VS_PT_WALK,
	    .tag = {.pscid = c->pscid, .gscid = c->gscid, .pscv = true, .gv = c->gv},
	};
	return walk_t_(w, &k, iova, r, iotval2, id);
}

#define S1_WALKER_(id, ...)                                                                        \
	static int walk_s1_##id##_(const struct rvm_walk_req *w, uint64_t iova,                    \
	                           struct rvm_walk_res *r, uint64_t *iotval2)                      \
	{                                                                                          \
		return walk_s1_t_(w, iova, r, iotval2, id);                                        \
	}
RVM_PT_FMT_ROWS(S1_WALKER_)
#undef S1_WALKER_

typedef int walk_s1_fn_(const struct rvm_walk_req *, uint64_t, struct rvm_walk_res *, uint64_t *);
#define S1_WALKER_PTR_(id, ...) [id] = walk_s1_##id##_,
static walk_s1_fn_ *const s1_walkers_[RVM_PT_FMT_COUNT] = {RVM_PT_FMT_ROWS(S1_WALKER_PTR_)};
#undef S1_WALKER_PTR_

int rvm_walk_s1(const struct rvm_walk_req *w, uint64_t iova, struct rvm_walk_res *r,
                uint64_t *iotval2)
{
	return s1_walkers_[w->c->s1_fmt](w, iova, r, iotval2);
}
