/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_cq.c - the command queue (§4.1, §5.15): every command's
 * legal forms complete, every reserved encoding and reserved bit gives
 * cmd_ill with cqh left at the command, fetch faults give cqmf, IOFENCE.C's
 * data write, fence_w_ip, ATS stalls and timeouts (cmd_to), cqt wrap.
 *
 * Bit positions of reserved fields are transcribed here from the command
 * tables (CHECKLIST §5.1-5.4), not taken from spec.h, so a wrong mask in
 * spec.h fails these tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

/* opcode in 6:0, func3 in 9:7 */
static uint64_t op(unsigned opcode, unsigned func3)
{
	return (uint64_t)opcode | (uint64_t)func3 << 7;
}
#define IOTINVAL_VMA op(1, 0)
#define IOTINVAL_GVMA op(1, 1)
#define IOFENCE_C op(2, 0)
#define IODIR_DDT op(3, 0)
#define IODIR_PDT op(3, 1)
#define ATS_INVAL op(4, 0)
#define ATS_PRGR op(4, 1)

#define BIT(n) (UINT64_C(1) << (n))

static uint32_t cqcsr(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_CQCSR, 4);
}
static uint32_t cqh(struct fx *f)
{
	return (uint32_t)fx_rd(f, RVI_REG_CQH, 4);
}

static struct fx *make(struct rvm_config *cfg)
{
	struct fx *f = fx_create(cfg);
	fx_enable_queues(f, 4); /* 16 entries */
	return f;
}

/* Restart the CQ empty: en 1->0, cqt=0, en 0->1 (clears cqh and errors). */
static void restart_cq(struct fx *f)
{
	fx_wr(f, RVI_REG_CQCSR, 4, 0);
	fx_wr(f, RVI_REG_CQT, 4, 0);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN);
	assert_int_equal(cqh(f), 0);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
}

/* Write a command at slot i without publishing it. */
static void put(struct fx *f, uint32_t i, uint64_t dw0, uint64_t dw1)
{
	rv_physmem_write64(f->mem, f->cq_base + 16 * (uint64_t)i, dw0);
	rv_physmem_write64(f->mem, f->cq_base + 16 * (uint64_t)i + 8, dw1);
}

/* A fence, then the command under test, then a fence with AV=1 whose data
 * write shows whether it ran.  Returns cqcsr; *head gets cqh. */
static uint32_t run_between_fences(struct fx *f, uint64_t dw0, uint64_t dw1, uint32_t *head,
                                   bool *tail_fence_ran)
{
	uint64_t flag = fx_alloc(f, 4096);
	restart_cq(f);
	put(f, 0, IOFENCE_C, 0);
	put(f, 1, dw0, dw1);
	put(f, 2, IOFENCE_C | BIT(10) | (uint64_t)0x5a5a << 32, flag >> 2);
	fx_wr(f, RVI_REG_CQT, 4, 3);
	*head = cqh(f);
	*tail_fence_ran = rv_physmem_read32(f->mem, flag) == 0x5a5a;
	return cqcsr(f);
}

static void expect_legal(struct fx *f, uint64_t dw0, uint64_t dw1)
{
	uint32_t head;
	bool ran;
	uint32_t csr = run_between_fences(f, dw0, dw1, &head, &ran);
	if (csr & (RVI_CQCSR_CMD_ILL | RVI_CQCSR_CQMF | RVI_CQCSR_CMD_TO))
		fail_msg("command %016llx %016llx: cqcsr %#x", (unsigned long long)dw0,
		         (unsigned long long)dw1, csr);
	assert_int_equal(head, 3);
	assert_true(ran);
}

static void expect_illegal(struct fx *f, uint64_t dw0, uint64_t dw1)
{
	uint32_t head;
	bool ran;
	uint32_t csr = run_between_fences(f, dw0, dw1, &head, &ran);
	if (!(csr & RVI_CQCSR_CMD_ILL))
		fail_msg("command %016llx %016llx not illegal: cqcsr %#x", (unsigned long long)dw0,
		         (unsigned long long)dw1, csr);
	assert_int_equal(head, 1); /* cqh stays at the offending command */
	assert_false(ran);         /* the queue stopped */
	assert_int_equal(csr & (RVI_CQCSR_CQMF | RVI_CQCSR_CMD_TO), 0);
}

