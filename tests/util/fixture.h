/* SPDX-License-Identifier: MIT
 *
 * tests/util/fixture.h - a model on simulated memory, for unit tests.
 *
 * fx_create() builds a model over an rv_physmem and records every host
 * event (IOMMU MSIs land in memory and are also logged, WSI edges, ATS
 * messages).  Helpers write DDT/PDT/page-table structures the way software
 * would, so tests read like the spec's procedures.
 */
#ifndef RVIOMMU_TEST_FIXTURE_H
#define RVIOMMU_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "rviommu/model.h"
#include "rviommu/spec.h"
#include "util/physmem.h"

#define FX_MAX_EVENTS 256

struct fx_msi {
	uint64_t addr;
	uint32_t data;
};

struct fx {
	struct rv_physmem *mem;
	struct rvm *m;
	struct rvm_config cfg;
	uint64_t next_page; /* bump allocator for tables, from FX_ALLOC_BASE */
	/* host events */
	unsigned n_writes_logged;
	struct fx_msi msis[FX_MAX_EVENTS]; /* MSI-kind memory writes */
	unsigned n_msis;
	unsigned wsi_level[16];
	unsigned n_wsi_edges;
	struct rvm_ats_msg ats[FX_MAX_EVENTS];
	unsigned n_ats;
	uint64_t cq_base, fq_base, pq_base;
	uint32_t cq_entries, fq_entries, pq_entries;
};

#define FX_ALLOC_BASE UINT64_C(0x80000000)

/* cfg may be NULL for rvm_config_default(). Aborts the test on failure. */
struct fx *fx_create(const struct rvm_config *cfg);
void fx_destroy(struct fx *f);

/* A zeroed, naturally aligned block of 'size' bytes (power of two, >= 4 KiB). */
uint64_t fx_alloc(struct fx *f, uint64_t size);

uint64_t fx_rd(struct fx *f, uint32_t off, unsigned size);
void fx_wr(struct fx *f, uint32_t off, unsigned size, uint64_t val);

/* Enable CQ and FQ (and PQ when caps.ATS) with 2^log2 entries each. */
void fx_enable_queues(struct fx *f, unsigned log2_entries);
/* Append one command at cqt and publish it; returns the cqcsr after. */
uint32_t fx_cmd(struct fx *f, uint64_t dw0, uint64_t dw1);
/* IOFENCE.C without AV; returns true when it completed. */
bool fx_fence(struct fx *f);
/* Pop the next fault record (advancing fqh); false when the queue is empty. */
bool fx_pop_fault(struct fx *f, uint64_t rec[4]);

/* Point ddtp at a fresh root in 'mode'; returns the root PA. */
uint64_t fx_ddt_init(struct fx *f, unsigned mode);
/* Write the DC of device_id (allocating non-leaf levels); returns its PA.
 * dc has 8 doublewords; 4 are written in the base format. */
uint64_t fx_set_dc(struct fx *f, uint32_t device_id, const uint64_t dc[8]);

/* Build a page table of format 'fmt' ("sv39", "sv48x4", ...).  Returns the
 * root PA (16 KiB for x4).  fx_map installs one leaf at 'level' with flags
 * (RVI_PTE_* bits; V is added), allocating tables, writing little-endian. */
uint64_t fx_pt_new(struct fx *f, const char *fmt);
uint64_t fx_map(struct fx *f, const char *fmt, uint64_t root, uint64_t va, uint64_t pa,
		unsigned level, uint64_t flags);
/* PA of the PTE that maps va at level (after fx_map), for corrupting it. */
uint64_t fx_pte_addr(struct fx *f, const char *fmt, uint64_t root, uint64_t va, unsigned level);

/* One translation request, zero-initialised except the fields given. */
struct rvm_req fx_req(uint32_t did, enum rvm_access acc, uint64_t iova);

#endif
