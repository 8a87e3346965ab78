/* SPDX-License-Identifier: MIT
 *
 * test_msi_regions.c - reserved regions for the IMSIC pages (design 1) and
 * the MSI windows (design 2): every fixture of ../shared/fixtures under
 * every policy and both stages, through the library and through
 * `rviommu regions` (its run function, compiled in here), plus one test per
 * rule on synthetic topologies.
 *
 * Expected values are derived in this file from the fixtures' S-level
 * "riscv,imsics" properties, which are hard-coded below with the exact
 * lines they come from (the test checks those lines are still in the
 * .dts), using the AIA formula base | group << shift | hart << (guest + 12)
 * and plain rounding - never by calling the policy code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rviommu/devicetree.h"
#include "rviommu/spec.h"
#include "rviommu/msi.h"

/* The CLI under test, compiled into this executable. */
#include "cli/regions.c"

#define FIX(name) RVIOMMU_FIXTURES_DIR "/" name
#define K4 UINT64_C(0x1000)
#define M2 (UINT64_C(1) << 21)

/* ------------------------------------------------------------------------ */
/* The fixtures' S-level IMSIC properties, read from the .dts text           */
/* ------------------------------------------------------------------------ */
struct fx_props {
	const char *file;
	const char *lines[6]; /* property lines that must appear verbatim */
	uint64_t base;
	unsigned harts; /* entries of interrupts-extended with IRQ 9 */
	unsigned guest_bits, hart_bits, group_bits, group_shift;
};

static const struct fx_props fixtures[] = {
    {
        /* imsics@28000000: no guest/hart/group properties: defaults guest 0,
         * hart ceil(log2(4)) = 2, group 0 */
        .file = "virt-imsic-4.dts",
        .lines = {"reg = <0x00 0x28000000 0x00 0x4000>;",
                  "interrupts-extended = <0x08 0x09 0x06 0x09 0x04 0x09 0x02 0x09>;"},
        .base = 0x28000000,
        .harts = 4,
        .guest_bits = 0,
        .hart_bits = 2,
        .group_bits = 0,
        .group_shift = 24,
    },
    {
        /* guest-index-bits 2, hart default ceil(log2(8)) = 3 */
        .file = "virt-imsic-8-g3.dts",
        .lines = {"riscv,guest-index-bits = <0x02>;", "reg = <0x00 0x28000000 0x00 0x20000>;"},
        .base = 0x28000000,
        .harts = 8,
        .guest_bits = 2,
        .hart_bits = 3,
        .group_bits = 0,
        .group_shift = 24,
    },
    {
        .file = "virt-imsic-2s-16-g7.dts",
        .lines = {"riscv,group-index-shift = <0x18>;", "riscv,group-index-bits = <0x01>;",
                  "riscv,hart-index-bits = <0x03>;", "riscv,guest-index-bits = <0x03>;",
                  "reg = <0x00 0x28000000 0x00 0x40000 0x00 0x29000000 0x00 0x40000>;"},
        .base = 0x28000000,
        .harts = 16,
        .guest_bits = 3,
        .hart_bits = 3,
        .group_bits = 1,
        .group_shift = 24,
    },
};
#define NFIX (sizeof(fixtures) / sizeof(fixtures[0]))

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The S file of hart position p: QEMU fills each socket, so the group is
 * p >> hart_bits and the hart p & (2^hart_bits - 1). */
static uint64_t sfile(const struct fx_props *x, unsigned p)
{
	uint64_t g = p >> x->hart_bits, h = p & ((1u << x->hart_bits) - 1);
	return x->base | g << x->group_shift | h << (x->guest_bits + 12);
}

/* Expected output, built line by line. */
struct want {
	char lines[64][64];
	unsigned n;
	uint64_t regions, ptes;
	int reduced;
};

static void add(struct want *w, uint64_t s, uint64_t last, const char *type)
{
	assert_true(w->n < 64);
	snprintf(w->lines[w->n++], 64, "0x%016llx 0x%016llx %s", (unsigned long long)s,
	         (unsigned long long)last, type);
}

