/* SPDX-License-Identifier: MIT
 *
 * test_msi_sw.c - design 2's SW_MSI allocator (rvmsi_sw_msi_*) end to end:
 * a first-stage domain of the driver core (tests/util/drv_host.c) on the
 * hardware model, a device attached to it, and an IMSIC model behind the
 * model's output address.  A device MSI is rvm_translate() of a 4-byte
 * write to the MSI address, then an IMSIC MMIO write at the translated PA.
 *
 * Hand-derived values: IMSIC base 0x24000000, 1 group, 4 harts, no guest
 * files, so hart h's S file is 0x24000000 + h * 0x1000.  The window is
 * 0x08004000 + 4 pages (a base that is not the default, so an IOVA computed
 * without it shows); pages are handed out lowest first: hart 2's doorbell
 * first gets 0x08004000, hart 0's 0x08005000, etc.  seteipnum_be is at page
 * offset 4, so its IOVA is the page's IOVA + 4.  Cause 15 = store/AMO page
 * fault (first stage).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "../util/drv_host.c"
#include "rviommu/imsic.h"
#include "rviommu/msi.h"

#define DID 0x21u
#define IMSIC_BASE UINT64_C(0x24000000)
#define S_FILE(h) (IMSIC_BASE + (uint64_t)(h)*0x1000)
#define WBASE UINT64_C(0x08004000)
#define WSIZE UINT64_C(0x4000)

struct env {
	struct dh *h;
	struct rvd_iommu *iommu;
	struct rvd_domain *dom;
	struct rvimsic *im;
	struct rvmsi_sw_msi sw;
};

static void setup(struct env *e)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;

	memset(e, 0, sizeof(*e));
	rvm_config_default(&mc);
	e->h = dh_create(1024, &mc);
	dh_default_config(&dc);
	e->iommu = rvd_probe(&e->h->ops, e->h, &dc, &err);
	if (!e->iommu)
		fail_msg("rvd_probe: %d (%s)", err, e->h->last_log);
	e->dom = rvd_domain_alloc_paging_stage(e->iommu, RVD_STAGE_FIRST, &err);
	assert_non_null(e->dom);
	assert_int_equal(rvd_attach_dev(e->dom, DID), 0);
	struct rvimsic_config ic = {.base = IMSIC_BASE,
	                            .groups = 1,
	                            .harts = 4,
	                            .num_ids = 63,
	                            .hart_index_bits = 2,
	                            .be_supported = true};
	assert_int_equal(rvimsic_create(&ic, &e->im), 0);
	assert_int_equal(rvmsi_sw_msi_init(&e->sw, e->dom, WBASE, WSIZE), 0);
}

static void teardown(struct env *e)
{
	rvmsi_sw_msi_destroy(&e->sw);
	assert_int_equal(rvd_attach_dev(rvd_blocked_domain(e->iommu), DID), 0);
	assert_int_equal(rvd_domain_free(e->dom), 0);
	rvd_remove(e->iommu);
	assert_int_equal(e->h->live_pages, 0);
	dh_destroy(e->h);
	rvimsic_destroy(e->im);
}

/* The device writes identity @id to @iova: returns the fault cause, 0
 * once the IMSIC took the write (little-endian at offset 0, big-endian at
 * offset 4, as the device's MSI would carry it). */
static int msi(struct env *e, uint64_t iova, uint32_t id)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	uint8_t b[4];

	memset(&rq, 0, sizeof(rq));
	rq.device_id = DID;
	rq.access = RVM_ACC_WRITE;
	rq.iova = iova;
	rq.len = 4;
	int cause = rvm_translate(e->h->m, &rq, &rs);
	if (cause)
		return cause;
	assert_true(rvimsic_contains(e->im, rs.pa));
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(id >> ((rs.pa & 4) ? 24 - 8 * i : 8 * i));
	assert_int_equal(rvimsic_mmio_write(e->im, rs.pa, b, 4), 0);
	return 0;
}

static uint64_t eip0(struct env *e, uint32_t hart)
{
	uint64_t v = 0;
	assert_int_equal(
	    rvimsic_ireg_read(e->im, (struct rvimsic_file_id){0, hart, 0}, RVIMSIC_ISEL_EIP0, &v),
	    0);
	return v;
}