static void test_legal_iotinval_forms(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t pscid = (uint64_t)0xabcde << 12, gscid = (uint64_t)0xbeef << 44;
	uint64_t addr = (UINT64_C(0x123456789) << 10); /* ADDR[63:12] in DW1 61:10 */
	/* All 8 VMA rows: GV (33), AV (10), PSCV (32). */
	for (unsigned gv = 0; gv < 2; gv++)
		for (unsigned av = 0; av < 2; av++)
			for (unsigned pscv = 0; pscv < 2; pscv++)
				expect_legal(f,
				             IOTINVAL_VMA | (gv ? BIT(33) | gscid : 0) |
				                 (av ? BIT(10) : 0) | (pscv ? BIT(32) | pscid : 0),
				             av ? addr : 0);
	/* GVMA rows: GV=0; GV=1 AV=0; GV=1 AV=1. */
	expect_legal(f, IOTINVAL_GVMA, 0);
	expect_legal(f, IOTINVAL_GVMA | BIT(33) | gscid, 0);
	expect_legal(f, IOTINVAL_GVMA | BIT(33) | gscid | BIT(10), addr);
	/* NLINV (bit 34) and ARINV (DW1 bit 9) with caps.NL and caps.S. */
	expect_legal(f, IOTINVAL_VMA | BIT(10) | BIT(34), addr);
	expect_legal(f, IOTINVAL_VMA | BIT(10), addr | BIT(9));
	expect_legal(f, IOTINVAL_GVMA | BIT(33) | BIT(10) | BIT(34), addr | BIT(9));
	/* NL and S are legal (ignored) with AV=0 too. */
	expect_legal(f, IOTINVAL_VMA | BIT(34), BIT(9));
	/* ADDR with AV=0 is ignored, not illegal. */
	expect_legal(f, IOTINVAL_VMA, addr);
	fx_destroy(f);
}

static void test_legal_other_commands(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t did = (uint64_t)0x123456 << 40, pid = (uint64_t)0xfedcb << 12;
	expect_legal(f, IOFENCE_C, 0);
	expect_legal(f, IOFENCE_C | BIT(12) | BIT(13), 0); /* PR, PW */
	expect_legal(f, IODIR_DDT, 0);                     /* DV=0 */
	expect_legal(f, IODIR_DDT | BIT(33) | did, 0);     /* DV=1 */
	expect_legal(f, IODIR_PDT | BIT(33) | did | pid, 0);
	expect_legal(f, ATS_PRGR | BIT(32) | pid | (uint64_t)0x1234 << 40,
	             (uint64_t)0x1ff << 32 | (uint64_t)0xf << 44);
	fx_destroy(f);
}

static void test_ats_prgr_message(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t payload = (uint64_t)0x155 << 32 | (uint64_t)1 << 44;
	fx_cmd(f,
	       ATS_PRGR | BIT(32) | BIT(33) | (uint64_t)0xabcde << 12 | (uint64_t)0x4321 << 40 |
	           (uint64_t)0x7e << 56,
	       payload);
	assert_int_equal(cqh(f), 1);
	assert_int_equal(f->n_ats, 1);
	assert_int_equal(f->ats[0].type, RVM_ATS_MSG_PRGR);
	assert_int_equal(f->ats[0].rid, 0x4321);
	assert_int_equal(f->ats[0].dseg, 0x7e);
	assert_true(f->ats[0].dsv);
	assert_true(f->ats[0].pv);
	assert_int_equal(f->ats[0].pid, 0xabcde);
	assert_int_equal(f->ats[0].payload, payload);
	/* PV=0: no PASID in the message. */
	fx_cmd(f, ATS_PRGR | (uint64_t)0xabcde << 12, payload);
	assert_int_equal(f->n_ats, 2);
	assert_false(f->ats[1].pv);
	assert_int_equal(f->ats[1].pid, 0);
	fx_destroy(f);
}

static void test_reserved_opcodes_and_func3(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	static const unsigned bad_opcodes[] = {0, 5, 6, 63, 64, 100, 127};
	for (size_t i = 0; i < sizeof(bad_opcodes) / sizeof(bad_opcodes[0]); i++)
		expect_illegal(f, op(bad_opcodes[i], 0), 0);
	for (unsigned fn = 2; fn < 8; fn++) {
		expect_illegal(f, op(1, fn), 0);
		expect_illegal(f, op(3, fn), 0);
		expect_illegal(f, op(4, fn), 0);
	}
	for (unsigned fn = 1; fn < 8; fn++)
		expect_illegal(f, op(2, fn), 0);
	fx_destroy(f);
}

