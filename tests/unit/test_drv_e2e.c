/* SPDX-License-Identifier: MIT
 *
 * test_drv_e2e.c - the driver core against the hardware model.
 *
 * The driver runs on the test host (tests/util/drv_host.c): its pages come
 * from a pool the model sees at DH_POOL_BASE, and device DMA is
 * rvm_translate() followed by an access to simulated memory.  Expected
 * causes come from the spec's fault table (§4.2): 13 read page fault
 * (first stage), 21 read guest-page fault (G-stage), 258 DDT entry not
 * valid.
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
#define BUF UINT64_C(0x20000000) /* device buffer, outside the pool */

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
	struct rvd_config cfg;
};

static void start_cfg(struct t *t, const struct rvm_config *mc, const struct rvd_config *dc)
{
	struct rvm_config def;
	int err = 0;
	if (!mc) {
		rvm_config_default(&def);
		mc = &def;
	}
	t->h = dh_create(2048, mc);
	if (dc)
		t->cfg = *dc;
	else
		dh_default_config(&t->cfg);
	t->iommu = rvd_probe(&t->h->ops, t->h, &t->cfg, &err);
	if (!t->iommu)
		fail_msg("rvd_probe: %d (%s)", err, t->h->last_log);
}

static void start(struct t *t)
{
	start_cfg(t, NULL, NULL);
}

static void stop(struct t *t)
{
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0); /* everything went back */
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static uint64_t reg(struct t *t, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	assert_int_equal(rvm_mmio_read(t->h->m, off, size, &v), 0);
	return v;
}

/* ---- probe ---- */

static void test_probe_programs_registers(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	uint64_t caps = rvd_capabilities(t.iommu);
	/* MSI_FLAT in the default config: extended DCs, 16-bit IDs need 3
	 * levels (1LVL covers 6 bits, 2LVL 15, 3LVL 24, §3.1.1). */
	assert_true(caps & RVI_CAP_MSI_FLAT);
	uint64_t ddtp = reg(&t, RVI_REG_DDTP, 8);
	assert_int_equal(RVI_FIELD_GET(RVI_DDTP_MODE, ddtp), RVI_DDTP_MODE_3LVL);
	assert_true(dh_in_pool(t.h, RVI_FIELD_GET(RVI_DDTP_PPN, ddtp) << 12));
	/* queues on, with the sizes asked for (2^8 CQ, 2^7 FQ) */
	assert_true(reg(&t, RVI_REG_CQCSR, 4) & RVI_CQCSR_CQON);
	assert_true(reg(&t, RVI_REG_FQCSR, 4) & RVI_FQCSR_FQON);
	assert_int_equal(RVI_FIELD_GET(RVI_QB_LOG2SZ_1, reg(&t, RVI_REG_CQB, 8)), 7);
	assert_int_equal(RVI_FIELD_GET(RVI_QB_LOG2SZ_1, reg(&t, RVI_REG_FQB, 8)), 6);
	if (caps & RVI_CAP_ATS)
		assert_true(reg(&t, RVI_REG_PQCSR, 4) & RVI_PQCSR_PQON);
	/* little-endian host: BE clear; MSI mode: WSI clear */
	assert_int_equal(reg(&t, RVI_REG_FCTL, 4) & (RVI_FCTL_BE | RVI_FCTL_WSI), 0);
	assert_int_equal(reg(&t, RVI_REG_MSI_ADDR(0), 8), 0x28000000);
	assert_int_equal(reg(&t, RVI_REG_MSI_DATA(0), 4), 1);
	/* the probe ended with an invalidate-all and a fence */
	assert_true(t.h->n_fences >= 1);
	unsigned last = t.h->n_cmds - 1;
	assert_int_equal(dh_cmd_op(t.h->cmds[last]), RVI_CMD_IOFENCE);
	stop(&t);
}

