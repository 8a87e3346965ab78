/* SPDX-License-Identifier: MIT
 *
 * platform/scen_run.c - run a scenario on a platform: set it up
 * (scen_setup.c), then a scheduler of bounded ticks, then the tallies.
 *
 * One tick (virtual time += TICK_NS, every model advanced):
 *   1. every device with an active DMA job moves one chunk, in an order
 *      drawn from the seeded RNG (splitmix64), so interleavings vary by seed
 *      and repeat exactly for one seed;
 *   2. the next step runs, unless it must wait: a "dma" step waits until its
 *      device's previous job is done, "wait" until every job is done;
 *      management steps (map, unmap, detach, attach, affinity) therefore
 *      run while other devices' DMA is in flight;
 *   3. interrupts are claimed (plat_irq.c) and driver fault records are
 *      matched with the faults devices saw (scen_dma.c).
 * After the last step and job: a final interrupt poll, a drain of each
 * driver's queues, the host read-back of every buffer, and the tallies.
 *
 * MSI policy and VMs: scen_msi.c (the default IMSIC region policy of
 * rviommu/msi.h for each DMA domain, affinity changes through the MSI page
 * table) and scen_vm.c (nested domains, guest interrupt files, vCPU
 * migration).  A step the platform cannot run (a VM on a platform without
 * guest interrupt files) is listed as skipped, never counted as passing.
 *
 * Invariants: (1) the run never reads a wall clock except to decide whether
 * to draw the progress line, which goes to a TTY only and never into the
 * report; (2) each tick does O(devices * chunk) work.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

uint64_t run_rand(struct run *r)
{
	/* splitmix64 (Steele, Lea, Flood 2014) */
	uint64_t z = (r->rng += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void run_viol(struct run *r, const char *fmt, ...)
{
	struct rvsim_result *res = r->res;
	va_list ap;
	if (res->nviol >= RUN_MAX_VIOL) {
		res->nviol++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(res->viol[res->nviol], sizeof(res->viol[0]), fmt, ap);
	va_end(ap);
	rvsim_trace(r->p, "\"ev\":\"violation\",\"msg\":\"%s\"", res->viol[res->nviol]);
	res->nviol++;
}

int run_fail(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return RVSIM_E_SCENARIO;
}

void run_skip(struct run *r, const char *fmt, ...)
{
	struct rvsim_result *res = r->res;
	va_list ap;
	if (res->nskipped >= RUN_MAX_SKIP) {
		res->nskipped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(res->skipped[res->nskipped], sizeof(res->skipped[0]), fmt, ap);
	va_end(ap);
	res->nskipped++;
}

/* ---- steps ---- */

static bool any_job_(const struct run *r)
{
	for (size_t i = 0; i < r->s->ndevs; i++)
		if (r->jobs[i].active)
			return true;
	return false;
}

/* 1: ran, 0: must wait, <0: error */
static int step_(struct run *r, const struct scen_step *st, size_t idx)
{
	char path[48];
	snprintf(path, sizeof(path), "steps[%zu]", idx);
	switch (st->op) {
	case OP_WAIT:
		return any_job_(r) ? 0 : 1;
	case OP_DMA:
		if (r->jobs[st->dev].active)
			return 0;
		r->jobs[st->dev] = (struct job){st, true, 0};
		return 1;
	case OP_MSI:
		for (uint32_t k = 0; k < st->count; k++)
			run_msi(r, (size_t)st->dev, st->vector);
		return 1;
	case OP_AFFINITY: {
		char p2[64];
		snprintf(p2, sizeof(p2), "%s.hart", path);
		uint32_t hart = st->hart % (uint32_t)r->p->nr_harts;
		struct run_dev *rd = &r->res->devs[st->dev];
		uint64_t addr = 0;
		int e = run_hart_file(r, hart, &addr, p2);
		rd->vec[st->vector].hart = hart;
		if (!e && rd->vm < 0 && run_msi_affinity(r, (size_t)st->dev, st->vector, addr))
			run_viol(r, "%s: the MSI table refused the affinity change", path);
		if (!e && rd->vm >= 0 && r->vms[rd->vm].up) /* the guest retargets a vCPU */
			rd->vec[st->vector].addr = run_vm_vector_addr(r, (size_t)rd->vm, hart);
		if (!e)
			rvsim_trace(r->p,
			            "\"ev\":\"affinity\",\"dev\":\"%s\",\"vector\":%u,\"hart\":%u",
			            r->s->devs[st->dev].name, st->vector,
			            st->hart % (uint32_t)r->p->nr_harts);
		return e ? e : 1;
	}
	case OP_DETACH: {
		int e = run_attach(r, (size_t)st->dev, -1, path);
		return e ? e : 1;
	}
	case OP_ATTACH: {
		int e = run_attach(r, (size_t)st->dev, st->dom, path);
		return e ? e : 1;
	}
	case OP_MAP: {
		struct rdom *d = &r->doms[st->dom];
		int e = run_map_one(r, d, &st->map, path, NULL);
		return e ? e : 1;
	}
	case OP_UNMAP: {
		struct rdom *d = &r->doms[st->dom];
		struct rvd_gather g;
		rvd_gather_init(&g);
		size_t n = rvd_unmap_pages(d->d, st->iova, PAGE, st->size / PAGE, &g);
		int e = rvd_iotlb_sync(d->d, &g);
		if (e)
			run_viol(r, "%s: rvd_iotlb_sync failed (%d)", path, e);
		run_sw_remove(d, st->iova, n);
		rvsim_trace(r->p,
		            "\"ev\":\"unmap\",\"domain\":\"%s\",\"iova\":\"0x%" PRIx64
		            "\",\"bytes\":%zu",
		            d->sd->name, st->iova, n);
		return 1;
	}
	case OP_VM_ASSIGN: {
		int e = run_vm_assign(r, (size_t)st->dev, (size_t)st->vm, path);
		return e ? e : 1;
	}
	case OP_VCPU_MIGRATE: {
		int e = run_vm_migrate(r, (size_t)st->vm, st->vcpu, st->hart, path);
		return e ? e : 1;
	}
	}
	return 1;
}

/* Draw the progress line at most 4 times a second, after the first 2 s. */
static void progress_(struct run *r, const struct timespec *t0)
{
	struct timespec t;
	if (!r->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	double dt = (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
	if (dt < 2.0 || dt < r->progress_next)
		return;
	r->progress_next = dt + 0.25;
	fprintf(r->progress, "\rrviommu run: step %zu/%zu, %" PRIu64 " ticks", r->step,
	        r->s->nsteps, r->res->steps_run);
	fflush(r->progress);
	r->progress_shown = 1;
}

static int loop_(struct run *r)
{
	struct timespec t0;
	size_t *order = calloc(r->s->ndevs + 1, sizeof(size_t));
	if (!order)
		return RVSIM_E_NOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (r->step < r->s->nsteps || any_job_(r)) {
		r->p->vtime += TICK_NS;
		for (size_t k = 0; k < r->p->nr_iommus; k++)
			rvm_advance(r->p->iommus[k].m, TICK_NS);
		/* 1. DMA, in a seeded order (Fisher-Yates) */
		for (size_t i = 0; i < r->s->ndevs; i++)
			order[i] = i;
		for (size_t i = r->s->ndevs; i > 1; i--) {
			size_t j = (size_t)(run_rand(r) % i), t = order[i - 1];
			order[i - 1] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < r->s->ndevs; i++)
			run_dma_chunk(r, order[i]);
		/* 2. the next step */
		if (r->step < r->s->nsteps) {
			int e = step_(r, &r->s->steps[r->step], r->step);
			if (e < 0) {
				free(order);
				return e;
			}
			r->step += (size_t)e;
		}
		/* 3. interrupts and fault reports; vCPUs run (claim their guest
		 * files) every VCPU_PERIOD ticks */
		r->p->defer_guests = (r->res->steps_run % VCPU_PERIOD) != 0;
		rvsim_irq_poll(r->p);
		run_match_faults(r);
		r->res->steps_run++;
		if ((r->res->steps_run & 1023) == 0)
			progress_(r, &t0);
	}
	free(order);
	if (r->progress_shown)
		fprintf(r->progress, "\r\033[K");
	return 0;
}

/* ---- the run ---- */

static void finish_(struct run *r)
{
	struct rvsim_result *res = r->res;
	struct rvsim_platform *p = r->p;
	for (size_t k = 0; k < p->nr_iommus; k++) {
		int h = rvd_handle_irq(p->iommus[k].drv); /* drain what no interrupt announced */
		if (h > 0)
			p->iommus[k].handled += (uint64_t)h;
	}
	p->defer_guests = false;
	rvsim_irq_poll(p);
	run_match_faults(r);
	for (size_t j = 0; j < r->npend; j++) {
		res->fault_unreported++;
		run_viol(r,
		         "device_id 0x%x: fault cause %u at iova 0x%" PRIx64
		         " was never reported by the driver",
		         r->pend[j].device_id, r->pend[j].cause, r->pend[j].iova);
	}
	for (size_t i = 0; i < res->ndevs; i++)
		for (unsigned v = 0; v < SCEN_MAX_VEC; v++)
			if (r->outstanding[i * SCEN_MAX_VEC + v].n) {
				res->msi_lost += r->outstanding[i * SCEN_MAX_VEC + v].n;
				run_viol(r, "%s vector %u: an MSI was delivered but never taken",
				         res->devs[i].sd->name, v);
			}
	run_final_sweep(r);
	/* per-file deliveries */
	size_t nf = 0;
	for (size_t i = 0; i < p->nr_imsics; i++)
		nf += p->imsics[i].dt->nr_parents * p->imsics[i].files_per_hart;
	res->files = calloc(nf + 1, sizeof(*res->files));
	for (size_t i = 0; res->files && i < p->nr_imsics; i++) {
		const struct rvsim_imsic *s = &p->imsics[i];
		for (size_t pos = 0; pos < s->dt->nr_parents; pos++)
			for (uint32_t g = 0; g < s->files_per_hart; g++) {
				uint64_t n = s->delivered[pos * s->files_per_hart + g];
				if (!n)
					continue;
				snprintf(res->files[res->nfiles].imsic, sizeof(res->files[0].imsic),
				         "%s",
				         strrchr(s->dt->path, '/') ? strrchr(s->dt->path, '/') + 1
				                                   : s->dt->path);
				res->files[res->nfiles].hartid = s->dt->parents[pos].hartid;
				res->files[res->nfiles].guest = g;
				res->files[res->nfiles].n = n;
				res->nfiles++;
			}
	}
	for (size_t k = 0; k < p->nr_iommus; k++) {
		for (unsigned o = 0; o < RVSIM_CMD_OPS; o++)
			for (unsigned f = 0; f < 8; f++)
				res->cmds[o][f] += p->iommus[k].cmds[o][f];
		res->n_cmds += p->iommus[k].n_cmds;
		res->iommu_irqs += p->iommus[k].irqs;
	}
	res->vtime = p->vtime;
}

int rvsim_run(struct rvsim_platform *p, const struct rvsim_scenario *s,
              const struct rvsim_run_opts *o, struct rvsim_result **out, char *err, size_t errlen)
{
	char dummy[8];
	struct run r;
	int e = 0;
	if (out)
		*out = NULL;
	if (!p || !s || !out || p->used) {
		if (err && errlen)
			snprintf(err, errlen, "%s",
			         p && p->used ? "this platform already ran a scenario"
			                      : "bad arguments");
		return RVSIM_E_INVAL;
	}
	p->used = true;
	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.p = p;
	r.s = s;
	r.err = err ? err : dummy;
	r.errlen = err ? errlen : sizeof(dummy);
	r.rng = o ? o->seed : 0;
	r.progress = o ? o->progress : NULL;
	p->trace = o ? o->trace : NULL;
	p->msi_hook = run_msi_hook;
	p->msi_ctx = &r;
	p->ats_hook = run_ats_hook;
	p->ats_ctx = &r;
	p->prq_hook = run_prq_hook;
	p->prq_ctx = &r;
	r.res = calloc(1, sizeof(*r.res));
	r.doms = calloc(s->ndoms + 1, sizeof(*r.doms));
	r.vms = calloc(s->nvms + 1, sizeof(*r.vms));
	r.jobs = calloc(s->ndevs + 1, sizeof(*r.jobs));
	r.outstanding = calloc((s->ndevs + 1) * SCEN_MAX_VEC, sizeof(*r.outstanding));
	r.shadow = rv_physmem_create(56);
	if (r.res)
		r.res->devs = calloc(s->ndevs + 1, sizeof(*r.res->devs));
	if (!r.res || !r.doms || !r.vms || !r.jobs || !r.outstanding || !r.shadow || !r.res->devs) {
		e = RVSIM_E_NOMEM;
		goto out;
	}
	r.res->seed = o ? o->seed : 0;
	r.res->ndevs = s->ndevs;
	rvsim_platform_info(p, &r.res->info);
	snprintf(r.res->scenario, sizeof(r.res->scenario), "%s", s->name);
	snprintf(r.res->platform, sizeof(r.res->platform), "%s",
	         p->default_iommu ? "device tree + default IOMMU (the tree has none)"
	                          : "device tree");
	snprintf(r.res->msi_policy, sizeof(r.res->msi_policy),
	         "coalesce (rviommu/msi.h): first stage maps the S files 1:1, second stage "
	         "uses an MSI page table");
	rvsim_trace(p, "\"ev\":\"start\",\"scenario\":\"%s\",\"seed\":%" PRIu64, s->name,
	            r.res->seed);
	if (s->has_iommu_cfg) {
		char msg[200] = "";
		e = rvsim_iommus_reconfigure(p, &s->iommu_cfg, msg, sizeof(msg));
		if (e == RVSIM_E_SETUP || e == RVSIM_E_DT) {
			snprintf(r.err, r.errlen, "iommu: this implementation cannot run: %s", msg);
			e = RVSIM_E_SCENARIO;
		}
		if (!e && !(s->iommu_cfg.capabilities & RVI_CAP_MSI_FLAT))
			snprintf(r.res->msi_policy, sizeof(r.res->msi_policy),
			         "coalesce (rviommu/msi.h): no MSI_FLAT, so both stages map the S "
			         "files 1:1");
		snprintf(r.res->platform, sizeof(r.res->platform),
		         "%s, IOMMU config from the scenario",
		         p->default_iommu ? "device tree + default IOMMU" : "device tree");
	}
	if (!e)
		e = run_setup(&r);
	if (!e)
		e = loop_(&r);
	if (!e)
		finish_(&r);
out:
	if (r.doms)
		run_msi_teardown(&r);
	if (r.vms)
		run_vm_teardown(&r);
	for (size_t i = 0; r.vms && i < s->nvms; i++) {
		r.res->vm_migrations += r.vms[i].migrations;
		r.res->vm_moved += r.vms[i].moved;
	}
	free(r.vms);
	for (size_t i = 0; r.doms && i < s->ndoms; i++) {
		free(r.doms[i].maps);
		free(r.doms[i].map_pa);
		free(r.doms[i].demand);
	}
	free(r.doms);
	free(r.jobs);
	free(r.outstanding);
	free(r.pend);
	if (r.shadow)
		rv_physmem_destroy(r.shadow);
	p->trace = NULL;
	p->msi_hook = NULL;
	p->ats_hook = NULL;
	p->prq_hook = NULL;
	if (e) {
		if (e == RVSIM_E_NOMEM)
			snprintf(r.err, r.errlen, "out of memory");
		rvsim_result_free(r.res);
		return e;
	}
	*out = r.res;
	return 0;
}

void rvsim_result_free(struct rvsim_result *res)
{
	if (!res)
		return;
	free(res->devs);
	free(res->files);
	free(res);
}

bool rvsim_result_ok(const struct rvsim_result *res)
{
	return res && res->nviol == 0 && !res->corrupt && !res->msi_lost && !res->msi_dup &&
	       !res->fault_unexpected && !res->fault_missing && !res->fault_unreported;
}

unsigned rvsim_result_skipped(const struct rvsim_result *res)
{
	return res ? (unsigned)res->nskipped : 0;
}

int rvsim_result_dev(const struct rvsim_result *res, const char *name, struct rvsim_dev_stats *st)
{
	for (size_t i = 0; res && name && i < res->ndevs; i++)
		if (!strcmp(res->devs[i].name, name)) {
			*st = res->devs[i].st;
			return 0;
		}
	return RVSIM_E_INVAL;
}
