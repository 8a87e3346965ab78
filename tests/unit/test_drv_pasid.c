/* SPDX-License-Identifier: MIT
 *
 * test_drv_pasid.c - PASID attach through the process directory, end to
 * end against the model.
 *
 * Hand-derived values: DC.tc V = bit 0, PDTV = bit 5, DPE = bit 9; pdtp
 * MODE (63:60) PD8 = 1, PD17 = 2, PD20 = 3.  PDI (§3.3): PDI[0] =
 * pid[7:0], PDI[1] = pid[16:8], PDI[2] = pid[19:17]; so in PD20, PASIDs 5
 * and 6 share one leaf page and 0x12345 (PDI[1] = 0x123) needs another.
 * IODIR.INVAL_PDT = 3 | func3 1 << 7 | PID << 12 | DV 1 << 33 | DID << 40.
 * Cause 266: PDT entry not valid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DID 0x30u
#define IOVA UINT64_C(0x10000)
#define BUF_A UINT64_C(0x20000000)
#define BUF_B UINT64_C(0x21000000)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
	struct rvd_domain *a, *b;
};

static struct rvd_domain *s1(struct t *t, uint64_t buf)
{
	int err;
	size_t mapped;
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t->iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(d);
	assert_int_equal(rvd_map_pages(d, IOVA, buf, 4096, 1, RVD_PROT_READ, &mapped), 0);
	return d;
}

static void start_bits(struct t *t, uint8_t pasid_bits, uint64_t caps_clear)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	rvm_config_default(&mc);
	mc.capabilities &= ~caps_clear;
	t->h = dh_create(1024, &mc);
	dh_default_config(&dc);
	dc.pasid_bits = pasid_bits;
	t->iommu = rvd_probe(&t->h->ops, t->h, &dc, &err);
	assert_non_null(t->iommu);
	t->a = s1(t, BUF_A);
	t->b = s1(t, BUF_B);
}

static void stop(struct t *t)
{
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	assert_int_equal(rvd_domain_free(t->a), 0);
	assert_int_equal(rvd_domain_free(t->b), 0);
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

/* A read by DID with (pv, pid); returns the cause. */
static int rd(struct t *t, bool pv, uint32_t pid, uint64_t *pa)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.device_id = DID;
	rq.pid_valid = pv;
	rq.process_id = pid;
	rq.iova = IOVA + 0x10;
	rq.len = 4;
	int c = rvm_translate(t->h->m, &rq, &rs);
	if (pa)
		*pa = rs.pa;
	return c;
}

static const uint64_t *dc_of(struct t *t)
{
	int err;
	const uint64_t *dc = rvd_ddt_dc(t->iommu, DID, false, &err);
	assert_non_null(dc);
	return dc;
}

static void test_pasid_and_rid_traffic(void **state)
{
	struct t t;
	uint64_t pa = 0;
	(void)state;
	start_bits(&t, 0, 0);
	assert_int_equal(rvd_attach_dev(t.a, DID), 0);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 5), 0);
	/* PD20 (default 20-bit PASIDs), PDTV and DPE for a first-stage RID */
	const uint64_t *dc = dc_of(&t);
	assert_int_equal(dc[RVI_DC_TC] & 0xfff, 1u | (1u << 5) | (1u << 9));
	assert_int_equal(dc[RVI_DC_FSC] >> 60, 3);
	assert_int_equal(rd(&t, false, 0, &pa), 0); /* RID -> PASID 0 -> a */
	assert_int_equal(pa, BUF_A + 0x10);
	assert_int_equal(rd(&t, true, 5, &pa), 0);
	assert_int_equal(pa, BUF_B + 0x10);
	assert_int_equal(rd(&t, true, 6, &pa), RVI_CAUSE_PDT_INVALID); /* not attached */
	/* a paging domain with PASIDs on it is busy */
	assert_int_equal(rvd_domain_free(t.b), -EBUSY);
	/* detach: that PASID faults, the RID traffic still works */
	assert_int_equal(rvd_attach_dev_pasid(t.a, DID, 7), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	assert_int_equal(rd(&t, true, 5, &pa), RVI_CAUSE_PDT_INVALID);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), -ENOENT);
	assert_int_equal(rd(&t, true, 7, &pa), 0);
	assert_int_equal(pa, BUF_A + 0x10);
	/* the last PASID gone: a plain first-stage DC again, so a request
	 * with a process_id is disallowed (260, step 7: PDTV=0) */
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 7), 0);
	assert_int_equal(rd(&t, true, 7, &pa), RVI_CAUSE_TTYPE_DISALLOWED);
	dc = dc_of(&t);
	assert_int_equal(dc[RVI_DC_TC] & (1u << 5), 0);
	assert_int_equal(rd(&t, false, 0, &pa), 0);
	assert_int_equal(pa, BUF_A + 0x10);
	stop(&t);
}

