/* SPDX-License-Identifier: MIT
 *
 * test_drv_msi.c - the driver's MSI page-table hooks and raw command path,
 * against the hardware model.
 *
 * Hand-derived values: DC.msiptp = MODE(63:60) = 1 (Flat) | PPN; an MSI
 * PTE in basic mode is V (bit 0) | M = 3 (bits 2:1) | PPN << 10 (AIA
 * §2.7); IOTINVAL.GVMA = opcode 1 | func3 1 << 7 | AV 1 << 10 | GV 1 << 33
 * | GSCID << 44, DW1 = ADDR[63:12] << 10; IOFENCE.C PW=1 = 2 | 1 << 13.
 * The window of mask 0x7 / pattern 0x28000 is GPA 0x28000000..0x28007fff
 * and the file number is GPA[14:12].
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DID 0x21u
#define DID2 0x22u
#define TBL UINT64_C(0x30000000)  /* MSI table in device memory */
#define TBL2 UINT64_C(0x30010000) /* another one */
#define WIN UINT64_C(0x28000000)  /* the guest's IMSIC window (GPA) */
#define MASK UINT64_C(0x7)
#define PATTERN (WIN >> 12)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
};

static void start_mc(struct t *t, const struct rvm_config *mc)
{
	struct rvm_config def;
	struct rvd_config dc;
	int err = 0;
	if (!mc) {
		rvm_config_default(&def);
		mc = &def;
	}
	t->h = dh_create(1024, mc);
	dh_default_config(&dc);
	t->iommu = rvd_probe(&t->h->ops, t->h, &dc, &err);
	if (!t->iommu)
		fail_msg("rvd_probe: %d (%s)", err, t->h->last_log);
}

static void stop(struct t *t)
{
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static struct rvd_domain *s2(struct t *t)
{
	int err = 0;
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t->iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(d);
	return d;
}

static void put_msipte(struct t *t, uint64_t tbl, unsigned idx, uint64_t target)
{
	uint64_t pte[2] = {RVI_MSIPTE_V | (UINT64_C(3) << 1) | ((target >> 12) << 10), 0};
	assert_int_equal(rv_physmem_write(t->h->mem, tbl + idx * 16u, pte, sizeof(pte)), 0);
}

/* A 4-byte MSI write by did to gpa; returns the cause, *pa the address. */
static int msi_write(struct t *t, uint32_t did, uint64_t gpa, uint64_t *pa, bool *is_msi)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.device_id = did;
	rq.access = RVM_ACC_WRITE;
	rq.iova = gpa;
	rq.len = 4;
	int c = rvm_translate(t->h->m, &rq, &rs);
	*pa = rs.pa;
	if (is_msi)
		*is_msi = rs.is_msi;
	return c;
}

static void release(struct t *t, struct rvd_domain *d)
{
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t->iommu), DID2), 0);
	assert_int_equal(rvd_domain_free(d), 0);
}

static void test_msi_table_translates_and_dc_words(void **state)
{
	struct t t;
	uint64_t pa;
	bool is_msi;
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *d = s2(&t);
	assert_int_not_equal(rvd_domain_gscid(d), 0);
	put_msipte(&t, TBL, 2, 0x40002000);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, MASK, PATTERN), 0);
	int err;
	const uint64_t *dc = rvd_ddt_dc(t.iommu, DID, false, &err);
	assert_non_null(dc);
	assert_int_equal(dc[RVI_DC_MSIPTP], (UINT64_C(1) << 60) | (TBL >> 12));
	assert_int_equal(dc[RVI_DC_MSI_ADDR_MASK], MASK);
	assert_int_equal(dc[RVI_DC_MSI_ADDR_PATTERN], PATTERN);
	assert_int_equal(RVI_FIELD_GET(RVI_IOHGATP_GSCID, dc[RVI_DC_IOHGATP]), rvd_domain_gscid(d));
	/* file 2 of the window goes to the table's target */
	assert_int_equal(msi_write(&t, DID, WIN + 0x2004, &pa, &is_msi), 0);
	assert_int_equal(pa, 0x40002004);
	assert_true(is_msi);
	/* outside the window: the (empty) G-stage, a write guest-page fault */
	assert_int_equal(msi_write(&t, DID, WIN + 0x8000, &pa, NULL), RVI_CAUSE_WR_GUEST_PAGE);
	release(&t, d);
	stop(&t);
}

