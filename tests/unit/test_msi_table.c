/* SPDX-License-Identifier: MIT
 *
 * test_msi_table.c - MSI page-table arithmetic (mask/pattern, deposit,
 * PTE and command builders, bit patterns written out by hand), the MSI
 * table's update rules against a recording memory (store order, refcounts,
 * hitless replace, the V=0 break for MRIF), and end to end through the
 * IOMMU model and the IMSIC model built from the QEMU fixtures:
 *   - first stage: a device MSI to each S file reaches it through the
 *     identity mapping of the policy's regions; a guest file is reachable
 *     only under the group policy;
 *   - second stage: MSIs go through the MSI table; after an affinity change
 *     the MSI reaches the new hart and the old address faults with cause
 *     262 (MSI PTE not valid) once its last reference is gone, even though
 *     the old translation was in the IOTLB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rviommu/devicetree.h"
#include "rviommu/imsic.h"
#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define DID 7
#define GSCID 0x2a
#define K4 UINT64_C(0x1000)

/* ------------------------------------------------------------------------ */
/* Arithmetic                                                                */
/* ------------------------------------------------------------------------ */
static void test_mask_pattern(void **state)
{
	(void)state;
	uint64_t m, p;
	/* 2s-16-g7 host S files: guest 3, hart 3 bits at 15..17 of PA, group 1
	 * bit at 24 -> PA>>12 bits 3..5 and 12: 0x38 | 0x1000 */
	struct rvmsi_layout host = {0x28000000, 3, 3, 1, 24};
	assert_int_equal(rvmsi_msi_mask(&host, &m, &p), 0);
	assert_int_equal(m, 0x1038);
	assert_int_equal(p, 0x28000);
	/* a VM with 4 vharts at vbase 0x28000000 (vbase | vhart << 12) */
	struct rvmsi_layout vm = {0x28000000, 0, 2, 0, 0};
	assert_int_equal(rvmsi_msi_mask(&vm, &m, &p), 0);
	assert_int_equal(m, 0x3);
	assert_int_equal(p, 0x28000);
	/* errors */
	struct rvmsi_layout bad = {0x28001000, 0, 2, 0, 0}; /* base inside hart field */
	assert_int_equal(rvmsi_msi_mask(&bad, &m, &p), -EINVAL);
	bad = (struct rvmsi_layout){0x28000000, 2, 3, 1, 16}; /* group overlaps harts */
	assert_int_equal(rvmsi_msi_mask(&bad, &m, &p), -EINVAL);
	bad = (struct rvmsi_layout){0x28000800, 0, 2, 0, 0}; /* not page aligned */
	assert_int_equal(rvmsi_msi_mask(&bad, &m, &p), -EINVAL);
	bad = (struct rvmsi_layout){0, 0, 15, 7, 63}; /* group field past GPA bit 63 */
	assert_int_equal(rvmsi_msi_mask(&bad, &m, &p), -ERANGE);
	bad = (struct rvmsi_layout){0x28000000, 8, 2, 0, 0}; /* guest_bits > 7 */
	assert_int_equal(rvmsi_msi_mask(&bad, &m, &p), -EINVAL);
	assert_int_equal(rvmsi_msi_mask(NULL, &m, &p), -EINVAL);
}

static void test_deposit_inverts_extract(void **state)
{
	(void)state;
	const uint64_t mask = 0x1038, pattern = 0x28000;
	for (uint64_t i = 0; i < 16; i++) {
		uint64_t pfn = rvmsi_msi_deposit(i, mask, pattern);
		assert_int_equal(pfn & ~mask, pattern);
		assert_int_equal(rvi_msi_extract(pfn, mask), i);
	}
	/* by hand: index 0b1011 -> bits 3,4 from 0b011 and bit 12 from 1 */
	assert_int_equal(rvmsi_msi_deposit(0xb, mask, pattern), 0x28000 | 0x18 | 0x1000);
}

static void test_pte_builders(void **state)
{
	(void)state;
	uint64_t pte[2];
	assert_int_equal(rvmsi_pte_basic(0x28001000, pte), 0);
	/* V | M=3 << 1 | PPN 0x28001 << 10 */
	assert_int_equal(pte[0], UINT64_C(0xa000407));
	assert_int_equal(pte[1], 0);
	assert_int_equal(rvmsi_pte_basic(0x28001004, pte), -EINVAL);
	assert_int_equal(rvmsi_pte_basic(UINT64_C(1) << 56, pte), -ERANGE);

	/* MRIF 0x80000200, notice page 0x28000000, NID 0x5a5 (N10 = 1) */
	assert_int_equal(rvmsi_pte_mrif(0x80000200, 0x28000000, 0x5a5, pte), 0);
	/* V | M=1 << 1 | (0x80000200 >> 9 = 0x400001) << 7 */
	assert_int_equal(pte[0], UINT64_C(0x20000083));
	/* NID[9:0] 0x1a5 | NPPN 0x28000 << 10 | NID[10] << 60 */
	assert_int_equal(pte[1], UINT64_C(0x100000000a0001a5));
	assert_int_equal(rvmsi_pte_mrif(0x80000100, 0x28000000, 1, pte), -EINVAL);
	assert_int_equal(rvmsi_pte_mrif(0x80000200, 0x28000010, 1, pte), -EINVAL);
	assert_int_equal(rvmsi_pte_mrif(0x80000200, 0x28000000, 2048, pte), -EINVAL);
	assert_int_equal(rvmsi_pte_mrif(UINT64_C(1) << 56, 0x28000000, 1, pte), -ERANGE);
}