/* Every reserved bit, one at a time (CHECKLIST §5.1-5.4 tables). */
static void test_reserved_bits(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	/* IOTINVAL DW0: 11, 43:35, 63:60.  DW1: 8:0, 63:62. */
	static const unsigned iot0[] = {11, 35, 36, 37, 38, 39, 40, 41, 42, 43, 60, 61, 62, 63};
	for (size_t i = 0; i < sizeof(iot0) / sizeof(iot0[0]); i++) {
		expect_illegal(f, IOTINVAL_VMA | BIT(iot0[i]), 0);
		expect_illegal(f, IOTINVAL_GVMA | BIT(iot0[i]), 0);
	}
	static const unsigned iot1[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 62, 63};
	for (size_t i = 0; i < sizeof(iot1) / sizeof(iot1[0]); i++) {
		expect_illegal(f, IOTINVAL_VMA | BIT(10), BIT(iot1[i]));
		expect_illegal(f, IOTINVAL_VMA, BIT(iot1[i])); /* even with AV=0 */
	}
	/* IOFENCE DW0: 31:14.  DW1: 63:62. */
	for (unsigned b = 14; b <= 31; b++)
		expect_illegal(f, IOFENCE_C | BIT(b), 0);
	expect_illegal(f, IOFENCE_C, BIT(62));
	expect_illegal(f, IOFENCE_C, BIT(63));
	/* IODIR DW0: 11:10, 32, 39:34.  DW1: all. */
	static const unsigned dir0[] = {10, 11, 32, 34, 35, 36, 37, 38, 39};
	for (size_t i = 0; i < sizeof(dir0) / sizeof(dir0[0]); i++) {
		expect_illegal(f, IODIR_DDT | BIT(dir0[i]), 0);
		expect_illegal(f, IODIR_PDT | BIT(33) | BIT(dir0[i]), 0);
	}
	for (unsigned b = 0; b < 64; b++)
		expect_illegal(f, IODIR_DDT | BIT(33), BIT(b));
	/* ATS DW0: 11:10, 39:34. */
	static const unsigned ats0[] = {10, 11, 34, 35, 36, 37, 38, 39};
	for (size_t i = 0; i < sizeof(ats0) / sizeof(ats0[0]); i++) {
		expect_illegal(f, ATS_INVAL | BIT(ats0[i]), 0);
		expect_illegal(f, ATS_PRGR | BIT(ats0[i]), 0);
	}
	fx_destroy(f);
}

static void test_illegal_combinations(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	/* §4.1.1: PSCV=1 is illegal for GVMA. */
	expect_illegal(f, IOTINVAL_GVMA | BIT(32), 0);
	expect_illegal(f, IOTINVAL_GVMA | BIT(33) | BIT(32) | BIT(10), 0);
	/* §4.1.3: INVAL_PDT needs DV=1; INVAL_DDT has no PID. */
	expect_illegal(f, IODIR_PDT, 0);
	expect_illegal(f, IODIR_PDT | (uint64_t)5 << 12, 0);
	expect_illegal(f, IODIR_DDT | BIT(33) | BIT(12), 0);
	expect_illegal(f, IODIR_DDT | (uint64_t)0xfffff << 12, 0);
	/* §4.1.2: WSI=1 is reserved while fctl.WSI=0. */
	expect_illegal(f, IOFENCE_C | BIT(11), 0);
	fx_destroy(f);
}

static void test_unsupported_without_caps(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities &= ~(RVI_CAP_NL | RVI_CAP_S | RVI_CAP_ATS | RVI_CAP_T2GPA);
	struct fx *f = make(&cfg);
	expect_illegal(f, IOTINVAL_VMA | BIT(10) | BIT(34), 0); /* NL without caps.NL */
	expect_illegal(f, IOTINVAL_VMA | BIT(34), 0);           /* even with AV=0 */
	expect_illegal(f, IOTINVAL_GVMA | BIT(33) | BIT(10) | BIT(34), 0);
	expect_illegal(f, IOTINVAL_VMA | BIT(10), BIT(9)); /* S without caps.S */
	expect_illegal(f, IOTINVAL_GVMA | BIT(33) | BIT(10), BIT(9));
	expect_illegal(f, ATS_INVAL, 0); /* ATS without caps.ATS */
	expect_illegal(f, ATS_PRGR, 0);
	assert_int_equal(f->n_ats, 0);
	expect_legal(f, IOTINVAL_VMA | BIT(10), 0);
	fx_destroy(f);
}

