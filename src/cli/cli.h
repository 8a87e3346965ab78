/* SPDX-License-Identifier: MIT
 * cli/cli.h - the rviommu tool's subcommands.  Each lives in its own file and
 * returns the process exit status: 0 success, 1 a failed check or invariant,
 * 2 bad usage or bad input (with a message on stderr naming the problem). */
#ifndef RVIOMMU_CLI_H
#define RVIOMMU_CLI_H

struct rvcli_command {
	const char *name;
	const char *args;
	const char *help;
	int (*main)(int argc, char **argv); /* argv[0] is the subcommand name */
};

int rvcli_replay(int argc, char **argv);
int rvcli_bench(int argc, char **argv);

#define RVCLI_EXIT_OK 0
#define RVCLI_EXIT_FAIL 1
#define RVCLI_EXIT_USAGE 2

#endif
