/* SPDX-License-Identifier: MIT
 *
 * tests/unit/test_snapshot.c - rvm_save()/rvm_restore(): round trips give
 * the same register reads and the same behaviour (queues, outstanding ATS
 * invalidations, HPM), and every damaged blob (other version, each byte
 * flipped, each truncation, other capabilities) is refused with the
 * instance left exactly as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "model/model_internal.h"

#define MAX_BLOB 8192

struct blob {
	uint8_t b[MAX_BLOB];
	size_t len;
};

static void save(struct fx *f, struct blob *bl)
{
	long n = rvm_save(f->m, NULL, 0);
	assert_true(n > 20 && n <= MAX_BLOB);
	assert_int_equal(rvm_save(f->m, bl->b, sizeof(bl->b)), n);
	bl->len = (size_t)n;
}

static void assert_state_is(struct fx *f, const struct blob *expect)
{
	struct blob now;
	save(f, &now);
	assert_int_equal(now.len, expect->len);
	assert_memory_equal(now.b, expect->b, now.len);
}

/* Every 4-byte register read, with its return code, over the whole page. */
static void reg_image(struct fx *f, uint64_t *img)
{
	for (uint32_t off = 0; off < RVI_REG_BLOCK_SIZE; off += 4) {
		uint64_t v = 0;
		int rc = rvm_mmio_read(f->m, off, 4, &v);
		img[off / 4] = ((uint64_t)(uint32_t)rc << 32) | (uint32_t)v;
	}
}

#define FENCE_C                                                                                    \
	(RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |                                         \
	 RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C))

static uint64_t inval_dw0(uint16_t rid)
{
	return RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_ATS) |
	       RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_ATS_INVAL) | RVI_FIELD_PREP(RVI_ATS_RID, rid);
}

/* Put many registers in non-reset states. */
static void program(struct fx *f)
{
	fx_enable_queues(f, 3);
	fx_wr(f, RVI_REG_DDTP, 8, RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_BARE));
	fx_wr(f, RVI_REG_ICVEC, 8, 0x3210);
	fx_wr(f, RVI_REG_MSI_ADDR(3), 8, 0x12345678);
	fx_wr(f, RVI_REG_MSI_DATA(3), 4, 0xabc);
	fx_wr(f, RVI_REG_MSI_VEC_CTL(3), 4, 1);
	fx_wr(f, RVI_REG_IOMMU_QOSID, 4, RVI_FIELD_PREP(RVI_IOMMU_QOSID_RCID, 5));
	fx_wr(f, RVI_REG_IOHPMEVT(2), 8,
	      RVI_FIELD_PREP(RVI_IOHPMEVT_EVENTID, RVI_HPM_EV_UNTRANSLATED_REQ) |
	          RVI_IOHPMEVT_DV_GSCV | RVI_FIELD_PREP(RVI_IOHPMEVT_DID_GSCID, 9));
	fx_wr(f, RVI_REG_IOHPMCTR(2), 8, 1234);
	fx_wr(f, RVI_REG_IOCOUNTINH, 4, 1u << 3);
	fx_wr(f, RVI_REG_TR_REQ_IOVA, 8, 0x5000);
	rvm_advance(f->m, 333);
	fx_cmd(f, inval_dw0(0x42), 0);
	fx_cmd(f, FENCE_C, 0); /* stalls: the invalidation is outstanding */
}

/* Restoring into a fresh instance gives identical register reads. */
static void test_roundtrip_registers(void **state)
{
	(void)state;
	struct fx *a = fx_create(NULL), *b = fx_create(NULL);
	static struct blob bl;
	static uint64_t ia[RVI_REG_BLOCK_SIZE / 4], ib[RVI_REG_BLOCK_SIZE / 4];
	program(a);
	save(a, &bl);
	reg_image(a, ia);
	assert_int_equal(rvm_restore(b->m, bl.b, bl.len), 0);
	reg_image(b, ib);
	assert_memory_equal(ia, ib, sizeof(ia));
	assert_state_is(b, &bl);
	/* The HPM fast-path gate is rebuilt: counter 2 counts device 9. */
	assert_int_equal(b->m->hpm_active, a->m->hpm_active);
	assert_int_equal(b->m->hpm_active, 1u << 2);
	fx_destroy(a);
	fx_destroy(b);
}

/* Same behaviour after restore: the stalled fence and the outstanding
 * invalidation come back, and its ITAG and deadline still work. */
