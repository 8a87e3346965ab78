/* SPDX-License-Identifier: MIT
 *
 * platform/scen_setup.c - put a scenario on the platform before the first
 * tick: each device's IOMMU and device_id (from the iommu-map) and its
 * MSI-X table; each domain through the driver core (paging domains of the
 * requested stage, the identity and blocking domains), with the MSI policy
 * of scen_msi.c and the scenario's maps; the attachments; and ATS/PRI for
 * the devices that ask for it.  Also the map and attach operations that
 * steps reuse.
 *
 * Invariants: (1) the OS's view (struct rdom maps) gains a range only after
 * rvd_map_pages() mapped it, and a device's domain changes only after
 * rvd_attach_dev() succeeded; (2) a device's MSI table references move with
 * it (dropped in the old domain before, taken in the new one after);
 * (3) every problem the scenario causes here is RVSIM_E_SCENARIO with the
 * JSON path of the field.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

int run_hart_file(struct run *r, uint32_t hart, uint64_t *addr, const char *path)
{
	long pos = hart < r->p->nr_harts ? rvsim_hart_pos(r->p, (size_t)r->p->s_imsic, hart) : -1;
	if (pos < 0)
		return run_fail(r, "%s: hart %u has no interrupt file in %s", path, hart,
		                r->p->imsics[r->p->s_imsic].dt->path);
	rvsim_file_addr(r->p, (size_t)r->p->s_imsic, (size_t)pos, 0, addr);
	return 0;
}

static int set_vector_(struct run *r, size_t dev, unsigned v, uint32_t hart, const char *path)
{
	struct run_dev *rd = &r->res->devs[dev];
	int e = run_hart_file(r, hart, &rd->vec[v].addr, path);
	rd->vec[v].hart = hart;
	return e;
}

static int setup_devs_(struct run *r)
{
	const struct rvsim_scenario *s = r->s;
	uint32_t nids = r->p->imsics[r->p->s_imsic].dt->num_ids;
	char path[64];
	for (size_t i = 0; i < s->ndevs; i++) {
		struct run_dev *rd = &r->res->devs[i];
		rd->sd = &s->devs[i];
		memcpy(rd->name, rd->sd->name, sizeof(rd->name));
		rd->bdf = rd->sd->bdf;
		rd->dom = -1;
		rd->vm = -1;
		if (rvsim_map_rid(r->p, rd->sd->bdf, &rd->iommu, &rd->device_id))
			return run_fail(r,
			                "devices[%zu].bdf: %02x:%02x.%x is not behind an IOMMU "
			                "(no iommu-map entry of the PCI host covers it)",
			                i, rd->sd->bdf >> 8, (rd->sd->bdf >> 3) & 31,
			                rd->sd->bdf & 7);
		if (MSI_ID_BASE + (i + 1) * SCEN_MAX_VEC > nids + 1)
			return run_fail(r,
			                "devices[%zu]: more devices than the IMSIC's %u identities "
			                "allow (%u per device)",
			                i, nids, SCEN_MAX_VEC);
		for (unsigned v = 0; v < rd->sd->vectors; v++) {
			snprintf(path, sizeof(path), "devices[%zu].affinity[%u]", i, v);
			rd->vec[v].data = MSI_ID_BASE + (uint32_t)i * SCEN_MAX_VEC + v;
			int e =
			    set_vector_(r, i, v, rd->sd->hart[v] % (uint32_t)r->p->nr_harts, path);
			if (e)
				return e;
		}
	}
	return 0;
}

int run_map_one(struct run *r, struct rdom *d, const struct scen_map *m, const char *path,
                uint64_t *pa_out)
{
	uint64_t pa = m->pa;
	size_t mapped = 0;
	if (m->pa_ref_dom >= 0) {
		const struct rdom *o = &r->doms[m->pa_ref_dom];
		if (!o->map_pa)
			return run_fail(r, "%s.pa: domain '%s' is not set up yet", path,
			                o->sd->name);
		pa = o->map_pa[m->pa_ref_map];
	} else if (m->pa_auto) {
		uint64_t align = m->size >= (UINT64_C(2) << 20) ? (UINT64_C(2) << 20) : PAGE;
		if (rvsim_ram_alloc(r->p, m->size, align, &pa))
			return run_fail(r, "%s.size: no room left in RAM for 0x%" PRIx64 " bytes",
			                path, m->size);
	} else if (!rvsim_in_ram(r->p, pa, m->size)) {
		return run_fail(r, "%s.pa: 0x%" PRIx64 "+0x%" PRIx64 " is not RAM of this platform",
		                path, pa, m->size);
	} else if (rvsim_in_pool(r->p, pa, 1) || rvsim_in_pool(r->p, pa + m->size - 1, 1) ||
	           (pa < r->p->pool_base && pa + m->size > r->p->pool_base)) {
		return run_fail(r, "%s.pa: overlaps the driver's reserved pages", path);
	}
	if (m->demand) { /* backed now, mapped page by page on page requests */
		if (d->ndemand == d->capdemand) {
			size_t nc = d->capdemand ? 2 * d->capdemand : 8;
			struct sw_map *nd = realloc(d->demand, nc * sizeof(*nd));
			if (!nd)
				return RVSIM_E_NOMEM;
			d->demand = nd;
			d->capdemand = nc;
		}
		d->demand[d->ndemand++] = (struct sw_map){m->iova, m->size, pa, m->prot, false};
		if (pa_out)
			*pa_out = pa;
		return 0;
	}
	for (uint64_t off = 0; d->has_msi && off < m->size; off += PAGE) {
		uint64_t idx;
		if (!rvmsi_table_index(&d->msi, m->iova + off, &idx))
			return run_fail(r,
			                "%s.iova: 0x%" PRIx64 " is in the domain's MSI window "
			                "(a reserved region)",
			                path, m->iova + off);
	}
	int e = rvd_map_pages(d->d, m->iova, pa, PAGE, m->size / PAGE, m->prot, &mapped);
	if (e == -EEXIST)
		return run_fail(r,
		                "%s.iova: 0x%" PRIx64 " overlaps an existing mapping (IMSIC pages "
		                "are mapped at their physical address)",
		                path, m->iova);
	if (e)
		return run_fail(r, "%s: rvd_map_pages failed (%d)", path, e);
	if (run_sw_add(d, m->iova, m->size, pa, m->prot, false))
		return RVSIM_E_NOMEM;
	rvsim_trace(r->p,
	            "\"ev\":\"map\",\"domain\":\"%s\",\"iova\":\"0x%" PRIx64
	            "\",\"size\":\"0x%" PRIx64 "\",\"pa\":\"0x%" PRIx64 "\"",
	            d->sd->name, m->iova, m->size, pa);
	if (pa_out)
		*pa_out = pa;
	return 0;
}