/* prepare -> the MSI reaches hart 2's S file; a second doorbell (hart 0)
 * gets the next page; after the last release the IOVA faults with cause
 * 15 even though the translation was cached in the IOTLB. */
static void test_prepare_deliver_release(void **state)
{
	(void)state;
	struct env e;
	uint64_t iova = 0, iova0 = 0;
	setup(&e);

	assert_int_equal(msi(&e, WBASE, 5), RVI_CAUSE_WR_PAGE); /* nothing mapped yet */
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(2), &iova), 0);
	assert_int_equal(iova, WBASE);
	assert_int_equal(rvd_iova_to_phys(e.dom, iova), S_FILE(2));
	assert_int_equal(msi(&e, iova, 5), 0);
	assert_int_equal(eip0(&e, 2), UINT64_C(1) << 5);
	assert_int_equal(eip0(&e, 0) | eip0(&e, 1) | eip0(&e, 3), 0);

	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(0), &iova0), 0);
	assert_int_equal(iova0, WBASE + 0x1000);
	assert_int_equal(msi(&e, iova0, 7), 0);
	assert_int_equal(eip0(&e, 0), UINT64_C(1) << 7);

	/* a second user of hart 2's doorbell: same IOVA, two references */
	uint64_t again = 0;
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(2), &again), 0);
	assert_int_equal(again, WBASE);
	assert_int_equal(rvmsi_sw_msi_refs(&e.sw, S_FILE(2)), 2);
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(2)), 0);
	assert_int_equal(msi(&e, iova, 9), 0); /* still mapped */
	assert_int_equal(eip0(&e, 2), (UINT64_C(1) << 5) | (UINT64_C(1) << 9));

	/* the last release: unmapped and synced, so the cached entry is gone */
	unsigned f0 = e.h->n_fences;
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(2)), 0);
	assert_true(e.h->n_fences > f0);
	assert_int_equal(rvd_iova_to_phys(e.dom, iova), 0);
	assert_int_equal(msi(&e, iova, 11), RVI_CAUSE_WR_PAGE);
	assert_int_equal(eip0(&e, 2), (UINT64_C(1) << 5) | (UINT64_C(1) << 9));
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(2)), -ENOENT);
	assert_int_equal(rvmsi_sw_msi_refs(&e.sw, S_FILE(2)), 0);
	/* hart 0's page is untouched */
	assert_int_equal(msi(&e, iova0, 8), 0);
	assert_int_equal(eip0(&e, 0), (UINT64_C(1) << 7) | (UINT64_C(1) << 8));

	/* the freed page is reused, lowest first, for a new doorbell */
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(3), &iova), 0);
	assert_int_equal(iova, WBASE);
	assert_int_equal(msi(&e, iova, 12), 0);
	assert_int_equal(eip0(&e, 3), UINT64_C(1) << 12);
	teardown(&e);
}

/* seteipnum_le (offset 0) and seteipnum_be (offset 4) of one file share
 * one IOVA page; the returned address keeps the doorbell's page offset. */
static void test_two_doorbells_one_page(void **state)
{
	(void)state;
	struct env e;
	uint64_t le = 0, be = 0;
	setup(&e);
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(1) + RVIMSIC_REG_SETEIPNUM_LE, &le), 0);
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(1) + RVIMSIC_REG_SETEIPNUM_BE, &be), 0);
	assert_int_equal(le, WBASE);
	assert_int_equal(be, WBASE + 4);
	assert_int_equal(e.sw.live, 1);
	assert_int_equal(rvmsi_sw_msi_refs(&e.sw, S_FILE(1)), 2);
	assert_int_equal(msi(&e, le, 3), 0);
	assert_int_equal(msi(&e, be, 40), 0);
	assert_int_equal(eip0(&e, 1), (UINT64_C(1) << 3) | (UINT64_C(1) << 40));
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(1) + 4), 0);
	assert_int_equal(msi(&e, le, 4), 0);
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(1)), 0);
	assert_int_equal(msi(&e, be, 41), RVI_CAUSE_WR_PAGE);
	assert_int_equal(e.sw.live, 0);
	teardown(&e);
}

/* Four pages, four doorbells: every IOVA is a distinct page inside the
 * window, the pages around the window stay unmapped, a fifth doorbell
 * gets -ENOSPC (nothing mapped), and a release makes room again. */