/* §5.15: clearing cmd_ill resumes processing at cqh. */
static void test_cmd_ill_recovery(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t flag = fx_alloc(f, 4096);
	put(f, 0, IOFENCE_C, 0);
	put(f, 1, op(0, 0), 0);
	put(f, 2, IOFENCE_C | BIT(10) | (uint64_t)7 << 32, flag >> 2);
	fx_wr(f, RVI_REG_CQT, 4, 3);
	assert_true(cqcsr(f) & RVI_CQCSR_CMD_ILL);
	assert_int_equal(cqh(f), 1);
	/* Writing cqt again does not restart a stopped queue. */
	fx_wr(f, RVI_REG_CQT, 4, 3);
	assert_int_equal(cqh(f), 1);
	/* Clearing the error with the bad command still there stops again. */
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CMD_ILL);
	assert_true(cqcsr(f) & RVI_CQCSR_CMD_ILL);
	assert_int_equal(cqh(f), 1);
	/* Software replaces it and clears cmd_ill: the queue drains. */
	put(f, 1, IOFENCE_C, 0);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CMD_ILL);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
	assert_int_equal(cqh(f), 3);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 7);
	fx_destroy(f);
}

/* §5.15: a command fetch fault sets cqmf; cqh stays; clearing resumes. */
static void test_cqmf_on_fetch_fault(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	put(f, 0, IOFENCE_C, 0);
	put(f, 1, IOFENCE_C, 0);
	assert_int_equal(rv_physmem_mark(f->mem, f->cq_base, 4096, RVM_MEM_ACCESS_FAULT), 0);
	fx_wr(f, RVI_REG_CQT, 4, 2);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON | RVI_CQCSR_CQMF);
	assert_int_equal(cqh(f), 0);
	assert_int_equal(rv_physmem_mark(f->mem, f->cq_base, 4096, RVM_MEM_OK), 0);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CQMF);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
	assert_int_equal(cqh(f), 2);
	fx_destroy(f);
}

/* A poisoned command fetch is a fault too. */
static void test_cqmf_on_poisoned_fetch(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	put(f, 0, IOFENCE_C, 0);
	assert_int_equal(rv_physmem_mark(f->mem, f->cq_base, 4096, RVM_MEM_POISON), 0);
	fx_wr(f, RVI_REG_CQT, 4, 1);
	assert_true(cqcsr(f) & RVI_CQCSR_CQMF);
	assert_int_equal(cqh(f), 0);
	fx_destroy(f);
}

/* §4.1.2: AV=1 stores DATA (4 bytes, fctl.BE order) at ADDR[63:2] << 2. */
static void test_iofence_av_write(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t pa = fx_alloc(f, 4096) + 0x124; /* 4-byte aligned, not 8 */
	rv_physmem_write64(f->mem, pa - 4, 0x1111111111111111ull);
	rv_physmem_write32(f->mem, pa + 4, 0x22222222);
	fx_cmd(f, IOFENCE_C | BIT(10) | (uint64_t)0xdeadbeef << 32, pa >> 2);
	assert_int_equal(cqh(f), 1);
	assert_int_equal(rv_physmem_read32(f->mem, pa), 0xdeadbeef);
	assert_int_equal(rv_physmem_read32(f->mem, pa - 4), 0x11111111); /* neighbours intact */
	assert_int_equal(rv_physmem_read32(f->mem, pa + 4), 0x22222222);
	fx_destroy(f);
}

static void test_iofence_av_write_big_endian(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_BE);
	assert_int_equal(fx_rd(f, RVI_REG_FCTL, 4), RVI_FCTL_BE);
	fx_enable_queues(f, 4);
	uint64_t pa = fx_alloc(f, 4096);
	/* Commands are fetched big-endian too: store the bytes swapped. */
	uint64_t dw0 = IOFENCE_C | BIT(10) | (uint64_t)0x11223344 << 32, dw1 = pa >> 2;
	put(f, 0, __builtin_bswap64(dw0), __builtin_bswap64(dw1));
	fx_wr(f, RVI_REG_CQT, 4, 1);
	assert_int_equal(cqh(f), 1);
	uint8_t b[4];
	assert_int_equal(rv_physmem_read(f->mem, pa, b, 4), RVM_MEM_OK);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(b[3], 0x44);
	/* The same command stored little-endian decodes as garbage: illegal. */
	put(f, 1, dw0, dw1);
	fx_wr(f, RVI_REG_CQT, 4, 2);
	assert_true(cqcsr(f) & RVI_CQCSR_CMD_ILL);
	fx_destroy(f);
}

