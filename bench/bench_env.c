/* SPDX-License-Identifier: MIT
 *
 * bench/bench_env.c - the benchmark environment: a model over rv_physmem,
 * a bump allocator for tables, a 1LVL device directory, and a page-table
 * builder for Sv39 / Sv48 / Sv48x4 that writes PTEs directly (RISC-V
 * Privileged spec §12.4-12.6 formats, IOMMU spec §3.1 directory).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "rviommu/spec.h"

double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int bench_env_init(struct bench_env *e, struct rvm_config *cfg)
{
	memset(e, 0, sizeof(*e));
	e->mem = rv_physmem_create((unsigned)RVI_FIELD_GET(RVI_CAP_PAS, cfg->capabilities));
	if (!e->mem)
		return -1;
	struct rvm_host_ops ops = {rv_physmem_op_read, rv_physmem_op_write, rv_physmem_op_cas, NULL,
	                           NULL};
	int err = 0;
	e->m = rvm_create(cfg, &ops, e->mem, &err);
	if (!e->m) {
		fprintf(stderr, "rviommu bench: rvm_create: %s\n", rvm_strerror(err));
		rv_physmem_destroy(e->mem);
		return -1;
	}
	/* physmem pages are plain RAM unless marked, and the bench needs no
	 * per-access QoS accounting: the direct page op applies (model.h). */
	rvm_set_mem_page(e->m, rv_physmem_op_page);
	e->next_spa = BENCH_TABLES_SPA;
	return 0;
}

void bench_env_fini(struct bench_env *e)
{
	rvm_destroy(e->m);
	rv_physmem_destroy(e->mem);
	memset(e, 0, sizeof(*e));
}

uint64_t bench_alloc(struct bench_env *e, uint64_t size)
{
	uint64_t pa = (e->next_spa + size - 1) & ~(size - 1);
	e->next_spa = pa + size;
	return pa; /* rv_physmem reads unwritten memory as zero */
}

void bench_pt_init(struct bench_env *e, struct bench_pt *pt, unsigned levels, bool x4,
                   uint64_t mem_off)
{
	memset(pt, 0, sizeof(*pt));
	pt->levels = levels;
	pt->x4 = x4;
	pt->mem_off = mem_off;
	pt->root = bench_alloc(e, x4 ? 4 * RVI_PAGE_SIZE : RVI_PAGE_SIZE) - mem_off;
	pt->last_leaf_va = ~UINT64_C(0);
}

/* VPN[level] of va: 9 bits, 11 at the root of an x4 scheme. */
static uint64_t vpn_(const struct bench_pt *pt, uint64_t va, unsigned level)
{
	uint64_t bits = (pt->x4 && level == pt->levels - 1) ? 11 : 9;
	return (va >> (RVI_PAGE_SHIFT + 9 * level)) & ((UINT64_C(1) << bits) - 1);
}

void bench_pt_map4k(struct bench_env *e, struct bench_pt *pt, uint64_t va, uint64_t pa,
                    uint64_t flags)
{
	uint64_t table;
	if ((va >> 21) == pt->last_leaf_va) {
		table = pt->last_leaf_table;
	} else {
		table = pt->root;
		for (unsigned level = pt->levels - 1; level > 0; level--) {
			uint64_t at = table + 8 * vpn_(pt, va, level) + pt->mem_off;
			uint64_t pte = rv_physmem_read64(e->mem, at);
			if (!(pte & RVI_PTE_V)) {
				uint64_t next = bench_alloc(e, RVI_PAGE_SIZE) - pt->mem_off;
				pte = RVI_PTE_V | RVI_FIELD_PREP(RVI_PTE_PPN, next >> 12);
				rv_physmem_write64(e->mem, at, pte);
			}
			table = RVI_FIELD_GET(RVI_PTE_PPN, pte) << 12;
		}
		pt->last_leaf_va = va >> 21;
		pt->last_leaf_table = table;
	}
	uint64_t pte = RVI_PTE_V | flags | RVI_FIELD_PREP(RVI_PTE_PPN, pa >> 12);
	rv_physmem_write64(e->mem, table + 8 * vpn_(pt, va, 0) + pt->mem_off, pte);
}

int bench_set_dc0(struct bench_env *e, const uint64_t dc[8])
{
	uint64_t root = bench_alloc(e, RVI_PAGE_SIZE);
	for (unsigned i = 8; i-- > 0;) /* device_id 0: the first 64-byte DC */
		rv_physmem_write64(e->mem, root + 8 * i, dc[i]);
	uint64_t ddtp = RVI_FIELD_PREP(RVI_DDTP_PPN, root >> 12) |
	                RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_1LVL);
	int rc = rvm_mmio_write(e->m, RVI_REG_DDTP, 8, ddtp);
	uint64_t back = 0;
	if (!rc)
		rc = rvm_mmio_read(e->m, RVI_REG_DDTP, 8, &back);
	if (rc || RVI_FIELD_GET(RVI_DDTP_MODE, back) != RVI_DDTP_MODE_1LVL) {
		fprintf(stderr, "rviommu bench: ddtp write did not take (%s)\n", rvm_strerror(rc));
		return -1;
	}
	return 0;
}
