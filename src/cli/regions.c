/* SPDX-License-Identifier: MIT
 *
 * cli/regions.c - `rviommu regions --dtb FILE [--policy per-hart|coalesce|
 * group] [--stage first|second] [--stats]`: prints what Linux would show in
 * /sys/kernel/iommu_groups/N/reserved_regions for a device behind a RISC-V
 * IOMMU on the platform FILE (DTB or DTS) describes: one line per merged
 * region, "0x%016llx 0x%016llx <type>" with an inclusive end.
 *
 * --stats adds comment lines (starting with "# "): regions emitted by
 * get_resv_regions before merging, lines printed, page-table entries to
 * identity-map the direct regions (largest of 4 KiB / 2 MiB / 1 GiB), MSI
 * page-table entries (second stage), whether isolation is reduced, and the
 * nanoseconds the computation took.  Defaults: coalesce, first stage (the
 * tool cannot see the IOMMU's capabilities; a driver chooses the stage with
 * rvmsi_stage_choose()).  Exit: 0, or 2 with one line on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/regions.h"
#include "rviommu/devicetree.h"
#include "rviommu/msi.h"

static int usage_(FILE *err, const char *why)
{
	fprintf(err,
	        "rviommu regions: %s\n"
	        "usage: rviommu regions --dtb FILE [--policy per-hart|coalesce|group] "
	        "[--stage first|second] [--stats]\n",
	        why);
	return RVCLI_EXIT_USAGE;
}

static double now_ns_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int parse_(int argc, char **argv, FILE *err, const char **dtb, struct rvmsi_policy *pol,
                  int *stats)
{
	char why[256];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--stats")) {
			*stats = 1;
			continue;
		}
		if (strcmp(a, "--dtb") && strcmp(a, "--policy") && strcmp(a, "--stage")) {
			snprintf(why, sizeof(why), "unknown argument '%s'", a);
			return usage_(err, why);
		}
		if (!v) {
			snprintf(why, sizeof(why), "%s needs a value", a);
			return usage_(err, why);
		}
		i++;
		if (!strcmp(a, "--dtb")) {
			*dtb = v;
		} else if (!strcmp(a, "--policy")) {
			if (!strcmp(v, "per-hart"))
				pol->mode = RVMSI_POLICY_PER_HART;
			else if (!strcmp(v, "coalesce"))
				pol->mode = RVMSI_POLICY_COALESCE;
			else if (!strcmp(v, "group"))
				pol->mode = RVMSI_POLICY_GROUP;
			else {
				snprintf(why, sizeof(why),
				         "--policy '%s': expected per-hart, coalesce or group", v);
				return usage_(err, why);
			}
		} else {
			if (!strcmp(v, "first"))
				pol->stage = RVMSI_STAGE_FIRST;
			else if (!strcmp(v, "second"))
				pol->stage = RVMSI_STAGE_SECOND;
			else {
				snprintf(why, sizeof(why), "--stage '%s': expected first or second",
				         v);
				return usage_(err, why);
			}
		}
	}
	if (!*dtb)
		return usage_(err, "--dtb FILE is required");
	return 0;
}

int rvcli_regions_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct rvmsi_policy pol = {.mode = RVMSI_POLICY_COALESCE, .stage = RVMSI_STAGE_FIRST};
	struct rvdt_platform *p = NULL;
	struct rvmsi_regions rg;
	struct rvmsi_region *merged;
	const char *dtb = NULL;
	char msg[1024];
	int stats = 0, rc;

	rc = parse_(argc, argv, err, &dtb, &pol, &stats);
	if (rc)
		return rc;
	rc = rvdt_load_file(dtb, &p, msg, sizeof(msg));
	if (rc) {
		fprintf(err, "rviommu regions: %s: %s%s%s\n", dtb, rvdt_strerror(rc),
		        msg[0] ? ": " : "", msg);
		return RVCLI_EXIT_USAGE;
	}
	double t0 = now_ns_();
	rc = rvmsi_regions_compute(p, &pol, &rg, msg, sizeof(msg));
	if (rc) {
		fprintf(err, "rviommu regions: %s: %s\n", dtb, msg);
		rvdt_free(p);
		return RVCLI_EXIT_USAGE;
	}
	merged = malloc((rg.n ? rg.n : 1) * sizeof(*merged));
	if (!merged) {
		fprintf(err, "rviommu regions: out of memory\n");
		rvmsi_regions_free(&rg);
		rvdt_free(p);
		return RVCLI_EXIT_FAIL;
	}
	size_t lines = rvmsi_regions_merge(rg.r, rg.n, merged);
	uint64_t ptes = rvmsi_regions_ptes(rg.r, rg.n);
	double t1 = now_ns_();

	for (size_t i = 0; i < lines; i++)
		fprintf(out, "0x%016llx 0x%016llx %s\n", (unsigned long long)merged[i].start,
		        (unsigned long long)(merged[i].start + merged[i].length - 1),
		        rvmsi_resv_type_name(merged[i].type));
	if (stats) {
		fprintf(out, "# regions: %zu\n# lines: %zu\n# ptes: %llu\n", rg.n, lines,
		        (unsigned long long)ptes);
		if (pol.stage == RVMSI_STAGE_SECOND)
			fprintf(out, "# msi-table-entries: %llu\n",
			        1ull << __builtin_popcountll(rg.msi_mask));
		fprintf(out, "# reduced-isolation: %s\n# time-ns: %.0f\n",
		        rg.reduced_isolation ? "yes" : "no", t1 - t0);
	}
	free(merged);
	rvmsi_regions_free(&rg);
	rvdt_free(p);
	return RVCLI_EXIT_OK;
}

int rvcli_regions(int argc, char **argv)
{
	return rvcli_regions_run(argc, argv, stdout, stderr);
}
