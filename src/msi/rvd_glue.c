/* SPDX-License-Identifier: MIT
 *
 * msi/mem_rvd.c - struct rvmsi_mem_ops over the driver core's struct
 * rvd_os_ops, so an MSI table can live in the same pages as the driver's
 * other tables.  ctx is a struct rvmsi_rvd_mem.
 *
 * Invariants:
 *   (1) write64 is one relaxed atomic 64-bit store in host byte order (the
 *       driver core sets fctl.BE to the host's order at probe);
 *   (2) sizes are rounded up to a power-of-two number of pages, so
 *       alloc_pages' natural alignment satisfies the table's alignment.
 */
#include <errno.h>

#include "rviommu/driver.h"
#include "rviommu/msi.h"

static unsigned order_(uint64_t size, uint64_t align)
{
	uint64_t need = size > align ? size : align;
	unsigned order = 0;

	while ((UINT64_C(4096) << order) < need)
		order++;
	return order;
}

static int alloc_(void *ctx, uint64_t size, uint64_t align, uint64_t *pa)
{
	const struct rvmsi_rvd_mem *m = ctx;

	if (!m || !m->ops || !m->ops->alloc_pages)
		return -EINVAL;
	return m->ops->alloc_pages(m->ctx, order_(size, align), pa);
}

static void free_(void *ctx, uint64_t pa, uint64_t size)
{
	const struct rvmsi_rvd_mem *m = ctx;

	m->ops->free_pages(m->ctx, pa, order_(size, size));
}

static void write64_(void *ctx, uint64_t pa, uint64_t val)
{
	const struct rvmsi_rvd_mem *m = ctx;
	uint64_t *p = m->ops->phys_to_virt(m->ctx, pa);

	__atomic_store_n(p, val, __ATOMIC_RELAXED);
}

static uint64_t read64_(void *ctx, uint64_t pa)
{
	const struct rvmsi_rvd_mem *m = ctx;
	const uint64_t *p = m->ops->phys_to_virt(m->ctx, pa);

	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void wmb_(void *ctx)
{
	const struct rvmsi_rvd_mem *m = ctx;

	m->ops->wmb(m->ctx);
}

const struct rvmsi_mem_ops rvmsi_mem_rvd_ops = {
    .alloc = alloc_,
    .free = free_,
    .write64 = write64_,
    .read64 = read64_,
    .wmb = wmb_,
};
