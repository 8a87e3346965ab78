/* SPDX-License-Identifier: MIT
 *
 * test_drv_ats.c - the driver core's ATS/PRI, dirty tracking and command
 * error paths against the hardware model, with the test host playing the
 * PCIe device (it logs ATS messages and answers Invalidation Requests late
 * or never).
 *
 * Expected values are derived here from the spec: ATS command layout
 * (§4.1.4: opcode 4, func3 0 INVAL / 1 PRGR, PV bit 32, RID 55:40), PCIe
 * range encoding (S = bit 11; 2^(X+1) pages when the lowest 0 of
 * ADDR[63:12] is at X; whole space = 0x7ff..f000 | S), PRGR payload (index
 * 40:32, code 47:44), tc bits (EN_ATS 1, EN_PRI 2, PRPR 6, SADE 8).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DID 0x1234u
#define IOVA UINT64_C(0x10000)
#define BUF UINT64_C(0x20000000)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
	struct rvd_domain *d;
};

static struct rvd_page_request prs[16];
static unsigned n_prs;
static int prq_code;

static int prq_cb(void *ctx, const struct rvd_page_request *pr)
{
	(void)ctx;
	if (n_prs < 16)
		prs[n_prs++] = *pr;
	return prq_code;
}

static void start(struct t *t, uint64_t caps_clear, uint8_t pq_lg2)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	rvm_config_default(&mc);
	mc.capabilities &= ~caps_clear;
	t->h = dh_create(2048, &mc);
	dh_default_config(&dc);
	dc.prq_cb = prq_cb;
	if (pq_lg2)
		dc.pq_lg2 = pq_lg2;
	t->iommu = rvd_probe(&t->h->ops, t->h, &dc, &err);
	assert_non_null(t->iommu);
	t->d = rvd_domain_alloc_paging_stage(t->iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(t->d);
	assert_int_equal(rvd_attach_dev(t->d, DID), 0);
	n_prs = 0;
	prq_code = RVI_PRGR_SUCCESS;
	t->h->ats_answer = true; /* the device answers (at once) by default */
}

