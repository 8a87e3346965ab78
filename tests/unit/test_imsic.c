/* SPDX-License-Identifier: MIT
 *
 * test_imsic.c - unit tests of the IMSIC model (include/rviommu/imsic.h):
 * config checks, the file address formula, the MMIO page, the indirect
 * registers, *topei and its claim, line callbacks, save/restore, counters.
 *
 * Expected values come from the AIA "Incoming MSI Controller" chapter as
 * summarised in CHECKLIST §11.1-§11.4, computed by hand in each test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "rviommu/imsic.h"

#define BASE 0x28000000ull

struct line_log {
	int calls;
	enum rvimsic_line kind;
	uint32_t group, hart, guest;
	bool level;
};

static void log_line(void *ctx, enum rvimsic_line kind, uint32_t group, uint32_t hart,
                     uint32_t guest, bool level)
{
	struct line_log *l = ctx;

	l->calls++;
	l->kind = kind;
	l->group = group;
	l->hart = hart;
	l->guest = guest;
	l->level = level;
}

/* 2 groups x 4 harts x 3 guests, N = 63, guests N = 127 */
static struct rvimsic_config base_cfg(struct line_log *log)
{
	struct rvimsic_config c = {
	    .base = BASE,
	    .groups = 2,
	    .harts = 4,
	    .guests = 3,
	    .num_ids = 63,
	    .num_guest_ids = 127,
	    .guest_index_bits = 2,
	    .hart_index_bits = 2,
	    .group_index_bits = 1,
	    .group_index_shift = 24,
	    .be_supported = true,
	    .line = log_line,
	    .ctx = log,
	};
	return c;
}

static struct rvimsic *make(struct line_log *log)
{
	struct rvimsic_config c = base_cfg(log);
	struct rvimsic *im = NULL;

	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_non_null(im);
	return im;
}

static const struct rvimsic_file_id S00 = {0, 0, 0};

static int wr32(struct rvimsic *im, uint64_t pa, uint32_t v, bool be)
{
	uint8_t b[4];

	if (be) {
		b[0] = v >> 24, b[1] = v >> 16, b[2] = v >> 8, b[3] = v;
	} else {
		b[0] = v, b[1] = v >> 8, b[2] = v >> 16, b[3] = v >> 24;
	}
	return rvimsic_mmio_write(im, pa, b, 4);
}

static uint64_t rd(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(rvimsic_ireg_read(im, f, isel, &v), 0);
	return v;
}

static void test_config_rules(void **state)
{
	struct line_log log = {0};
	struct rvimsic_config c;
	struct rvimsic *im;

	/* num-ids must be 64k-1 in 63..2047 */
	static const uint32_t bad_ids[] = {0, 40, 62, 64, 127 + 1, 2048, 4095};
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		c = base_cfg(&log);
		c.num_ids = bad_ids[i];
		assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
		assert_null(im);
	}
	c = base_cfg(&log);
	c.num_ids = 2047;
	assert_int_equal(rvimsic_create(&c, &im), 0);
	rvimsic_destroy(im);
	c = base_cfg(&log);
	c.num_guest_ids = 100;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* 4 guests need 3 guest bits (5 pages per hart) */
	c = base_cfg(&log);
	c.guests = 4;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* 5 harts do not fit 2 hart bits */
	c = base_cfg(&log);
	c.harts = 5;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* 3 groups do not fit 1 group bit */
	c = base_cfg(&log);
	c.groups = 3;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* group field at bit 15 overlaps hart field (bits 14..15) */
	c = base_cfg(&log);
	c.group_index_shift = 15;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	c.group_index_shift = 16; /* 12 + 2 + 2: just clear */
	assert_int_equal(rvimsic_create(&c, &im), 0);
	rvimsic_destroy(im);
	/* base with a bit inside the fields */
	c = base_cfg(&log);
	c.base = BASE | 0x1000;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	c.base = BASE | (1ull << 24);
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* M-level files have no guests */
	c = base_cfg(&log);
	c.m_level = true;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	/* GEILEN <= 63 on RV64 */
	c = base_cfg(&log);
	c.guests = 64;
	c.guest_index_bits = 7;
	assert_int_equal(rvimsic_create(&c, &im), RVIMSIC_E_INVAL);
	assert_int_equal(rvimsic_create(NULL, &im), RVIMSIC_E_INVAL);
}