static void test_probe_ddt_depth_from_id_width(void **state)
{
	struct t t;
	struct rvm_config mc;
	struct rvd_config dc;
	(void)state;
	rvm_config_default(&mc);
	dh_default_config(&dc);
	dc.device_id_bits = 6; /* one level of extended DCs holds 64 */
	start_cfg(&t, &mc, &dc);
	assert_int_equal(RVI_FIELD_GET(RVI_DDTP_MODE, reg(&t, RVI_REG_DDTP, 8)),
	                 RVI_DDTP_MODE_1LVL);
	/* a device ID wider than the DDT is refused */
	assert_int_equal(rvd_attach_dev(rvd_identity_domain(t.iommu), 64), -EINVAL);
	stop(&t);
	/* 1LVL not implemented: the next deeper mode */
	mc.ddt_modes = (1u << RVI_DDTP_MODE_2LVL) | (1u << RVI_DDTP_MODE_3LVL);
	start_cfg(&t, &mc, &dc);
	assert_int_equal(RVI_FIELD_GET(RVI_DDTP_MODE, reg(&t, RVI_REG_DDTP, 8)),
	                 RVI_DDTP_MODE_2LVL);
	stop(&t);
}

static void test_probe_rejects_wsi_without_support(void **state)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	(void)state;
	rvm_config_default(&mc);
	mc.capabilities = RVI_FIELD_SET(RVI_CAP_IGS, mc.capabilities, RVI_IGS_MSI);
	struct dh *h = dh_create(256, &mc);
	dh_default_config(&dc);
	dc.use_wsi = true;
	assert_null(rvd_probe(&h->ops, h, &dc, &err));
	assert_int_equal(err, -ENODEV);
	assert_int_equal(h->live_pages, 0);
	dh_destroy(h);
}

/* ---- domains end to end ---- */

static void dma_ok(struct t *t, uint64_t iova, uint64_t want_pa)
{
	uint64_t pa = 0;
	int cause = dh_dma(t->h, DID, RVM_ACC_READ, iova, &pa);
	assert_int_equal(cause, 0);
	assert_int_equal(pa, want_pa);
}

static void paging_roundtrip(enum rvd_stage_policy stage, unsigned want_cause)
{
	struct t t;
	int err = 0;
	size_t mapped = 0;
	struct rvd_gather g;
	start(&t);
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t.iommu, stage, &err);
	assert_non_null(d);
	assert_int_equal(rvd_attach_dev(d, DID), 0);
	assert_int_equal(
	    rvd_map_pages(d, IOVA, BUF, 4096, 4, RVD_PROT_READ | RVD_PROT_WRITE, &mapped), 0);
	assert_int_equal(mapped, 4 * 4096);
	dma_ok(&t, IOVA + 0x1010, BUF + 0x1010);
	dma_ok(&t, IOVA + 0x1010, BUF + 0x1010); /* now cached */
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(d, IOVA, 4096, 4, &g), 4 * 4096);
	/* Before the sync the model's IOTLB still holds the translation (a
	 * caching IOMMU may use it until IOTINVAL), so the check below is
	 * what proves the sync's invalidation. */
	if (t.h->cfg.iotlb_entries)
		dma_ok(&t, IOVA + 0x1010, BUF + 0x1010);
	assert_int_equal(rvd_iotlb_sync(d, &g), 0);
	/* no stale IOTLB entry survives the sync */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA + 0x1010, NULL), (int)want_cause);
	t.h->n_faults = 0;
	assert_true(rvd_handle_irq(t.iommu) >= 1);
	assert_true(t.h->n_faults >= 1);
	const struct rvd_fault *f = &t.h->faults[t.h->n_faults - 1];
	assert_int_equal(f->cause, want_cause);
	assert_int_equal(f->device_id, DID);
	assert_int_equal(f->ttyp, RVI_TTYP_UNTRANSLATED_READ);
	assert_int_equal(f->iotval & ~UINT64_C(0xfff), IOVA + 0x1000);
	assert_int_equal(rvd_domain_free(d), -EBUSY);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(d), 0);
	stop(&t);
}