static void stop(struct t *t)
{
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	assert_int_equal(rvd_domain_free(t->d), 0);
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static uint64_t dc_tc(struct t *t)
{
	int e;
	const uint64_t *dc = rvd_ddt_dc(t->iommu, DID, false, &e);
	assert_non_null(dc);
	return dc[RVI_DC_TC];
}

static bool is_ats_inval(const uint64_t c[2])
{
	return dh_cmd_op(c) == RVI_CMD_ATS && dh_cmd_func3(c) == RVI_ATS_INVAL;
}

static bool is_fence(const uint64_t c[2])
{
	return dh_cmd_op(c) == RVI_CMD_IOFENCE;
}

/* ---- enabling ---- */

static struct {
	enum rvd_ats_step step;
	uint64_t tc;
	unsigned n_cmds;
} steps[8];
static unsigned n_steps;
static struct t *cur;

static void step_cb(void *ctx, uint32_t did, enum rvd_ats_step s)
{
	(void)ctx;
	assert_int_equal(did, DID);
	steps[n_steps].step = s;
	steps[n_steps].tc = dc_tc(cur);
	steps[n_steps].n_cmds = cur->h->n_cmds;
	n_steps++;
}

static void test_enable_disable_sequence(void **state)
{
	struct t t;
	(void)state;
	start(&t, 0, 0);
	cur = &t;
	n_steps = 0;
	struct rvd_ats_cfg c = {.pri = true, .prpr = true, .step = step_cb};
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
	assert_int_equal(n_steps, 3);
	assert_int_equal(steps[0].step, RVD_ATS_QUIESCE);
	assert_int_equal(steps[0].tc & 0x47, 1); /* V=1, no ATS bits yet */
	assert_int_equal(steps[1].step, RVD_ATS_DEV_ENABLE);
	assert_int_equal(steps[1].tc & 0x4f, 0x47); /* V, EN_ATS, EN_PRI, PRPR */
	assert_int_equal(steps[2].step, RVD_ATS_RESUME);
	/* between quiesce and device enable: IODIR.INVAL_DDT DV=1 DID first,
	 * the old context's IOTINVAL.VMA PSCID, fence; then IODIR, fence */
	unsigned i = steps[0].n_cmds;
	assert_int_equal(dh_cmd_op(t.h->cmds[i]), RVI_CMD_IODIR);
	assert_int_equal(t.h->cmds[i][0] >> 40, DID);
	assert_int_equal(dh_cmd_op(t.h->cmds[i + 1]), RVI_CMD_IOTINVAL);
	assert_true(is_fence(t.h->cmds[i + 2]));
	assert_int_equal(steps[1].n_cmds - i, 5);
	/* a re-attach keeps the bits (invariant 1 of ats.c) */
	assert_int_equal(rvd_attach_dev(t.d, DID), 0);
	assert_int_equal(dc_tc(&t) & 0x4f, 0x47);
	/* T2GPA needs a second stage: first-stage domain refused */
	c.t2gpa = true;
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), -EINVAL);
	/* disable: quiesce, device off, DC without the bits, whole-space
	 * ATS.INVAL, resume */
	n_steps = 0;
	assert_int_equal(rvd_disable_ats(t.iommu, DID), 0);
	assert_int_equal(n_steps, 3);
	assert_int_equal(steps[1].step, RVD_ATS_DEV_DISABLE);
	assert_int_equal(steps[2].step, RVD_ATS_RESUME);
	assert_int_equal(steps[2].tc & 0x4f, 1);
	unsigned last = t.h->n_cmds - 2;
	assert_true(is_ats_inval(t.h->cmds[last]));
	assert_int_equal(t.h->cmds[last][1], UINT64_C(0x7ffffffffffff800));
	assert_int_equal(rvd_disable_ats(t.iommu, DID), -ENOENT);
	stop(&t);
	/* no caps.ATS */
	start(&t, RVI_CAP_ATS | RVI_CAP_T2GPA, 0);
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), -ENODEV);
	stop(&t);
}

/* ---- ATS.INVAL after unmap ---- */

static void test_unmap_sends_ats_inval_after_iotinval(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	start(&t, 0, 0);
	struct rvd_ats_cfg c = {0};
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
	t.h->ats_answer = true;
	t.h->ats_delay_ns = 5000; /* the device answers late */
	assert_int_equal(rvd_map_pages(t.d, IOVA, BUF, 4096, 3, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA, 4096, 2, &g), 2 * 4096);
	unsigned n0 = t.h->n_cmds, m0 = t.h->n_ats_msgs;
	uint64_t clock0 = t.h->clock_ns;
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	/* IOTINVAL (ARINV block), then ATS.INVAL, then the fence */
	assert_int_equal(t.h->n_cmds - n0, 3);
	assert_int_equal(dh_cmd_op(t.h->cmds[n0]), RVI_CMD_IOTINVAL);
	assert_true(is_ats_inval(t.h->cmds[n0 + 1]));
	assert_true(is_fence(t.h->cmds[n0 + 2]));
	/* 2 pages at 0x10000: S=1, ADDR bit 12 = 0 -> 8 KiB */
	assert_int_equal(t.h->cmds[n0 + 1][1], UINT64_C(0x10800));
	assert_int_equal(t.h->n_ats_msgs - m0, 1);
	assert_int_equal(t.h->ats_msgs[m0].type, RVM_ATS_MSG_INVAL);
	assert_int_equal(t.h->ats_msgs[m0].rid, DID);
	assert_false(t.h->ats_msgs[m0].pv);
	assert_int_equal(t.h->ats_msgs[m0].payload, UINT64_C(0x10800));
	/* the fence waited for the late completion */
	assert_true(t.h->clock_ns - clock0 >= 5000);
	assert_int_equal(t.h->n_ats_pending, 0);
	/* one page: S=0, the page address */
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA + 0x2000, 4096, 1, &g), 4096);
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	assert_int_equal(t.h->cmds[n0 + 1][1], IOVA + 0x2000);
	/* flush all: the whole space */
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_flush_iotlb_all(t.d), 0);
	assert_int_equal(t.h->cmds[n0 + 1][1], UINT64_C(0x7ffffffffffff800));
	stop(&t);
}

