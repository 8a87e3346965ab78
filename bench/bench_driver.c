/* SPDX-License-Identifier: MIT
 *
 * bench/bench_driver.c - benchmarks of the driver core (src/driver) on the
 * hardware model:
 *   - 4 KiB map + unmap throughput over 1 GiB (one rvd_map_pages call per
 *     page, then one rvd_unmap_pages per page into one gather and one
 *     rvd_iotlb_sync), and batched (one map call, one unmap call);
 *   - 2 MiB map + unmap throughput (16 GiB);
 *   - invalidation commands published per unmap + sync of 1, 16, 512 and
 *     262,144 pages, with and without ARINV (caps.S), counted by the host
 *     at every cqt write.
 * Prints one JSON object.  The host (a page pool that both the driver and
 * the model use, MMIO straight into the model) is bench_host.c, shared
 * with the reserved-region suite.
 *
 * Invariant: nothing here is timed except the driver calls themselves;
 * the model executes the commands inside the cqt write, so sync time
 * includes the model's command processing.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench.h"
#include "bench_host.h"
#include "rviommu/driver.h"
#include "rviommu/spec.h"

int rvbench_driver(FILE *out, bool quick);

static double secs(double t0)
{
	return (bench_now_ns() - t0) / 1e9;
}

/* Map then unmap 'bytes' at iova in calls of pgsize x per_call pages.
 * pa is offset by 4 KiB from any larger alignment for 4 KiB pages, so no
 * superpage or NAPOT leaf forms.  Returns 0 or -1. */
static int map_unmap(struct rvd_domain *d, uint64_t bytes, uint64_t pgsize, uint64_t per_call,
                     double *map_s, double *unmap_s)
{
	uint64_t iova = UINT64_C(0x40000000), pa = UINT64_C(0x80000000);
	if (pgsize == 4096)
		pa += 4096;
	uint64_t step = pgsize * per_call;
	double t0 = bench_now_ns();
	for (uint64_t off = 0; off < bytes; off += step) {
		size_t mapped;
		if (rvd_map_pages(d, iova + off, pa + off, pgsize, per_call, RVD_PROT_READ,
		                  &mapped))
			return -1;
	}
	*map_s = secs(t0);
	struct rvd_gather g;
	rvd_gather_init(&g);
	/* One gather for the whole range: it chains any number of tables. */
	t0 = bench_now_ns();
	for (uint64_t off = 0; off < bytes; off += step)
		if (rvd_unmap_pages(d, iova + off, pgsize, per_call, &g) != step)
			return -1;
	if (rvd_iotlb_sync(d, &g))
		return -1;
	*unmap_s = secs(t0);
	return 0;
}

/* Commands published by unmap + sync of n 4 KiB pages. */
static int count_invals(struct bench_host *h, struct rvd_domain *d, uint64_t n, uint64_t *cmds,
                        uint64_t *invals)
{
	uint64_t iova = UINT64_C(0x40000000), pa = UINT64_C(0x80001000);
	size_t mapped;
	struct rvd_gather g;
	if (rvd_map_pages(d, iova, pa, 4096, n, RVD_PROT_READ, &mapped))
		return -1;
	uint64_t c0 = h->cmds, i0 = h->invals;
	rvd_gather_init(&g);
	if (rvd_unmap_pages(d, iova, 4096, n, &g) != n * 4096 || rvd_iotlb_sync(d, &g))
		return -1;
	*cmds = h->cmds - c0;
	*invals = h->invals - i0;
	return 0;
}

int rvbench_driver(FILE *out, bool quick)
{
	struct bench_host h;
	int err = 0, rc = -1;
	uint64_t bytes = quick ? (UINT64_C(64) << 20) : (UINT64_C(1) << 30);
	uint64_t bytes2m = quick ? (UINT64_C(1) << 30) : (UINT64_C(16) << 30);
	double m1, u1, mb, ub, m2, u2;
	struct rvd_iommu *iommu = bench_host_start(&h, 0);
	struct rvd_domain *d = iommu ? rvd_domain_alloc_paging(iommu, &err) : NULL;
	if (!d || map_unmap(d, bytes, 4096, 1, &m1, &u1) ||
	    map_unmap(d, bytes, 4096, bytes / 4096, &mb, &ub) ||
	    map_unmap(d, bytes2m, UINT64_C(0x200000), 1, &m2, &u2))
		goto out;
	double p4 = (double)(bytes / 4096), p2 = (double)(bytes2m >> 21);
	fprintf(out,
	        "{\"driver\":{\"stage\":%d,\"bytes_4k\":%llu,"
	        "\"map_4k_pages_per_s\":%.0f,\"unmap_4k_pages_per_s\":%.0f,"
	        "\"map_unmap_4k_pages_per_s\":%.0f,"
	        "\"batched_map_4k_pages_per_s\":%.0f,\"batched_unmap_4k_pages_per_s\":%.0f,"
	        "\"bytes_2m\":%llu,\"map_2m_pages_per_s\":%.0f,\"unmap_2m_pages_per_s\":%.0f,",
	        rvd_domain_stage(d), (unsigned long long)bytes, p4 / m1, p4 / u1, p4 / (m1 + u1),
	        p4 / mb, p4 / ub, (unsigned long long)bytes2m, p2 / m2, p2 / u2);
	rvd_domain_free(d);
	d = NULL;
	rvd_remove(iommu);
	iommu = NULL;
	bench_host_stop(&h, NULL);
	/* commands per unmap, with and without ARINV */
	static const uint64_t sizes[4] = {1, 16, 512, 262144};
	fprintf(out, "\"inval_cmds_per_unmap\":[");
	for (int arinv = 1; arinv >= 0; arinv--) {
		iommu = bench_host_start(&h, arinv ? 0 : RVI_CAP_S);
		d = iommu ? rvd_domain_alloc_paging(iommu, &err) : NULL;
		if (!d)
			goto out;
		for (unsigned i = 0; i < 4; i++) {
			uint64_t n = quick && sizes[i] > 16384 ? 16384 : sizes[i], cmds, inv;
			if (count_invals(&h, d, n, &cmds, &inv))
				goto out;
			fprintf(
			    out,
			    "%s{\"arinv\":%s,\"pages\":%llu,\"iotinval\":%llu,\"commands\":%llu}",
			    (arinv == 1 && i == 0) ? "" : ",", arinv ? "true" : "false",
			    (unsigned long long)n, (unsigned long long)inv,
			    (unsigned long long)cmds);
		}
		rvd_domain_free(d);
		d = NULL;
		rvd_remove(iommu);
		iommu = NULL;
		bench_host_stop(&h, NULL);
	}
	fprintf(out, "]}}\n");
	return 0;
out:
	fprintf(out, "{\"driver\":{\"error\":\"setup or driver call failed\"}}\n");
	if (d)
		rvd_domain_free(d);
	bench_host_stop(&h, iommu);
	return rc;
}