/* Fault logging is rate limited (fq.c invariant 4): a burst of 20 faults
 * reaches the fault callback 20 times but the log 8 times (the burst
 * allowance per 1 s window); once the virtual clock moves past the window
 * the next fault is logged again. */
static void test_fault_log_rate_limited(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	/* A device with no DC: every DMA is cause 258, recorded. */
	for (int i = 0; i < 20; i++)
		assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA + 0x1000 * (uint64_t)i, NULL),
		                 RVI_CAUSE_DDT_INVALID);
	unsigned logs0 = t.h->n_logs;
	t.h->n_faults = 0;
	assert_int_equal(rvd_handle_irq(t.iommu), 20);
	assert_int_equal(t.h->n_faults, 20);
	assert_int_equal(t.h->n_logs - logs0, 8);
	t.h->clock_ns += UINT64_C(1000000000);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, NULL), RVI_CAUSE_DDT_INVALID);
	logs0 = t.h->n_logs;
	assert_int_equal(rvd_handle_irq(t.iommu), 1);
	assert_int_equal(t.h->n_faults, 21);
	assert_int_equal(t.h->n_logs - logs0, 1);
	stop(&t);
}

static void test_first_stage_roundtrip(void **state)
{
	(void)state;
	paging_roundtrip(RVD_STAGE_FIRST, RVI_CAUSE_RD_PAGE);
}

static void test_second_stage_roundtrip(void **state)
{
	(void)state;
	paging_roundtrip(RVD_STAGE_SECOND, RVI_CAUSE_RD_GUEST_PAGE);
}

static void test_default_stage_is_second(void **state)
{
	struct t t;
	int err;
	(void)state;
	start(&t);
	struct rvd_domain *d = rvd_domain_alloc_paging(t.iommu, &err);
	assert_non_null(d);
	assert_int_equal(rvd_domain_stage(d), 2);
	assert_int_equal(rvd_domain_free(d), 0);
	stop(&t);
}

static void test_identity_and_blocked(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, BUF, NULL), RVI_CAUSE_DDT_INVALID);
	assert_int_equal(rvd_attach_dev(rvd_identity_domain(t.iommu), DID), 0);
	dma_ok(&t, BUF + 8, BUF + 8);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, BUF, NULL), RVI_CAUSE_DDT_INVALID);
	stop(&t);
}

/* ---- the DC update sequence ---- */

static bool is(const uint64_t c[2], unsigned op, unsigned f3)
{
	return dh_cmd_op(c) == op && dh_cmd_func3(c) == f3;
}

