/* SPDX-License-Identifier: MIT
 *
 * test_dt_bad.c - malformed device trees: each small .dts under
 * tests/data/dt/ breaks one rule, and the loader must return that rule's
 * code with a message naming the node path and the property.  Also raw
 * garbage, an empty file, a missing file, a truncated and a corrupted DTB,
 * and a DTS that dtc rejects (its stderr must reach the message).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rviommu/devicetree.h"

#define DATA(name) RVIOMMU_SOURCE_DIR "/tests/data/dt/" name
#define FIX(name) RVIOMMU_FIXTURES_DIR "/" name
#define IMSIC "/soc/interrupt-controller@28000000: "

struct bad_case {
	const char *file;
	int code;
	const char *node; /* must appear in the message */
	const char *prop; /* must appear in the message */
};

static const struct bad_case cases[] = {
    {"bad-no-num-ids.dts", RVDT_ERR_MISSING, IMSIC, "riscv,num-ids"},
    {"bad-num-ids-40.dts", RVDT_ERR_RANGE, IMSIC, "riscv,num-ids = 40 is outside 63..2047"},
    {"bad-num-ids-64.dts", RVDT_ERR_RANGE, IMSIC, "riscv,num-ids = 64"},
    {"bad-num-ids-2048.dts", RVDT_ERR_RANGE, IMSIC, "riscv,num-ids = 2048"},
    {"bad-num-ids-cells.dts", RVDT_ERR_BADLEN, IMSIC, "riscv,num-ids"},
    {"bad-num-guest-ids.dts", RVDT_ERR_RANGE, IMSIC, "riscv,num-guest-ids = 100"},
    {"bad-guest-bits-8.dts", RVDT_ERR_RANGE, IMSIC, "riscv,guest-index-bits = 8"},
    {"bad-hart-bits-16.dts", RVDT_ERR_RANGE, IMSIC, "riscv,hart-index-bits = 16"},
    {"bad-group-shift-56.dts", RVDT_ERR_RANGE, IMSIC, "riscv,group-index-shift = 56"},
    {"bad-group-shift-overlap.dts", RVDT_ERR_OVERLAP, IMSIC, "riscv,group-index-shift = 15"},
    {"bad-reg-mismatch.dts", RVDT_ERR_MISMATCH, IMSIC, "reg[1]"},
    {"bad-reg-truncated.dts", RVDT_ERR_BADLEN, IMSIC, "reg"},
    {"bad-reg-missing.dts", RVDT_ERR_MISSING, IMSIC, "reg"},
    {"bad-reg-too-small.dts", RVDT_ERR_RANGE, IMSIC, "interrupts-extended[1]"},
    {"bad-phandle.dts", RVDT_ERR_BADPHANDLE, IMSIC, "interrupts-extended[1]: phandle 0x99"},
    {"bad-not-cpu-intc.dts", RVDT_ERR_BADPHANDLE, IMSIC, "interrupts-extended[1]"},
    {"bad-irq-mixed.dts", RVDT_ERR_MISMATCH, IMSIC, "interrupts-extended[1]"},
    {"bad-irq-5.dts", RVDT_ERR_RANGE, IMSIC, "interrupts-extended[0]"},
    {"bad-ie-truncated.dts", RVDT_ERR_BADLEN, IMSIC, "interrupts-extended[1]: truncated"},
    {"bad-ie-missing.dts", RVDT_ERR_MISSING, IMSIC, "interrupts-extended"},
    {"bad-iommu-map-phandle.dts", RVDT_ERR_BADPHANDLE,
     "/soc/pci@30000000: ", "iommu-map[0]: phandle 0x77"},
    {"bad-iommu-map-truncated.dts", RVDT_ERR_BADLEN, "/soc/pci@30000000: ", "iommu-map"},
};

static void test_bad_trees(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		char path[512], err[1024];
		struct rvdt_platform *p = (void *)1;
		int ret;

		snprintf(path, sizeof(path), "%s", DATA(""));
		strncat(path, c->file, sizeof(path) - strlen(path) - 1);
		ret = rvdt_load_file(path, &p, err, sizeof(err));
		print_message("%s -> %s: %s\n", c->file, rvdt_strerror(ret), err);
		assert_int_equal(ret, -c->code);
		assert_null(p);
		assert_non_null(strstr(err, c->node));
		assert_non_null(strstr(err, c->prop));
	}
}

