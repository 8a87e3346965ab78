/* SPDX-License-Identifier: MIT
 *
 * platform/plat_dt.c - the embedded default platform, built in memory with
 * libfdt's sequential-write API (no dtc needed at run time).
 *
 * The tree is QEMU virt-like (as `-M virt,aia=aplic-imsic,aia-guests=3
 * -smp 8` plus an IOMMU): 8 harts with riscv,cpu-intc children, 1 GiB of RAM
 * at 0x80000000, an M-level IMSIC at 0x24000000, an S-level IMSIC at
 * 0x28000000 with riscv,guest-index-bits = 2 (3 guest files per hart), a
 * platform "riscv,iommu" at 0x3010000 whose msi-parent is the S-level IMSIC,
 * and a PCI host at 0x30000000 with msi-parent and
 * iommu-map = <0 &iommu 0 0x10000> (RID = device_id).  Bindings as in
 * include/rviommu/devicetree.h.
 *
 * Invariants: (1) the blob passes fdt_check_full(); (2) phandles are fixed
 * constants, so the blob is byte-identical on every call.
 */
#include <libfdt.h>
#include <stdlib.h>

#include "platform/plat_internal.h"

#define NHARTS 8u
#define PH_INTC0 0x10u /* intc of hart h: PH_INTC0 + h */
#define PH_IMSIC_M 0x30u
#define PH_IMSIC_S 0x31u
#define PH_IOMMU 0x32u

static int cells_(void *fdt, const char *name, const uint32_t *v, size_t n)
{
	fdt32_t buf[2 * NHARTS + 4];
	for (size_t i = 0; i < n; i++)
		buf[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, buf, (int)(n * sizeof(fdt32_t)));
}

static int reg64_(void *fdt, uint64_t base, uint64_t size)
{
	uint32_t v[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
	                 (uint32_t)size};
	return cells_(fdt, "reg", v, 4);
}

static int cpus_(void *fdt)
{
	int r = fdt_begin_node(fdt, "cpus");
	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 1);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 0);
	if (!r)
		r = fdt_property_u32(fdt, "timebase-frequency", 10000000);
	for (uint32_t h = 0; h < NHARTS && !r; h++) {
		char name[16] = "cpu@0";
		name[4] = (char)('0' + h);
		r = fdt_begin_node(fdt, name);
		if (!r)
			r = fdt_property_string(fdt, "device_type", "cpu");
		if (!r)
			r = fdt_property_u32(fdt, "reg", h);
		if (!r)
			r = fdt_property_string(fdt, "compatible", "riscv");
		if (!r)
			r = fdt_property_string(fdt, "riscv,isa", "rv64imafdch");
		if (!r)
			r = fdt_property_string(fdt, "status", "okay");
		if (!r)
			r = fdt_begin_node(fdt, "interrupt-controller");
		if (!r)
			r = fdt_property_u32(fdt, "#interrupt-cells", 1);
		if (!r)
			r = fdt_property(fdt, "interrupt-controller", NULL, 0);
		if (!r)
			r = fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
		if (!r)
			r = fdt_property_u32(fdt, "phandle", PH_INTC0 + h);
		if (!r)
			r = fdt_end_node(fdt);
		if (!r)
			r = fdt_end_node(fdt);
	}
	return r ? r : fdt_end_node(fdt);
}

static int imsic_(void *fdt, const char *name, uint64_t base, uint64_t size, uint32_t irq,
                  uint32_t guest_bits, uint32_t phandle)
{
	uint32_t ie[2 * NHARTS];
	for (uint32_t h = 0; h < NHARTS; h++) {
		ie[2 * h] = PH_INTC0 + h;
		ie[2 * h + 1] = irq;
	}
	int r = fdt_begin_node(fdt, name);
	if (!r)
		r = fdt_property_string(fdt, "compatible", "riscv,imsics");
	if (!r)
		r = reg64_(fdt, base, size);
	if (!r)
		r = cells_(fdt, "interrupts-extended", ie, 2 * NHARTS);
	if (!r)
		r = fdt_property_u32(fdt, "riscv,num-ids", 255);
	if (guest_bits)
		if (!r)
			r = fdt_property_u32(fdt, "riscv,guest-index-bits", guest_bits);
	if (!r)
		r = fdt_property(fdt, "msi-controller", NULL, 0);
	if (!r)
		r = fdt_property(fdt, "interrupt-controller", NULL, 0);
	if (!r)
		r = fdt_property_u32(fdt, "#interrupt-cells", 0);
	if (!r)
		r = fdt_property_u32(fdt, "phandle", phandle);
	return r ? r : fdt_end_node(fdt);
}