static void test_roundtrip_behaviour(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.ats_inval_timeout = 1000;
	struct fx *f = fx_create(&cfg);
	static struct blob bl;
	program(f);
	uint32_t itag = f->ats[0].itag;
	assert_int_equal(fx_rd(f, RVI_REG_CQH, 4), 1);
	save(f, &bl);

	/* Diverge: complete it; the fence finishes. */
	rvm_ats_inval_completion(f->m, 0x42, itag);
	assert_int_equal(fx_rd(f, RVI_REG_CQH, 4), 2);

	/* Restore: stalled again; the same completion releases it. */
	assert_int_equal(rvm_restore(f->m, bl.b, bl.len), 0);
	assert_int_equal(fx_rd(f, RVI_REG_CQH, 4), 1);
	rvm_ats_inval_completion(f->m, 0x42, itag);
	assert_int_equal(fx_rd(f, RVI_REG_CQH, 4), 2);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, 0);

	/* Restore again: the deadline (333 + 1000) is kept, so 1000 more
	 * cycles time it out and the fence reports cmd_to. */
	assert_int_equal(rvm_restore(f->m, bl.b, bl.len), 0);
	rvm_advance(f->m, 999);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, 0);
	rvm_advance(f->m, 1);
	assert_int_equal(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CMD_TO, RVI_CQCSR_CMD_TO);
	assert_int_equal(fx_rd(f, RVI_REG_IOHPMCYCLES, 8), 333 + 1000);
	fx_destroy(f);
}

/* Another format version is RVM_EVERSION, and changes nothing. */
static void test_version_mismatch(void **state)
{
	(void)state;
	struct fx *a = fx_create(NULL), *b = fx_create(NULL);
	static struct blob bl, before;
	program(a);
	save(a, &bl);
	save(b, &before);
	bl.b[8] ^= 0x02; /* version 1 -> 3 */
	assert_int_equal(rvm_restore(b->m, bl.b, bl.len), RVM_EVERSION);
	assert_state_is(b, &before);
	fx_destroy(a);
	fx_destroy(b);
}

/* Flipping any byte (any bit pattern) makes restore fail, and the target
 * instance is unchanged.  CRC-32 detects every error within 32 bits. */
static void test_corruption_each_byte(void **state)
{
	(void)state;
	struct fx *a = fx_create(NULL), *b = fx_create(NULL);
	static struct blob bl, before, bad;
	program(a);
	save(a, &bl);
	save(b, &before);
	const uint8_t flips[] = {0x01, 0x80, 0xff};
	assert_true(bl.len > 900); /* every register and field is in there */
	for (size_t i = 0; i < bl.len; i++) {
		for (unsigned k = 0; k < sizeof(flips); k++) {
			bad = bl;
			bad.b[i] ^= flips[k];
			int rc = rvm_restore(b->m, bad.b, bad.len);
			if (rc != RVM_ECORRUPT && rc != RVM_EVERSION)
				fail_msg("byte %zu ^ 0x%x: restore returned %d", i, flips[k], rc);
		}
	}
	assert_state_is(b, &before);
	fx_destroy(a);
	fx_destroy(b);
}

/* Every truncation, and trailing garbage, is RVM_ECORRUPT. */
static void test_truncation(void **state)
{
	(void)state;
	struct fx *a = fx_create(NULL), *b = fx_create(NULL);
	static struct blob bl, before;
	program(a);
	save(a, &bl);
	save(b, &before);
	for (size_t n = 0; n < bl.len; n++)
		assert_int_equal(rvm_restore(b->m, bl.b, n), RVM_ECORRUPT);
	assert_int_equal(rvm_restore(b->m, bl.b, bl.len + 1), RVM_ECORRUPT);
	assert_int_equal(rvm_restore(b->m, NULL, 0), RVM_ECORRUPT);
	assert_state_is(b, &before);
	fx_destroy(a);
	fx_destroy(b);
}

/* A blob from an instance with other capabilities (or other WARL-shaping
 * configuration) is refused with RVM_EINVAL. */
