/* SPDX-License-Identifier: MIT
 *
 * msi/sw_msi.c - design 2 (docs/msi-design.md §2): the SW_MSI aperture of a
 * first-stage domain, the equivalent of Linux's iommu_dma_prepare_msi() /
 * iommu_dma_get_msi_page() (thread 001: "the iommu_domain owner is
 * responsible to provide a range for SW_MSI").  A device whose DMA goes
 * through the first stage reaches an IMSIC doorbell only through an IOVA
 * mapped to it; this allocator hands out one 4 KiB IOVA page of the window
 * per doorbell page, maps it with rvd_map_pages (R|W, no exec: RISC-V has
 * no write-only leaf), shares it between every user of that doorbell page,
 * and unmaps + rvd_iotlb_syncs it when the last user releases it.
 *
 * Invariants:
 *   (1) refs[i] > 0 exactly when window page i is mapped, to doorbell[i];
 *   (2) no two live pages map the same doorbell page;
 *   (3) every IOVA handed out lies in [base, base + size);
 *   (4) a page is reused only after its unmap was synced (IOTINVAL +
 *       IOFENCE.C in rvd_iotlb_sync), so no stale translation survives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/driver.h"
#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define PG RVI_PAGE_SIZE

int rvmsi_sw_msi_init(struct rvmsi_sw_msi *sw, struct rvd_domain *dom, uint64_t base, uint64_t size)
{
	uint64_t pages;

	if (!sw || !dom || rvd_domain_type(dom) != RVD_DOMAIN_PAGING ||
	    rvd_domain_stage(dom) != 1 || !size || ((base | size) & (PG - 1)) || base + size < base)
		return -EINVAL;
	pages = size / PG;
	if (pages > RVMSI_SW_MSI_MAX_PAGES)
		return -ERANGE;
	memset(sw, 0, sizeof(*sw));
	sw->doorbell = calloc(pages, sizeof(*sw->doorbell));
	sw->refs = calloc(pages, sizeof(*sw->refs));
	if (!sw->doorbell || !sw->refs) {
		free(sw->doorbell);
		free(sw->refs);
		memset(sw, 0, sizeof(*sw));
		return -ENOMEM;
	}
	sw->dom = dom;
	sw->base = base;
	sw->size = size;
	sw->pages = pages;
	return 0;
}

int rvmsi_sw_msi_init_regions(struct rvmsi_sw_msi *sw, struct rvd_domain *dom,
                              const struct rvmsi_regions *rg)
{
	if (!rg || (rg->n && !rg->r))
		return -EINVAL;
	for (size_t i = 0; i < rg->n; i++)
		if (rg->r[i].type == RVMSI_RESV_SW_MSI)
			return rvmsi_sw_msi_init(sw, dom, rg->r[i].start, rg->r[i].length);
	return -ENOENT;
}

void rvmsi_sw_msi_destroy(struct rvmsi_sw_msi *sw)
{
	struct rvd_gather g;

	if (!sw || !sw->refs)
		return;
	rvd_gather_init(&g);
	for (uint64_t i = 0; i < sw->pages; i++)
		if (sw->refs[i])
			rvd_unmap_pages(sw->dom, sw->base + i * PG, PG, 1, &g);
	if (sw->live)
		rvd_iotlb_sync(sw->dom, &g);
	free(sw->doorbell);
	free(sw->refs);
	memset(sw, 0, sizeof(*sw));
}

/* The live window page backing doorbell page @page, or sw->pages. */
static uint64_t find_(const struct rvmsi_sw_msi *sw, uint64_t page)
{
	for (uint64_t i = 0; i < sw->pages; i++)
		if (sw->refs[i] && sw->doorbell[i] == page)
			return i;
	return sw->pages;
}

int rvmsi_sw_msi_prepare(struct rvmsi_sw_msi *sw, uint64_t doorbell_pa, uint64_t *iova)
{
	uint64_t page = doorbell_pa & ~(PG - 1), i;
	size_t mapped = 0;
	int rc;

	if (!sw || !sw->refs || !iova || (doorbell_pa & 3))
		return -EINVAL;
	i = find_(sw, page);
	if (i < sw->pages) {
		if (sw->refs[i] == UINT32_MAX)
			return -ENOSPC;
		sw->refs[i]++;
		*iova = sw->base + i * PG + (doorbell_pa & (PG - 1));
		return 0;
	}
	if (sw->live == sw->pages)
		return -ENOSPC;
	for (i = 0; sw->refs[i]; i++)
		;
	rc = rvd_map_pages(sw->dom, sw->base + i * PG, page, PG, 1, RVD_PROT_READ | RVD_PROT_WRITE,
	                   &mapped);
	if (rc)
		return rc; /* one page: nothing was mapped */
	sw->doorbell[i] = page;
	sw->refs[i] = 1;
	sw->live++;
	*iova = sw->base + i * PG + (doorbell_pa & (PG - 1));
	return 0;
}

int rvmsi_sw_msi_release(struct rvmsi_sw_msi *sw, uint64_t doorbell_pa)
{
	struct rvd_gather g;
	uint64_t i;
	size_t n;
	int rc;

	if (!sw || !sw->refs)
		return -EINVAL;
	i = find_(sw, doorbell_pa & ~(PG - 1));
	if (i == sw->pages)
		return -ENOENT;
	if (--sw->refs[i])
		return 0;
	sw->live--;
	sw->doorbell[i] = 0;
	rvd_gather_init(&g);
	n = rvd_unmap_pages(sw->dom, sw->base + i * PG, PG, 1, &g);
	rc = rvd_iotlb_sync(sw->dom, &g);
	return (n != PG || rc) ? -EIO : 0;
}

uint32_t rvmsi_sw_msi_refs(const struct rvmsi_sw_msi *sw, uint64_t doorbell_pa)
{
	uint64_t i;

	if (!sw || !sw->refs)
		return 0;
	i = find_(sw, doorbell_pa & ~(PG - 1));
	return i < sw->pages ? sw->refs[i] : 0;
}
