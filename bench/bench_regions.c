/* SPDX-License-Identifier: MIT
 *
 * bench/bench_regions.c - cost of the IMSIC reserved regions (design 1):
 * per-hart versus coalesced regions, computed and then identity-mapped,
 * for 64, 512 and 4096 harts, with no guest files and with 3 per hart.
 *
 * Each case builds a synthetic platform (one S-level IMSIC, one group, one
 * reg entry covering every hart, base 1 GiB aligned) and times, per
 * iteration: rvmsi_regions_compute() + mapping every direct-relaxable
 * region into a fresh page table + freeing that table.  The page table is
 * a counting model, not the driver core's library (its page-table API is
 * not public yet): a 3-level radix of 512-entry tables allocated with
 * calloc, one store per leaf, using the largest of 1 GiB / 2 MiB / 4 KiB
 * that each region's alignment and length allow, which is what Linux's
 * iommu_map() does per region in iommu_create_device_direct_mappings().
 * The time is the median over the runs of (run time / iterations).
 *
 * Output (one JSON object):
 *   {"benchmark": "regions", "quick": false, "runs": 7,
 *    "cases": [{"harts": 4096, "guests": 0,
 *               "per_hart": {"regions": 4097, "ptes": 4096, "ns": ...},
 *               "coalesce": {"regions": 2, "ptes": 8, "ns": ...},
 *               "ratio_ns": 450.1, "ratio_ptes": 512.0}, ...],
 *    "goal": {"harts": 4096, "guests": 0, "min_ratio_ns": 100,
 *             "ratio_ns": 450.1, "met": true}}
 * "regions" counts what get_resv_regions emits, the SW_MSI window included.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bench_regions.h"
#include "rviommu/devicetree.h"
#include "rviommu/msi.h"

#define PT_ENTRIES 512

struct pt_node_ {
	uint64_t e[PT_ENTRIES];
	struct pt_node_ *child[PT_ENTRIES];
};

static void pt_free_(struct pt_node_ *n, int level)
{
	if (!n)
		return;
	if (level > 0)
		for (int i = 0; i < PT_ENTRIES; i++)
			pt_free_(n->child[i], level - 1);
	free(n);
}

/* Install one leaf at @level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). */
static int pt_map_(struct pt_node_ *root, uint64_t va, uint64_t pa, int level)
{
	struct pt_node_ *n = root;
	for (int l = 2; l > level; l--) {
		unsigned i = (unsigned)(va >> (12 + 9 * l)) & (PT_ENTRIES - 1);
		if (!n->child[i]) {
			n->child[i] = calloc(1, sizeof(*n));
			if (!n->child[i])
				return -1;
			n->e[i] = 1; /* a non-leaf entry */
		}
		n = n->child[i];
	}
	n->e[(va >> (12 + 9 * level)) & (PT_ENTRIES - 1)] = (pa >> 12) << 10 | 0xcf;
	return 0;
}

