/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_regs.c - the register file (§5): reset values, access
 * size/alignment rules, WARL legalisation, RO and reserved space, 4-byte
 * halves of 64-bit registers, optional registers of absent features,
 * queue base/index rules and enable handshakes, and config validation.
 *
 * Offsets and field positions are written here from the spec's tables
 * (CHECKLIST §1), so a wrong constant in spec.h is caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "fixture.h"

#define BIT(n) (UINT64_C(1) << (n))

static uint64_t rd(struct fx *f, uint32_t off, unsigned size)
{
	return fx_rd(f, off, size);
}
static void wr(struct fx *f, uint32_t off, unsigned size, uint64_t v)
{
	fx_wr(f, off, size, v);
}

static struct rvm_config dflt(void)
{
	struct rvm_config c;
	rvm_config_default(&c);
	return c;
}

/* ---- lifecycle and config ---- */

static void test_default_config_is_full_featured(void **state)
{
	(void)state;
	struct rvm_config c = dflt();
	uint64_t caps = c.capabilities;
	assert_int_equal(caps & 0xff, 0x10); /* version 1.0 */
	/* Sv39/48/57 (9-11), Svrsw60t59b (14), Svpbmt (15), Sv39x4/48x4/57x4
	 * (17-19), AMO_MRIF..T2GPA (21-26), END (27), IGS=BOTH (29:28 = 2),
	 * HPM (30), DBG (31), PAS=56 (37:32), PD8/17/20 (38-40), QOSID (41),
	 * NL (42), S (43). */
	uint64_t expect = 0x10 | BIT(9) | BIT(10) | BIT(11) | BIT(14) | BIT(15) | BIT(17) |
	                  BIT(18) | BIT(19) | BIT(21) | BIT(22) | BIT(23) | BIT(24) | BIT(25) |
	                  BIT(26) | BIT(27) | (UINT64_C(2) << 28) | BIT(30) | BIT(31) |
	                  (UINT64_C(56) << 32) | BIT(38) | BIT(39) | BIT(40) | BIT(41) | BIT(42) |
	                  BIT(43);
	assert_int_equal(caps, expect);
	assert_int_equal(c.hpm_counters, 8);
	assert_int_equal(c.iotlb_entries, 4096);
	assert_int_equal(c.ddt_modes, 0x1f);
}

static void test_config_validation(void **state)
{
	(void)state;
	struct rvm_host_ops ops = {rv_physmem_op_read, rv_physmem_op_write, NULL, NULL, NULL};
	struct rv_physmem *mem = rv_physmem_create(56);
	struct rvm_config c;
	int err = 1;
	struct rvm *m = rvm_create((c = dflt(), &c), &ops, mem, &err);
	assert_non_null(m);
	assert_int_equal(err, RVM_OK);
	rvm_destroy(m);

#define EXPECT_ECONFIG(edit)                                                                       \
	do {                                                                                       \
		c = dflt();                                                                        \
		edit;                                                                              \
		err = 0;                                                                           \
		assert_null(rvm_create(&c, &ops, mem, &err));                                      \
		assert_int_equal(err, RVM_ECONFIG);                                                \
	} while (0)
	EXPECT_ECONFIG(c.capabilities |= UINT64_C(3) << 28); /* IGS = 3 */
	EXPECT_ECONFIG(c.capabilities &= ~BIT(9));           /* Sv48 without Sv39 */
	EXPECT_ECONFIG(c.capabilities &= ~BIT(10));          /* Sv57 without Sv48 */
	EXPECT_ECONFIG(c.hpm_counters = 32);                 /* > 31 counters */
	EXPECT_ECONFIG(c.hpm_counters = 0);                  /* HPM needs one */
	EXPECT_ECONFIG(c.capabilities &= ~BIT(30));          /* counters, no HPM */
	EXPECT_ECONFIG(c.hpm_counter_bits = 31);
	EXPECT_ECONFIG(c.capabilities = (c.capabilities & ~(UINT64_C(63) << 32)) |
	                                UINT64_C(57) << 32); /* PAS 57 */
	EXPECT_ECONFIG(c.capabilities = (c.capabilities & ~(UINT64_C(63) << 32)) |
	                                UINT64_C(31) << 32);                 /* PAS 31 */
	EXPECT_ECONFIG(c.capabilities |= BIT(12));                           /* reserved cap bit */
	EXPECT_ECONFIG(c.capabilities = (c.capabilities & ~0xffull) | 0x20); /* version */
	EXPECT_ECONFIG(c.ddtp_reset_mode = 2);                               /* reset 1LVL */
	EXPECT_ECONFIG(c.ddt_modes = 0x3);                                   /* no LVL mode */
	EXPECT_ECONFIG(c.ddt_modes = 0x3f);                                  /* mode 5 */
	EXPECT_ECONFIG(c.cq_log2sz_max = 0);
	EXPECT_ECONFIG(c.fq_log2sz_max = 32);
	EXPECT_ECONFIG(c.icvec_bits = 5);
	EXPECT_ECONFIG(c.rcid_bits = 13);
	EXPECT_ECONFIG(c.capabilities &= ~BIT(41)); /* QoS bits, no QOSID */
	EXPECT_ECONFIG(c.fctl = 1u << 3);           /* reserved fctl bit */
	EXPECT_ECONFIG((c.capabilities &= ~(UINT64_C(3) << 28), c.fctl = 2)); /* WSI, IGS=MSI */
	EXPECT_ECONFIG(c.fctl = 4); /* GXL without Sv32x4 */
	EXPECT_ECONFIG(c.ats_inval_max = 0);
	EXPECT_ECONFIG(c.capabilities &= ~BIT(22)); /* MSI_MRIF w/o FLAT */
#undef EXPECT_ECONFIG
	/* Missing required ops. */
	c = dflt();
	struct rvm_host_ops bad = {NULL, rv_physmem_op_write, NULL, NULL, NULL};
	assert_null(rvm_create(&c, &bad, mem, &err));
	assert_int_equal(err, RVM_EINVAL);
	assert_null(rvm_create(NULL, &ops, mem, &err));
	assert_int_equal(err, RVM_EINVAL);
	rv_physmem_destroy(mem);
}