/* An MSI-PTE change reaches the devices' ATCs too (ATS returns MSI
 * translations, §3.6): rvd_inval_msi_pte and an IOTINVAL.GVMA through
 * rvd_submit_cmds are followed by ATS.INVAL of that page (IOVA == GPA on a
 * second-stage domain) for the ATS device on the GSCID, before the fence
 * (§9.2: the device ATC after the IOATC).  A device without ATS gets none. */
static void test_msi_pte_change_invalidates_device_atc(void **state)
{
	struct t t;
	int err = 0;
	(void)state;
	start(&t, 0, 0);
	const uint32_t did2 = DID + 1, did3 = DID + 2;
	const uint64_t gpa = UINT64_C(0x28003000);
	struct rvd_domain *s2 = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(s2);
	/* MSI table at PA 0x90000000, mask 0xf, pattern 0x28000 (GPA 0x28000000) */
	assert_int_equal(rvd_attach_dev_msi(s2, did2, 0x90000, 0xf, 0x28000), 0);
	assert_int_equal(rvd_attach_dev(s2, did3), 0);
	struct rvd_ats_cfg c = {0};
	assert_int_equal(rvd_enable_ats(t.iommu, did2, &c), 0);

	unsigned n0 = t.h->n_cmds, m0 = t.h->n_ats_msgs;
	assert_int_equal(rvd_inval_msi_pte(s2, gpa), 0);
	assert_int_equal(t.h->n_cmds - n0, 3);
	assert_int_equal(dh_cmd_op(t.h->cmds[n0]), RVI_CMD_IOTINVAL);
	assert_int_equal(dh_cmd_func3(t.h->cmds[n0]), RVI_IOTINVAL_GVMA);
	assert_true(is_ats_inval(t.h->cmds[n0 + 1]));
	assert_int_equal(RVI_FIELD_GET(RVI_ATS_RID, t.h->cmds[n0 + 1][0]), did2);
	assert_int_equal(t.h->cmds[n0 + 1][1], gpa); /* one page: S=0 */
	assert_true(is_fence(t.h->cmds[n0 + 2]));
	assert_int_equal(t.h->n_ats_msgs - m0, 1);

	n0 = t.h->n_cmds;
	struct rvd_cmd g = rvd_cmd_iotinval_gvma(true, rvd_domain_gscid(s2), true, gpa);
	assert_int_equal(rvd_submit_cmds(t.iommu, &g, 1), 0);
	assert_int_equal(t.h->n_cmds - n0, 3);
	assert_true(is_ats_inval(t.h->cmds[n0 + 1]));
	assert_int_equal(t.h->cmds[n0 + 1][1], gpa);

	/* Without ATS on the GSCID's devices: no ATS.INVAL. */
	assert_int_equal(rvd_disable_ats(t.iommu, did2), 0);
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_inval_msi_pte(s2, gpa), 0);
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_true(is_fence(t.h->cmds[n0 + 1]));

	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), did2), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), did3), 0);
	assert_int_equal(rvd_domain_free(s2), 0);
	stop(&t);
}