static void test_pdt_levels_allocated_lazily(void **state)
{
	struct t t;
	(void)state;
	start_bits(&t, 0, 0);
	/* allocate the device's DDT levels first */
	assert_int_equal(rvd_attach_dev(rvd_identity_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	uint64_t live = t.h->live_pages;
	/* blocked device: root + PDI[1] page + leaf page for PASID 0's path
	 * (PC[0] stays invalid), shared by PASID 5 */
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 5), 0);
	assert_int_equal(t.h->live_pages - live, 3);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 6), 0); /* same leaf */
	assert_int_equal(t.h->live_pages - live, 3);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 0x12345), 0); /* new leaf */
	assert_int_equal(t.h->live_pages - live, 4);
	uint64_t pa;
	assert_int_equal(rd(&t, true, 0x12345, &pa), 0);
	assert_int_equal(pa, BUF_B + 0x10);
	/* blocked RID: DPE=1 with PC 0 invalid */
	assert_int_equal(rd(&t, false, 0, &pa), RVI_CAUSE_PDT_INVALID);
	/* identity RID: DPE=0, untranslated */
	assert_int_equal(rvd_attach_dev(rvd_identity_domain(t.iommu), DID), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_TC] & (1u << 9), 0);
	assert_int_equal(rd(&t, false, 0, &pa), 0);
	assert_int_equal(pa, IOVA + 0x10);
	assert_int_equal(rd(&t, true, 6, &pa), 0);
	assert_int_equal(pa, BUF_B + 0x10);
	/* a second-stage RID domain can not share the device with PASIDs */
	int err;
	struct rvd_domain *s2 = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_SECOND, &err);
	assert_int_equal(rvd_attach_dev(s2, DID), -EBUSY);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 6), 0);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 0x12345), 0);
	/* the PDT went back; s2 holds its object page, 16 KiB root and the
	 * root's entry-count page */
	assert_int_equal(t.h->live_pages - live, 1 + 4 + 1);
	assert_int_equal(rvd_attach_dev(s2, DID), 0);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 5), -EBUSY);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(s2), 0);
	stop(&t);
}

static void test_pc_replace_command_order(void **state)
{
	struct t t;
	uint64_t pa;
	(void)state;
	start_bits(&t, 0, 0);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 5), 0);
	assert_int_equal(rd(&t, true, 5, &pa), 0); /* cached */
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_attach_dev_pasid(t.a, DID, 5), 0);
	assert_int_equal(rd(&t, true, 5, &pa), 0);
	assert_int_equal(pa, BUF_A + 0x10);
	/* §9.2 "Leaf PC": INVAL_PDT, IOTINVAL.VMA PSCV=1 old PSCID (GV=0),
	 * fence; then the new PC, INVAL_PDT, fence */
	const uint64_t(*c)[2] = &t.h->cmds[n0];
	uint64_t pdt = 3 | (1u << 7) | (5u << 12) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40);
	assert_int_equal(t.h->n_cmds - n0, 5);
	assert_int_equal(c[0][0], pdt);
	assert_int_equal(c[1][0], 1 | ((uint64_t)t.b->pscid << 12) | (UINT64_C(1) << 32));
	assert_int_equal(dh_cmd_op(c[2]), RVI_CMD_IOFENCE);
	assert_int_equal(c[3][0], pdt);
	assert_int_equal(dh_cmd_op(c[4]), RVI_CMD_IOFENCE);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 5), 0);
	stop(&t);
}

static void test_pd_mode_from_caps_and_width(void **state)
{
	struct t t;
	(void)state;
	start_bits(&t, 8, 0); /* 8 bits: PD8 */
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 255), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_FSC] >> 60, 1);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 256), -EINVAL);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 0), -EINVAL);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 255), 0);
	stop(&t);
	start_bits(&t, 0, RVI_CAP_PD20); /* 20 bits wanted, PD17 the widest */
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 0x1ffff), 0);
	assert_int_equal(dc_of(&t)[RVI_DC_FSC] >> 60, 2);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 0x20000), -EINVAL);
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, DID, 0x1ffff), 0);
	stop(&t);
	start_bits(&t, 0, RVI_CAP_PD8 | RVI_CAP_PD17 | RVI_CAP_PD20);
	assert_int_equal(rvd_attach_dev_pasid(t.b, DID, 1), -ENODEV);
	stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pasid_and_rid_traffic),
	    cmocka_unit_test(test_pdt_levels_allocated_lazily),
	    cmocka_unit_test(test_pc_replace_command_order),
	    cmocka_unit_test(test_pd_mode_from_caps_and_width),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