static void test_strerror(void **state)
{
	(void)state;
	const int codes[] = {RVM_OK,     RVM_EINVAL,   RVM_ENOMEM,   RVM_EALIGN, RVM_ESIZE,
	                     RVM_ERANGE, RVM_EVERSION, RVM_ECORRUPT, RVM_ECONFIG};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_non_null(rvm_strerror(codes[i]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rvm_strerror(codes[i]), rvm_strerror(codes[j]));
	}
	assert_string_equal(rvm_strerror(-100), "unknown error");
	assert_string_equal(rvm_strerror(5), "unknown error");
}

/* §5.1: reset values. */
static void test_reset_values(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	assert_int_equal(rd(f, 0x000, 8), f->cfg.capabilities);
	assert_int_equal(rd(f, 0x008, 4), 0); /* fctl = cfg.fctl */
	assert_int_equal(rd(f, 0x010, 8), 0); /* ddtp: Off, busy 0 */
	assert_int_equal(rd(f, 0x048, 4), 0); /* cqcsr */
	assert_int_equal(rd(f, 0x04c, 4), 0); /* fqcsr */
	assert_int_equal(rd(f, 0x050, 4), 0); /* pqcsr */
	assert_int_equal(rd(f, 0x054, 4), 0); /* ipsr */
	assert_int_equal(rd(f, 0x260, 8), 0); /* tr_req_ctl Go/Busy */
	assert_int_equal(rd(f, 0x270, 4), 0); /* iommu_qosid */
	/* Change state, reset, and see it all return. */
	fx_enable_queues(f, 4);
	wr(f, 0x2f8, 8, 0x1234);
	wr(f, 0x270, 4, 0x00050007);
	rvm_reset(f->m);
	assert_int_equal(rd(f, 0x048, 4), 0);
	assert_int_equal(rd(f, 0x04c, 4), 0);
	assert_int_equal(rd(f, 0x050, 4), 0);
	assert_int_equal(rd(f, 0x270, 4), 0);
	assert_int_equal(rd(f, 0x2f8, 8), 0);
	fx_destroy(f);

	/* Bare reset mode; QoSID RCID must then be 0 (§5.27). */
	struct rvm_config c = dflt();
	c.ddtp_reset_mode = 1;
	f = fx_create(&c);
	assert_int_equal(rd(f, 0x010, 8), 1);
	assert_int_equal(rd(f, 0x270, 4) & 0xfff, 0);
	fx_destroy(f);
}

