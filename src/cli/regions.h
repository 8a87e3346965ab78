/* SPDX-License-Identifier: MIT
 * cli/regions.h - `rviommu regions`: the reserved regions a RISC-V IOMMU
 * driver reports for a platform's IMSIC pages (src/cli/regions.c). */
#ifndef RVIOMMU_CLI_REGIONS_H
#define RVIOMMU_CLI_REGIONS_H

#include <stdio.h>

/* argv[0] is "regions".  Exit status as cli.h: 0, or 2 for bad usage or
 * bad input (one line on stderr naming the problem). */
int rvcli_regions(int argc, char **argv);
/* The same, writing to @out and @err (for tests). */
int rvcli_regions_run(int argc, char **argv, FILE *out, FILE *err);

#endif
