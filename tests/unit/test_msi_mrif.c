/* SPDX-License-Identifier: MIT
 *
 * test_msi_mrif.c - CHECKLIST §11.5 "Moving a vhart's file from IMSIC to
 * MRIF (atomic case)" and back, end to end through the hardware model
 * (caps.MSI_MRIF and AMO_MRIF, msiptp Flat) with rvmsi_vcpu_to_mrif() /
 * rvmsi_vcpu_from_mrif().  The model's host ops route every write that
 * falls in the IMSIC model to it, so the MRIF notice MSI the model sends
 * really lands in the notice file; device MSIs that translate in basic
 * mode are written to the IMSIC at the translated address.
 *
 * Hand-derived values: IMSIC base 0x24000000, 4 harts, 3 guest files,
 * guest_index_bits 2, so (hart h, guest g) is at 0x24000000 | h << 14 |
 * g << 12.  The VM's vIMSIC: mask 0x7, pattern 0x28000, vhart 2 at GPA
 * 0x28002000 (entry 2).  MRIF identity D: pending bit D % 64 of the
 * doubleword at MRIF + 16 (D / 64), enable at + 8.  IDs 5 (word 0 bit 5),
 * 70 (word 1 bit 6), 100 (word 1 bit 36) are enabled; eithreshold 120.
 * The notice goes to hart 3's S file with identity 33.
 *
 * In-flight MSIs: the table's command callback runs a hook before it
 * queues the invalidation of each PTE switch.  That is the window in which
 * an MSI translated with the old PTE may still land in the old place, so
 * the hook writes one there directly (an old-file seteipnum, or an AMOOR
 * into the MRIF) and one through the model.  A move that collected the old
 * place before the fence would lose the direct one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "fixture.h"
#include "rviommu/imsic.h"
#include "rviommu/msi.h"
#include "rviommu/spec.h"

#define DID 3
#define GSCID 7
#define MASK UINT64_C(0x7)
#define PATTERN UINT64_C(0x28000)
#define VFILE UINT64_C(0x28002000)
#define IMSIC_BASE UINT64_C(0x24000000)
#define NOTICE_HART 3u
#define NID 33u
#define THRESH 120u

struct w {
	struct fx *f;
	struct rvimsic *im;
	struct rvmsi_table t;
	struct rvmsi_gfiles ga;
	struct rvmsi_vcpu v;
	struct rvmsi_vcpu_mrif mr;
	unsigned notices, sent;
	void (*hook)(struct w *w);
	unsigned hook_calls;
	uint64_t hook_deliv; /* old file's eidelivery seen by the hook */
};

/* ---- the model's host: physmem, with the IMSIC in its range ---- */
static int h_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	struct w *w = ctx;
	(void)a;
	return rv_physmem_read(w->f->mem, pa, buf, len);
}
static int h_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                   const struct rvm_mem_attr *a)
{
	struct w *w = ctx;
	if (rvimsic_contains(w->im, pa)) {
		assert_int_equal(a->kind, RVM_MEM_MSI);
		w->notices++;
		return rvimsic_mmio_write(w->im, pa, buf, len) ? RVM_MEM_ACCESS_FAULT : RVM_MEM_OK;
	}
	return rv_physmem_write(w->f->mem, pa, buf, len);
}
static int h_cas(void *ctx, uint64_t pa, unsigned size, uint64_t exp, uint64_t des, uint64_t *obs,
                 const struct rvm_mem_attr *a)
{
	struct w *w = ctx;
	(void)a;
	return rv_physmem_cas(w->f->mem, pa, size, exp, des, obs);
}

/* ---- table memory, commands, MRIF atomics ---- */
static int m_alloc(void *ctx, uint64_t size, uint64_t align, uint64_t *pa)
{
	struct w *w = ctx;
	*pa = fx_alloc(w->f, size > align ? size : align);
	return 0;
}
static void m_write(void *ctx, uint64_t pa, uint64_t v)
{
	struct w *w = ctx;
	rv_physmem_write64(w->f->mem, pa, v);
}
static uint64_t m_read(void *ctx, uint64_t pa)
{
	struct w *w = ctx;
	return rv_physmem_read64(w->f->mem, pa);
}
static const struct rvmsi_mem_ops mem_ops = {
    .alloc = m_alloc, .write64 = m_write, .read64 = m_read};

static int submit(void *ctx, const uint64_t (*cmds)[2], unsigned n)
{
	struct w *w = ctx;
	if (w->hook) {
		w->hook_calls++;
		w->hook(w);
	}
	for (unsigned i = 0; i < n; i++)
		if (fx_cmd(w->f, cmds[i][0], cmds[i][1]) & RVI_CQCSR_ERRORS)
			return -EIO;
	return fx_rd(w->f, RVI_REG_CQH, 4) == fx_rd(w->f, RVI_REG_CQT, 4) ? 0 : -EIO;
}

