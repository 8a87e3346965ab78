/* SPDX-License-Identifier: MIT
 *
 * model/translate.c - P2IOVA: one inbound request from device to address.
 *
 * rvm_translate() first tries the lock-free fast path: the context cache
 * and the IOTLB read inside a seqcount section, with the privilege and
 * permission rules checked against the cached entry.  Anything else (a
 * miss, a permission or dirty miss, Translated and ATS requests, the HPM
 * being active, a concurrent cache writer) takes the cold slow path under
 * m->lock, which runs the spec's algorithm step by step, reports faults and
 * fills the caches.
 *
 * Implements RISC-V IOMMU 1.0 §2.3 (steps 1-20), §2.3.2 (fault reporting
 * and DTF), §3.1.3.1 (tc), §4.2 (fault records: TTYP, iotval, iotval2),
 * §6 (ATS Translation Requests and their completions), §5.23 (HPM events)
 * and §5.24-5.26 (the debug interface's translation).
 *
 * Invariants:
 *   (1) The fast path never writes model state except the relaxed
 *       statistics counters, and it uses a cached result only if the
 *       seqcount section validates.
 *   (2) An IOTLB entry holds a translation whose range is identical for
 *       every address in it: it never spans an MSI page unless it is one.
 *   (3) Faults are recorded only from the slow path, under m->lock.
 */
#include "model/translate.h"

#include <string.h>

/* Translation state of one slow-path request. */
struct xl {
	struct rvm *m;
	const struct rvm_req *rq;
	struct rvm_resp *rs;
	/* The context in use: an entry of the context cache, used in place
	 * (the slow path holds m->lock, so no cache writer runs meanwhile, and
	 * the only context-cache writes of a request are its own inserts into
	 * the other table), or 'own' when the context was built or altered
	 * here.  Not copying the ~190-byte struct saves ~25 instructions. */
	const struct rvm_ctx *c;
	struct rvm_ctx own;
	bool have_dc; /* a valid DC was found: DTF applies */
	bool dbg;
	bool priv;
	struct rvm_hpm_ids ids;
	uint64_t iotval2;
};

static uint8_t want_(const struct rvm_req *rq)
{
	if (rq->type == RVM_TT_ATS) /* §6.3: NW=0 asks W too; exec asks R+X */
		return rq->access == RVM_ACC_WRITE  ? RVM_PERM_R | RVM_PERM_W
		       : rq->access == RVM_ACC_EXEC ? RVM_PERM_R | RVM_PERM_X
		                                    : RVM_PERM_R;
	return rq->access == RVM_ACC_WRITE  ? RVM_PERM_W
	       : rq->access == RVM_ACC_EXEC ? RVM_PERM_X
	                                    : RVM_PERM_R;
}

static uint8_t ttyp_(const struct rvm_req *rq)
{
	static const uint8_t base[3] = {RVI_TTYP_UNTRANSLATED_READ, RVI_TTYP_UNTRANSLATED_WRITE,
	                                RVI_TTYP_UNTRANSLATED_EXEC};
	if (rq->type == RVM_TT_ATS)
		return RVI_TTYP_ATS_TRANSLATION;
	unsigned t = base[rq->access <= RVM_ACC_EXEC ? rq->access : 0];
	return (uint8_t)(rq->type == RVM_TT_TRANSLATED ? t + 4 : t);
}

/* §4.2 Table: causes recorded even with DTF=1. */
static bool dtf_exempt_(unsigned cause)
{
	return (cause >= RVI_CAUSE_ALL_DISALLOWED && cause <= RVI_CAUSE_DDT_MISCONFIGURED) ||
	       cause == RVI_CAUSE_DDT_CORRUPTED || cause == RVI_CAUSE_INTERNAL_DATAPATH ||
	       cause == RVI_CAUSE_MSI_WRITE_FAULT;
}

