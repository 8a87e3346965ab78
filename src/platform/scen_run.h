/* SPDX-License-Identifier: MIT
 *
 * platform/scen_run.h - the state of one scenario run, shared by
 * scen_run.c (scheduler, management steps), scen_dma.c (DMA jobs, MSIs,
 * the software view and the checks) and scen_report.c.
 *
 * The "software view" is what the simulated OS believes: for each domain,
 * the ranges it mapped (IOVA -> PA, prot) and, for each device, its
 * current domain and MSI-X targets.  Every device access is checked against
 * it: a translation must succeed exactly where the view says it should, to
 * the PA the view says, and fault with the cause the stage implies
 * everywhere else.  A shadow memory holds what every successful DMA write
 * put at its *expected* PA, so reads and the final sweep detect corruption.
 *
 * Invariants:
 *   (1) the software view changes only after the driver call that makes the
 *       change real has returned (map before use; unmap+sync before forget);
 *   (2) every MSI a device raises successfully is outstanding until exactly
 *       one claim of its identity at the expected interrupt file;
 *   (3) every fault the device saw with fault_recorded set stays pending
 *       until a driver fault record with the same device_id and cause.
 */
#ifndef RVIOMMU_PLATFORM_SCEN_RUN_H
#define RVIOMMU_PLATFORM_SCEN_RUN_H

#include "platform/scen.h"

#define MSI_ID_BASE 16u /* device identities: MSI_ID_BASE + dev * 8 + vec */
#define TICK_NS 1000u

struct sw_map {
	uint64_t iova, size, pa;
	unsigned prot;
	bool doorbell; /* an IMSIC page mapped by the MSI policy */
};

struct rdom {
	const struct scen_dom *sd;
	struct rvd_domain *d;
	size_t iommu;
	int stage; /* 1, 2, or 0 (identity/blocked) */
	struct sw_map *maps;
	size_t nmaps, cap;
	uint64_t *map_pa; /* resolved PA of sd->maps[i] */
};

struct job {
	const struct scen_step *st;
	bool active;
	uint32_t done;
};

struct pend_fault {
	size_t iommu;
	uint32_t device_id;
	uint16_t cause;
	uint64_t iova;
};

struct run {
	struct rvsim_platform *p;
	const struct rvsim_scenario *s;
	struct rvsim_result *res;
	uint64_t rng;
	struct rdom *doms;
	struct job *jobs;
	struct rv_physmem *shadow;
	uint64_t *outstanding; /* per device * SCEN_MAX_VEC */
	struct pend_fault *pend;
	size_t npend, cappend;
	size_t step;
	FILE *progress;
	int progress_shown;
	char *err;
	size_t errlen;
};

uint64_t run_rand(struct run *r);
void run_viol(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* scen_dma.c */
void run_dma_chunk(struct run *r, size_t dev);
void run_msi(struct run *r, size_t dev, unsigned vec);
void run_msi_hook(void *ctx, size_t imsic, size_t pos, uint32_t guest, uint32_t id);
void run_match_faults(struct run *r);
void run_final_sweep(struct run *r);
int run_sw_add(struct rdom *d, uint64_t iova, uint64_t size, uint64_t pa, unsigned prot,
               bool doorbell);
void run_sw_remove(struct rdom *d, uint64_t iova, uint64_t size);

/* scen_report.c */
const char *run_cause_name(unsigned cause);

#endif