static void expect(const struct fx_props *x, enum rvmsi_policy_mode mode, enum rvmsi_stage st,
                   struct want *w)
{
	memset(w, 0, sizeof(*w));
	if (st == RVMSI_STAGE_FIRST)
		add(w, 0x08000000, 0x080fffff, "msi"); /* 1 MiB: <= 256 files */
	if (st == RVMSI_STAGE_SECOND) {
		/* one window per group value: first S file .. highest hart's page */
		for (uint64_t g = 0; g < (1u << x->group_bits); g++) {
			uint64_t s = x->base | g << x->group_shift;
			uint64_t last_page =
			    s + ((((1u << x->hart_bits) - 1)) << (x->guest_bits + 12));
			add(w, s, last_page + 0xfff, "msi");
		}
		w->regions = 1u << x->group_bits;
		return;
	}
	if (mode == RVMSI_POLICY_GROUP) {
		uint64_t window = UINT64_C(1) << (x->hart_bits + x->guest_bits + 12);
		unsigned groups = (x->harts + (1u << x->hart_bits) - 1) >> x->hart_bits;
		for (uint64_t g = 0; g < groups; g++) {
			uint64_t s = x->base | g << x->group_shift;
			uint64_t e = s + window;
			s &= ~(M2 - 1);
			e = (e + M2 - 1) & ~(M2 - 1);
			add(w, s, e - 1, "direct-relaxable");
			w->ptes += (e - s) / M2; /* each is 2 MiB aligned */
		}
		w->regions = groups + 1;
		w->reduced = 1;
		return;
	}
	/* per-hart and coalesce: the S files; merged in sysfs when adjacent.
	 * None of the fixtures has 512 contiguous files, so no superpage. */
	uint64_t run_s = sfile(x, 0), run_e = run_s + K4;
	for (unsigned p = 1; p <= x->harts; p++) {
		uint64_t a = p < x->harts ? sfile(x, p) : 0;
		if (p < x->harts && a == run_e) {
			run_e += K4;
			continue;
		}
		add(w, run_s, run_e - 1, "direct-relaxable");
		run_s = a;
		run_e = a + K4;
	}
	w->ptes = x->harts;
	if (mode == RVMSI_POLICY_PER_HART || x->guest_bits)
		w->regions = x->harts + 1;
	else
		w->regions = 1 + 1; /* one run per reg entry (one reg here) */
}

static struct rvdt_platform *load(const char *path)
{
	struct rvdt_platform *p = NULL;
	char err[512];
	int rc = rvdt_load_file(path, &p, err, sizeof(err));
	if (rc)
		fail_msg("%s: %s (%s)", path, rvdt_strerror(rc), err);
	return p;
}

static const char *const mode_names[] = {"per-hart", "coalesce", "group"};
static const char *const stage_names[] = {"", "first", "second"};

/* Run the CLI and return its stdout (caller frees). */
static char *run_cli(int argc, char **argv, int *rc, char *errbuf, size_t errlen)
{
	FILE *out = tmpfile(), *err = tmpfile();
	assert_non_null(out);
	assert_non_null(err);
	*rc = rvcli_regions_run(argc, argv, out, err);
	char *buf = calloc(1, 65536);
	assert_non_null(buf);
	rewind(out);
	size_t n = fread(buf, 1, 65535, out);
	buf[n] = 0;
	rewind(err);
	n = fread(errbuf, 1, errlen - 1, err);
	errbuf[n] = 0;
	fclose(out);
	fclose(err);
	return buf;
}

