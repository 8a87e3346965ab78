/* SPDX-License-Identifier: MIT
 *
 * bench/bench.h - the `rviommu bench` harness: a model on simulated memory,
 * page-table builders that write PTEs straight into that memory, and the
 * workload table.
 *
 * Each workload builds its own model and tables (setup is not timed), then
 * times a loop of rvm_translate() calls.  The tables are written the way
 * software would lay them out (RISC-V IOMMU spec 1.0 §3.1 device context,
 * Privileged spec Sv39/Sv48/Sv48x4 formats, AIA MSI page tables), by code
 * independent of the model's walker.
 */
#ifndef RVIOMMU_BENCH_H
#define RVIOMMU_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "rviommu/model.h"
#include "util/physmem.h"

/* SPA layout of every workload. */
#define BENCH_TABLES_SPA UINT64_C(0x100000000) /* bump allocator for tables */
#define BENCH_DATA_SPA UINT64_C(0x2000000000)  /* data pages (never touched) */

struct bench_env {
	struct rv_physmem *mem;
	struct rvm *m;
	uint64_t next_spa; /* table allocator */
};

/* A page table being built.  Table addresses are in the table's own
 * address space (a GPA for a first stage under a G-stage); mem_off is
 * added to reach the SPA where they are stored. */
struct bench_pt {
	unsigned levels;                        /* 3 (Sv39), 4 (Sv48, Sv48x4) */
	bool x4;                                /* G-stage: 16 KiB root, 2 more VA bits */
	uint64_t root;                          /* in the table address space */
	uint64_t mem_off;                       /* SPA = table address + mem_off */
	uint64_t last_leaf_va, last_leaf_table; /* memo: the last leaf table */
};

/* Monotonic wall time in ns, and a qsort comparator for medians. */
double bench_now_ns(void);
int bench_cmp_double(const void *a, const void *b);

int bench_env_init(struct bench_env *e, struct rvm_config *cfg);
void bench_env_fini(struct bench_env *e);
uint64_t bench_alloc(struct bench_env *e, uint64_t size); /* an SPA, zeroed */

void bench_pt_init(struct bench_env *e, struct bench_pt *pt, unsigned levels, bool x4,
                   uint64_t mem_off);
/* Install a 4 KiB leaf va -> pa with flags (RVI_PTE_* bits; V added). */
void bench_pt_map4k(struct bench_env *e, struct bench_pt *pt, uint64_t va, uint64_t pa,
                    uint64_t flags);

/* Turn on the IOMMU in 1LVL mode with device_id 0's DC (8 doublewords in
 * host order; tc is written last). Returns 0 or -1 with a message. */
int bench_set_dc0(struct bench_env *e, const uint64_t dc[8]);

/* One workload: build, then time 'ops' translations per run. */
struct bench_workload {
	const char *name;
	const char *what;
	double target_ns;
	/* Build the environment; ops receives the operations per run. */
	int (*setup)(struct bench_env *e, bool quick, uint64_t *ops, void **state);
	/* Run ops translations; returns 0, or -1 when one failed. */
	int (*run)(struct bench_env *e, void *state, uint64_t ops);
	void (*teardown)(void *state);
};

extern const struct bench_workload bench_workloads[];
extern const unsigned bench_nworkloads;

#endif
