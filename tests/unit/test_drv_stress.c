/* SPDX-License-Identifier: MIT
 *
 * test_drv_stress.c - the driver core under random operations, allocation
 * failures and a full fault queue, against the model.
 *
 *   - property: seeded random map / unmap / replace on a first-stage domain,
 *     checked after each sync against a reference array by translating
 *     through the model; a second device on an empty domain never reaches
 *     any of it (isolation);
 *   - allocation failure at every allocation point of map, attach and
 *     PASID attach: fail the k-th allocation for k = 0, 1, ... until the
 *     call succeeds; each failure is -ENOMEM, leaves a consistent state and
 *     leaks nothing (stop() checks every page came back);
 *   - a fault queue smaller than the burst of faults: fqof is reported,
 *     cleared, and recording resumes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "driver/drv_internal.h"

#define DA 0x11u
#define DB 0x12u
#define WIN UINT64_C(0x40000000) /* IOVA window */
#define NPG 512u
#define BUF UINT64_C(0x20000000)

struct t {
	struct dh *h;
	struct rvd_iommu *iommu;
};

static void start(struct t *t, uint8_t fq_lg2)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	rvm_config_default(&mc);
	t->h = dh_create(2048, &mc);
	dh_default_config(&dc);
	if (fq_lg2)
		dc.fq_lg2 = fq_lg2;
	t->iommu = rvd_probe(&t->h->ops, t->h, &dc, &err);
	assert_non_null(t->iommu);
}

static void stop(struct t *t)
{
	rvd_remove(t->iommu);
	assert_int_equal(t->h->live_pages, 0);
	assert_int_equal(t->h->lock_depth, 0);
	dh_destroy(t->h);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void check_page(struct t *t, struct rvd_domain *da, const uint64_t *ref, unsigned i)
{
	uint64_t pa = 0, iova = WIN + (uint64_t)i * 4096 + 0x44;
	int c = dh_dma(t->h, DA, RVM_ACC_READ, iova, &pa);
	if (ref[i]) {
		assert_int_equal(c, 0);
		assert_int_equal(pa, ref[i] + 0x44);
		assert_int_equal(rvd_iova_to_phys(da, iova), ref[i] + 0x44);
	} else {
		assert_int_equal(c, RVI_CAUSE_RD_PAGE);
	}
	/* isolation: device B's domain maps nothing here */
	assert_int_equal(dh_dma(t->h, DB, RVM_ACC_READ, iova, NULL), RVI_CAUSE_RD_PAGE);
}

static void test_property_random_ops(void **state)
{
	struct t t;
	int err;
	uint64_t ref[NPG], seed = 0x9e3779b97f4a7c15u;
	(void)state;
	start(&t, 0);
	struct rvd_domain *da = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	struct rvd_domain *db = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(da);
	assert_non_null(db);
	assert_int_equal(rvd_attach_dev(da, DA), 0);
	assert_int_equal(rvd_attach_dev(db, DB), 0);
	memset(ref, 0, sizeof(ref));
	for (unsigned op = 0; op < 3000; op++) {
		unsigned i = (unsigned)(rng(&seed) % NPG);
		unsigned n = 1 + (unsigned)(rng(&seed) % 8);
		if (i + n > NPG)
			n = NPG - i;
		unsigned kind = (unsigned)(rng(&seed) % 3), used = 0;
		for (unsigned k = 0; k < n; k++)
			used += ref[i + k] != 0;
		uint64_t iova = WIN + (uint64_t)i * 4096;
		if (kind == 0) { /* map: succeeds on a hole, -EEXIST otherwise */
			uint64_t pa = BUF + (rng(&seed) % 4096) * 4096;
			size_t mapped;
			int rc = rvd_map_pages(da, iova, pa, 4096, n, RVD_PROT_READ, &mapped);
			if (used) {
				assert_int_equal(rc, -EEXIST);
				for (unsigned k = 0; k < mapped / 4096; k++)
					ref[i + k] = pa + (uint64_t)k * 4096;
			} else {
				assert_int_equal(rc, 0);
				for (unsigned k = 0; k < n; k++)
					ref[i + k] = pa + (uint64_t)k * 4096;
			}
		} else if (kind == 1) { /* unmap: stops at the first hole */
			struct rvd_gather g;
			rvd_gather_init(&g);
			size_t done = rvd_unmap_pages(da, iova, 4096, n, &g);
			unsigned k = 0;
			while (k < n && ref[i + k])
				ref[i + k++] = 0;
			assert_int_equal(done, (size_t)k * 4096);
			assert_int_equal(rvd_iotlb_sync(da, &g), 0);
		} else { /* replace one page */
			uint64_t pa = BUF + (rng(&seed) % 4096) * 4096;
			int rc = rvd_replace_page(da, iova, pa, RVD_PROT_READ);
			assert_int_equal(rc, ref[i] ? 0 : -ENOENT);
			if (ref[i])
				ref[i] = pa;
		}
		for (unsigned k = 0; k < n; k++)
			check_page(&t, da, ref, i + k);
		if (op % 500 == 499)
			for (unsigned k = 0; k < NPG; k++)
				check_page(&t, da, ref, k);
	}
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DA), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), DB), 0);
	assert_int_equal(rvd_domain_free(da), 0);
	assert_int_equal(rvd_domain_free(db), 0);
	stop(&t);
}