static void test_fixtures_all_policies(void **state)
{
	(void)state;
	for (size_t i = 0; i < NFIX; i++) {
		const struct fx_props *x = &fixtures[i];
		char path[512];
		snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/%s", x->file);
		char *text = slurp(path);
		for (unsigned l = 0; l < 6 && x->lines[l]; l++)
			if (!strstr(text, x->lines[l]))
				fail_msg("%s no longer contains '%s'", x->file, x->lines[l]);
		free(text);
		struct rvdt_platform *p = load(path);

		for (int st = RVMSI_STAGE_FIRST; st <= RVMSI_STAGE_SECOND; st++) {
			for (int mode = 0; mode <= RVMSI_POLICY_GROUP; mode++) {
				struct rvmsi_policy pol = {.mode = mode, .stage = st};
				struct rvmsi_regions rg;
				struct rvmsi_region merged[64];
				struct want w;
				char err[256];

				expect(x, mode, st, &w);
				assert_int_equal(
				    rvmsi_regions_compute(p, &pol, &rg, err, sizeof(err)), 0);
				assert_true(rg.n <= 64);
				size_t n = rvmsi_regions_merge(rg.r, rg.n, merged);
				if (n != w.n)
					fail_msg("%s %s %s: %zu lines, want %u", x->file,
					         mode_names[mode], stage_names[st], n, w.n);
				for (size_t k = 0; k < n; k++) {
					char got[64];
					snprintf(got, sizeof(got), "0x%016llx 0x%016llx %s",
					         (unsigned long long)merged[k].start,
					         (unsigned long long)(merged[k].start +
					                              merged[k].length - 1),
					         rvmsi_resv_type_name(merged[k].type));
					if (strcmp(got, w.lines[k]))
						fail_msg("%s %s %s line %zu: '%s', want '%s'",
						         x->file, mode_names[mode], stage_names[st],
						         k, got, w.lines[k]);
				}
				assert_int_equal(rg.n, w.regions);
				assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), w.ptes);
				assert_int_equal(rg.reduced_isolation, w.reduced);

				/* the CLI prints the same lines */
				char *argv[] = {"regions",
				                "--dtb",
				                path,
				                "--policy",
				                (char *)mode_names[mode],
				                "--stage",
				                (char *)stage_names[st],
				                NULL};
				int rc;
				char *out = run_cli(7, argv, &rc, err, sizeof(err));
				assert_int_equal(rc, 0);
				char *cur = out;
				for (unsigned k = 0; k < w.n; k++) {
					size_t len = strlen(w.lines[k]);
					if (strncmp(cur, w.lines[k], len) || cur[len] != '\n')
						fail_msg("CLI %s %s %s: got '%.80s', want '%s'",
						         x->file, mode_names[mode], stage_names[st],
						         cur, w.lines[k]);
					cur += len + 1;
				}
				assert_string_equal(cur, "");
				free(out);
				rvmsi_regions_free(&rg);
			}
		}
		rvdt_free(p);
	}
}