static int map_regions_(const struct rvmsi_regions *rg, uint64_t *ptes)
{
	struct pt_node_ *root = calloc(1, sizeof(*root));
	int rc = root ? 0 : -1;

	*ptes = 0;
	for (size_t i = 0; !rc && i < rg->n; i++) {
		const struct rvmsi_region *r = &rg->r[i];
		if (r->type != RVMSI_RESV_DIRECT && r->type != RVMSI_RESV_DIRECT_RELAXABLE)
			continue;
		uint64_t a = r->start, end = r->start + r->length;
		while (!rc && a < end) {
			int level = 0;
			if (!(a & ((UINT64_C(1) << 30) - 1)) && end - a >= (UINT64_C(1) << 30))
				level = 2;
			else if (!(a & ((UINT64_C(1) << 21) - 1)) && end - a >= (UINT64_C(1) << 21))
				level = 1;
			rc = pt_map_(root, a, a, level);
			a += UINT64_C(1) << (12 + 9 * level);
			(*ptes)++;
		}
	}
	pt_free_(root, 2);
	return rc;
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

struct result_ {
	size_t regions;
	uint64_t ptes;
	double ns;
};

/* One iteration: compute + map + free. */
static int once_(const struct rvdt_platform *p, enum rvmsi_policy_mode mode, struct result_ *r)
{
	struct rvmsi_policy pol = {.mode = mode, .stage = RVMSI_STAGE_FIRST};
	struct rvmsi_regions rg;
	int rc = rvmsi_regions_compute(p, &pol, &rg, NULL, 0);
	if (rc)
		return rc;
	r->regions = rg.n;
	rc = map_regions_(&rg, &r->ptes);
	rvmsi_regions_free(&rg);
	return rc;
}

static int measure_(const struct rvdt_platform *p, enum rvmsi_policy_mode mode, unsigned runs,
                    double min_run_ns, struct result_ *r)
{
	double per[16];
	unsigned iters = 1;

	if (once_(p, mode, r)) /* warm-up, and the counts */
		return -1;
	/* find an iteration count that makes one run last min_run_ns */
	for (;;) {
		double t0 = bench_now_ns();
		for (unsigned i = 0; i < iters; i++)
			if (once_(p, mode, r))
				return -1;
		if (bench_now_ns() - t0 >= min_run_ns || iters >= (1u << 24))
			break;
		iters *= 2;
	}
	for (unsigned k = 0; k < runs; k++) {
		double t0 = bench_now_ns();
		for (unsigned i = 0; i < iters; i++)
			if (once_(p, mode, r))
				return -1;
		per[k] = (bench_now_ns() - t0) / iters;
	}
	qsort(per, runs, sizeof(per[0]), bench_cmp_double);
	r->ns = per[runs / 2];
	return 0;
}

int rvbench_regions(FILE *out, bool quick)
{
	static const struct case_ cases[] = {
	    {64, 0}, {64, 2}, {512, 0}, {512, 2}, {4096, 0}, {4096, 2},
	};
	const unsigned ncases = sizeof(cases) / sizeof(cases[0]);
	unsigned runs = quick ? 3 : 7;
	double min_run_ns = quick ? 2e5 : 2e6;
	double goal_ratio = 0;
	int rc = 0;

	fprintf(out, "{\"benchmark\": \"regions\", \"quick\": %s, \"runs\": %u, \"cases\": [",
	        quick ? "true" : "false", runs);
	for (unsigned i = 0; i < ncases && !rc; i++) {
		struct synth_ s;
		struct result_ ph = {0}, co = {0};
		if (synth_(&s, &cases[i])) {
			rc = -1;
			break;
		}
		rc = measure_(&s.p, RVMSI_POLICY_PER_HART, runs, min_run_ns, &ph);
		if (!rc)
			rc = measure_(&s.p, RVMSI_POLICY_COALESCE, runs, min_run_ns, &co);
		free(s.par);
		if (rc)
			break;
		double ratio_ns = co.ns > 0 ? ph.ns / co.ns : 0;
		double ratio_ptes = co.ptes ? (double)ph.ptes / (double)co.ptes : 0;
		unsigned guests = (1u << cases[i].guest_bits) - 1;
		if (cases[i].harts == 4096 && !guests)
			goal_ratio = ratio_ns;
		fprintf(out,
		        "%s\n  {\"harts\": %u, \"guests\": %u, "
		        "\"per_hart\": {\"regions\": %zu, \"ptes\": %llu, \"ns\": %.0f}, "
		        "\"coalesce\": {\"regions\": %zu, \"ptes\": %llu, \"ns\": %.0f}, "
		        "\"ratio_ns\": %.1f, \"ratio_ptes\": %.1f}",
		        i ? "," : "", cases[i].harts, guests, ph.regions,
		        (unsigned long long)ph.ptes, ph.ns, co.regions, (unsigned long long)co.ptes,
		        co.ns, ratio_ns, ratio_ptes);
	}
	fprintf(out,
	        "\n ],\n \"goal\": {\"harts\": 4096, \"guests\": 0, \"min_ratio_ns\": 100, "
	        "\"ratio_ns\": %.1f, \"met\": %s}%s}\n",
	        goal_ratio, goal_ratio >= 100 ? "true" : "false",
	        rc ? ", \"error\": \"a region computation failed\"" : "");
	return rc ? -1 : 0;
}
