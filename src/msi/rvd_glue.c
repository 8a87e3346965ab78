/* SPDX-License-Identifier: MIT
 *
 * msi/rvd_glue.c - the MSI table over the driver core: struct
 * rvmsi_mem_ops over struct rvd_os_ops (ctx: a struct rvmsi_rvd_mem), so
 * the table lives in the driver's pages, and an rvmsi_submit_fn over
 * rvd_submit_cmds() (ctx: the struct rvd_iommu), so its invalidations go
 * through the driver's command queue.
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
#include "rviommu/spec.h"

#define SUBMIT_MAX 8 /* the table submits 2 commands at a time */

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

/* Raw words back to typed commands: only what the table issues. */
int rvmsi_submit_rvd(void *ctx, const uint64_t (*cmds)[2], unsigned n)
{
	struct rvd_cmd c[SUBMIT_MAX];

	if (!ctx || !cmds || !n || n > SUBMIT_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint64_t dw0 = cmds[i][0], dw1 = cmds[i][1];
		unsigned op = (unsigned)RVI_FIELD_GET(RVI_CMD_OPCODE, dw0);
		unsigned f3 = (unsigned)RVI_FIELD_GET(RVI_CMD_FUNC3, dw0);
		if (op == RVI_CMD_IOTINVAL && f3 == RVI_IOTINVAL_GVMA)
			c[i] =
			    rvd_cmd_iotinval_gvma((dw0 & RVI_IOTINVAL_GV) != 0,
			                          (uint32_t)RVI_FIELD_GET(RVI_IOTINVAL_GSCID, dw0),
			                          (dw0 & RVI_IOTINVAL_AV) != 0,
			                          RVI_FIELD_GET(RVI_IOTINVAL_ADDR, dw1) << 12);
		else if (op == RVI_CMD_IOFENCE && f3 == RVI_IOFENCE_C)
			c[i] = rvd_cmd_iofence_c((dw0 & RVI_IOFENCE_PR) != 0,
			                         (dw0 & RVI_IOFENCE_PW) != 0);
		else
			return -EINVAL;
	}
	/* The table's trailing IOFENCE.C merges into the one rvd_submit_cmds()
	 * ends every batch with. */
	return rvd_submit_cmds(ctx, c, n);
}
