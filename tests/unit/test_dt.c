/* SPDX-License-Identifier: MIT
 *
 * test_dt.c - the device-tree loader on the QEMU virt fixtures
 * (the three .dts files of ../shared/fixtures) and on tests/data/dt/iommu-pci.dts, as DTS
 * (through dtc) and as DTB (compiled here by running dtc directly).
 *
 * Every expected number below was read from the .dts text: hart ids from
 * the cpu@N reg, phandles from the imsics nodes, num-ids 0xff, reg bases and
 * sizes, and the riscv,*-index-* properties (or their Linux defaults).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rviommu/devicetree.h"
#include "rviommu/imsic.h"

#define FIX(name) RVIOMMU_FIXTURES_DIR "/" name
#define DATA(name) RVIOMMU_SOURCE_DIR "/tests/data/dt/" name

extern char **environ;

static struct rvdt_platform *load(const char *path)
{
	char err[1024];
	struct rvdt_platform *p = NULL;
	int ret = rvdt_load_file(path, &p, err, sizeof(err));

	if (ret)
		fail_msg("%s: %s (%s)", path, rvdt_strerror(ret), err);
	assert_non_null(p);
	return p;
}

/* Compile @dts with dtc (run directly, not through the library) into a
 * temporary file; return its path in @out. */