/* ---- access rules ---- */

static void test_access_size_alignment_range(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	struct rvm *m = f->m;
	uint64_t v = 0x55;
	assert_int_equal(rvm_mmio_read(m, 0x008, 2, &v), RVM_ESIZE);
	assert_int_equal(v, 0); /* out value zeroed */
	assert_int_equal(rvm_mmio_read(m, 0x008, 1, &v), RVM_ESIZE);
	assert_int_equal(rvm_mmio_write(m, 0x008, 16, 1), RVM_ESIZE);
	assert_int_equal(rvm_mmio_read(m, 0x012, 4, &v), RVM_EALIGN);
	assert_int_equal(rvm_mmio_read(m, 0x014, 8, &v), RVM_EALIGN);
	assert_int_equal(rvm_mmio_write(m, 0x00a, 4, 1), RVM_EALIGN);
	assert_int_equal(rvm_mmio_read(m, 0x1000, 4, &v), RVM_ERANGE);
	assert_int_equal(rvm_mmio_write(m, 0xffffff00, 8, 0), RVM_ERANGE);
	/* 8-byte accesses to 32-bit registers or pairs of them. */
	assert_int_equal(rvm_mmio_read(m, 0x008, 8, &v), RVM_ESIZE); /* fctl + custom */
	assert_int_equal(rvm_mmio_read(m, 0x020, 8, &v), RVM_ESIZE); /* cqh + cqt */
	assert_int_equal(rvm_mmio_read(m, 0x048, 8, &v), RVM_ESIZE); /* cqcsr + fqcsr */
	assert_int_equal(rvm_mmio_read(m, 0x308, 8, &v), RVM_ESIZE); /* msi_data + vec_ctl */
	assert_int_equal(rvm_mmio_read(m, 0x270, 8, &v), RVM_ESIZE); /* iommu_qosid + rsvd */
	/* A rejected write has no effect. */
	uint64_t q = fx_alloc(f, 4096);
	wr(f, 0x018, 8, (q >> 12) << 10 | 3);
	assert_int_equal(rvm_mmio_write(m, 0x048, 8, UINT64_C(0x100000001)), RVM_ESIZE);
	assert_int_equal(rd(f, 0x048, 4), 0);
	assert_int_equal(rd(f, 0x04c, 4), 0);
	assert_int_equal(rvm_mmio_write(m, 0x008, 2, 1), RVM_ESIZE);
	assert_int_equal(rd(f, 0x008, 4), 0);
	/* NULL arguments. */
	assert_int_equal(rvm_mmio_read(m, 0, 8, NULL), RVM_EINVAL);
	assert_int_equal(rvm_mmio_read(NULL, 0, 8, &v), RVM_EINVAL);
	assert_int_equal(rvm_mmio_write(NULL, 0, 8, 0), RVM_EINVAL);
	fx_destroy(f);
}

static void test_reserved_space_and_ro(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	static const uint32_t rsvd4[] = {0x00c, 0x274, 0x2ac, 0x2b0, 0x2f4, 0x400, 0xffc};
	for (size_t i = 0; i < sizeof(rsvd4) / sizeof(rsvd4[0]); i++) {
		wr(f, rsvd4[i], 4, 0xffffffff);
		assert_int_equal(rd(f, rsvd4[i], 4), 0);
	}
	static const uint32_t rsvd8[] = {0x278, 0x2b0, 0x2f0, 0x400, 0xff8};
	for (size_t i = 0; i < sizeof(rsvd8) / sizeof(rsvd8[0]); i++) {
		wr(f, rsvd8[i], 8, ~UINT64_C(0));
		assert_int_equal(rd(f, rsvd8[i], 8), 0);
	}
	/* capabilities RO, both widths. */
	wr(f, 0x000, 8, 0);
	wr(f, 0x004, 4, 0);
	assert_int_equal(rd(f, 0x000, 8), f->cfg.capabilities);
	assert_int_equal(rd(f, 0x004, 4), f->cfg.capabilities >> 32);
	/* cqh, fqt, pqt, tr_response RO. */
	wr(f, 0x020, 4, 5);
	wr(f, 0x034, 4, 5);
	wr(f, 0x044, 4, 5);
	wr(f, 0x268, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x020, 4), 0);
	assert_int_equal(rd(f, 0x034, 4), 0);
	assert_int_equal(rd(f, 0x044, 4), 0);
	assert_int_equal(rd(f, 0x268, 8), 0);
	fx_destroy(f);
}