static void test_config_mismatch(void **state)
{
	(void)state;
	struct rvm_config cfg;
	rvm_config_default(&cfg);
	cfg.capabilities &= ~RVI_CAP_DBG;
	struct fx *a = fx_create(&cfg), *b = fx_create(NULL);
	static struct blob bl, before;
	save(a, &bl);
	save(b, &before);
	assert_int_equal(rvm_restore(b->m, bl.b, bl.len), RVM_EINVAL);
	assert_state_is(b, &before);
	fx_destroy(a);

	rvm_config_default(&cfg);
	cfg.hpm_counters = 4;
	a = fx_create(&cfg);
	save(a, &bl);
	assert_int_equal(rvm_restore(b->m, bl.b, bl.len), RVM_EINVAL);
	assert_state_is(b, &before);
	fx_destroy(a);

	/* More outstanding invalidations than the target can track. */
	rvm_config_default(&cfg);
	cfg.ats_inval_max = 1;
	a = fx_create(NULL);
	struct fx *c = fx_create(&cfg);
	fx_enable_queues(a, 3);
	fx_cmd(a, inval_dw0(1), 0);
	fx_cmd(a, inval_dw0(2), 0);
	save(a, &bl);
	save(c, &before);
	assert_int_equal(rvm_restore(c->m, bl.b, bl.len), RVM_EINVAL);
	assert_state_is(c, &before);
	fx_destroy(a);
	fx_destroy(b);
	fx_destroy(c);
}

/* rvm_save() with a NULL buffer gives the size; a short buffer fails. */
static void test_save_buffer_size(void **state)
{
	(void)state;
	struct fx *a = fx_create(NULL);
	long n = rvm_save(a->m, NULL, 0);
	assert_true(n > 20);
	uint8_t *buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(rvm_save(a->m, buf, (size_t)n - 1), RVM_EINVAL);
	assert_int_equal(rvm_save(a->m, buf, (size_t)n), n);
	assert_memory_equal(buf, "RVIOMMUS", 8);
	free(buf);
	fx_destroy(a);
}

/* Same translation and fault results after a restore: diverge (iommu_mode
 * Off), restore, and the same requests give the same outcomes. */
static void test_roundtrip_translation(void **state)
{
	(void)state;
	struct fx *f = fx_create(NULL);
	static struct blob bl;
	fx_enable_queues(f, 4);
	fx_ddt_init(f, RVI_DDTP_MODE_1LVL);
	uint64_t root = fx_pt_new(f, "sv39");
	fx_map(f, "sv39", root, 0x1000, 0x66000, 0, RVI_PTE_R | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D);
	uint64_t dc[8] = {0};
	dc[RVI_DC_TC] = RVI_DC_TC_V;
	dc[RVI_DC_FSC] =
	    RVI_FIELD_PREP(RVI_FSC_MODE, RVI_IOSATP_SV39) | RVI_FIELD_PREP(RVI_FSC_PPN, root >> 12);
	fx_set_dc(f, 4, dc);
	struct rvm_req rd = fx_req(4, RVM_ACC_READ, 0x1010);
	struct rvm_req wr = fx_req(4, RVM_ACC_WRITE, 0x1010);
	struct rvm_resp rs;
	assert_int_equal(rvm_translate(f->m, &rd, &rs), 0);
	assert_int_equal(rs.pa, 0x66010);
	assert_int_equal(rvm_translate(f->m, &wr, &rs), RVI_CAUSE_WR_PAGE);
	uint64_t rec[4];
	assert_true(fx_pop_fault(f, rec));
	save(f, &bl);

	fx_wr(f, RVI_REG_DDTP, 8, RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_OFF));
	assert_int_equal(rvm_translate(f->m, &rd, &rs), RVI_CAUSE_ALL_DISALLOWED);
	assert_true(fx_pop_fault(f, rec));

	assert_int_equal(rvm_restore(f->m, bl.b, bl.len), 0);
	assert_int_equal(rvm_translate(f->m, &rd, &rs), 0);
	assert_int_equal(rs.pa, 0x66010);
	assert_int_equal(rvm_translate(f->m, &wr, &rs), RVI_CAUSE_WR_PAGE);
	/* The fault queue position was restored too: the record lands in the
	 * slot after the one consumed before the save. */
	assert_true(fx_pop_fault(f, rec));
	assert_int_equal(RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, rec[0]), RVI_CAUSE_WR_PAGE);
	assert_int_equal(fx_rd(f, RVI_REG_FQH, 4), 2);
	fx_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_registers),
	    cmocka_unit_test(test_roundtrip_behaviour),
	    cmocka_unit_test(test_version_mismatch),
	    cmocka_unit_test(test_corruption_each_byte),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_config_mismatch),
	    cmocka_unit_test(test_save_buffer_size),
	    cmocka_unit_test(test_roundtrip_translation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