/* Spot checks written out by hand, so the generator above is checked too. */
static void test_fixture_literals(void **state)
{
	(void)state;
	struct {
		const char *file, *policy, *stage, *out;
	} cases[] = {
	    {"virt-imsic-4.dts", "per-hart", "first",
	     "0x0000000008000000 0x00000000080fffff msi\n"
	     "0x0000000028000000 0x0000000028003fff direct-relaxable\n"},
	    {"virt-imsic-4.dts", "group", "first",
	     "0x0000000008000000 0x00000000080fffff msi\n"
	     "0x0000000028000000 0x00000000281fffff direct-relaxable\n"},
	    {"virt-imsic-4.dts", "coalesce", "second",
	     "0x0000000028000000 0x0000000028003fff msi\n"},
	    {"virt-imsic-8-g3.dts", "coalesce", "second",
	     /* harts 0..7 at 16 KiB steps: last S file 0x2801c000 */
	     "0x0000000028000000 0x000000002801cfff msi\n"},
	    {"virt-imsic-2s-16-g7.dts", "group", "first",
	     "0x0000000008000000 0x00000000080fffff msi\n"
	     "0x0000000028000000 0x00000000281fffff direct-relaxable\n"
	     "0x0000000029000000 0x00000000291fffff direct-relaxable\n"},
	    {"virt-imsic-2s-16-g7.dts", "per-hart", "second",
	     /* 8 harts at 32 KiB steps: last S file 0x28038000, per group */
	     "0x0000000028000000 0x0000000028038fff msi\n"
	     "0x0000000029000000 0x0000000029038fff msi\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], err[256];
		int rc;
		snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/%s", cases[i].file);
		char *argv[] = {"regions",
		                "--dtb",
		                path,
		                "--policy",
		                (char *)cases[i].policy,
		                "--stage",
		                (char *)cases[i].stage,
		                NULL};
		char *out = run_cli(7, argv, &rc, err, sizeof(err));
		assert_int_equal(rc, 0);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
	/* 8-g3 coalesce keeps the 8 S files apart: the guest files between
	 * them (3 per hart) are never exposed */
	char path[512], err[256];
	int rc;
	snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/virt-imsic-8-g3.dts");
	char *argv[] = {"regions", "--dtb", path, "--stats", NULL};
	char *out = run_cli(4, argv, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "0x0000000028004000 0x0000000028004fff direct-relaxable\n"
	                            "0x0000000028008000 0x0000000028008fff direct-relaxable\n"));
	assert_non_null(strstr(out, "# regions: 9\n# lines: 9\n# ptes: 8\n"));
	assert_non_null(strstr(out, "# reduced-isolation: no\n# time-ns: "));
	free(out);
}

static void test_cli_errors(void **state)
{
	(void)state;
	char err[512], path[512];
	int rc;
	snprintf(path, sizeof(path), RVIOMMU_FIXTURES_DIR "/virt-imsic-4.dts");
	struct {
		int argc;
		char *argv[8];
		const char *msg;
	} cases[] = {
	    {1, {"regions"}, "--dtb FILE is required"},
	    {2, {"regions", "--dtb"}, "--dtb needs a value"},
	    {4, {"regions", "--dtb", path, "--frob"}, "unknown argument '--frob'"},
	    {5, {"regions", "--dtb", path, "--policy", "all"}, "--policy 'all'"},
	    {5, {"regions", "--dtb", path, "--stage", "third"}, "--stage 'third'"},
	    {3, {"regions", "--dtb", "/nonexistent/x.dtb"}, "/nonexistent/x.dtb"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = run_cli(cases[i].argc, cases[i].argv, &rc, err, sizeof(err));
		assert_int_equal(rc, 2);
		assert_string_equal(out, "");
		if (!strstr(err, cases[i].msg))
			fail_msg("case %zu: stderr '%s' lacks '%s'", i, err, cases[i].msg);
		free(out);
	}
	/* a file that is not a device tree */
	char junk[] = "/tmp/test_msi_regions-XXXXXX";
	int fd = mkstemp(junk);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello\n", 6), 6);
	close(fd);
	char *argv[] = {"regions", "--dtb", junk, NULL};
	char *out = run_cli(3, argv, &rc, err, sizeof(err));
	assert_int_equal(rc, 2);
	assert_non_null(strstr(err, junk));
	free(out);
	unlink(junk);
}

/* ------------------------------------------------------------------------ */
/* Rules on synthetic topologies                                             */
/* ------------------------------------------------------------------------ */
struct synth {
	struct rvdt_platform p;
	struct rvdt_imsic im[2];
	struct rvdt_range regs[2][4];
	struct rvdt_imsic_parent *par;
};

/* One S-level IMSIC: @harts positions, regs given by the caller. */
static void synth_init(struct synth *s, uint64_t base, unsigned harts, unsigned guest_bits,
                       unsigned hart_bits, uint64_t reg_size)
{
	memset(s, 0, sizeof(*s));
	s->par = calloc(harts, sizeof(*s->par));
	assert_non_null(s->par);
	for (unsigned i = 0; i < harts; i++)
		s->par[i] = (struct rvdt_imsic_parent){.hart = i, .hartid = i};
	struct rvdt_imsic *im = &s->im[0];
	snprintf(im->path, sizeof(im->path), "/soc/imsics@%llx", (unsigned long long)base);
	im->level = RVDT_LEVEL_S;
	im->num_ids = 255;
	im->guest_index_bits = guest_bits;
	im->hart_index_bits = hart_bits;
	im->group_index_shift = 24;
	im->base = base;
	s->regs[0][0] = (struct rvdt_range){base, reg_size};
	im->regs = s->regs[0];
	im->nr_regs = 1;
	im->parents = s->par;
	im->nr_parents = harts;
	s->p.imsics = s->im;
	s->p.nr_imsics = 1;
}

static void synth_fini(struct synth *s)
{
	free(s->par);
}

static void compute(struct synth *s, enum rvmsi_policy_mode mode, enum rvmsi_stage st,
                    struct rvmsi_regions *rg)
{
	struct rvmsi_policy pol = {.mode = mode, .stage = st};
	char err[256];
	int rc = rvmsi_regions_compute(&s->p, &pol, rg, err, sizeof(err));
	if (rc)
		fail_msg("compute: %d %s", rc, err);
}

/* Coalesce: 512 contiguous S files in a 2 MiB-aligned, 2 MiB reg become one
 * 2 MiB region, one PTE; per-hart needs 512 regions and 512 PTEs. */
static void test_coalesce_superpage(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	synth_init(&s, 0x40000000, 512, 0, 9, 512 * K4);
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	/* regions: SW_MSI (1 MiB: 512 files * 4 KiB = 2 MiB > 1 MiB -> 2 MiB) */
	assert_int_equal(rg.n, 2);
	assert_int_equal(rg.r[0].start, 0x08000000);
	assert_int_equal(rg.r[0].length, 512 * K4);
	assert_int_equal(rg.r[1].start, 0x40000000);
	assert_int_equal(rg.r[1].length, M2);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 1);
	rvmsi_regions_free(&rg);
	compute(&s, RVMSI_POLICY_PER_HART, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.n, 513);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 512);
	struct rvmsi_region *m = calloc(rg.n, sizeof(*m));
	assert_int_equal(rvmsi_regions_merge(rg.r, rg.n, m), 2); /* sysfs: same lines */
	assert_int_equal(m[1].start, 0x40000000);
	assert_int_equal(m[1].length, M2);
	free(m);
	rvmsi_regions_free(&rg);
	synth_fini(&s);
}

