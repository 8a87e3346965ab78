/* SPDX-License-Identifier: MIT
 *
 * cli/main.c - the rviommu command-line tool: one table of subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/regions.h"
#include "cli/run.h"

static const struct rvcli_command commands[] = {
	{"replay", "FILE|-", "drive the hardware model from a JSON Lines stimulus file", rvcli_replay},
	{"bench", "[--quick] [WORKLOAD...]", "run the benchmarks and print JSON", rvcli_bench},
	{"regions", "--dtb FILE [--policy P] [--stage S] [--stats]",
	 "IMSIC reserved regions as sysfs reserved_regions shows them", rvcli_regions},
	{"run", RVCLI_RUN_ARGS, RVCLI_RUN_HELP, rvcli_run},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: rviommu COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %-46s %s\n", commands[i].name, commands[i].args, commands[i].help);
	fprintf(out, "  %-8s %-46s %s\n", "help", "", "show this list");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return RVCLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return RVCLI_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "rviommu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return RVCLI_EXIT_USAGE;
}