static void test_commands(void **state)
{
	(void)state;
	uint64_t c[2];
	rvmsi_cmd_iotinval_gvma(5, 0x28001000, c);
	/* opcode 1, func3 1 << 7, AV bit 10, GV bit 33, GSCID 5 << 44 */
	assert_int_equal(c[0], 1 | 1 << 7 | 1 << 10 | UINT64_C(1) << 33 | UINT64_C(5) << 44);
	assert_int_equal(c[1], UINT64_C(0x28001) << 10);
	rvmsi_cmd_iofence_c(true, c);
	assert_int_equal(c[0], 2 | 1 << 13); /* opcode 2, func3 0, PW bit 13 */
	assert_int_equal(c[1], 0);
	rvmsi_cmd_iofence_c(false, c);
	assert_int_equal(c[0], 2);
}

static void test_isolation_is_never_claimed(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_false(rvmsi_isolated(0, &why));
	assert_non_null(strstr(why, "MSI data"));
	/* no capability changes the answer */
	assert_false(rvmsi_isolated(~UINT64_C(0), NULL));
}

/* ------------------------------------------------------------------------ */
/* A recording memory: every store, wmb and command in order                 */
/* ------------------------------------------------------------------------ */
enum ev_kind { EV_STORE, EV_WMB, EV_CMD };
struct ev {
	enum ev_kind kind;
	uint64_t a, b; /* store: pa, value; cmd: dw0, dw1 */
};
struct rec {
	uint64_t mem[1 << 12]; /* 32 KiB of doublewords at REC_BASE */
	uint64_t base;
	struct ev ev[256];
	unsigned n;
	int fail_submit;
	uint64_t last_align;
};
#define REC_BASE UINT64_C(0x90000000)

static int rec_alloc(void *ctx, uint64_t size, uint64_t align, uint64_t *pa)
{
	struct rec *r = ctx;
	r->last_align = align;
	if (size > sizeof(r->mem))
		return -ENOMEM;
	*pa = REC_BASE;
	return 0;
}
static void rec_push(struct rec *r, enum ev_kind k, uint64_t a, uint64_t b)
{
	assert_true(r->n < 256);
	r->ev[r->n++] = (struct ev){k, a, b};
}
static void rec_write(void *ctx, uint64_t pa, uint64_t v)
{
	struct rec *r = ctx;
	r->mem[(pa - REC_BASE) / 8] = v;
	rec_push(r, EV_STORE, pa, v);
}
static uint64_t rec_read(void *ctx, uint64_t pa)
{
	struct rec *r = ctx;
	return r->mem[(pa - REC_BASE) / 8];
}
static void rec_wmb(void *ctx)
{
	rec_push(ctx, EV_WMB, 0, 0);
}
static int rec_submit(void *ctx, const uint64_t (*cmds)[2], unsigned n)
{
	struct rec *r = ctx;
	for (unsigned i = 0; i < n; i++)
		rec_push(r, EV_CMD, cmds[i][0], cmds[i][1]);
	return r->fail_submit ? -5 : 0;
}
static const struct rvmsi_mem_ops rec_ops = {rec_alloc, NULL, rec_write, rec_read, rec_wmb};

/* The VM of CHECKLIST §11.5: 4 vharts at GPA 0x28000000. */
#define VBASE UINT64_C(0x28000000)

static void expect_cmds(struct rec *r, unsigned at, uint64_t gpa, bool pw)
{
	uint64_t c[2];
	assert_true(at + 1 < r->n);
	assert_int_equal(r->ev[at].kind, EV_CMD);
	rvmsi_cmd_iotinval_gvma(GSCID, gpa, c);
	assert_int_equal(r->ev[at].a, c[0]);
	assert_int_equal(r->ev[at].b, c[1]);
	rvmsi_cmd_iofence_c(pw, c);
	assert_int_equal(r->ev[at + 1].kind, EV_CMD);
	assert_int_equal(r->ev[at + 1].a, c[0]);
}