/* Rounding must stay inside the reg: 300 files in a 300-page reg stay
 * exact (300 PTEs); the same files in a 2 MiB reg round to 2 MiB. */
static void test_coalesce_rounding_stays_in_reg(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	synth_init(&s, 0x40000000, 300, 0, 9, 300 * K4);
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.r[1].start, 0x40000000);
	assert_int_equal(rg.r[1].length, 300 * K4);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 300);
	rvmsi_regions_free(&rg);
	synth_fini(&s);

	synth_init(&s, 0x40000000, 300, 0, 9, M2);
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.r[1].length, M2);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 1);
	rvmsi_regions_free(&rg);
	synth_fini(&s);
}

/* ... and inside the group's index window: hart_bits 8 gives a 1 MiB
 * window, so even a 2 MiB reg does not allow a 2 MiB page. */
static void test_coalesce_rounding_stays_in_window(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	synth_init(&s, 0x40000000, 256, 0, 8, M2);
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.r[1].length, 256 * K4);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 256);
	rvmsi_regions_free(&rg);
	synth_fini(&s);
}

/* Two groups with no guest files (two reg entries, QEMU's NUMA layout):
 * one run per reg entry, the second starting at group 1's base. */
static void test_coalesce_two_groups(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	synth_init(&s, 0x28000000, 16, 0, 3, 8 * K4);
	s.im[0].group_index_bits = 1;
	s.regs[0][1] = (struct rvdt_range){0x29000000, 8 * K4};
	s.im[0].nr_regs = 2;
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.n, 3);
	assert_int_equal(rg.r[1].start, 0x28000000);
	assert_int_equal(rg.r[1].length, 8 * K4);
	assert_int_equal(rg.r[2].start, 0x29000000);
	assert_int_equal(rg.r[2].length, 8 * K4);
	rvmsi_regions_free(&rg);
	/* second stage: mask = hart bits 0..2 | group bit 12 of PA >> 12 */
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_SECOND, &rg);
	assert_int_equal(rg.msi_mask, 0x1007);
	assert_int_equal(rg.n, 2);
	assert_int_equal(rg.r[1].start, 0x29000000);
	assert_int_equal(rg.r[1].length, 8 * K4);
	rvmsi_regions_free(&rg);
	synth_fini(&s);
}

/* Coalesce never exposes a guest file; group does and says so. */
static void test_guest_files_never_exposed(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	synth_init(&s, 0x40000000, 600, 1, 10, 600 * 2 * K4);
	for (int mode = RVMSI_POLICY_PER_HART; mode <= RVMSI_POLICY_GROUP; mode++) {
		compute(&s, mode, RVMSI_STAGE_FIRST, &rg);
		bool exposed = false;
		for (size_t i = 0; i < rg.n; i++)
			for (unsigned h = 0; h < 600; h++) {
				uint64_t gf = 0x40000000 + ((uint64_t)h << 13) + K4; /* guest 1 */
				if (gf >= rg.r[i].start && gf < rg.r[i].start + rg.r[i].length)
					exposed = true;
			}
		assert_int_equal(exposed, mode == RVMSI_POLICY_GROUP);
		assert_int_equal(rg.reduced_isolation, mode == RVMSI_POLICY_GROUP);
		if (mode != RVMSI_POLICY_GROUP)
			assert_int_equal(rg.n, 601);
		rvmsi_regions_free(&rg);
	}
	synth_fini(&s);
}

