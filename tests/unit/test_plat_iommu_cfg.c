/* SPDX-License-Identifier: MIT
 *
 * test_plat_iommu_cfg.c - the scenario's "iommu" object: every IOMMU of
 * the platform is rebuilt with that implementation before the run.  An
 * IOMMU without IOATCs never hits its IOTLB; a first-stage-only IOMMU gives
 * "auto" DMA domains the first stage (faults 13/15, never 21/23); an IOMMU
 * without ATS refuses an ATS device (RVSIM_E_SCENARIO naming the field);
 * without MSI_FLAT MSIs still arrive; VMs are skipped without a second
 * stage; illegal or unknown fields fail to parse, naming "iommu.<field>".
 * Every such scenario still passes its invariants.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/scen.h" /* the per-cause fault counts of a result */
#include "rviommu/platform.h"

static struct rvsim_result *run_file(const char *name)
{
	char path[512], err[512] = "";
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	snprintf(path, sizeof(path), "%s/examples/scenarios/%s", RVIOMMU_SOURCE_DIR, name);
	if (rvsim_scenario_load(path, &s, err, sizeof(err)))
		fail_msg("%s", err);
	if (rvsim_platform_create(NULL, &p, err, sizeof(err)))
		fail_msg("platform: %s", err);
	struct rvsim_run_opts o = {.seed = 3};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("run %s: %s", name, err);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
	if (!rvsim_result_ok(res))
		fail_msg("%s: an invariant failed (%s)", name, res->nviol ? res->viol[0] : "");
	return res;
}

static void test_no_cache_no_msi_flat(void **state)
{
	(void)state;
	struct rvsim_result *res = run_file("iommu-minimal.json");
	struct rvsim_dev_stats st;
	for (size_t i = 0; i < res->ndevs; i++) {
		assert_int_equal(rvsim_result_dev(res, res->devs[i].name, &st), 0);
		assert_true(st.translations > 0);
		assert_int_equal(st.iotlb_hits, 0); /* iotlb_entries = 0 */
		assert_int_equal(st.msis_raised, st.msis_delivered);
		assert_int_equal(st.msis_raised, st.msis_taken);
	}
	assert_int_equal(rvsim_result_skipped(res), 1); /* the VM: no MSI_FLAT */
	assert_non_null(strstr(res->msi_policy, "no MSI_FLAT"));
	rvsim_result_free(res);
}

static void test_first_stage_only(void **state)
{
	(void)state;
	struct rvsim_result *res = run_file("iommu-first-stage.json");
	assert_true(res->faults[13] > 0); /* "auto" domains use the first stage */
	assert_true(res->faults[15] > 0);
	assert_int_equal(res->faults[21], 0);
	assert_int_equal(res->faults[23], 0);
	rvsim_result_free(res);
}

static int run_text(const char *json, char *err, size_t errlen)
{
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	int r = rvsim_scenario_parse(json, strlen(json), &s, err, errlen);
	if (r)
		return r;
	if (rvsim_platform_create(NULL, &p, err, errlen))
		fail_msg("platform: %s", err);
	r = rvsim_run(p, s, NULL, &res, err, errlen);
	if (!r && !rvsim_result_ok(res))
		r = 1;
	rvsim_result_free(res);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
	return r;
}

#define NOATS "\"iommu\":{\"clear_capabilities\":[\"ATS\",\"t2gpa\"]}"

static void test_without_ats(void **state)
{
	(void)state;
	char err[512] = "";
	/* an ATS device needs the capability */
	assert_int_equal(run_text("{" NOATS ",\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\","
	                          "\"ats\":true}],\"steps\":[]}",
	                          err, sizeof(err)),
	                 RVSIM_E_SCENARIO);
	assert_non_null(strstr(err, "devices[0].ats: the IOMMU has no ATS capability"));
	/* plain devices run and pass */
	assert_int_equal(
	    run_text("{" NOATS ",\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}],"
	             "\"domains\":[{\"name\":\"d\",\"devices\":[\"a\"],\"maps\":[{\"iova\":4096,"
	             "\"size\":8192}]}],\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":4096,"
	             "\"size\":12288},{\"op\":\"msi\",\"device\":\"a\"}]}",
	             err, sizeof(err)),
	    0);
}

static const struct {
	const char *iommu;
	const char *want;
} bad[] = {
    {"{\"iotlb_size\":4}", "iommu.iotlb_size: unknown field"},
    {"{\"iotlb_entries\":-1}", "iommu.iotlb_entries: must not be negative"},
    {"{\"capabilities\":\"0x1ffffffffffffffff\"}",
     "iommu.capabilities: \"0x1ffffffffffffffff\" does not fit in 64 bits"},
    {"{\"iotlb_entries\":\"0x100000000\"}", "iommu.iotlb_entries: 4294967296 is larger"},
    {"{\"msi_be\":1}", "iommu.msi_be: must be true or false"},
    {"{\"clear_capabilities\":[\"sv40\"]}", "iommu.clear_capabilities[0]: not a capability"},
    {"{\"set_capabilities\":\"ats\"}", "iommu.set_capabilities: must be an array"},
    {"{\"clear_capabilities\":[\"sv39\"]}", "iommu.clear_capabilities: not a legal"},
    {"{\"capabilities\":\"0x3\"}", "iommu.capabilities: not a legal"},
    {"{\"iotlb_entries\":8,\"icvec_bits\":9}", "iommu.icvec_bits: not a legal"},
    {"[]", "iommu: must be an object"},
};

static void test_bad_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[512], err[512] = "";
		struct rvsim_scenario *s = NULL;
		snprintf(json, sizeof(json), "{\"iommu\":%s,\"devices\":[],\"steps\":[]}",
		         bad[i].iommu);
		int r = rvsim_scenario_parse(json, strlen(json), &s, err, sizeof(err));
		if (r != RVSIM_E_SCENARIO || !strstr(err, bad[i].want))
			fail_msg("%s: got %d '%s', want '%s'", bad[i].iommu, r, err, bad[i].want);
		assert_null(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_cache_no_msi_flat),
	    cmocka_unit_test(test_first_stage_only),
	    cmocka_unit_test(test_without_ats),
	    cmocka_unit_test(test_bad_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
