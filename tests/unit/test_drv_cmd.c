/* SPDX-License-Identifier: MIT
 *
 * test_drv_cmd.c - the driver's command builder (rvd_cmd_build).
 *
 * Expected words are assembled by hand from the §4.1 layouts: opcode 6:0,
 * func3 9:7; IOTINVAL AV 10, PSCID 31:12, PSCV 32, GV 33, NL 34,
 * GSCID 59:44, DW1 S 9 and ADDR[63:12] at 61:10; IOFENCE AV 10, WSI 11,
 * PR 12, PW 13, DATA 63:32, DW1 ADDR[63:2]; IODIR PID 31:12, DV 33,
 * DID 63:40; ATS PID 31:12, PV 32, DSV 33, RID 55:40, DSEG 63:56.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "driver/drv_internal.h"

#define ALLCAPS (RVI_CAP_NL | RVI_CAP_S | RVI_CAP_ATS)

static struct rvd_cmd mk(enum rvd_cmd_op op)
{
	struct rvd_cmd c;
	memset(&c, 0, sizeof(c));
	c.op = op;
	return c;
}

static void test_iotinval_vma(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IOTINVAL_VMA);
	c.inval.av = true;
	c.inval.pscv = true;
	c.inval.pscid = 5;
	c.inval.addr = 0x12345000;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(0x100005401));
	assert_int_equal(w[1], UINT64_C(0x12345) << 10);
	/* all-zero form: invalidate everything */
	c = mk(RVD_CMD_IOTINVAL_VMA);
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 0);
}

static void test_iotinval_gvma(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IOTINVAL_GVMA);
	c.inval.gv = true;
	c.inval.gscid = 3;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(0x0000300200000081));
	assert_int_equal(w[1], 0);
	c.inval.pscv = true; /* PSCV with GVMA is illegal */
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL);
}

static void test_nl_and_s(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IOTINVAL_VMA);
	c.inval.av = true;
	c.inval.addr = 0x4000;
	c.inval.nl = true;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL); /* no caps.NL */
	assert_int_equal(rvd_cmd_build(RVI_CAP_NL, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(1) | (UINT64_C(1) << 10) | (UINT64_C(1) << 34));
	c.inval.nl = false;
	c.inval.s = true;
	assert_int_equal(rvd_cmd_build(RVI_CAP_NL, 0, &c, w), -EINVAL); /* no caps.S */
	assert_int_equal(rvd_cmd_build(RVI_CAP_S, 0, &c, w), 0);
	assert_int_equal(w[1], (UINT64_C(4) << 10) | (UINT64_C(1) << 9));
	c.inval.av = false; /* S and NL need AV */
	assert_int_equal(rvd_cmd_build(RVI_CAP_S, 0, &c, w), -EINVAL);
	c.inval.s = false;
	c.inval.nl = true;
	assert_int_equal(rvd_cmd_build(RVI_CAP_NL, 0, &c, w), -EINVAL);
}

static void test_field_widths(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IOTINVAL_VMA);
	c.inval.pscv = true;
	c.inval.pscid = 1u << 20;
	assert_int_equal(rvd_cmd_build(ALLCAPS, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_IOTINVAL_GVMA);
	c.inval.gv = true;
	c.inval.gscid = 1u << 16;
	assert_int_equal(rvd_cmd_build(ALLCAPS, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_IOTINVAL_GVMA);
	c.inval.av = true;
	c.inval.addr = 0x1800; /* not page aligned */
	assert_int_equal(rvd_cmd_build(ALLCAPS, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_IODIR_INVAL_DDT);
	c.iodir.dv = true;
	c.iodir.did = 1u << 24;
	assert_int_equal(rvd_cmd_build(ALLCAPS, 0, &c, w), -EINVAL);
}

static void test_iofence(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IOFENCE_C);
	c.fence.pr = c.fence.pw = true;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], 0x3002);
	assert_int_equal(w[1], 0);
	c = mk(RVD_CMD_IOFENCE_C);
	c.fence.av = true;
	c.fence.data = 0xdead;
	c.fence.addr = 0x1000;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(2) | (UINT64_C(1) << 10) | (UINT64_C(0xdead) << 32));
	assert_int_equal(w[1], 0x400);
	c.fence.addr = 0x1002;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_IOFENCE_C);
	c.fence.wsi = true; /* reserved unless fctl.WSI */
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL);
	assert_int_equal(rvd_cmd_build(0, RVI_FCTL_WSI, &c, w), 0);
	assert_int_equal(w[0], 0x802);
}

static void test_iodir(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_IODIR_INVAL_DDT);
	c.iodir.dv = true;
	c.iodir.did = 0x123456;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(3) | (UINT64_C(1) << 33) | (UINT64_C(0x123456) << 40));
	assert_int_equal(w[1], 0);
	c.iodir.pid = 1; /* PID is reserved for INVAL_DDT */
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_IODIR_INVAL_PDT);
	c.iodir.pid = 7;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL); /* needs DV */
	c.iodir.dv = true;
	c.iodir.did = 9;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(3) | (UINT64_C(1) << 7) | (UINT64_C(7) << 12) |
	                           (UINT64_C(1) << 33) | (UINT64_C(9) << 40));
}

static void test_ats(void **state)
{
	uint64_t w[2];
	(void)state;
	struct rvd_cmd c = mk(RVD_CMD_ATS_PRGR);
	c.ats.rid = 0x100;
	c.ats.pv = true;
	c.ats.pid = 2;
	c.ats.payload = UINT64_C(5) << 32;
	assert_int_equal(rvd_cmd_build(0, 0, &c, w), -EINVAL); /* no caps.ATS */
	assert_int_equal(rvd_cmd_build(RVI_CAP_ATS, 0, &c, w), 0);
	assert_int_equal(w[0], UINT64_C(4) | (UINT64_C(1) << 7) | (UINT64_C(2) << 12) |
	                           (UINT64_C(1) << 32) | (UINT64_C(0x100) << 40));
	assert_int_equal(w[1], UINT64_C(5) << 32);
	c.ats.payload = 1; /* PRGR payload bits 31:0 are reserved */
	assert_int_equal(rvd_cmd_build(RVI_CAP_ATS, 0, &c, w), -EINVAL);
	c = mk(RVD_CMD_ATS_INVAL);
	c.ats.rid = 0x10000; /* RID is 16 bits */
	assert_int_equal(rvd_cmd_build(RVI_CAP_ATS, 0, &c, w), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iotinval_vma), cmocka_unit_test(test_iotinval_gvma),
	    cmocka_unit_test(test_nl_and_s),     cmocka_unit_test(test_field_widths),
	    cmocka_unit_test(test_iofence),      cmocka_unit_test(test_iodir),
	    cmocka_unit_test(test_ats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