/* §4.2 Table: causes an ATS request answers with Success and no record. */
static bool ats_success_cause_(unsigned cause)
{
	switch (cause) {
	case RVI_CAUSE_INSN_PAGE:
	case RVI_CAUSE_RD_PAGE:
	case RVI_CAUSE_WR_PAGE:
	case RVI_CAUSE_INSN_GUEST_PAGE:
	case RVI_CAUSE_RD_GUEST_PAGE:
	case RVI_CAUSE_WR_GUEST_PAGE:
	case RVI_CAUSE_MSI_PTE_INVALID:
	case RVI_CAUSE_PDT_INVALID:
		return true;
	default:
		return false;
	}
}

static void count_request_(struct xl *x)
{
	static const unsigned ev[3] = {RVI_HPM_EV_UNTRANSLATED_REQ, RVI_HPM_EV_TRANSLATED_REQ,
	                               RVI_HPM_EV_ATS_TRANS_REQ};
	rvm_hpm_count(x->m, ev[x->rq->type <= RVM_TT_ATS ? x->rq->type : 0], &x->ids);
}

static void ats_fields_(struct xl *x)
{
	x->rs->ats.priv = x->priv;
}

static int fault_(struct xl *x, unsigned cause)
{
	struct rvm_resp *rs = x->rs;
	const struct rvm_req *rq = x->rq;
	bool ats = rq->type == RVM_TT_ATS;
	bool record = true;

	rs->cause = (uint16_t)cause;
	if (cause >= RVI_CAUSE_ALL_DISALLOWED && cause <= RVI_CAUSE_TTYPE_DISALLOWED) {
		rs->status = RVM_STATUS_UR;
	} else if (ats && ats_success_cause_(cause)) {
		/* §6.3: Success with R=W=0, never recorded. */
		rs->status = RVM_STATUS_SUCCESS;
		ats_fields_(x);
		record = false;
	} else {
		rs->status = RVM_STATUS_CA;
	}
	if (x->have_dc && x->c->dtf && !dtf_exempt_(cause))
		record = false; /* §3.1.3.1 DTF */
	if (record) {
		struct rvm_fault f = {
		    .cause = (uint16_t)cause,
		    .ttyp = ttyp_(rq),
		    .did = rq->device_id,
		    .pv = rq->pid_valid,
		    .pid = rq->pid_valid ? rq->process_id : 0,
		    .priv = x->priv,
		    .iotval = rq->iova,
		    .iotval2 =
		        (cause == RVI_CAUSE_INSN_GUEST_PAGE || cause == RVI_CAUSE_RD_GUEST_PAGE ||
		         cause == RVI_CAUSE_WR_GUEST_PAGE)
		            ? x->iotval2
		            : 0,
		};
		rvm_fq_report(x->m, &f);
		rs->fault_recorded = true;
	}
	count_request_(x);
	return rs->cause;
}

/* Size of an identity translation (both stages Bare, Translated with
 * T2GPA=0, iommu_mode Bare): the 1 GiB block holding the address, or the
 * whole PAS when that is smaller.  The identity holds over any range, and
 * the block lies within PAS whenever the address does. */
static unsigned identity_size_lg2_(const struct rvm *m)
{
	unsigned pas = (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, m->caps);
	return pas < 30 ? pas : 30;
}

static int finish_identity_(struct xl *x, uint64_t pa)
{
	struct rvm_resp *rs = x->rs;
	if (pa & ~x->m->pa_mask) /* beyond PAS: access fault (IMPL-DEF) */
		return fault_(x, rvm_cause_access(x->rq->access));
	rs->status = RVM_STATUS_SUCCESS;
	rs->pa = pa;
	rs->size = UINT64_C(1) << identity_size_lg2_(x->m);
	rs->perm = RVM_PERM_R | RVM_PERM_W | RVM_PERM_X;
	rs->pbmt = RVI_PBMT_PMA;
	count_request_(x);
	return 0;
}