static void test_inval_msi_pte_commands_and_effect(void **state)
{
	struct t t;
	uint64_t pa;
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *d = s2(&t);
	put_msipte(&t, TBL, 2, 0x40002000);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, MASK, PATTERN), 0);
	assert_int_equal(msi_write(&t, DID, WIN + 0x2000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40002000);
	/* retarget file 2; the cached entry still points at the old page */
	put_msipte(&t, TBL, 2, 0x40005000);
	assert_int_equal(msi_write(&t, DID, WIN + 0x2000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40002000);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_inval_msi_pte(d, WIN + 0x2abc), 0);
	assert_int_equal(t.h->n_cmds - n0, 2);
	uint64_t gv = UINT64_C(1) | (UINT64_C(1) << 7) | (UINT64_C(1) << 10) | (UINT64_C(1) << 33) |
	              ((uint64_t)rvd_domain_gscid(d) << 44);
	assert_int_equal(t.h->cmds[n0][0], gv);
	assert_int_equal(t.h->cmds[n0][1], UINT64_C(0x28002) << 10);
	assert_int_equal(t.h->cmds[n0 + 1][0], 0x2002);
	assert_int_equal(msi_write(&t, DID, WIN + 0x2000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40005000);
	release(&t, d);
	stop(&t);
}

static void test_msiptp_off_when_iohgatp_bare(void **state)
{
	struct t t;
	int err;
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *s1 = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(s1);
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_attach_dev_msi(s1, DID, TBL >> 12, MASK, PATTERN), -EINVAL);
	assert_int_equal(
	    rvd_attach_dev_msi(rvd_identity_domain(t.iommu), DID, TBL >> 12, MASK, PATTERN),
	    -EINVAL);
	assert_int_equal(rvd_inval_msi_pte(s1, WIN), -EINVAL);
	assert_int_equal(rvd_domain_gscid(s1), 0);
	assert_int_equal(t.h->n_cmds, n0); /* nothing was written or sent */
	assert_int_equal(dh_dma(t.h, DID, RVM_ACC_READ, WIN, NULL), RVI_CAUSE_DDT_INVALID);
	/* Off is fine for any domain */
	assert_int_equal(rvd_attach_dev_msi(s1, DID, 0, 0, 0), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DID), 0);
	assert_int_equal(rvd_domain_free(s1), 0);
	stop(&t);
}

static void test_msi_argument_checks(void **state)
{
	struct t t;
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *d = s2(&t);
	/* Off with a mask or pattern */
	assert_int_equal(rvd_attach_dev_msi(d, DID, 0, MASK, 0), -EINVAL);
	/* default caps have Sv57x4: MGPAW = 59, so mask/pattern bits 47+ are
	 * reserved, bit 46 is not */
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, UINT64_C(1) << 47, 0), -EINVAL);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, 0, UINT64_C(1) << 47), -EINVAL);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, 0, UINT64_C(1) << 52), -EINVAL);
	/* 512 entries (8 KiB) must be 8 KiB aligned */
	assert_int_equal(rvd_attach_dev_msi(d, DID, (TBL >> 12) + 1, 0x1ff, 0), -EINVAL);
	assert_int_equal(rvd_attach_dev_msi(d, DID, UINT64_C(1) << 44, MASK, PATTERN), -ERANGE);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, UINT64_C(1) << 46, 0), 0);
	assert_int_equal(rvd_attach_dev_msi(d, DID, (TBL >> 12) + 2, 0x1ff, 0), 0);
	release(&t, d);
	stop(&t);
	/* no MSI_FLAT: base-format DCs have no msiptp */
	struct rvm_config mc;
	rvm_config_default(&mc);
	mc.capabilities &= ~(RVI_CAP_MSI_FLAT | RVI_CAP_MSI_MRIF | RVI_CAP_AMO_MRIF);
	start_mc(&t, &mc);
	d = s2(&t);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, MASK, PATTERN), -ENODEV);
	assert_int_equal(rvd_domain_free(d), 0);
	stop(&t);
}