/* ---- fctl ---- */

static void test_fctl_warl(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	wr(f, 0x008, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x008, 4), 3); /* BE | WSI; GXL needs Sv32x4 */
	wr(f, 0x008, 4, 0);
	assert_int_equal(rd(f, 0x008, 4), 0);
	/* Writes are ignored while ddtp is not Off (UNSPECIFIED; documented). */
	wr(f, 0x010, 8, 1); /* Bare */
	wr(f, 0x008, 4, 1);
	assert_int_equal(rd(f, 0x008, 4), 0);
	wr(f, 0x010, 8, 0);
	/* ... and while a queue is enabled. */
	fx_enable_queues(f, 2);
	wr(f, 0x008, 4, 1);
	assert_int_equal(rd(f, 0x008, 4), 0);
	fx_destroy(f);

	/* END=0: BE fixed at the configured value; IGS=MSI: WSI fixed 0. */
	struct rvm_config c = dflt();
	c.capabilities &= ~(BIT(27) | (UINT64_C(3) << 28));
	c.fctl = 1; /* a big-endian-only IOMMU */
	f = fx_create(&c);
	assert_int_equal(rd(f, 0x008, 4), 1);
	wr(f, 0x008, 4, 2);
	assert_int_equal(rd(f, 0x008, 4), 1);
	fx_destroy(f);

	/* IGS=WSI: WSI reads 1 and cannot be cleared. */
	c = dflt();
	c.capabilities = (c.capabilities & ~(UINT64_C(3) << 28)) | UINT64_C(1) << 28;
	c.fctl = 2;
	f = fx_create(&c);
	wr(f, 0x008, 4, 0);
	assert_int_equal(rd(f, 0x008, 4), 2);
	fx_destroy(f);

	/* Sv32x4 alongside the wider schemes: GXL is writable. */
	c = dflt();
	c.capabilities |= BIT(16);
	c.fctl_writable |= 4;
	f = fx_create(&c);
	wr(f, 0x008, 4, 4);
	assert_int_equal(rd(f, 0x008, 4), 4);
	fx_destroy(f);
}

/* ---- ddtp ---- */

static void test_ddtp_warl(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t ppn = UINT64_C(0xabcdef123) << 10;
	wr(f, 0x010, 8, ppn | 4); /* 3LVL */
	assert_int_equal(rd(f, 0x010, 8), ppn | 4);
	/* Reserved modes 5..13 and custom 14..15 are not retained. */
	for (uint64_t mode = 5; mode < 16; mode++) {
		wr(f, 0x010, 8, ppn | mode);
		assert_int_equal(rd(f, 0x010, 8) & 0xf, 4);
	}
	/* busy (4) reads 0, reserved 9:5 and 63:54 read 0. */
	wr(f, 0x010, 8, ~UINT64_C(0) & ~UINT64_C(0xf));
	assert_int_equal(rd(f, 0x010, 8), (UINT64_C(0xfffffffffff) << 10) | 0);
	/* Switching 3LVL -> 2LVL directly is performed (documented choice). */
	wr(f, 0x010, 8, ppn | 4);
	wr(f, 0x010, 8, ppn | 3);
	assert_int_equal(rd(f, 0x010, 8), ppn | 3);
	fx_destroy(f);

	/* PPN limited to PAS; unsupported LVL modes not retained. */
	struct rvm_config c = dflt();
	c.capabilities = (c.capabilities & ~(UINT64_C(63) << 32)) | UINT64_C(40) << 32;
	c.ddt_modes = 0x3 | BIT(3); /* Off, Bare, 2LVL */
	f = fx_create(&c);
	wr(f, 0x010, 8, ~UINT64_C(0) & ~UINT64_C(0xf));
	/* PAS 40: PA[39:12] = 28 PPN bits at 37:10. */
	assert_int_equal(rd(f, 0x010, 8), UINT64_C(0xfffffff) << 10);
	wr(f, 0x010, 8, 2); /* 1LVL unsupported */
	assert_int_equal(rd(f, 0x010, 8) & 0xf, 0);
	wr(f, 0x010, 8, 4); /* 3LVL unsupported */
	assert_int_equal(rd(f, 0x010, 8) & 0xf, 0);
	wr(f, 0x010, 8, 3);
	assert_int_equal(rd(f, 0x010, 8) & 0xf, 3);
	wr(f, 0x010, 8, 1);
	assert_int_equal(rd(f, 0x010, 8) & 0xf, 1);
	fx_destroy(f);
}

