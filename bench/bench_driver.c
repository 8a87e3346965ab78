/* SPDX-License-Identifier: MIT
 *
 * bench/bench_driver.c - benchmarks of the driver core (src/driver) on the
 * hardware model:
 *   - 4 KiB map + unmap throughput over 1 GiB (one rvd_map_pages call per
 *     page, then one rvd_unmap_pages per page into one gather and one
 *     rvd_iotlb_sync), and batched (one map call, one unmap call);
 *   - 2 MiB map + unmap throughput (16 GiB);
 *   - invalidation commands published per unmap + sync of 1, 16, 512 and
 *     262,144 pages, with and without ARINV (caps.S), counted by the host
 *     at every cqt write.
 * Prints one JSON object.  The host here is minimal and self-contained:
 * a page pool standing for physical memory at POOL_BASE that both the
 * driver (phys_to_virt) and the model (mem_read/mem_write/mem_cas) use.
 *
 * Invariant: nothing here is timed except the driver calls themselves;
 * the model executes the commands inside the cqt write, so sync time
 * includes the model's command processing.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rviommu/driver.h"
#include "rviommu/model.h"
#include "rviommu/spec.h"

int rvbench_driver(FILE *out, bool quick);

#define POOL_BASE UINT64_C(0x100000000)
#define POOL_PAGES 16384u

struct bh {
	uint8_t *pool;
	uint64_t bump;  /* next never-used page */
	uint64_t *free; /* stack of freed order-0 pages */
	uint64_t nfree;
	uint64_t *free1; /* stack of freed order-1 blocks (non-leaf tables) */
	uint64_t nfree1;
	struct rvm *m;
	uint32_t prev_cqt;
	uint64_t cmds, invals; /* published commands, of which IOTINVAL */
};

static int b_alloc(void *ctx, unsigned order, uint64_t *phys)
{
	struct bh *h = ctx;
	uint64_t n = UINT64_C(1) << order, p;
	if (order == 0 && h->nfree) {
		p = h->free[--h->nfree];
	} else if (order == 1 && h->nfree1) {
		p = h->free1[--h->nfree1];
	} else {
		p = (h->bump + n - 1) & ~(n - 1);
		if (p + n > POOL_PAGES)
			return -ENOMEM;
		h->bump = p + n;
	}
	memset(h->pool + p * 4096, 0, n * 4096);
	*phys = POOL_BASE + p * 4096;
	return 0;
}
static void b_free(void *ctx, uint64_t phys, unsigned order)
{
	struct bh *h = ctx;
	if (order == 0)
		h->free[h->nfree++] = (phys - POOL_BASE) / 4096;
	else if (order == 1)
		h->free1[h->nfree1++] = (phys - POOL_BASE) / 4096;
	/* larger blocks come back only at teardown: left to the pool */
}
static void *b_p2v(void *ctx, uint64_t phys)
{
	return ((struct bh *)ctx)->pool + (phys - POOL_BASE);
}
static uint64_t b_rd(struct bh *h, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	rvm_mmio_read(h->m, off, size, &v);
	return v;
}
static void b_wr(struct bh *h, uint32_t off, unsigned size, uint64_t v)
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
	rvm_advance(((struct bh *)c)->m, ns);
}

