/* SPDX-License-Identifier: MIT
 *
 * test_drv_nested.c - nested domains (a guest's first stage over a host
 * second-stage domain) end to end against the model.
 *
 * The guest's memory is GPA g -> SPA g + GOFF, mapped by the host's
 * second-stage domain; the guest writes its own Sv39 table into that memory
 * (rv_physmem at the SPA), as a guest kernel would.
 *
 * Hand-derived layout (Sv39, VPN[2] = GVA[38:30], VPN[1] = [29:21],
 * VPN[0] = [20:12]): GVA 0x40005000 has VPN 1, 0, 5.  Root at GPA
 * 0x100000, level 1 at 0x101000, level 0 at 0x102000; root[1] and L1[0]
 * are pointers (V | PPN << 10); L0[5] and L0[6] are leaves V|R|W|U|A|D
 * (0xd7) to GPA 0x300000 and 0x301000.
 * Causes (§4.2): 13 read page fault (first stage), 21 read guest-page
 * fault; iotval2 = GPA[63:2] with bit 0 set for an implicit access.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DID 0x40u
#define GOFF UINT64_C(0x50000000)
#define ROOT UINT64_C(0x100000)
#define GVA UINT64_C(0x40005000)
#define GPA_DATA UINT64_C(0x300000)
#define GPSCID 0x77u
#define LEAF UINT64_C(0xd7)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
	struct rvd_domain *s2, *n;
};

static void gpte(struct t *t, uint64_t table_gpa, unsigned idx, uint64_t v)
{
	assert_int_equal(rv_physmem_write(t->h->mem, GOFF + table_gpa + idx * 8u, &v, 8), 0);
}

static void start(struct t *t)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	size_t mapped;
	rvm_config_default(&mc);
	t->h = dh_create(1024, &mc);
	dh_default_config(&dc);
	t->iommu = rvd_probe(&t->h->ops, t->h, &dc, &err);
	assert_non_null(t->iommu);
	t->s2 = rvd_domain_alloc_paging_stage(t->iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(t->s2);
	/* guest RAM: its table pages and two data pages */
	assert_int_equal(rvd_map_pages(t->s2, ROOT, GOFF + ROOT, 4096, 3,
	                               RVD_PROT_READ | RVD_PROT_WRITE, &mapped),
	                 0);
	assert_int_equal(rvd_map_pages(t->s2, GPA_DATA, GOFF + GPA_DATA, 4096, 2,
	                               RVD_PROT_READ | RVD_PROT_WRITE, &mapped),
	                 0);
	gpte(t, ROOT, 1, RVI_PTE_V | ((ROOT + 0x1000) >> 12 << 10));
	gpte(t, ROOT + 0x1000, 0, RVI_PTE_V | ((ROOT + 0x2000) >> 12 << 10));
	gpte(t, ROOT + 0x2000, 5, LEAF | (GPA_DATA >> 12 << 10));
	gpte(t, ROOT + 0x2000, 6, LEAF | ((GPA_DATA + 0x1000) >> 12 << 10));
	struct rvd_guest_fsc f = {.mode = RVI_IOSATP_SV39, .root_gpa = ROOT, .pscid = GPSCID};
	t->n = rvd_domain_alloc_nested(t->s2, &f, &err);
	assert_non_null(t->n);
	assert_int_equal(rvd_domain_type(t->n), RVD_DOMAIN_NESTED);
	assert_int_equal(rvd_attach_dev(t->n, DID), 0);
}

