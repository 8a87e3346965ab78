/* SPDX-License-Identifier: MIT
 *
 * platform/plat_mem.c - the platform's physical bus.
 *
 * Three kinds of target, checked in this order for every access:
 *   1. the driver carve-out [pool_base, pool_base + pool_pages * 4 KiB):
 *      contiguous host memory, so the driver's phys_to_virt works;
 *   2. IMSIC pages: writes go through the rvimsic bus (so an MSI from the
 *      IOMMU or a device sets a pending bit), reads return 0;
 *   3. RAM (the device tree's memory ranges) in sparse simulated memory.
 * Anything else is an access fault (RVM_MEM_ACCESS_FAULT), as a PMA
 * violation would be on silicon.  The model's host ops are thin wrappers.
 *
 * Invariants:
 *   (1) an access that straddles two targets faults (no partial effects);
 *   (2) pool pages are handed out zeroed and naturally aligned, and a freed
 *       page is filled with 0xa5 so a use after free shows up in walks;
 *   (3) the scenario's bump allocator never returns pool pages.
 */
#include <stdlib.h>
#include <string.h>

#include "platform/plat_internal.h"
#include "rviommu/spec.h"

bool rvsim_in_pool(const struct rvsim_platform *p, uint64_t pa, size_t len)
{
	uint64_t end = p->pool_base + p->pool_pages * RVI_PAGE_SIZE;
	return pa >= p->pool_base && pa < end && len <= end - pa;
}

bool rvsim_in_ram(const struct rvsim_platform *p, uint64_t pa, size_t len)
{
	for (size_t i = 0; i < p->dt->nr_memory; i++) {
		const struct rvdt_range *r = &p->dt->memory[i];
		if (pa >= r->base && pa - r->base < r->size && len <= r->size - (pa - r->base))
			return true;
	}
	return false;
}

static int imsic_of_(const struct rvsim_platform *p, uint64_t pa)
{
	for (size_t i = 0; i < p->nr_imsics; i++)
		if (rvimsic_contains(p->imsics[i].im, pa))
			return (int)i;
	return -1;
}

int rvsim_mem_read(struct rvsim_platform *p, uint64_t pa, void *buf, size_t len)
{
	if (rvsim_in_pool(p, pa, len)) {
		memcpy(buf, p->pool + (pa - p->pool_base), len);
		return RVM_MEM_OK;
	}
	int i = imsic_of_(p, pa);
	if (i >= 0)
		return rvimsic_mmio_read(p->imsics[i].im, pa, buf, len) ? RVM_MEM_ACCESS_FAULT
		                                                        : RVM_MEM_OK;
	if (!rvsim_in_ram(p, pa, len))
		return RVM_MEM_ACCESS_FAULT;
	return rv_physmem_read(p->ram, pa, buf, len);
}

int rvsim_mem_write(struct rvsim_platform *p, uint64_t pa, const void *buf, size_t len)
{
	if (rvsim_in_pool(p, pa, len)) {
		memcpy(p->pool + (pa - p->pool_base), buf, len);
		return RVM_MEM_OK;
	}
	if (imsic_of_(p, pa) >= 0) {
		int r = rvimsic_bus_write(&p->bus, pa, buf, len);
		return r == RVIMSIC_ROUTED_IMSIC ? RVM_MEM_OK : RVM_MEM_ACCESS_FAULT;
	}
	if (!rvsim_in_ram(p, pa, len))
		return RVM_MEM_ACCESS_FAULT;
	return rv_physmem_write(p->ram, pa, buf, len);
}