static void test_file_addr(void **state)
{
	struct rvimsic *im = make(NULL);
	uint64_t pa;

	/* base | g << 24 | h << (2 + 12) | i << 12 */
	assert_int_equal(rvimsic_file_addr(im, S00, &pa), 0);
	assert_int_equal(pa, 0x28000000);
	assert_int_equal(rvimsic_file_addr(im, (struct rvimsic_file_id){1, 3, 2}, &pa), 0);
	assert_int_equal(pa, 0x28000000 + 0x1000000 + 3 * 0x4000 + 2 * 0x1000);
	assert_int_equal(rvimsic_file_addr(im, (struct rvimsic_file_id){2, 0, 0}, &pa),
	                 RVIMSIC_E_NOFILE);
	assert_int_equal(rvimsic_file_addr(im, (struct rvimsic_file_id){0, 4, 0}, &pa),
	                 RVIMSIC_E_NOFILE);
	assert_int_equal(rvimsic_file_addr(im, (struct rvimsic_file_id){0, 0, 4}, &pa),
	                 RVIMSIC_E_NOFILE);
	assert_true(rvimsic_contains(im, 0x28000000));
	assert_true(rvimsic_contains(im, 0x2900fffc));
	assert_false(rvimsic_contains(im, 0x28010000));
	assert_false(rvimsic_contains(im, 0x27fffffc));
	rvimsic_destroy(im);
}

static void test_seteipnum_le_be(void **state)
{
	struct rvimsic *im = make(NULL);
	struct rvimsic_file_id f = {1, 2, 0};
	uint64_t pa = 0x28000000 + 0x1000000 + 2 * 0x4000;

	assert_int_equal(wr32(im, pa + 0, 5, false), 0);
	assert_int_equal(rd(im, f, 0x80), 1ull << 5);
	/* BE register: bytes 00 00 00 07 mean 7 */
	assert_int_equal(wr32(im, pa + 4, 7, true), 0);
	assert_int_equal(rd(im, f, 0x80), (1ull << 5) | (1ull << 7));
	/* the same bytes sent to the LE register mean 0x07000000: ignored */
	assert_int_equal(wr32(im, pa + 0, 9, true), 0);
	assert_int_equal(rd(im, f, 0x80), (1ull << 5) | (1ull << 7));
	/* other files untouched */
	assert_int_equal(rd(im, S00, 0x80), 0);
	rvimsic_destroy(im);
}

static void test_be_unsupported_ignored(void **state)
{
	struct rvimsic_config c = base_cfg(NULL);
	struct rvimsic *im;

	c.be_supported = false;
	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_int_equal(wr32(im, BASE + 4, 7, true), 0);
	assert_int_equal(rd(im, S00, 0x80), 0);
	assert_int_equal(wr32(im, BASE, 7, false), 0);
	assert_int_equal(rd(im, S00, 0x80), 1ull << 7);
	rvimsic_destroy(im);
}

static void test_id0_and_out_of_range_ignored(void **state)
{
	struct rvimsic *im = make(NULL);
	struct rvimsic_file_stats st;
	struct rvimsic_file_id g = {0, 0, 1};

	/* S file: N = 63 */
	assert_int_equal(wr32(im, BASE, 0, false), 0);
	assert_int_equal(wr32(im, BASE, 64, false), 0);
	assert_int_equal(wr32(im, BASE, 0x10000 | 3, false), 0);
	assert_int_equal(rd(im, S00, 0x80), 0);
	assert_int_equal(rd(im, S00, 0x82), 0);
	assert_int_equal(wr32(im, BASE, 63, false), 0);
	assert_int_equal(rd(im, S00, 0x80), 1ull << 63);
	assert_int_equal(rvimsic_file_stats(im, S00, &st), 0);
	assert_int_equal(st.ignored, 3);
	assert_int_equal(st.set, 1);
	/* guest file: N = 127, so 64 and 127 are valid, 128 is not */
	assert_int_equal(rvimsic_seteipnum(im, g, 64), 0);
	assert_int_equal(rvimsic_seteipnum(im, g, 127), 0);
	assert_int_equal(rvimsic_seteipnum(im, g, 128), 0);
	assert_int_equal(rd(im, g, 0x82), (1ull << 0) | (1ull << 63));
	assert_int_equal(rd(im, g, 0x84), 0);
	rvimsic_destroy(im);
}

