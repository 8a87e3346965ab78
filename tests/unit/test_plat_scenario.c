/* SPDX-License-Identifier: MIT
 *
 * test_plat_scenario.c - the scenario reader: every example under
 * examples/scenarios parses, the embedded default is byte-identical to
 * examples/scenarios/default.json, and each malformed scenario fails with
 * RVSIM_E_SCENARIO and a message that names the offending field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/platform.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_default_matches_example(void **state)
{
	(void)state;
	size_t len;
	char *b = slurp(RVIOMMU_SOURCE_DIR "/examples/scenarios/default.json", &len);
	assert_string_equal(b, rvsim_default_scenario_json());
	free(b);
}

static void test_examples_parse(void **state)
{
	(void)state;
	DIR *d = opendir(RVIOMMU_SOURCE_DIR "/examples/scenarios");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024], err[512] = "";
		struct rvsim_scenario *s = NULL;
		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/examples/scenarios/%s", RVIOMMU_SOURCE_DIR,
		         e->d_name);
		if (rvsim_scenario_load(path, &s, err, sizeof(err)))
			fail_msg("%s", err);
		rvsim_scenario_free(s);
		n++;
	}
	closedir(d);
	assert_true(n >= 3);
}

#define DEV "\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}]"

static const struct {
	const char *json;
	const char *want; /* a substring of the message */
} bad[] = {
    {"", "line 1"},
    {"[]", "scenario: must be an object"},
    {"{\"steps\":[]}", "scenario.devices: missing"},
    {"{" DEV "}", "scenario.steps: missing"},
    {"{" DEV ",\"steps\":[],\"colour\":1}", "scenario.colour: unknown field"},
    {"{\"devices\":[{\"name\":\"a\"}],\"steps\":[]}", "devices[0].bdf: missing"},
    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"zz\"}],\"steps\":[]}", "devices[0].bdf: \"zz\""},
    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"},{\"name\":\"a\",\"bdf\":\"00:02.0\"}],"
     "\"steps\":[]}",
     "devices[1].name: a device named 'a'"},
    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\",\"vectors\":9}],\"steps\":[]}",
     "devices[0].vectors: 9 is outside 1..8"},
    {"{" DEV ",\"steps\":[{\"op\":\"fly\"}]}", "steps[0].op: \"fly\" is not one of"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"b\",\"iova\":0,\"size\":1}]}",
     "steps[0].device: no device named 'b'"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"size\":1}]}",
     "steps[0].iova: missing"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":0,\"size\":0}]}",
     "steps[0].size: 0 is outside"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":0,\"size\":16,"
     "\"pattern\":\"zigzag\"}]}",
     "steps[0].pattern: \"zigzag\" is not one of sequential, strided, random, sg"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":\"0xq\",\"size\":16}]}",
     "steps[0].iova: \"0xq\" is not a number"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":-1,\"size\":16}]}",
     "steps[0].iova: must not be negative"},
    /* 2^64 + 0xff: an error, not strtoull()'s silent clamp to all ones */
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":\"0x100000000000000ff\","
     "\"size\":16}]}",
     "steps[0].iova: \"0x100000000000000ff\" does not fit in 64 bits"},
    {"{" DEV ",\"steps\":[{\"op\":\"dma\",\"device\":\"a\",\"iova\":\"18446744073709551616\","
     "\"size\":16}]}",
     "steps[0].iova: \"18446744073709551616\" does not fit in 64 bits"},
    {"{" DEV ",\"steps\":[{\"op\":\"msi\",\"device\":\"a\",\"vector\":2}]}",
     "steps[0].vector: 2 is outside 0..1"},
    {"{" DEV ",\"steps\":[{\"op\":\"wait\",\"device\":\"a\"}]}", "steps[0].device: unknown field"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"type\":\"x\"}],\"steps\":[]}",
     "domains[0].type: \"x\" is not one of dma, identity, blocked"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"maps\":[{\"iova\":\"0x1001\",\"size\":4096}]}],"
     "\"steps\":[]}",
     "domains[0].maps[0]: iova and size must be multiples of 4096"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"maps\":[{\"iova\":0,\"size\":8192},"
     "{\"iova\":4096,\"size\":4096}]}],\"steps\":[]}",
     "domains[0].maps[1].iova: overlaps domains[0].maps[0]"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"maps\":[{\"iova\":0,\"size\":4096,"
     "\"pa\":\"@e.f\"}]}],\"steps\":[]}",
     "domains[0].maps[0].pa: no domain named 'e'"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"devices\":[\"a\"]},{\"name\":\"e\","
     "\"devices\":[\"a\"]}],\"steps\":[]}",
     "domains[1].devices[0]: 'a' is already in domain 'd'"},
    {"{" DEV ",\"domains\":[{\"name\":\"d\",\"type\":\"identity\",\"maps\":[{\"iova\":0,"
     "\"size\":4096}]}],\"steps\":[]}",
     "domains[0].maps: only \"dma\" domains have mappings"},
    {"{" DEV ",\"steps\":[{\"op\":\"vcpu_migrate\",\"vm\":\"v\",\"hart\":0}]}",
     "steps[0].vm: no vm named 'v'"},
    {"{" DEV ",\"vms\":[{\"name\":\"v\",\"guest\":0}],\"steps\":[]}",
     "vms[0].guest: unknown field"},
    {"{" DEV ",\"steps\":[{\"op\":\"unmap\",\"domain\":\"d\",\"iova\":0,\"size\":4096}]}",
     "steps[0].domain: no domain named 'd'"},
};