static int soc_(void *fdt)
{
	static const uint32_t iommu_map[4] = {0, PH_IOMMU, 0, 0x10000};
	static const uint32_t pci_reg[4] = {0, 0x30000000, 0, 0x10000000};
	static const uint32_t bus_range[2] = {0, 0xff};
	int r = fdt_begin_node(fdt, "soc");
	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 2);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 2);
	if (!r)
		r = fdt_property_string(fdt, "compatible", "simple-bus");
	if (!r)
		r = fdt_property(fdt, "ranges", NULL, 0);
	if (!r)
		r = imsic_(fdt, "imsics@24000000", 0x24000000, NHARTS * 0x1000ull, 11, 0,
		           PH_IMSIC_M);
	if (!r)
		r = imsic_(fdt, "imsics@28000000", 0x28000000, NHARTS * 0x4000ull, 9, 2,
		           PH_IMSIC_S);
	if (!r)
		r = fdt_begin_node(fdt, "iommu@3010000");
	if (!r)
		r = fdt_property_string(fdt, "compatible", "riscv,iommu");
	if (!r)
		r = reg64_(fdt, 0x3010000, 0x1000);
	if (!r)
		r = fdt_property_u32(fdt, "#iommu-cells", 1);
	if (!r)
		r = fdt_property_u32(fdt, "msi-parent", PH_IMSIC_S);
	if (!r)
		r = fdt_property_u32(fdt, "phandle", PH_IOMMU);
	if (!r)
		r = fdt_end_node(fdt);
	if (!r)
		r = fdt_begin_node(fdt, "pci@30000000");
	if (!r)
		r = fdt_property_string(fdt, "compatible", "pci-host-ecam-generic");
	if (!r)
		r = fdt_property_string(fdt, "device_type", "pci");
	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 3);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 2);
	if (!r)
		r = cells_(fdt, "reg", pci_reg, 4);
	if (!r)
		r = cells_(fdt, "bus-range", bus_range, 2);
	if (!r)
		r = fdt_property_u32(fdt, "msi-parent", PH_IMSIC_S);
	if (!r)
		r = cells_(fdt, "iommu-map", iommu_map, 4);
	if (!r)
		r = fdt_property(fdt, "dma-coherent", NULL, 0);
	if (!r)
		r = fdt_end_node(fdt);
	return r ? r : fdt_end_node(fdt);
}

int rvsim_default_dtb(void **blob, size_t *size)
{
	const int cap = 16384;
	void *fdt = malloc((size_t)cap);
	if (!fdt)
		return RVSIM_E_NOMEM;
	int r = fdt_create(fdt, cap);
	if (!r)
		r = fdt_finish_reservemap(fdt);
	if (!r)
		r = fdt_begin_node(fdt, "");
	if (!r)
		r = fdt_property_u32(fdt, "#address-cells", 2);
	if (!r)
		r = fdt_property_u32(fdt, "#size-cells", 2);
	if (!r)
		r = fdt_property_string(fdt, "compatible", "riscv-virtio");
	if (!r)
		r = fdt_property_string(fdt, "model", "rviommu,virt-default");
	if (!r)
		r = cpus_(fdt);
	if (!r)
		r = fdt_begin_node(fdt, "memory@80000000");
	if (!r)
		r = fdt_property_string(fdt, "device_type", "memory");
	if (!r)
		r = reg64_(fdt, 0x80000000, 0x40000000);
	if (!r)
		r = fdt_end_node(fdt);
	if (!r)
		r = soc_(fdt);
	if (!r)
		r = fdt_end_node(fdt);
	if (!r)
		r = fdt_finish(fdt);
	if (r) { /* only FDT_ERR_NOSPACE is possible: cap is a constant */
		free(fdt);
		return RVSIM_E_NOMEM;
	}
	*blob = fdt;
	*size = fdt_totalsize(fdt);
	return 0;
}
