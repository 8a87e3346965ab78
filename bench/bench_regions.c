/* SPDX-License-Identifier: MIT
 *
 * bench/bench_regions.c - cost of the IMSIC reserved regions (design 1,
 * docs/msi-design.md): per-hart versus coalesced regions, computed and then
 * identity-mapped by the driver core, for 64, 512 and 4096 harts, with no
 * guest files and with 3 per hart.
 *
 * Each case builds a synthetic platform (one S-level IMSIC, one group, one
 * reg entry covering every hart, base 1 GiB aligned).  The driver core is
 * probed on the hardware model (bench_host.c, the host bench_driver.c uses
 * too) and BATCH first-stage paging domains are allocated
 * (rvd_domain_alloc_paging_stage(RVD_STAGE_FIRST)); they stay empty between
 * iterations.  One iteration on one domain is what Linux does for a new DMA
 * domain in iommu_create_device_direct_mappings():
 *   timed    rvmsi_regions_compute(), then one rvd_map_pages() per direct or
 *            direct-relaxable region, IOVA = PA, 4 KiB pages x length (the
 *            driver picks the largest leaves alignment allows: 1 GiB, 2 MiB,
 *            Svnapot 64 KiB, 4 KiB);
 *   untimed  rvd_unmap_pages() per region + one rvd_iotlb_sync(), so the
 *            domain is empty again (timed on its own: "unmap_ns");
 *   timed    rvmsi_regions_free().
 * A run does BATCH iterations per stretch (one domain each) so that the
 * clock is read 4 times per BATCH iterations, not per iteration.  "ns" is
 * the median over the runs of (timed time / iterations).
 *
 * What was mapped is counted once per case, before timing, from the table
 * itself: the regions are unmapped leaf by leaf, each leaf probed with the
 * smallest unmap size that removes it (4 KiB, 64 KiB, 2 MiB, 1 GiB; the
 * driver refuses to unmap part of a leaf), so "leaves" are the leaves the
 * driver really wrote, "ptes" the leaf entries (a Svnapot 64 KiB leaf is 16
 * identical entries) and "table_pages" the pages it allocated for tables.
 *
 * Output (one JSON object):
 *   {"benchmark": "regions", "quick": false, "runs": 7, "stage": 1,
 *    "timed": "...",
 *    "cases": [{"harts": 4096, "guests": 0,
 *               "per_hart": {"regions": 4097, "map_calls": 4096,
 *                            "leaves": {"4k": 4096, "64k": 0, "2m": 0, "1g": 0},
 *                            "ptes": 4096, "table_pages": 14, "ns": ...,
 *                            "unmap_ns": ...},
 *               "coalesce": {...},
 *               "ratio_ns": 282.0, "ratio_ptes": 512.0, "ratio_leaves": 512.0}, ...],
 *    "goal": {"harts": 4096, "guests": 0, "min_ratio_ns": 100,
 *             "ratio_ns": 282.0, "met": true}}
 * "regions" counts what get_resv_regions emits, the SW_MSI window included
 * (an aperture, never identity-mapped, so not a map call).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_host.h"
#include "bench_regions.h"
#include "rviommu/devicetree.h"
#include "rviommu/driver.h"
#include "rviommu/msi.h"

#define PAGE UINT64_C(0x1000)
#define BATCH 16u /* domains, so iterations per clock read pair */
#define MAX_RUNS 7u

/* Leaf sizes the driver can write, smallest first (the probe order). */
static const uint64_t leaf_sizes_[4] = {PAGE, UINT64_C(1) << 16, UINT64_C(1) << 21,
                                        UINT64_C(1) << 30};
static const char *const leaf_names_[4] = {"4k", "64k", "2m", "1g"};

static bool is_direct_(const struct rvmsi_region *r)
{
	return r->type == RVMSI_RESV_DIRECT || r->type == RVMSI_RESV_DIRECT_RELAXABLE;
}

struct case_ {
	unsigned harts, guest_bits;
};

struct synth_ {
	struct rvdt_platform p;
	struct rvdt_imsic im;
	struct rvdt_range reg;
	struct rvdt_imsic_parent *par;
};