static void stop(struct t *t)
{
	assert_int_equal(rvd_domain_free(t->s2), -EBUSY); /* the nested domain uses it */
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	assert_int_equal(rvd_domain_free(t->n), 0);
	assert_int_equal(rvd_domain_free(t->s2), 0);
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static int rd(struct t *t, uint64_t gva, uint64_t *pa)
{
	return dh_dma(t->h, DID, RVM_ACC_READ, gva, pa);
}

static const struct rvd_fault *last_fault(struct t *t)
{
	t->h->n_faults = 0;
	assert_true(rvd_handle_irq(t->iommu) >= 1);
	return &t->h->faults[t->h->n_faults - 1];
}

static void test_nested_dc_and_translation(void **state)
{
	struct t t;
	uint64_t pa = 0;
	int err;
	(void)state;
	start(&t);
	const uint64_t *dc = rvd_ddt_dc(t.iommu, DID, false, &err);
	assert_non_null(dc);
	/* both stages: iohgatp = the host's, fsc = the guest's iosatp (GPA
	 * root), ta.PSCID = the guest's PSCID */
	assert_int_equal(dc[RVI_DC_IOHGATP] >> 60, t.s2->pt.fmt->atp_mode);
	assert_int_equal(RVI_FIELD_GET(RVI_IOHGATP_GSCID, dc[RVI_DC_IOHGATP]), t.s2->gscid);
	assert_int_equal(dc[RVI_DC_FSC], (UINT64_C(8) << 60) | (ROOT >> 12));
	assert_int_equal(dc[RVI_DC_TA], (uint64_t)GPSCID << 12);
	assert_int_equal(rvd_domain_gscid(t.n), t.s2->gscid);
	assert_int_equal(rd(&t, GVA + 0x10, &pa), 0);
	assert_int_equal(pa, GOFF + GPA_DATA + 0x10);
	stop(&t);
}

static void test_guest_unmap_and_nested_inval(void **state)
{
	struct t t;
	uint64_t pa = 0;
	(void)state;
	start(&t);
	assert_int_equal(rd(&t, GVA, &pa), 0); /* now cached */
	gpte(&t, ROOT + 0x2000, 5, 0);         /* the guest unmaps */
	assert_int_equal(rd(&t, GVA, &pa), 0); /* stale until invalidated */
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_nested_inval(t.n, GVA, 4096, false), 0);
	/* IOTINVAL.VMA GV=1 GSCID PSCV=1 PSCID AV=1, then the fence */
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_int_equal(t.h->cmds[n0][0], UINT64_C(1) | (UINT64_C(1) << 10) |
	                                       ((uint64_t)GPSCID << 12) | (UINT64_C(1) << 32) |
	                                       (UINT64_C(1) << 33) | ((uint64_t)t.s2->gscid << 44));
	assert_int_equal(t.h->cmds[n0][1], (GVA >> 12) << 10);
	assert_int_equal(rd(&t, GVA + 0x20, &pa), RVI_CAUSE_RD_PAGE);
	const struct rvd_fault *f = last_fault(&t);
	assert_int_equal(f->cause, RVI_CAUSE_RD_PAGE);
	assert_int_equal(f->iotval & ~UINT64_C(0xfff), GVA);
	/* the guest maps it again: V 0->1 needs no invalidation */
	gpte(&t, ROOT + 0x2000, 5, LEAF | (GPA_DATA >> 12 << 10));
	assert_int_equal(rd(&t, GVA, &pa), 0);
	/* size 0: the whole guest PSCID */
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_nested_inval(t.n, 0, 0, false), 0);
	assert_int_equal(t.h->cmds[n0][0], UINT64_C(1) | ((uint64_t)GPSCID << 12) |
	                                       (UINT64_C(1) << 32) | (UINT64_C(1) << 33) |
	                                       ((uint64_t)t.s2->gscid << 44));
	assert_int_equal(rvd_nested_inval(t.n, GVA + 1, 4096, false), -EINVAL);
	assert_int_equal(rvd_nested_inval(t.s2, GVA, 4096, false), -EINVAL);
	stop(&t);
}

static void test_host_s2_unmap_faults_guest(void **state)
{
	struct t t;
	uint64_t pa = 0;
	struct rvd_gather g;
	(void)state;
	start(&t);
	assert_int_equal(rd(&t, GVA, &pa), 0);
	/* the host takes the guest's data page away */
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.s2, GPA_DATA, 4096, 1, &g), 4096);
	assert_int_equal(rvd_iotlb_sync(t.s2, &g), 0);
	assert_int_equal(rd(&t, GVA + 0x40, &pa), RVI_CAUSE_RD_GUEST_PAGE);
	const struct rvd_fault *f = last_fault(&t);
	assert_int_equal(f->cause, RVI_CAUSE_RD_GUEST_PAGE);
	assert_int_equal(f->iotval & ~UINT64_C(0xfff), GVA);
	assert_int_equal(f->iotval2 & ~UINT64_C(0xfff), GPA_DATA);
	assert_int_equal(f->iotval2 & 1, 0); /* explicit access */
	/* a write through the same path is a write guest-page fault (23) */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_WRITE, GVA, &pa), RVI_CAUSE_WR_GUEST_PAGE);
	/* now the guest's level-0 table page: GVA+0x1000 (L0[6], never used)
	 * needs an implicit read of GPA 0x102000 */
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.s2, ROOT + 0x2000, 4096, 1, &g), 4096);
	assert_int_equal(rvd_iotlb_sync(t.s2, &g), 0);
	assert_int_equal(rd(&t, GVA + 0x1000, &pa), RVI_CAUSE_RD_GUEST_PAGE);
	f = last_fault(&t);
	assert_int_equal(f->iotval2 & ~UINT64_C(0xfff), ROOT + 0x2000);
	assert_int_equal(f->iotval2 & 3, 1); /* implicit read */
	stop(&t);
}