static void test_mmio_reads_zero_and_other_offsets(void **state)
{
	struct rvimsic *im = make(NULL);
	uint32_t v = 0xffffffff;

	assert_int_equal(wr32(im, BASE, 5, false), 0);
	assert_int_equal(rvimsic_mmio_read(im, BASE, &v, 4), 0);
	assert_int_equal(v, 0);
	v = 0xffffffff;
	assert_int_equal(rvimsic_mmio_read(im, BASE + 4, &v, 4), 0);
	assert_int_equal(v, 0);
	v = 0xffffffff;
	assert_int_equal(rvimsic_mmio_read(im, BASE + 0xffc, &v, 4), 0);
	assert_int_equal(v, 0);
	/* writes to other offsets are ignored */
	assert_int_equal(wr32(im, BASE + 8, 6, false), 0);
	assert_int_equal(wr32(im, BASE + 0xffc, 6, false), 0);
	assert_int_equal(rd(im, S00, 0x80), 1ull << 5);
	rvimsic_destroy(im);
}

static void test_unused_page(void **state)
{
	struct rvimsic_config c = base_cfg(NULL);
	struct rvimsic *im;
	uint32_t v = 0xffffffff;
	uint64_t pa = BASE + 3 * 0x4000; /* hart 3 of group 0 */

	c.harts = 3; /* hart 3 is in the range but has no files */
	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_true(rvimsic_contains(im, pa));
	assert_int_equal(wr32(im, pa, 5, false), 0);
	assert_int_equal(rvimsic_mmio_read(im, pa, &v, 4), 0);
	assert_int_equal(v, 0);
	for (uint32_t h = 0; h < 3; h++)
		assert_int_equal(rd(im, (struct rvimsic_file_id){0, h, 0}, 0x80), 0);
	assert_int_equal(wr32(im, BASE + 0x10000000, 5, false), RVIMSIC_E_RANGE);
	rvimsic_destroy(im);
}

static void test_access_faults(void **state)
{
	struct rvimsic *im = make(NULL);
	uint8_t b[8] = {5, 0, 0, 0, 0, 0, 0, 0};

	assert_int_equal(rvimsic_mmio_write(im, BASE, b, 8), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_write(im, BASE, b, 2), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_write(im, BASE, b, 1), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_write(im, BASE + 1, b, 4), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_write(im, BASE + 2, b, 4), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_read(im, BASE, b, 8), RVIMSIC_E_ACCESS);
	assert_int_equal(rvimsic_mmio_read(im, BASE + 2, b, 4), RVIMSIC_E_ACCESS);
	assert_int_equal(rd(im, S00, 0x80), 0); /* nothing was set */
	rvimsic_destroy(im);
}

static void test_iselect_map(void **state)
{
	struct rvimsic *im = make(NULL);
	struct rvimsic_file_id g = {0, 0, 2};
	uint64_t v;

	/* reserved: read 0, writes ignored */
	for (uint32_t isel = 0x71; isel <= 0x7f; isel++) {
		if (isel == 0x72)
			continue;
		assert_int_equal(rvimsic_ireg_write(im, S00, isel, ~0ull), 0);
		assert_int_equal(rd(im, S00, isel), 0);
	}
	assert_int_equal(rd(im, S00, 0x70), 0);
	assert_int_equal(rd(im, S00, 0x72), 0);
	/* odd eip/eie numbers are illegal with XLEN=64 */
	assert_int_equal(rvimsic_ireg_read(im, S00, 0x81, &v), RVIMSIC_E_ILLEGAL);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xbf, 1), RVIMSIC_E_ILLEGAL);
	assert_int_equal(rvimsic_ireg_read(im, S00, 0xc1, &v), RVIMSIC_E_ILLEGAL);
	assert_int_equal(rvimsic_ireg_write(im, g, 0xff, 1), RVIMSIC_E_ILLEGAL);
	/* outside 0x70..0xFF: not an IMSIC register */
	assert_int_equal(rvimsic_ireg_read(im, S00, 0x6f, &v), RVIMSIC_E_RANGE);
	assert_int_equal(rvimsic_ireg_read(im, S00, 0x100, &v), RVIMSIC_E_RANGE);
	/* eip0 bit 0 (ID 0) is read-only zero; eie the same */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x80, ~0ull), 0);
	assert_int_equal(rd(im, S00, 0x80), ~1ull);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, ~0ull), 0);
	assert_int_equal(rd(im, S00, 0xc0), ~1ull);
	/* N = 63: eip2 and above are unimplemented (read-only zero) */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x82, ~0ull), 0);
	assert_int_equal(rd(im, S00, 0x82), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xbe, ~0ull), 0);
	assert_int_equal(rd(im, S00, 0xbe), 0);
	/* N = 127 guest file: eip2 is IDs 64..127, eip4 unimplemented */
	assert_int_equal(rvimsic_ireg_write(im, g, 0x82, ~0ull), 0);
	assert_int_equal(rd(im, g, 0x82), ~0ull);
	assert_int_equal(rvimsic_ireg_write(im, g, 0xc4, ~0ull), 0);
	assert_int_equal(rd(im, g, 0xc4), 0);
	/* csrs / csrc through rmw */
	assert_int_equal(rvimsic_ireg_write(im, g, 0xc0, 0), 0);
	assert_int_equal(rvimsic_ireg_rmw(im, g, 0xc0, &v, 0x30, 0x30), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rvimsic_ireg_rmw(im, g, 0xc0, &v, 0x10, 0), 0);
	assert_int_equal(v, 0x30);
	assert_int_equal(rd(im, g, 0xc0), 0x20);
	assert_int_equal(rvimsic_ireg_read(im, (struct rvimsic_file_id){0, 0, 4}, 0x80, &v),
	                 RVIMSIC_E_NOFILE);
	rvimsic_destroy(im);
}

