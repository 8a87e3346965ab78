/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the replay helper. */
#include <stdio.h>

#include "cli/cli.h"

int rvcli_replay(int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(stderr, "rviommu replay: not built yet\n");
	return RVCLI_EXIT_USAGE;
}