static uint64_t rmw64(struct w *w, uint64_t pa, uint64_t set, bool swap)
{
	uint64_t seen = rv_physmem_read64(w->f->mem, pa), obs;
	for (;;) {
		assert_int_equal(
		    rv_physmem_cas(w->f->mem, pa, 8, seen, swap ? set : seen | set, &obs),
		    RVM_MEM_OK);
		if (obs == seen)
			return seen;
		seen = obs;
	}
}
static void amo_or(void *ctx, uint64_t pa, uint64_t v)
{
	rmw64(ctx, pa, v, false);
}
static uint64_t amo_swap(void *ctx, uint64_t pa, uint64_t v)
{
	return rmw64(ctx, pa, v, true);
}

static struct rvimsic_file_id fid(uint32_t hart, uint32_t guest)
{
	return (struct rvimsic_file_id){0, hart, guest};
}

static uint64_t ireg(struct w *w, struct rvimsic_file_id f, uint32_t isel)
{
	uint64_t v = 0;
	assert_int_equal(rvimsic_ireg_read(w->im, f, isel, &v), 0);
	return v;
}

/* A device MSI of identity @id to the vCPU's vIMSIC file. */
static void send(struct w *w, uint32_t id)
{
	struct rvm_req rq = fx_req(DID, RVM_ACC_WRITE, VFILE);
	struct rvm_resp rs;
	rq.len = 4;
	rq.has_data = true;
	rq.data = id;
	assert_int_equal(rvm_translate(w->f->m, &rq, &rs), 0);
	assert_true(rs.is_msi || rs.is_mrif); /* the model reports an MRIF hit as is_mrif */
	if (!rs.is_mrif) {
		uint8_t b[4] = {(uint8_t)id, (uint8_t)(id >> 8), 0, 0};
		assert_int_equal(rvimsic_mmio_write(w->im, rs.pa, b, 4), 0);
	}
	w->sent++;
}

static void setup(struct w *w)
{
	struct rvm_host_ops ops = {h_read, h_write, h_cas, NULL, NULL};
	int err = 0;
	memset(w, 0, sizeof(*w));
	w->f = fx_create(NULL);
	assert_true(w->f->cfg.capabilities & RVI_CAP_MSI_MRIF);
	rvm_destroy(w->f->m); /* the same model, on this file's host ops */
	w->f->m = rvm_create(&w->f->cfg, &ops, w, &err);
	assert_non_null(w->f->m);
	struct rvimsic_config ic = {.base = IMSIC_BASE,
	                            .groups = 1,
	                            .harts = 4,
	                            .guests = 3,
	                            .num_ids = 127,
	                            .guest_index_bits = 2,
	                            .hart_index_bits = 2};
	assert_int_equal(rvimsic_create(&ic, &w->im), 0);
	fx_enable_queues(w->f, 6);
	fx_ddt_init(w->f, RVI_DDTP_MODE_1LVL);
	uint64_t g = fx_pt_new(w->f, "sv39x4");
	assert_int_equal(rvmsi_table_init(&w->t, &mem_ops, w, submit, w, MASK, PATTERN, GSCID), 0);
	uint64_t dc[8] = {RVI_DC_TC_V,
	                  RVI_FIELD_PREP(RVI_ATP_MODE, 8) | RVI_FIELD_PREP(RVI_ATP_PPN, g >> 12) |
	                      RVI_FIELD_PREP(RVI_IOHGATP_GSCID, GSCID),
	                  0,
	                  0,
	                  rvmsi_table_msiptp(&w->t),
	                  MASK,
	                  PATTERN};
	fx_set_dc(w->f, DID, dc);
	assert_int_equal(rvmsi_gfiles_init(&w->ga, 1, 4, 3), 0);
	w->v.vfile_gpa = VFILE;
	assert_int_equal(rvmsi_vcpu_bind(&w->t, &w->ga, w->im, &w->v, 0, 1), 0);
	assert_int_equal(w->v.guest, 1);
	struct rvimsic_file_id f = fid(1, 1);
	assert_int_equal(rvimsic_ireg_write(w->im, f, RVIMSIC_ISEL_EIE0, UINT64_C(1) << 5), 0);
	assert_int_equal(rvimsic_ireg_write(w->im, f, RVIMSIC_ISEL_EIE0 + 2,
	                                    (UINT64_C(1) << 6) | (UINT64_C(1) << 36)),
	                 0);
	assert_int_equal(rvimsic_ireg_write(w->im, f, RVIMSIC_ISEL_EITHRESHOLD, THRESH), 0);
	assert_int_equal(rvimsic_ireg_write(w->im, f, RVIMSIC_ISEL_EIDELIVERY, 1), 0);
	/* the MRIF: 512-byte aligned, not 4 KiB; a stale pending bit (ID 9)
	 * that step 1 must clear */
	w->mr.pa = fx_alloc(w->f, 4096) + 512;
	rv_physmem_write64(w->f->mem, RVMSI_MRIF_PENDING(w->mr.pa, 0), UINT64_C(1) << 9);
	assert_int_equal(rvimsic_file_addr(w->im, fid(NOTICE_HART, 0), &w->mr.notice_pa), 0);
	w->mr.nid = NID;
}

