/* SPDX-License-Identifier: MIT
 *
 * test_plat_multi.c - a platform with two IOMMUs: a platform "riscv,iommu"
 * that signals by MSI (msi-parent = the S-level IMSIC) and a PCI
 * "riscv,pci-iommu" that is wired (no msi-parent).  The PCI host's
 * iommu-map sends bus 0 to the first and bus 1 to the second, with an
 * offset.  Each IOMMU's faults must reach its own driver instance through
 * its own interrupt path, with the device_id the iommu-map gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/plat_internal.h"
#include "rviommu/platform.h"

static const char dts[] =
    "/dts-v1/;\n"
    "/ { #address-cells = <2>; #size-cells = <2>;\n"
    "  cpus { #address-cells = <1>; #size-cells = <0>;\n"
    "    cpu@0 { device_type = \"cpu\"; reg = <0>; i0: interrupt-controller {\n"
    "      #interrupt-cells = <1>; interrupt-controller; compatible = \"riscv,cpu-intc\"; }; };\n"
    "    cpu@1 { device_type = \"cpu\"; reg = <1>; i1: interrupt-controller {\n"
    "      #interrupt-cells = <1>; interrupt-controller; compatible = \"riscv,cpu-intc\"; }; };\n"
    "  };\n"
    "  memory@80000000 { device_type = \"memory\"; reg = <0 0x80000000 0 0x10000000>; };\n"
    "  soc { #address-cells = <2>; #size-cells = <2>; ranges;\n"
    "    s: imsics@28000000 { compatible = \"riscv,imsics\"; interrupt-controller;\n"
    "      msi-controller; #interrupt-cells = <0>; riscv,num-ids = <255>;\n"
    "      reg = <0 0x28000000 0 0x2000>; interrupts-extended = <&i0 9 &i1 9>; };\n"
    "    io0: iommu@3010000 { compatible = \"riscv,iommu\"; reg = <0 0x3010000 0 0x1000>;\n"
    "      #iommu-cells = <1>; msi-parent = <&s>; };\n"
    "    pci@30000000 { device_type = \"pci\"; compatible = \"pci-host-ecam-generic\";\n"
    "      #address-cells = <3>; #size-cells = <2>; reg = <0 0x30000000 0 0x10000000>;\n"
    "      msi-parent = <&s>;\n"
    "      iommu-map = <0x000 &io0 0x000 0x100>, <0x100 &io1 0x4000 0x100>;\n"
    "      io1: iommu@1,0 { compatible = \"riscv,pci-iommu\"; reg = <0x800 0 0 0 0>;\n"
    "        #iommu-cells = <1>; interrupts = <1 2 3 4>; };\n"
    "    };\n"
    "  };\n"
    "};\n";

static const char scen[] =
    "{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:02.0\"},{\"name\":\"b\",\"bdf\":\"01:02.0\"}],"
    "\"domains\":[{\"name\":\"da\",\"devices\":[\"a\"],\"maps\":[{\"iova\":\"0x10000\","
    "\"size\":\"0x2000\"}]},{\"name\":\"db\",\"devices\":[\"b\"],\"maps\":[{\"iova\":\"0x10000\","
    "\"size\":\"0x2000\"}]}],"
    "\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":\"0x10000\",\"size\":\"0x3000\","
    "\"chunk\":4096},{\"op\":\"dma\",\"device\":\"b\",\"iova\":\"0x10000\",\"size\":\"0x5000\","
    "\"chunk\":4096},{\"op\":\"msi\",\"device\":\"a\"},{\"op\":\"msi\",\"device\":\"b\","
    "\"count\":2},{\"op\":\"wait\"}]}";

static void test_two_iommus(void **state)
{
	(void)state;
	char path[] = "/tmp/rvsim_multiXXXXXX";
	char err[512] = "";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, dts, strlen(dts)), (ssize_t)strlen(dts));
	close(fd);
	struct rvsim_platform *p = NULL;
	int r = rvsim_platform_create(path, &p, err, sizeof(err));
	unlink(path);
	if (r)
		fail_msg("%s", err);
	assert_int_equal(p->nr_iommus, 2);
	assert_false(p->iommus[0].wsi);
	assert_true(p->iommus[1].wsi);

	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	assert_int_equal(rvsim_scenario_parse(scen, strlen(scen), &s, err, sizeof(err)), 0);
	struct rvsim_run_opts o = {.seed = 9};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("%s", err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	rvsim_report_text(res, f);
	fclose(f);
	if (!rvsim_result_ok(res))
		fail_msg("%s", buf);
	/* device a: bus 0 -> iommu0, device_id = RID 0x10; b: bus 1 -> iommu1,
	 * device_id 0x4000 + (0x110 - 0x100) */
	if (!strstr(buf, "00:02.0       0x10 ") || !strstr(buf, "01:02.0     0x4010 "))
		fail_msg("%s", buf);
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_result_dev(res, "a", &st), 0);
	assert_int_equal(st.faults, 1); /* one page past its 2 */
	assert_int_equal(st.msis_delivered, 1);
	assert_int_equal(rvsim_result_dev(res, "b", &st), 0);
	assert_int_equal(st.faults, 3);
	assert_int_equal(st.msis_delivered, 2);
	/* each fault interrupt came through its own path: MSI for iommu0 (to
	 * hart 0's file), the wire for iommu1 */
	assert_true(p->iommus[0].irqs >= 1);
	assert_true(p->iommus[1].irqs >= 1);
	assert_int_equal(p->iommus[0].handled, 1);
	assert_int_equal(p->iommus[1].handled, 3);
	free(buf);
	rvsim_result_free(res);
	rvsim_scenario_free(s);
	rvsim_platform_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_iommus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