static void test_ats_queue_depth_respected(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	start(&t, 0, 0);
	/* RID and PASIDs 1, 2 on the same domain: three ATS.INVALs per sync */
	assert_int_equal(rvd_attach_dev_pasid(t.d, DID, 1), 0);
	assert_int_equal(rvd_attach_dev_pasid(t.d, DID, 2), 0);
	struct rvd_ats_cfg c = {.inval_queue_depth = 2};
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
	t.h->ats_answer = true;
	t.h->ats_delay_ns = 3000;
	t.h->ats_max_pending = 0;
	assert_int_equal(rvd_map_pages(t.d, IOVA, BUF, 4096, 2, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA, 4096, 1, &g), 4096);
	unsigned n0 = t.h->n_cmds, m0 = t.h->n_ats_msgs;
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	/* IOTINVAL, INVAL, INVAL, fence (depth reached), INVAL, fence */
	assert_int_equal(t.h->n_cmds - n0, 6);
	assert_true(is_ats_inval(t.h->cmds[n0 + 2]));
	assert_true(is_fence(t.h->cmds[n0 + 3]));
	assert_true(is_ats_inval(t.h->cmds[n0 + 4]));
	assert_int_equal(t.h->ats_max_pending, 2);
	/* PASID ones carry PV=1 and the PASID */
	unsigned pv = 0;
	for (unsigned i = m0; i < t.h->n_ats_msgs; i++)
		if (t.h->ats_msgs[i].pv) {
			assert_true(t.h->ats_msgs[i].pid == 1 || t.h->ats_msgs[i].pid == 2);
			pv++;
		}
	assert_int_equal(pv, 2);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 1), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 2), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA + 0x1000, 4096, 1, &g), 4096);
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	stop(&t);
}

/* A device that never answers: the sync times out (the model's ATS
 * timeout, cmd_to), and the queue keeps working afterwards. */
static void test_ats_device_never_answers(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	start(&t, 0, 0);
	struct rvd_ats_cfg c = {0};
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
	t.h->ats_answer = false;
	assert_int_equal(rvd_map_pages(t.d, IOVA, BUF, 4096, 2, RVD_PROT_READ, &mapped), 0);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA, 4096, 1, &g), 4096);
	assert_int_equal(rvd_iotlb_sync(t.d, &g), -ETIMEDOUT);
	assert_non_null(strstr(t.h->last_log, "timed out"));
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, NULL), RVI_CAUSE_RD_PAGE);
	/* the device recovers: the next sync completes */
	t.h->ats_answer = true;
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA + 0x1000, 4096, 1, &g), 4096);
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	stop(&t);
}

/* ---- page requests ---- */

static void send_pr(struct t *t, bool pv, uint32_t pid, uint64_t addr, unsigned prg, bool last)
{
	struct rvm_page_request pr = {.device_id = DID, .pid_valid = pv, .process_id = pid};
	pr.payload = addr | ((uint64_t)prg << 3) | (last ? RVI_PRQ_L : 0) | RVI_PRQ_R;
	rvm_page_request(t->h->m, &pr);
}

static void test_page_request_to_prgr(void **state)
{
	struct t t;
	(void)state;
	for (int prpr = 1; prpr >= 0; prpr--) {
		start(&t, 0, 0);
		struct rvd_ats_cfg c = {.pri = true, .prpr = prpr};
		assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
		prq_code = RVI_PRGR_INVALID_REQUEST;
		unsigned m0 = t.h->n_ats_msgs;
		send_pr(&t, true, 5, 0x7000, 0x12, false);
		send_pr(&t, true, 5, 0x8000, 0x12, true);
		assert_int_equal(rvd_handle_irq(t.iommu), 2);
		assert_int_equal(n_prs, 2);
		assert_int_equal(prs[0].addr, 0x7000);
		assert_false(prs[0].last);
		assert_int_equal(prs[1].prg_index, 0x12);
		assert_true(prs[1].pv && prs[1].pid == 5 && prs[1].r && prs[1].last);
		/* one response, for the group's last request */
		assert_int_equal(t.h->n_ats_msgs - m0, 1);
		const struct rvm_ats_msg *r = &t.h->ats_msgs[m0];
		assert_int_equal(r->type, RVM_ATS_MSG_PRGR);
		assert_int_equal(r->rid, DID);
		assert_int_equal(r->payload, (UINT64_C(0x12) << 32) | (UINT64_C(1) << 44));
		/* the PASID only when the device requires it (PRPR) */
		assert_int_equal(r->pv, prpr);
		assert_int_equal(r->pid, prpr ? 5 : 0);
		stop(&t);
	}
}

