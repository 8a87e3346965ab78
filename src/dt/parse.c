/* SPDX-License-Identifier: MIT
 *
 * parse.c - turn a checked FDT blob into struct rvdt_platform: harts from
 * /cpus, memory ranges, riscv,imsics nodes (imsics.c), riscv,iommu nodes and
 * PCI host bridges with their msi-parent and iommu-map.
 *
 * Implements the Devicetree Specification v0.4 (cpus §3.7-3.8, memory §3.4,
 * #address-cells/#size-cells §2.3.5), the Linux bindings iommu/riscv,iommu
 * .yaml and pci/pci-iommu.txt (iommu-map = <rid-base iommu iommu-base
 * length>*, with #iommu-cells = 1), and the blob checks of libfdt
 * (fdt_check_full()).  Order: harts first (imsics refer to them), then the
 * rest; msi-parent and iommu-map phandles are resolved last.  On any error
 * the partial platform is freed; nothing is kept from the blob.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt/dt_internal.h"

static bool prop_is_(const void *fdt, int node, const char *prop, const char *val)
{
	int len;
	const char *s = fdt_getprop(fdt, node, prop, &len);

	return s && len > 0 && strnlen(s, (size_t)len) < (size_t)len && !strcmp(s, val);
}

static int parse_cpus_(struct rvdt_ctx *c)
{
	int cpus = fdt_path_offset(c->fdt, "/cpus"), cpu, child, ret;

	if (cpus < 0)
		return 0; /* no harts: any imsics will fail to resolve */
	fdt_for_each_subnode(cpu, c->fdt, cpus)
	{
		struct rvdt_range *reg;
		struct rvdt_hart *h;
		size_t n;

		if (!prop_is_(c->fdt, cpu, "device_type", "cpu"))
			continue;
		ret = rvdt_read_reg_(c, cpu, &reg, &n);
		if (ret)
			return ret;
		if (reg[0].base > UINT32_MAX) {
			free(reg);
			return rvdt_fail_(c, RVDT_ERR_RANGE, cpu,
			                  "reg: hart id does not fit 32 bits");
		}
		h = rvdt_grow_(&c->p->harts, &c->p->nr_harts, sizeof(*h));
		if (!h) {
			free(reg);
			return rvdt_fail_(c, RVDT_ERR_NOMEM, cpu, "out of memory");
		}
		h->hartid = (uint32_t)reg[0].base;
		free(reg);
		h->cpu_phandle = fdt_get_phandle(c->fdt, cpu);
		rvdt_path_(c->fdt, cpu, h->path);
		fdt_for_each_subnode(child, c->fdt, cpu)
		{
			if (fdt_getprop(c->fdt, child, "interrupt-controller", NULL)) {
				h->intc_phandle = fdt_get_phandle(c->fdt, child);
				break;
			}
		}
	}
	return 0;
}

static int parse_memory_(struct rvdt_ctx *c)
{
	int node, ret;

	for (node = fdt_next_node(c->fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(c->fdt, node, NULL)) {
		struct rvdt_range *reg;
		size_t n, i;

		if (!prop_is_(c->fdt, node, "device_type", "memory"))
			continue;
		ret = rvdt_read_reg_(c, node, &reg, &n);
		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			struct rvdt_range *m =
			    rvdt_grow_(&c->p->memory, &c->p->nr_memory, sizeof(*m));
			if (!m) {
				free(reg);
				return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
			}
			*m = reg[i];
		}
		free(reg);
	}
	return 0;
}

static int parse_imsics_(struct rvdt_ctx *c)
{
	int node, ret;

	for (node = fdt_node_offset_by_compatible(c->fdt, -1, "riscv,imsics"); node >= 0;
	     node = fdt_node_offset_by_compatible(c->fdt, node, "riscv,imsics")) {
		struct rvdt_imsic *im = rvdt_grow_(&c->p->imsics, &c->p->nr_imsics, sizeof(*im));

		if (!im)
			return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
		ret = rvdt_parse_imsic_(c, node, im);
		if (ret)
			return ret;
	}
	return 0;
}