static void test_dc_update_order_first_stage(void **state)
{
	struct t t;
	int err;
	size_t mapped;
	(void)state;
	start(&t);
	struct rvd_domain *a = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	struct rvd_domain *b = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(rvd_map_pages(a, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rvd_map_pages(b, IOVA, BUF + 0x5000, 4096, 1, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	dma_ok(&t, IOVA, BUF);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_attach_dev(b, DID), 0);
	dma_ok(&t, IOVA, BUF + 0x5000);
	const uint64_t(*c)[2] = &t.h->cmds[n0];
	/* §9.2: IODIR.INVAL_DDT DV=1 DID, then IOTINVAL.VMA GV=0 PSCV=1 with the
	 * OLD PSCID, IOFENCE.C; the new DC; IODIR again and a fence. */
	assert_int_equal(t.h->n_cmds - n0, 5);
	assert_true(is(c[0], RVI_CMD_IODIR, RVI_IODIR_INVAL_DDT));
	assert_int_equal(c[0][0], UINT64_C(3) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40));
	assert_true(is(c[1], RVI_CMD_IOTINVAL, RVI_IOTINVAL_VMA));
	assert_int_equal(c[1][0], UINT64_C(1) | ((uint64_t)a->pscid << 12) | (UINT64_C(1) << 32));
	assert_true(is(c[2], RVI_CMD_IOFENCE, RVI_IOFENCE_C));
	assert_true(is(c[3], RVI_CMD_IODIR, RVI_IODIR_INVAL_DDT));
	assert_true(is(c[4], RVI_CMD_IOFENCE, RVI_IOFENCE_C));
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

static void test_dc_update_order_second_stage(void **state)
{
	struct t t;
	int err;
	(void)state;
	start(&t);
	struct rvd_domain *a = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(a);
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_attach_dev(rvd_identity_domain(t.iommu), DID), 0);
	const uint64_t(*c)[2] = &t.h->cmds[n0];
	/* old iohgatp != Bare: IOTINVAL.VMA GV=1 GSCID and IOTINVAL.GVMA GV=1
	 * GSCID, then the fence.  Only iohgatp changes (identity: Bare, the
	 * other words stay 0), so the DC is updated in place (hitless): one
	 * publication, no second IODIR. */
	assert_int_equal(t.h->n_cmds - n0, 4);
	assert_true(is(c[0], RVI_CMD_IODIR, RVI_IODIR_INVAL_DDT));
	uint64_t gv = (UINT64_C(1) << 33) | ((uint64_t)a->gscid << 44);
	assert_int_equal(c[1][0], UINT64_C(1) | gv);
	assert_int_equal(c[2][0], UINT64_C(1) | (UINT64_C(1) << 7) | gv);
	assert_true(is(c[3], RVI_CMD_IOFENCE, RVI_IOFENCE_C));
	assert_int_equal(rvd_domain_free(a), 0);
	stop(&t);
}

/* ---- invalidation choices and page freeing ---- */

static struct rvd_domain *s1_domain(struct t *t, uint64_t caps_clear, uint32_t threshold)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err;
	rvm_config_default(&mc);
	mc.capabilities &= ~caps_clear;
	dh_default_config(&dc);
	dc.inval_threshold = threshold;
	start_cfg(t, &mc, &dc);
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t->iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(d);
	assert_int_equal(rvd_attach_dev(d, DID), 0);
	return d;
}

static void unmap_sync(struct rvd_domain *d, uint64_t iova, uint64_t n)
{
	struct rvd_gather g;
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(d, iova, 4096, n, &g), n * 4096);
	assert_int_equal(rvd_iotlb_sync(d, &g), 0);
}

static void finish(struct t *t, struct rvd_domain *d)
{
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	assert_int_equal(rvd_domain_free(d), 0);
	stop(t);
}

static void test_sync_per_page_then_wide(void **state)
{
	struct t t;
	size_t mapped;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, RVI_CAP_S | RVI_CAP_NL, 4);
	/* keep a neighbour so no table is freed */
	assert_int_equal(rvd_map_pages(d, IOVA, BUF + 0x1000, 4096, 16, RVD_PROT_READ, &mapped), 0);
	unsigned n0 = t.h->n_cmds;
	unmap_sync(d, IOVA, 3); /* 3 <= threshold: 3 precise commands + fence */
	assert_int_equal(t.h->n_cmds - n0, 4);
	for (unsigned i = 0; i < 3; i++) {
		const uint64_t *c = t.h->cmds[n0 + i];
		assert_int_equal(c[0], UINT64_C(1) | (UINT64_C(1) << 10) |
		                           ((uint64_t)d->pscid << 12) | (UINT64_C(1) << 32));
		assert_int_equal(c[1], ((IOVA >> 12) + i) << 10);
	}
	/* the sync's fence asks for PR and PW (memory reclaim) */
	assert_int_equal(t.h->cmds[n0 + 3][0], 0x3002);
	n0 = t.h->n_cmds;
	unmap_sync(d, IOVA + 0x3000, 5); /* 5 > 4: one PSCID-wide command */
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_int_equal(t.h->cmds[n0][0],
	                 UINT64_C(1) | ((uint64_t)d->pscid << 12) | (UINT64_C(1) << 32));
	finish(&t, d);
}