static void test_s2_sync_invalidates_nested_dcs(void **state)
{
	struct t t;
	struct rvd_gather g;
	(void)state;
	start(&t);
	/* the root GPA is held in the DC: a G-stage change adds IODIR for the
	 * nested domain's devices */
	rvd_gather_init(&g);
	assert_int_equal(rvd_unmap_pages(t.s2, GPA_DATA + 0x1000, 4096, 1, &g), 4096);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_iotlb_sync(t.s2, &g), 0);
	bool iodir = false;
	for (unsigned i = n0; i < t.h->n_cmds; i++)
		if (t.h->cmds[i][0] == (UINT64_C(3) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40)))
			iodir = true;
	assert_true(iodir);
	stop(&t);
}

static void test_nested_alloc_checks(void **state)
{
	struct t t;
	int err = 0;
	(void)state;
	start(&t);
	struct rvd_guest_fsc f = {.mode = RVI_IOSATP_SV39, .root_gpa = ROOT, .pscid = 1};
	struct rvd_domain *s1 = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(s1);
	assert_null(rvd_domain_alloc_nested(s1, &f, &err)); /* parent must be second stage */
	assert_int_equal(err, -EINVAL);
	f.root_gpa = ROOT + 8;
	assert_null(rvd_domain_alloc_nested(t.s2, &f, &err));
	assert_int_equal(err, -EINVAL);
	f.root_gpa = ROOT;
	f.pscid = 1u << 20;
	assert_null(rvd_domain_alloc_nested(t.s2, &f, &err));
	assert_int_equal(err, -EINVAL);
	f.pscid = 1;
	f.mode = 7;
	assert_null(rvd_domain_alloc_nested(t.s2, &f, &err));
	assert_int_equal(err, -EINVAL);
	f.mode = RVI_IOSATP_SV39;
	f.root_gpa = UINT64_C(1) << 56;
	assert_null(rvd_domain_alloc_nested(t.s2, &f, &err));
	assert_int_equal(err, -ERANGE);
	size_t mapped;
	assert_int_equal(rvd_map_pages(t.n, 0, 0, 4096, 1, RVD_PROT_READ, &mapped), -EINVAL);
	assert_int_equal(rvd_domain_free(t.n), -EBUSY);
	assert_int_equal(rvd_domain_free(s1), 0);
	stop(&t);
	/* a mode the IOMMU lacks */
	struct rvm_config mc;
	struct rvd_config dc;
	rvm_config_default(&mc);
	mc.capabilities &= ~RVI_CAP_SV57;
	struct dh *h = dh_create(256, &mc);
	dh_default_config(&dc);
	struct rvd_iommu *m = rvd_probe(&h->ops, h, &dc, &err);
	assert_non_null(m);
	struct rvd_domain *p = rvd_domain_alloc_paging_stage(m, RVD_STAGE_SECOND, &err);
	f.mode = RVI_IOSATP_SV57;
	f.root_gpa = ROOT;
	assert_null(rvd_domain_alloc_nested(p, &f, &err));
	assert_int_equal(err, -ENODEV);
	assert_int_equal(rvd_domain_free(p), 0);
	rvd_remove(m);
	assert_int_equal(h->live_pages, 0);
	dh_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nested_dc_and_translation),
	    cmocka_unit_test(test_guest_unmap_and_nested_inval),
	    cmocka_unit_test(test_host_s2_unmap_faults_guest),
	    cmocka_unit_test(test_s2_sync_invalidates_nested_dcs),
	    cmocka_unit_test(test_nested_alloc_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