/* §5: a 64-bit register written as two 4-byte halves, high then low. */
static void test_64bit_halves(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	uint64_t v = (UINT64_C(0x002bcdef) << 32) | (UINT64_C(0x12345) << 10) | 2;
	wr(f, 0x014, 4, v >> 32);
	assert_int_equal(rd(f, 0x010, 8), (v >> 32) << 32); /* mode still Off */
	wr(f, 0x010, 4, (uint32_t)v);
	assert_int_equal(rd(f, 0x010, 8), v);
	assert_int_equal(rd(f, 0x010, 4), (uint32_t)v);
	assert_int_equal(rd(f, 0x014, 4), v >> 32);
	/* Low half alone keeps the high half. */
	wr(f, 0x010, 4, 1);
	assert_int_equal(rd(f, 0x010, 8), (UINT64_C(0x002bcdef) << 32) | 1);
	/* msi_addr_3 by halves. */
	wr(f, 0x334, 4, 0x00123456);
	wr(f, 0x330, 4, 0x89abcdef);
	assert_int_equal(rd(f, 0x330, 8), UINT64_C(0x0012345689abcdec));
	fx_destroy(f);
}

/* ---- queue registers ---- */

static void test_queue_base_warl(void **state)
{
	(void)state;
	struct rvm_config c = dflt();
	c.cq_log2sz_max = 12;
	c.fq_log2sz_max = 9;
	c.pq_log2sz_max = 5;
	struct fx *f = fx_create(&c);
	/* LOG2SZ-1 (4:0) clamps to max-1; reserved 9:5 and 63:54 read 0. */
	wr(f, 0x018, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x018, 8), (UINT64_C(0xfffffffffff) << 10) | 11);
	wr(f, 0x028, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x028, 8), (UINT64_C(0xfffffffffff) << 10) | 8);
	wr(f, 0x038, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x038, 8), (UINT64_C(0xfffffffffff) << 10) | 4);
	wr(f, 0x018, 8, 5);
	assert_int_equal(rd(f, 0x018, 8), 5);
	/* cqt/fqh/pqh keep only the bits below LOG2SZ (WARL). */
	wr(f, 0x018, 8, 7); /* 256 entries */
	wr(f, 0x024, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x024, 4), 0xff);
	wr(f, 0x028, 8, 3); /* 16 entries */
	wr(f, 0x030, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x030, 4), 0xf);
	wr(f, 0x038, 8, 0); /* 2 entries */
	wr(f, 0x040, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x040, 4), 1);
	/* After a base write the index's bits at and above LOG2SZ read 0. */
	wr(f, 0x018, 8, 2); /* 8 entries */
	assert_int_equal(rd(f, 0x024, 4), 0x7);
	fx_destroy(f);
}

static void test_queue_base_ignored_while_on(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	uint64_t cqb = rd(f, 0x018, 8), fqb = rd(f, 0x028, 8), pqb = rd(f, 0x038, 8);
	wr(f, 0x018, 8, 0);
	wr(f, 0x028, 8, 0);
	wr(f, 0x038, 8, 0);
	assert_int_equal(rd(f, 0x018, 8), cqb);
	assert_int_equal(rd(f, 0x028, 8), fqb);
	assert_int_equal(rd(f, 0x038, 8), pqb);
	/* After disabling, writes take effect. */
	wr(f, 0x048, 4, 0);
	wr(f, 0x018, 8, 0);
	assert_int_equal(rd(f, 0x018, 8), 0);
	fx_destroy(f);
}

/* §5.15-5.17: en 0->1 clears the IOMMU index and the error bits; on follows
 * en; busy reads 0; ie is plain RW. */