static int synth_(struct synth_ *s, const struct case_ *c)
{
	unsigned hb = 0;
	while ((1u << hb) < c->harts)
		hb++;
	memset(s, 0, sizeof(*s));
	s->par = calloc(c->harts, sizeof(*s->par));
	if (!s->par)
		return -1;
	for (unsigned i = 0; i < c->harts; i++)
		s->par[i] = (struct rvdt_imsic_parent){.hart = i, .hartid = i};
	snprintf(s->im.path, sizeof(s->im.path), "/soc/imsics@40000000");
	s->im.level = RVDT_LEVEL_S;
	s->im.num_ids = 255;
	s->im.guest_index_bits = c->guest_bits;
	s->im.hart_index_bits = hb;
	s->im.group_index_shift = 24;
	s->im.base = UINT64_C(0x40000000);
	s->reg = (struct rvdt_range){s->im.base, (uint64_t)c->harts << (12 + c->guest_bits)};
	s->im.regs = &s->reg;
	s->im.nr_regs = 1;
	s->im.parents = s->par;
	s->im.nr_parents = c->harts;
	s->p.imsics = &s->im;
	s->p.nr_imsics = 1;
	return 0;
}

/* One policy's results for one case. */
struct side_ {
	size_t regions;       /* emitted, SW_MSI included */
	uint64_t map_calls;   /* direct regions, one rvd_map_pages each */
	uint64_t leaves[4];   /* leaves written, by leaf_sizes_ */
	uint64_t ptes;        /* leaf entries (Svnapot 64 KiB = 16) */
	uint64_t table_pages; /* pages allocated for tables while mapping */
	double ns, unmap_ns;  /* medians per iteration */
};

/* Timed part 1: compute the regions into @rg and identity-map the direct
 * ones into the empty domain @d. */
static int compute_map_(struct rvd_domain *d, const struct rvdt_platform *p,
                        enum rvmsi_policy_mode mode, struct rvmsi_regions *rg)
{
	struct rvmsi_policy pol = {.mode = mode, .stage = RVMSI_STAGE_FIRST};
	int rc = rvmsi_regions_compute(p, &pol, rg, NULL, 0);
	for (size_t i = 0; !rc && i < rg->n; i++) {
		const struct rvmsi_region *r = &rg->r[i];
		size_t mapped = 0;
		if (!is_direct_(r))
			continue;
		rc = rvd_map_pages(d, r->start, r->start, PAGE, r->length / PAGE,
		                   RVD_PROT_READ | RVD_PROT_WRITE, &mapped);
		if (!rc && mapped != r->length)
			rc = -1;
	}
	return rc;
}

/* Untimed: unmap what compute_map_ mapped and invalidate, so @d is empty
 * again (its tables go back to the host's free stacks). */
static int unmap_(struct rvd_domain *d, const struct rvmsi_regions *rg)
{
	struct rvd_gather g;
	rvd_gather_init(&g);
	for (size_t i = 0; i < rg->n; i++) {
		const struct rvmsi_region *r = &rg->r[i];
		if (is_direct_(r) &&
		    rvd_unmap_pages(d, r->start, PAGE, r->length / PAGE, &g) != r->length)
			return -1;
	}
	return rvd_iotlb_sync(d, &g);
}

/* The counting pass: map once, then take the table apart leaf by leaf.
 * At each address the smallest unmap that succeeds is the leaf's size: a
 * smaller one is refused (it would split the leaf), and a larger one is
 * never tried first, since it would also remove smaller neighbours. */
static int count_(struct bench_host *h, struct rvd_domain *d, const struct rvdt_platform *p,
                  enum rvmsi_policy_mode mode, struct side_ *s)
{
	struct rvmsi_regions rg;
	struct rvd_gather g;
	uint64_t pages0 = h->pages_alloced;
	int rc = compute_map_(d, p, mode, &rg);

