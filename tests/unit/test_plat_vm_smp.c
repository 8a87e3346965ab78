/* SPDX-License-Identifier: MIT
 *
 * test_plat_vm_smp.c - VMs with more than one vCPU: each vCPU gets its own
 * guest interrupt file (vIMSIC S file at VM_VIMSIC_GPA | vcpu << 12), a
 * device's vector targets vCPU (hart index mod vcpus), vcpu_migrate moves
 * the vCPU it names, and guest files are never shared between the vCPUs of
 * different VMs.  Every MSI is taken exactly once at its file (the run's
 * invariants), for several seeds; bad vcpus/vcpu values are named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/scen.h" /* the per-file delivery counts of a result */
#include "rviommu/platform.h"

static struct rvsim_result *run_json(const char *json, uint64_t seed)
{
	char err[512] = "";
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	if (rvsim_scenario_parse(json, strlen(json), &s, err, sizeof(err)))
		fail_msg("parse: %s", err);
	if (rvsim_platform_create(NULL, &p, err, sizeof(err)))
		fail_msg("platform: %s", err);
	struct rvsim_run_opts o = {.seed = seed};
	if (rvsim_run(p, s, &o, &res, err, sizeof(err)))
		fail_msg("run: %s", err);
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
	if (!rvsim_result_ok(res))
		fail_msg("seed %llu: an invariant failed: %s", (unsigned long long)seed,
		         res->nviol ? res->viol[0] : "(counters)");
	assert_int_equal(rvsim_result_skipped(res), 0);
	return res;
}

static uint64_t file_n(const struct rvsim_result *res, uint32_t hartid, uint32_t guest)
{
	for (size_t i = 0; i < res->nfiles; i++)
		if (res->files[i].hartid == hartid && res->files[i].guest == guest)
			return res->files[i].n;
	return 0;
}

/* 4 vCPUs on harts 4..7; vector v (affinity v) -> vCPU v, raised v + 1 times */
#define SMP4                                                                                       \
	"{\"devices\":[{\"name\":\"d\",\"bdf\":\"00:01.0\",\"vectors\":4,"                         \
	"\"affinity\":[0,1,2,3]}],\"vms\":[{\"name\":\"v\",\"hart\":4,\"vcpus\":4}],"              \
	"\"steps\":[{\"op\":\"vm_assign\",\"device\":\"d\",\"vm\":\"v\"},"                         \
	"{\"op\":\"msi\",\"device\":\"d\",\"vector\":0},"                                          \
	"{\"op\":\"msi\",\"device\":\"d\",\"vector\":1,\"count\":2},"                              \
	"{\"op\":\"msi\",\"device\":\"d\",\"vector\":2,\"count\":3},"                              \
	"{\"op\":\"msi\",\"device\":\"d\",\"vector\":3,\"count\":4}%s]}"

static void test_vector_per_vcpu(void **state)
{
	(void)state;
	char json[2048];
	snprintf(json, sizeof(json), SMP4, "");
	struct rvsim_result *res = run_json(json, 1);
	/* default platform: hartid = hart index; each vCPU on its own hart */
	for (uint32_t k = 0; k < 4; k++)
		assert_true(file_n(res, 4 + k, 1) >= 1);
	struct rvsim_dev_stats st;
	assert_int_equal(rvsim_result_dev(res, "d", &st), 0);
	assert_int_equal(st.msis_raised, 10);
	assert_int_equal(st.msis_delivered, 10);
	rvsim_result_free(res);
}

