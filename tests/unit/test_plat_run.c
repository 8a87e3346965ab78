/* SPDX-License-Identifier: MIT
 *
 * test_plat_run.c - run scenarios end to end through the library: the
 * default scenario on the default platform and on each fixture DTS passes
 * its invariants; a device detached with DMA in flight faults (cause 258)
 * and never corrupts; the report is byte-identical for one seed and differs
 * for another; and a deliberately wrong scenario expectation is caught
 * (the checks can fail).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/plat_internal.h" /* test_checks_can_fail reaches into RAM */
#include "rviommu/platform.h"

static char *report(const char *dtb, const char *json, uint64_t seed, bool as_json, bool *ok,
                    struct rvsim_result **keep)
{
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	if (rvsim_platform_create(dtb, &p, err, sizeof(err)))
		fail_msg("platform %s: %s", dtb ? dtb : "default", err);
	if (rvsim_scenario_parse(json, strlen(json), &s, err, sizeof(err)))
		fail_msg("scenario: %s", err);
	struct rvsim_run_opts o = {.seed = seed};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("run: %s", err);
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (as_json)
		rvsim_report_json(res, f);
	else
		rvsim_report_text(res, f);
	fclose(f);
	*ok = rvsim_result_ok(res);
	if (keep)
		*keep = res;
	else
		rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
	return buf;
}

static void test_default_passes(void **state)
{
	(void)state;
	bool ok = false;
	struct rvsim_result *res = NULL;
	char *txt = report(NULL, rvsim_default_scenario_json(), 1, false, &ok, &res);
	if (!ok)
		fail_msg("default scenario failed:\n%s", txt);
	struct rvsim_dev_stats st;
	/* three devices moved bytes and got their MSIs */
	const char *devs[] = {"nic0", "nvme0", "gpu0"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rvsim_result_dev(res, devs[i], &st), 0);
		assert_true(st.bytes_written > 0);
		assert_true(st.msis_raised > 0);
		assert_int_equal(st.msis_raised, st.msis_delivered);
		assert_int_equal(st.corrupt, 0);
	}
	/* the faulty device faulted, and only as expected */
	assert_int_equal(rvsim_result_dev(res, "bad0", &st), 0);
	assert_true(st.faults > 0);
	assert_int_equal(st.faults, st.faults_expected);
	assert_non_null(strstr(txt, "23 write guest-page fault"));
	assert_non_null(strstr(txt, "result: PASS\n")); /* and nothing skipped */
	assert_int_equal(rvsim_result_skipped(res), 0);
	/* the VM: three migrations, and gpu0's MSIs reached guest files */
	assert_non_null(strstr(txt, "vCPU migrations: 3"));
	assert_non_null(strstr(txt, "guest 1"));
	assert_int_equal(rvsim_result_dev(res, "nosuch", &st), RVSIM_E_INVAL);
	rvsim_result_free(res);
	free(txt);
}

static void test_fixtures_pass(void **state)
{
	(void)state;
	const char *names[] = {"virt-imsic-4.dts", "virt-imsic-8-g3.dts",
	                       "virt-imsic-2s-16-g7.dts"};
	for (int i = 0; i < 3; i++) {
		char path[1024];
		bool ok = false;
		snprintf(path, sizeof(path), "%s/%s", RVIOMMU_FIXTURES_DIR, names[i]);
		char *txt = report(path, rvsim_default_scenario_json(), 7, false, &ok, NULL);
		if (!ok)
			fail_msg("%s:\n%s", names[i], txt);
		free(txt);
	}
}

static void test_seed_determinism(void **state)
{
	(void)state;
	bool ok;
	char *a = report(NULL, rvsim_default_scenario_json(), 42, true, &ok, NULL);
	char *b = report(NULL, rvsim_default_scenario_json(), 42, true, &ok, NULL);
	char *c = report(NULL, rvsim_default_scenario_json(), 43, true, &ok, NULL);
	assert_string_equal(a, b);
	assert_true(strcmp(a, c) != 0); /* the seed matters (random/sg patterns) */
	free(a);
	free(b);
	free(c);
}

static const char detach_json[] =
    "{\"name\":\"detach\",\"devices\":[{\"name\":\"d0\",\"bdf\":\"00:01.0\"},"
    "{\"name\":\"d1\",\"bdf\":\"00:02.0\"}],"
    "\"domains\":[{\"name\":\"a\",\"devices\":[\"d0\"],\"maps\":[{\"name\":\"b\","
    "\"iova\":\"0x10000\",\"size\":\"0x20000\"}]},"
    "{\"name\":\"c\",\"devices\":[\"d1\"],\"maps\":[{\"iova\":\"0x10000\",\"size\":\"0x20000\","
    "\"pa\":\"@a.b\",\"prot\":\"r\"}]}],"
    "\"steps\":[{\"op\":\"dma\",\"device\":\"d0\",\"iova\":\"0x10000\",\"size\":\"0x20000\","
    "\"chunk\":256},{\"op\":\"msi\",\"device\":\"d0\"},{\"op\":\"msi\",\"device\":\"d0\"},"
    "{\"op\":\"detach\",\"device\":\"d0\"},{\"op\":\"msi\",\"device\":\"d0\"},{\"op\":\"wait\"},"
    "{\"op\":\"dma\",\"device\":\"d1\",\"dir\":\"read\",\"iova\":\"0x10000\","
    "\"size\":\"0x20000\",\"chunk\":4096}]}";

