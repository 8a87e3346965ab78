/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the cache/bench helper. */
#include <stdio.h>

#include "cli/cli.h"

int rvcli_bench(int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(stderr, "rviommu bench: not built yet\n");
	return RVCLI_EXIT_USAGE;
}