static void test_sync_arinv_ranges(void **state)
{
	struct t t;
	size_t mapped;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, RVI_CAP_NL, 4);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF + 0x1000, 4096, 16, RVD_PROT_READ, &mapped), 0);
	unsigned n0 = t.h->n_cmds;
	/* pages 0x11..0x17 (7 pages): blocks 0x11 (1), 0x12-0x13 (2),
	 * 0x14-0x17 (4) */
	unmap_sync(d, IOVA + 0x1000, 7);
	assert_int_equal(t.h->n_cmds - n0, 4);
	assert_int_equal(t.h->cmds[n0][1], UINT64_C(0x11) << 10); /* S=0 */
	assert_int_equal(t.h->cmds[n0 + 1][1], (UINT64_C(0x12) << 10) | (UINT64_C(1) << 9));
	assert_int_equal(t.h->cmds[n0 + 2][1], (UINT64_C(0x15) << 10) | (UINT64_C(1) << 9));
	finish(&t, d);
}

static void test_sync_tables_freed_nl_or_wide(void **state)
{
	struct t t;
	size_t mapped;
	(void)state;
	/* with NL: precise commands carry NL=1 */
	struct rvd_domain *d = s1_domain(&t, RVI_CAP_S, 4);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	unsigned n0 = t.h->n_cmds;
	unmap_sync(d, IOVA, 1);
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_true(t.h->cmds[n0][0] & (UINT64_C(1) << 34));
	assert_true(t.h->cmds[n0][0] & (UINT64_C(1) << 10));
	finish(&t, d);
	/* without NL: a PSCID-wide flush */
	d = s1_domain(&t, RVI_CAP_S | RVI_CAP_NL, 4);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	n0 = t.h->n_cmds;
	unmap_sync(d, IOVA, 1);
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_int_equal(t.h->cmds[n0][0],
	                 UINT64_C(1) | ((uint64_t)d->pscid << 12) | (UINT64_C(1) << 32));
	finish(&t, d);
}

static void test_tables_freed_only_after_fence(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, 0, 64);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	dma_ok(&t, IOVA, BUF);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(d, IOVA, 4096, 1, &g), 4096);
	unsigned frees0 = t.h->n_free_log, fences0 = t.h->n_fences;
	assert_true(g.nfree >= 1);
	unsigned nfree = g.nfree;
	assert_int_equal(t.h->n_free_log, frees0); /* nothing freed by unmap */
	assert_int_equal(rvd_iotlb_sync(d, &g), 0);
	assert_int_equal(t.h->n_free_log - frees0, nfree);
	for (unsigned i = frees0; i < t.h->n_free_log; i++)
		assert_true(t.h->frees[i].fences_before > fences0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, IOVA, NULL), RVI_CAUSE_RD_PAGE);
	finish(&t, d);
}

/* One unmap that empties more tables than any fixed gather could hold
 * (65 leaf tables plus the level-1, -2 and -3 tables above them in Sv57),
 * freed only after the sync's fence; then superpages map over the range
 * (they would be -EEXIST if any emptied table had stayed linked). */