static void test_table_rules(void **state)
{
	(void)state;
	struct rec *r = calloc(1, sizeof(*r));
	struct rvmsi_table t;
	uint64_t a[2], b[2], idx;
	assert_non_null(r);

	assert_int_equal(rvmsi_table_init(&t, &rec_ops, r, rec_submit, r, 3, VBASE >> 12, GSCID),
	                 0);
	assert_int_equal(t.entries, 4);
	assert_int_equal(r->last_align, 4096); /* <= 256 entries: 4 KiB */
	assert_int_equal(rvmsi_table_msiptp(&t), (UINT64_C(1) << 60) | (REC_BASE >> 12));
	assert_int_equal(rvmsi_table_index(&t, VBASE + 0x2004, &idx), 0);
	assert_int_equal(idx, 2);
	assert_int_equal(rvmsi_table_index(&t, VBASE + 0x4000, &idx), -ENOENT);

	/* map: DW1, wmb, DW0, wmb, IOTINVAL.GVMA + IOFENCE.C (PW=0) */
	rvmsi_pte_basic(0x29003000, a);
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x1000, a), 0);
	assert_int_equal(r->n, 6);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE + 16 + 8);
	assert_true(r->ev[1].kind == EV_WMB);
	assert_true(r->ev[2].kind == EV_STORE && r->ev[2].a == REC_BASE + 16 && r->ev[2].b == a[0]);
	assert_true(r->ev[3].kind == EV_WMB);
	expect_cmds(r, 4, VBASE + 0x1000, false);
	/* a second reference writes nothing */
	r->n = 0;
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x1000, a), 0);
	assert_int_equal(r->n, 0);
	assert_int_equal(rvmsi_table_refs(&t, VBASE + 0x1000), 2);
	/* another target for a live entry is refused */
	rvmsi_pte_basic(0x29004000, b);
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x1000, b), -EEXIST);
	/* replace: one store of DW0, never V=0 in between, then PW=1 fence */
	assert_int_equal(rvmsi_table_replace(&t, VBASE + 0x1000, b), 0);
	assert_int_equal(r->n, 4);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE + 16 && r->ev[0].b == b[0]);
	expect_cmds(r, 2, VBASE + 0x1000, true);
	assert_int_equal(rvmsi_table_refs(&t, VBASE + 0x1000), 2);
	/* unmap: the first drop writes nothing, the last clears V then fences
	 * with PW=1 */
	r->n = 0;
	assert_int_equal(rvmsi_table_unmap(&t, VBASE + 0x1000), 0);
	assert_int_equal(r->n, 0);
	assert_int_equal(rvmsi_table_unmap(&t, VBASE + 0x1000), 0);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE + 16 && r->ev[0].b == 0);
	assert_true(r->ev[1].kind == EV_WMB);
	expect_cmds(r, 2, VBASE + 0x1000, true);
	assert_int_equal(rvmsi_table_unmap(&t, VBASE + 0x1000), -ENOENT);
	assert_int_equal(rvmsi_table_replace(&t, VBASE + 0x1000, b), -ENOENT);

	/* basic -> MRIF: DW1 first (ignored in basic mode), then DW0: hitless */
	uint64_t m1[2], m2[2];
	rvmsi_pte_mrif(0x80000200, 0x28000000, 9, m1);
	rvmsi_pte_mrif(0x80000400, 0x28000000, 10, m2);
	assert_int_equal(rvmsi_table_map(&t, VBASE, a), 0);
	r->n = 0;
	assert_int_equal(rvmsi_table_replace(&t, VBASE, m1), 0);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE + 8 && r->ev[0].b == m1[1]);
	assert_true(r->ev[1].kind == EV_WMB);
	assert_true(r->ev[2].kind == EV_STORE && r->ev[2].a == REC_BASE && r->ev[2].b == m1[0]);
	/* MRIF -> MRIF with a new DW1: V=0 first, fenced, then DW1, DW0 */
	r->n = 0;
	assert_int_equal(rvmsi_table_replace(&t, VBASE, m2), 1);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE && r->ev[0].b == 0);
	expect_cmds(r, 2, VBASE, true);
	assert_true(r->ev[4].kind == EV_STORE && r->ev[4].a == REC_BASE + 8 && r->ev[4].b == m2[1]);
	assert_true(r->ev[6].kind == EV_STORE && r->ev[6].a == REC_BASE && r->ev[6].b == m2[0]);
	expect_cmds(r, 8, VBASE, true);
	/* MRIF -> basic: DW0 switches, DW1 cleaned up after the fence */
	r->n = 0;
	assert_int_equal(rvmsi_table_replace(&t, VBASE, a), 0);
	assert_true(r->ev[0].kind == EV_STORE && r->ev[0].a == REC_BASE && r->ev[0].b == a[0]);
	expect_cmds(r, 2, VBASE, true);
	assert_true(r->ev[4].kind == EV_STORE && r->ev[4].a == REC_BASE + 8 && r->ev[4].b == 0);

	/* malformed PTEs are refused */
	uint64_t bad[2] = {a[0] & ~RVI_MSIPTE_V, 0};
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x3000, bad), -EINVAL);
	bad[0] = a[0] | RVI_MSIPTE_C;
	assert_int_equal(rvmsi_table_replace(&t, VBASE, bad), -EINVAL);
	bad[0] = a[0] | RVI_BIT(5); /* reserved bit 5 in basic mode */
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x3000, bad), -EINVAL);

	/* a failing command queue: -EIO, and map leaves the entry invalid */
	r->fail_submit = 1;
	assert_int_equal(rvmsi_table_map(&t, VBASE + 0x3000, a), -EIO);
	assert_int_equal(r->mem[3 * 2], 0);
	assert_int_equal(rvmsi_table_refs(&t, VBASE + 0x3000), 0);
	r->fail_submit = 0;
	rvmsi_table_destroy(&t);

	/* sizes: 512 entries -> 8 KiB, naturally aligned; > 2^20 refused */
	assert_int_equal(rvmsi_table_init(&t, &rec_ops, r, rec_submit, r, 0x1ff, 0, 1), 0);
	assert_int_equal(r->last_align, 8192);
	rvmsi_table_destroy(&t);
	assert_int_equal(
	    rvmsi_table_init(&t, &rec_ops, r, rec_submit, r, (UINT64_C(1) << 21) - 1, 0, 1),
	    -ERANGE);
	assert_int_equal(rvmsi_table_init(&t, &rec_ops, r, NULL, r, 3, 0, 1), -EINVAL);
	assert_int_equal(rvmsi_table_init(&t, &rec_ops, r, rec_submit, r, UINT64_C(1) << 52, 0, 1),
	                 -EINVAL);
	free(r);
}