/* Shrink a non-MSI range so that no page in it matches the MSI pattern
 * (invariant (2)); the page holding gpa itself does not match. */
static unsigned avoid_msi_(const struct rvm_ctx *c, uint64_t gpa, unsigned size_lg2)
{
	if (!c->msi_flat)
		return size_lg2;
	while (size_lg2 > RVI_PAGE_SHIFT) {
		uint64_t free = (UINT64_C(1) << (size_lg2 - RVI_PAGE_SHIFT)) - 1;
		uint64_t fixed = ~c->msi_mask & ~free;
		if (((gpa >> RVI_PAGE_SHIFT) ^ c->msi_pattern) & fixed)
			break; /* some fixed bit differs: no page in range matches */
		size_lg2--;
	}
	return size_lg2;
}

/* The permissions reported to the IO bridge for a translated range.  W is
 * reported only when a write needs no A/D update in either stage (§2.6): a
 * bridge that reused a read's "W" for a later write would otherwise skip
 * the D-bit update (or the fault when SADE/GADE=0) that the write requires.
 * The cached entry keeps the full permissions and its dirty flag; a write
 * to a clean page always takes the slow path. */
static inline uint8_t reported_perm_(uint8_t perm, bool dirty)
{
	return dirty ? perm : (uint8_t)(perm & ~RVM_PERM_W);
}

/* The permission and privilege rules of a cached entry (§2.6 D-bit, §2.4
 * U/SUM), shared by the slow path's iotlb_hit_() and the inline fast path. */
static inline bool hit_allowed_(const struct rvm_ctx *c, const struct rvm_tlb_entry *e,
                                const struct rvm_req *rq, bool priv)
{
	/* Both callers serve Untranslated requests only, so want_()'s ATS rule
	 * never applies: one bit, and a write also needs the dirty entry. */
	const enum rvm_access acc = rq->access;
	const uint8_t need = acc == RVM_ACC_WRITE  ? RVM_PERM_W
	                     : acc == RVM_ACC_EXEC ? RVM_PERM_X
	                                           : RVM_PERM_R;
	if (!(e->perm & need))
		return false;
	if (acc == RVM_ACC_WRITE && !e->dirty)
		return false;
	if (c->pscv) { /* first-stage privilege rules (§2.4) */
		if (!priv && !e->u)
			return false;
		if (priv && e->u && (rq->access == RVM_ACC_EXEC || !c->sum))
			return false;
	}
	return true;
}

static bool iotlb_hit_(struct rvm *m, const struct rvm_ctx *c, const struct rvm_req *rq, bool priv,
                       struct rvm_resp *rs)
{
	struct rvm_tlb_tag tag = {
	    .pscid = c->pscid, .gscid = c->gscid, .pscv = c->pscv, .gv = c->gv};
	const struct rvm_tlb_entry *e = rvm_iotlb_lookup(m, &tag, rq->iova);
	if (!e)
		return false;
	if (!hit_allowed_(c, e, rq, priv))
		return false;
	rs->pa = e->pa_base + (rq->iova - e->iova_base);
	rs->size = UINT64_C(1) << e->size_lg2;
	rs->perm = reported_perm_(e->perm, e->dirty);
	rs->pbmt = e->pbmt;
	rs->is_msi = e->is_msi;
	rs->rcid = c->rcid;
	rs->mcid = c->mcid;
	return true;
}

/* The context x->c, made writable: copied into x->own unless it is there. */
static struct rvm_ctx *own_ctx_(struct xl *x)
{
	if (x->c != &x->own) {
		x->own = *x->c;
		x->c = &x->own;
	}
	return &x->own;
}

/* Steps 3-6: the DC, from the fast path's lookup (hint), the context cache
 * or the DDT. */