static void test_unmap_frees_unbounded_tables(void **state)
{
	struct t t;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, 0, 64);
	const uint64_t base = UINT64_C(0x40000000), len = UINT64_C(130) << 20;
	uint64_t live0 = t.h->live_pages;
	/* pa 4 KiB off any 64 KiB alignment: only 4 KiB leaves form */
	assert_int_equal(
	    rvd_map_pages(d, base, BUF + 0x1000, 4096, len / 4096, RVD_PROT_READ, &mapped), 0);
	/* 65 leaf tables (1 page) + L1, L2, L3 tables (2 pages each) */
	assert_int_equal(t.h->live_pages - live0, 65 + 3 * 2);
	dma_ok(&t, base + len - 4096, BUF + 0x1000 + len - 4096);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(d, base, 4096, len / 4096, &g), len);
	assert_int_equal(g.nfree, 65 + 3);
	unsigned frees0 = t.h->n_free_log, fences0 = t.h->n_fences;
	assert_int_equal(rvd_iotlb_sync(d, &g), 0);
	assert_int_equal(t.h->n_free_log - frees0, 65 + 3);
	for (unsigned i = frees0; i < t.h->n_free_log; i++)
		assert_true(t.h->frees[i].fences_before > fences0);
	assert_int_equal(t.h->live_pages, live0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, base + len - 4096, NULL),
	                 RVI_CAUSE_RD_PAGE);
	/* the last 2 MiB block (its leaf table was the 65th) takes a 2 MiB leaf */
	uint64_t m2 = base + len - 0x200000;
	assert_int_equal(rvd_map_pages(d, m2, BUF, 0x200000, 1, RVD_PROT_READ, &mapped), 0);
	dma_ok(&t, m2 + 0x1234, BUF + 0x1234);
	unmap_sync(d, m2, 512);
	/* and the whole GiB a 1 GiB leaf */
	assert_int_equal(rvd_map_pages(d, base, 0, 0x40000000, 1, RVD_PROT_READ, &mapped), 0);
	dma_ok(&t, base + 0x20000000 + 8, 0x20000000 + 8);
	unmap_sync(d, base, 0x40000);
	finish(&t, d);
}

static void test_replace_is_visible_after_return(void **state)
{
	struct t t;
	size_t mapped;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, 0, 64);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	dma_ok(&t, IOVA, BUF); /* cached */
	assert_int_equal(rvd_replace_page(d, IOVA, BUF + 0x9000, RVD_PROT_READ), 0);
	dma_ok(&t, IOVA, BUF + 0x9000);
	assert_int_equal(rvd_iova_to_phys(d, IOVA + 4), BUF + 0x9004);
	assert_int_equal(rvd_replace_page(d, IOVA + 0x1000, BUF, RVD_PROT_READ), -ENOENT);
	finish(&t, d);
}

static void test_map_eexist_through_domain(void **state)
{
	struct t t;
	size_t mapped;
	(void)state;
	struct rvd_domain *d = s1_domain(&t, 0, 64);
	assert_int_equal(rvd_map_pages(d, IOVA + 0x2000, BUF, 4096, 1, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 4096, 4, RVD_PROT_READ, &mapped), -EEXIST);
	assert_int_equal(mapped, 0x2000);
	assert_int_equal(rvd_map_pages(d, IOVA, BUF, 8192, 1, RVD_PROT_READ, &mapped), -EINVAL);
	finish(&t, d);
}

/* ---- command-queue errors ---- */

static void test_cmd_ill_is_skipped(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	const uint64_t bad[1][2] = {{0, 0}}; /* opcode 0 is reserved */
	t.h->ops.lock(t.h);
	assert_int_equal(rvd_cq_push_raw(t.iommu, bad, 1), 0);
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), -EIO);
	assert_int_equal(reg(&t, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	assert_true(reg(&t, RVI_REG_CQCSR, 4) & RVI_CQCSR_CQON);
	/* the queue keeps working */
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), 0);
	t.h->ops.unlock(t.h);
	assert_non_null(strstr(t.h->last_log, "illegal command"));
	stop(&t);
}

static void test_cqmf_restarts_queue(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	/* IOFENCE.C AV=1 writing to memory that faults sets cqmf (§4.1.2) */
	assert_int_equal(rv_physmem_mark(t.h->mem, 0x70000000, 4096, RVM_MEM_ACCESS_FAULT), 0);
	struct rvd_cmd c = {.op = RVD_CMD_IOFENCE_C};
	uint64_t raw[1][2];
	c.fence.av = true;
	c.fence.addr = 0x70000000;
	assert_int_equal(rvd_cmd_build(rvd_capabilities(t.iommu), 0, &c, raw[0]), 0);
	t.h->ops.lock(t.h);
	assert_int_equal(rvd_cq_push_raw(t.iommu, (const uint64_t(*)[2])raw, 1), 0);
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), -EIO);
	assert_int_equal(reg(&t, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), 0);
	t.h->ops.unlock(t.h);
	stop(&t);
}