static int retargets;
static uint64_t retarget_to;
static int retarget_cb(void *ctx, uint64_t a)
{
	(void)ctx;
	retargets++;
	retarget_to = a;
	return 0;
}

/* Affinity: the new entry is mapped (and fenced) before the device is
 * retargeted, and the old one is removed only after. */
static void test_affinity_order(void **state)
{
	(void)state;
	struct rec *r = calloc(1, sizeof(*r));
	struct rvmsi_table t;
	assert_non_null(r);
	assert_int_equal(rvmsi_table_init(&t, &rec_ops, r, rec_submit, r, 3, VBASE >> 12, GSCID),
	                 0);
	assert_int_equal(rvmsi_affinity_change(&t, 0, VBASE + 0x1000, NULL, NULL), 0);
	r->n = 0;
	retargets = 0;
	assert_int_equal(
	    rvmsi_affinity_change(&t, VBASE + 0x1000, VBASE + 0x2000, retarget_cb, NULL), 0);
	assert_int_equal(retargets, 1);
	assert_int_equal(retarget_to, VBASE + 0x2000);
	/* stores: new DW1, new DW0 (entry 2), ... then old DW0 = 0 (entry 1) */
	assert_true(r->ev[2].kind == EV_STORE && r->ev[2].a == REC_BASE + 32);
	expect_cmds(r, 4, VBASE + 0x2000, false);
	assert_true(r->ev[6].kind == EV_STORE && r->ev[6].a == REC_BASE + 16 && r->ev[6].b == 0);
	expect_cmds(r, 8, VBASE + 0x1000, true);
	/* outside the window: refused, nothing changes */
	assert_int_equal(rvmsi_affinity_change(&t, VBASE + 0x2000, VBASE + 0x9000, NULL, NULL),
	                 -ENOENT);
	assert_int_equal(rvmsi_table_refs(&t, VBASE + 0x2000), 1);
	rvmsi_table_destroy(&t);
	free(r);
}

static void test_gfiles(void **state)
{
	(void)state;
	struct rvmsi_gfiles a;
	assert_int_equal(rvmsi_gfiles_init(&a, 1, 2, 0), -EINVAL);
	assert_int_equal(rvmsi_gfiles_init(&a, 1, 2, 64), -EINVAL);
	assert_int_equal(rvmsi_gfiles_init(&a, 2, 2, 3), 0);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 1), 1); /* never guest 0 */
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 1), 2);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 1), 3);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 1), -ENOSPC);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 0), 1); /* per hart */
	assert_int_equal(rvmsi_gfiles_free(&a, 1, 1, 2), 0);
	assert_int_equal(rvmsi_gfiles_free(&a, 1, 1, 2), -EINVAL); /* twice */
	assert_int_equal(rvmsi_gfiles_free(&a, 1, 1, 0), -EINVAL);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 1, 1), 2);
	assert_int_equal(rvmsi_gfiles_alloc(&a, 2, 0), -EINVAL);
	rvmsi_gfiles_destroy(&a);
}