static int find_dc_(struct xl *x, const struct rvm_ctx *hint)
{
	struct rvm *m = x->m;
	uint32_t did = x->rq->device_id;
	const struct rvm_ctx *cached = hint ? hint : rvm_ctx_lookup(m, did, false, 0);
	if (cached) {
		x->c = cached;
	} else {
		struct rvm_ctx *c = &x->own;
		memset(c, 0, sizeof(*c));
		int rc = rvm_ddt_get_dc(m, did, c->dc);
		if (rc)
			return rc;
		c->device_id = did;
		rvm_ctx_derive(m, c);
		rvm_ctx_insert(m, c);
		x->c = c;
	}
	x->have_dc = true;
	return 0;
}

/* Step 14: the PC of pid, from the fast path's lookup (hint), the context
 * cache or the PDT. */
static int find_pc_(struct xl *x, uint32_t pid, const struct rvm_ctx *hint)
{
	struct rvm *m = x->m;
	const struct rvm_ctx *cached = hint ? hint : rvm_ctx_lookup(m, x->rq->device_id, true, pid);
	if (cached) {
		x->c = cached;
		return 0;
	}
	struct rvm_walk_req w = {.m = m, .c = x->c, .ids = &x->ids, .acc = x->rq->access};
	uint64_t pc[2];
	int rc = rvm_pdt_get_pc(&w, pid, pc, &x->iotval2);
	if (rc)
		return rc;
	struct rvm_ctx *c = own_ctx_(x);
	c->pid_valid = true;
	c->process_id = pid;
	c->pc[0] = pc[0];
	c->pc[1] = pc[1];
	c->has_pc = true;
	rvm_ctx_derive(m, c);
	rvm_ctx_insert(m, c);
	return 0;
}

static void set_ids_(struct xl *x)
{
	x->ids.pscid = x->c->pscid;
	x->ids.pscv = x->c->pscv;
	x->ids.gscid = x->c->gscid;
	x->ids.gscv = x->c->gv;
}

