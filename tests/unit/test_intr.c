/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_intr.c - the IOMMU's interrupts (§5.18, §5.28, §5.29):
 * level re-evaluation after RW1C, WSI wires selected by icvec (shared
 * vectors, release on mode change), MSIs through msi_cfg_tbl with the
 * fctl.BE byte order, the mask bit and the held message, cause 273 on an
 * MSI write fault, and bounded recursion when the fault interrupt's own
 * MSI faults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define BIT(n) (UINT64_C(1) << (n))
#define CIP 1u
#define FIP 2u
#define PMIP 4u
#define PIP 8u

static uint32_t ipsr(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_IPSR, 4);
}

/* Make cmd_ill pending (an opcode-0 command). */
static void raise_cmd_ill(struct fx *f)
{
	fx_cmd(f, 0, 0);
	assert_true(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_ILL);
}

static void raise_pmip(struct fx *f)
{
	pthread_mutex_lock(&f->m->lock);
	rvm_intr_raise(f->m, RVI_IPSR_PMIP);
	pthread_mutex_unlock(&f->m->lock);
}

/* §5.18: cip is a level: cleared while the condition holds, it sets again. */
static void test_cip_level_reevaluated(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	raise_cmd_ill(f);
	assert_int_equal(ipsr(f), 0); /* cie = 0 */
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE);
	assert_int_equal(ipsr(f), CIP); /* enabling with the condition true */
	fx_wr(f, RVI_REG_IPSR, 4, CIP);
	assert_int_equal(ipsr(f), CIP); /* cmd_ill still 1 */
	/* Writing 0s clears nothing. */
	fx_wr(f, RVI_REG_IPSR, 4, 0);
	assert_int_equal(ipsr(f), CIP);
	/* Fix: replace the command, clear cmd_ill; then clear cip. */
	rv_physmem_write64(f->mem, f->cq_base, 2); /* IOFENCE.C */
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE | RVI_CQCSR_CMD_ILL);
	assert_int_equal(ipsr(f), CIP);
	fx_wr(f, RVI_REG_IPSR, 4, CIP);
	assert_int_equal(ipsr(f), 0);
	/* Reserved ipsr bits are not writable. */
	fx_wr(f, RVI_REG_IPSR, 4, 0xfffffff0);
	assert_int_equal(ipsr(f), 0);
	fx_destroy(f);
}

/* WSI: each pending bit drives the wire its icvec field names. */
static void test_wsi_wires(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_WSI);
	/* civ = 3 (3:0), fiv = 5 (7:4), pmiv = 5 (11:8), piv = 9 (15:12) */
	fx_wr(f, RVI_REG_ICVEC, 8, 0x9553);
	fx_enable_queues(f, 4);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE);
	raise_cmd_ill(f);
	assert_int_equal(f->wsi_level[3], 1);
	assert_int_equal(f->n_wsi_edges, 1);
	raise_pmip(f);
	assert_int_equal(f->wsi_level[5], 1);
	assert_int_equal(f->n_wsi_edges, 2);
	/* Shared vector 5: fip also pending; clear pmip, wire 5 stays high. */
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FIE);
	struct rvm_fault flt = {.cause = 5, .ttyp = 2};
	pthread_mutex_lock(&f->m->lock);
	assert_true(rvm_fq_report(f->m, &flt));
	pthread_mutex_unlock(&f->m->lock);
	assert_int_equal(ipsr(f), CIP | FIP | PMIP);
	fx_wr(f, RVI_REG_IPSR, 4, PMIP);
	assert_int_equal(f->wsi_level[5], 1);
	assert_int_equal(f->n_wsi_edges, 2); /* no edge */
	fx_wr(f, RVI_REG_IPSR, 4, FIP);
	assert_int_equal(f->wsi_level[5], 0);
	/* Moving civ to wire 7 moves the pending level with it. */
	fx_wr(f, RVI_REG_ICVEC, 8, 0x9557);
	assert_int_equal(f->wsi_level[3], 0);
	assert_int_equal(f->wsi_level[7], 1);
	/* No MSI is ever sent in WSI mode. */
	assert_int_equal(f->n_msis, 0);
	/* Fix the CQ and clear cip: wire 7 drops. */
	rv_physmem_write64(f->mem, f->cq_base, 2);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE | RVI_CQCSR_CMD_ILL);
	fx_wr(f, RVI_REG_IPSR, 4, CIP);
	assert_int_equal(f->wsi_level[7], 0);
	fx_destroy(f);
}

/* Reset drives raised wires low. */
static void test_wsi_released_by_reset(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_WSI);
	fx_wr(f, RVI_REG_ICVEC, 8, 0x200);
	raise_pmip(f);
	assert_int_equal(f->wsi_level[2], 1);
	rvm_reset(f->m);
	assert_int_equal(f->wsi_level[2], 0);
	assert_int_equal(ipsr(f), 0);
	fx_destroy(f);
}

static void set_vector(struct fx *f, unsigned v, uint64_t addr, uint32_t data)
{
	fx_wr(f, RVI_REG_MSI_ADDR(v), 8, addr);
	fx_wr(f, RVI_REG_MSI_DATA(v), 4, data);
}

