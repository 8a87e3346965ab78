/* SPDX-License-Identifier: MIT
 *
 * cli/replay.c - `rviommu replay FILE|-`: drive the hardware model from a
 * JSON Lines stimulus and print what it does as JSON Lines.
 *
 * Each input line is one object with an "op" key (docs/replay.md).  Blank
 * lines and lines whose first non-blank character is '#' are comments.
 * Lines are read with getline(), so any length works.  The first error (bad
 * JSON, unknown op, missing, ill-typed or out-of-range field, an access the
 * model rejects) prints "rviommu replay: line N: ..." on stderr and exits 2;
 * everything allocated is freed on every path.  EOF exits 0.
 *
 * Before the first op that is not "reset", an implicit reset creates the
 * model from rvm_config_default().
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/replay.h"

int replay_setup(struct replay *r, const struct rvm_config *cfg)
{
	replay_teardown(r);
	unsigned pas = (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, cfg->capabilities);
	r->mem = rv_physmem_create(pas ? pas : 56);
	if (!r->mem)
		return jget_fail(&r->err, "out of memory");
	int err = 0;
	r->m = rvm_create(cfg, &replay_host_ops, r, &err);
	if (!r->m) {
		replay_teardown(r);
		return jget_fail(&r->err, "the model rejects this config: %s", rvm_strerror(err));
	}
	return 0;
}

void replay_teardown(struct replay *r)
{
	if (r->m)
		rvm_destroy(r->m);
	if (r->mem)
		rv_physmem_destroy(r->mem);
	r->m = NULL;
	r->mem = NULL;
}

static int op_reset(struct replay *r, const json_t *o)
{
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	if (replay_parse_config(o, &cfg, &r->err))
		return -1;
	return replay_setup(r, &cfg);
}

static const struct {
	const char *name;
	replay_op_fn fn;
} ops[] = {
    {"reset", op_reset},
    {"write_mem", replay_op_write_mem},
    {"read_mem", replay_op_read_mem},
    {"mark_mem", replay_op_mark_mem},
    {"write_reg", replay_op_write_reg},
    {"read_reg", replay_op_read_reg},
    {"translate", replay_op_translate},
    {"drain_faults", replay_op_drain_faults},
    {"page_request", replay_op_page_request},
    {"inval_completion", replay_op_inval_completion},
    {"advance", replay_op_advance},
    {"inject", replay_op_inject},
};

static bool is_comment(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return *s == '\0' || *s == '#';
}

/* One input line: 0, or -1 with r->err set. */
static int replay_line(struct replay *r, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return jget_fail(&r->err, "bad JSON: %s (column %d)", jerr.text, jerr.column);
	int rc = -1;
	const char *name;
	if (!json_is_object(o)) {
		jget_fail(&r->err, "expected a JSON object");
		goto out;
	}
	if (jget_string(o, "op", &name, &r->err))
		goto out;
	size_t i = 0;
	while (i < sizeof(ops) / sizeof(ops[0]) && strcmp(ops[i].name, name))
		i++;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		jget_fail(&r->err, "unknown op \"%s\"", name);
		goto out;
	}
	if (!r->m && ops[i].fn != op_reset) {
		struct rvm_config cfg;
		rvm_config_default(&cfg);
		if (replay_setup(r, &cfg))
			goto out;
	}
	rc = ops[i].fn(r, o);
out:
	json_decref(o);
	return rc;
}

static int replay_stream(FILE *in, const char *path)
{
	struct replay r = {.out = stdout};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	int status = RVCLI_EXIT_OK;
	while ((n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (is_comment(line))
			continue;
		if (memchr(line, '\0', (size_t)n)) {
			fprintf(stderr, "rviommu replay: line %lu: NUL byte in line\n", lineno);
			status = RVCLI_EXIT_USAGE;
			break;
		}
		if (replay_line(&r, line, (size_t)n)) {
			fflush(r.out);
			fprintf(stderr, "rviommu replay: line %lu: %s\n", lineno, r.err.msg);
			status = RVCLI_EXIT_USAGE;
			break;
		}
	}
	if (status == RVCLI_EXIT_OK && ferror(in)) {
		fprintf(stderr, "rviommu replay: %s: read error\n", path);
		status = RVCLI_EXIT_USAGE;
	}
	free(line);
	replay_teardown(&r);
	if (fflush(stdout) && status == RVCLI_EXIT_OK) {
		fprintf(stderr, "rviommu replay: write error on stdout\n");
		status = RVCLI_EXIT_FAIL;
	}
	return status;
}

int rvcli_replay(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rviommu replay FILE|-\n");
		return RVCLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-"))
		return replay_stream(stdin, "<stdin>");
	FILE *in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "rviommu replay: cannot open %s\n", argv[1]);
		return RVCLI_EXIT_USAGE;
	}
	int rc = replay_stream(in, argv[1]);
	fclose(in);
	return rc;
}
