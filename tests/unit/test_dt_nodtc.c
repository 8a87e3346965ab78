/* SPDX-License-Identifier: MIT
 *
 * test_dt_nodtc.c - a build where dtc was not found at configure time.
 * This file compiles src/dt/load.c itself with RVIOMMU_DTC_PATH left
 * undefined (so it is ""); its definitions take the place of the library's
 * load.o at link time.  A DTS must then fail with RVDT_ERR_NODTC, while a
 * DTB still loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#undef RVIOMMU_DTC_PATH
#include "dt/load.c"

static void test_nodtc(void **state)
{
	struct rvdt_platform *p = (void *)1;
	char err[512];
	void *blob;
	size_t size;

	assert_string_equal(rvdt_dtc_path_(), "");
	assert_int_equal(
	    rvdt_load_file(RVIOMMU_FIXTURES_DIR "/virt-imsic-4.dts", &p, err, sizeof(err)),
	    -RVDT_ERR_NODTC);
	assert_null(p);
	assert_non_null(strstr(err, "virt-imsic-4.dts"));
	assert_non_null(strstr(err, "dtc was not found"));
	assert_int_equal(rvdt_dtc_compile(RVIOMMU_FIXTURES_DIR "/virt-imsic-4.dts", &blob, &size,
	                                  err, sizeof(err)),
	                 -RVDT_ERR_NODTC);
	/* garbage is still reported as garbage, not as a dtc problem */
	assert_int_equal(
	    rvdt_load_file(RVIOMMU_SOURCE_DIR "/tests/data/dt/garbage.bin", &p, err, sizeof(err)),
	    -RVDT_ERR_BADDTB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nodtc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