/* §4.1.2: a fault on the AV store sets cqmf and the fence does not
 * complete: cqh stays on it. */
static void test_iofence_av_fault(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t pa = fx_alloc(f, 4096);
	assert_int_equal(rv_physmem_mark(f->mem, pa, 4096, RVM_MEM_ACCESS_FAULT), 0);
	fx_cmd(f, IOFENCE_C, 0);
	fx_cmd(f, IOFENCE_C | BIT(10) | (uint64_t)1 << 32, pa >> 2);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON | RVI_CQCSR_CQMF);
	assert_int_equal(cqh(f), 1);
	/* An address beyond PAS (56 bits) faults as well. */
	restart_cq(f);
	fx_cmd(f, IOFENCE_C | BIT(10), (UINT64_C(1) << 56) >> 2);
	assert_true(cqcsr(f) & RVI_CQCSR_CQMF);
	assert_int_equal(cqh(f), 0);
	fx_destroy(f);
}

/* §4.1.2: WSI=1 (with fctl.WSI=1) sets fence_w_ip, which does not stop
 * the queue. */
static void test_fence_w_ip(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_wr(f, RVI_REG_FCTL, 4, RVI_FCTL_WSI);
	fx_enable_queues(f, 4);
	fx_cmd(f, IOFENCE_C | BIT(11), 0);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON | RVI_CQCSR_FENCE_W_IP);
	fx_cmd(f, IOFENCE_C, 0);
	assert_int_equal(cqh(f), 2);
	/* RW1C */
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_FENCE_W_IP);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
	fx_destroy(f);
}

static void test_cqt_wrap(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 2); /* 4 entries: 3 usable */
	uint64_t flag = fx_alloc(f, 4096);
	for (uint32_t i = 0; i < 10; i++) {
		fx_cmd(f, IOFENCE_C | BIT(10) | (uint64_t)(i + 1) << 32, flag >> 2);
		assert_int_equal(cqh(f), (i + 1) & 3);
		assert_int_equal(rv_physmem_read32(f->mem, flag), i + 1);
	}
	struct rvm_stats st;
	rvm_get_stats(f->m, &st);
	assert_int_equal(st.commands, 10);
	fx_destroy(f);
}

/* §4.1.4 / §4.1.2: a fence waits for earlier ATS.INVALs; it completes once
 * the completion arrives. */
static void test_fence_waits_for_ats_inval(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	uint64_t flag = fx_alloc(f, 4096);
	fx_cmd(f, ATS_INVAL | (uint64_t)0x0102 << 40, UINT64_C(0x1000) | 1);
	assert_int_equal(f->n_ats, 1);
	assert_int_equal(f->ats[0].type, RVM_ATS_MSG_INVAL);
	assert_int_equal(f->ats[0].rid, 0x0102);
	assert_int_equal(cqh(f), 1); /* cqh may advance past an ATS.INVAL */
	fx_cmd(f, IOFENCE_C | BIT(10) | (uint64_t)9 << 32, flag >> 2);
	assert_int_equal(cqh(f), 1); /* stalled, no error */
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 0);
	rvm_ats_inval_completion(f->m, 0x0102, f->ats[0].itag);
	assert_int_equal(cqh(f), 2);
	assert_int_equal(rv_physmem_read32(f->mem, flag), 9);
	fx_destroy(f);
}

/* §4.1.2: a timed-out ATS.INVAL gives cmd_to at the next fence, with cqh on
 * the fence; clearing cmd_to lets the fence complete. */
static void test_fence_reports_ats_timeout(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	fx_cmd(f, ATS_INVAL | (uint64_t)0x0102 << 40, 0);
	fx_cmd(f, IOFENCE_C, 0);
	assert_int_equal(cqh(f), 1);
	rvm_advance(f->m, f->cfg.ats_inval_timeout + 1);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON | RVI_CQCSR_CMD_TO);
	assert_int_equal(cqh(f), 1);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN | RVI_CQCSR_CMD_TO);
	assert_int_equal(cqcsr(f), RVI_CQCSR_CQEN | RVI_CQCSR_CQON);
	assert_int_equal(cqh(f), 2);
	fx_destroy(f);
}