static void test_eidelivery_warl(void **state)
{
	struct rvimsic_config c = base_cfg(NULL);
	struct rvimsic_file_id g = {0, 1, 1};
	struct rvimsic *im;

	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_int_equal(rd(im, S00, 0x70), 0); /* reset: no PLIC mode */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 1), 0);
	assert_int_equal(rd(im, S00, 0x70), 1);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 2), 0);
	assert_int_equal(rd(im, S00, 0x70), 1);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 0x40000000), 0);
	assert_int_equal(rd(im, S00, 0x70), 1);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 0), 0);
	assert_int_equal(rd(im, S00, 0x70), 0);
	rvimsic_destroy(im);

	c.plic_delivery = true;
	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_int_equal(rd(im, S00, 0x70), 0x40000000); /* reset value */
	assert_int_equal(rd(im, g, 0x70), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 1), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 0x40000000), 0);
	assert_int_equal(rd(im, S00, 0x70), 0x40000000);
	/* never for guest files */
	assert_int_equal(rvimsic_ireg_write(im, g, 0x70, 1), 0);
	assert_int_equal(rvimsic_ireg_write(im, g, 0x70, 0x40000000), 0);
	assert_int_equal(rd(im, g, 0x70), 1);
	rvimsic_destroy(im);
}

static void test_topei_threshold_claim(void **state)
{
	struct rvimsic *im = make(NULL);
	uint32_t t;

	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 9), 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 5), 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 3), 0);
	/* pending but not enabled: topei is 0 */
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, 0);
	/* enable 5 and 9 (3 stays disabled) */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, (1ull << 5) | (1ull << 9)), 0);
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, (5u << 16) | 5u);
	/* eithreshold P: IDs >= P do not count */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 5), 0);
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, 0);
	/* claim with topei 0 does nothing */
	assert_int_equal(rvimsic_topei_claim(im, S00, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(rd(im, S00, 0x80), (1ull << 3) | (1ull << 5) | (1ull << 9));
	/* WLRL: bits 10:0 are kept (docs/imsic.md) */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 0x10006), 0);
	assert_int_equal(rd(im, S00, 0x72), 6);
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, 0x50005);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 0), 0);
	/* claim clears only the reported ID */
	assert_int_equal(rvimsic_topei_claim(im, S00, &t), 0);
	assert_int_equal(t, 0x50005);
	assert_int_equal(rd(im, S00, 0x80), (1ull << 3) | (1ull << 9));
	assert_int_equal(rvimsic_topei_claim(im, S00, &t), 0);
	assert_int_equal(t, (9u << 16) | 9u);
	assert_int_equal(rvimsic_topei_claim(im, S00, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(rd(im, S00, 0x80), 1ull << 3);
	/* topei is not gated by eidelivery (it is 0 here) */
	assert_int_equal(rd(im, S00, 0x70), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, 1ull << 3), 0);
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, 0x30003);
	/* the top ID of a 2047-ID file fits bits 26:16 */
	rvimsic_destroy(im);
}