static void dtc_to_file(const char *dts, char *out, size_t len)
{
	char *argv[] = {"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, (char *)dts, NULL};
	int fd, status;
	pid_t pid;

	snprintf(out, len, "/tmp/test_dt-XXXXXX");
	fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(posix_spawnp(&pid, "dtc", NULL, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*size = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Linux's per-position address agrees with base|group|hart|guest, with
 * position = group << hart_bits | hart (QEMU fills each socket). */
static void check_formula(const struct rvdt_imsic *im)
{
	for (size_t pos = 0; pos < im->nr_parents; pos++) {
		for (uint32_t g = 0; g < (1u << im->guest_index_bits); g++) {
			uint64_t a, b;
			uint32_t hmask = (1u << im->hart_index_bits) - 1;

			assert_int_equal(rvdt_imsic_file_addr(im, pos, g, &a), 0);
			assert_int_equal(
			    rvdt_imsic_formula_addr(im, (uint32_t)pos >> im->hart_index_bits,
			                            (uint32_t)pos & hmask, g, &b),
			    0);
			assert_int_equal(a, b);
		}
	}
}

static void check_virt4(struct rvdt_platform *p)
{
	const struct rvdt_imsic *s, *m;
	uint64_t pa;

	assert_int_equal(p->nr_harts, 4);
	for (uint32_t i = 0; i < 4; i++) {
		char path[32];

		assert_int_equal(p->harts[i].hartid, i);
		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		assert_string_equal(p->harts[i].path, path);
	}
	/* cpu@0: phandle 0x07, its interrupt-controller 0x08 */
	assert_int_equal(p->harts[0].cpu_phandle, 0x07);
	assert_int_equal(p->harts[0].intc_phandle, 0x08);
	assert_int_equal(p->harts[3].intc_phandle, 0x02);
	assert_int_equal(p->nr_memory, 1);
	assert_int_equal(p->memory[0].base, 0x80000000);
	assert_int_equal(p->memory[0].size, 0x80000000);
	assert_int_equal(p->nr_imsics, 2);
	s = &p->imsics[0];
	m = &p->imsics[1];
	assert_string_equal(s->path, "/soc/imsics@28000000");
	assert_int_equal(s->level, RVDT_LEVEL_S);
	assert_int_equal(s->phandle, 0x0a);
	assert_int_equal(s->num_ids, 255);
	assert_int_equal(s->num_guest_ids, 255);
	assert_int_equal(s->guest_index_bits, 0);
	assert_int_equal(s->hart_index_bits, 2); /* ceil(log2(4)) */
	assert_int_equal(s->group_index_bits, 0);
	assert_int_equal(s->group_index_shift, 24);
	assert_int_equal(s->base, 0x28000000);
	assert_int_equal(s->nr_regs, 1);
	assert_int_equal(s->regs[0].size, 0x4000);
	assert_int_equal(s->nr_parents, 4);
	for (uint32_t i = 0; i < 4; i++) {
		assert_int_equal(s->parents[i].hartid, i);
		assert_int_equal(rvdt_imsic_file_addr(s, i, 0, &pa), 0);
		assert_int_equal(pa, 0x28000000 + i * 0x1000);
		assert_int_equal(rvdt_imsic_file_addr(m, i, 0, &pa), 0);
		assert_int_equal(pa, 0x24000000 + i * 0x1000);
	}
	assert_int_equal(rvdt_imsic_file_addr(s, 4, 0, &pa), -RVDT_ERR_BADPARAM);
	assert_int_equal(rvdt_imsic_file_addr(s, 0, 1, &pa), -RVDT_ERR_BADPARAM);
	assert_string_equal(m->path, "/soc/imsics@24000000");
	assert_int_equal(m->level, RVDT_LEVEL_M);
	assert_int_equal(m->phandle, 0x09);
	assert_int_equal(m->base, 0x24000000);
	assert_int_equal(p->nr_pci_hosts, 1);
	assert_string_equal(p->pci_hosts[0].path, "/soc/pci@30000000");
	assert_int_equal(p->pci_hosts[0].reg.base, 0x30000000);
	assert_int_equal(p->pci_hosts[0].reg.size, 0x10000000);
	assert_int_equal(p->pci_hosts[0].msi_parent, 0x0a);
	assert_int_equal(p->pci_hosts[0].msi_imsic, 0);
	assert_int_equal(p->nr_iommus, 0);
	assert_int_equal(p->nr_iommu_map, 0);
	check_formula(s);
	check_formula(m);
}

static void test_virt4_dts(void **state)
{
	struct rvdt_platform *p = load(FIX("virt-imsic-4.dts"));

	check_virt4(p);
	rvdt_free(p);
}

static void test_virt4_dtb(void **state)
{
	char dtb[64], err[512];
	struct rvdt_platform *p;
	void *blob, *lib_blob;
	size_t size, lib_size;

	dtc_to_file(FIX("virt-imsic-4.dts"), dtb, sizeof(dtb));
	p = load(dtb); /* sniffed as a DTB by its magic */
	check_virt4(p);
	rvdt_free(p);
	blob = slurp(dtb, &size);
	assert_int_equal(rvdt_load_dtb(blob, size, &p, err, sizeof(err)), 0);
	check_virt4(p);
	rvdt_free(p);
	/* the library's own dtc run yields the same blob */
	assert_int_equal(
	    rvdt_dtc_compile(FIX("virt-imsic-4.dts"), &lib_blob, &lib_size, err, sizeof(err)), 0);
	assert_int_equal(lib_size, size);
	assert_memory_equal(lib_blob, blob, size);
	free(lib_blob);
	free(blob);
	unlink(dtb);
}

static void check_8g3(struct rvdt_platform *p)
{
	const struct rvdt_imsic *s = &p->imsics[0], *m = &p->imsics[1];
	uint64_t pa;

	assert_int_equal(p->nr_harts, 8);
	assert_int_equal(p->nr_imsics, 2);
	assert_string_equal(s->path, "/soc/imsics@28000000");
	assert_int_equal(s->level, RVDT_LEVEL_S);
	assert_int_equal(s->phandle, 0x12);
	assert_int_equal(s->guest_index_bits, 2);
	assert_int_equal(s->hart_index_bits, 3);
	assert_int_equal(s->num_ids, 255);
	assert_int_equal(s->regs[0].base, 0x28000000);
	assert_int_equal(s->regs[0].size, 0x20000);
	assert_int_equal(s->nr_parents, 8);
	assert_int_equal(m->level, RVDT_LEVEL_M);
	assert_int_equal(m->phandle, 0x11);
	assert_int_equal(m->guest_index_bits, 0);
	assert_int_equal(m->regs[0].size, 0x8000);
	for (uint32_t i = 0; i < 8; i++) {
		/* intc phandles 0x10, 0x0e, ... 0x02 are cpu@0..cpu@7 */
		assert_int_equal(s->parents[i].hartid, i);
		for (uint32_t g = 0; g < 4; g++) {
			assert_int_equal(rvdt_imsic_file_addr(s, i, g, &pa), 0);
			assert_int_equal(pa, 0x28000000 + i * 0x4000 + g * 0x1000);
		}
		assert_int_equal(rvdt_imsic_file_addr(m, i, 0, &pa), 0);
		assert_int_equal(pa, 0x24000000 + i * 0x1000);
	}
	assert_int_equal(p->pci_hosts[0].msi_parent, 0x12);
	assert_int_equal(p->pci_hosts[0].msi_imsic, 0);
	check_formula(s);
	check_formula(m);
}

static void test_8g3(void **state)
{
	char dtb[64];
	struct rvdt_platform *p = load(FIX("virt-imsic-8-g3.dts"));

	check_8g3(p);
	rvdt_free(p);
	dtc_to_file(FIX("virt-imsic-8-g3.dts"), dtb, sizeof(dtb));
	p = load(dtb);
	check_8g3(p);
	rvdt_free(p);
	unlink(dtb);
}

static void check_2s16g7(struct rvdt_platform *p)
{
	const struct rvdt_imsic *s = &p->imsics[0], *m = &p->imsics[1];
	uint64_t pa;

	assert_int_equal(p->nr_harts, 16);
	assert_int_equal(p->harts[10].hartid, 10);
	assert_int_equal(p->harts[10].intc_phandle, 0x0c);
	assert_int_equal(p->nr_memory, 2);
	assert_int_equal(p->memory[0].base, 0x80000000);
	assert_int_equal(p->memory[0].size, 0x10000000);
	assert_int_equal(p->memory[1].base, 0x90000000);
	assert_int_equal(p->memory[1].size, 0x10000000);
	assert_int_equal(p->nr_imsics, 2);
	assert_int_equal(s->level, RVDT_LEVEL_S);
	assert_int_equal(s->phandle, 0x22);
	assert_int_equal(s->group_index_shift, 24);
	assert_int_equal(s->group_index_bits, 1);
	assert_int_equal(s->hart_index_bits, 3);
	assert_int_equal(s->guest_index_bits, 3);
	assert_int_equal(s->num_ids, 255);
	assert_int_equal(s->nr_regs, 2);
	assert_int_equal(s->regs[0].base, 0x28000000);
	assert_int_equal(s->regs[1].base, 0x29000000);
	assert_int_equal(s->regs[1].size, 0x40000);
	assert_int_equal(s->base, 0x28000000);
	assert_int_equal(s->nr_parents, 16);
	assert_int_equal(m->level, RVDT_LEVEL_M);
	assert_int_equal(m->phandle, 0x21);
	assert_int_equal(m->guest_index_bits, 0);
	assert_int_equal(m->nr_regs, 2);
	assert_int_equal(m->regs[1].base, 0x25000000);
	assert_int_equal(m->base, 0x24000000);
	for (uint32_t i = 0; i < 16; i++) {
		assert_int_equal(s->parents[i].hartid, i);
		/* socket i / 8 is group i / 8; 8 pages per hart */
		for (uint32_t g = 0; g < 8; g++) {
			assert_int_equal(rvdt_imsic_file_addr(s, i, g, &pa), 0);
			assert_int_equal(pa, 0x28000000 + (i / 8) * 0x1000000 + (i % 8) * 0x8000 +
			                         g * 0x1000);
		}
		assert_int_equal(rvdt_imsic_file_addr(m, i, 0, &pa), 0);
		assert_int_equal(pa, 0x24000000 + (i / 8) * 0x1000000 + (i % 8) * 0x1000);
	}
	check_formula(s);
	check_formula(m);
}

static void test_2s16g7(void **state)
{
	char dtb[64];
	struct rvdt_platform *p = load(FIX("virt-imsic-2s-16-g7.dts"));

	check_2s16g7(p);
	rvdt_free(p);
	dtc_to_file(FIX("virt-imsic-2s-16-g7.dts"), dtb, sizeof(dtb));
	p = load(dtb);
	check_2s16g7(p);
	rvdt_free(p);
	unlink(dtb);
}

static void test_iommu_pci(void **state)
{
	struct rvdt_platform *p = load(DATA("iommu-pci.dts"));
	const struct rvdt_imsic *s, *m;
	const struct rvdt_iommu *io;
	uint64_t pa;

	assert_int_equal(p->nr_harts, 2);
	assert_int_equal(p->harts[0].hartid, 5);
	assert_int_equal(p->harts[1].hartid, 9);
	/* memory: two 2-cell ranges, then one 1-cell range */
	assert_int_equal(p->nr_memory, 3);
	assert_int_equal(p->memory[0].base, 0x80000000);
	assert_int_equal(p->memory[0].size, 0x40000000);
	assert_int_equal(p->memory[1].base, 0x100000000);
	assert_int_equal(p->memory[1].size, 0x20000000);
	assert_int_equal(p->memory[2].base, 0xc0000000);
	assert_int_equal(p->memory[2].size, 0x1000000);
	assert_int_equal(p->nr_imsics, 2);
	s = &p->imsics[0];
	m = &p->imsics[1];
	/* interrupts-extended order, not hart id order */
	assert_int_equal(s->parents[0].hartid, 9);
	assert_int_equal(s->parents[0].hart, 1);
	assert_int_equal(s->parents[1].hartid, 5);
	assert_int_equal(m->parents[0].hartid, 5);
	assert_int_equal(s->num_ids, 127);
	assert_int_equal(s->num_guest_ids, 63);
	assert_int_equal(s->hart_index_bits, 1);
	assert_int_equal(m->num_ids, 2047);
	assert_int_equal(m->num_guest_ids, 2047); /* default: num-ids */
	assert_int_equal(rvdt_imsic_file_addr(s, 1, 1, &pa), 0);
	assert_int_equal(pa, 0x28000000 + 2 * 0x1000 + 0x1000);
	assert_int_equal(p->nr_iommus, 2);
	io = &p->iommus[0];
	assert_string_equal(io->path, "/soc/iommu@10010000");
	assert_false(io->pci);
	assert_int_equal(io->reg.base, 0x10010000);
	assert_int_equal(io->reg.size, 0x1000);
	assert_int_equal(io->nr_interrupts, 4);
	assert_int_equal(io->interrupts[0], 32);
	assert_int_equal(io->interrupts[2], 33);
	assert_int_equal(io->msi_imsic, 0);
	io = &p->iommus[1];
	assert_true(io->pci);
	assert_string_equal(io->path, "/soc/pci@30000000/iommu@1,0");
	assert_int_equal(io->pci_bdf, 0x0008); /* bus 0, dev 1, fn 0 */
	assert_int_equal(io->msi_imsic, -1);
	assert_int_equal(p->nr_pci_hosts, 1);
	assert_int_equal(p->pci_hosts[0].msi_imsic, 0);
	assert_int_equal(p->nr_iommu_map, 2);
	assert_int_equal(p->iommu_map[0].rid_base, 0);
	assert_int_equal(p->iommu_map[0].iommu_base, 0);
	assert_int_equal(p->iommu_map[0].length, 8);
	assert_int_equal(p->iommu_map[0].iommu, 0);
	assert_int_equal(p->iommu_map[0].iommu_phandle, p->iommus[0].phandle);
	assert_int_equal(p->iommu_map[1].rid_base, 0x100);
	assert_int_equal(p->iommu_map[1].iommu_base, 0x1000);
	assert_int_equal(p->iommu_map[1].length, 0x100);
	assert_int_equal(p->iommu_map[1].host, 0);
	rvdt_free(p);
}

static void test_strerror_and_params(void **state)
{
	struct rvdt_platform *p;
	char err[64];

	assert_string_equal(rvdt_strerror(-RVDT_ERR_OVERLAP), "RVDT_ERR_OVERLAP");
	assert_string_equal(rvdt_strerror(RVDT_ERR_DTC), "RVDT_ERR_DTC");
	assert_string_equal(rvdt_strerror(-999), "<unknown rvdt error>");
	assert_int_equal(rvdt_load_file(NULL, &p, err, sizeof(err)), -RVDT_ERR_BADPARAM);
	assert_int_equal(rvdt_load_dtb(NULL, 10, &p, err, sizeof(err)), -RVDT_ERR_BADPARAM);
	assert_int_equal(rvdt_load_dtb("x", 1, NULL, NULL, 0), -RVDT_ERR_BADPARAM);
	rvdt_free(NULL);
}

/* The IMSIC model built from each fixture puts every file where Linux does. */
static void test_model_from_fixtures(void **state)
{
	static const char *const files[] = {FIX("virt-imsic-4.dts"), FIX("virt-imsic-8-g3.dts"),
	                                    FIX("virt-imsic-2s-16-g7.dts")};
	/* groups, harts per group, guests of the S node, from the .dts */
	static const uint32_t expect[3][3] = {{1, 4, 0}, {1, 8, 3}, {2, 8, 7}};

	for (size_t f = 0; f < 3; f++) {
		struct rvdt_platform *p = load(files[f]);

		for (size_t k = 0; k < p->nr_imsics; k++) {
			const struct rvdt_imsic *im = &p->imsics[k];
			struct rvimsic_config cfg = {0};
			struct rvimsic *model;

			assert_int_equal(rvdt_imsic_to_config(im, &cfg), 0);
			assert_int_equal(cfg.groups, expect[f][0]);
			assert_int_equal(cfg.harts, expect[f][1]);
			assert_int_equal(cfg.guests, im->level == RVDT_LEVEL_S ? expect[f][2] : 0);
			assert_int_equal(cfg.m_level, im->level == RVDT_LEVEL_M);
			assert_int_equal(rvimsic_create(&cfg, &model), 0);
			for (size_t pos = 0; pos < im->nr_parents; pos++) {
				uint32_t hb = im->hart_index_bits;
				struct rvimsic_file_id id = {(uint32_t)(pos >> hb),
				                             (uint32_t)pos & ((1u << hb) - 1), 0};

				for (id.guest = 0; id.guest <= cfg.guests; id.guest++) {
					uint64_t a, b;

					assert_int_equal(
					    rvdt_imsic_file_addr(im, pos, id.guest, &a), 0);
					assert_int_equal(rvimsic_file_addr(model, id, &b), 0);
					assert_int_equal(a, b);
				}
			}
			rvimsic_destroy(model);
		}
		rvdt_free(p);
	}
}

static void test_to_config_mismatch(void **state)
{
	/* Linux's walk and the formula disagree: region 1 is not at the
	 * group-1 address (hart bits 1, group shift 24, regions of one page
	 * each, so position 1 lands in region 1 at 0x28100000). */
	struct rvdt_range regs[2] = {{0x28000000, 0x1000}, {0x28100000, 0x1000}};
	struct rvdt_imsic_parent par[2] = {{0, 0}, {1, 1}};
	struct rvdt_imsic im = {
	    .level = RVDT_LEVEL_S,
	    .num_ids = 63,
	    .num_guest_ids = 63,
	    .hart_index_bits = 1,
	    .group_index_shift = 24,
	    .base = 0x28000000,
	    .regs = regs,
	    .nr_regs = 2,
	    .parents = par,
	    .nr_parents = 2,
	};
	struct rvimsic_config cfg;

	assert_int_equal(rvdt_imsic_to_config(&im, &cfg), -RVDT_ERR_MISMATCH);
	regs[0].size = 0x2000; /* now both harts sit in region 0 */
	assert_int_equal(rvdt_imsic_to_config(&im, &cfg), 0);
	assert_int_equal(cfg.harts, 2);
	im.level = RVDT_LEVEL_M;
	im.guest_index_bits = 1;
	assert_int_equal(rvdt_imsic_to_config(&im, &cfg), -RVDT_ERR_RANGE);
	assert_int_equal(rvdt_imsic_to_config(NULL, &cfg), -RVDT_ERR_BADPARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virt4_dts),
	    cmocka_unit_test(test_virt4_dtb),
	    cmocka_unit_test(test_8g3),
	    cmocka_unit_test(test_2s16g7),
	    cmocka_unit_test(test_iommu_pci),
	    cmocka_unit_test(test_strerror_and_params),
	    cmocka_unit_test(test_model_from_fixtures),
	    cmocka_unit_test(test_to_config_mismatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