/* Disabled queue: nothing is fetched; cqon follows cqen. */
static void test_disabled_queue_fetches_nothing(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	fx_wr(f, RVI_REG_CQCSR, 4, 0);
	assert_int_equal(cqcsr(f), 0);
	put(f, 0, op(0, 0), 0); /* would be illegal if fetched */
	fx_wr(f, RVI_REG_CQT, 4, 1);
	assert_int_equal(cqh(f), 0);
	assert_int_equal(cqcsr(f), 0);
	/* Enabling with cqt != cqh starts processing at cqh = 0. */
	put(f, 0, IOFENCE_C, 0);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN);
	assert_int_equal(cqh(f), 1);
	fx_destroy(f);
}

/* ---- dispatch to the caches (observed through the cache API) ---- */

static void tlb_put(struct fx *f, const struct rvm_tlb_tag *t, uint64_t iova)
{
	struct rvm_tlb_entry e;
	memset(&e, 0, sizeof(e));
	e.iova_base = iova;
	e.pa_base = iova + 0x100000000ull;
	e.size_lg2 = 12;
	e.perm = RVM_PERM_R | RVM_PERM_W;
	pthread_mutex_lock(&f->m->lock);
	rvm_iotlb_insert(f->m, t, &e);
	pthread_mutex_unlock(&f->m->lock);
}

static bool tlb_hit(struct fx *f, const struct rvm_tlb_tag *t, uint64_t iova)
{
	return rvm_iotlb_lookup(f->m, t, iova) != NULL;
}

/* IOTINVAL.VMA GV=0 AV=1 PSCV=1: the leaf for ADDR in host PSCID goes. */
static void test_iotinval_vma_reaches_iotlb(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	struct rvm_tlb_tag t = {.pscid = 0x321, .pscv = true};
	tlb_put(f, &t, 0x7654000);
	tlb_put(f, &t, 0x7655000);
	assert_true(tlb_hit(f, &t, 0x7654000));
	/* PSCID 31:12, PSCV 32, AV 10; ADDR[63:12] at DW1 61:10. */
	fx_cmd(f, IOTINVAL_VMA | BIT(10) | BIT(32) | (uint64_t)0x321 << 12, (uint64_t)0x7654 << 10);
	assert_false(tlb_hit(f, &t, 0x7654000));
	assert_true(tlb_hit(f, &t, 0x7655000)); /* precise per-address removal */
	/* AV=0 PSCV=1: the whole space. */
	fx_cmd(f, IOTINVAL_VMA | BIT(32) | (uint64_t)0x321 << 12, 0);
	assert_false(tlb_hit(f, &t, 0x7655000));
	fx_destroy(f);
}

/* ARINV: S=1, ADDR = ...0 (first zero at bit 0) is an 8 KiB range. */
static void test_iotinval_arinv_range(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	struct rvm_tlb_tag t = {.pscid = 7, .pscv = true};
	tlb_put(f, &t, 0x10000);
	tlb_put(f, &t, 0x11000);
	tlb_put(f, &t, 0x12000);
	fx_cmd(f, IOTINVAL_VMA | BIT(10) | BIT(32) | (uint64_t)7 << 12,
	       (uint64_t)0x10 << 10 | BIT(9));
	assert_false(tlb_hit(f, &t, 0x10000));
	assert_false(tlb_hit(f, &t, 0x11000));
	assert_true(tlb_hit(f, &t, 0x12000));
	/* ADDR 0x11 = ...10001b with S=1: first zero at bit 1 -> 16 KiB at
	 * 0x10000 (the low ADDR bits are part of the encoding). */
	tlb_put(f, &t, 0x10000);
	tlb_put(f, &t, 0x13000);
	tlb_put(f, &t, 0x14000);
	fx_cmd(f, IOTINVAL_VMA | BIT(10) | BIT(32) | (uint64_t)7 << 12,
	       (uint64_t)0x11 << 10 | BIT(9));
	assert_false(tlb_hit(f, &t, 0x10000));
	assert_false(tlb_hit(f, &t, 0x12000));
	assert_false(tlb_hit(f, &t, 0x13000));
	assert_true(tlb_hit(f, &t, 0x14000));
	fx_destroy(f);
}

