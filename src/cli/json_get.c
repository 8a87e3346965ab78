/* SPDX-License-Identifier: MIT
 *
 * cli/json_get.c - checked field access for JSON Lines input (see
 * json_get.h).  Strict by design: a stimulus file with a typo or an
 * out-of-range value is rejected with a message, never guessed at.
 */
#include "util/json_num.h"
#include "cli/json_get.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int jget_fail(struct jget_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int jget_value_u64(const json_t *v, const char *what, uint64_t max, uint64_t *out,
                   struct jget_err *e)
{
	uint64_t x = 0;
	switch (rv_json_u64(v, false, &x)) {
	case RV_JSON_NUM_OK:
		break;
	case RV_JSON_NUM_NEGATIVE:
		return jget_fail(e, "%s: negative value %lld", what,
		                 (long long)json_integer_value(v));
	case RV_JSON_NUM_SYNTAX:
		return jget_fail(e, "%s: \"%s\" is not a 0x-hex integer", what,
		                 json_string_value(v));
	case RV_JSON_NUM_OVERFLOW:
		return jget_fail(e, "%s: \"%s\" does not fit in 64 bits", what,
		                 json_string_value(v));
	default:
		return jget_fail(e, "%s: expected an integer or a \"0x...\" string", what);
	}
	if (x > max)
		return jget_fail(e, "%s: 0x%llx is out of range (max 0x%llx)", what,
		                 (unsigned long long)x, (unsigned long long)max);
	*out = x;
	return 0;
}

int jget_u64(const json_t *o, const char *key, uint64_t max, uint64_t *out, struct jget_err *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return jget_fail(e, "missing field \"%s\"", key);
	return jget_value_u64(v, key, max, out, e);
}

int jget_u64_opt(const json_t *o, const char *key, uint64_t max, uint64_t dflt, uint64_t *out,
                 bool *present, struct jget_err *e)
{
	const json_t *v = json_object_get(o, key);
	if (present)
		*present = v != NULL;
	if (!v) {
		*out = dflt;
		return 0;
	}
	return jget_value_u64(v, key, max, out, e);
}

int jget_bool_opt(const json_t *o, const char *key, bool dflt, bool *out, struct jget_err *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v) {
		*out = dflt;
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = json_integer_value(v) == 1;
		return 0;
	}
	return jget_fail(e, "%s: expected true, false, 0 or 1", key);
}

int jget_choice(const json_t *o, const char *key, const char *const *choices, size_t n, int dflt,
                unsigned *idx, struct jget_err *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v) {
		if (dflt < 0)
			return jget_fail(e, "missing field \"%s\"", key);
		*idx = (unsigned)dflt;
		return 0;
	}
	if (json_is_string(v))
		for (size_t i = 0; i < n; i++)
			if (!strcmp(json_string_value(v), choices[i])) {
				*idx = (unsigned)i;
				return 0;
			}
	char list[160] = "";
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
		                         i ? ", " : "", choices[i]);
	return jget_fail(e, "%s: expected one of %s", key, list);
}

int jget_string(const json_t *o, const char *key, const char **out, struct jget_err *e)
{
	const json_t *v = json_object_get(o, key);
	if (!v)
		return jget_fail(e, "missing field \"%s\"", key);
	if (!json_is_string(v))
		return jget_fail(e, "%s: expected a string", key);
	*out = json_string_value(v);
	return 0;
}

int jget_check_keys(const json_t *o, const char *const *allowed, struct jget_err *e)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], key))
			i++;
		if (!allowed[i])
			return jget_fail(e, "unknown field \"%s\"", key);
	}
	return 0;
}

int jget_hex_bytes(const char *s, uint8_t *buf, size_t cap, size_t *len, struct jget_err *e)
{
	size_t n = strlen(s);
	if (n == 0)
		return jget_fail(e, "bytes: empty");
	if (n % 2)
		return jget_fail(e, "bytes: odd number of hex digits (%zu)", n);
	if (n / 2 > cap)
		return jget_fail(e, "bytes: more than %zu bytes", cap);
	for (size_t i = 0; i < n; i += 2) {
		int hi = rv_hex_digit(s[i]), lo = rv_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0)
			return jget_fail(e, "bytes: '%c' is not a hex digit",
			                 hi < 0 ? s[i] : s[i + 1]);
		buf[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}