static void test_topei_max_id(void **state)
{
	struct rvimsic_config c = base_cfg(NULL);
	struct rvimsic *im;
	uint32_t t;

	c.num_ids = 2047;
	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 2047), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xfe, 1ull << 63), 0);
	assert_int_equal(rvimsic_topei_read(im, S00, &t), 0);
	assert_int_equal(t, (2047u << 16) | 2047u);
	assert_int_equal(t, 0x07ff07ff);
	rvimsic_destroy(im);
}

static void test_line_callbacks(void **state)
{
	struct line_log log = {0};
	struct rvimsic *im = make(&log);
	bool lvl;

	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, 1ull << 4), 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 4), 0);
	/* eidelivery == 0 gates the line */
	assert_int_equal(log.calls, 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 1), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.kind, RVIMSIC_LINE_SEIP);
	assert_true(log.level);
	assert_int_equal(rvimsic_line_level(im, S00, &lvl), 0);
	assert_true(lvl);
	/* no change, no call */
	assert_int_equal(rvimsic_seteipnum(im, S00, 4), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, (1ull << 4) | 2), 0);
	assert_int_equal(rvimsic_seteipnum(im, S00, 1), 0);
	assert_int_equal(log.calls, 1);
	/* threshold 1 blocks everything (IDs >= 1) */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 1), 0);
	assert_int_equal(log.calls, 2);
	assert_false(log.level);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 2), 0);
	assert_int_equal(log.calls, 3);
	assert_true(log.level);
	/* claiming ID 1 leaves 4, which is >= 2: line drops */
	assert_int_equal(rvimsic_topei_claim(im, S00, NULL), 0);
	assert_int_equal(log.calls, 4);
	assert_false(log.level);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x72, 0), 0);
	assert_int_equal(log.calls, 5);
	assert_true(log.level);
	/* eidelivery 0 drops the line; the PLIC value is illegal here */
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 0), 0);
	assert_int_equal(log.calls, 6);
	assert_false(log.level);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 1), 0);
	assert_int_equal(log.calls, 7);
	assert_int_equal(rvimsic_topei_claim(im, S00, NULL), 0);
	assert_int_equal(log.calls, 8);
	assert_false(log.level);
	assert_int_equal(log.group, 0);
	assert_int_equal(log.hart, 0);
	assert_int_equal(log.guest, 0);
	rvimsic_destroy(im);
}

static void test_guest_and_m_lines(void **state)
{
	struct line_log log = {0};
	struct rvimsic *im = make(&log);
	struct rvimsic_file_id g = {1, 2, 3};
	struct rvimsic_config c = base_cfg(&log);

	assert_int_equal(rvimsic_ireg_write(im, g, 0x70, 1), 0);
	assert_int_equal(rvimsic_ireg_write(im, g, 0xc2, 1ull << 36), 0);
	/* ID 100 through the MMIO page of guest file 3 of hart 2, group 1 */
	assert_int_equal(wr32(im, 0x28000000 + 0x1000000 + 2 * 0x4000 + 3 * 0x1000, 100, false), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.kind, RVIMSIC_LINE_HGEIP);
	assert_int_equal(log.group, 1);
	assert_int_equal(log.hart, 2);
	assert_int_equal(log.guest, 3);
	assert_true(log.level);
	rvimsic_destroy(im);

	c.m_level = true;
	c.guests = 0;
	c.guest_index_bits = 0;
	c.base = 0x24000000;
	log.calls = 0;
	assert_int_equal(rvimsic_create(&c, &im), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0x70, 1), 0);
	assert_int_equal(rvimsic_ireg_write(im, S00, 0xc0, 1ull << 2), 0);
	assert_int_equal(wr32(im, 0x24000000, 2, false), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.kind, RVIMSIC_LINE_MEIP);
	rvimsic_destroy(im);
}