/* The first cell of "msi-parent" (0 if absent). */
static int read_msi_parent_(struct rvdt_ctx *c, int node, uint32_t *ph)
{
	int len;
	const fdt32_t *v = fdt_getprop(c->fdt, node, "msi-parent", &len);

	*ph = 0;
	if (!v)
		return 0;
	if (len < 4)
		return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
		                  "msi-parent has %d bytes, expected a phandle", len);
	*ph = fdt32_to_cpu(v[0]);
	if (fdt_node_offset_by_phandle(c->fdt, *ph) < 0)
		return rvdt_fail_(c, RVDT_ERR_BADPHANDLE, node,
		                  "msi-parent: phandle 0x%" PRIx32 " does not exist", *ph);
	return 0;
}

static int imsic_by_phandle_(const struct rvdt_platform *p, uint32_t ph)
{
	for (size_t i = 0; ph && i < p->nr_imsics; i++)
		if (p->imsics[i].phandle == ph)
			return (int)i;
	return -1;
}

static int parse_iommu_(struct rvdt_ctx *c, int node, bool pci)
{
	struct rvdt_iommu *io;
	const fdt32_t *v;
	int len, ret;

	io = rvdt_grow_(&c->p->iommus, &c->p->nr_iommus, sizeof(*io));
	if (!io)
		return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
	rvdt_path_(c->fdt, node, io->path);
	io->phandle = fdt_get_phandle(c->fdt, node);
	io->pci = pci;
	io->msi_imsic = -1;
	if (pci) {
		/* PCI address: phys.hi = npt000ss bbbbbbbb dddddfff rrrrrrrr */
		v = fdt_getprop(c->fdt, node, "reg", &len);
		if (!v)
			return rvdt_fail_(c, RVDT_ERR_MISSING, node, "reg is missing (required)");
		if (len < 20 || len % 20)
			return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
			                  "reg has %d bytes, not a multiple "
			                  "of 20 (PCI address 3 + size 2)",
			                  len);
		io->pci_bdf = (fdt32_to_cpu(v[0]) >> 8) & 0xffff;
	} else {
		struct rvdt_range *reg;
		size_t n;

		ret = rvdt_read_reg_(c, node, &reg, &n);
		if (ret)
			return ret;
		io->reg = reg[0];
		free(reg);
	}
	v = fdt_getprop(c->fdt, node, "interrupts", &len);
	if (v) {
		if (len % 4)
			return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
			                  "interrupts has %d bytes, not whole "
			                  "cells",
			                  len);
		io->nr_interrupts = (size_t)len / 4;
		io->interrupts =
		    calloc(io->nr_interrupts ? io->nr_interrupts : 1, sizeof(uint32_t));
		if (!io->interrupts)
			return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
		for (size_t i = 0; i < io->nr_interrupts; i++)
			io->interrupts[i] = fdt32_to_cpu(v[i]);
	}
	ret = read_msi_parent_(c, node, &io->msi_parent);
	if (ret)
		return ret;
	io->msi_imsic = imsic_by_phandle_(c->p, io->msi_parent);
	return 0;
}

