/* SPDX-License-Identifier: MIT
 *
 * test_drv_dc.c - device-context and process-context updates of the
 * driver core against the model: ATS.INVAL after PASID context changes,
 * dirty tracking (SADE) for PASID devices, hitless (one-store) DC updates,
 * and QoS IDs (iommu_qosid, DC.ta RCID/MCID).
 *
 * Hand-derived values (spec §3.1.3, §3.3, §4.1, QoSID 1.0):
 *   DC.tc: V bit 0, EN_ATS 1, PDTV 5, SADE 8, DPE 9.
 *   DC words: tc 0, iohgatp 1, ta 2, fsc 3 (extended: msiptp 4 ...).
 *   DC.ta: PSCID 31:12, RCID 51:40, MCID 63:52.
 *   iommu_qosid (0x270): RCID 11:0, MCID 27:16.
 *   ATS.INVAL word 0: opcode 4 (6:0), func3 0 (9:7), PID 31:12, PV 32,
 *   RID 55:40; word 1 the payload, whole space = 0x7fff_ffff_ffff_f000 |
 *   S (bit 11) = 0x7ffffffffffff800.
 *   IODIR.INVAL_PDT word 0 = 3 | 1 << 7 | PID << 12 | 1 << 33 | DID << 40.
 *   IOTINVAL.VMA PSCV=1: 1 | PSCID << 12 | 1 << 32.
 *   Causes: 258 DDT entry not valid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DID 0x42u
#define IOVA UINT64_C(0x10000)
#define BUF_A UINT64_C(0x20000000)
#define BUF_B UINT64_C(0x21000000)
#define ATS_ALL UINT64_C(0x7ffffffffffff800)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
};

static void start_cfg(struct t *t, const struct rvm_config *mc, const struct rvd_config *dc)
{
	int err = 0;
	t->h = dh_create(2048, mc);
	t->iommu = rvd_probe(&t->h->ops, t->h, dc, &err);
	assert_non_null(t->iommu);
	t->h->ats_answer = true;
}

static void start(struct t *t)
{
	struct rvm_config mc;
	struct rvd_config dc;
	rvm_config_default(&mc);
	dh_default_config(&dc);
	start_cfg(t, &mc, &dc);
}

static void stop(struct t *t)
{
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	rvd_remove(t->iommu);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static struct rvd_domain *dom(struct t *t, enum rvd_stage_policy st, uint64_t buf, unsigned prot)
{
	int err;
	size_t mapped;
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t->iommu, st, &err);
	assert_non_null(d);
	assert_int_equal(rvd_map_pages(d, IOVA, buf, 4096, 1, prot, &mapped), 0);
	return d;
}

static const uint64_t *dc_of(struct t *t)
{
	int e;
	const uint64_t *dc = rvd_ddt_dc(t->iommu, DID, false, &e);
	assert_non_null(dc);
	return dc;
}

/* One access by DID (with a PASID when pv); returns the cause. */
static int dma(struct t *t, bool pv, uint32_t pid, enum rvm_access acc, uint64_t iova, uint64_t *pa)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.device_id = DID;
	rq.pid_valid = pv;
	rq.process_id = pid;
	rq.access = acc;
	rq.iova = iova;
	rq.len = 4;
	int c = rvm_translate(t->h->m, &rq, &rs);
	if (pa)
		*pa = rs.pa;
	return c;
}

static uint64_t ats_inval_w0(bool pv, uint32_t pid)
{
	return 4 | ((uint64_t)pid << 12) | ((uint64_t)pv << 32) | ((uint64_t)DID << 40);
}

static void enable_ats(struct t *t)
{
	struct rvd_ats_cfg ac;
	memset(&ac, 0, sizeof(ac));
	assert_int_equal(rvd_enable_ats(t->iommu, DID, &ac), 0);
	assert_int_equal(dc_of(t)[RVI_DC_TC] & 2, 2);
}

/* ---- 1. ATS.INVAL after process-context changes ---- */