/* Steps 17-20 for the context in x->c. */
static int walk_(struct xl *x)
{
	struct rvm *m = x->m;
	const struct rvm_req *rq = x->rq;
	struct rvm_resp *rs = x->rs;
	const struct rvm_ctx *c = x->c;
	bool ats = rq->type == RVM_TT_ATS;
	bool t2gpa = c->dc[RVI_DC_TC] & RVI_DC_TC_T2GPA;
	struct rvm_walk_req w = {.m = m,
	                         .c = c,
	                         .ids = &x->ids,
	                         .acc = rq->access,
	                         .want = want_(rq),
	                         .ats = ats,
	                         .priv = x->priv};
	struct rvm_walk_res s1 = {
	    .size_lg2 = 64, .perm = 7, .allowed = 7, .u = true, .dirty = true};
	struct rvm_walk_res g = s1;
	uint8_t granted = w.want;
	uint64_t gpa = rq->iova;
	int rc;

	rvm_hpm_count(m, RVI_HPM_EV_TLB_MISS, &x->ids);
	if (c->pscv) { /* step 17 */
		rc = rvm_walk_s1(&w, rq->iova, &s1, &x->iotval2);
		if (rc)
			return fault_(x, (unsigned)rc);
		gpa = s1.pa;
		granted &= s1.allowed;
		if (ats && !granted) { /* §6.3: denial is Success with R=W=0 */
			rs->size = RVI_PAGE_SIZE;
			ats_fields_(x);
			count_request_(x);
			return 0;
		}
	}

	struct rvm_msi_res mr = {0};
	if (rvm_msi_match(c, gpa)) { /* step 18 */
		rc = rvm_msi_translate(&w, gpa, &mr);
		if (rc)
			return fault_(x, (unsigned)rc);
	}
	if (mr.kind == RVM_MSI_MRIF) {
		rs->is_mrif = true;
		rs->size = RVI_PAGE_SIZE;
		if (x->dbg) /* §5.24: MRIF hits are not translatable here */
			return fault_(x, RVI_CAUSE_TTYPE_DISALLOWED);
		if (ats) { /* §6.3: U=1, untranslated access only */
			granted &= RVM_PERM_R | RVM_PERM_W;
			rs->pa = gpa;
			rs->perm = granted;
			rs->is_msi = true;
			rs->ats.r = granted & RVM_PERM_R;
			rs->ats.w = granted & RVM_PERM_W;
			rs->ats.u = true;
			ats_fields_(x);
			count_request_(x);
			return 0;
		}
		rs->pa = mr.pa;
		if (rq->access == RVM_ACC_WRITE && rq->has_data) {
			bool discarded, unsupported;
			rc = rvm_mrif_write(&w, &mr, gpa, rq, &discarded, &unsupported);
			if (rc)
				return fault_(x, (unsigned)rc);
			if (unsupported) { /* AIA: abort, nothing to record */
				rs->status = RVM_STATUS_UR;
				count_request_(x);
				return 0;
			}
		}
		count_request_(x);
		return 0;
	}

	uint64_t pa;
	unsigned size_lg2 = s1.size_lg2;
	if (mr.kind == RVM_MSI_BASIC) {
		pa = mr.pa;
		g.perm = g.allowed = RVM_PERM_R | RVM_PERM_W;
		g.pbmt = 0;
		granted &= g.allowed;
		if (size_lg2 > RVI_PAGE_SHIFT)
			size_lg2 = RVI_PAGE_SHIFT; /* MSI pages are 4 KiB */
		rs->is_msi = true;
	} else if (c->gv) { /* step 19 */
		w.want = ats ? granted : w.want;
		rc = rvm_walk_g(&w, gpa, &g, &x->iotval2);
		if (rc)
			return fault_(x, (unsigned)rc);
		granted &= g.allowed;
		if (!(granted & RVM_PERM_R))
			granted &= (uint8_t)~RVM_PERM_X;
		pa = g.pa;
		if (g.size_lg2 < size_lg2)
			size_lg2 = g.size_lg2;
		size_lg2 = avoid_msi_(c, gpa, size_lg2);
	} else {
		pa = gpa;
	}
	if (size_lg2 == 64)
		size_lg2 = identity_size_lg2_(m); /* both stages Bare */
	if (size_lg2 > (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, m->caps))
		size_lg2 = (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, m->caps);
	if (!rs->is_msi && (pa & ~m->pa_mask)) /* output beyond PAS (IMPL-DEF) */
		return fault_(x, rvm_cause_access(rq->access));

	/* Svpbmt across stages: G-stage overrides PMA, first stage overrides. */
	uint8_t pbmt = g.pbmt ? g.pbmt : RVI_PBMT_PMA;
	if (s1.pbmt)
		pbmt = s1.pbmt;

	rs->status = RVM_STATUS_SUCCESS;
	rs->pa = (ats && t2gpa) ? gpa : pa; /* §6.3: T2GPA returns the GPA */
	rs->size = UINT64_C(1) << size_lg2;
	const uint8_t perm = (uint8_t)(s1.perm & g.perm);
	const bool dirty = s1.dirty && g.dirty;
	rs->perm = ats ? granted : reported_perm_(perm, dirty);
	rs->pbmt = pbmt;
	if (ats) {
		rs->ats.r = granted & RVM_PERM_R;
		rs->ats.w = granted & RVM_PERM_W;
		rs->ats.x = granted & RVM_PERM_X;
		rs->ats.g = rq->pid_valid && c->pscv && s1.g && !rs->is_msi;
		rs->ats.s = size_lg2 > RVI_PAGE_SHIFT;
		ats_fields_(x);
	} else {
		/* Fill the IOTLB: combined leaf, both stages' A/D state. */
		uint64_t sz = UINT64_C(1) << size_lg2;
		struct rvm_tlb_tag tag = {
		    .pscid = c->pscid, .gscid = c->gscid, .pscv = c->pscv, .gv = c->gv};
		struct rvm_tlb_entry e = {
		    .iova_base = rq->iova & ~(sz - 1),
		    .pa_base = pa & ~(sz - 1),
		    .gpa_base = gpa & ~(sz - 1),
		    .size_lg2 = (uint8_t)size_lg2,
		    .perm = perm,
		    .pbmt = pbmt,
		    .u = s1.u,
		    .g = s1.g,
		    .dirty = dirty,
		    .is_msi = rs->is_msi,
		};
		rvm_iotlb_insert(m, &tag, &e);
	}
	count_request_(x);
	return 0;
}

