/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_spec_fields.c - every field mask in rviommu/spec.h against
 * tests/data/spec_fields.csv, which was transcribed separately from the
 * spec's register and structure tables (name,hi,lo).  A hand-copied table
 * drifts (STYLE.md §6); this test makes the drift a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "rviommu/spec.h"

struct field {
	const char *name;
	uint64_t mask;
};

#define F(x) {#x, x}
static const struct field fields[] = {
#include "spec_fields.inc"
};

static void test_masks_match_transcription(void **state)
{
	(void)state;
	FILE *fp = fopen(RVIOMMU_SOURCE_DIR "/tests/data/spec_fields.csv", "r");
	assert_non_null(fp);
	char line[256];
	unsigned checked = 0;
	while (fgets(line, sizeof(line), fp)) {
		char name[128];
		unsigned hi, lo;
		if (line[0] == '#' || sscanf(line, "%127[^,],%u,%u", name, &hi, &lo) != 3)
			continue;
		const struct field *f = NULL;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(fields[i].name, name))
				f = &fields[i];
		if (!f)
			fail_msg("%s is in the CSV but not in spec_fields.inc", name);
		uint64_t want = RVI_GENMASK(hi, lo);
		if (f->mask != want)
			fail_msg("%s: spec.h has 0x%016llx, the spec table says bits %u:%u",
				 name, (unsigned long long)f->mask, hi, lo);
		checked++;
	}
	fclose(fp);
	assert_int_equal(checked, sizeof(fields) / sizeof(fields[0]));
}

static void test_helpers(void **state)
{
	(void)state;
	/* §2.7: extract packs the mask's bits toward the LSB in order. */
	assert_int_equal(rvi_msi_extract(0xabcd, 0xf), 0xd);
	assert_int_equal(rvi_msi_extract(0x5, 0x5), 0x3);
	assert_int_equal(rvi_msi_extract(0x4, 0x5), 0x2);
	assert_int_equal(rvi_msi_extract(0x104, 0x10c), 0x5);
	/* ARINV: first zero at position X gives 2^(X+1) pages. */
	assert_int_equal(rvi_napot_range_size(0x0), 8192);
	assert_int_equal(rvi_napot_range_size(0x1), 16384);
	assert_int_equal(rvi_napot_range_size(0xff), UINT64_C(1) << 21);
	/* §3.1.1 DDI splits */
	assert_int_equal(rvi_ddi(0xabcdef, 0, 0), 0xef & 0x7f);
	assert_int_equal(rvi_ddi(0xabcdef, 1, 0), (0xabcdef >> 7) & 0x1ff);
	assert_int_equal(rvi_ddi(0xabcdef, 2, 0), 0xab);
	assert_int_equal(rvi_ddi(0xabcdef, 0, 1), 0xef & 0x3f);
	assert_int_equal(rvi_ddi(0xabcdef, 1, 1), (0xabcdef >> 6) & 0x1ff);
	assert_int_equal(rvi_ddi(0xabcdef, 2, 1), 0xabcdef >> 15);
	assert_int_equal(rvi_mgpaw(RVI_CAP_SV48X4 | RVI_CAP_SV39X4), 50);
	assert_int_equal(rvi_mgpaw(RVI_FIELD_PREP(RVI_CAP_PAS, 44)), 44);
	assert_int_equal(rvi_queue_entries(RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, 0)), 2);
	assert_int_equal(rvi_queue_entries(RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, 9)), 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masks_match_transcription),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