int run_attach(struct run *r, size_t dev, int dom, const char *path)
{
	struct run_dev *rd = &r->res->devs[dev];
	struct rvd_iommu *drv = r->p->iommus[rd->iommu].drv;
	struct rvd_domain *target;
	if (dom < 0) {
		target = rvd_blocked_domain(drv);
	} else {
		struct rdom *d = &r->doms[dom];
		if (d->iommu != rd->iommu)
			return run_fail(
			    r, "%s: device '%s' is behind iommu%zu, domain '%s' on iommu%zu", path,
			    rd->sd->name, rd->iommu, d->sd->name, d->iommu);
		target = d->d;
	}
	if (run_msi_refs(r, dev, -1))
		run_viol(r, "%s: dropping the MSI references of '%s' failed", path, rd->sd->name);
	int e = rvd_attach_dev(target, rd->device_id);
	if (e)
		return run_fail(r, "%s: rvd_attach_dev(device_id 0x%x) failed (%d)", path,
		                rd->device_id, e);
	rd->dom = dom < 0 ? -1 : dom; /* a "blocked" domain: expect_() says 258 */
	if (rd->vm >= 0) {            /* back from a VM: the host reprograms its vectors */
		rd->vm = -1;
		for (unsigned v = 0; v < rd->sd->vectors; v++)
			run_hart_file(r, rd->vec[v].hart, &rd->vec[v].addr, path);
	}
	if (run_msi_refs(r, dev, +1))
		return run_fail(r, "%s: mapping the MSI entries of '%s' failed", path,
		                rd->sd->name);
	rvsim_trace(r->p, "\"ev\":\"attach\",\"dev\":\"%s\",\"domain\":\"%s\"", rd->sd->name,
	            dom < 0 ? "blocked" : r->doms[dom].sd->name);
	return 0;
}

