/* SPDX-License-Identifier: MIT
 *
 * driver/host.c - thin helpers over struct rvd_os_ops.
 *
 * The only way the driver core obtains memory: whole, zeroed, naturally
 * aligned pages from the host, reached through the host's phys_to_virt.
 * Small objects (the IOMMU and domain structures) are rounded up to pages.
 * Logging formats into a stack buffer; nothing here allocates.
 */
#include <stdarg.h>
#include <stdio.h>

#include "driver/drv_internal.h"

int rvd_host_alloc(const struct rvd_host *h, unsigned order, uint64_t *phys, void **virt)
{
	uint64_t pa = 0;
	int rc = h->ops->alloc_pages(h->ctx, order, &pa);
	if (rc)
		return rc < 0 ? rc : -ENOMEM;
	*phys = pa;
	*virt = h->ops->phys_to_virt(h->ctx, pa);
	return 0;
}

void rvd_host_free(const struct rvd_host *h, uint64_t phys, unsigned order)
{
	h->ops->free_pages(h->ctx, phys, order);
}

static unsigned obj_order(size_t size)
{
	unsigned order = 0;
	while ((RVI_PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *rvd_obj_alloc(const struct rvd_host *h, size_t size, uint64_t *phys)
{
	void *v = NULL;
	if (rvd_host_alloc(h, obj_order(size), phys, &v))
		return NULL;
	return v;
}

void rvd_obj_free(const struct rvd_host *h, uint64_t phys, size_t size)
{
	rvd_host_free(h, phys, obj_order(size));
}

void rvd_logf(const struct rvd_host *h, enum rvd_log_level lvl, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	if (!h->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h->ops->log(h->ctx, lvl, buf);
}