static void test_pc_change_invalidates_device_atc(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	struct rvd_domain *b = dom(&t, RVD_STAGE_FIRST, BUF_B, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev_pasid(b, DID, 5), 0);
	enable_ats(&t);
	/* replace PASID 5's context: b -> a */
	unsigned n0 = t.h->n_cmds, m0 = t.h->n_ats_msgs;
	assert_int_equal(rvd_attach_dev_pasid(a, DID, 5), 0);
	const uint64_t(*c)[2] = &t.h->cmds[n0];
	uint64_t pdt = 3 | (1u << 7) | (5u << 12) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40);
	assert_int_equal(t.h->n_cmds - n0, 6);
	assert_int_equal(c[0][0], pdt);
	assert_int_equal(c[1][0], 1 | ((uint64_t)b->pscid << 12) | (UINT64_C(1) << 32));
	/* after the IOATC, before the fence: PV=1 PID=5, whole space */
	assert_int_equal(c[2][0], ats_inval_w0(true, 5));
	assert_int_equal(c[2][1], ATS_ALL);
	assert_int_equal(dh_cmd_op(c[3]), RVI_CMD_IOFENCE);
	assert_int_equal(c[4][0], pdt);
	assert_int_equal(dh_cmd_op(c[5]), RVI_CMD_IOFENCE);
	/* the device got it */
	assert_int_equal(t.h->n_ats_msgs - m0, 1);
	assert_int_equal(t.h->ats_msgs[m0].type, RVM_ATS_MSG_INVAL);
	assert_true(t.h->ats_msgs[m0].pv);
	assert_int_equal(t.h->ats_msgs[m0].pid, 5);
	assert_int_equal(t.h->ats_msgs[m0].payload, ATS_ALL);
	/* the RID traffic of a PDT device goes through PC[0]: its change is
	 * invalidated with PV=0 */
	assert_int_equal(rvd_attach_dev(a, DID), 0); /* PC[0] 0 -> a: nothing cached */
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_attach_dev(b, DID), 0); /* PC[0] a -> b */
	c = &t.h->cmds[n0];
	assert_int_equal(c[1][0], 1 | ((uint64_t)a->pscid << 12) | (UINT64_C(1) << 32));
	assert_int_equal(c[2][0], ats_inval_w0(false, 0));
	assert_int_equal(c[2][1], ATS_ALL);
	/* detach PASID 5 (a): PC V=0, IOTINVAL, ATS.INVAL PID 5, fence */
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	c = &t.h->cmds[n0];
	assert_int_equal(c[0][0], pdt);
	assert_int_equal(c[2][0], ats_inval_w0(true, 5));
	assert_int_equal(dh_cmd_op(c[3]), RVI_CMD_IOFENCE);
	assert_int_equal(rvd_disable_ats(t.iommu, DID), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

static void test_pc_change_without_ats_sends_none(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev_pasid(a, DID, 5), 0);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	for (unsigned i = n0; i < t.h->n_cmds; i++)
		assert_int_not_equal(dh_cmd_op(t.h->cmds[i]), RVI_CMD_ATS);
	assert_int_equal(rvd_domain_free(a), 0);
	stop(&t);
}

/* ---- 1. dirty tracking for PASID devices ---- */

static void test_pasid_dirty_tracking(void **state)
{
	struct t t;
	size_t mapped;
	uint64_t bm = 0;
	(void)state;
	start(&t);
	unsigned rw = RVD_PROT_READ | RVD_PROT_WRITE;
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, rw);
	struct rvd_domain *b = dom(&t, RVD_STAGE_FIRST, BUF_B, rw);
	/* tracking first, then the PASID: SADE before the PC is valid */
	assert_int_equal(rvd_domain_set_dirty_tracking(a, true), 0);
	assert_int_equal(rvd_map_pages(a, IOVA + 0x1000, BUF_A + 0x1000, 4096, 1, rw, &mapped), 0);
	assert_int_equal(rvd_attach_dev_pasid(a, DID, 5), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TC] & (1u << 8), 1u << 8);
	/* the new leaf has D=0: the write sets it (without SADE: a fault) */
	assert_int_equal(dma(&t, true, 5, RVM_ACC_WRITE, IOVA + 0x1000, NULL), 0);
	assert_int_equal(rvd_read_and_clear_dirty(a, IOVA + 0x1000, 4096, &bm, 0), 0);
	assert_int_equal(bm, 1);
	/* a second PASID on a non-tracking domain; dropping the tracking
	 * PASID drops SADE */
	assert_int_equal(rvd_attach_dev_pasid(b, DID, 6), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TC] & (1u << 8), 0);
	/* tracking switched on for a domain already attached by PASID */
	assert_int_equal(rvd_domain_set_dirty_tracking(b, true), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TC] & (1u << 8), 1u << 8);
	assert_int_equal(rvd_map_pages(b, IOVA + 0x2000, BUF_B + 0x2000, 4096, 1, rw, &mapped), 0);
	assert_int_equal(dma(&t, true, 6, RVM_ACC_WRITE, IOVA + 0x2000, NULL), 0);
	bm = 0;
	assert_int_equal(rvd_read_and_clear_dirty(b, IOVA + 0x2000, 4096, &bm, 0), 0);
	assert_int_equal(bm, 1);
	/* and off again */
	assert_int_equal(rvd_domain_set_dirty_tracking(b, false), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TC] & (1u << 8), 0);
	assert_int_equal(dma(&t, true, 6, RVM_ACC_WRITE, IOVA + 0x2000, NULL), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 6), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

