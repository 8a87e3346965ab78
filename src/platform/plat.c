/* SPDX-License-Identifier: MIT
 *
 * platform/plat.c - build a platform from a device tree, and tear it down.
 *
 * Order of construction (each step may fail with a message naming the node):
 *   1. load the tree (a file through rvdt_load_file, or the embedded default
 *      from plat_dt.c through rvdt_load_dtb);
 *   2. RAM: sparse memory for the tree's ranges, with the driver carve-out at
 *      the top of the first range and the scenario allocator below it;
 *   3. harts, then IMSICs (plat_irq.c); the PCI host's msi-parent is the
 *      IMSIC that device MSIs target;
 *   4. IOMMUs (plat_iommu.c): one per IOMMU node, or one default platform
 *      IOMMU when the tree has none (QEMU 7.2's virt, for example, has none;
 *      PCI RIDs then map 1:1 to device_ids, and the report says so).
 * Destruction runs in the reverse order and frees everything.
 *
 * Invariants: (1) a partially built platform is always destroyable;
 * (2) nothing is global: two platforms never share state.
 */
#include <stdlib.h>
#include <string.h>

#include "platform/plat_internal.h"
#include "rviommu/spec.h"

#define MIN_RAM (RVSIM_POOL_PAGES * RVI_PAGE_SIZE + (UINT64_C(32) << 20))
#define ALLOC_SKIP (UINT64_C(16) << 20) /* leave the bottom 16 MiB to "firmware" */

static int load_dt_(const char *path, struct rvdt_platform **dt, char *err, size_t errlen)
{
	int r;
	if (path) {
		r = rvdt_load_file(path, dt, err, errlen);
	} else {
		void *blob = NULL;
		size_t size = 0;
		if (rvsim_default_dtb(&blob, &size))
			return RVSIM_E_NOMEM;
		r = rvdt_load_dtb(blob, size, dt, err, errlen);
		free(blob);
	}
	if (r == -RVDT_ERR_NOMEM)
		return RVSIM_E_NOMEM;
	return r ? RVSIM_E_DT : 0;
}

static int setup_ram_(struct rvsim_platform *p, char *err, size_t errlen)
{
	if (!p->dt->nr_memory) {
		snprintf(err, errlen, "/: no memory node (device_type = \"memory\") with a reg");
		return RVSIM_E_DT;
	}
	const struct rvdt_range *r0 = &p->dt->memory[0];
	if (r0->size < MIN_RAM || (r0->base & (RVI_PAGE_SIZE - 1))) {
		snprintf(err, errlen,
		         "memory@%llx: reg size 0x%llx is below the 0x%llx the simulator needs "
		         "(or the base is not page-aligned)",
		         (unsigned long long)r0->base, (unsigned long long)r0->size,
		         (unsigned long long)MIN_RAM);
		return RVSIM_E_DT;
	}
	p->ram = rv_physmem_create(56);
	p->pool_pages = RVSIM_POOL_PAGES;
	p->pool_base = r0->base + r0->size - p->pool_pages * RVI_PAGE_SIZE;
	p->pool = aligned_alloc(RVI_PAGE_SIZE, p->pool_pages * RVI_PAGE_SIZE);
	p->pool_used = calloc(p->pool_pages, 1);
	if (!p->ram || !p->pool || !p->pool_used)
		return RVSIM_E_NOMEM;
	p->alloc_next = r0->base + ALLOC_SKIP;
	p->alloc_end = p->pool_base;
	return 0;
}

static int setup_irq_(struct rvsim_platform *p, char *err, size_t errlen)
{
	if (!p->dt->nr_harts) {
		snprintf(err, errlen, "/cpus: no cpu node with a reg");
		return RVSIM_E_DT;
	}
	p->harts = calloc(p->dt->nr_harts, sizeof(*p->harts));
	if (!p->harts)
		return RVSIM_E_NOMEM;
	p->nr_harts = p->dt->nr_harts;
	for (size_t i = 0; i < p->nr_harts; i++)
		p->harts[i].hartid = p->dt->harts[i].hartid;
	int r = rvsim_imsics_create(p, err, errlen);
	if (r)
		return r;
	if (p->dt->nr_pci_hosts && p->dt->pci_hosts[0].msi_imsic >= 0)
		p->s_imsic = p->dt->pci_hosts[0].msi_imsic;
	for (size_t i = 0; p->s_imsic < 0 && i < p->nr_imsics; i++)
		if (!p->imsics[i].m_level)
			p->s_imsic = (int)i;
	if (p->s_imsic < 0 || p->imsics[p->s_imsic].m_level) {
		snprintf(err, errlen,
		         "%s: device MSIs need an S-level riscv,imsics node "
		         "(msi-parent of the PCI host)",
		         p->dt->nr_pci_hosts ? p->dt->pci_hosts[0].path : "/");
		return RVSIM_E_DT;
	}
	return 0;
}

int rvsim_platform_create(const char *dt_path, struct rvsim_platform **out, char *err,
                          size_t errlen)
{
	char dummy[8];
	if (!out)
		return RVSIM_E_INVAL;
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	struct rvsim_platform *p = calloc(1, sizeof(*p));
	if (!p)
		return RVSIM_E_NOMEM;
	p->s_imsic = -1;
	int r = load_dt_(dt_path, &p->dt, err, errlen);
	if (!r)
		r = setup_ram_(p, err, errlen);
	if (!r)
		r = setup_irq_(p, err, errlen);
	if (!r) {
		p->default_iommu = p->dt->nr_iommus == 0;
		p->nr_iommus = p->default_iommu ? 1 : p->dt->nr_iommus;
		p->iommus = calloc(p->nr_iommus, sizeof(*p->iommus));
		if (!p->iommus)
			r = RVSIM_E_NOMEM;
	}
	for (size_t i = 0; !r && i < p->nr_iommus; i++)
		r = rvsim_iommu_setup(p, i, p->default_iommu ? NULL : &p->dt->iommus[i], NULL, err,
		                      errlen);
	if (!r)
		rvsim_irq_poll(p); /* anything the probe raised */
	if (r) {
		if (r == RVSIM_E_NOMEM)
			snprintf(err, errlen, "out of memory");
		rvsim_platform_destroy(p);
		return r;
	}
	*out = p;
	return 0;
}

void rvsim_platform_destroy(struct rvsim_platform *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->iommus && i < p->nr_iommus; i++)
		rvsim_iommu_teardown(&p->iommus[i]);
	free(p->iommus);
	for (size_t i = 0; i < p->nr_imsics; i++) {
		rvimsic_destroy(p->imsics[i].im);
		free(p->imsics[i].delivered);
	}
	free(p->harts);
	if (p->ram)
		rv_physmem_destroy(p->ram);
	free(p->pool);
	free(p->pool_used);
	rvdt_free(p->dt);
	free(p);
}

void rvsim_platform_info(const struct rvsim_platform *p, struct rvsim_platform_info *info)
{
	memset(info, 0, sizeof(*info));
	info->nr_harts = p->nr_harts;
	info->nr_imsics = p->nr_imsics;
	info->nr_iommus = p->nr_iommus;
	info->default_iommu = p->default_iommu;
	if (p->s_imsic >= 0)
		info->guests_per_hart = p->imsics[p->s_imsic].files_per_hart - 1;
	if (p->dt->nr_memory) {
		info->ram_base = p->dt->memory[0].base;
		info->ram_size = p->dt->memory[0].size;
	}
}