static void test_pq_overflow_ignores_incomplete_groups(void **state)
{
	struct t t;
	(void)state;
	start(&t, 0, 2); /* 4 entries: 3 usable */
	struct rvd_ats_cfg c = {.pri = true};
	assert_int_equal(rvd_enable_ats(t.iommu, DID, &c), 0);
	unsigned m0 = t.h->n_ats_msgs;
	send_pr(&t, false, 0, 0x1000, 1, false); /* group 1: complete */
	send_pr(&t, false, 0, 0x2000, 1, true);
	send_pr(&t, false, 0, 0x3000, 2, false); /* group 2: its last is dropped */
	send_pr(&t, false, 0, 0x4000, 2, true);  /* full: pqof, IOMMU says Success */
	assert_true(rvm_mmio_read(t.h->m, RVI_REG_PQCSR, 4, &(uint64_t){0}) == 0);
	assert_int_equal(t.h->n_ats_msgs - m0, 1); /* the IOMMU's own PRGR */
	assert_int_equal(t.h->ats_msgs[m0].payload, UINT64_C(2) << 32);
	assert_int_equal(rvd_handle_irq(t.iommu), 2); /* group 1 only */
	assert_int_equal(n_prs, 2);
	assert_int_equal(prs[0].prg_index, 1);
	assert_int_equal(prs[1].prg_index, 1);
	assert_int_equal(t.h->n_ats_msgs - m0, 2); /* group 1 answered */
	assert_int_equal(t.h->ats_msgs[m0 + 1].payload, UINT64_C(1) << 32);
	uint64_t csr = 0;
	assert_int_equal(rvm_mmio_read(t.h->m, RVI_REG_PQCSR, 4, &csr), 0);
	assert_int_equal(csr & RVI_PQCSR_PQOF, 0); /* cleared: recording resumes */
	send_pr(&t, false, 0, 0x5000, 3, true);
	assert_int_equal(rvd_handle_irq(t.iommu), 1);
	stop(&t);
}

/* ---- command errors ---- */

static unsigned corrupt_armed;
static void corrupt_first_iotinval(struct dh *h, void *arg)
{
	(void)arg;
	if (!corrupt_armed)
		return;
	uint64_t cqb = 0;
	assert_int_equal(rvm_mmio_read(h->m, RVI_REG_CQB, 8, &cqb), 0);
	uint64_t base = RVI_FIELD_GET(RVI_QB_PPN, cqb) << 12;
	uint32_t mask = rvi_queue_entries(cqb) - 1;
	for (uint32_t k = 1; k <= 4; k++) {
		uint64_t *c = dh_va(h, base + ((h->prev_cqt - k) & mask) * RVI_CQ_ENTRY_SIZE);
		if (dh_cmd_op(c) == RVI_CMD_IOTINVAL) {
			c[0] &= ~RVI_CMD_OPCODE; /* opcode 0: reserved -> cmd_ill */
			corrupt_armed = 0;
			return;
		}
	}
}

