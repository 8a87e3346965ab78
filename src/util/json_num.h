/* SPDX-License-Identifier: MIT
 *
 * util/json_num.h - the one reader of unsigned integers in rviommu's JSON
 * formats (replay stimulus, scenarios): a JSON integer >= 0, or a string
 * "0x<hex digits>" (and, where the format allows it, "<decimal digits>"),
 * that fits 64 bits.  It returns a code; each format words its own
 * message, with its own path.
 */
#ifndef RVIOMMU_UTIL_JSON_NUM_H
#define RVIOMMU_UTIL_JSON_NUM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum rv_json_num {
	RV_JSON_NUM_OK = 0,
	RV_JSON_NUM_TYPE,     /* neither an integer nor a string */
	RV_JSON_NUM_NEGATIVE, /* a negative JSON integer */
	RV_JSON_NUM_SYNTAX,   /* a string that is not a number of the allowed forms */
	RV_JSON_NUM_OVERFLOW, /* a string whose value needs more than 64 bits */
};

int rv_json_u64(const json_t *v, bool decimal_strings, uint64_t *out);

/* The value of hex digit c (either case), or -1. */
int rv_hex_digit(char c);

#endif
