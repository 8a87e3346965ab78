/* SPDX-License-Identifier: MIT
 *
 * test_msi_drv.c - the MSI table running on the driver core: table pages
 * from the driver's host (rvmsi_mem_rvd_ops), invalidations through
 * rvd_submit_cmds() (rvmsi_submit_rvd), the DC programmed with
 * rvd_attach_dev_msi() on a second-stage domain, checked against the model:
 * an MSI reaches the affined file, and after an affinity change the old
 * address faults with cause 262 (MSI PTE not valid).
 *
 * Hand-derived values: mask 0x7 / pattern 0x28000 catch GPA 0x28000000..
 * 0x28007fff, entry = GPA[14:12]; IOTINVAL.GVMA DW0 = 1 | 1 << 7 | AV
 * 1 << 10 | GV 1 << 33 | GSCID << 44, DW1 = GPA >> 12 << 10.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "rviommu/msi.h"

#define DID 0x11u
#define MASK UINT64_C(0x7)
#define PATTERN UINT64_C(0x28000)

static int msi_write(struct dh *h, uint64_t gpa, uint64_t *pa)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	rq.device_id = DID;
	rq.access = RVM_ACC_WRITE;
	rq.iova = gpa;
	rq.len = 4;
	int cause = rvm_translate(h->m, &rq, &rs);
	if (!cause) {
		assert_true(rs.is_msi);
		*pa = rs.pa;
	}
	return cause;
}

static bool saw_gvma(struct dh *h, unsigned from, uint32_t gscid, uint64_t gpa)
{
	uint64_t dw0 = 1 | 1 << 7 | 1 << 10 | UINT64_C(1) << 33 | (uint64_t)gscid << 44;
	for (unsigned i = from; i < h->n_cmds && i < DH_MAX_CMDS; i++)
		if (h->cmds[i][0] == dw0 && h->cmds[i][1] == (gpa >> 12) << 10)
			return true;
	return false;
}

static void test_table_on_driver(void **state)
{
	(void)state;
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	rvm_config_default(&mc);
	struct dh *h = dh_create(1024, &mc);
	dh_default_config(&dc);
	struct rvd_iommu *iommu = rvd_probe(&h->ops, h, &dc, &err);
	if (!iommu)
		fail_msg("rvd_probe: %d (%s)", err, h->last_log);
	struct rvd_domain *dom = rvd_domain_alloc_paging_stage(iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(dom);
	uint32_t gscid = rvd_domain_gscid(dom);

	struct rvmsi_rvd_mem mem = {&h->ops, h};
	struct rvmsi_table t;
	uint64_t live = h->live_pages;
	assert_int_equal(rvmsi_table_init(&t, &rvmsi_mem_rvd_ops, &mem, rvmsi_submit_rvd, iommu,
	                                  MASK, PATTERN, (uint16_t)gscid),
	                 0);
	assert_int_equal(h->live_pages, live + 1);
	assert_true(dh_in_pool(h, t.pa));
	assert_int_equal(rvd_attach_dev_msi(dom, DID, t.pa >> 12, MASK, PATTERN), 0);

	uint64_t pa = 0;
	assert_int_equal(msi_write(h, 0x28001000, &pa), RVI_CAUSE_MSI_PTE_INVALID);
	unsigned c0 = h->n_cmds;
	assert_int_equal(rvmsi_affinity_change(&t, 0, 0x28001000, NULL, NULL), 0);
	assert_true(saw_gvma(h, c0, gscid, 0x28001000));
	assert_int_equal(msi_write(h, 0x28001004, &pa), 0);
	assert_int_equal(pa, 0x28001004);

	c0 = h->n_cmds;
	assert_int_equal(rvmsi_affinity_change(&t, 0x28001000, 0x28002000, NULL, NULL), 0);
	assert_true(saw_gvma(h, c0, gscid, 0x28002000));
	assert_true(saw_gvma(h, c0, gscid, 0x28001000));
	assert_int_equal(msi_write(h, 0x28002000, &pa), 0);
	assert_int_equal(pa, 0x28002000);
	assert_int_equal(msi_write(h, 0x28001000, &pa), RVI_CAUSE_MSI_PTE_INVALID);

	/* the glue refuses commands the table never sends */
	uint64_t bad[1][2] = {{3, 0}}; /* IODIR */
	assert_int_equal(rvmsi_submit_rvd(iommu, (const uint64_t(*)[2])bad, 1), -EINVAL);
	assert_int_equal(rvmsi_submit_rvd(NULL, (const uint64_t(*)[2])bad, 1), -EINVAL);

	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(iommu), DID), 0);
	live = h->live_pages;
	rvmsi_table_destroy(&t); /* gives back its one page */
	assert_int_equal(h->live_pages, live - 1);
	assert_int_equal(rvd_domain_free(dom), 0);
	rvd_remove(iommu);
	assert_int_equal(h->live_pages, 0);
	dh_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_on_driver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