static void test_cmd_ill_injected_in_sync(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	start(&t, 0, 0);
	uint64_t live0 = t.h->live_pages;
	assert_int_equal(rvd_map_pages(t.d, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	uint64_t pa = 0;
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, &pa), 0); /* now cached */
	t.h->on_cqt = corrupt_first_iotinval;
	corrupt_armed = 1;
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA, 4096, 1, &g), 4096);
	assert_true(g.nfree > 0);
	assert_int_equal(rvd_iotlb_sync(t.d, &g), -EIO);
	assert_int_equal(corrupt_armed, 0);
	assert_non_null(strstr(t.h->last_log, "illegal command"));
	/* recovered: the translation is gone, the tables went back */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, NULL), RVI_CAUSE_RD_PAGE);
	assert_int_equal(t.h->live_pages, live0);
	uint64_t csr = 0;
	assert_int_equal(rvm_mmio_read(t.h->m, RVI_REG_CQCSR, 4, &csr), 0);
	assert_int_equal(csr & RVI_CQCSR_ERRORS, 0);
	assert_int_equal(rvd_flush_iotlb_all(t.d), 0);
	stop(&t);
}

/* ---- dirty tracking ---- */

static void test_dirty_tracking_e2e(void **state)
{
	struct t t;
	size_t mapped;
	uint64_t bm[1];
	(void)state;
	start(&t, 0, 0);
	assert_int_equal(rvd_domain_set_dirty_tracking(t.d, true), 0);
	assert_true(dc_tc(&t) & RVI_DC_TC_SADE);
	assert_int_equal(
	    rvd_map_pages(t.d, IOVA, BUF, 4096, 4, RVD_PROT_READ | RVD_PROT_WRITE, &mapped), 0);
	bm[0] = 0;
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4 * 4096, bm, 0), 0);
	assert_int_equal(bm[0], 0); /* written without D */
	/* reads do not dirty; writes to pages 1 and 3 do */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, NULL), 0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_WRITE, IOVA + 0x1000, NULL), 0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_WRITE, IOVA + 0x3000, NULL), 0);
	bm[0] = 0;
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4 * 4096, bm, RVD_DIRTY_NO_CLEAR), 0);
	assert_int_equal(bm[0], 0xa);
	bm[0] = 0;
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4 * 4096, bm, 0), 0);
	assert_int_equal(bm[0], 0xa); /* NO_CLEAR left them */
	bm[0] = 0;
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4 * 4096, bm, 0), 0);
	assert_int_equal(bm[0], 0);
	/* the IOMMU had page 1 cached with D=1: only the invalidation after
	 * the clear makes it walk again and set D */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_WRITE, IOVA + 0x1000, NULL), 0);
	bm[0] = 0;
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4 * 4096, bm, 0), 0);
	assert_int_equal(bm[0], 0x2);
	/* off: SADE cleared, writes still work (D set back in every leaf) */
	assert_int_equal(rvd_domain_set_dirty_tracking(t.d, false), 0);
	assert_int_equal(dc_tc(&t) & RVI_DC_TC_SADE, 0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_WRITE, IOVA + 0x2000, NULL), 0);
	assert_int_equal(rvd_read_and_clear_dirty(t.d, IOVA, 4096, bm, 0), -EINVAL);
	struct rvd_gather g;
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.d, IOVA, 4096, 4, &g), 4 * 4096);
	assert_int_equal(rvd_iotlb_sync(t.d, &g), 0);
	stop(&t);
	start(&t, RVI_CAP_AMO_HWAD, 0);
	assert_int_equal(rvd_domain_set_dirty_tracking(t.d, true), -EOPNOTSUPP);
	stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enable_disable_sequence),
	    cmocka_unit_test(test_unmap_sends_ats_inval_after_iotinval),
	    cmocka_unit_test(test_msi_pte_change_invalidates_device_atc),
	    cmocka_unit_test(test_ats_queue_depth_respected),
	    cmocka_unit_test(test_ats_device_never_answers),
	    cmocka_unit_test(test_page_request_to_prgr),
	    cmocka_unit_test(test_pq_overflow_ignores_incomplete_groups),
	    cmocka_unit_test(test_cmd_ill_injected_in_sync),
	    cmocka_unit_test(test_dirty_tracking_e2e),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