static int parse_iommus_(struct rvdt_ctx *c)
{
	int node, ret;

	for (node = fdt_next_node(c->fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(c->fdt, node, NULL)) {
		bool plat = !fdt_node_check_compatible(c->fdt, node, "riscv,iommu");
		bool pci = !fdt_node_check_compatible(c->fdt, node, "riscv,pci-iommu");

		if (!plat && !pci)
			continue;
		ret = parse_iommu_(c, node, pci);
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_iommu_map_(struct rvdt_ctx *c, int node, size_t host)
{
	int len;
	const fdt32_t *v = fdt_getprop(c->fdt, node, "iommu-map", &len);

	if (!v)
		return 0;
	if (len <= 0 || len % 16)
		return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
		                  "iommu-map has %d bytes, not a multiple of "
		                  "16 (rid-base, iommu, iommu-base, length)",
		                  len);
	for (int i = 0; i < len / 16; i++, v += 4) {
		struct rvdt_iommu_map *m;
		uint32_t ph = fdt32_to_cpu(v[1]);
		int target = fdt_node_offset_by_phandle(c->fdt, ph);
		uint32_t icells = 1;
		const fdt32_t *ic;
		int iclen;

		if (target < 0)
			return rvdt_fail_(c, RVDT_ERR_BADPHANDLE, node,
			                  "iommu-map[%d]: phandle 0x%" PRIx32 " does not exist", i,
			                  ph);
		ic = fdt_getprop(c->fdt, target, "#iommu-cells", &iclen);
		if (ic && iclen == 4)
			icells = fdt32_to_cpu(*ic);
		if (icells != 1)
			return rvdt_fail_(c, RVDT_ERR_RANGE, node,
			                  "iommu-map[%d]: the IOMMU has "
			                  "#iommu-cells %" PRIu32 ", only 1 is supported",
			                  i, icells);
		m = rvdt_grow_(&c->p->iommu_map, &c->p->nr_iommu_map, sizeof(*m));
		if (!m)
			return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
		m->host = host;
		m->rid_base = fdt32_to_cpu(v[0]);
		m->iommu_phandle = ph;
		m->iommu_base = fdt32_to_cpu(v[2]);
		m->length = fdt32_to_cpu(v[3]);
		m->iommu = -1;
		for (size_t k = 0; k < c->p->nr_iommus; k++)
			if (c->p->iommus[k].phandle == ph)
				m->iommu = (int)k;
	}
	return 0;
}

static int parse_pci_hosts_(struct rvdt_ctx *c)
{
	int node, parent, ret;

	for (node = fdt_next_node(c->fdt, -1, NULL); node >= 0;
	     node = fdt_next_node(c->fdt, node, NULL)) {
		struct rvdt_pci_host *h;
		struct rvdt_range *reg;
		size_t n;

		if (!prop_is_(c->fdt, node, "device_type", "pci"))
			continue;
		parent = fdt_parent_offset(c->fdt, node);
		if (parent >= 0 && prop_is_(c->fdt, parent, "device_type", "pci"))
			continue; /* a PCI-PCI bridge, not a host */
		h = rvdt_grow_(&c->p->pci_hosts, &c->p->nr_pci_hosts, sizeof(*h));
		if (!h)
			return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "out of memory");
		rvdt_path_(c->fdt, node, h->path);
		h->msi_imsic = -1;
		ret = rvdt_read_reg_(c, node, &reg, &n);
		if (ret)
			return ret;
		h->reg = reg[0];
		free(reg);
		ret = read_msi_parent_(c, node, &h->msi_parent);
		if (ret)
			return ret;
		h->msi_imsic = imsic_by_phandle_(c->p, h->msi_parent);
		ret = parse_iommu_map_(c, node, c->p->nr_pci_hosts - 1);
		if (ret)
			return ret;
	}
	return 0;
}

void rvdt_free(struct rvdt_platform *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr_imsics; i++) {
		free(p->imsics[i].regs);
		free(p->imsics[i].parents);
	}
	for (i = 0; i < p->nr_iommus; i++)
		free(p->iommus[i].interrupts);
	free(p->harts);
	free(p->memory);
	free(p->imsics);
	free(p->iommus);
	free(p->pci_hosts);
	free(p->iommu_map);
	free(p);
}

int rvdt_load_dtb(const void *blob, size_t size, struct rvdt_platform **out, char *err,
                  size_t errlen)
{
	struct rvdt_ctx c = {.err = err, .errlen = errlen};
	void *copy;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADPARAM, "rvdt_load_dtb: out is NULL");
	*out = NULL;
	if (!blob)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADPARAM, "rvdt_load_dtb: blob is NULL");
	if (size == 0)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADDTB, "device tree blob is empty");
	if (size > INT32_MAX)
		return rvdt_errf_(err, errlen, RVDT_ERR_BADDTB,
		                  "device tree blob of %zu bytes is too large", size);
	/* libfdt wants an 8-byte aligned blob; malloc() gives one, and the
	 * copy cannot change under us while we parse */
	copy = malloc(size);
	if (!copy)
		return rvdt_errf_(err, errlen, RVDT_ERR_NOMEM, "out of memory");
	memcpy(copy, blob, size);
	c.fdt = copy;
	ret = fdt_check_full(copy, size);
	if (ret) {
		free(copy);
		return rvdt_errf_(err, errlen, RVDT_ERR_BADDTB, "not a valid device tree blob: %s",
		                  fdt_strerror(ret));
	}
	c.p = calloc(1, sizeof(*c.p));
	if (!c.p) {
		free(copy);
		return rvdt_errf_(err, errlen, RVDT_ERR_NOMEM, "out of memory");
	}
	ret = parse_cpus_(&c);
	if (!ret)
		ret = parse_memory_(&c);
	if (!ret)
		ret = parse_imsics_(&c);
	if (!ret)
		ret = parse_iommus_(&c);
	if (!ret)
		ret = parse_pci_hosts_(&c);
	free(copy);
	if (ret) {
		rvdt_free(c.p);
		return ret;
	}
	*out = c.p;
	return 0;
}