static void test_resv_regions(void **state)
{
	struct t t;
	struct rvd_resv_region r[2];
	struct rvd_config dc;
	(void)state;
	dh_default_config(&dc);
	dc.stage = RVD_STAGE_FIRST;
	start_cfg(&t, NULL, &dc);
	assert_int_equal(rvd_get_resv_regions(t.iommu, DID, r, 2), 1);
	assert_int_equal(r[0].type, RVD_RESV_SW_MSI);
	stop(&t);
}

static void test_cmd_to_reported_and_cleared(void **state)
{
	struct t t;
	(void)state;
	start(&t);
	assert_true(rvd_capabilities(t.iommu) & RVI_CAP_ATS);
	/* An ATS.INVAL no device answers: the model's timeout expires while
	 * the driver polls (delay_ns advances the model's clock), and the
	 * IOFENCE.C after it reports cmd_to (§4.1.2). */
	struct rvd_cmd c = {.op = RVD_CMD_ATS_INVAL};
	uint64_t raw[1][2];
	c.ats.rid = 0x42;
	assert_int_equal(rvd_cmd_build(rvd_capabilities(t.iommu), 0, &c, raw[0]), 0);
	t.h->ops.lock(t.h);
	assert_int_equal(rvd_cq_push_raw(t.iommu, (const uint64_t(*)[2])raw, 1), 0);
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), -ETIMEDOUT);
	assert_int_equal(reg(&t, RVI_REG_CQCSR, 4) & RVI_CQCSR_ERRORS, 0);
	assert_int_equal(rvd_cq_sync(t.iommu, false, false), 0);
	t.h->ops.unlock(t.h);
	assert_non_null(strstr(t.h->last_log, "timed out"));
	stop(&t);
}

static void test_superpages_end_to_end(void **state)
{
	struct t t;
	int err;
	size_t mapped;
	struct rvd_gather g;
	(void)state;
	start(&t);
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(d);
	assert_int_equal(rvd_attach_dev(d, DID), 0);
	/* one 2 MiB and one 1 GiB leaf */
	assert_int_equal(rvd_map_pages(d, 0x200000, BUF, 0x200000, 1, RVD_PROT_READ, &mapped), 0);
	assert_int_equal(
	    rvd_map_pages(d, 0x40000000, 0x40000000, 0x40000000, 1, RVD_PROT_READ, &mapped), 0);
	dma_ok(&t, 0x200000 + 0x123456, BUF + 0x123456);
	dma_ok(&t, 0x40000000 + 0x3456789, 0x40000000 + 0x3456789);
	assert_int_equal(rvd_iova_to_phys(d, 0x3fffff), BUF + 0x1fffff);
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(d, 0x200000, 0x200000, 1, &g), 0x200000);
	assert_int_equal(rvd_iotlb_sync(d, &g), 0);
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, 0x200000 + 0x123456, NULL),
	                 RVI_CAUSE_RD_GUEST_PAGE);
	dma_ok(&t, 0x40000000 + 8, 0x40000000 + 8); /* the neighbour survives */
	finish(&t, d);
}

/* At every command publication during a DC switch, the DC is either
 * invalid or exactly the old or the new context (never torn), and it is
 * invalid whenever an IODIR for the old context is published. */
struct torn_check {
	uint64_t *dc;
	uint64_t old[8], new_[8];
	unsigned n, n_invalid;
};

static void check_dc(struct dh *h, void *arg)
{
	struct torn_check *tc = arg;
	(void)h;
	uint64_t now[8];
	memcpy(now, tc->dc, sizeof(now));
	tc->n++;
	if (!(now[0] & RVI_DC_TC_V)) {
		tc->n_invalid++;
		return;
	}
	assert_true(!memcmp(now, tc->old, sizeof(now)) || !memcmp(now, tc->new_, sizeof(now)));
	/* once the new context is live, the old one has been invalidated */
	if (!memcmp(now, tc->new_, sizeof(now)))
		assert_true(tc->n_invalid >= 1);
}

