/* SPDX-License-Identifier: MIT
 *
 * tests/util/drv_host.h - a test host for the driver core.
 *
 * The driver allocates its pages from a pool of host memory that stands for
 * a fixed physical window [DH_POOL_BASE, DH_POOL_BASE + pages * 4 KiB).  The
 * model (when there is one) sees that window through its mem_read/
 * mem_write/mem_cas callbacks, which serve pool addresses from the pool and
 * every other address from an rv_physmem (device DMA buffers).  So the
 * driver reaches its tables only by phys_to_virt on pages it allocated, and
 * the model reaches them only by physical address, exactly as on silicon.
 *
 * The host also records: every command the driver publishes (decoded from
 * the queue on each cqt write), allocations and frees (with the number of
 * IOFENCE.C commands published at the time of each free), lock balance,
 * logs and fault callbacks.  Its clock is virtual: delay_ns advances it and
 * the model's clock.  It also plays the PCIe devices behind the IOMMU: it
 * logs every ATS message and answers Invalidation Requests (late, or
 * never) with rvm_ats_inval_completion.
 *
 * Include this header and "drv_host.c" once in a test file (the test
 * CMakeLists only compiles fixture.c into the helper library).
 */
#ifndef RVIOMMU_TEST_DRV_HOST_H
#define RVIOMMU_TEST_DRV_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "rviommu/driver.h"
#include "rviommu/model.h"
#include "util/physmem.h"

#define DH_POOL_BASE UINT64_C(0x100000000)
#define DH_MAX_CMDS 4096
#define DH_MAX_FREES 1024
#define DH_MAX_FAULTS 64
#define DH_MAX_ATS_MSGS 256
#define DH_MAX_MMIO_LOG 512

struct dh {
	/* the pool */
	uint8_t *pool;
	uint64_t pool_pages;
	uint8_t *used; /* per page: 0 free, else order+1 at the head, 0xff in the tail */
	uint64_t live_pages, n_allocs, n_frees;
	int fail_allocs_after; /* -1: never; n: the (n+1)th alloc fails */
	/* the model */
	struct rv_physmem *mem;
	struct rvm *m;
	struct rvm_config cfg;
	/* recordings */
	uint64_t cmds[DH_MAX_CMDS][2];
	unsigned n_cmds;
	unsigned n_fences; /* IOFENCE.C commands published */
	uint32_t prev_cqt;
	struct {
		uint64_t phys;
		unsigned order;
		unsigned fences_before;
	} frees[DH_MAX_FREES];
	unsigned n_free_log;
	int lock_depth;
	unsigned n_logs;
	char last_log[256];
	struct rvd_fault faults[DH_MAX_FAULTS];
	unsigned n_faults;
	uint64_t clock_ns;
	/* ATS devices: every message the IOMMU sends (ATS.INVAL requests and
	 * PRGRs).  An Invalidation Request is answered ats_delay_ns after it
	 * was sent, from delay_ns (outside the model's lock), when
	 * ats_answer is set; never otherwise (the cmd_to path). */
	struct rvm_ats_msg ats_msgs[DH_MAX_ATS_MSGS];
	unsigned n_ats_msgs;
	bool ats_answer;
	uint64_t ats_delay_ns;
	struct {
		uint16_t rid;
		uint32_t itag;
		uint64_t due;
	} ats_pending[DH_MAX_ATS_MSGS];
	unsigned n_ats_pending, ats_max_pending; /* outstanding now / at most */
	/* called on every cqt write, before the model sees it */
	void (*on_cqt)(struct dh *h, void *arg);
	void *on_cqt_arg;
	unsigned n_cqt_writes;
	/* called on every wmb (after the fence), e.g. to inspect tables
	 * between the driver's ordered stores */
	void (*on_wmb)(struct dh *h, void *arg);
	void *on_wmb_arg;
	/* QoS IDs of the model's memory accesses: the last attributes seen
	 * per kind, and how many accesses of each kind */
	struct rvm_mem_attr attr_last[RVM_MEM_KIND_COUNT];
	unsigned attr_n[RVM_MEM_KIND_COUNT];
	/* every MMIO write (offset, value), in order */
	struct {
		uint32_t off;
		uint64_t val;
	} mmio_log[DH_MAX_MMIO_LOG];
	unsigned n_mmio_log;
	/* ops table handed to the driver */
	struct rvd_os_ops ops;
};

/* A host with a pool of 'pages' pages.  cfg NULL: no model (page-table
 * tests); otherwise a model with that configuration. */
struct dh *dh_create(uint64_t pages, const struct rvm_config *cfg);
void dh_destroy(struct dh *h);
/* A default rvd_config with the fault callback wired to h->faults. */
void dh_default_config(struct rvd_config *c);

/* Is pa inside the pool, and its host pointer. */
bool dh_in_pool(const struct dh *h, uint64_t pa);
void *dh_va(const struct dh *h, uint64_t pa);

/* One DMA by device did: translate iova, and on success read or write
 * 4 bytes of the rv_physmem at the result.  Returns the fault cause (0 on
 * success); *pa receives the translated address. */
int dh_dma(struct dh *h, uint32_t did, enum rvm_access acc, uint64_t iova, uint64_t *pa);

/* Decoders for recorded commands. */
unsigned dh_cmd_op(const uint64_t c[2]);    /* opcode */
unsigned dh_cmd_func3(const uint64_t c[2]); /* func3 */

#endif
