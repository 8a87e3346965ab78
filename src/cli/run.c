/* SPDX-License-Identifier: MIT
 *
 * cli/run.c - `rviommu run [--dtb FILE] [--scenario FILE] [--json]
 * [--trace FILE] [--seed N]`: build a platform (the embedded default
 * without --dtb), run a scenario (the default without --scenario), print the
 * report (text, or one JSON object with --json) and exit 0 when every
 * invariant held, 1 when one failed, 2 for bad usage, a bad device tree or a
 * bad scenario (the message names the node/property or the JSON field).
 *
 * --trace FILE writes JSON Lines events (docs/cli.md).  --seed N (default 1)
 * seeds the simulator's RNG; one seed gives a byte-identical report.  A
 * progress line appears on stderr only when stderr is a terminal and the run
 * has taken more than about 2 seconds; it is erased before the report.
 *
 * Invariants: (1) every exit path frees what it allocated and closes the
 * trace file; (2) nothing but the report goes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/run.h"
#include "rviommu/platform.h"

static void usage_(FILE *out)
{
	fprintf(out,
	        "usage: rviommu run %s\n"
	        "  --dtb FILE       device tree (DTB, or DTS compiled with dtc);\n"
	        "                   default: the embedded QEMU virt-like platform\n"
	        "  --scenario FILE  scenario JSON (docs/scenario-format.md);\n"
	        "                   default: the built-in scenario\n"
	        "  --json           print the report as one JSON object\n"
	        "  --trace FILE     write JSON Lines events to FILE\n"
	        "  --seed N         RNG seed (default 1); same seed, same report\n",
	        RVCLI_RUN_ARGS);
}

static int parse_seed_(const char *s, unsigned long long *seed)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*seed = strtoull(s, &end, 0);
	return (errno || *end) ? -1 : 0;
}

int rvcli_run(int argc, char **argv)
{
	const char *dtb = NULL, *scen = NULL, *trace = NULL;
	unsigned long long seed = 1;
	int json = 0;
	char err[512] = "";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_(stdout);
			return RVCLI_EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = 1;
			continue;
		} else if (strcmp(a, "--dtb") && strcmp(a, "--scenario") && strcmp(a, "--trace") &&
		           strcmp(a, "--seed")) {
			fprintf(stderr, "rviommu run: unknown option '%s'\n", a);
			usage_(stderr);
			return RVCLI_EXIT_USAGE;
		}
		if (!val) {
			fprintf(stderr, "rviommu run: %s needs a value\n", a);
			return RVCLI_EXIT_USAGE;
		}
		i++;
		if (!strcmp(a, "--dtb"))
			dtb = val;
		else if (!strcmp(a, "--scenario"))
			scen = val;
		else if (!strcmp(a, "--trace"))
			trace = val;
		else if (parse_seed_(val, &seed)) {
			fprintf(stderr, "rviommu run: --seed: '%s' is not a non-negative integer\n",
			        val);
			return RVCLI_EXIT_USAGE;
		}
	}

	struct rvsim_scenario *s = NULL;
	int r = scen ? rvsim_scenario_load(scen, &s, err, sizeof(err))
	             : rvsim_scenario_parse(rvsim_default_scenario_json(),
	                                    strlen(rvsim_default_scenario_json()), &s, err,
	                                    sizeof(err));
	if (r) {
		fprintf(stderr, "rviommu run: scenario %s\n", err);
		return RVCLI_EXIT_USAGE;
	}
	struct rvsim_platform *p = NULL;
	r = rvsim_platform_create(dtb, &p, err, sizeof(err));
	if (r) {
		fprintf(stderr, "rviommu run: %s: %s\n", dtb ? dtb : "default platform", err);
		rvsim_scenario_free(s);
		return r == RVSIM_E_NOMEM ? RVCLI_EXIT_FAIL : RVCLI_EXIT_USAGE;
	}
	FILE *tf = NULL;
	if (trace && !(tf = fopen(trace, "w"))) {
		fprintf(stderr, "rviommu run: --trace %s: %s\n", trace, strerror(errno));
		rvsim_platform_destroy(p);
		rvsim_scenario_free(s);
		return RVCLI_EXIT_USAGE;
	}
	struct rvsim_run_opts o = {
	    .seed = seed,
	    .trace = tf,
	    .progress = isatty(STDERR_FILENO) ? stderr : NULL,
	};
	struct rvsim_result *res = NULL;
	r = rvsim_run(p, s, &o, &res, err, sizeof(err));
	int status;
	if (r) {
		/* Same form as a load error: "scenario FILE: path: problem". */
		fprintf(stderr, "rviommu run: scenario %s: %s\n", scen ? scen : "(default)", err);
		status = r == RVSIM_E_SCENARIO ? RVCLI_EXIT_USAGE : RVCLI_EXIT_FAIL;
	} else {
		if (json)
			rvsim_report_json(res, stdout);
		else
			rvsim_report_text(res, stdout);
		status = rvsim_result_ok(res) ? RVCLI_EXIT_OK : RVCLI_EXIT_FAIL;
	}
	if (tf && fclose(tf)) {
		fprintf(stderr, "rviommu run: --trace %s: %s\n", trace, strerror(errno));
		status = RVCLI_EXIT_FAIL;
	}
	rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
	return status;
}