static void test_save_restore(void **state)
{
	struct line_log log = {0};
	struct rvimsic *im = make(&log);
	struct rvimsic_file_id from = {0, 1, 2}, to = {1, 3, 1};
	struct rvimsic_file_state st, st2;
	uint32_t t;

	assert_int_equal(rvimsic_ireg_write(im, from, 0x72, 50), 0);
	assert_int_equal(rvimsic_ireg_write(im, from, 0xc0, 1ull << 40), 0);
	assert_int_equal(rvimsic_ireg_write(im, from, 0xc2, 1ull << 1), 0);
	assert_int_equal(rvimsic_seteipnum(im, from, 40), 0);
	assert_int_equal(rvimsic_seteipnum(im, from, 65), 0);
	assert_int_equal(rvimsic_ireg_write(im, from, 0x70, 1), 0);
	assert_int_equal(log.calls, 1);
	assert_int_equal(rvimsic_file_save(im, from, &st), 0);
	assert_int_equal(st.eidelivery, 1);
	assert_int_equal(st.eithreshold, 50);
	assert_int_equal(st.eip[0], 1ull << 40);
	assert_int_equal(st.eip[1], 1ull << 1);
	assert_int_equal(st.eie[1], 1ull << 1);
	/* load into another hart's guest file: line follows */
	assert_int_equal(rvimsic_file_restore(im, to, &st), 0);
	assert_int_equal(log.calls, 2);
	assert_int_equal(log.hart, 3);
	assert_true(log.level);
	assert_int_equal(rvimsic_topei_read(im, to, &t), 0);
	assert_int_equal(t, (40u << 16) | 40u);
	assert_int_equal(rvimsic_file_save(im, to, &st2), 0);
	assert_memory_equal(&st, &st2, sizeof(st));
	/* ID 0 and IDs above N are dropped; S file N = 63 */
	st.eip[0] |= 1;
	st.eip[3] = ~0ull;
	assert_int_equal(rvimsic_file_restore(im, S00, &st), 0);
	assert_int_equal(rvimsic_file_save(im, S00, &st2), 0);
	assert_int_equal(st2.eip[0], 1ull << 40);
	assert_int_equal(st2.eip[1], 0);
	assert_int_equal(st2.eip[3], 0);
	/* the PLIC value is never legal for a guest file */
	st.eidelivery = 0x40000000;
	assert_int_equal(rvimsic_file_restore(im, to, &st), RVIMSIC_E_INVAL);
	assert_int_equal(rvimsic_file_save(im, to, &st2), 0);
	assert_int_equal(st2.eidelivery, 1);
	rvimsic_destroy(im);
}

static void test_stats(void **state)
{
	struct rvimsic *im = make(NULL);
	struct rvimsic_file_stats st;

	assert_int_equal(wr32(im, BASE, 5, false), 0);
	assert_int_equal(wr32(im, BASE, 5, false), 0);
	assert_int_equal(wr32(im, BASE + 4, 6, true), 0);
	assert_int_equal(wr32(im, BASE, 0, false), 0);
	assert_int_equal(rvimsic_file_stats(im, S00, &st), 0);
	assert_int_equal(st.set, 2);
	assert_int_equal(st.coalesced, 1);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(rvimsic_file_stats(im, (struct rvimsic_file_id){0, 0, 1}, &st), 0);
	assert_int_equal(st.set, 0);
	rvimsic_destroy(im);
}

static void test_strerror(void **state)
{
	assert_string_equal(rvimsic_strerror(RVIMSIC_E_ACCESS), "RVIMSIC_E_ACCESS");
	assert_string_equal(rvimsic_strerror(RVIMSIC_E_FULL), "RVIMSIC_E_FULL");
	assert_string_equal(rvimsic_strerror(-100), "<unknown rvimsic error>");
	assert_string_equal(rvimsic_strerror(3), "<unknown rvimsic error>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_rules),
	    cmocka_unit_test(test_file_addr),
	    cmocka_unit_test(test_seteipnum_le_be),
	    cmocka_unit_test(test_be_unsupported_ignored),
	    cmocka_unit_test(test_id0_and_out_of_range_ignored),
	    cmocka_unit_test(test_mmio_reads_zero_and_other_offsets),
	    cmocka_unit_test(test_unused_page),
	    cmocka_unit_test(test_access_faults),
	    cmocka_unit_test(test_iselect_map),
	    cmocka_unit_test(test_eidelivery_warl),
	    cmocka_unit_test(test_topei_threshold_claim),
	    cmocka_unit_test(test_topei_max_id),
	    cmocka_unit_test(test_line_callbacks),
	    cmocka_unit_test(test_guest_and_m_lines),
	    cmocka_unit_test(test_save_restore),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
