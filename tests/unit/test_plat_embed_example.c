/* SPDX-License-Identifier: MIT
 *
 * test_plat_embed_example.c - the embedding example of docs/embedding.md,
 * compiled and run.  Everything between the two marker comments is the
 * code shown in the document, byte for byte (tests/cli/run_docs.sh checks
 * it); the test below drives it as an emulator would: DMA is blocked while
 * the IOMMU is Off (cause 256), the guest writes ddtp = Bare through MMIO,
 * then DMA reaches RAM untranslated; with fctl.WSI and a fault queue, a
 * fault raises irq_line through the wsi op.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

/* ---- begin docs/embedding.md example ---- */
#include <stdbool.h>
#include <string.h>

#include "rviommu/model.h"
#include "rviommu/spec.h"

#define RAM_BASE UINT64_C(0x80000000)
#define RAM_SIZE (UINT64_C(1) << 20)
#define IOMMU_BASE UINT64_C(0x03010000) /* its 4 KiB register window */

struct machine {
	uint8_t ram[RAM_SIZE];
	struct rvm *iommu;
	bool irq_line; /* the IOMMU's wire into the interrupt controller */
};

/* The model's view of the bus: RAM only (add your MMIO/IMSIC routing). */
static int bus_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	struct machine *m = ctx;
	(void)a;
	if (pa < RAM_BASE || pa - RAM_BASE > RAM_SIZE - len)
		return RVM_MEM_ACCESS_FAULT;
	memcpy(buf, m->ram + (pa - RAM_BASE), len);
	return RVM_MEM_OK;
}

static int bus_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                     const struct rvm_mem_attr *a)
{
	struct machine *m = ctx;
	(void)a;
	if (pa < RAM_BASE || pa - RAM_BASE > RAM_SIZE - len)
		return RVM_MEM_ACCESS_FAULT;
	memcpy(m->ram + (pa - RAM_BASE), buf, len);
	return RVM_MEM_OK;
}

static void wire(void *ctx, unsigned vector, bool level)
{
	(void)vector;
	((struct machine *)ctx)->irq_line = level;
}

static struct rvm *machine_add_iommu(struct machine *m)
{
	static const struct rvm_host_ops ops = {bus_read, bus_write, NULL, wire, NULL};
	struct rvm_config cfg;
	rvm_config_default(&cfg); /* edit capabilities, cache sizes... here */
	m->iommu = rvm_create(&cfg, &ops, m, NULL);
	return m->iommu;
}

/* CPU loads/stores that hit the register window go to the model. */
static bool mmio_access(struct machine *m, uint64_t pa, unsigned size, bool write, uint64_t *val)
{
	if (pa < IOMMU_BASE || pa - IOMMU_BASE >= 4096)
		return false;
	uint32_t off = (uint32_t)(pa - IOMMU_BASE);
	int rc = write ? rvm_mmio_write(m->iommu, off, size, *val)
	               : rvm_mmio_read(m->iommu, off, size, val);
	return rc == 0; /* else: raise an access fault on the CPU */
}

/* A device's DMA write: translate, then move the bytes at the result. */
static int dma_write(struct machine *m, uint32_t device_id, uint64_t iova, const void *buf,
                     size_t len)
{
	struct rvm_req rq = {.device_id = device_id, .access = RVM_ACC_WRITE, .iova = iova};
	struct rvm_resp rs;
	rq.len = len;
	int cause = rvm_translate(m->iommu, &rq, &rs);
	if (cause)
		return cause; /* recorded in the fault queue: the device gets UR/CA */
	return bus_write(m, rs.pa, buf, len, NULL) == RVM_MEM_OK ? 0 : -1;
}
/* ---- end docs/embedding.md example ---- */

static void test_embed_example(void **state)
{
	(void)state;
	struct machine *m = calloc(1, sizeof(*m));
	uint32_t word = 0x12345678, back = 0;
	uint64_t v;
	assert_non_null(m);
	assert_non_null(machine_add_iommu(m));
	/* out of reset the IOMMU is Off: all inbound transactions disallowed */
	assert_int_equal(dma_write(m, 7, RAM_BASE + 0x100, &word, 4), RVI_CAUSE_ALL_DISALLOWED);
	/* the guest kernel reads caps and sets ddtp.MODE = Bare */
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_CAPABILITIES, 8, false, &v));
	assert_int_equal(RVI_FIELD_GET(RVI_CAP_VERSION, v), RVI_SPEC_VERSION_1_0);
	v = RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_BARE);
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_DDTP, 8, true, &v));
	assert_int_equal(dma_write(m, 7, RAM_BASE + 0x100, &word, 4), 0);
	memcpy(&back, m->ram + 0x100, 4);
	assert_int_equal(back, word);
	/* outside RAM the bus faults; outside the window MMIO is not ours */
	assert_int_equal(dma_write(m, 7, 0x1000, &word, 4), -1);
	assert_false(mmio_access(m, IOMMU_BASE + 4096, 4, false, &v));
	/* wired interrupts: with the IOMMU Off again (fctl is writable only
	 * then, §5.4), fctl.WSI = 1 and a fault queue with FIE; the next fault
	 * raises the wire through the wsi op */
	v = RVI_FIELD_PREP(RVI_DDTP_MODE, RVI_DDTP_MODE_OFF);
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_DDTP, 8, true, &v));
	v = RVI_FCTL_WSI;
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_FCTL, 4, true, &v));
	v = RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, 3) | RVI_FIELD_PREP(RVI_QB_PPN, (RAM_BASE >> 12) + 16);
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_FQB, 8, true, &v));
	v = RVI_FQCSR_FQEN | RVI_FQCSR_FIE;
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_FQCSR, 4, true, &v));
	assert_false(m->irq_line);
	assert_int_equal(dma_write(m, 7, RAM_BASE, &word, 4), RVI_CAUSE_ALL_DISALLOWED);
	assert_true(m->irq_line);
	assert_true(mmio_access(m, IOMMU_BASE + RVI_REG_IPSR, 4, false, &v));
	assert_true(v & RVI_IPSR_FIP);
	rvm_destroy(m->iommu);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embed_example),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
