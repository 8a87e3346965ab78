/* SPDX-License-Identifier: MIT
 *
 * test_plat_ats.c - devices with ATS and a device ATC
 * (examples/scenarios/ats.json): a second-stage and a first-stage device
 * fill their ATCs with Translation Requests and then mostly hit them; an
 * unmap makes the driver send ATS.INVAL, after which the devices' accesses
 * to the unmapped range fault with the stage's cause (a stale ATC entry
 * would be a violation); the data a peer reads is intact.  PRI: page
 * requests map "demand" pages (examples/scenarios/pri.json).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/platform.h"

static void test_ats_example(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	char err[512] = "";
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	if (rvsim_scenario_load(RVIOMMU_SOURCE_DIR "/examples/scenarios/ats.json", &s, err,
	                        sizeof(err)))
		fail_msg("%s", err);
	struct rvsim_run_opts o = {.seed = 11};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(rvsim_result_ok(res));
	const char *ats_devs[] = {"nic0", "ssd0"};
	for (int i = 0; i < 2; i++) {
		assert_int_equal(rvsim_result_dev(res, ats_devs[i], &st), 0);
		assert_true(st.ats_requests > 0);
		assert_true(st.atc_hits > 4 * st.ats_requests); /* the ATC works */
		assert_true(st.ats_invals >= 1);                /* the unmap reached it */
		assert_true(st.faults > 0);                     /* and took effect */
		assert_int_equal(st.faults, st.faults_expected);
		assert_int_equal(st.corrupt, 0);
	}
	assert_int_equal(rvsim_result_dev(res, "plain", &st), 0);
	assert_int_equal(st.ats_requests, 0);
	assert_int_equal(st.bytes_read, 0x40000);
	assert_int_equal(st.corrupt, 0);
	rvsim_result_free(res);
	rvsim_scenario_free(s);
	rvsim_platform_destroy(p);
}

/* PRI (examples/scenarios/pri.json): a device with ATS and PRI touches a
 * "demand" heap; each first touch is a page request that the OS answers by
 * mapping the page; writes to a read-only demand map and to unmapped space
 * are refused (Invalid Request) and then fault as untranslated writes;
 * another device reads back through a shared mapping exactly what was
 * written. */
static void test_pri_example(void **state)
{
	(void)state;
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	char err[512] = "";
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	if (rvsim_scenario_load(RVIOMMU_SOURCE_DIR "/examples/scenarios/pri.json", &s, err,
	                        sizeof(err)))
		fail_msg("%s", err);
	struct rvsim_run_opts o = {.seed = 5};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(rvsim_result_ok(res));
	assert_int_equal(rvsim_result_dev(res, "gpu0", &st), 0);
	assert_true(st.page_requests > 100);
	assert_true(st.prg_success > 0 && st.prg_success < st.page_requests);
	assert_true(st.faults > 0); /* the refused ones */
	assert_int_equal(st.faults, st.faults_expected);
	assert_true(st.bytes_written > 0);
	assert_int_equal(rvsim_result_dev(res, "cpu", &st), 0);
	assert_int_equal(st.bytes_read, 0x100000);
	assert_int_equal(st.corrupt, 0);
	rvsim_result_free(res);
	rvsim_scenario_free(s);
	rvsim_platform_destroy(p);
}

/* pri without ats is a scenario error naming the field */
static void test_pri_needs_ats(void **state)
{
	(void)state;
	const char *j = "{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\",\"pri\":true}],"
	                "\"steps\":[]}";
	struct rvsim_scenario *s = NULL;
	char err[256] = "";
	assert_int_equal(rvsim_scenario_parse(j, strlen(j), &s, err, sizeof(err)),
	                 RVSIM_E_SCENARIO);
	assert_non_null(strstr(err, "devices[0].pri: needs \"ats\": true"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ats_example),
	    cmocka_unit_test(test_pri_example),
	    cmocka_unit_test(test_pri_needs_ats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