/* ------------------------------------------------------------------------ */
/* End to end: IOMMU model + IMSIC model from a fixture                     */
/* ------------------------------------------------------------------------ */
struct e2e {
	struct fx *f;
	struct rvdt_platform *p;
	const struct rvdt_imsic *s; /* the S-level node */
	struct rvimsic *im;
	struct rvimsic_bus bus;
	unsigned cmds;
};

static int fx_mem_alloc(void *ctx, uint64_t size, uint64_t align, uint64_t *pa)
{
	struct e2e *e = ctx;
	*pa = fx_alloc(e->f, size > align ? size : align);
	return 0;
}
static void fx_mem_write(void *ctx, uint64_t pa, uint64_t v)
{
	struct e2e *e = ctx;
	rv_physmem_write64(e->f->mem, pa, v);
}
static uint64_t fx_mem_read(void *ctx, uint64_t pa)
{
	struct e2e *e = ctx;
	return rv_physmem_read64(e->f->mem, pa);
}
static const struct rvmsi_mem_ops fx_mem = {fx_mem_alloc, NULL, fx_mem_write, fx_mem_read, NULL};

/* Commands straight into the model's queue; each batch must complete. */
static int fx_submit(void *ctx, const uint64_t (*cmds)[2], unsigned n)
{
	struct e2e *e = ctx;
	for (unsigned i = 0; i < n; i++) {
		uint32_t csr = fx_cmd(e->f, cmds[i][0], cmds[i][1]);
		if (csr & (RVI_CQCSR_CMD_ILL | RVI_CQCSR_CQMF))
			return -5;
		e->cmds++;
	}
	return fx_rd(e->f, RVI_REG_CQH, 4) == fx_rd(e->f, RVI_REG_CQT, 4) ? 0 : -110;
}

