/* SPDX-License-Identifier: MIT
 *
 * msi/regions.c - the reserved regions a RISC-V IOMMU driver reports for
 * the IMSIC interrupt-file pages (design 1) and the MSI window (design 2),
 * as pure functions of the device tree's IMSIC topology.
 *
 * First stage (DMA translated by the first stage, device MSIs are ordinary
 * writes): the S-level files are identity mapped through direct-relaxable
 * regions chosen by a policy, plus an IOMMU_RESV_SW_MSI aperture.
 *   per-hart  one 4 KiB region per S-level file, in interrupts-extended
 *             order (the v1 patch of thread 000).
 *   coalesce  (default) when an IMSIC has no guest files its S files are
 *             contiguous: each reg region's run of files becomes one region.
 *             The run is widened to a 1 GiB or 2 MiB boundary only when the
 *             widened range lies inside BOTH the group's index window
 *             [base | g << group_shift, + 2^(hart_bits + 12)) AND the reg
 *             entry that holds the run, i.e. it contains nothing but that
 *             group's IMSIC pages (files or the unused, read-only-zero pages
 *             the AIA puts inside a group's range).  With guest files the S
 *             files are 2^guest_bits pages apart, so each stays a 4 KiB
 *             region: guest files are never exposed.
 *   group     (opt-in) each group that has a hart: its whole index window
 *             [base | g << group_shift, + 2^(hart_bits + guest_bits + 12)),
 *             guest files included, rounded out to 2 MiB (thread 000's
 *             proposal).  Marked reduced isolation.
 * Second stage (DMA translated by the G-stage, MSIs caught by msi_addr_mask
 * and msi_addr_pattern and sent through the MSI page table): no identity
 * regions, one HW_MSI region per group value of the mask: from the group's
 * first S file to the page of its highest hart index (the pages in between
 * that are not S files - guest files - are reserved too, never mapped).
 *
 * Invariants:
 *   (1) every region is 4 KiB aligned, non-empty, and start + length does
 *       not wrap;
 *   (2) the output is sorted by start (then length, then type);
 *   (3) only RVMSI_POLICY_GROUP sets reduced_isolation, and only it emits a
 *       range containing a guest file;
 *   (4) the SW_MSI window never overlaps an identity region (-EEXIST).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/devicetree.h"
#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define PAGE UINT64_C(0x1000)
#define SZ_2M (UINT64_C(1) << 21)
#define SZ_1G (UINT64_C(1) << 30)

const char *rvmsi_resv_type_name(enum rvmsi_resv_type t)
{
	static const char *const names[] = {
	    [RVMSI_RESV_DIRECT] = "direct",     [RVMSI_RESV_DIRECT_RELAXABLE] = "direct-relaxable",
	    [RVMSI_RESV_RESERVED] = "reserved", [RVMSI_RESV_HW_MSI] = "msi",
	    [RVMSI_RESV_SW_MSI] = "msi",
	};
	if ((unsigned)t >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[t];
}

enum rvmsi_stage rvmsi_stage_choose(uint64_t caps)
{
	uint64_t g = RVI_CAP_SV32X4 | RVI_CAP_SV39X4 | RVI_CAP_SV48X4 | RVI_CAP_SV57X4;

	if ((caps & g) && (caps & RVI_CAP_MSI_FLAT))
		return RVMSI_STAGE_SECOND;
	return RVMSI_STAGE_FIRST;
}

/* ------------------------------------------------------------------------ */
/* A growable region list                                                    */
/* ------------------------------------------------------------------------ */
struct rlist_ {
	struct rvmsi_region *r;
	size_t n, cap;
};

static int push_(struct rlist_ *l, uint64_t start, uint64_t length, enum rvmsi_resv_type type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rvmsi_region *r = realloc(l->r, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		l->r = r;
		l->cap = cap;
	}
	l->r[l->n++] = (struct rvmsi_region){.start = start, .length = length, .type = type};
	return 0;
}

static int cmp_region_(const void *a, const void *b)
{
	const struct rvmsi_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->length != y->length)
		return x->length < y->length ? -1 : 1;
	return (int)x->type - (int)y->type;
}

/* Sort by cmp_region_.  The policies emit regions in address order and
 * append the SW_MSI window last, so the list is usually sorted except for
 * its last entry: that one is inserted with one memmove (O(n)).  Anything
 * else takes qsort.  At 4096 harts per-hart, qsort of the 4097 entries
 * was 53 % of the computation's instructions (callgrind), the insert is a
 * 96 KiB memmove.  Both give the same order: cmp_region_ is a total order
 * on (start, length, type), and entries it calls equal are identical. */
