/* SPDX-License-Identifier: MIT
 *
 * bench/bench_host.c - the host the driver-core benchmarks share (see
 * bench_host.h): a page pool standing for physical memory, the rvd_os_ops
 * over it, and the model's memory callbacks over the same pool.
 *
 * Invariant: the pool is the only memory either side touches; an access
 * outside it is an access fault for the model, so a driver bug that points
 * the IOMMU elsewhere shows up as a fault, not as a host crash.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_host.h"
#include "rviommu/spec.h"

static int b_alloc(void *ctx, unsigned order, uint64_t *phys)
{
	struct bench_host *h = ctx;
	uint64_t n = UINT64_C(1) << order, p;
	if (order == 0 && h->nfree) {
		p = h->free[--h->nfree];
	} else if (order == 1 && h->nfree1) {
		p = h->free1[--h->nfree1];
	} else {
		p = (h->bump + n - 1) & ~(n - 1);
		if (p + n > BENCH_HOST_POOL_PAGES)
			return -ENOMEM;
		h->bump = p + n;
	}
	memset(h->pool + p * 4096, 0, n * 4096);
	h->pages_alloced += n;
	*phys = BENCH_HOST_POOL_BASE + p * 4096;
	return 0;
}
static void b_free(void *ctx, uint64_t phys, unsigned order)
{
	struct bench_host *h = ctx;
	if (order == 0)
		h->free[h->nfree++] = (phys - BENCH_HOST_POOL_BASE) / 4096;
	else if (order == 1)
		h->free1[h->nfree1++] = (phys - BENCH_HOST_POOL_BASE) / 4096;
	/* larger blocks come back only at teardown: left to the pool */
}
static void *b_p2v(void *ctx, uint64_t phys)
{
	return ((struct bench_host *)ctx)->pool + (phys - BENCH_HOST_POOL_BASE);
}
static uint64_t b_rd(struct bench_host *h, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	rvm_mmio_read(h->m, off, size, &v);
	return v;
}
static void b_wr(struct bench_host *h, uint32_t off, unsigned size, uint64_t v)
{
	if (off == RVI_REG_CQT) {
		uint64_t cqb = b_rd(h, RVI_REG_CQB, 8);
		uint64_t base = RVI_FIELD_GET(RVI_QB_PPN, cqb) << 12;
		uint32_t mask = (uint32_t)rvi_queue_entries(cqb) - 1;
		for (uint32_t i = h->prev_cqt; i != (uint32_t)v; i = (i + 1) & mask) {
			const uint64_t *c = b_p2v(h, base + (uint64_t)i * 16);
			h->cmds++;
			h->invals += RVI_FIELD_GET(RVI_CMD_OPCODE, c[0]) == RVI_CMD_IOTINVAL;
		}
		h->prev_cqt = (uint32_t)v;
	}
	if (off == RVI_REG_CQB)
		h->prev_cqt = 0;
	rvm_mmio_write(h->m, off, size, v);
}
static uint32_t b_rd32(void *c, uint32_t off)
{
	return (uint32_t)b_rd(c, off, 4);
}
static uint64_t b_rd64(void *c, uint32_t off)
{
	return b_rd(c, off, 8);
}
static void b_wr32(void *c, uint32_t off, uint32_t v)
{
	b_wr(c, off, 4, v);
}
static void b_wr64(void *c, uint32_t off, uint64_t v)
{
	b_wr(c, off, 8, v);
}
static void b_nop(void *c)
{
	(void)c;
}
static uint64_t b_now(void *c)
{
	struct timespec ts;
	(void)c;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static void b_delay(void *c, uint64_t ns)
{
	rvm_advance(((struct bench_host *)c)->m, ns);
}

static bool in_pool(uint64_t pa, size_t len)
{
	return pa >= BENCH_HOST_POOL_BASE &&
	       pa + len <= BENCH_HOST_POOL_BASE + (uint64_t)BENCH_HOST_POOL_PAGES * 4096;
}
static int m_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	(void)a;
	if (!in_pool(pa, len))
		return RVM_MEM_ACCESS_FAULT;
	memcpy(buf, b_p2v(ctx, pa), len);
	return RVM_MEM_OK;
}
static int m_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                   const struct rvm_mem_attr *a)
{
	(void)a;
	if (!in_pool(pa, len))
		return RVM_MEM_ACCESS_FAULT;
	memcpy(b_p2v(ctx, pa), buf, len);
	return RVM_MEM_OK;
}

static const struct rvd_os_ops bh_ops = {
    .alloc_pages = b_alloc,
    .free_pages = b_free,
    .phys_to_virt = b_p2v,
    .read32 = b_rd32,
    .read64 = b_rd64,
    .write32 = b_wr32,
    .write64 = b_wr64,
    .mb = b_nop,
    .wmb = b_nop,
    .rmb = b_nop,
    .lock = b_nop,
    .unlock = b_nop,
    .now_ns = b_now,
    .delay_ns = b_delay,
};

struct rvd_iommu *bench_host_start(struct bench_host *h, uint64_t caps_clear)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	memset(h, 0, sizeof(*h));
	h->pool = aligned_alloc(4096, (size_t)BENCH_HOST_POOL_PAGES * 4096);
	h->free = calloc(BENCH_HOST_POOL_PAGES, sizeof(uint64_t));
	h->free1 = calloc(BENCH_HOST_POOL_PAGES, sizeof(uint64_t));
	if (!h->pool || !h->free || !h->free1)
		return NULL;
	rvm_config_default(&mc);
	mc.capabilities &= ~caps_clear;
	struct rvm_host_ops mops = {.mem_read = m_read, .mem_write = m_write};
	h->m = rvm_create(&mc, &mops, h, &err);
	if (!h->m)
		return NULL;
	memset(&dc, 0, sizeof(dc));
	dc.device_id_bits = 16;
	dc.msi_vectors = 1;
	dc.msi_addr[0] = 0x28000000;
	return rvd_probe(&bh_ops, h, &dc, &err);
}

void bench_host_stop(struct bench_host *h, struct rvd_iommu *iommu)
{
	if (iommu)
		rvd_remove(iommu);
	if (h->m)
		rvm_destroy(h->m);
	free(h->pool);
	free(h->free);
	free(h->free1);
}