static void e2e_init(struct e2e *e, const char *fixture)
{
	char path[512], err[512];
	struct rvimsic_config cfg = {0};
	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/%s", fixture);
	int rc = rvdt_load_file(path, &e->p, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s", path, err);
	for (size_t i = 0; i < e->p->nr_imsics; i++)
		if (e->p->imsics[i].level == RVDT_LEVEL_S)
			e->s = &e->p->imsics[i];
	assert_non_null(e->s);
	assert_int_equal(rvdt_imsic_to_config(e->s, &cfg), 0);
	assert_int_equal(rvimsic_create(&cfg, &e->im), 0);
	rvimsic_bus_init(&e->bus, NULL, NULL);
	assert_int_equal(rvimsic_bus_add(&e->bus, e->im), 0);
	e->f = fx_create(NULL);
	fx_enable_queues(e->f, 8);
	fx_ddt_init(e->f, RVI_DDTP_MODE_1LVL);
}

static void e2e_fini(struct e2e *e)
{
	fx_destroy(e->f);
	rvimsic_destroy(e->im);
	rvdt_free(e->p);
}

static struct rvimsic_file_id file_of(const struct e2e *e, size_t pos, uint32_t guest)
{
	uint32_t hb = e->s->hart_index_bits;
	return (struct rvimsic_file_id){(uint32_t)(pos >> hb), (uint32_t)pos & ((1u << hb) - 1),
	                                guest};
}

static bool pending(struct e2e *e, struct rvimsic_file_id f, uint32_t id)
{
	uint64_t v = 0;
	assert_int_equal(rvimsic_ireg_read(e->im, f, RVIMSIC_ISEL_EIP0 + 2 * (id / 64), &v), 0);
	return v >> (id % 64) & 1;
}

/* A device MSI write of @id to @iova: translate, then deliver on the bus.
 * Returns the fault cause (0: delivered). */
static int msi(struct e2e *e, uint64_t iova, uint32_t id)
{
	struct rvm_req rq = fx_req(DID, RVM_ACC_WRITE, iova);
	struct rvm_resp rs;
	uint8_t le[4] = {id & 0xff, id >> 8 & 0xff, 0, 0};
	rq.len = 4;
	int cause = rvm_translate(e->f->m, &rq, &rs);
	if (cause)
		return cause;
	assert_int_equal(rvimsic_bus_write(&e->bus, rs.pa, le, 4), RVIMSIC_ROUTED_IMSIC);
	return 0;
}

static uint64_t atp(unsigned mode, uint64_t root)
{
	return RVI_FIELD_PREP(RVI_ATP_MODE, mode) | RVI_FIELD_PREP(RVI_ATP_PPN, root >> 12);
}

/* Identity-map a region with the largest pages that fit. */
static void map_identity(struct e2e *e, uint64_t root, const struct rvmsi_region *r)
{
	uint64_t a = r->start, end = r->start + r->length;
	const uint64_t flags = RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D;
	while (a < end) {
		unsigned level = 0;
		if (!(a & ((1u << 30) - 1)) && end - a >= (1u << 30))
			level = 2;
		else if (!(a & ((1u << 21) - 1)) && end - a >= (1u << 21))
			level = 1;
		fx_map(e->f, "sv39", root, a, a, level, flags);
		a += UINT64_C(1) << (12 + 9 * level);
	}
}

static void first_stage(const char *fixture, enum rvmsi_policy_mode mode)
{
	struct e2e e;
	struct rvmsi_policy pol = {.mode = mode, .stage = RVMSI_STAGE_FIRST};
	struct rvmsi_regions rg;
	char err[256];

	e2e_init(&e, fixture);
	assert_int_equal(rvmsi_regions_compute(e.p, &pol, &rg, err, sizeof(err)), 0);
	uint64_t root = fx_pt_new(e.f, "sv39");
	for (size_t i = 0; i < rg.n; i++)
		if (rg.r[i].type == RVMSI_RESV_DIRECT_RELAXABLE)
			map_identity(&e, root, &rg.r[i]);
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_FSC] = atp(RVI_IOSATP_SV39, root);
	fx_set_dc(e.f, DID, dc);

	for (size_t pos = 0; pos < e.s->nr_parents; pos++) {
		uint64_t pa;
		uint32_t id = 1 + (uint32_t)pos;
		assert_int_equal(rvdt_imsic_file_addr(e.s, pos, 0, &pa), 0);
		assert_int_equal(msi(&e, pa, id), 0);
		assert_true(pending(&e, file_of(&e, pos, 0), id));
		/* and nowhere else: the next hart's S file stays clear */
		if (pos + 1 < e.s->nr_parents)
			assert_false(pending(&e, file_of(&e, pos + 1, 0), id));
	}
	/* a guest file is reachable only under the group policy */
	if (e.s->guest_index_bits) {
		uint64_t pa;
		assert_int_equal(rvdt_imsic_file_addr(e.s, 1, 1, &pa), 0);
		int cause = msi(&e, pa, 77);
		if (mode == RVMSI_POLICY_GROUP) {
			assert_int_equal(cause, 0);
			assert_true(pending(&e, file_of(&e, 1, 1), 77));
		} else {
			assert_int_equal(cause, RVI_CAUSE_WR_PAGE);
			assert_false(pending(&e, file_of(&e, 1, 1), 77));
		}
	}
	rvmsi_regions_free(&rg);
	e2e_fini(&e);
}

static void test_e2e_first_stage(void **state)
{
	(void)state;
	const char *fix[] = {"virt-imsic-4.dts", "virt-imsic-8-g3.dts", "virt-imsic-2s-16-g7.dts"};
	for (size_t i = 0; i < 3; i++)
		for (int mode = 0; mode <= RVMSI_POLICY_GROUP; mode++)
			first_stage(fix[i], mode);
}

static uint64_t retarget_addr;
static int retarget_store(void *ctx, uint64_t a)
{
	(void)ctx;
	retarget_addr = a;
	return 0;
}