/* What the fast path found before it fell back, valid only while no cache
 * writer has run since its seqcount section began (translate_slow_()
 * checks that under m->lock).  dc/pc: its context-cache hits (NULL when
 * not made, missed, or not passed on); iotlb_missed: it probed the IOTLB for this context
 * and missed. */
struct fast_hint {
	const struct rvm_ctx *dc, *pc;
	bool iotlb_missed;
};

static int translate_(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs, bool dbg,
                      const struct fast_hint *h)
{
	static const struct fast_hint none = {0};
	if (!h)
		h = &none;
	struct xl x; /* x.c is set by find_dc_() before any use */
	x.m = m;
	x.rq = rq;
	x.rs = rs;
	x.dbg = dbg;
	x.have_dc = false;
	x.iotval2 = 0;
	const struct rvm_req *r = rq;
	bool ats = r->type == RVM_TT_ATS;
	unsigned mode = rvm_iommu_mode(m);
	int rc;

	memset(rs, 0, sizeof(*rs));
	x.priv = r->pid_valid && r->priv; /* no process_id: always U */
	/* x.ids feeds only the HPM event filters: filled only while a counter
	 * is active (hpm_active changes only under m->lock, which is held, and
	 * rvm_hpm_count() reads nothing else when it is 0).  ~15 instructions
	 * per slow-path request. */
	const bool hpm = m->hpm_active != 0;
	if (RVM_UNLIKELY(hpm)) {
		memset(&x.ids, 0, sizeof(x.ids));
		x.ids.did = r->device_id;
		x.ids.pv = r->pid_valid;
		x.ids.pid = r->process_id;
	}

	if (mode == RVI_DDTP_MODE_OFF) /* step 1 */
		return fault_(&x, RVI_CAUSE_ALL_DISALLOWED);
	if (RVM_UNLIKELY(m->inject_datapath)) { /* RAS injection: cause 272 */
		m->inject_datapath--;
		return fault_(&x, RVI_CAUSE_INTERNAL_DATAPATH);
	}
	if (mode == RVI_DDTP_MODE_BARE) { /* step 2 */
		if (r->type != RVM_TT_UNTRANSLATED)
			return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
		rs->rcid = (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_RCID, m->iommu_qosid);
		rs->mcid = (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_MCID, m->iommu_qosid);
		return finish_identity_(&x, r->iova);
	}
	if (rvi_ddt_levels(mode) == 0) /* a reserved mode never sticks (WARL) */
		return fault_(&x, RVI_CAUSE_ALL_DISALLOWED);
	rc = find_dc_(&x, h->dc); /* steps 3-6 */
	if (rc)
		return fault_(&x, (unsigned)rc);
	rs->rcid = x.c->rcid;
	rs->mcid = x.c->mcid;

	const uint64_t tc = x.c->dc[RVI_DC_TC];
	const bool pdtv = tc & RVI_DC_TC_PDTV;
	const unsigned pdtp_mode = (unsigned)RVI_FIELD_GET(RVI_FSC_MODE, x.c->dc[RVI_DC_FSC]);
	/* step 7 */
	if (r->type != RVM_TT_UNTRANSLATED && !(tc & RVI_DC_TC_EN_ATS))
		return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
	if (ats && !(m->caps & RVI_CAP_ATS))
		return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
	if (r->pid_valid && !pdtv)
		return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
	if (r->pid_valid && pdtv && pdtp_mode != RVI_PDTP_BARE &&
	    (r->process_id >> rvi_pdt_process_id_bits(pdtp_mode)))
		return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
	if (r->process_id >> RVI_PROCESS_ID_BITS && r->pid_valid)
		return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);

	if (r->type == RVM_TT_TRANSLATED) {
		if (!(tc & RVI_DC_TC_T2GPA)) /* step 8: already an SPA */
			return finish_identity_(&x, r->iova);
		/* step 9: a GPA; first stage Bare, MSI and G-stage apply */
		struct rvm_ctx *c = own_ctx_(&x);
		c->s1_fmt = RVM_PT_BARE;
		c->pscv = false;
		c->pscid = 0;
	} else if (pdtv) {
		bool have_pid = r->pid_valid;
		uint32_t pid = r->process_id;
		if (!have_pid && (tc & RVI_DC_TC_DPE)) { /* step 11 */
			have_pid = true;
			pid = 0;
		}
		if (have_pid && pdtp_mode != RVI_PDTP_BARE) { /* steps 12-14 */
			rc = find_pc_(&x, pid, h->pc);
			if (rc)
				return fault_(&x, (unsigned)rc);
			if (x.priv && !x.c->ens) /* step 15 */
				return fault_(&x, RVI_CAUSE_TTYPE_DISALLOWED);
		}
	}
	if (RVM_UNLIKELY(hpm))
		set_ids_(&x);
	/* The fast path has just missed in the IOTLB: do not look again. */
	if (r->type == RVM_TT_UNTRANSLATED && !dbg && !h->iotlb_missed &&
	    iotlb_hit_(m, x.c, r, x.priv, rs)) {
		count_request_(&x);
		return 0;
	}
	return walk_(&x);
}