/* IOTINVAL.GVMA GV=1 AV=1 reaches the G-stage cache for GPA ADDR. */
static void test_iotinval_gvma_reaches_gtlb(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	struct rvm_tlb_entry e;
	memset(&e, 0, sizeof(e));
	e.iova_base = 0x40000000;
	e.pa_base = 0x80000000;
	e.size_lg2 = 12;
	e.perm = RVM_PERM_R;
	pthread_mutex_lock(&f->m->lock);
	rvm_gtlb_insert(f->m, 0x55, &e);
	pthread_mutex_unlock(&f->m->lock);
	assert_non_null(rvm_gtlb_lookup(f->m, 0x55, 0x40000000));
	fx_cmd(f, IOTINVAL_GVMA | BIT(33) | BIT(10) | (uint64_t)0x55 << 44,
	       (uint64_t)0x40000 << 10);
	assert_null(rvm_gtlb_lookup(f->m, 0x55, 0x40000000));
	fx_destroy(f);
}

static void ctx_put(struct fx *f, uint32_t did, bool pv, uint32_t pid)
{
	struct rvm_ctx c;
	memset(&c, 0, sizeof(c));
	c.device_id = did;
	c.pid_valid = pv;
	c.process_id = pid;
	c.dc[0] = RVI_DC_TC_V;
	pthread_mutex_lock(&f->m->lock);
	rvm_ctx_insert(f->m, &c);
	pthread_mutex_unlock(&f->m->lock);
}

/* IODIR.INVAL_DDT DV=1 drops the DC and PCs of DID; INVAL_PDT one PC. */
static void test_iodir_reaches_ctx_cache(void **state)
{
	(void)state;
	struct fx *f = make(NULL);
	ctx_put(f, 0x1234, false, 0);
	ctx_put(f, 0x1234, true, 0x99);
	ctx_put(f, 0x1234, true, 0x98);
	assert_non_null(rvm_ctx_lookup(f->m, 0x1234, true, 0x99));
	/* INVAL_PDT: DV 33, DID 63:40, PID 31:12. */
	fx_cmd(f, IODIR_PDT | BIT(33) | (uint64_t)0x1234 << 40 | (uint64_t)0x99 << 12, 0);
	assert_null(rvm_ctx_lookup(f->m, 0x1234, true, 0x99));
	fx_cmd(f, IODIR_DDT | BIT(33) | (uint64_t)0x1234 << 40, 0);
	assert_null(rvm_ctx_lookup(f->m, 0x1234, false, 0));
	assert_null(rvm_ctx_lookup(f->m, 0x1234, true, 0x98));
	ctx_put(f, 0x777, false, 0);
	fx_cmd(f, IODIR_DDT, 0); /* DV=0: everything */
	assert_null(rvm_ctx_lookup(f->m, 0x777, false, 0));
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_legal_iotinval_forms),
	    cmocka_unit_test(test_legal_other_commands),
	    cmocka_unit_test(test_ats_prgr_message),
	    cmocka_unit_test(test_reserved_opcodes_and_func3),
	    cmocka_unit_test(test_reserved_bits),
	    cmocka_unit_test(test_illegal_combinations),
	    cmocka_unit_test(test_unsupported_without_caps),
	    cmocka_unit_test(test_cmd_ill_recovery),
	    cmocka_unit_test(test_cqmf_on_fetch_fault),
	    cmocka_unit_test(test_cqmf_on_poisoned_fetch),
	    cmocka_unit_test(test_iofence_av_write),
	    cmocka_unit_test(test_iofence_av_write_big_endian),
	    cmocka_unit_test(test_iofence_av_fault),
	    cmocka_unit_test(test_fence_w_ip),
	    cmocka_unit_test(test_cqt_wrap),
	    cmocka_unit_test(test_fence_waits_for_ats_inval),
	    cmocka_unit_test(test_fence_reports_ats_timeout),
	    cmocka_unit_test(test_disabled_queue_fetches_nothing),
	    cmocka_unit_test(test_iotinval_vma_reaches_iotlb),
	    cmocka_unit_test(test_iotinval_arinv_range),
	    cmocka_unit_test(test_iotinval_gvma_reaches_gtlb),
	    cmocka_unit_test(test_iodir_reaches_ctx_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
