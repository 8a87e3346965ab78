/* SPDX-License-Identifier: MIT
 *
 * cli/json_get.h - typed, checked access to the fields of a parsed JSON
 * object, for the JSON Lines tools (`rviommu replay`).
 *
 * Integers may be JSON numbers (non-negative) or strings "0x..." of hex
 * digits (either case, at most 64 bits of value).  Every getter checks the
 * type and the range and, on failure, writes a one-line description naming
 * the key into a struct jget_err and returns -1.  Nothing here allocates.
 */
#ifndef RVIOMMU_CLI_JSON_GET_H
#define RVIOMMU_CLI_JSON_GET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jget_err {
	char msg[256];
};

/* Format a message into e; always returns -1 so callers can 'return'. */
int jget_fail(struct jget_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse one JSON value as an integer in [0, max].  'what' names it. */
int jget_value_u64(const json_t *v, const char *what, uint64_t max, uint64_t *out,
                   struct jget_err *e);

/* Required integer field. */
int jget_u64(const json_t *o, const char *key, uint64_t max, uint64_t *out, struct jget_err *e);
/* Optional integer field: *out = dflt when absent; *present (may be NULL)
 * tells whether it was given. */
int jget_u64_opt(const json_t *o, const char *key, uint64_t max, uint64_t dflt, uint64_t *out,
                 bool *present, struct jget_err *e);
/* Optional boolean field: true/false, or the integers 0/1. */
int jget_bool_opt(const json_t *o, const char *key, bool dflt, bool *out, struct jget_err *e);
/* String field that must be one of choices[0..n-1]; *idx receives the index.
 * When absent: an error if dflt < 0, else *idx = dflt. */
int jget_choice(const json_t *o, const char *key, const char *const *choices, size_t n, int dflt,
                unsigned *idx, struct jget_err *e);
/* Required string field. */
int jget_string(const json_t *o, const char *key, const char **out, struct jget_err *e);
/* Every key of o must be in the NULL-terminated list 'allowed'. */
int jget_check_keys(const json_t *o, const char *const *allowed, struct jget_err *e);

/* Decode a string of hex digit pairs (no prefix) into buf; *len receives the
 * byte count.  Errors: odd length, a non-hex character, more than cap bytes. */
int jget_hex_bytes(const char *s, uint8_t *buf, size_t cap, size_t *len, struct jget_err *e);

#endif