static void test_migrate_one_vcpu(void **state)
{
	(void)state;
	char json[2048];
	/* move vCPU 2 to hart 0, vCPU 3 to hart 4 (where vCPU 0 is) */
	snprintf(json, sizeof(json), SMP4,
	         ",{\"op\":\"vcpu_migrate\",\"vm\":\"v\",\"vcpu\":2,\"hart\":0},"
	         "{\"op\":\"msi\",\"device\":\"d\",\"vector\":2,\"count\":2},"
	         "{\"op\":\"vcpu_migrate\",\"vm\":\"v\",\"vcpu\":3,\"hart\":4},"
	         "{\"op\":\"msi\",\"device\":\"d\",\"vector\":3},"
	         "{\"op\":\"affinity\",\"device\":\"d\",\"vector\":0,\"hart\":5},"
	         "{\"op\":\"msi\",\"device\":\"d\",\"vector\":0}");
	for (uint64_t seed = 1; seed <= 8; seed++) {
		struct rvsim_result *res = run_json(json, seed);
		assert_int_equal(res->vm_migrations, 2);
		assert_true(file_n(res, 0, 1) >= 1); /* vCPU 2 after its move */
		assert_true(file_n(res, 4, 2) >= 1); /* vCPU 3 beside vCPU 0 */
		rvsim_result_free(res);
	}
}

static void test_vms_do_not_share_files(void **state)
{
	(void)state;
	const char *json = "{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\",\"vectors\":1},"
	                   "{\"name\":\"b\",\"bdf\":\"00:02.0\",\"vectors\":1}],"
	                   "\"vms\":[{\"name\":\"x\",\"hart\":3},{\"name\":\"y\",\"hart\":3}],"
	                   "\"steps\":[{\"op\":\"vm_assign\",\"device\":\"a\",\"vm\":\"x\"},"
	                   "{\"op\":\"vm_assign\",\"device\":\"b\",\"vm\":\"y\"},"
	                   "{\"op\":\"msi\",\"device\":\"a\"},{\"op\":\"msi\",\"device\":\"b\"}]}";
	struct rvsim_result *res = run_json(json, 1);
	assert_int_equal(file_n(res, 3, 1), 1);
	assert_int_equal(file_n(res, 3, 2), 1);
	rvsim_result_free(res);
}

static void test_bad_vcpus(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} bad[] = {
	    {"{\"devices\":[],\"vms\":[{\"name\":\"v\",\"hart\":0,\"vcpus\":0}],\"steps\":[]}",
	     "vms[0].vcpus: 0 is outside 1..64"},
	    {"{\"devices\":[],\"vms\":[{\"name\":\"v\",\"hart\":0,\"vcpus\":2}],"
	     "\"steps\":[{\"op\":\"vcpu_migrate\",\"vm\":\"v\",\"vcpu\":2,\"hart\":1}]}",
	     "steps[0].vcpu: 2 is outside 0..1"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		struct rvsim_scenario *s = NULL;
		int r =
		    rvsim_scenario_parse(bad[i].json, strlen(bad[i].json), &s, err, sizeof(err));
		if (r != RVSIM_E_SCENARIO || !strstr(err, bad[i].want))
			fail_msg("got %d '%s', want '%s'", r, err, bad[i].want);
	}
	/* more vCPUs than harts: a scenario error once the platform is known */
	const char *many = "{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}],"
	                   "\"vms\":[{\"name\":\"v\",\"hart\":0,\"vcpus\":9}],"
	                   "\"steps\":[{\"op\":\"vm_assign\",\"device\":\"a\",\"vm\":\"v\"}]}";
	char err[512] = "";
	struct rvsim_platform *p = NULL;
	struct rvsim_scenario *s = NULL;
	struct rvsim_result *res = NULL;
	assert_int_equal(rvsim_scenario_parse(many, strlen(many), &s, err, sizeof(err)), 0);
	assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
	assert_int_equal(rvsim_run(p, s, NULL, &res, err, sizeof(err)), RVSIM_E_SCENARIO);
	assert_non_null(strstr(err, "vms[0].vcpus: 9 vCPUs on a platform of 8 harts"));
	rvsim_platform_destroy(p);
	rvsim_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vector_per_vcpu),
	    cmocka_unit_test(test_migrate_one_vcpu),
	    cmocka_unit_test(test_vms_do_not_share_files),
	    cmocka_unit_test(test_bad_vcpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