static void test_window_bounds_and_exhaustion(void **state)
{
	(void)state;
	struct env e;
	uint64_t iova[4], extra = 0;
	setup(&e);
	for (uint32_t h = 0; h < 4; h++) {
		assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(h), &iova[h]), 0);
		assert_true(iova[h] >= WBASE && iova[h] < WBASE + WSIZE);
		assert_int_equal(iova[h], WBASE + h * 0x1000);
		assert_int_equal(msi(&e, iova[h], 20 + h), 0);
		assert_int_equal(eip0(&e, h), UINT64_C(1) << (20 + h));
	}
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, IMSIC_BASE + 0x10000, &extra), -ENOSPC);
	assert_int_equal(rvd_iova_to_phys(e.dom, WBASE + WSIZE), 0);
	assert_int_equal(rvd_iova_to_phys(e.dom, WBASE - 0x1000), 0);
	assert_int_equal(msi(&e, WBASE + WSIZE, 1), RVI_CAUSE_WR_PAGE);
	/* an existing doorbell still gets its page when the window is full */
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(3) + 4, &extra), 0);
	assert_int_equal(extra, iova[3] + 4);
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(1)), 0);
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, IMSIC_BASE + 0x10000, &extra), 0);
	assert_int_equal(extra, iova[1]);
	teardown(&e);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct env e;
	struct rvmsi_sw_msi s2;
	uint64_t iova;
	int err = 0;
	setup(&e);
	assert_int_equal(rvmsi_sw_msi_prepare(NULL, S_FILE(0), &iova), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(0), NULL), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_prepare(&e.sw, S_FILE(0) + 2, &iova), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_release(NULL, S_FILE(0)), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_release(&e.sw, S_FILE(0)), -ENOENT);
	assert_int_equal(rvmsi_sw_msi_init(&s2, e.dom, WBASE + 1, WSIZE), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, e.dom, WBASE, 0x800), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, e.dom, WBASE, 0), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, e.dom, UINT64_C(0xfffffffffffff000), 0x2000),
	                 -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, NULL, WBASE, WSIZE), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, e.dom, 0, (RVMSI_SW_MSI_MAX_PAGES + 1) << 12),
	                 -ERANGE);
	/* only first-stage paging domains have a SW_MSI aperture */
	struct rvd_domain *d2 = rvd_domain_alloc_paging_stage(e.iommu, RVD_STAGE_SECOND, &err);
	assert_non_null(d2);
	assert_int_equal(rvmsi_sw_msi_init(&s2, d2, WBASE, WSIZE), -EINVAL);
	assert_int_equal(rvmsi_sw_msi_init(&s2, rvd_identity_domain(e.iommu), WBASE, WSIZE),
	                 -EINVAL);
	assert_int_equal(rvd_domain_free(d2), 0);

	/* from the regions: the SW_MSI entry's window; none: -ENOENT */
	struct rvmsi_region r[2] = {{S_FILE(0), 0x4000, RVMSI_RESV_DIRECT_RELAXABLE},
	                            {RVMSI_SW_MSI_BASE, RVMSI_SW_MSI_MIN_SIZE, RVMSI_RESV_SW_MSI}};
	struct rvmsi_regions rg = {.r = r, .n = 2};
	assert_int_equal(rvmsi_sw_msi_init_regions(&s2, e.dom, &rg), 0);
	assert_int_equal(s2.base, RVMSI_SW_MSI_BASE);
	assert_int_equal(s2.pages, 256);
	assert_int_equal(rvmsi_sw_msi_prepare(&s2, S_FILE(2), &iova), 0);
	assert_int_equal(iova, RVMSI_SW_MSI_BASE);
	rvmsi_sw_msi_destroy(&s2); /* unmaps what is live */
	assert_int_equal(rvd_iova_to_phys(e.dom, RVMSI_SW_MSI_BASE), 0);
	rg.n = 1;
	assert_int_equal(rvmsi_sw_msi_init_regions(&s2, e.dom, &rg), -ENOENT);
	teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prepare_deliver_release),
	    cmocka_unit_test(test_two_doorbells_one_page),
	    cmocka_unit_test(test_window_bounds_and_exhaustion),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