static void teardown(struct w *w)
{
	rvmsi_gfiles_destroy(&w->ga);
	rvmsi_table_destroy(&w->t);
	rvimsic_destroy(w->im);
	fx_destroy(w->f);
}

/* During the switch to the MRIF: the old file must already be quiet, an
 * MSI translated with the old PTE lands in the old file (ID 6), and one
 * goes through the model (ID 7; the cached basic entry or the new one). */
static void hook_to_mrif(struct w *w)
{
	w->hook_deliv = ireg(w, fid(1, 1), RVIMSIC_ISEL_EIDELIVERY);
	assert_int_equal(rvimsic_seteipnum(w->im, fid(1, 1), 6), 0);
	w->sent++;
	send(w, 7);
}

/* During the switch back: an MRIF update still in flight (AMOOR of ID 72)
 * and one MSI through the model (ID 71). */
static void hook_from_mrif(struct w *w)
{
	amo_or(w, RVMSI_MRIF_PENDING(w->mr.pa, 1), UINT64_C(1) << 8);
	w->sent++;
	send(w, 71);
}

static unsigned pending_everywhere(struct w *w, uint32_t skip_hart)
{
	unsigned n = 0;
	for (uint32_t h = 0; h < 4; h++)
		for (uint32_t g = 0; g <= 3; g++)
			if (!(g == 0 && h == skip_hart))
				for (unsigned k = 0; k < RVIMSIC_WORDS; k++)
					n += (unsigned)__builtin_popcountll(
					    ireg(w, fid(h, g), RVIMSIC_ISEL_EIP0 + 2 * k));
	return n;
}

static void test_imsic_to_mrif_and_back(void **state)
{
	(void)state;
	struct w w;
	struct rvmsi_mrif_amo amo = {amo_or, amo_swap, NULL};
	unsigned moved = 0;
	uint64_t pte0;
	setup(&w);
	amo.ctx = &w;
	uint64_t ent = w.t.pa + 16 * 2;

	send(&w, 5); /* basic mode: pending in (hart 1, guest 1); cached */
	assert_int_equal(ireg(&w, fid(1, 1), RVIMSIC_ISEL_EIP0), UINT64_C(1) << 5);

	/* ---- IMSIC -> MRIF ---- */
	w.hook = hook_to_mrif;
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, &moved), 0);
	w.hook = NULL;
	assert_int_equal(w.hook_calls, 1);
	assert_int_equal(w.hook_deliv, RVIMSIC_EIDELIVERY_OFF); /* step 2 before step 3 */
	pte0 = rv_physmem_read64(w.f->mem, ent);
	assert_int_equal(RVI_FIELD_GET(RVI_MSIPTE_M, pte0), RVI_MSIPTE_M_MRIF);
	assert_int_equal(RVI_FIELD_GET(RVI_MSIPTE_MRIF_ADDR, pte0), w.mr.pa >> 9);
	assert_true(w.mr.active);
	assert_false(w.v.bound);
	/* stale ID 9 gone; 5, 6 (and 7, wherever the model sent it) moved */
	assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_PENDING(w.mr.pa, 0)),
	                 (UINT64_C(1) << 5) | (UINT64_C(1) << 6) | (UINT64_C(1) << 7));
	assert_true(moved == 2 || moved == 3);
	assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_ENABLE(w.mr.pa, 0)), UINT64_C(1)
	                                                                                 << 5);
	assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_ENABLE(w.mr.pa, 1)),
	                 (UINT64_C(1) << 6) | (UINT64_C(1) << 36));
	assert_int_equal(w.mr.eidelivery, 1);
	assert_int_equal(w.mr.eithreshold, THRESH);
	/* the old file is empty and was given back */
	assert_int_equal(ireg(&w, fid(1, 1), RVIMSIC_ISEL_EIP0), 0);
	assert_int_equal(w.ga.used[1], 0);

	/* an MSI now sets the MRIF bit and the notice reaches hart 3's S file */
	unsigned notices = w.notices;
	send(&w, 70);
	assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_PENDING(w.mr.pa, 1)), UINT64_C(1)
	                                                                                  << 6);
	assert_int_equal(w.notices, notices + 1);
	assert_int_equal(ireg(&w, fid(NOTICE_HART, 0), RVIMSIC_ISEL_EIP0), UINT64_C(1) << NID);
	assert_int_equal(pending_everywhere(&w, NOTICE_HART), 0);

	/* ---- MRIF -> IMSIC, to hart 2 ---- */
	w.hook = hook_from_mrif;
	assert_int_equal(rvmsi_vcpu_from_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, 0, 2, &moved),
	                 0);
	w.hook = NULL;
	assert_int_equal(w.hook_calls, 2);
	assert_true(w.v.bound);
	assert_false(w.mr.active);
	assert_int_equal(w.v.hart, 2);
	assert_int_equal(w.v.guest, 1);
	pte0 = rv_physmem_read64(w.f->mem, ent);
	assert_int_equal(RVI_FIELD_GET(RVI_MSIPTE_M, pte0), RVI_MSIPTE_M_BASIC);
	assert_int_equal(RVI_FIELD_GET(RVI_MSIPTE_PPN, pte0),
	                 (IMSIC_BASE | 2 << 14 | 1 << 12) >> 12);
	struct rvimsic_file_id nf = fid(2, 1);
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EIE0), UINT64_C(1) << 5);
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EIE0 + 2),
	                 (UINT64_C(1) << 6) | (UINT64_C(1) << 36));
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EITHRESHOLD), THRESH);
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EIDELIVERY), 1);
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_PENDING(w.mr.pa, k)), 0);
	send(&w, 100); /* basic again */

	/* no MSI lost: the file holds exactly the IDs sent, once each */
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EIP0),
	                 (UINT64_C(1) << 5) | (UINT64_C(1) << 6) | (UINT64_C(1) << 7));
	assert_int_equal(ireg(&w, nf, RVIMSIC_ISEL_EIP0 + 2),
	                 (UINT64_C(1) << 6) | (UINT64_C(1) << 7) | (UINT64_C(1) << 8) |
	                     (UINT64_C(1) << 36));
	assert_int_equal(w.sent, 7);
	assert_int_equal(pending_everywhere(&w, NOTICE_HART), w.sent);
	teardown(&w);
}