static int setup_doms_(struct run *r)
{
	const struct rvsim_scenario *s = r->s;
	char path[96];
	for (size_t i = 0; i < s->ndoms; i++) {
		const struct scen_dom *sd = &s->doms[i];
		struct rdom *d = &r->doms[i];
		int e = 0;
		d->sd = sd;
		d->iommu = sd->ndevs ? r->res->devs[sd->devs[0]].iommu : 0;
		struct rvd_iommu *drv = r->p->iommus[d->iommu].drv;
		if (sd->type == DOM_IDENTITY) {
			d->d = rvd_identity_domain(drv);
		} else if (sd->type == DOM_BLOCKED) {
			d->d = rvd_blocked_domain(drv);
		} else {
			d->d = sd->stage == STAGE_AUTO
			           ? rvd_domain_alloc_paging(drv, &e)
			           : rvd_domain_alloc_paging_stage(drv,
			                                           sd->stage == STAGE_FIRST
			                                               ? RVD_STAGE_FIRST
			                                               : RVD_STAGE_SECOND,
			                                           &e);
			if (!d->d)
				return run_fail(
				    r, "domains[%zu].stage: the IOMMU cannot make this domain (%d)",
				    i, e);
			d->stage = rvd_domain_stage(d->d);
			d->map_pa = calloc(sd->nmaps + 1, sizeof(uint64_t));
			if (!d->map_pa)
				return RVSIM_E_NOMEM;
			if ((e = run_msi_domain_setup(r, d)))
				return e;
			for (size_t k = 0; k < sd->nmaps; k++) {
				snprintf(path, sizeof(path), "domains[%zu].maps[%zu]", i, k);
				if ((e = run_map_one(r, d, &sd->maps[k], path, &d->map_pa[k])))
					return e;
			}
		}
		for (size_t k = 0; k < sd->ndevs; k++) {
			snprintf(path, sizeof(path), "domains[%zu].devices[%zu]", i, k);
			if ((e = run_attach(r, (size_t)sd->devs[k], (int)i, path)))
				return e;
		}
	}
	return 0;
}

/* ATS for the devices that ask for it, once they are attached (the DC
 * keeps EN_ATS across later attaches). */
static int setup_ats_(struct run *r)
{
	for (size_t i = 0; i < r->s->ndevs; i++) {
		struct run_dev *rd = &r->res->devs[i];
		if (!rd->sd->ats)
			continue;
		struct rvd_ats_cfg cfg = {.inval_queue_depth = 0, .pri = rd->sd->pri};
		int e = rvd_enable_ats(r->p->iommus[rd->iommu].drv, rd->device_id, &cfg);
		if (e == -ENODEV)
			return run_fail(r, "devices[%zu].ats: the IOMMU has no ATS capability", i);
		if (e)
			return run_fail(r, "devices[%zu].ats: rvd_enable_ats failed (%d)", i, e);
		rd->ats = true;
		rd->pri = rd->sd->pri;
		rvsim_trace(r->p, "\"ev\":\"ats_enable\",\"dev\":\"%s\"", rd->sd->name);
	}
	return 0;
}

int run_setup(struct run *r)
{
	int e = setup_devs_(r);
	if (!e)
		e = setup_doms_(r);
	if (!e)
		e = setup_ats_(r);
	return e;
}
