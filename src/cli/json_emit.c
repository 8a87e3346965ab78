/* SPDX-License-Identifier: MIT
 *
 * cli/json_emit.c - the fixed-order JSON Lines writer (see json_emit.h).
 */
#include "cli/json_emit.h"

#include <inttypes.h>

static void sep(struct jemit *j)
{
	if (!j->first)
		fputc(',', j->out);
	j->first = false;
}

void jemit_begin(struct jemit *j, FILE *out, const char *key, const char *value)
{
	j->out = out;
	j->first = true;
	fputc('{', out);
	jemit_str(j, key, value);
}

void jemit_hex(struct jemit *j, const char *key, uint64_t v)
{
	sep(j);
	fprintf(j->out, "\"%s\":\"0x%" PRIx64 "\"", key, v);
}

void jemit_str(struct jemit *j, const char *key, const char *s)
{
	sep(j);
	fprintf(j->out, "\"%s\":\"%s\"", key, s);
}

void jemit_bool(struct jemit *j, const char *key, bool b)
{
	sep(j);
	fprintf(j->out, "\"%s\":%s", key, b ? "true" : "false");
}

void jemit_end(struct jemit *j)
{
	fputs("}\n", j->out);
}
