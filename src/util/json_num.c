/* SPDX-License-Identifier: MIT
 *
 * util/json_num.c - see json_num.h.  Digits are parsed by hand so that an
 * overflow is an error rather than strtoull()'s silent clamp to all ones,
 * and so that no sign, space or prefix other than "0x" gets through.
 */
#include "util/json_num.h"

int rv_hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

static int parse_(const char *s, bool decimal_strings, uint64_t *out)
{
	unsigned base = 10;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	} else if (!decimal_strings) {
		return RV_JSON_NUM_SYNTAX;
	}
	if (!*s)
		return RV_JSON_NUM_SYNTAX;
	uint64_t v = 0;
	for (; *s; s++) {
		int d = rv_hex_digit(*s);
		if (d < 0 || (unsigned)d >= base)
			return RV_JSON_NUM_SYNTAX;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return RV_JSON_NUM_OVERFLOW;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return RV_JSON_NUM_OK;
}

int rv_json_u64(const json_t *v, bool decimal_strings, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return RV_JSON_NUM_NEGATIVE;
		*out = (uint64_t)i;
		return RV_JSON_NUM_OK;
	}
	if (json_is_string(v))
		return parse_(json_string_value(v), decimal_strings, out);
	return RV_JSON_NUM_TYPE;
}