static void test_mrif_move_errors(void **state)
{
	(void)state;
	struct w w;
	struct rvmsi_mrif_amo amo = {amo_or, amo_swap, NULL};
	setup(&w);
	amo.ctx = &w;
	uint64_t ent = w.t.pa + 16 * 2, before = rv_physmem_read64(w.f->mem, ent);

	/* refused before anything changes */
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, NULL, NULL), -EINVAL);
	struct rvmsi_mrif_amo half = {amo_or, NULL, &w};
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &half, NULL), -EINVAL);
	w.mr.pa += 256;
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, NULL), -EINVAL);
	w.mr.pa -= 256;
	w.mr.nid = 2048;
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, NULL), -EINVAL);
	w.mr.nid = NID;
	assert_int_equal(rvmsi_vcpu_from_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, 0, 2, NULL),
	                 -EINVAL); /* bound, MRIF not active */
	assert_int_equal(rv_physmem_read64(w.f->mem, ent), before);
	assert_int_equal(ireg(&w, fid(1, 1), RVIMSIC_ISEL_EIDELIVERY), 1);

	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, NULL), 0);
	assert_int_equal(rvmsi_vcpu_to_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, NULL), -EINVAL);
	/* migrate needs a bound vCPU */
	assert_int_equal(rvmsi_vcpu_migrate(&w.t, &w.ga, w.im, &w.v, 0, 2, NULL), -EINVAL);
	/* hart 0 has no free guest file: -ENOSPC, still in the MRIF */
	for (int i = 0; i < 3; i++)
		assert_true(rvmsi_gfiles_alloc(&w.ga, 0, 0) > 0);
	uint64_t mrif_pte = rv_physmem_read64(w.f->mem, ent);
	assert_int_equal(rvmsi_vcpu_from_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, 0, 0, NULL),
	                 -ENOSPC);
	assert_int_equal(rv_physmem_read64(w.f->mem, ent), mrif_pte);
	assert_true(w.mr.active);
	send(&w, 3); /* still reaches the MRIF */
	assert_int_equal(rv_physmem_read64(w.f->mem, RVMSI_MRIF_PENDING(w.mr.pa, 0)), UINT64_C(1)
	                                                                                  << 3);
	assert_int_equal(rvmsi_vcpu_from_mrif(&w.t, &w.ga, w.im, &w.v, &w.mr, &amo, 0, 3, NULL), 0);
	assert_int_equal(ireg(&w, fid(3, 1), RVIMSIC_ISEL_EIP0), UINT64_C(1) << 3);
	teardown(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_imsic_to_mrif_and_back),
	    cmocka_unit_test(test_mrif_move_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