	s->table_pages = h->pages_alloced - pages0;
	s->regions = rg.n;
	rvd_gather_init(&g);
	for (size_t i = 0; !rc && i < rg.n; i++) {
		const struct rvmsi_region *r = &rg.r[i];
		if (!is_direct_(r))
			continue;
		s->map_calls++;
		for (uint64_t a = r->start, end = r->start + r->length; !rc && a < end;) {
			/* identity: the driver must give back IOVA = PA */
			if (rvd_iova_to_phys(d, a) != a) {
				rc = -1;
				break;
			}
			unsigned k = 0;
			size_t got = 0;
			for (; k < 4; k++) {
				uint64_t sz = leaf_sizes_[k];
				if ((a & (sz - 1)) || end - a < sz)
					continue;
				got = rvd_unmap_pages(d, a, sz, 1, &g);
				if (got)
					break;
			}
			if (k == 4 || got != leaf_sizes_[k]) {
				rc = -1;
				break;
			}
			s->leaves[k]++;
			s->ptes += k == 1 ? 16 : 1;
			a += got;
		}
	}
	if (!rc)
		rc = rvd_iotlb_sync(d, &g);
	rvmsi_regions_free(&rg);
	return rc;
}

/* One run of @iters iterations, BATCH domains at a time; *t gets the
 * timed part, *tu the unmap part, in ns. */
static int run_(struct rvd_domain *const dom[BATCH], const struct rvdt_platform *p,
                enum rvmsi_policy_mode mode, unsigned iters, double *t, double *tu)
{
	struct rvmsi_regions rg[BATCH];

	*t = *tu = 0;
	for (unsigned done = 0; done < iters;) {
		unsigned b = iters - done < BATCH ? iters - done : BATCH;
		double t0 = bench_now_ns();
		for (unsigned i = 0; i < b; i++)
			if (compute_map_(dom[i], p, mode, &rg[i]))
				return -1; /* the domains are left dirty: the suite stops */
		double t1 = bench_now_ns();
		for (unsigned i = 0; i < b; i++)
			if (unmap_(dom[i], &rg[i]))
				return -1;
		double t2 = bench_now_ns();
		for (unsigned i = 0; i < b; i++)
			rvmsi_regions_free(&rg[i]);
		*t += (t1 - t0) + (bench_now_ns() - t2);
		*tu += t2 - t1;
		done += b;
	}
	return 0;
}

static int measure_(struct bench_host *h, struct rvd_domain *const dom[BATCH],
                    const struct rvdt_platform *p, enum rvmsi_policy_mode mode, unsigned runs,
                    double min_run_ns, struct side_ *s)
{
	double per[MAX_RUNS], per_unmap[MAX_RUNS], t, tu;
	unsigned iters = BATCH;

	memset(s, 0, sizeof(*s));
	if (count_(h, dom[0], p, mode, s))
		return -1;
	/* Find an iteration count whose timed part lasts min_run_ns; this
	 * also warms the caches and the host's free stacks. */
	for (;;) {
		if (run_(dom, p, mode, iters, &t, &tu))
			return -1;
		if (t >= min_run_ns || iters >= (1u << 20))
			break;
		iters *= 2;
	}
	for (unsigned k = 0; k < runs; k++) {
		if (run_(dom, p, mode, iters, &t, &tu))
			return -1;
		per[k] = t / iters;
		per_unmap[k] = tu / iters;
	}
	qsort(per, runs, sizeof(per[0]), bench_cmp_double);
	qsort(per_unmap, runs, sizeof(per_unmap[0]), bench_cmp_double);
	s->ns = per[runs / 2];
	s->unmap_ns = per_unmap[runs / 2];
	return 0;
}

static void print_side_(FILE *out, const char *name, const struct side_ *s)
{
	fprintf(out, "\"%s\": {\"regions\": %zu, \"map_calls\": %llu, \"leaves\": {", name,
	        s->regions, (unsigned long long)s->map_calls);
	for (unsigned k = 0; k < 4; k++)
		fprintf(out, "%s\"%s\": %llu", k ? ", " : "", leaf_names_[k],
		        (unsigned long long)s->leaves[k]);
	fprintf(out, "}, \"ptes\": %llu, \"table_pages\": %llu, \"ns\": %.0f, \"unmap_ns\": %.0f}",
	        (unsigned long long)s->ptes, (unsigned long long)s->table_pages, s->ns,
	        s->unmap_ns);
}