static void expect(const char *path, int code, const char *a, const char *b)
{
	struct rvdt_platform *p = (void *)1;
	char err[1024];
	int ret = rvdt_load_file(path, &p, err, sizeof(err));

	print_message("%s -> %s: %s\n", path, rvdt_strerror(ret), err);
	assert_int_equal(ret, -code);
	assert_null(p);
	assert_non_null(strstr(err, a));
	if (b)
		assert_non_null(strstr(err, b));
}

static void test_garbage_empty_missing(void **state)
{
	expect(DATA("garbage.bin"), RVDT_ERR_BADDTB, DATA("garbage.bin"), "neither a DTB");
	expect(DATA("empty.dtb"), RVDT_ERR_BADDTB, DATA("empty.dtb"), "empty");
	expect(DATA("no-such-file.dtb"), RVDT_ERR_IO, DATA("no-such-file.dtb"), "No such file");
}

static void test_dtc_rejects(void **state)
{
	/* dtc's own words reach the message */
	expect(DATA("bad-syntax.dts"), RVDT_ERR_DTC, DATA("bad-syntax.dts"), "syntax error");
}

static void test_truncated_and_corrupt_dtb(void **state)
{
	char err[512], tmp[] = "/tmp/test_dt_bad-XXXXXX";
	struct rvdt_platform *p;
	void *blob;
	char *bad;
	size_t size;
	FILE *f;
	int fd;

	assert_int_equal(rvdt_dtc_compile(FIX("virt-imsic-4.dts"), &blob, &size, err, sizeof(err)),
	                 0);
	/* half the blob: the header's totalsize runs past the end */
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(blob, 1, size / 2, f), size / 2);
	fclose(f);
	expect(tmp, RVDT_ERR_BADDTB, tmp, "FDT_ERR_TRUNCATED");
	unlink(tmp);
	assert_int_equal(rvdt_load_dtb(blob, size / 2, &p, err, sizeof(err)), -RVDT_ERR_BADDTB);
	assert_int_equal(rvdt_load_dtb(blob, 3, &p, err, sizeof(err)), -RVDT_ERR_BADDTB);
	/* a wrong magic */
	bad = malloc(size);
	assert_non_null(bad);
	memcpy(bad, blob, size);
	bad[0] ^= 0x40;
	assert_int_equal(rvdt_load_dtb(bad, size, &p, err, sizeof(err)), -RVDT_ERR_BADDTB);
	assert_non_null(strstr(err, "FDT_ERR_BADMAGIC"));
	/* the structure block's first token destroyed */
	memcpy(bad, blob, size);
	{
		uint8_t *u = (uint8_t *)bad;
		uint32_t off =
		    (uint32_t)u[8] << 24 | (uint32_t)u[9] << 16 | (uint32_t)u[10] << 8 | u[11];

		assert_true(off + 4 <= size);
		memset(bad + off, 0xff, 4);
	}
	assert_int_equal(rvdt_load_dtb(bad, size, &p, err, sizeof(err)), -RVDT_ERR_BADDTB);
	assert_null(p);
	/* the whole blob still loads */
	assert_int_equal(rvdt_load_dtb(blob, size, &p, err, sizeof(err)), 0);
	rvdt_free(p);
	/* a NULL error buffer is fine */
	assert_int_equal(rvdt_load_dtb(bad, size, &p, NULL, 0), -RVDT_ERR_BADDTB);
	/* a tiny buffer is truncated, not overrun */
	err[4] = 'Z';
	assert_int_equal(rvdt_load_dtb(bad, size, &p, err, 4), -RVDT_ERR_BADDTB);
	assert_int_equal(strlen(err), 3);
	assert_int_equal(err[4], 'Z');
	free(bad);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_trees),
	    cmocka_unit_test(test_garbage_empty_missing),
	    cmocka_unit_test(test_dtc_rejects),
	    cmocka_unit_test(test_truncated_and_corrupt_dtb),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
