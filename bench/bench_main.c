/* SPDX-License-Identifier: MIT
 *
 * bench/bench_main.c - `rviommu bench [--quick] [WORKLOAD...]`: runs the
 * workloads of bench/workloads.c and prints one JSON object on stdout:
 *
 *   {"machine": {"cpu": "...", "nproc": N}, "quick": false,
 *    "workloads": [{"name": "b1", "what": "...", "ns_per_op": 12.3,
 *                   "ops": 10000000, "runs": 5, "target_ns": 15,
 *                   "ratio_to_target": 0.82, "iotlb_hit_ratio": 1.0}, ...]}
 *
 * ns_per_op is the median over the runs of (run time / ops), after one
 * untimed warm-up run.  Setup (building tables) is never timed.
 * Exit status: 0, 1 when a workload failed (a translation faulted), 2 on
 * bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench_regions.h"
#include "cli/cli.h"

#define RUNS_FULL 5
#define RUNS_QUICK 3

/* Print s as a JSON string body (it comes from /proc or our own table). */
static void json_str_(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static void cpu_model_(char *buf, size_t cap)
{
	snprintf(buf, cap, "unknown");
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (!fp)
		return;
	char line[512];
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "model name", 10) && strncmp(line, "uarch", 5))
			continue;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, cap, "%s", colon);
		break;
	}
	fclose(fp);
}

static const struct bench_workload *find_(const char *name)
{
	for (unsigned i = 0; i < bench_nworkloads; i++)
		if (!strcmp(bench_workloads[i].name, name))
			return &bench_workloads[i];
	return NULL;
}

/* Run one workload and print its JSON object; returns 0 or -1. */
static int run_one_(const struct bench_workload *w, bool quick, bool first)
{
	struct bench_env env = {0};
	void *state = NULL;
	uint64_t ops = 0;
	int rc = w->setup(&env, quick, &ops, &state);
	if (rc) {
		fprintf(stderr, "rviommu bench: %s: setup failed\n", w->name);
		if (env.m)
			bench_env_fini(&env);
		w->teardown(state);
		return -1;
	}
	unsigned runs = quick ? RUNS_QUICK : RUNS_FULL;
	double per_op[RUNS_FULL];
	rc = w->run(&env, state, ops); /* warm-up */
	struct rvm_stats before, after;
	rvm_get_stats(env.m, &before);
	for (unsigned r = 0; r < runs && !rc; r++) {
		double t0 = bench_now_ns();
		rc = w->run(&env, state, ops);
		per_op[r] = (bench_now_ns() - t0) / (double)ops;
	}
	rvm_get_stats(env.m, &after);
	bench_env_fini(&env);
	w->teardown(state);
	if (rc) {
		fprintf(stderr, "rviommu bench: %s: a translation failed\n", w->name);
		return -1;
	}
	qsort(per_op, runs, sizeof(per_op[0]), bench_cmp_double);
	double med = per_op[runs / 2];
	uint64_t lookups =
	    (after.iotlb_hits - before.iotlb_hits) + (after.iotlb_misses - before.iotlb_misses);
	double hit_ratio =
	    lookups ? (double)(after.iotlb_hits - before.iotlb_hits) / (double)lookups : 0.0;
	printf("%s\n    {\"name\": ", first ? "" : ",");
	json_str_(w->name);
	printf(", \"what\": ");
	json_str_(w->what);
	printf(", \"ns_per_op\": %.2f, \"ops\": %llu, \"runs\": %u, \"target_ns\": %.0f, "
	       "\"ratio_to_target\": %.3f, \"iotlb_hit_ratio\": %.4f}",
	       med, (unsigned long long)ops, runs, w->target_ns, med / w->target_ns, hit_ratio);
	fflush(stdout);
	return 0;
}

/* The driver-core and reserved-region suites print whole JSON objects. */
int rvbench_driver(FILE *out, bool quick);

int rvcli_bench(int argc, char **argv)
{
	bool want_driver = false, want_regions = false;
	bool quick = false;
	const struct bench_workload *sel[16];
	unsigned nsel = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: rviommu bench [--quick] [WORKLOAD...]\nworkloads:\n");
			for (unsigned k = 0; k < bench_nworkloads; k++)
				printf("  %-4s %s (target %.0f ns)\n", bench_workloads[k].name,
				       bench_workloads[k].what, bench_workloads[k].target_ns);
			printf("  %-7s %s\n  %-7s %s\n", "driver",
			       "driver core: map/unmap throughput, invalidation commands per unmap",
			       "regions",
			       "IMSIC reserved regions: per-hart vs coalesced at 64..4096 harts");
			return RVCLI_EXIT_OK;
		} else if (!strcmp(argv[i], "driver")) {
			want_driver = true;
		} else if (!strcmp(argv[i], "regions")) {
			want_regions = true;
		} else if (find_(argv[i]) && nsel < 16) {
			sel[nsel++] = find_(argv[i]);
		} else {
			fprintf(stderr, "rviommu bench: unknown workload or option '%s'\n",
			        argv[i]);
			return RVCLI_EXIT_USAGE;
		}
	}
	if (!nsel && !want_driver && !want_regions) {
		for (unsigned k = 0; k < bench_nworkloads && k < 16; k++)
			sel[nsel++] = &bench_workloads[k];
		want_driver = want_regions = true;
	}

	char cpu[256];
	cpu_model_(cpu, sizeof(cpu));
	printf("{\"machine\": {\"cpu\": ");
	json_str_(cpu);
	printf(", \"nproc\": %ld}, \"quick\": %s, \"workloads\": [", sysconf(_SC_NPROCESSORS_ONLN),
	       quick ? "true" : "false");
	int status = RVCLI_EXIT_OK;
	unsigned printed = 0;
	for (unsigned k = 0; k < nsel; k++)
		if (run_one_(sel[k], quick, printed == 0) == 0)
			printed++;
		else
			status = RVCLI_EXIT_FAIL;
	printf("\n]");
	fflush(stdout);
	if (want_driver) {
		printf(",\n\"driver\": ");
		fflush(stdout);
		if (rvbench_driver(stdout, quick) != 0)
			status = RVCLI_EXIT_FAIL;
	}
	if (want_regions) {
		printf(",\n\"regions\": ");
		fflush(stdout);
		if (rvbench_regions(stdout, quick) != 0)
			status = RVCLI_EXIT_FAIL;
	}
	printf("}\n");
	return status;
}