static void test_dc_never_torn(void **state)
{
	struct t t;
	int err;
	struct torn_check tc;
	(void)state;
	start(&t);
	struct rvd_domain *a = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	struct rvd_domain *b = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_SECOND, &err);
	memset(&tc, 0, sizeof(tc));
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	tc.dc = rvd_ddt_dc(t.iommu, DID, false, &err);
	assert_non_null(tc.dc);
	memcpy(tc.old, tc.dc, sizeof(tc.old));
	assert_int_equal(rvd_attach_dev(b, DID), 0);
	memcpy(tc.new_, tc.dc, sizeof(tc.new_));
	assert_true(memcmp(tc.old, tc.new_, sizeof(tc.old)) != 0);
	/* back to a, then switch to b again with the checker armed */
	assert_int_equal(rvd_attach_dev(a, DID), 0);
	t.h->on_cqt = check_dc;
	t.h->on_cqt_arg = &tc;
	assert_int_equal(rvd_attach_dev(b, DID), 0);
	t.h->on_cqt = NULL;
	/* two publications (old-context invalidation, new-context IODIR); the
	 * first saw V=0 */
	assert_int_equal(tc.n, 2);
	assert_int_equal(tc.n_invalid, 1);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(a), 0);
	assert_int_equal(rvd_domain_free(b), 0);
	stop(&t);
}

/* Every allocation failure during probe is reported as -ENOMEM and leaves
 * no page behind. */
static void test_probe_enomem_cleans_up(void **state)
{
	struct rvm_config mc;
	struct rvd_config dc;
	(void)state;
	rvm_config_default(&mc);
	dh_default_config(&dc);
	int ok = 0;
	for (int n = 0; n < 16 && !ok; n++) {
		struct dh *h = dh_create(256, &mc);
		int err = 0;
		h->fail_allocs_after = n;
		struct rvd_iommu *m = rvd_probe(&h->ops, h, &dc, &err);
		if (m) {
			ok = 1;
			rvd_remove(m);
		} else {
			assert_int_equal(err, -ENOMEM);
		}
		assert_int_equal(h->live_pages, 0);
		dh_destroy(h);
	}
	assert_true(ok); /* and probe needs fewer than 16 allocations */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe_programs_registers),
	    cmocka_unit_test(test_probe_ddt_depth_from_id_width),
	    cmocka_unit_test(test_probe_rejects_wsi_without_support),
	    cmocka_unit_test(test_first_stage_roundtrip),
	    cmocka_unit_test(test_second_stage_roundtrip),
	    cmocka_unit_test(test_fault_log_rate_limited),
	    cmocka_unit_test(test_default_stage_is_second),
	    cmocka_unit_test(test_identity_and_blocked),
	    cmocka_unit_test(test_dc_update_order_first_stage),
	    cmocka_unit_test(test_dc_update_order_second_stage),
	    cmocka_unit_test(test_sync_per_page_then_wide),
	    cmocka_unit_test(test_sync_arinv_ranges),
	    cmocka_unit_test(test_sync_tables_freed_nl_or_wide),
	    cmocka_unit_test(test_tables_freed_only_after_fence),
	    cmocka_unit_test(test_unmap_frees_unbounded_tables),
	    cmocka_unit_test(test_replace_is_visible_after_return),
	    cmocka_unit_test(test_map_eexist_through_domain),
	    cmocka_unit_test(test_cmd_ill_is_skipped),
	    cmocka_unit_test(test_cqmf_restarts_queue),
	    cmocka_unit_test(test_resv_regions),
	    cmocka_unit_test(test_cmd_to_reported_and_cleared),
	    cmocka_unit_test(test_superpages_end_to_end),
	    cmocka_unit_test(test_dc_never_torn),
	    cmocka_unit_test(test_probe_enomem_cleans_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
