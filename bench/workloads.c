/* SPDX-License-Identifier: MIT
 *
 * bench/workloads.c - the benchmark workloads of `rviommu bench`.
 *
 *   b1  Sv39 first stage only, one 4 KiB page read again and again (an
 *       IOTLB hit every time).
 *   c   Sv39 first stage only, 2^20 distinct pages read once each per run in
 *       a fixed pseudo-random order (mostly IOTLB misses: a walk each).
 *   d   Sv48 first stage under an Sv48x4 G-stage, 2^20 pages as in c; every
 *       data page and first-stage table page is a 4 KiB G-stage page.
 *   e1  MSI write through a flat MSI page table (msi_addr_mask 0xF, first
 *       stage Bare, G-stage Sv48x4) to one interrupt file at 0x28000000.
 *   e4  The same, cycling over four interrupt files 0x28000000 + i * 4 KiB.
 *
 * --quick shrinks c and d to 2^14 pages and every loop to fewer ops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "rviommu/spec.h"

#define DEVICE 0
#define PSCID 0x55
#define GSCID 0x7
#define LEAF_FLAGS (RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D)
#define C_IOVA UINT64_C(0x40000000)       /* 1 GiB: Sv39 */
#define D_IOVA UINT64_C(0x4000000000)     /* 256 GiB: Sv48 */
#define D_DATA_GPA UINT64_C(0x1000000000) /* 64 GiB */
#define D_GPA_OFF UINT64_C(0x80000000)    /* first-stage tables: GPA = SPA - this */
#define MSI_GPA UINT64_C(0x28000000)
#define IMSIC_SPA UINT64_C(0x30000000)

struct walk_state {
	uint64_t iova_base;
	unsigned pages_lg2;
	enum rvm_access access;
	uint64_t cycle_mask; /* pages cycled - 1: 0 (b1, e1) or 3 (e4) */
};

static void config_(struct rvm_config *cfg)
{
	rvm_config_default(cfg); /* HPM present but no event programmed */
}

/* A bijection of [0, 2^k): odd multiply, xorshift, odd multiply. */
static inline uint64_t scramble_(uint64_t i, unsigned k)
{
	uint64_t mask = (UINT64_C(1) << k) - 1;
	uint64_t x = (i * UINT64_C(0x9E3779B97F4A7C15)) & mask;
	x ^= x >> (k / 2 + 1);
	return (x * UINT64_C(0xD6E8FEB86659FD93)) & mask;
}

static int check_(struct bench_env *e, uint64_t iova, enum rvm_access acc, uint64_t want_pa)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	rq.device_id = DEVICE;
	rq.access = acc;
	rq.iova = iova;
	rq.len = 4;
	int cause = rvm_translate(e->m, &rq, &rs);
	if (cause || rs.pa != want_pa) {
		fprintf(
		    stderr,
		    "rviommu bench: setup check: iova %#llx gave cause %d pa %#llx (want %#llx)\n",
		    (unsigned long long)iova, cause, (unsigned long long)rs.pa,
		    (unsigned long long)want_pa);
		return -1;
	}
	return 0;
}

static void *state_(uint64_t base, unsigned pages_lg2, enum rvm_access acc, unsigned cycle)
{
	struct walk_state *s = calloc(1, sizeof(*s));
	if (s) {
		s->iova_base = base;
		s->pages_lg2 = pages_lg2;
		s->access = acc;
		s->cycle_mask = cycle - 1; /* cycle is a power of two */
	}
	return s;
}

/* ---- b1 and c: Sv39 first stage only ---- */

static int sv39_setup_(struct bench_env *e, unsigned pages_lg2)
{
	struct rvm_config cfg;
	config_(&cfg);
	if (bench_env_init(e, &cfg))
		return -1;
	struct bench_pt pt;
	bench_pt_init(e, &pt, 3, false, 0);
	for (uint64_t i = 0; i < (UINT64_C(1) << pages_lg2); i++)
		bench_pt_map4k(e, &pt, C_IOVA + (i << 12), BENCH_DATA_SPA + (i << 12), LEAF_FLAGS);
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, PSCID);
	dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV39) |
	                 RVI_FIELD_PREP(RVI_FSC_PPN, pt.root >> 12);
	if (bench_set_dc0(e, dc))
		return -1;
	uint64_t last = (UINT64_C(1) << pages_lg2) - 1;
	return check_(e, C_IOVA + 0x10, RVM_ACC_READ, BENCH_DATA_SPA + 0x10) ||
	       check_(e, C_IOVA + (last << 12), RVM_ACC_READ, BENCH_DATA_SPA + (last << 12));
}