static void test_pasid_sade_update_failure_keeps_old_pc(void **state)
{
	struct t t;
	uint64_t pa = 0;
	(void)state;
	start(&t);
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	struct rvd_domain *b = dom(&t, RVD_STAGE_FIRST, BUF_B, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev_pasid(b, DID, 5), 0);
	enable_ats(&t);
	assert_int_equal(rvd_domain_set_dirty_tracking(a, true), 0);
	/* the DC update that adds SADE times out (its ATS.INVAL is never
	 * answered): PASID 5 stays on b, and the bookkeeping says so */
	t.h->ats_answer = false;
	assert_int_equal(rvd_attach_dev_pasid(a, DID, 5), -ETIMEDOUT);
	t.h->ats_answer = true;
	assert_int_equal(dma(&t, true, 5, RVM_ACC_READ, IOVA, &pa), 0);
	assert_int_equal(pa, BUF_B);
	assert_int_equal(rvd_domain_free(b), -EBUSY);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	assert_int_equal(rvd_disable_ats(t.iommu, DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

/* ---- 2. hitless DC updates ---- */

/* The checker run at every wmb and every cqt write: the DC in memory is
 * V=0, or exactly the old or the new context (never a mix), and the
 * model's translation agrees (old or new PA, or 258 only while V=0). */
struct chk {
	struct t *t;
	uint64_t old[8], new_[8];
	unsigned n;
	unsigned v0_seen, checks, bad;
	uint64_t pa_old, pa_new;
	/* §9.2: invalidations are issued after the store is globally visible,
	 * i.e. a barrier separates the new DC in memory from the cqt write
	 * that publishes them.  fenced_new: a wmb ran while the DC was new;
	 * unordered: a cqt write found the new DC with no such wmb before it. */
	bool fenced_new;
	unsigned unordered;
};

static bool dc_is_new(struct chk *k)
{
	int e;
	const uint64_t *p = rvd_ddt_dc(k->t->iommu, DID, false, &e);
	for (unsigned i = 0; i < k->n; i++)
		if (__atomic_load_n(&p[i], __ATOMIC_RELAXED) != k->new_[i])
			return false;
	return true;
}

static void check_dc(struct dh *h, void *arg)
{
	struct chk *k = arg;
	(void)h;
	int e;
	const uint64_t *p = rvd_ddt_dc(k->t->iommu, DID, false, &e);
	uint64_t cur[8] = {0};
	for (unsigned i = 0; i < k->n; i++)
		cur[i] = __atomic_load_n(&p[i], __ATOMIC_RELAXED);
	k->checks++;
	bool v0 = !(cur[RVI_DC_TC] & RVI_DC_TC_V);
	if (v0)
		k->v0_seen++;
	else if (memcmp(cur, k->old, k->n * 8) && memcmp(cur, k->new_, k->n * 8))
		k->bad++;
	uint64_t pa = 0;
	int cause = dma(k->t, false, 0, RVM_ACC_READ, IOVA, &pa);
	if (cause == RVI_CAUSE_DDT_INVALID ? !v0 : (cause || (pa != k->pa_old && pa != k->pa_new)))
		k->bad++;
}

static void on_wmb_check(struct dh *h, void *arg)
{
	struct chk *k = arg;
	if (dc_is_new(k))
		k->fenced_new = true;
	check_dc(h, arg);
}

static void on_cqt_check(struct dh *h, void *arg)
{
	struct chk *k = arg;
	if (dc_is_new(k) && !k->fenced_new)
		k->unordered++;
	check_dc(h, arg);
}

/* Switch DID from 'from' to 'to' under the checker; return it. */
static struct chk switch_checked(struct t *t, struct rvd_domain *from, struct rvd_domain *to,
                                 uint64_t pa_old, uint64_t pa_new, unsigned *pubs, unsigned *fences)
{
	struct chk k;
	memset(&k, 0, sizeof(k));
	k.t = t;
	k.n = t->iommu->dc_ext ? 8 : 4;
	k.pa_old = pa_old;
	k.pa_new = pa_new;
	assert_int_equal(rvd_attach_dev(from, DID), 0);
	memcpy(k.old, dc_of(t), k.n * 8);
	rvd_make_dc(to, k.new_);
	assert_int_equal(dma(t, false, 0, RVM_ACC_READ, IOVA, NULL), 0); /* cached */
	t->h->on_wmb = on_wmb_check;
	t->h->on_wmb_arg = &k;
	t->h->on_cqt = on_cqt_check;
	t->h->on_cqt_arg = &k;
	unsigned c0 = t->h->n_cqt_writes, f0 = t->h->n_fences;
	assert_int_equal(rvd_attach_dev(to, DID), 0);
	t->h->on_wmb = t->h->on_cqt = NULL;
	*pubs = t->h->n_cqt_writes - c0;
	*fences = t->h->n_fences - f0;
	assert_memory_equal(dc_of(t), k.new_, k.n * 8);
	uint64_t pa;
	assert_int_equal(dma(t, false, 0, RVM_ACC_READ, IOVA, &pa), 0);
	assert_int_equal(pa, pa_new);
	return k;
}

static void test_hitless_one_word(void **state)
{
	struct t t;
	unsigned pubs, fences;
	(void)state;
	start(&t);
	/* two second-stage domains without MSI tables: only iohgatp differs */
	struct rvd_domain *a = dom(&t, RVD_STAGE_SECOND, BUF_A, RVD_PROT_READ);
	struct rvd_domain *b = dom(&t, RVD_STAGE_SECOND, BUF_B, RVD_PROT_READ);
	struct chk k = switch_checked(&t, a, b, BUF_A, BUF_B, &pubs, &fences);
	assert_true(k.checks >= 2);
	assert_int_equal(k.bad, 0);
	assert_int_equal(k.v0_seen, 0);   /* (a) never through V=0 */
	assert_int_equal(k.unordered, 0); /* a barrier before the publication */
	assert_int_equal(pubs, 1);        /* one publication, one fence */
	assert_int_equal(fences, 1);
	/* its commands: IODIR DID, IOTINVAL.VMA GV=1 a, IOTINVAL.GVMA GV=1 a,
	 * IOFENCE.C */
	const uint64_t(*c)[2] = &t.h->cmds[t.h->n_cmds - 4];
	uint64_t gv = (UINT64_C(1) << 33) | ((uint64_t)a->gscid << 44);
	assert_int_equal(c[0][0], UINT64_C(3) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40));
	assert_int_equal(c[1][0], UINT64_C(1) | gv);
	assert_int_equal(c[2][0], UINT64_C(1) | (UINT64_C(1) << 7) | gv);
	assert_int_equal(dh_cmd_op(c[3]), RVI_CMD_IOFENCE);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

static void test_two_words_go_through_v0(void **state)
{
	struct t t;
	unsigned pubs, fences;
	(void)state;
	start(&t);
	/* first stage: fsc and ta (PSCID) both change */
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	struct rvd_domain *b = dom(&t, RVD_STAGE_FIRST, BUF_B, RVD_PROT_READ);
	struct chk k = switch_checked(&t, a, b, BUF_A, BUF_B, &pubs, &fences);
	assert_int_equal(k.bad, 0);  /* (c) never torn */
	assert_true(k.v0_seen >= 1); /* (b) V=0 in between */
	assert_int_equal(pubs, 2);
	assert_int_equal(fences, 2);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

static void test_ats_enable_keeps_v0(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	/* only tc changes, but §9.2 "Enabling ATS/PRI" wants V=0 first */
	struct chk k;
	memset(&k, 0, sizeof(k));
	k.t = &t;
	k.n = t.iommu->dc_ext ? 8 : 4;
	k.pa_old = k.pa_new = BUF_A;
	memcpy(k.old, dc_of(&t), k.n * 8);
	memcpy(k.new_, k.old, sizeof(k.new_));
	k.new_[RVI_DC_TC] |= 2;
	t.h->on_wmb = check_dc;
	t.h->on_wmb_arg = &k;
	unsigned c0 = t.h->n_cqt_writes;
	enable_ats(&t);
	t.h->on_wmb = NULL;
	assert_true(k.v0_seen >= 1);
	assert_int_equal(k.bad, 0);
	assert_int_equal(t.h->n_cqt_writes - c0, 2);
	assert_int_equal(rvd_disable_ats(t.iommu, DID), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	stop(&t);
}

/* ---- 3. QoS IDs ---- */

static void qos_cfg(struct rvm_config *mc, struct rvd_config *dc, uint16_t rcid, uint16_t mcid)
{
	rvm_config_default(mc);
	mc->rcid_bits = 4; /* RCIDs 0..15 */
	mc->mcid_bits = 3; /* MCIDs 0..7 */
	dh_default_config(dc);
	dc->rcid = rcid;
	dc->mcid = mcid;
}

static void test_iommu_qosid_programmed_while_off(void **state)
{
	struct t t;
	struct rvm_config mc;
	struct rvd_config dc;
	(void)state;
	qos_cfg(&mc, &dc, 5, 6);
	start_cfg(&t, &mc, &dc);
	uint64_t v = 0;
	assert_int_equal(rvm_mmio_read(t.h->m, RVI_REG_IOMMU_QOSID, 4, &v), 0);
	assert_int_equal(v, 5 | (6u << 16));
	/* the last iommu_qosid write comes before ddtp leaves Off */
	int last_q = -1, first_on = -1;
	for (unsigned i = 0; i < t.h->n_mmio_log; i++) {
		if (t.h->mmio_log[i].off == RVI_REG_IOMMU_QOSID)
			last_q = (int)i;
		if (first_on < 0 && t.h->mmio_log[i].off == RVI_REG_DDTP &&
		    (t.h->mmio_log[i].val & 0xf) != 0) /* iommu_mode 3:0, Off = 0 */
			first_on = (int)i;
	}
	assert_true(last_q >= 0 && first_on > last_q);
	/* and the model tags DDT and queue accesses with them */
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	assert_int_equal(dma(&t, false, 0, RVM_ACC_READ, IOVA, NULL), 0);
	assert_true(t.h->attr_n[RVM_MEM_DDT] > 0);
	assert_int_equal(t.h->attr_last[RVM_MEM_DDT].rcid, 5);
	assert_int_equal(t.h->attr_last[RVM_MEM_DDT].mcid, 6);
	assert_int_equal(t.h->attr_last[RVM_MEM_CQ].rcid, 5);
	assert_int_equal(t.h->attr_last[RVM_MEM_CQ].mcid, 6);
	/* the device has no IDs of its own: its table walk uses 0 */
	assert_int_equal(t.h->attr_last[RVM_MEM_S1_PT].rcid, 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	stop(&t);
}

static void test_iommu_qosid_width_checked(void **state)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	(void)state;
	/* RCID 16 needs 5 bits, MCID 8 needs 4: the read-back differs */
	static const uint16_t bad[3][2] = {{16, 0}, {0, 8}, {0x1000, 0}};
	for (unsigned i = 0; i < 3; i++) {
		qos_cfg(&mc, &dc, bad[i][0], bad[i][1]);
		struct dh *h = dh_create(256, &mc);
		assert_null(rvd_probe(&h->ops, h, &dc, &err));
		assert_int_equal(err, -EINVAL);
		assert_int_equal(h->live_pages, 0);
		dh_destroy(h);
	}
	/* the widest values fit */
	qos_cfg(&mc, &dc, 15, 7);
	struct t t;
	start_cfg(&t, &mc, &dc);
	stop(&t);
	/* no caps.QOSID: non-zero IDs are refused, device IDs too */
	qos_cfg(&mc, &dc, 1, 0);
	mc.capabilities &= ~RVI_CAP_QOSID;
	mc.rcid_bits = mc.mcid_bits = 0;
	struct dh *h = dh_create(256, &mc);
	assert_null(rvd_probe(&h->ops, h, &dc, &err));
	assert_int_equal(err, -EINVAL);
	dh_destroy(h);
	dc.rcid = 0;
	start_cfg(&t, &mc, &dc);
	assert_int_equal(rvd_set_dev_qosid(t.iommu, DID, 1, 0), -ENODEV);
	stop(&t);
}

static void test_device_qosid(void **state)
{
	struct t t;
	struct rvm_config mc;
	struct rvd_config dc;
	size_t mapped;
	(void)state;
	qos_cfg(&mc, &dc, 5, 6);
	start_cfg(&t, &mc, &dc);
	struct rvd_domain *a = dom(&t, RVD_STAGE_FIRST, BUF_A, RVD_PROT_READ);
	struct rvd_domain *b = dom(&t, RVD_STAGE_FIRST, BUF_B, RVD_PROT_READ);
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	/* widths probed at init: RCID < 16, MCID < 8 */
	assert_int_equal(rvd_set_dev_qosid(t.iommu, DID, 16, 0), -EINVAL);
	assert_int_equal(rvd_set_dev_qosid(t.iommu, DID, 0, 8), -EINVAL);
	unsigned c0 = t.h->n_cqt_writes;
	assert_int_equal(rvd_set_dev_qosid(t.iommu, DID, 9, 7), 0);
	/* ta only: updated in place, one publication */
	assert_int_equal(t.h->n_cqt_writes - c0, 1);
	uint64_t ta = ((uint64_t)a->pscid << 12) | (UINT64_C(9) << 40) | (UINT64_C(7) << 52);
	assert_int_equal(dc_of(&t)[RVI_DC_TA], ta);
	/* a fresh page: the walk is tagged with the device's IDs, the DDT
	 * read with the IOMMU's */
	assert_int_equal(
	    rvd_map_pages(a, IOVA + 0x3000, BUF_A + 0x3000, 4096, 1, RVD_PROT_READ, &mapped), 0);
	unsigned n_pt = t.h->attr_n[RVM_MEM_S1_PT];
	assert_int_equal(dma(&t, false, 0, RVM_ACC_READ, IOVA + 0x3000, NULL), 0);
	assert_true(t.h->attr_n[RVM_MEM_S1_PT] > n_pt);
	assert_int_equal(t.h->attr_last[RVM_MEM_S1_PT].rcid, 9);
	assert_int_equal(t.h->attr_last[RVM_MEM_S1_PT].mcid, 7);
	assert_int_equal(t.h->attr_last[RVM_MEM_DDT].rcid, 5);
	assert_int_equal(t.h->attr_last[RVM_MEM_DDT].mcid, 6);
	/* the IDs follow the device to another domain */
	assert_int_equal(rvd_attach_dev(b, DID), 0);
	ta = ((uint64_t)b->pscid << 12) | (UINT64_C(9) << 40) | (UINT64_C(7) << 52);
	assert_int_equal(dc_of(&t)[RVI_DC_TA], ta);
	/* and 0, 0 drops them */
	assert_int_equal(rvd_set_dev_qosid(t.iommu, DID, 0, 0), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TA], (uint64_t)b->pscid << 12);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pc_change_invalidates_device_atc),
	    cmocka_unit_test(test_pc_change_without_ats_sends_none),
	    cmocka_unit_test(test_pasid_dirty_tracking),
	    cmocka_unit_test(test_pasid_sade_update_failure_keeps_old_pc),
	    cmocka_unit_test(test_hitless_one_word),
	    cmocka_unit_test(test_two_words_go_through_v0),
	    cmocka_unit_test(test_ats_enable_keeps_v0),
	    cmocka_unit_test(test_iommu_qosid_programmed_while_off),
	    cmocka_unit_test(test_iommu_qosid_width_checked),
	    cmocka_unit_test(test_device_qosid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