static void sort_regions_(struct rvmsi_region *r, size_t n)
{
	size_t k = 1;

	while (k < n && cmp_region_(&r[k - 1], &r[k]) <= 0)
		k++;
	if (k >= n)
		return;
	if (k != n - 1) {
		qsort(r, n, sizeof(*r), cmp_region_);
		return;
	}
	/* r[0..n-2] sorted: binary-search the slot of r[n-1] */
	struct rvmsi_region last = r[n - 1];
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_region_(&r[mid], &last) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&r[lo + 1], &r[lo], (n - 1 - lo) * sizeof(*r));
	r[lo] = last;
}

static int fail_(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Round [*s, *e) out to @pg; false if that wraps. */
static bool round_out_(uint64_t *s, uint64_t *e, uint64_t pg)
{
	uint64_t ns = *s & ~(pg - 1), ne = (*e + pg - 1) & ~(pg - 1);

	if (ne < *e)
		return false;
	*s = ns;
	*e = ne;
	return true;
}

/* The index window of group @g: every page its hart and guest fields name. */
static void group_window_(const struct rvdt_imsic *im, uint64_t g, uint64_t *s, uint64_t *e)
{
	*s = im->base | (im->group_index_bits ? g << im->group_index_shift : 0);
	*e = *s + (UINT64_C(1) << (im->hart_index_bits + im->guest_index_bits + 12));
}

static uint64_t group_of_(const struct rvdt_imsic *im, uint64_t pa)
{
	if (!im->group_index_bits)
		return 0;
	return (pa >> im->group_index_shift) & ((UINT64_C(1) << im->group_index_bits) - 1);
}

/* ------------------------------------------------------------------------ */
/* First-stage policies                                                      */
/* ------------------------------------------------------------------------ */
static int per_hart_(const struct rvdt_imsic *im, struct rlist_ *l, char *err, size_t errlen)
{
	for (size_t pos = 0; pos < im->nr_parents; pos++) {
		uint64_t pa;
		if (rvdt_imsic_file_addr(im, pos, 0, &pa))
			return fail_(err, errlen, -ERANGE,
			             "%s: reg holds no page for interrupts-extended[%zu]", im->path,
			             pos);
		int rc = push_(l, pa, PAGE, RVMSI_RESV_DIRECT_RELAXABLE);
		if (rc)
			return rc;
	}
	return 0;
}

/* Widen [s, e) to the largest superpage whose rounding stays inside the
 * group window and the reg entry [rs, re). */
static void superpage_(const struct rvdt_imsic *im, uint64_t *s, uint64_t *e, uint64_t rs,
                       uint64_t re)
{
	static const uint64_t sizes[] = {SZ_1G, SZ_2M};
	uint64_t ws, we;

	group_window_(im, group_of_(im, *s), &ws, &we);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t ns = *s, ne = *e;
		if (!round_out_(&ns, &ne, sizes[i]))
			continue;
		if (ns >= ws && ne <= we && ns >= rs && ne <= re) {
			*s = ns;
			*e = ne;
			return;
		}
	}
}

/* No guest files: position p's S file is page p of the reg entries laid end
 * to end (rvdt_imsic_file_addr() with a 4 KiB stride), so each reg entry
 * holds one run of files and no per-hart work is needed. */
static int coalesce_(const struct rvdt_imsic *im, struct rlist_ *l, char *err, size_t errlen)
{
	uint64_t remaining = im->nr_parents;

	if (im->guest_index_bits)
		return per_hart_(im, l, err, errlen);
	for (size_t j = 0; j < im->nr_regs && remaining; j++) {
		uint64_t rs = im->regs[j].base, pages = (im->regs[j].size + PAGE - 1) / PAGE;
		uint64_t take = pages < remaining ? pages : remaining;
		uint64_t s = rs, e = rs + take * PAGE, re = rs + im->regs[j].size;

		if (!take)
			continue;
		if (e < s || re < rs)
			return fail_(err, errlen, -ERANGE, "%s: reg[%zu] wraps", im->path, j);
		superpage_(im, &s, &e, rs, re);
		int rc = push_(l, s, e - s, RVMSI_RESV_DIRECT_RELAXABLE);
		if (rc)
			return rc;
		remaining -= take;
	}
	if (remaining)
		return fail_(err, errlen, -ERANGE,
		             "%s: reg holds no page for interrupts-extended[%llu]", im->path,
		             (unsigned long long)(im->nr_parents - remaining));
	return 0;
}