static void test_msi_table_shared_by_gscid(void **state)
{
	struct t t;
	uint64_t pa;
	int err;
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *d = s2(&t);
	put_msipte(&t, TBL, 1, 0x40001000);
	put_msipte(&t, TBL2, 1, 0x40009000);
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, MASK, PATTERN), 0);
	/* another table on the same GSCID is refused while DID uses it */
	assert_int_equal(rvd_attach_dev_msi(d, DID2, TBL2 >> 12, MASK, PATTERN), -EBUSY);
	assert_int_equal(dh_dma(t.h, DID2, RVM_ACC_READ, WIN, NULL), RVI_CAUSE_DDT_INVALID);
	/* a plain attach inherits the GSCID's table */
	assert_int_equal(rvd_attach_dev(d, DID2), 0);
	const uint64_t *dc2 = rvd_ddt_dc(t.iommu, DID2, false, &err);
	assert_int_equal(dc2[RVI_DC_MSIPTP], (UINT64_C(1) << 60) | (TBL >> 12));
	assert_int_equal(msi_write(&t, DID2, WIN + 0x1000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40001000);
	/* re-attaching DID with its own table is not a change */
	assert_int_equal(rvd_attach_dev_msi(d, DID, TBL >> 12, MASK, PATTERN), 0);
	/* set_msi moves every device of the GSCID */
	assert_int_equal(rvd_domain_set_msi(d, TBL2 >> 12, MASK, PATTERN), 0);
	assert_int_equal(msi_write(&t, DID, WIN + 0x1000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40009000);
	assert_int_equal(msi_write(&t, DID2, WIN + 0x1000, &pa, NULL), 0);
	assert_int_equal(pa, 0x40009000);
	release(&t, d);
	stop(&t);
}

static void test_resv_regions_hw_msi(void **state)
{
	struct t t;
	struct rvd_resv_region r[4];
	(void)state;
	start_mc(&t, NULL);
	struct rvd_domain *d = s2(&t);
	/* second stage without a table: nothing reserved */
	assert_int_equal(rvd_attach_dev(d, DID), 0);
	assert_int_equal(rvd_get_resv_regions(t.iommu, DID, r, 4), 0);
	assert_int_equal(rvd_domain_set_msi(d, TBL >> 12, MASK, PATTERN), 0);
	assert_int_equal(rvd_get_resv_regions(t.iommu, DID, r, 4), 1);
	assert_int_equal(r[0].type, RVD_RESV_MSI);
	assert_int_equal(r[0].start, WIN);
	assert_int_equal(r[0].length, 0x8000);
	/* mask 0x103 (bits 0, 1 and 8): two 16 KiB regions, at pattern and
	 * pattern | 0x100 pages */
	assert_int_equal(rvd_domain_set_msi(d, TBL >> 12, 0x103, PATTERN), 0);
	memset(r, 0, sizeof(r));
	assert_int_equal(rvd_get_resv_regions(t.iommu, DID, r, 1), 2); /* only r[0] written */
	assert_int_equal(r[1].length, 0);
	assert_int_equal(rvd_get_resv_regions(t.iommu, DID, r, 4), 2);
	assert_int_equal(r[0].start, WIN);
	assert_int_equal(r[0].length, 0x4000);
	assert_int_equal(r[1].start, WIN + 0x100000);
	assert_int_equal(r[1].length, 0x4000);
	release(&t, d);
	stop(&t);
}

static void test_submit_cmds(void **state)
{
	struct t t;
	struct rvd_cmd c[40];
	(void)state;
	struct rvm_config mc;
	rvm_config_default(&mc);
	mc.capabilities &= ~RVI_CAP_NL;
	start_mc(&t, &mc);
	/* NL without caps.NL is unsupported: nothing is published */
	c[0] = rvd_cmd_iodir_inval_ddt(true, DID);
	c[1] = rvd_cmd_iotinval_vma(false, 0, true, 5, true, 0x1000);
	c[1].inval.nl = true;
	unsigned n0 = t.h->n_cmds;
	assert_int_equal(rvd_submit_cmds(t.iommu, c, 2), -EINVAL);
	assert_int_equal(t.h->n_cmds, n0);
	/* more than one batch (32) of commands: all of them, then exactly one
	 * IOFENCE.C with PR=PW=1 */
	for (unsigned i = 0; i < 40; i++)
		c[i] = rvd_cmd_iotinval_gvma(true, 7, true, (uint64_t)(i + 1) << 12);
	assert_int_equal(rvd_submit_cmds(t.iommu, c, 40), 0);
	assert_int_equal(t.h->n_cmds - n0, 41);
	for (unsigned i = 0; i < 40; i++) {
		assert_int_equal(t.h->cmds[n0 + i][0], UINT64_C(0x0000700200000481));
		assert_int_equal(t.h->cmds[n0 + i][1], (uint64_t)(i + 1) << 10);
	}
	assert_int_equal(t.h->cmds[n0 + 40][0], 0x3002);
	/* A caller's trailing plain IOFENCE.C merges into the final one: one
	 * fence published, not two (an AV fence would be kept). */
	c[0] = rvd_cmd_iotinval_gvma(true, 7, true, 0x1000);
	c[1] = rvd_cmd_iofence_c(false, true);
	n0 = t.h->n_cmds;
	assert_int_equal(rvd_submit_cmds(t.iommu, c, 2), 0);
	assert_int_equal(t.h->n_cmds - n0, 2);
	assert_int_equal(t.h->cmds[n0 + 1][0], 0x3002);
	/* constructors: IODIR.INVAL_PDT DV=1 DID PID, ATS.INVAL to a segment */
	c[0] = rvd_cmd_iodir_inval_pdt(DID, 9);
	c[1] = rvd_cmd_ats_inval(0x020304, true, 3, 0);
	uint64_t w[2];
	assert_int_equal(rvd_cmd_build(rvd_capabilities(t.iommu), 0, &c[0], w), 0);
	assert_int_equal(w[0],
	                 3 | (1u << 7) | (9u << 12) | (UINT64_C(1) << 33) | ((uint64_t)DID << 40));
	assert_int_equal(rvd_cmd_build(rvd_capabilities(t.iommu), 0, &c[1], w), 0);
	assert_int_equal(w[0], 4 | (3u << 12) | (UINT64_C(1) << 32) | (UINT64_C(1) << 33) |
	                           (UINT64_C(0x0304) << 40) | (UINT64_C(0x02) << 56));
	stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msi_table_translates_and_dc_words),
	    cmocka_unit_test(test_inval_msi_pte_commands_and_effect),
	    cmocka_unit_test(test_msiptp_off_when_iohgatp_bare),
	    cmocka_unit_test(test_msi_argument_checks),
	    cmocka_unit_test(test_msi_table_shared_by_gscid),
	    cmocka_unit_test(test_resv_regions_hw_msi),
	    cmocka_unit_test(test_submit_cmds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