static void test_queue_enable_handshake(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	fx_enable_queues(f, 4);
	/* Make cqh non-zero and raise cmd_ill. */
	rv_physmem_write64(f->mem, f->cq_base, 2);      /* IOFENCE.C */
	rv_physmem_write64(f->mem, f->cq_base + 16, 0); /* opcode 0: illegal */
	wr(f, 0x024, 4, 2);
	assert_int_equal(rd(f, 0x020, 4), 1);
	assert_int_equal(rd(f, 0x048, 4), BIT(0) | BIT(10) | BIT(16));
	/* Disable: on drops, error bits stay (they are RW1C). */
	wr(f, 0x048, 4, 0);
	assert_int_equal(rd(f, 0x048, 4), BIT(10));
	assert_int_equal(rd(f, 0x020, 4), 1);
	/* Re-enable with cie: cqh and cmd_ill clear. */
	wr(f, 0x024, 4, 0);
	wr(f, 0x048, 4, BIT(0) | BIT(1));
	assert_int_equal(rd(f, 0x048, 4), BIT(0) | BIT(1) | BIT(16));
	assert_int_equal(rd(f, 0x020, 4), 0);
	/* Writing en=1 again (1->1) clears nothing: RW1C bits only by 1s. */
	wr(f, 0x048, 4, BIT(0) | BIT(1) | BIT(17) | BIT(16));
	assert_int_equal(rd(f, 0x048, 4), BIT(0) | BIT(1) | BIT(16));

	/* FQ/PQ: on follows en, ie is RW, busy (17) is read-only 0.  What
	 * en 0->1 clears is checked in test_fq.c. */
	wr(f, 0x04c, 4, 0);
	assert_int_equal(rd(f, 0x04c, 4), 0);
	wr(f, 0x04c, 4, BIT(0) | BIT(1) | BIT(17));
	assert_int_equal(rd(f, 0x04c, 4), BIT(0) | BIT(1) | BIT(16));
	wr(f, 0x050, 4, 0);
	assert_int_equal(rd(f, 0x050, 4), 0);
	wr(f, 0x050, 4, BIT(0) | BIT(1));
	assert_int_equal(rd(f, 0x050, 4), BIT(0) | BIT(1) | BIT(16));
	fx_destroy(f);
}

/* ---- optional registers ---- */

static void test_absent_features_read_zero(void **state)
{
	(void)state;
	struct rvm_config c = dflt();
	c.capabilities &= ~(BIT(25) | BIT(26) | BIT(30) | BIT(31) | BIT(41));
	c.hpm_counters = 0;
	c.rcid_bits = c.mcid_bits = 0;
	struct fx *f = fx_create(&c);
	static const struct {
		uint32_t off;
		unsigned size;
	} regs[] = {
	    {0x038, 8}, {0x040, 4}, {0x044, 4}, {0x050, 4},             /* PQ (ATS) */
	    {0x058, 4}, {0x05c, 4}, {0x060, 8}, {0x068, 8}, {0x158, 8}, /* HPM */
	    {0x160, 8}, {0x250, 8},                                     /* HPM */
	    {0x258, 8}, {0x260, 8}, {0x268, 8},                         /* DBG */
	    {0x270, 4},                                                 /* QOSID */
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		wr(f, regs[i].off, regs[i].size,
		   regs[i].size == 8 ? 0x0fffffffffff0f1f : 0x0fff0f1f);
		if (rd(f, regs[i].off, regs[i].size) != 0)
			fail_msg("register %#x not zero", regs[i].off);
	}
	fx_destroy(f);

	/* IGS=WSI: msi_cfg_tbl hard-wired to 0. */
	c = dflt();
	c.capabilities = (c.capabilities & ~(UINT64_C(3) << 28)) | UINT64_C(1) << 28;
	c.fctl = 2;
	f = fx_create(&c);
	for (uint32_t x = 0; x < 16; x++) {
		wr(f, 0x300 + 16 * x, 8, 0x1000);
		wr(f, 0x308 + 16 * x, 4, 0x55);
		wr(f, 0x30c + 16 * x, 4, 1);
		assert_int_equal(rd(f, 0x300 + 16 * x, 8), 0);
		assert_int_equal(rd(f, 0x308 + 16 * x, 4), 0);
		assert_int_equal(rd(f, 0x30c + 16 * x, 4), 0);
	}
	fx_destroy(f);
}

/* ---- QoS, icvec, msi_cfg_tbl, debug ---- */