static void second_stage(const char *fixture, enum rvmsi_policy_mode mode)
{
	struct e2e e;
	struct rvmsi_policy pol = {.mode = mode, .stage = RVMSI_STAGE_SECOND};
	struct rvmsi_regions rg;
	struct rvmsi_table t;
	uint64_t rec[4];
	char err[256];

	e2e_init(&e, fixture);
	assert_int_equal(rvmsi_regions_compute(e.p, &pol, &rg, err, sizeof(err)), 0);
	assert_int_equal(
	    rvmsi_table_init(&t, &fx_mem, &e, fx_submit, &e, rg.msi_mask, rg.msi_pattern, GSCID),
	    0);
	uint64_t g = fx_pt_new(e.f, "sv39x4"); /* empty: DMA is not the point */
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = atp(RVI_IOHGATP_SV39X4, g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID);
	dc[RVI_DC_MSIPTP] = rvmsi_table_msiptp(&t);
	dc[RVI_DC_MSI_ADDR_MASK] = rg.msi_mask;
	dc[RVI_DC_MSI_ADDR_PATTERN] = rg.msi_pattern;
	fx_set_dc(e.f, DID, dc);

	/* every S file is inside the HW_MSI window */
	for (size_t pos = 0; pos < e.s->nr_parents; pos++) {
		uint64_t pa;
		bool in = false;
		assert_int_equal(rvdt_imsic_file_addr(e.s, pos, 0, &pa), 0);
		for (size_t i = 0; i < rg.n; i++)
			in |= pa >= rg.r[i].start && pa < rg.r[i].start + rg.r[i].length;
		assert_true(in);
	}

	/* two IRQs affined to hart position 1, then moved to 2 one by one */
	uint64_t h1, h2, h3;
	size_t p3 = e.s->nr_parents - 1;
	assert_int_equal(rvdt_imsic_file_addr(e.s, 1, 0, &h1), 0);
	assert_int_equal(rvdt_imsic_file_addr(e.s, 2, 0, &h2), 0);
	assert_int_equal(rvdt_imsic_file_addr(e.s, p3, 0, &h3), 0);
	assert_int_equal(msi(&e, h1, 5), RVI_CAUSE_MSI_PTE_INVALID); /* nothing mapped yet */
	assert_true(fx_pop_fault(e.f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_MSI_PTE_INVALID);
	assert_int_equal(rvmsi_affinity_change(&t, 0, h1, NULL, NULL), 0);
	assert_int_equal(rvmsi_affinity_change(&t, 0, h1, NULL, NULL), 0);
	assert_int_equal(rvmsi_table_refs(&t, h1), 2);
	assert_int_equal(msi(&e, h1, 5), 0); /* now cached in the IOTLB too */
	assert_true(pending(&e, file_of(&e, 1, 0), 5));

	unsigned before = e.cmds;
	assert_int_equal(rvmsi_affinity_change(&t, h1, h2, retarget_store, NULL), 0);
	assert_int_equal(retarget_addr, h2);
	assert_int_equal(e.cmds - before, 2); /* map h2 only: h1 still shared */
	assert_int_equal(msi(&e, h2, 6), 0);
	assert_true(pending(&e, file_of(&e, 2, 0), 6));
	assert_int_equal(msi(&e, h1, 7), 0); /* the other IRQ still uses it */
	assert_true(pending(&e, file_of(&e, 1, 0), 7));

	assert_int_equal(rvmsi_affinity_change(&t, h1, h2, retarget_store, NULL), 0);
	assert_int_equal(rvmsi_table_refs(&t, h2), 2);
	assert_int_equal(msi(&e, h1, 8), RVI_CAUSE_MSI_PTE_INVALID); /* stale IOTLB gone */
	assert_false(pending(&e, file_of(&e, 1, 0), 8));
	assert_true(fx_pop_fault(e.f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_MSI_PTE_INVALID);
	assert_int_equal(rec[2], h1);
	assert_int_equal(msi(&e, h2, 9), 0);
	assert_true(pending(&e, file_of(&e, 2, 0), 9));

	/* move to the last hart (another group on 2s-16-g7) */
	assert_int_equal(rvmsi_affinity_change(&t, h2, h3, NULL, NULL), 0);
	assert_int_equal(rvmsi_affinity_change(&t, h2, h3, NULL, NULL), 0);
	assert_int_equal(msi(&e, h3, 10), 0);
	assert_true(pending(&e, file_of(&e, p3, 0), 10));
	assert_int_equal(msi(&e, h2, 11), RVI_CAUSE_MSI_PTE_INVALID);
	assert_false(fx_rd(e.f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_ILL);

	/* guest files are never in the MSI window: they go to the (empty)
	 * G-stage and fault there, not in the MSI table */
	if (e.s->guest_index_bits) {
		uint64_t gf;
		assert_int_equal(rvdt_imsic_file_addr(e.s, 1, 1, &gf), 0);
		assert_int_equal(msi(&e, gf, 12), RVI_CAUSE_WR_GUEST_PAGE);
	}
	rvmsi_table_destroy(&t);
	rvmsi_regions_free(&rg);
	e2e_fini(&e);
}

static void test_e2e_second_stage_affinity(void **state)
{
	(void)state;
	const char *fix[] = {"virt-imsic-4.dts", "virt-imsic-8-g3.dts", "virt-imsic-2s-16-g7.dts"};
	for (size_t i = 0; i < 3; i++)
		for (int mode = 0; mode <= RVMSI_POLICY_GROUP; mode++)
			second_stage(fix[i], mode);
}

/* A VM: the guest's vIMSIC S file (GPA) maps to a host guest file; a
 * migration moves pending IDs and the device follows. */
static void test_e2e_vcpu_migrate(void **state)
{
	(void)state;
	struct e2e e;
	struct rvmsi_table t;
	struct rvmsi_gfiles ga;
	uint64_t m, p;
	e2e_init(&e, "virt-imsic-2s-16-g7.dts");
	struct rvmsi_layout vm = {VBASE, 0, 2, 0, 0}; /* 4 vharts */
	assert_int_equal(rvmsi_msi_mask(&vm, &m, &p), 0);
	assert_int_equal(rvmsi_table_init(&t, &fx_mem, &e, fx_submit, &e, m, p, GSCID), 0);
	const struct rvimsic_config *c = rvimsic_config(e.im);
	assert_int_equal(rvmsi_gfiles_init(&ga, c->groups, c->harts, c->guests), 0);
	uint64_t g = fx_pt_new(e.f, "sv39x4");
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_IOHGATP] = atp(RVI_IOHGATP_SV39X4, g) | RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID);
	dc[RVI_DC_MSIPTP] = rvmsi_table_msiptp(&t);
	dc[RVI_DC_MSI_ADDR_MASK] = m;
	dc[RVI_DC_MSI_ADDR_PATTERN] = p;
	fx_set_dc(e.f, DID, dc);

	struct rvmsi_vcpu v = {.vfile_gpa = VBASE + 0x1000}; /* vhart 1 */
	assert_int_equal(rvmsi_vcpu_bind(&t, &ga, e.im, &v, 0, 3), 0);
	assert_int_equal(v.guest, 1);
	assert_int_equal(rvmsi_vcpu_bind(&t, &ga, e.im, &v, 0, 3), -EEXIST);
	struct rvimsic_file_id f0 = {0, 3, 1};
	/* the guest enables delivery and a threshold */
	rvimsic_ireg_write(e.im, f0, RVIMSIC_ISEL_EIDELIVERY, 1);
	rvimsic_ireg_write(e.im, f0, RVIMSIC_ISEL_EITHRESHOLD, 40);
	rvimsic_ireg_write(e.im, f0, RVIMSIC_ISEL_EIE0, 0xff0);
	assert_int_equal(msi(&e, v.vfile_gpa, 4), 0);
	assert_int_equal(msi(&e, v.vfile_gpa, 70), 0);
	assert_true(pending(&e, f0, 4));
	assert_true(pending(&e, f0, 70));

	unsigned moved = 0;
	assert_int_equal(rvmsi_vcpu_migrate(&t, &ga, e.im, &v, 1, 5, &moved), 0);
	assert_int_equal(moved, 2);
	struct rvimsic_file_id f1 = {1, 5, 1};
	assert_true(v.group == 1 && v.hart == 5 && v.guest == 1);
	assert_true(pending(&e, f1, 4) && pending(&e, f1, 70));
	assert_false(pending(&e, f0, 4) || pending(&e, f0, 70));
	uint64_t val;
	rvimsic_ireg_read(e.im, f1, RVIMSIC_ISEL_EIDELIVERY, &val);
	assert_int_equal(val, 1);
	rvimsic_ireg_read(e.im, f1, RVIMSIC_ISEL_EITHRESHOLD, &val);
	assert_int_equal(val, 40);
	rvimsic_ireg_read(e.im, f1, RVIMSIC_ISEL_EIE0, &val);
	assert_int_equal(val, 0xff0);
	rvimsic_ireg_read(e.im, f0, RVIMSIC_ISEL_EIDELIVERY, &val);
	assert_int_equal(val, 0); /* the old file was silenced */
	/* the device now reaches the new file only */
	assert_int_equal(msi(&e, v.vfile_gpa, 9), 0);
	assert_true(pending(&e, f1, 9));
	assert_false(pending(&e, f0, 9));
	/* the old file went back to the allocator */
	assert_int_equal(rvmsi_gfiles_alloc(&ga, 0, 3), 1);
	/* a full hart: -ENOSPC and nothing changes */
	for (int i = 0; i < 7; i++)
		rvmsi_gfiles_alloc(&ga, 0, 6);
	assert_int_equal(rvmsi_vcpu_migrate(&t, &ga, e.im, &v, 0, 6, &moved), -ENOSPC);
	assert_true(v.group == 1 && v.hart == 5 && v.guest == 1);
	assert_int_equal(msi(&e, v.vfile_gpa, 10), 0);
	assert_true(pending(&e, f1, 10));
	struct rvmsi_vcpu unbound = {0};
	assert_int_equal(rvmsi_vcpu_migrate(&t, &ga, e.im, &unbound, 0, 1, NULL), -EINVAL);

	rvmsi_gfiles_destroy(&ga);
	rvmsi_table_destroy(&t);
	e2e_fini(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_pattern),
	    cmocka_unit_test(test_deposit_inverts_extract),
	    cmocka_unit_test(test_pte_builders),
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_isolation_is_never_claimed),
	    cmocka_unit_test(test_table_rules),
	    cmocka_unit_test(test_affinity_order),
	    cmocka_unit_test(test_gfiles),
	    cmocka_unit_test(test_e2e_first_stage),
	    cmocka_unit_test(test_e2e_second_stage_affinity),
	    cmocka_unit_test(test_e2e_vcpu_migrate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