/* The SW_MSI window grows to one page per S file and must not overlap an
 * identity region. */
static void test_sw_msi_window(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	char err[256];
	synth_init(&s, 0x40000000, 4096, 0, 12, 4096 * K4);
	compute(&s, RVMSI_POLICY_COALESCE, RVMSI_STAGE_FIRST, &rg);
	assert_int_equal(rg.r[0].start, RVMSI_SW_MSI_BASE);
	assert_int_equal(rg.r[0].length, 4096 * K4); /* 16 MiB */
	assert_int_equal(rg.r[0].type, RVMSI_RESV_SW_MSI);
	/* 16 MiB window of 4 KiB files: 8 x 2 MiB */
	assert_int_equal(rg.r[1].length, 16 * 1024 * 1024);
	assert_int_equal(rvmsi_regions_ptes(rg.r, rg.n), 8);
	rvmsi_regions_free(&rg);
	synth_fini(&s);

	synth_init(&s, 0x08000000, 4, 0, 2, 4 * K4); /* IMSIC at MSI_IOVA_BASE */
	struct rvmsi_policy pol = {.mode = RVMSI_POLICY_COALESCE, .stage = RVMSI_STAGE_FIRST};
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "overlaps"));
	assert_null(rg.r);
	pol.sw_msi_base = 0x10000000;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), 0);
	assert_int_equal(rg.r[1].start, 0x10000000);
	rvmsi_regions_free(&rg);
	pol.sw_msi_base = 0x10000800; /* not page aligned */
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -EINVAL);
	/* second stage has no SW_MSI, so no overlap */
	pol = (struct rvmsi_policy){.mode = RVMSI_POLICY_COALESCE, .stage = RVMSI_STAGE_SECOND};
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), 0);
	assert_int_equal(rg.n, 1);
	assert_int_equal(rg.r[0].type, RVMSI_RESV_HW_MSI);
	assert_int_equal(rg.msi_mask, 0x3);
	assert_int_equal(rg.msi_pattern, 0x08000);
	rvmsi_regions_free(&rg);
	synth_fini(&s);
}

static void test_bad_inputs(void **state)
{
	(void)state;
	struct synth s;
	struct rvmsi_regions rg;
	struct rvmsi_policy pol = {.mode = RVMSI_POLICY_COALESCE, .stage = RVMSI_STAGE_FIRST};
	char err[256];

	assert_int_equal(rvmsi_regions_compute(NULL, &pol, &rg, err, sizeof(err)), -EINVAL);
	synth_init(&s, 0x40000000, 4, 0, 2, 4 * K4);
	pol.mode = 7;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -EINVAL);
	pol.mode = RVMSI_POLICY_COALESCE;
	pol.stage = 0;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -EINVAL);
	pol.stage = RVMSI_STAGE_FIRST;
	/* only an M-level IMSIC */
	s.im[0].level = RVDT_LEVEL_M;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -ENODEV);
	assert_non_null(strstr(err, "S-level"));
	s.im[0].level = RVDT_LEVEL_S;
	/* reg too small for the harts */
	s.regs[0][0].size = 2 * K4;
	for (int mode = 0; mode <= RVMSI_POLICY_GROUP; mode++) {
		pol.mode = mode;
		assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -ERANGE);
		assert_non_null(strstr(err, "interrupts-extended[2]"));
	}
	s.regs[0][0].size = 4 * K4;
	/* second stage: two S-level IMSICs with different layouts */
	s.im[1] = s.im[0];
	s.im[1].base = 0x50000000;
	s.p.nr_imsics = 2;
	pol.stage = RVMSI_STAGE_SECOND;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), -EINVAL);
	/* first stage handles both */
	pol.stage = RVMSI_STAGE_FIRST;
	pol.mode = RVMSI_POLICY_PER_HART;
	assert_int_equal(rvmsi_regions_compute(&s.p, &pol, &rg, err, sizeof(err)), 0);
	assert_int_equal(rg.n, 9);
	rvmsi_regions_free(&rg);
	rvmsi_regions_free(NULL);
	synth_fini(&s);
}

