/* SPDX-License-Identifier: MIT
 *
 * test_plat_create.c - building platforms from device trees: the embedded
 * default (8 harts, 3 guest files per hart, one IOMMU), each fixture DTS
 * (QEMU virt, which has no IOMMU node, so a default IOMMU is added), and
 * bad trees, which must fail with RVSIM_E_DT and a message naming the node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rviommu/platform.h"

static void test_default_platform(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_platform_info info;
	char err[256] = "";
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	rvsim_platform_info(p, &info);
	assert_int_equal(info.nr_harts, 8);
	assert_int_equal(info.guests_per_hart, 3);
	assert_int_equal(info.nr_iommus, 1);
	assert_int_equal(info.nr_imsics, 2); /* M and S level */
	assert_false(info.default_iommu);
	assert_int_equal(info.ram_base, 0x80000000u);
	rvsim_platform_destroy(p);
}

static void test_default_dtb_is_stable(void **state)
{
	(void)state;
	void *a, *b;
	size_t na, nb;
	assert_int_equal(rvsim_default_dtb(&a, &na), 0);
	assert_int_equal(rvsim_default_dtb(&b, &nb), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(a);
	free(b);
}

static void fixture(const char *name, size_t harts, uint32_t guests)
{
	char path[1024], err[256] = "";
	struct rvsim_platform *p = NULL;
	struct rvsim_platform_info info;
	snprintf(path, sizeof(path), "%s/%s", RVIOMMU_FIXTURES_DIR, name);
	int r = rvsim_platform_create(path, &p, err, sizeof(err));
	if (r)
		fail_msg("%s: %d %s", name, r, err);
	rvsim_platform_info(p, &info);
	assert_int_equal(info.nr_harts, harts);
	assert_int_equal(info.guests_per_hart, guests);
	assert_true(info.default_iommu);
	assert_int_equal(info.nr_iommus, 1);
	rvsim_platform_destroy(p);
}

static void test_fixtures(void **state)
{
	(void)state;
	fixture("virt-imsic-4.dts", 4, 0);
	fixture("virt-imsic-8-g3.dts", 8, 3);
	fixture("virt-imsic-2s-16-g7.dts", 16, 7);
}

static int bad_tree(const char *dts, char *err, size_t errlen)
{
	char path[] = "/tmp/rvsim_badXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
	close(fd);
	struct rvsim_platform *p = NULL;
	int r = rvsim_platform_create(path, &p, err, errlen);
	unlink(path);
	assert_null(p);
	return r;
}

static void test_bad_trees(void **state)
{
	(void)state;
	char err[256] = "";
	/* garbage */
	assert_int_equal(bad_tree("not a device tree", err, sizeof(err)), RVSIM_E_DT);
	assert_true(strlen(err) > 0);
	/* no memory */
	assert_int_equal(bad_tree("/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;"
	                          " cpus { #address-cells = <1>; #size-cells = <0>;"
	                          " cpu@0 { device_type = \"cpu\"; reg = <0>; }; }; };",
	                          err, sizeof(err)),
	                 RVSIM_E_DT);
	assert_non_null(strstr(err, "memory"));
	/* RAM but no IMSIC */
	assert_int_equal(bad_tree("/dts-v1/; / { #address-cells = <2>; #size-cells = <2>;"
	                          " cpus { #address-cells = <1>; #size-cells = <0>;"
	                          " cpu@0 { device_type = \"cpu\"; reg = <0>; }; };"
	                          " memory@80000000 { device_type = \"memory\";"
	                          " reg = <0 0x80000000 0 0x40000000>; }; };",
	                          err, sizeof(err)),
	                 RVSIM_E_DT);
	assert_non_null(strstr(err, "imsics"));
	/* missing file */
	struct rvsim_platform *p = NULL;
	assert_int_equal(rvsim_platform_create("/nonexistent/x.dtb", &p, err, sizeof(err)),
	                 RVSIM_E_DT);
	assert_non_null(strstr(err, "/nonexistent/x.dtb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_platform),
	    cmocka_unit_test(test_default_dtb_is_stable),
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_bad_trees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
