/* SPDX-License-Identifier: MIT
 *
 * cli/json_emit.h - byte-stable JSON Lines output: one object per line, keys
 * in the order the caller adds them, integers as lower-case "0x..." strings.
 * Keys and string values are fixed identifiers chosen by the program, so no
 * escaping is done (callers never pass user text).
 */
#ifndef RVIOMMU_CLI_JSON_EMIT_H
#define RVIOMMU_CLI_JSON_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jemit {
	FILE *out;
	bool first;
};

/* Start a line with its leading key ("op" or "event") and value. */
void jemit_begin(struct jemit *j, FILE *out, const char *key, const char *value);
void jemit_hex(struct jemit *j, const char *key, uint64_t v);
void jemit_str(struct jemit *j, const char *key, const char *s);
void jemit_bool(struct jemit *j, const char *key, bool b);
/* Close the object and end the line. */
void jemit_end(struct jemit *j);

#endif
