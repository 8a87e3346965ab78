/* SPDX-License-Identifier: MIT
 *
 * bench/bench_host.h - the minimal host the driver-core benchmarks
 * (bench_driver.c, bench_regions.c) run the driver on: a page pool that
 * stands for physical memory at BENCH_HOST_POOL_BASE, used both by the
 * driver (alloc_pages, phys_to_virt) and by the hardware model (mem_read,
 * mem_write), with MMIO going straight to rvm_mmio_read/_write.
 *
 * It is one file so that both suites measure the driver on the same host:
 * the same allocator (a bump pointer plus free stacks for order-0 and
 * order-1 blocks, so map/unmap loops reuse warm pages), no-op barriers and
 * lock (one thread), and the same model configuration.
 *
 * Counters the suites read: published commands (counted at every cqt
 * write, before the model executes them), IOTINVALs among them, and the
 * pages handed out by alloc_pages.
 */
#ifndef RVIOMMU_BENCH_HOST_H
#define RVIOMMU_BENCH_HOST_H

#include <stdint.h>

#include "rviommu/driver.h"
#include "rviommu/model.h"

#define BENCH_HOST_POOL_BASE UINT64_C(0x100000000)
#define BENCH_HOST_POOL_PAGES 16384u /* 64 MiB */

struct bench_host {
	uint8_t *pool;
	uint64_t bump;  /* next never-used page */
	uint64_t *free; /* stack of freed order-0 pages */
	uint64_t nfree;
	uint64_t *free1; /* stack of freed order-1 blocks (non-leaf tables) */
	uint64_t nfree1;
	struct rvm *m;
	uint32_t prev_cqt;
	uint64_t cmds, invals;  /* published commands, of which IOTINVAL */
	uint64_t pages_alloced; /* 4 KiB pages handed out by alloc_pages */
};

/* Create the model (rvm_config_default() minus @caps_clear) on a fresh
 * pool and probe the driver core on it (16-bit device IDs, one MSI vector).
 * Return: the IOMMU, or NULL (then call bench_host_stop(h, NULL)). */
struct rvd_iommu *bench_host_start(struct bench_host *h, uint64_t caps_clear);
/* Remove @iommu (may be NULL), destroy the model and free the pool. */
void bench_host_stop(struct bench_host *h, struct rvd_iommu *iommu);

#endif