static int group_(const struct rvdt_imsic *im, struct rlist_ *l, char *err, size_t errlen)
{
	size_t first = l->n;

	for (size_t pos = 0; pos < im->nr_parents; pos++) {
		uint64_t pa, s, e;
		if (rvdt_imsic_file_addr(im, pos, 0, &pa))
			return fail_(err, errlen, -ERANGE,
			             "%s: reg holds no page for interrupts-extended[%zu]", im->path,
			             pos);
		group_window_(im, group_of_(im, pa), &s, &e);
		if (e <= s || !round_out_(&s, &e, SZ_2M))
			return fail_(err, errlen, -ERANGE, "%s: group window wraps", im->path);
		/* positions come group by group; skip a group already added */
		bool seen = false;
		for (size_t k = first; k < l->n && !seen; k++)
			seen = l->r[k].start == s;
		if (!seen) {
			int rc = push_(l, s, e - s, RVMSI_RESV_DIRECT_RELAXABLE);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int sw_msi_(const struct rvmsi_policy *pol, uint64_t nfiles, struct rlist_ *l, char *err,
                   size_t errlen)
{
	uint64_t base = pol->sw_msi_base ? pol->sw_msi_base : RVMSI_SW_MSI_BASE;
	uint64_t size = pol->sw_msi_size;

	if (!size) {
		size = RVMSI_SW_MSI_MIN_SIZE;
		while (size / PAGE < nfiles)
			size <<= 1;
	}
	if ((base | size) & (PAGE - 1) || base + size < base)
		return fail_(err, errlen, -EINVAL,
		             "SW_MSI window 0x%llx+0x%llx is not page aligned or wraps",
		             (unsigned long long)base, (unsigned long long)size);
	for (size_t k = 0; k < l->n; k++)
		if (l->r[k].start < base + size && base < l->r[k].start + l->r[k].length)
			return fail_(err, errlen, -EEXIST,
			             "SW_MSI window 0x%llx+0x%llx overlaps the IMSIC region at "
			             "0x%llx: choose another sw_msi_base",
			             (unsigned long long)base, (unsigned long long)size,
			             (unsigned long long)l->r[k].start);
	return push_(l, base, size, RVMSI_RESV_SW_MSI);
}

/* ------------------------------------------------------------------------ */
/* Second stage                                                              */
/* ------------------------------------------------------------------------ */
int rvmsi_layout_from_dt(const struct rvdt_imsic *im, struct rvmsi_layout *l)
{
	if (!im || !l)
		return -EINVAL;
	*l = (struct rvmsi_layout){
	    .base = im->base,
	    .guest_bits = im->guest_index_bits,
	    .hart_bits = im->hart_index_bits,
	    .group_bits = im->group_index_bits,
	    .group_shift = im->group_index_shift,
	};
	return 0;
}

static int hw_msi_(const struct rvdt_imsic *im, struct rvmsi_regions *out, struct rlist_ *l,
                   char *err, size_t errlen)
{
	struct rvmsi_layout lay;
	uint64_t mask, pattern;
	int rc;

	rvmsi_layout_from_dt(im, &lay);
	rc = rvmsi_msi_mask(&lay, &mask, &pattern);
	if (rc)
		return fail_(err, errlen, rc, "%s: no msi_addr_mask/pattern fits this layout",
		             im->path);
	out->msi_mask = mask;
	out->msi_pattern = pattern;
	uint64_t pages = (((UINT64_C(1) << lay.hart_bits) - 1) << lay.guest_bits) + 1;
	uint64_t groups = UINT64_C(1) << lay.group_bits;
	for (uint64_t g = 0; g < groups; g++) {
		uint64_t first = pattern | (lay.group_bits ? g << (lay.group_shift - 12) : 0);
		rc = push_(l, first << 12, pages << 12, RVMSI_RESV_HW_MSI);
		if (rc)
			return rc;
	}
	return 0;
}

static bool same_layout_(const struct rvdt_imsic *a, const struct rvdt_imsic *b)
{
	return a->base == b->base && a->guest_index_bits == b->guest_index_bits &&
	       a->hart_index_bits == b->hart_index_bits &&
	       a->group_index_bits == b->group_index_bits &&
	       (!a->group_index_bits || a->group_index_shift == b->group_index_shift);
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */
/* ------------------------------------------------------------------------ */
int rvmsi_regions_compute(const struct rvdt_platform *p, const struct rvmsi_policy *pol,
                          struct rvmsi_regions *out, char *err, size_t errlen)
{
	struct rlist_ l = {0};
	const struct rvdt_imsic *first = NULL;
	uint64_t nfiles = 0;
	int rc = 0;

	if (err && errlen)
		err[0] = 0;
	if (!p || !pol || !out)
		return fail_(err, errlen, -EINVAL, "missing platform, policy or output");
	memset(out, 0, sizeof(*out));
	if ((unsigned)pol->mode > RVMSI_POLICY_GROUP ||
	    (pol->stage != RVMSI_STAGE_FIRST && pol->stage != RVMSI_STAGE_SECOND))
		return fail_(err, errlen, -EINVAL, "unknown policy %d or stage %d", (int)pol->mode,
		             (int)pol->stage);

	for (size_t i = 0; i < p->nr_imsics && !rc; i++) {
		const struct rvdt_imsic *im = &p->imsics[i];
		if (im->level != RVDT_LEVEL_S)
			continue;
		nfiles += im->nr_parents;
		if (pol->stage == RVMSI_STAGE_SECOND) {
			if (!first)
				rc = hw_msi_(im, out, &l, err, errlen);
			else if (!same_layout_(first, im))
				rc = fail_(err, errlen, -EINVAL,
				           "%s and %s: one device context has one "
				           "msi_addr_mask/pattern, but the S-level IMSICs differ",
				           first->path, im->path);
		} else if (pol->mode == RVMSI_POLICY_PER_HART) {
			rc = per_hart_(im, &l, err, errlen);
		} else if (pol->mode == RVMSI_POLICY_COALESCE) {
			rc = coalesce_(im, &l, err, errlen);
		} else {
			rc = group_(im, &l, err, errlen);
			out->reduced_isolation = true;
		}
		if (!first)
			first = im;
	}
	if (!rc && !first)
		rc = fail_(err, errlen, -ENODEV, "no S-level \"riscv,imsics\" node (IRQ 9)");
	if (!rc && pol->stage == RVMSI_STAGE_FIRST)
		rc = sw_msi_(pol, nfiles, &l, err, errlen);
	if (rc) {
		free(l.r);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	sort_regions_(l.r, l.n);
	out->r = l.r;
	out->n = l.n;
	return 0;
}

void rvmsi_regions_free(struct rvmsi_regions *rg)
{
	if (!rg)
		return;
	free(rg->r);
	memset(rg, 0, sizeof(*rg));
}

size_t rvmsi_regions_merge(const struct rvmsi_region *in, size_t n, struct rvmsi_region *out)
{
	/* index + 1 of the last kept region of each type; 0 = none */
	size_t last[RVMSI_RESV_SW_MSI + 1] = {0};
	size_t k = 0;

	if (!in || !out || !n)
		return 0;
	if (out != in)
		memmove(out, in, n * sizeof(*in));
	qsort(out, n, sizeof(*out), cmp_region_);
	for (size_t i = 0; i < n; i++) {
		struct rvmsi_region cur = out[i];
		unsigned t = (unsigned)cur.type <= RVMSI_RESV_SW_MSI ? (unsigned)cur.type : 0;
		if (last[t]) {
			struct rvmsi_region *top = &out[last[t] - 1];
			uint64_t top_last = top->start + top->length - 1;
			uint64_t cur_last = cur.start + cur.length - 1;
			/* sorted, so cur.start >= top->start */
			if (cur.start <= top_last || cur.start == top_last + 1) {
				if (cur_last > top_last)
					top->length = cur_last - top->start + 1;
				continue;
			}
		}
		out[k] = cur;
		last[t] = ++k;
	}
	return k;
}

uint64_t rvmsi_regions_ptes(const struct rvmsi_region *r, size_t n)
{
	static const uint64_t sizes[] = {SZ_1G, SZ_2M, PAGE};
	uint64_t ptes = 0;

	for (size_t i = 0; r && i < n; i++) {
		if (r[i].type != RVMSI_RESV_DIRECT && r[i].type != RVMSI_RESV_DIRECT_RELAXABLE)
			continue;
		uint64_t a = r[i].start & ~(PAGE - 1), end = r[i].start + r[i].length;
		while (a < end) {
			uint64_t pg = PAGE;
			for (size_t s = 0; s < 3; s++)
				if (!(a & (sizes[s] - 1)) && end - a >= sizes[s]) {
					pg = sizes[s];
					break;
				}
			ptes++;
			a += pg;
		}
	}
	return ptes;
}