/* MSI: one message per 0->1 transition, to msi_cfg_tbl[icvec field]. */
static void test_msi_sent_on_rising_edge(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t page = fx_alloc(f, 4096);
	set_vector(f, 1, page + 0x10, 0x111);
	set_vector(f, 2, page + 0x20, 0x222);
	fx_wr(f, RVI_REG_ICVEC, 8, 0x0021); /* civ = 1, fiv = 2 */
	fx_enable_queues(f, 4);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CIE);
	raise_cmd_ill(f);
	assert_int_equal(f->n_msis, 1);
	assert_int_equal(f->msis[0].addr, page + 0x10);
	assert_int_equal(f->msis[0].data, 0x111);
	assert_int_equal(rv_physmem_read32(f->mem, page + 0x10), 0x111);
	/* Already pending: a further cause sends nothing. */
	fx_wr(f, RVI_REG_IPSR, 4, 0);
	assert_int_equal(f->n_msis, 1);
	/* Clear while the level holds: it sets again, a second message. */
	fx_wr(f, RVI_REG_IPSR, 4, CIP);
	assert_int_equal(f->n_msis, 2);
	/* A new FQ record: fip on vector 2. */
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FIE);
	struct rvm_fault flt = {.cause = 5, .ttyp = 2};
	pthread_mutex_lock(&f->m->lock);
	assert_true(rvm_fq_report(f->m, &flt));
	pthread_mutex_unlock(&f->m->lock);
	assert_int_equal(f->n_msis, 3);
	assert_int_equal(f->msis[2].addr, page + 0x20);
	assert_int_equal(f->msis[2].data, 0x222);
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.msis_sent, 3);
	assert_int_equal(f->n_wsi_edges, 0);
	fx_destroy(f);
}

/* §5.29 (20260222): the MSI data is written in fctl.BE order. */
static void test_msi_big_endian(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t page = fx_alloc(f, 4096);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_BE);
	set_vector(f, 0, page, 0x11223344);
	raise_pmip(f);
	uint8_t b[4];
	assert_int_equal(rv_physmem_read(f->mem, page, b, 4), RVM_MEM_OK);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(b[3], 0x44);
	fx_destroy(f);
}

/* §5.29: M=1 holds the message; clearing M sends it once. */
static void test_msi_mask_holds_message(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t page = fx_alloc(f, 4096);
	set_vector(f, 4, page, 0x44);
	fx_wr(f, RVI_REG_ICVEC, 8, 0x400); /* pmiv = 4 */
	fx_wr(f, RVI_REG_MSI_VEC_CTL(4), 4, 1);
	raise_pmip(f);
	assert_int_equal(ipsr(f), PMIP);
	assert_int_equal(f->n_msis, 0);
	fx_wr(f, RVI_REG_MSI_VEC_CTL(4), 4, 1); /* still masked */
	assert_int_equal(f->n_msis, 0);
	fx_wr(f, RVI_REG_MSI_VEC_CTL(4), 4, 0);
	assert_int_equal(f->n_msis, 1);
	assert_int_equal(f->msis[0].data, 0x44);
	fx_wr(f, RVI_REG_MSI_VEC_CTL(4), 4, 1);
	fx_wr(f, RVI_REG_MSI_VEC_CTL(4), 4, 0);
	assert_int_equal(f->n_msis, 1); /* nothing held any more */
	fx_destroy(f);
}

/* §5.29: an MSI write access fault is cause 273, TTYP 0, iotval =
 * msi_addr; no MSI is counted. */
static void test_msi_write_fault_273(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t bad = fx_alloc(f, 4096);
	assert_int_equal(rv_physmem_mark(f->mem, bad, 4096, RVM_MEM_ACCESS_FAULT), 0);
	fx_enable_queues(f, 4);
	set_vector(f, 3, bad + 0x40, 1);
	fx_wr(f, RVI_REG_ICVEC, 8, 0x300); /* pmiv = 3; fiv = 0 */
	raise_pmip(f);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(rec[0], 273); /* CAUSE 273, everything else 0 */
	assert_int_equal(rec[2], bad + 0x40);
	assert_int_equal(rec[3], 0);
	assert_false(fx_pop_fault(f, rec));
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.msis_sent, 0);
	fx_destroy(f);
}

/* The fault interrupt's own MSI faults: its 273 record raises fip, which
 * is already pending, so exactly two records result and nothing loops. */
static void test_msi_fault_recursion_bounded(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t bad = fx_alloc(f, 4096);
	assert_int_equal(rv_physmem_mark(f->mem, bad, 4096, RVM_MEM_ACCESS_FAULT), 0);
	fx_enable_queues(f, 4);
	set_vector(f, 0, bad, 1); /* every source on vector 0 */
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN | RVI_FQCSR_FIE);
	raise_pmip(f); /* pmip MSI fails -> 273 -> fip MSI fails -> 273 */
	assert_int_equal(ipsr(f), PMIP | FIP);
	uint64_t rec[4];
	unsigned n = 0;
	while (fx_pop_fault(f, rec)) {
		assert_int_equal(rec[0], 273);
		n++;
	}
	assert_int_equal(n, 2);
	fx_destroy(f);
}

/* Switching fctl.WSI back to 0 releases the wires. */
static void test_mode_change_releases_wires(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_WSI);
	fx_wr(f, RVI_REG_ICVEC, 8, 0x100);
	raise_pmip(f);
	assert_int_equal(f->wsi_level[1], 1);
	fx_wr(f, RVI_REG_FCTL, 4, 0);
	assert_int_equal(f->wsi_level[1], 0);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cip_level_reevaluated),
	    cmocka_unit_test(test_wsi_wires),
	    cmocka_unit_test(test_wsi_released_by_reset),
	    cmocka_unit_test(test_msi_sent_on_rising_edge),
	    cmocka_unit_test(test_msi_big_endian),
	    cmocka_unit_test(test_msi_mask_holds_message),
	    cmocka_unit_test(test_msi_write_fault_273),
	    cmocka_unit_test(test_msi_fault_recursion_bounded),
	    cmocka_unit_test(test_mode_change_releases_wires),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
