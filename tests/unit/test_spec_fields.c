/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_spec_fields.c - every field mask in rviommu/spec.h against
 * tests/data/spec_fields.csv, which was transcribed separately from the
 * spec's register and structure tables.  A hand-copied table drifts
 * (STYLE.md §6); this test makes the drift a failure.
 *
 * CSV format: "name,hi,lo" per line; '#' lines are comments.  A name may
 * appear on several lines, and its ranges are OR'ed, so masks made of
 * several ranges (the *_RESERVED masks) are checked bit for bit.
 *
 * Three checks: (1) each CSV name is in spec_fields.inc and its OR'ed ranges
 * equal the spec.h mask; (2) each entry of spec_fields.inc appears in the
 * CSV; (3) each mask macro #defined in spec.h (a body built from RVI_BIT,
 * RVI_GENMASK or other masks) is listed in spec_fields.inc, so a new macro
 * cannot go unchecked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rviommu/spec.h"

struct field {
	const char *name;
	uint64_t mask;
};

#define F(x)                                                                                       \
	{                                                                                          \
#x, x                                                                              \
	}
static const struct field fields[] = {
#include "spec_fields.inc"
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int field_index(const char *name)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(fields[i].name, name))
			return (int)i;
	return -1;
}

static void test_masks_match_transcription(void **state)
{
	(void)state;
	FILE *fp = fopen(RVIOMMU_SOURCE_DIR "/tests/data/spec_fields.csv", "r");
	assert_non_null(fp);
	uint64_t want[NFIELDS] = {0};
	char line[256];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		char name[128];
		unsigned hi, lo;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127[^,],%u,%u", name, &hi, &lo) != 3 || hi > 63 || lo > hi)
			fail_msg("spec_fields.csv line %u is malformed", lineno);
		int i = field_index(name);
		if (i < 0)
			fail_msg("%s is in the CSV but not in spec_fields.inc", name);
		uint64_t range = RVI_GENMASK(hi, lo);
		if (want[i] & range)
			fail_msg("spec_fields.csv line %u: %s bits %u:%u overlap an earlier line",
			         lineno, name, hi, lo);
		want[i] |= range;
	}
	fclose(fp);
	for (size_t i = 0; i < NFIELDS; i++) {
		if (!want[i])
			fail_msg("%s is in spec_fields.inc but not in the CSV", fields[i].name);
		if (fields[i].mask != want[i])
			fail_msg("%s: spec.h has 0x%016llx, the spec tables say 0x%016llx",
			         fields[i].name, (unsigned long long)fields[i].mask,
			         (unsigned long long)want[i]);
	}
}

/* Is 'body' (a #define's replacement text, comment stripped) a mask: it
 * uses RVI_BIT/RVI_GENMASK, or is made only of known masks, '|' and
 * parentheses? */
static bool body_is_mask(const char *body)
{
	if (strstr(body, "RVI_GENMASK(") || strstr(body, "RVI_BIT("))
		return true;
	bool any = false;
	const char *p = body;
	while (*p) {
		if (isspace((unsigned char)*p) || *p == '|' || *p == '(' || *p == ')') {
			p++;
			continue;
		}
		if (!isalpha((unsigned char)*p) && *p != '_')
			return false;
		char id[128];
		size_t n = 0;
		while ((isalnum((unsigned char)*p) || *p == '_') && n < sizeof(id) - 1)
			id[n++] = *p++;
		id[n] = '\0';
		if (field_index(id) < 0)
			return false;
		any = true;
	}
	return any;
}

static void test_every_mask_is_listed(void **state)
{
	(void)state;
	FILE *fp = fopen(RVIOMMU_SOURCE_DIR "/include/rviommu/spec.h", "r");
	assert_non_null(fp);
	char line[512];
	unsigned masks = 0;
	while (fgets(line, sizeof(line), fp)) {
		char name[128];
		int end = 0;
		if (sscanf(line, "#define %127[A-Za-z0-9_]%n", name, &end) != 1)
			continue;
		if (line[end] == '(' || strncmp(name, "RVI_", 4))
			continue; /* function-like helper, or not a spec name */
		char *body = line + end;
		char *c = strstr(body, "/*");
		if (c)
			*c = '\0';
		if (!body_is_mask(body) && field_index(name) < 0) {
			/* Not a mask by shape.  A mask listed in .inc is fine. */
			continue;
		}
		if (field_index(name) < 0)
			fail_msg("spec.h defines mask %s but spec_fields.inc does not list it",
			         name);
		masks++;
	}
	fclose(fp);
	assert_int_equal(masks, NFIELDS);
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
	    cmocka_unit_test(test_every_mask_is_listed),
	    cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
