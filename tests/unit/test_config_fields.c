/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_config_fields.c - the model's config-by-name table
 * (rvm_config_fields, model.h): it must name every member of struct
 * rvm_config, because `rviommu replay` and the platform's scenarios reach
 * the knobs only through it.  A member missing from the table leaves a gap
 * in the struct's layout wider than padding, which the first test finds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "rviommu/model.h"

/* Sorted by offset, the fields tile the struct: between two fields, and
 * after the last, only padding (less than the next field's alignment,
 * which for these scalar members is their size; 8 at the end). */
static void test_fields_tile_the_struct(void **st)
{
	(void)st;
	size_t n;
	const struct rvm_config_field *f = rvm_config_fields(&n);
	assert_true(n >= 23);
	size_t end = 0;
	for (size_t k = 0; k < n; k++) {
		const struct rvm_config_field *next = NULL;
		for (size_t i = 0; i < n; i++)
			if (f[i].offset >= end && (!next || f[i].offset < next->offset))
				next = &f[i];
		assert_non_null(next);
		if (next->offset - end >= next->size)
			fail_msg("a member of %zu bytes or more between offsets %zu and %zu is "
			         "missing from the table",
			         next->size + (size_t)0, end, next->offset);
		end = next->offset + next->size;
	}
	assert_true(sizeof(struct rvm_config) - end < 8);
}

static void test_set_get_and_range(void **st)
{
	(void)st;
	struct rvm_config c;
	rvm_config_default(&c);
	const struct rvm_config_field *f = rvm_config_field_find("pwc_entries");
	assert_non_null(f);
	assert_int_equal(rvm_config_field_set(&c, f, 77), 0);
	assert_int_equal(c.pwc_entries, 77);
	assert_int_equal(rvm_config_field_get(&c, f), 77);
	f = rvm_config_field_find("icvec_bits"); /* uint8_t */
	assert_int_equal(rvm_config_field_set(&c, f, 256), RVM_ERANGE);
	assert_int_equal(c.icvec_bits, 4); /* unchanged */
	f = rvm_config_field_find("msi_be");
	assert_true(f->is_bool);
	assert_int_equal(rvm_config_field_set(&c, f, 2), RVM_ERANGE);
	assert_int_equal(rvm_config_field_set(&c, f, 0), 0);
	assert_false(c.msi_be);
	f = rvm_config_field_find("capabilities");
	assert_int_equal(rvm_config_field_set(&c, f, UINT64_MAX), 0);
	assert_true(c.capabilities == UINT64_MAX);
}

static void test_aliases_and_unknown(void **st)
{
	(void)st;
	assert_ptr_equal(rvm_config_field_find("ioatc"), rvm_config_field_find("iotlb_entries"));
	assert_ptr_equal(rvm_config_field_find("ddtp_mode"),
	                 rvm_config_field_find("ddtp_reset_mode"));
	assert_null(rvm_config_field_find("iotlb"));
	assert_null(rvm_config_field_find(""));
}

/* §5.3 capability bit positions, written out by hand. */
static void test_capability_names(void **st)
{
	(void)st;
	assert_true(rvm_capability_by_name("sv39") == (UINT64_C(1) << 9));
	assert_true(rvm_capability_by_name("SV48x4") == (UINT64_C(1) << 18));
	assert_true(rvm_capability_by_name("msi_flat") == (UINT64_C(1) << 22));
	assert_true(rvm_capability_by_name("ats") == (UINT64_C(1) << 25));
	assert_true(rvm_capability_by_name("pd20") == (UINT64_C(1) << 40));
	assert_true(rvm_capability_by_name("s") == (UINT64_C(1) << 43));
	assert_true(rvm_capability_by_name("svrsw60t59b") == (UINT64_C(1) << 14));
	assert_true(rvm_capability_by_name("igs") == 0); /* a field, not a bit */
	assert_true(rvm_capability_by_name("bogus") == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields_tile_the_struct),
	    cmocka_unit_test(test_set_get_and_range),
	    cmocka_unit_test(test_aliases_and_unknown),
	    cmocka_unit_test(test_capability_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