static int b1_setup(struct bench_env *e, bool quick, uint64_t *ops, void **state)
{
	*ops = quick ? 200000 : 10000000;
	*state = state_(C_IOVA, 0, RVM_ACC_READ, 1);
	return *state ? sv39_setup_(e, 0) : -1;
}

static int c_setup(struct bench_env *e, bool quick, uint64_t *ops, void **state)
{
	unsigned lg2 = quick ? 14 : 20;
	*ops = UINT64_C(1) << lg2;
	*state = state_(C_IOVA, lg2, RVM_ACC_READ, 1);
	return *state ? sv39_setup_(e, lg2) : -1;
}

/* ---- d: Sv48 under Sv48x4, 4 KiB pages in both stages ---- */

static int d_setup(struct bench_env *e, bool quick, uint64_t *ops, void **state)
{
	unsigned lg2 = quick ? 14 : 20;
	uint64_t n = UINT64_C(1) << lg2;
	*ops = n;
	*state = state_(D_IOVA, lg2, RVM_ACC_READ, 1);
	struct rvm_config cfg;
	config_(&cfg);
	if (!*state || bench_env_init(e, &cfg))
		return -1;
	/* First stage: tables stored at SPA, addressed by GPA = SPA - D_GPA_OFF. */
	struct bench_pt s1, g;
	uint64_t s1_first = e->next_spa;
	bench_pt_init(e, &s1, 4, false, D_GPA_OFF);
	for (uint64_t i = 0; i < n; i++)
		bench_pt_map4k(e, &s1, D_IOVA + (i << 12), D_DATA_GPA + (i << 12), LEAF_FLAGS);
	uint64_t s1_end = e->next_spa;
	/* G-stage: the data pages and every first-stage table page. */
	bench_pt_init(e, &g, 4, true, 0);
	for (uint64_t i = 0; i < n; i++)
		bench_pt_map4k(e, &g, D_DATA_GPA + (i << 12), BENCH_DATA_SPA + (i << 12),
		               LEAF_FLAGS);
	for (uint64_t spa = s1_first & ~UINT64_C(0xFFF); spa < s1_end; spa += 0x1000)
		bench_pt_map4k(e, &g, spa - D_GPA_OFF, spa, LEAF_FLAGS);
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = RVI_FIELD_PREP(RVI_IOHGATP_MODE, RVI_IOHGATP_SV48X4) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_PPN, g.root >> 12);
	dc[RVI_DC_TA] = RVI_FIELD_PREP(RVI_DC_TA_PSCID, PSCID);
	dc[RVI_DC_FSC] = RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV48) |
	                 RVI_FIELD_PREP(RVI_FSC_PPN, s1.root >> 12);
	if (bench_set_dc0(e, dc))
		return -1;
	return check_(e, D_IOVA + 0x20, RVM_ACC_READ, BENCH_DATA_SPA + 0x20) ||
	       check_(e, D_IOVA + ((n - 1) << 12), RVM_ACC_READ, BENCH_DATA_SPA + ((n - 1) << 12));
}

/* ---- e1 / e4: flat MSI translation ---- */