static uint64_t nleaves_(const struct side_ *s)
{
	return s->leaves[0] + s->leaves[1] + s->leaves[2] + s->leaves[3];
}

int rvbench_regions(FILE *out, bool quick)
{
	static const struct case_ cases[] = {
	    {64, 0}, {64, 2}, {512, 0}, {512, 2}, {4096, 0}, {4096, 2},
	};
	const unsigned ncases = sizeof(cases) / sizeof(cases[0]);
	unsigned runs = quick ? 3 : MAX_RUNS;
	double min_run_ns = quick ? 2e5 : 2e6;
	double goal_ratio = 0;
	struct bench_host h;
	struct rvd_domain *dom[BATCH] = {0};
	int rc = 0, err = 0;

	struct rvd_iommu *iommu = bench_host_start(&h, 0);
	for (unsigned i = 0; i < BATCH && iommu && !rc; i++) {
		dom[i] = rvd_domain_alloc_paging_stage(iommu, RVD_STAGE_FIRST, &err);
		rc = dom[i] ? 0 : -1;
	}
	if (!iommu)
		rc = -1;
	fprintf(out,
	        "{\"benchmark\": \"regions\", \"quick\": %s, \"runs\": %u, \"stage\": %d,\n"
	        " \"timed\": \"rvmsi_regions_compute + rvd_map_pages per direct region + "
	        "rvmsi_regions_free; unmap_ns: rvd_unmap_pages per region + rvd_iotlb_sync, "
	        "not in ns\",\n \"cases\": [",
	        quick ? "true" : "false", runs, dom[0] ? rvd_domain_stage(dom[0]) : 0);
	for (unsigned i = 0; i < ncases && !rc; i++) {
		struct synth_ s;
		struct side_ ph, co;
		if (synth_(&s, &cases[i])) {
			rc = -1;
			break;
		}
		rc = measure_(&h, dom, &s.p, RVMSI_POLICY_PER_HART, runs, min_run_ns, &ph);
		if (!rc)
			rc = measure_(&h, dom, &s.p, RVMSI_POLICY_COALESCE, runs, min_run_ns, &co);
		free(s.par);
		if (rc)
			break;
		double ratio_ns = co.ns > 0 ? ph.ns / co.ns : 0;
		double ratio_ptes = co.ptes ? (double)ph.ptes / (double)co.ptes : 0;
		double ratio_leaves =
		    nleaves_(&co) ? (double)nleaves_(&ph) / (double)nleaves_(&co) : 0;
		unsigned guests = (1u << cases[i].guest_bits) - 1;
		if (cases[i].harts == 4096 && !guests)
			goal_ratio = ratio_ns;
		fprintf(out, "%s\n  {\"harts\": %u, \"guests\": %u, ", i ? "," : "", cases[i].harts,
		        guests);
		print_side_(out, "per_hart", &ph);
		fprintf(out, ", ");
		print_side_(out, "coalesce", &co);
		fprintf(out, ", \"ratio_ns\": %.1f, \"ratio_ptes\": %.1f, \"ratio_leaves\": %.1f}",
		        ratio_ns, ratio_ptes, ratio_leaves);
	}
	fprintf(out,
	        "\n ],\n \"goal\": {\"harts\": 4096, \"guests\": 0, \"min_ratio_ns\": 100, "
	        "\"ratio_ns\": %.1f, \"met\": %s}%s}\n",
	        goal_ratio, goal_ratio >= 100 ? "true" : "false",
	        rc ? ", \"error\": \"driver setup, a region computation or a map/unmap failed\""
	           : "");
	for (unsigned i = 0; i < BATCH; i++)
		if (dom[i])
			rvd_domain_free(dom[i]);
	bench_host_stop(&h, iommu);
	return rc ? -1 : 0;
}