int rvsim_mem_cas(struct rvsim_platform *p, uint64_t pa, unsigned size, uint64_t expected,
                  uint64_t desired, uint64_t *observed)
{
	if (rvsim_in_pool(p, pa, size)) {
		uint8_t *q = p->pool + (pa - p->pool_base);
		if (size == 8) {
			uint64_t e = expected;
			__atomic_compare_exchange_n((uint64_t *)(void *)q, &e, desired, false,
			                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			*observed = e;
		} else {
			uint32_t e = (uint32_t)expected;
			__atomic_compare_exchange_n((uint32_t *)(void *)q, &e, (uint32_t)desired,
			                            false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			*observed = e;
		}
		return RVM_MEM_OK;
	}
	if (!rvsim_in_ram(p, pa, size))
		return RVM_MEM_ACCESS_FAULT;
	return rv_physmem_cas(p->ram, pa, size, expected, desired, observed);
}

/* ---- the driver's page allocator: first fit, naturally aligned ---- */

int rvsim_pool_alloc(struct rvsim_platform *p, unsigned order, uint64_t *phys)
{
	uint64_t n = UINT64_C(1) << order;
	for (uint64_t i = 0; i + n <= p->pool_pages; i += n) {
		uint64_t k = 0;
		while (k < n && !p->pool_used[i + k])
			k++;
		if (k < n)
			continue;
		p->pool_used[i] = (uint8_t)(order + 1);
		memset(p->pool_used + i + 1, 0xff, n - 1);
		memset(p->pool + i * RVI_PAGE_SIZE, 0, n * RVI_PAGE_SIZE);
		*phys = p->pool_base + i * RVI_PAGE_SIZE;
		p->pool_live += n;
		return 0;
	}
	return -1;
}

void rvsim_pool_free(struct rvsim_platform *p, uint64_t phys, unsigned order)
{
	uint64_t n = UINT64_C(1) << order;
	if (!rvsim_in_pool(p, phys, n * RVI_PAGE_SIZE))
		return;
	uint64_t i = (phys - p->pool_base) / RVI_PAGE_SIZE;
	if (p->pool_used[i] != order + 1)
		return; /* not a block head of this order: ignore, never corrupt */
	memset(p->pool_used + i, 0, n);
	memset(p->pool + i * RVI_PAGE_SIZE, 0xa5, n * RVI_PAGE_SIZE);
	p->pool_live -= n;
}

int rvsim_ram_alloc(struct rvsim_platform *p, uint64_t size, uint64_t align, uint64_t *pa)
{
	uint64_t a = (p->alloc_next + align - 1) & ~(align - 1);
	if (a < p->alloc_next || size > p->alloc_end - a || a > p->alloc_end)
		return -1;
	*pa = a;
	p->alloc_next = a + size;
	return 0;
}

/* ---- the model's host operations (ctx = struct rvsim_iommu) ---- */

static int op_read_(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	(void)a;
	return rvsim_mem_read(((struct rvsim_iommu *)ctx)->p, pa, buf, len);
}

static int op_write_(void *ctx, uint64_t pa, const void *buf, size_t len,
                     const struct rvm_mem_attr *a)
{
	struct rvsim_iommu *io = ctx;
	if (a && a->kind == RVM_MEM_MSI) {
		uint32_t data = 0;
		memcpy(&data, buf, len < 4 ? len : 4);
		rvsim_trace(io->p,
		            "\"ev\":\"msi\",\"src\":\"iommu%zu\",\"addr\":\"0x%llx\",\"data\":%u",
		            io->idx, (unsigned long long)pa, data);
	}
	return rvsim_mem_write(io->p, pa, buf, len);
}

static int op_cas_(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                   uint64_t *observed, const struct rvm_mem_attr *a)
{
	(void)a;
	return rvsim_mem_cas(((struct rvsim_iommu *)ctx)->p, pa, size, expected, desired, observed);
}

static void op_wsi_(void *ctx, unsigned vector, bool level)
{
	struct rvsim_iommu *io = ctx;
	rvsim_trace(io->p, "\"ev\":\"wsi\",\"src\":\"iommu%zu\",\"vector\":%u,\"level\":%d",
	            io->idx, vector, level);
	if (level) {
		io->irq_pending = true;
		io->irqs++;
	}
}

static void op_ats_(void *ctx, const struct rvm_ats_msg *msg)
{
	struct rvsim_iommu *io = ctx;
	rvsim_trace(io->p,
	            "\"ev\":\"ats_msg\",\"iommu\":%zu,\"type\":\"%s\",\"rid\":%u,"
	            "\"payload\":\"0x%llx\",\"itag\":%u",
	            io->idx, msg->type == RVM_ATS_MSG_INVAL ? "inval" : "prgr", msg->rid,
	            (unsigned long long)msg->payload, msg->itag);
	if (io->p->ats_hook) {
		io->p->ats_hook(io->p->ats_ctx, io->idx, msg);
	} else if (msg->type == RVM_ATS_MSG_INVAL) {
		/* no device model attached: an empty ATC completes at once */
		rvsim_ats_complete(io->p, io->idx, msg->rid, msg->itag);
	}
}

const struct rvm_host_ops rvsim_model_ops = {
    .mem_read = op_read_,
    .mem_write = op_write_,
    .mem_cas = op_cas_,
    .wsi = op_wsi_,
    .ats_msg = op_ats_,
};