static int msi_setup_(struct bench_env *e, bool quick, uint64_t *ops, void **state, unsigned files)
{
	*ops = quick ? 200000 : 10000000;
	*state = state_(MSI_GPA, 0, RVM_ACC_WRITE, files);
	struct rvm_config cfg;
	config_(&cfg);
	if (!*state || bench_env_init(e, &cfg))
		return -1;
	struct bench_pt g;
	bench_pt_init(e, &g, 4, true, 0); /* empty: MSI GPAs never reach it */
	uint64_t msi_pt = bench_alloc(e, RVI_PAGE_SIZE);
	for (unsigned i = 0; i < 16; i++) /* index = GPA[15:12] under mask 0xF */
		rv_physmem_write64(e->mem, msi_pt + i * RVI_MSIPTE_SIZE,
		                   RVI_MSIPTE_V | RVI_FIELD_PREP(RVI_MSIPTE_M, RVI_MSIPTE_M_BASIC) |
		                       RVI_FIELD_PREP(RVI_MSIPTE_PPN, (IMSIC_SPA >> 12) + i));
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = RVI_FIELD_PREP(RVI_IOHGATP_MODE, RVI_IOHGATP_SV48X4) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID) |
	                     RVI_FIELD_PREP(RVI_IOHGATP_PPN, g.root >> 12);
	dc[RVI_DC_MSIPTP] = RVI_FIELD_PREP(RVI_MSIPTP_MODE, RVI_MSIPTP_FLAT) |
	                    RVI_FIELD_PREP(RVI_MSIPTP_PPN, msi_pt >> 12);
	dc[RVI_DC_MSI_ADDR_MASK] = 0xF;
	dc[RVI_DC_MSI_ADDR_PATTERN] = (MSI_GPA >> 12) & ~UINT64_C(0xF);
	if (bench_set_dc0(e, dc))
		return -1;
	for (unsigned i = 0; i < files; i++)
		if (check_(e, MSI_GPA + i * 0x1000u, RVM_ACC_WRITE, IMSIC_SPA + i * 0x1000u))
			return -1;
	return 0;
}

static int e1_setup(struct bench_env *e, bool quick, uint64_t *ops, void **state)
{
	return msi_setup_(e, quick, ops, state, 1);
}

static int e4_setup(struct bench_env *e, bool quick, uint64_t *ops, void **state)
{
	return msi_setup_(e, quick, ops, state, 4);
}

/* ---- the timed loops ---- */

/* The request every timed loop sends (only its IOVA changes): 4 bytes
 * from the bench device, with data when it is a write (an MSI). */
static struct rvm_req loop_req_(const struct walk_state *s)
{
	struct rvm_req rq;
	memset(&rq, 0, sizeof(rq));
	rq.device_id = DEVICE;
	rq.access = s->access;
	rq.len = 4;
	rq.has_data = s->access == RVM_ACC_WRITE;
	rq.data = 1;
	return rq;
}

static int run_same_(struct bench_env *e, void *state, uint64_t ops)
{
	const struct walk_state *s = state;
	struct rvm_req rq = loop_req_(s);
	struct rvm_resp rs;
	int bad = 0;
	for (uint64_t i = 0; i < ops; i++) {
		rq.iova = s->iova_base + ((i & s->cycle_mask) << 12);
		bad |= rvm_translate(e->m, &rq, &rs);
	}
	return bad ? -1 : 0;
}

static int run_scrambled_(struct bench_env *e, void *state, uint64_t ops)
{
	const struct walk_state *s = state;
	struct rvm_req rq = loop_req_(s);
	struct rvm_resp rs;
	int bad = 0;
	for (uint64_t i = 0; i < ops; i++) {
		rq.iova = s->iova_base + (scramble_(i, s->pages_lg2) << 12);
		bad |= rvm_translate(e->m, &rq, &rs);
	}
	return bad ? -1 : 0;
}

const struct bench_workload bench_workloads[] = {
    {"b1", "Sv39, one 4 KiB page repeated (IOTLB hit)", 15, b1_setup, run_same_, free},
    {"c", "Sv39, 2^20 distinct pages in a fixed pseudo-random order", 100, c_setup, run_scrambled_,
     free},
    {"d", "Sv48 first stage + Sv48x4 G-stage (4 KiB both), 2^20 pages", 500, d_setup,
     run_scrambled_, free},
    {"e1", "MSI flat write, one interrupt file, G-stage Sv48x4, first stage Bare", 10, e1_setup,
     run_same_, free},
    {"e4", "MSI flat write, four interrupt files cycled", 10, e4_setup, run_same_, free},
};
const unsigned bench_nworkloads = sizeof(bench_workloads) / sizeof(bench_workloads[0]);