static void test_qosid_warl(void **state)
{
	(void)state;
	struct rvm_config c = dflt();
	c.rcid_bits = 4;
	c.mcid_bits = 6;
	struct fx *f = fx_create(&c);
	wr(f, 0x270, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x270, 4), 0x003f000f); /* RCID 11:0, MCID 27:16 */
	fx_destroy(f);
	f = fx_create(NULL);
	wr(f, 0x270, 4, 0xffffffff);
	assert_int_equal(rd(f, 0x270, 4), 0x0fff0fff);
	fx_destroy(f);
}

static void test_icvec_warl(void **state)
{
	(void)state;
	static const struct {
		uint8_t bits;
		uint64_t expect;
	} cases[] = {{4, 0xffff}, {2, 0x3333}, {1, 0x1111}, {0, 0}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rvm_config c = dflt();
		c.icvec_bits = cases[i].bits;
		struct fx *f = fx_create(&c);
		wr(f, 0x2f8, 8, ~UINT64_C(0));
		assert_int_equal(rd(f, 0x2f8, 8), cases[i].expect);
		fx_destroy(f);
	}
}

static void test_msi_cfg_warl(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	for (uint32_t x = 0; x < 16; x++) {
		wr(f, 0x300 + 16 * x, 8, ~UINT64_C(0));
		wr(f, 0x308 + 16 * x, 4, 0xffffffff);
		wr(f, 0x30c + 16 * x, 4, 0xffffffff);
		/* ADDR 55:2; 1:0 and 63:56 read 0. */
		assert_int_equal(rd(f, 0x300 + 16 * x, 8), UINT64_C(0x00fffffffffffffc));
		assert_int_equal(rd(f, 0x308 + 16 * x, 4), 0xffffffff);
		assert_int_equal(rd(f, 0x30c + 16 * x, 4), 1); /* only M */
	}
	fx_destroy(f);
	/* PAS 44: only addresses below 2^44 are held. */
	struct rvm_config c = dflt();
	c.capabilities = (c.capabilities & ~(UINT64_C(63) << 32)) | UINT64_C(44) << 32;
	f = fx_create(&c);
	wr(f, 0x300, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x300, 8), UINT64_C(0x00000ffffffffffc));
	fx_destroy(f);
}

static void test_debug_registers(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	wr(f, 0x258, 8, ~UINT64_C(0));
	assert_int_equal(rd(f, 0x258, 8), ~UINT64_C(0xfff)); /* 11:0 reserved */
	/* tr_req_ctl without Go: Priv(1) Exe(2) NW(3) PID(31:12) PV(32)
	 * DID(63:40) are kept; 11:4, 35:33 and custom 39:36 read 0. */
	wr(f, 0x260, 8, ~UINT64_C(0) & ~UINT64_C(1));
	assert_int_equal(rd(f, 0x260, 8), UINT64_C(0xffffff01fffff00e));
	/* Go: the request runs at once; Go/Busy reads 0 afterwards and
	 * tr_response is valid.  ddtp is Off, so the request faults. */
	wr(f, 0x260, 8, 1);
	assert_int_equal(rd(f, 0x260, 8) & 1, 0);
	assert_int_equal(rd(f, 0x268, 8) & 1, 1);
	/* High half first, then the low half with Go (RV32 order). */
	wr(f, 0x264, 4, 0x12345600);
	assert_int_equal(rd(f, 0x260, 8) & 1, 0);
	wr(f, 0x260, 4, 0x9);
	assert_int_equal(rd(f, 0x260, 8), UINT64_C(0x1234560000000008));
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_config_is_full_featured),
	    cmocka_unit_test(test_config_validation),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_reset_values),
	    cmocka_unit_test(test_access_size_alignment_range),
	    cmocka_unit_test(test_reserved_space_and_ro),
	    cmocka_unit_test(test_fctl_warl),
	    cmocka_unit_test(test_ddtp_warl),
	    cmocka_unit_test(test_64bit_halves),
	    cmocka_unit_test(test_queue_base_warl),
	    cmocka_unit_test(test_queue_base_ignored_while_on),
	    cmocka_unit_test(test_queue_enable_handshake),
	    cmocka_unit_test(test_absent_features_read_zero),
	    cmocka_unit_test(test_qosid_warl),
	    cmocka_unit_test(test_icvec_warl),
	    cmocka_unit_test(test_msi_cfg_warl),
	    cmocka_unit_test(test_debug_registers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