static bool in_pool(uint64_t pa, size_t len)
{
	return pa >= POOL_BASE && pa + len <= POOL_BASE + (uint64_t)POOL_PAGES * 4096;
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

static struct rvd_iommu *bh_start(struct bh *h, uint64_t caps_clear)
{
	struct rvm_config mc;
	struct rvd_config dc;
	int err = 0;
	memset(h, 0, sizeof(*h));
	h->pool = aligned_alloc(4096, (size_t)POOL_PAGES * 4096);
	h->free = calloc(POOL_PAGES, sizeof(uint64_t));
	h->free1 = calloc(POOL_PAGES, sizeof(uint64_t));
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

static void bh_stop(struct bh *h, struct rvd_iommu *iommu)
{
	if (iommu)
		rvd_remove(iommu);
	if (h->m)
		rvm_destroy(h->m);
	free(h->pool);
	free(h->free);
	free(h->free1);
}

static double secs(uint64_t t0)
{
	return (double)(b_now(NULL) - t0) / 1e9;
}

/* Map then unmap 'bytes' at iova in calls of pgsize x per_call pages.
 * pa is offset by 4 KiB from any larger alignment for 4 KiB pages, so no
 * superpage or NAPOT leaf forms.  Returns 0 or -1. */
static int map_unmap(struct rvd_domain *d, uint64_t bytes, uint64_t pgsize, uint64_t per_call,
                     double *map_s, double *unmap_s)
{
	uint64_t iova = UINT64_C(0x40000000), pa = UINT64_C(0x80000000);
	if (pgsize == 4096)
		pa += 4096;
	uint64_t step = pgsize * per_call;
	uint64_t t0 = b_now(NULL);
	for (uint64_t off = 0; off < bytes; off += step) {
		size_t mapped;
		if (rvd_map_pages(d, iova + off, pa + off, pgsize, per_call, RVD_PROT_READ,
		                  &mapped))
			return -1;
	}
	*map_s = secs(t0);
	struct rvd_gather g;
	rvd_gather_init(&g);
	/* One gather for the whole range: it chains any number of tables. */
	t0 = b_now(NULL);
	for (uint64_t off = 0; off < bytes; off += step)
		if (rvd_unmap_pages(d, iova + off, pgsize, per_call, &g) != step)
			return -1;
	if (rvd_iotlb_sync(d, &g))
		return -1;
	*unmap_s = secs(t0);
	return 0;
}

/* Commands published by unmap + sync of n 4 KiB pages. */
static int count_invals(struct bh *h, struct rvd_domain *d, uint64_t n, uint64_t *cmds,
                        uint64_t *invals)
{
	uint64_t iova = UINT64_C(0x40000000), pa = UINT64_C(0x80001000);
	size_t mapped;
	struct rvd_gather g;
	if (rvd_map_pages(d, iova, pa, 4096, n, RVD_PROT_READ, &mapped))
		return -1;
	uint64_t c0 = h->cmds, i0 = h->invals;
	rvd_gather_init(&g);
	if (rvd_unmap_pages(d, iova, 4096, n, &g) != n * 4096 || rvd_iotlb_sync(d, &g))
		return -1;
	*cmds = h->cmds - c0;
	*invals = h->invals - i0;
	return 0;
}

int rvbench_driver(FILE *out, bool quick)
{
	struct bh h;
	int err = 0, rc = -1;
	uint64_t bytes = quick ? (UINT64_C(64) << 20) : (UINT64_C(1) << 30);
	uint64_t bytes2m = quick ? (UINT64_C(1) << 30) : (UINT64_C(16) << 30);
	double m1, u1, mb, ub, m2, u2;
	struct rvd_iommu *iommu = bh_start(&h, 0);
	struct rvd_domain *d = iommu ? rvd_domain_alloc_paging(iommu, &err) : NULL;
	if (!d || map_unmap(d, bytes, 4096, 1, &m1, &u1) ||
	    map_unmap(d, bytes, 4096, bytes / 4096, &mb, &ub) ||
	    map_unmap(d, bytes2m, UINT64_C(0x200000), 1, &m2, &u2))
		goto out;
	double p4 = (double)(bytes / 4096), p2 = (double)(bytes2m >> 21);
	fprintf(out,
	        "{\"driver\":{\"stage\":%d,\"bytes_4k\":%llu,"
	        "\"map_4k_pages_per_s\":%.0f,\"unmap_4k_pages_per_s\":%.0f,"
	        "\"map_unmap_4k_pages_per_s\":%.0f,"
	        "\"batched_map_4k_pages_per_s\":%.0f,\"batched_unmap_4k_pages_per_s\":%.0f,"
	        "\"bytes_2m\":%llu,\"map_2m_pages_per_s\":%.0f,\"unmap_2m_pages_per_s\":%.0f,",
	        rvd_domain_stage(d), (unsigned long long)bytes, p4 / m1, p4 / u1, p4 / (m1 + u1),
	        p4 / mb, p4 / ub, (unsigned long long)bytes2m, p2 / m2, p2 / u2);
	rvd_domain_free(d);
	d = NULL;
	rvd_remove(iommu);
	iommu = NULL;
	bh_stop(&h, NULL);
	/* commands per unmap, with and without ARINV */
	static const uint64_t sizes[4] = {1, 16, 512, 262144};
	fprintf(out, "\"inval_cmds_per_unmap\":[");
	for (int arinv = 1; arinv >= 0; arinv--) {
		iommu = bh_start(&h, arinv ? 0 : RVI_CAP_S);
		d = iommu ? rvd_domain_alloc_paging(iommu, &err) : NULL;
		if (!d)
			goto out;
		for (unsigned i = 0; i < 4; i++) {
			uint64_t n = quick && sizes[i] > 16384 ? 16384 : sizes[i], cmds, inv;
			if (count_invals(&h, d, n, &cmds, &inv))
				goto out;
			fprintf(
			    out,
			    "%s{\"arinv\":%s,\"pages\":%llu,\"iotinval\":%llu,\"commands\":%llu}",
			    (arinv == 1 && i == 0) ? "" : ",", arinv ? "true" : "false",
			    (unsigned long long)n, (unsigned long long)inv,
			    (unsigned long long)cmds);
		}
		rvd_domain_free(d);
		d = NULL;
		rvd_remove(iommu);
		iommu = NULL;
		bh_stop(&h, NULL);
	}
	fprintf(out, "]}}\n");
	return 0;
out:
	fprintf(out, "{\"driver\":{\"error\":\"setup or driver call failed\"}}\n");
	if (d)
		rvd_domain_free(d);
	bh_stop(&h, iommu);
	return rc;
}