static void test_enomem_at_every_allocation(void **state)
{
	struct t t;
	int err;
	(void)state;
	start(&t, 0);
	struct rvd_domain *d = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(d);
	/* map: a fresh path needs table pages at several levels */
	uint64_t iova = UINT64_C(0x7f0000000000);
	int k, rc = -ENOMEM;
	for (k = 0; rc; k++) {
		size_t mapped = 0;
		t.h->fail_allocs_after = k;
		rc = rvd_map_pages(d, iova, BUF, 4096, 2, RVD_PROT_READ, &mapped);
		t.h->fail_allocs_after = -1;
		if (rc) {
			assert_int_equal(rc, -ENOMEM);
			assert_int_equal(mapped, 0); /* nothing before the first leaf */
			assert_int_equal(rvd_iova_to_phys(d, iova), 0);
		}
	}
	assert_true(k >= 2); /* at least one table page was needed */
	assert_int_equal(rvd_iova_to_phys(d, iova + 0x1000), BUF + 0x1000);
	/* attach: DDT levels for a new device subtree */
	uint32_t did = 0xabcd;
	rc = -ENOMEM;
	for (k = 0; rc; k++) {
		t.h->fail_allocs_after = k;
		rc = rvd_attach_dev(d, did);
		t.h->fail_allocs_after = -1;
		if (rc) {
			assert_int_equal(rc, -ENOMEM);
			assert_int_equal(dh_dma(t.h, did, RVM_ACC_READ, iova, NULL),
			                 RVI_CAUSE_DDT_INVALID);
		}
	}
	assert_true(k >= 2);
	assert_int_equal(dh_dma(t.h, did, RVM_ACC_READ, iova, NULL), 0);
	/* PASID attach: the PDT root and its levels */
	struct rvd_domain *p = rvd_domain_alloc_paging_stage(t.iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(p);
	rc = -ENOMEM;
	for (k = 0; rc; k++) {
		t.h->fail_allocs_after = k;
		rc = rvd_attach_dev_pasid(p, did, 0x54321);
		t.h->fail_allocs_after = -1;
		if (rc) {
			assert_int_equal(rc, -ENOMEM);
			/* the RID path is untouched */
			assert_int_equal(dh_dma(t.h, did, RVM_ACC_READ, iova, NULL), 0);
		}
	}
	assert_true(k >= 4); /* root, and the pages for PASIDs 0 and 0x54321 */
	assert_int_equal(rvd_detach_dev_pasid(t.iommu, did, 0x54321), 0);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(t.iommu), did), 0);
	assert_int_equal(rvd_domain_free(p), 0);
	assert_int_equal(rvd_domain_free(d), 0);
	stop(&t);
}

static void test_full_fault_queue(void **state)
{
	struct t t;
	(void)state;
	start(&t, 2); /* 4 records: 3 usable */
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(dh_dma(t.h, DA, RVM_ACC_READ, WIN, NULL), RVI_CAUSE_DDT_INVALID);
	uint64_t csr = 0;
	assert_int_equal(rvm_mmio_read(t.h->m, RVI_REG_FQCSR, 4, &csr), 0);
	assert_true(csr & RVI_FQCSR_FQOF);
	t.h->n_faults = 0;
	assert_int_equal(rvd_handle_irq(t.iommu), 3);
	assert_non_null(strstr(t.h->last_log, "overflow"));
	assert_int_equal(rvm_mmio_read(t.h->m, RVI_REG_FQCSR, 4, &csr), 0);
	assert_int_equal(csr & RVI_FQCSR_FQOF, 0);
	/* recording resumes */
	assert_int_equal(dh_dma(t.h, DA, RVM_ACC_READ, WIN, NULL), RVI_CAUSE_DDT_INVALID);
	assert_int_equal(rvd_handle_irq(t.iommu), 1);
	assert_int_equal(t.h->faults[t.h->n_faults - 1].device_id, DA);
	stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_property_random_ops),
	    cmocka_unit_test(test_enomem_at_every_allocation),
	    cmocka_unit_test(test_full_fault_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