int rvm_translate_locked(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs)
{
	return translate_(m, rq, rs, false, NULL);
}

int rvm_translate_dbg(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs)
{
	return translate_(m, rq, rs, true, NULL);
}

/* The slow path.  The fast path's findings come as two scalars so that
 * every fallback in rvm_translate() is a sibling call with its arguments in
 * registers and the hit path keeps no extra value live: c is the last
 * context-cache entry it found or NULL (a PC when c->pid_valid, else the
 * DC), seqm the seqcount value its section began with (always even) with
 * bit 0 set when it probed the IOTLB for c and missed. */
RVM_COLD static int translate_slow_(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs,
                                    uint64_t seqm, const struct rvm_ctx *c)
{
	atomic_store_explicit(&m->st_iotlb_misses,
	                      atomic_load_explicit(&m->st_iotlb_misses, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
	pthread_mutex_lock(&m->lock);
	/* Every cache writer holds m->lock and bumps cache_seq (locking
	 * invariant (2)), so an unchanged count here means the entries the
	 * fast path found are still the current ones: reuse them instead of
	 * looking up again (~45 instructions per miss). */
	struct fast_hint hint = {.dc = c && !c->pid_valid ? c : NULL,
	                         .pc = c && c->pid_valid ? c : NULL,
	                         .iotlb_missed = seqm & 1};
	const struct fast_hint *h = &hint;
	if (atomic_load_explicit(&m->cache_seq, memory_order_relaxed) != (seqm & ~UINT64_C(1)))
		h = NULL;
	int rc = translate_(m, rq, rs, false, h);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Fast path                                                                 */
/* ------------------------------------------------------------------------ */
static inline void fill_resp_(struct rvm_resp *rs, uint64_t pa, unsigned size_lg2, uint8_t perm,
                              uint8_t pbmt, bool is_msi, uint16_t rcid, uint16_t mcid)
{
	rs->status = RVM_STATUS_SUCCESS;
	rs->cause = 0;
	rs->fault_recorded = false;
	rs->pa = pa;
	rs->size = UINT64_C(1) << size_lg2;
	rs->perm = perm;
	rs->pbmt = pbmt;
	rs->is_msi = is_msi;
	rs->is_mrif = false;
	rs->rcid = rcid;
	rs->mcid = mcid;
	memset(&rs->ats, 0, sizeof(rs->ats));
}

static inline void count_hit_(struct rvm *m)
{
	atomic_store_explicit(&m->st_iotlb_hits,
	                      atomic_load_explicit(&m->st_iotlb_hits, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
}

/* Fast path: the context cache and the IOTLB, everything inline (the lookups come from
 * cache_impl.h), no lock, no call unless it falls back.  The response is filled field by field
 * instead of memset + fill: every field of struct rvm_resp is written exactly once (ats stays all
 * zero for Untranslated). */
int rvm_translate(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs)
{
	/* Statistics: every call ends as a fast-path hit (st_iotlb_hits) or
	 * in translate_slow_() (st_iotlb_misses), so "translations" is their
	 * sum (rvm_get_stats) and costs the hit path nothing. */
	if (RVM_UNLIKELY(rq->type != RVM_TT_UNTRANSLATED ||
	                 __atomic_load_n(&m->hpm_active, __ATOMIC_RELAXED)))
		return translate_slow_(m, rq, rs, 0, NULL);
	unsigned mode =
	    (unsigned)RVI_FIELD_GET(RVI_DDTP_MODE, __atomic_load_n(&m->ddtp, __ATOMIC_RELAXED));
	if (RVM_UNLIKELY(mode < RVI_DDTP_MODE_1LVL))
		return translate_slow_(m, rq, rs, 0, NULL);

	const struct rvm_caches *cc = &m->caches;
	uint64_t seq = rvm_seq_read_begin(m);
	const struct rvm_ctx *c = rvm_ctx_find_(cc, rq->device_id, rq->pid_valid, rq->process_id);
	if (RVM_UNLIKELY(!c))
		return translate_slow_(m, rq, rs, 0, NULL);
	if (!rq->pid_valid && (c->dc[RVI_DC_TC] & RVI_DC_TC_DPE)) {
		const struct rvm_ctx *pc0 = rvm_ctx_find_(cc, rq->device_id, true, 0); /* step 11 */
		if (!pc0)
			return translate_slow_(m, rq, rs, seq, c);
		c = pc0;
	}
	bool priv = rq->pid_valid && rq->priv;
	if (priv && !c->ens)
		return translate_slow_(m, rq, rs, seq, c);
	const struct rvm_tlb_entry *e = rvm_iotlb_find_(cc, c->tlb_key, rq->iova);
	if (!e || !hit_allowed_(c, e, rq, priv))
		return translate_slow_(m, rq, rs, seq | 1, c);
	/* Copy out of the cache before validating the section. */
	const uint64_t iova_base = e->iova_base, pa_base = e->pa_base;
	const uint8_t size_lg2 = e->size_lg2, perm = reported_perm_(e->perm, e->dirty),
	              pbmt = e->pbmt;
	const bool is_msi = e->is_msi;
	const uint16_t rcid = c->rcid, mcid = c->mcid;
	if (RVM_UNLIKELY(rvm_seq_read_retry(m, seq)))
		return translate_slow_(m, rq, rs, 0, NULL);
	fill_resp_(rs, pa_base + (rq->iova - iova_base), size_lg2, perm, pbmt, is_msi, rcid, mcid);
	count_hit_(m);
	return 0;
}

int rvm_inject_error(struct rvm *m, enum rvm_inject what)
{
	if (what != RVM_INJECT_DATAPATH)
		return RVM_EINVAL;
	pthread_mutex_lock(&m->lock);
	m->inject_datapath++;
	rvm_caches_flush_all(m); /* the next request must walk to meet it */
	pthread_mutex_unlock(&m->lock);
	return 0;
}