static void test_detach_in_flight(void **state)
{
	(void)state;
	bool ok = false;
	struct rvsim_result *res = NULL;
	char *txt = report(NULL, detach_json, 3, false, &ok, &res);
	if (!ok)
		fail_msg("%s", txt);
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_result_dev(res, "d0", &st), 0);
	assert_true(st.bytes_written > 0); /* some DMA happened before the detach */
	assert_true(st.faults > 0);        /* and the rest faulted */
	assert_int_equal(st.faults, st.faults_expected);
	assert_int_equal(st.corrupt, 0);
	assert_non_null(strstr(txt, "258 DDT entry not valid"));
	/* d1 read everything d0 wrote, through its own domain, intact */
	assert_int_equal(rvsim_result_dev(res, "d1", &st), 0);
	assert_int_equal(st.bytes_read, 0x20000);
	assert_int_equal(st.corrupt, 0);
	rvsim_result_free(res);
	free(txt);
}

/* The checks can fail: memory changed behind the devices' back (a stray
 * host write into d0's buffer before the run) must show up as corruption,
 * both in d1's reads and in the host read-back, and fail the run. */
static void test_checks_can_fail(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	char err[512] = "";
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(
	    rvsim_scenario_parse(detach_json, strlen(detach_json), &s, err, sizeof(err)), 0);
	/* the first "auto" buffer starts at alloc_next; d0 is detached long
	 * before it reaches offset 0x18000 */
	rv_physmem_write64(p->ram, p->alloc_next + 0x18000, UINT64_C(0xdeadbeefcafef00d));
	struct rvsim_run_opts o = {.seed = 3};
	assert_int_equal(rvsim_run(p, s, &o, &res, err, sizeof(err)), 0);
	assert_false(rvsim_result_ok(res));
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_result_dev(res, "d1", &st), 0);
	assert_int_equal(st.corrupt, 1);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	rvsim_report_text(res, f);
	fclose(f);
	assert_non_null(strstr(buf, "[FAIL] no data corruption"));
	assert_non_null(strstr(buf, "host read-back"));
	assert_non_null(strstr(buf, "result: FAIL"));
	free(buf);
	rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
}

/* The MSI check can fail: hart 2's S file has every identity disabled
 * (eie = 0) behind the OS's back, so nvme0's vector 1 MSIs (affinity hart
 * 3, then 7) still pass, but its vector 0 (hart 2) ones are set pending and
 * never taken. */
static void test_msi_check_can_fail(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	char err[512] = "";
	const char *json = "{\"devices\":[{\"name\":\"n\",\"bdf\":\"00:02.0\","
	                   "\"affinity\":[2,3]}],\"domains\":[{\"name\":\"d\","
	                   "\"devices\":[\"n\"]}],\"steps\":[{\"op\":\"msi\",\"device\":\"n\","
	                   "\"vector\":0},{\"op\":\"msi\",\"device\":\"n\",\"vector\":1}]}";
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(rvsim_scenario_parse(json, strlen(json), &s, err, sizeof(err)), 0);
	struct rvimsic_file_id f = {0, 2, 0}; /* group 0, hart 2, S file */
	for (uint32_t k = 0; k < 64; k += 2)
		assert_int_equal(
		    rvimsic_ireg_write(p->imsics[p->s_imsic].im, f, RVIMSIC_ISEL_EIE0 + k, 0), 0);
	assert_int_equal(rvsim_run(p, s, NULL, &res, err, sizeof(err)), 0);
	assert_false(rvsim_result_ok(res));
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_result_dev(res, "n", &st), 0);
	assert_int_equal(st.msis_raised, 2);
	assert_int_equal(st.msis_delivered, 2); /* both reached their files */
	assert_int_equal(st.msis_taken, 1);     /* one was never taken */
	rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
}

/* A platform runs one scenario: a second run is refused. */
static void test_one_run_per_platform(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL, *res2 = NULL;
	char err[256] = "";
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(
	    rvsim_scenario_parse(detach_json, strlen(detach_json), &s, err, sizeof(err)), 0);
	assert_int_equal(rvsim_run(p, s, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(rvsim_run(p, s, NULL, &res2, err, sizeof(err)), RVSIM_E_INVAL);
	assert_null(res2);
	assert_int_equal(rvsim_run(NULL, s, NULL, &res2, err, sizeof(err)), RVSIM_E_INVAL);
	rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_passes),       cmocka_unit_test(test_fixtures_pass),
	    cmocka_unit_test(test_seed_determinism),     cmocka_unit_test(test_detach_in_flight),
	    cmocka_unit_test(test_checks_can_fail),      cmocka_unit_test(test_msi_check_can_fail),
	    cmocka_unit_test(test_one_run_per_platform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
