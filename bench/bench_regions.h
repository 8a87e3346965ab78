/* SPDX-License-Identifier: MIT
 * bench/bench_regions.h - the reserved-region benchmark (bench_regions.c). */
#ifndef RVIOMMU_BENCH_REGIONS_H
#define RVIOMMU_BENCH_REGIONS_H

#include <stdbool.h>
#include <stdio.h>

/* Print one JSON object to @out.  Return: 0, or -1 when a computation
 * failed (the object then has "error"). */
int rvbench_regions(FILE *out, bool quick);

#endif
