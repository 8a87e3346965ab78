/* SPDX-License-Identifier: MIT
 *
 * cli/run.h - `rviommu run`: run a scenario on a simulated platform.
 * Add {"run", RVCLI_RUN_ARGS, RVCLI_RUN_HELP, rvcli_run} to the command
 * table in cli/main.c.
 */
#ifndef RVIOMMU_CLI_RUN_H
#define RVIOMMU_CLI_RUN_H

#define RVCLI_RUN_ARGS "[--dtb F] [--scenario F] [--json] [--trace F] [--seed N]"
#define RVCLI_RUN_HELP "simulate a platform and check its invariants"

/* Exit status: 0 every invariant held, 1 one failed, 2 bad usage or input. */
int rvcli_run(int argc, char **argv);

#endif