static void test_merge_and_ptes(void **state)
{
	(void)state;
	struct rvmsi_region r[] = {
	    {0x3000, 0x1000, RVMSI_RESV_DIRECT_RELAXABLE},
	    {0x1000, 0x1000, RVMSI_RESV_DIRECT_RELAXABLE},
	    {0x2000, 0x1000, RVMSI_RESV_DIRECT_RELAXABLE}, /* touches both */
	    {0x2800, 0x1000, RVMSI_RESV_RESERVED},         /* other type: kept */
	    {0x9000, 0x1000, RVMSI_RESV_DIRECT_RELAXABLE}, /* a gap: kept */
	    {0x9000, 0x3000, RVMSI_RESV_DIRECT_RELAXABLE}, /* overlap: merged */
	};
	struct rvmsi_region out[6];
	size_t n = rvmsi_regions_merge(r, 6, out);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].start, 0x1000);
	assert_int_equal(out[0].length, 0x3000);
	assert_int_equal(out[1].start, 0x2800);
	assert_int_equal(out[1].type, RVMSI_RESV_RESERVED);
	assert_int_equal(out[2].start, 0x9000);
	assert_int_equal(out[2].length, 0x3000);
	assert_int_equal(rvmsi_regions_merge(NULL, 0, out), 0);

	struct rvmsi_region p[] = {
	    {M2 - K4, M2 + 2 * K4, RVMSI_RESV_DIRECT},
	    {UINT64_C(1) << 30, (UINT64_C(1) << 30) + M2, RVMSI_RESV_DIRECT_RELAXABLE},
	    {0, UINT64_C(1) << 30, RVMSI_RESV_SW_MSI}, /* MSI windows: not mapped */
	};
	/* region 0: [2M-4K, 4M+4K): 4K at 2M-4K, 2M at 2M, 4K at 4M = 3 */
	assert_int_equal(rvmsi_regions_ptes(&p[0], 1), 3);
	/* region 1: 1 GiB page + one 2 MiB page */
	assert_int_equal(rvmsi_regions_ptes(&p[1], 1), 2);
	assert_int_equal(rvmsi_regions_ptes(&p[2], 1), 0);
	assert_string_equal(rvmsi_resv_type_name(RVMSI_RESV_HW_MSI), "msi");
	assert_string_equal(rvmsi_resv_type_name(RVMSI_RESV_SW_MSI), "msi");
	assert_string_equal(rvmsi_resv_type_name(RVMSI_RESV_DIRECT), "direct");
	assert_string_equal(rvmsi_resv_type_name(RVMSI_RESV_RESERVED), "reserved");
	assert_string_equal(rvmsi_resv_type_name(99), "unknown");
}

static void test_stage_choice(void **state)
{
	(void)state;
	assert_int_equal(rvmsi_stage_choose(0), RVMSI_STAGE_FIRST);
	assert_int_equal(rvmsi_stage_choose(RVI_CAP_SV39 | RVI_CAP_MSI_FLAT), RVMSI_STAGE_FIRST);
	assert_int_equal(rvmsi_stage_choose(RVI_CAP_SV39X4), RVMSI_STAGE_FIRST);
	assert_int_equal(rvmsi_stage_choose(RVI_CAP_SV48X4 | RVI_CAP_MSI_FLAT), RVMSI_STAGE_SECOND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures_all_policies),
	    cmocka_unit_test(test_fixture_literals),
	    cmocka_unit_test(test_cli_errors),
	    cmocka_unit_test(test_coalesce_superpage),
	    cmocka_unit_test(test_coalesce_rounding_stays_in_reg),
	    cmocka_unit_test(test_coalesce_rounding_stays_in_window),
	    cmocka_unit_test(test_coalesce_two_groups),
	    cmocka_unit_test(test_guest_files_never_exposed),
	    cmocka_unit_test(test_sw_msi_window),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_merge_and_ptes),
	    cmocka_unit_test(test_stage_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