static void test_bad_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		struct rvsim_scenario *s = NULL;
		int r =
		    rvsim_scenario_parse(bad[i].json, strlen(bad[i].json), &s, err, sizeof(err));
		if (r != RVSIM_E_SCENARIO || s || !strstr(err, bad[i].want))
			fail_msg("case %zu: r=%d err='%s', want '%s'", i, r, err, bad[i].want);
	}
}

/* Errors that only the platform can find: a bdf outside the iommu-map, a
 * PA outside RAM. */
static void test_platform_errors(void **state)
{
	(void)state;
	const char *cases[][2] = {
	    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}],\"domains\":[{\"name\":\"d\","
	     "\"devices\":[\"a\"],\"maps\":[{\"iova\":0,\"size\":4096,\"pa\":\"0x1000\"}]}],"
	     "\"steps\":[]}",
	     "domains[0].maps[0].pa: 0x1000+0x1000 is not RAM"},
	    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}],\"domains\":[{\"name\":\"d\","
	     "\"stage\":\"first\",\"devices\":[\"a\"],\"maps\":[{\"iova\":\"0x28000000\","
	     "\"size\":4096}]}],\"steps\":[]}",
	     "domains[0].maps[0].iova: 0x28000000 overlaps an existing mapping"},
	    {"{\"devices\":[{\"name\":\"a\",\"bdf\":\"00:01.0\"}],\"domains\":[{\"name\":\"d\","
	     "\"stage\":\"second\",\"devices\":[\"a\"],\"maps\":[{\"iova\":\"0x28004000\","
	     "\"size\":4096}]}],\"steps\":[]}",
	     "domains[0].maps[0].iova: 0x28004000 is in the domain's MSI window"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "";
		struct rvsim_scenario *s = NULL;
		struct rvsim_platform *p = NULL;
		struct rvsim_result *res = NULL;
		assert_int_equal(
		    rvsim_scenario_parse(cases[i][0], strlen(cases[i][0]), &s, err, sizeof(err)),
		    0);
		assert_int_equal(rvsim_platform_create(NULL, &p, err, sizeof(err)), 0);
		int r = rvsim_run(p, s, NULL, &res, err, sizeof(err));
		if (r != RVSIM_E_SCENARIO || res || !strstr(err, cases[i][1]))
			fail_msg("case %zu: r=%d err='%s'", i, r, err);
		rvsim_platform_destroy(p);
		rvsim_scenario_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_matches_example),
	    cmocka_unit_test(test_examples_parse),
	    cmocka_unit_test(test_bad_scenarios),
	    cmocka_unit_test(test_platform_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
