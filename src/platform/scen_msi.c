/* SPDX-License-Identifier: MIT
 *
 * platform/scen_msi.c - the MSI policy of the simulated OS, built on
 * rviommu/msi.h (src/msi): the default IMSIC region policy
 * (RVMSI_POLICY_COALESCE) for the stage the driver gave the domain.
 *
 *   first stage  the S-level interrupt files are direct (identity) regions:
 *                they are mapped IOVA = PA in the domain when it is made, so
 *                an MSI-X address is a file's physical address and an
 *                affinity change is only an MSI-X table write;
 *   second stage the GSCID gets an MSI page table (flat, msi_addr_mask /
 *                pattern from rvmsi_regions_compute) through
 *                rvd_domain_set_msi(); each MSI-X vector holds a reference
 *                on its file's entry, and an affinity change maps the new
 *                entry before the device is retargeted and drops the old
 *                reference after (rvmsi_affinity_change), so no MSI is lost;
 *                an IOMMU without MSI_FLAT gets the first-stage treatment
 *                (the S files mapped GPA = SPA in the second stage).
 *
 * RISC-V IOMMU 1.0 §3.1.3.5-6 (msiptp, msi_addr_mask/pattern), §2.3 step
 * "MSI address translation"; cause 262 (MSI PTE not valid) for a write to
 * an entry with no reference.
 *
 * Invariants: (1) a vector's reference is held exactly while the device is
 * attached to the domain and the vector targets that file; (2) every
 * command the MSI table submits goes through the driver's command path
 * (rvd_submit_cmds), never straight to the queue.
 */
#include <errno.h>
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

int run_msi_domain_setup(struct run *r, struct rdom *d)
{
	struct rvsim_iommu *io = &r->p->iommus[d->iommu];
	/* without MSI_FLAT a second-stage domain has no MSI page table: its
	 * S files are direct regions (mapped GPA = SPA), as in a first stage */
	bool table = d->stage == 2 && (rvm_get_config(io->m)->capabilities & RVI_CAP_MSI_FLAT);
	struct rvmsi_policy pol = {
	    .mode = RVMSI_POLICY_COALESCE,
	    .stage = table ? RVMSI_STAGE_SECOND : RVMSI_STAGE_FIRST,
	};
	struct rvmsi_regions rg;
	char msg[256] = "";
	int e = rvmsi_regions_compute(r->p->dt, &pol, &rg, msg, sizeof(msg));
	if (e)
		return snprintf(r->err, r->errlen, "domain '%s': MSI regions: %s", d->sd->name,
		                msg),
		       RVSIM_E_SETUP;
	for (size_t i = 0; !table && i < rg.n; i++) {
		const struct rvmsi_region *g = &rg.r[i];
		size_t mapped = 0;
		if (g->type != RVMSI_RESV_DIRECT && g->type != RVMSI_RESV_DIRECT_RELAXABLE)
			continue;
		e = rvd_map_pages(d->d, g->start, g->start, PAGE, g->length / PAGE,
		                  RVD_PROT_READ | RVD_PROT_WRITE, &mapped);
		if (!e)
			e = run_sw_add(d, g->start, g->length, g->start,
			               RVD_PROT_READ | RVD_PROT_WRITE, true);
		if (e)
			break;
	}
	if (!e && table) {
		d->mem.ops = &io->ops;
		d->mem.ctx = io;
		/* rvmsi_submit_rvd: the driver core's queue, which also sends
		 * ATS.INVAL to the ATS devices on the GSCID after each
		 * IOTINVAL.GVMA (an MSI PTE can sit in a device's ATC). */
		e = rvmsi_table_init(&d->msi, &rvmsi_mem_rvd_ops, &d->mem, rvmsi_submit_rvd,
		                     io->drv, rg.msi_mask, rg.msi_pattern,
		                     (uint16_t)rvd_domain_gscid(d->d));
		if (!e) {
			d->has_msi = true;
			e = rvd_domain_set_msi(d->d, d->msi.pa >> 12, rg.msi_mask, rg.msi_pattern);
		}
	}
	rvmsi_regions_free(&rg);
	if (e)
		return snprintf(r->err, r->errlen, "domain '%s': MSI policy setup failed (%d)",
		                d->sd->name, e),
		       RVSIM_E_SETUP;
	return 0;
}

static int ref_(struct rdom *d, uint64_t addr, int delta)
{
	uint64_t pte[2];
	uint64_t page = addr & ~(uint64_t)(PAGE - 1);
	if (delta < 0)
		return rvmsi_table_unmap(&d->msi, page);
	int e = rvmsi_pte_basic(page, pte);
	return e ? e : rvmsi_table_map(&d->msi, page, pte);
}

int run_msi_refs(struct run *r, size_t dev, int delta)
{
	struct run_dev *rd = &r->res->devs[dev];
	if (rd->dom < 0 || rd->vm >= 0 || !r->doms[rd->dom].has_msi)
		return 0;
	for (unsigned v = 0; v < rd->sd->vectors; v++) {
		int e = ref_(&r->doms[rd->dom], rd->vec[v].addr, delta);
		if (e)
			return e;
	}
	return 0;
}

int run_msi_affinity(struct run *r, size_t dev, unsigned vec, uint64_t new_addr)
{
	struct run_dev *rd = &r->res->devs[dev];
	int e = 0;
	if (rd->dom >= 0 && rd->vm < 0 && r->doms[rd->dom].has_msi)
		e = rvmsi_affinity_change(&r->doms[rd->dom].msi, rd->vec[vec].addr, new_addr, NULL,
		                          NULL);
	if (!e)
		rd->vec[vec].addr = new_addr; /* the MSI-X table write */
	return e;
}

int run_msi_expect(const struct rdom *d, uint64_t addr, uint64_t *pa)
{
	uint64_t idx;
	if (!d->has_msi || rvmsi_table_index(&d->msi, addr, &idx))
		return -1;
	if (!rvmsi_table_refs(&d->msi, addr & ~(uint64_t)(PAGE - 1)))
		return RVI_CAUSE_MSI_PTE_INVALID;
	*pa = addr;
	return 0;
}

void run_msi_teardown(struct run *r)
{
	for (size_t i = 0; r->doms && i < r->s->ndoms; i++)
		if (r->doms[i].has_msi) {
			rvmsi_table_destroy(&r->doms[i].msi);
			r->doms[i].has_msi = false;
		}
}
