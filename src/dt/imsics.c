/* SPDX-License-Identifier: MIT
 *
 * imsics.c - parse and check one "riscv,imsics" node, and compute the
 * address of each hart's interrupt files from it.
 *
 * Implements the Linux binding riscv,imsics.yaml with the defaults and the
 * checks Linux's IMSIC driver applies, and the AIA v1.0 IMSIC address layout
 * (CHECKLIST §11.4).  Checks, in the order they are made, each with the
 * code it returns:
 *   1. interrupts-extended: present and non-empty (MISSING); each phandle
 *      exists and has #interrupt-cells (BADPHANDLE); the cells are complete
 *      (BADLEN); the phandle is a cpu's interrupt controller (BADPHANDLE);
 *      #interrupt-cells is 1 and the IRQ is 9 (S) or 11 (M) (RANGE); every
 *      entry uses the same IRQ (MISMATCH).
 *   2. riscv,num-ids: present (MISSING), 63..2047 and N & 63 == 63 (RANGE);
 *      riscv,num-guest-ids the same, default num-ids.
 *   3. riscv,guest-index-bits 0..7 (binding) and <= XLEN - 12 (Linux).
 *   4. riscv,hart-index-bits 0..15, default ceil(log2(#parents)), and
 *      <= XLEN - 12 - guest bits.
 *   5. riscv,group-index-bits 0..7 and <= XLEN - 12 - guest - hart bits.
 *   6. riscv,group-index-shift 0..55, default 24, and
 *      group bits + shift - 1 < XLEN.
 *   7. with group bits > 0, shift >= 12 + guest + hart bits (OVERLAP): the
 *      AIA's E >= k + D; Linux itself does not check this.
 *   8. reg: present, whole tuples (MISSING, BADLEN); every region gives the
 *      same base once the index fields are cleared (MISMATCH).
 *   9. every position of interrupts-extended has a page in the regions
 *      (RANGE); Linux only warns and skips such a cpu.
 * XLEN is 64 (the model is RV64).  No state.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <libfdt.h>

#include "dt/dt_internal.h"
#include "rviommu/imsic.h"

#define XLEN 64
#define PAGE_SHIFT 12
#define MIN_IDS 63u
#define MAX_IDS 2047u

static int parse_parents_(struct rvdt_ctx *c, int node, struct rvdt_imsic *im)
{
	const char *prop = "interrupts-extended";
	int len, tnode;
	const fdt32_t *v = fdt_getprop(c->fdt, node, prop, &len);
	size_t i = 0, ncells, idx = 0;
	uint32_t icells, ph, irq;
	long hart;
	char tpath[RVDT_PATH_MAX];

	if (!v || len <= 0)
		return rvdt_fail_(c, RVDT_ERR_MISSING, node, "%s is missing or empty (required)",
		                  prop);
	if (len % 4)
		return rvdt_fail_(c, RVDT_ERR_BADLEN, node, "%s has %d bytes, not whole cells",
		                  prop, len);
	ncells = (size_t)len / 4;
	for (; i < ncells; idx++) {
		struct rvdt_imsic_parent *par;
		struct rvdt_ctx tc = *c;

		ph = fdt32_to_cpu(v[i]);
		tnode = fdt_node_offset_by_phandle(c->fdt, ph);
		if (tnode < 0)
			return rvdt_fail_(c, RVDT_ERR_BADPHANDLE, node,
			                  "%s[%zu]: phandle 0x%" PRIx32 " does not exist", prop,
			                  idx, ph);
		rvdt_path_(c->fdt, tnode, tpath);
		tc.err = NULL; /* report against this node, not the target */
		if (rvdt_read_u32_(&tc, tnode, "#interrupt-cells", true, 0, &icells))
			return rvdt_fail_(c, RVDT_ERR_BADPHANDLE, node,
			                  "%s[%zu]: phandle 0x%" PRIx32
			                  " (%s) has no usable #interrupt-cells",
			                  prop, idx, ph, tpath);
		if (icells > ncells - i - 1)
			return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
			                  "%s[%zu]: truncated, %s needs %" PRIu32 " cells", prop,
			                  idx, tpath, icells);
		hart = rvdt_hart_by_intc_(c->p, ph);
		if (hart < 0)
			return rvdt_fail_(c, RVDT_ERR_BADPHANDLE, node,
			                  "%s[%zu]: phandle 0x%" PRIx32
			                  " (%s) is not a cpu's interrupt "
			                  "controller",
			                  prop, idx, ph, tpath);
		if (icells != 1)
			return rvdt_fail_(c, RVDT_ERR_RANGE, node,
			                  "%s[%zu]: %s has #interrupt-cells %" PRIu32
			                  ", expected 1",
			                  prop, idx, tpath, icells);
		irq = fdt32_to_cpu(v[i + 1]);
		if (irq != RVDT_LEVEL_M && irq != RVDT_LEVEL_S)
			return rvdt_fail_(c, RVDT_ERR_RANGE, node,
			                  "%s[%zu]: IRQ %" PRIu32 " is neither 9 (S-level) nor 11 "
			                  "(M-level)",
			                  prop, idx, irq);
		if (idx == 0)
			im->level = (enum rvdt_level)irq;
		else if (irq != (uint32_t)im->level)
			return rvdt_fail_(c, RVDT_ERR_MISMATCH, node,
			                  "%s[%zu]: IRQ %" PRIu32 " differs from IRQ %u of entry 0",
			                  prop, idx, irq, (unsigned)im->level);
		par = rvdt_grow_(&im->parents, &im->nr_parents, sizeof(*par));
		if (!par)
			return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "%s: out of memory", prop);
		par->hart = (size_t)hart;
		par->hartid = c->p->harts[hart].hartid;
		i += 1 + icells;
	}
	return 0;
}

static int check_ids_(struct rvdt_ctx *c, int node, const char *prop, uint32_t n)
{
	if (n < MIN_IDS || n > MAX_IDS)
		return rvdt_fail_(c, RVDT_ERR_RANGE, node, "%s = %" PRIu32 " is outside 63..2047",
		                  prop, n);
	if ((n & 63) != 63)
		return rvdt_fail_(c, RVDT_ERR_RANGE, node,
		                  "%s = %" PRIu32 " is not 64k - 1 (num & 63 must be 63)", prop, n);
	return 0;
}

static int check_max_(struct rvdt_ctx *c, int node, const char *prop, uint32_t v, uint32_t max,
                      const char *why)
{
	if (v > max)
		return rvdt_fail_(c, RVDT_ERR_RANGE, node,
		                  "%s = %" PRIu32 " is above %" PRIu32 " (%s)", prop, v, max, why);
	return 0;
}

static int parse_fields_(struct rvdt_ctx *c, int node, struct rvdt_imsic *im)
{
	uint32_t bits = 0;
	int ret;

	ret = rvdt_read_u32_(c, node, "riscv,num-ids", true, 0, &im->num_ids);
	if (!ret)
		ret = check_ids_(c, node, "riscv,num-ids", im->num_ids);
	if (!ret)
		ret = rvdt_read_u32_(c, node, "riscv,num-guest-ids", false, im->num_ids,
		                     &im->num_guest_ids);
	if (!ret)
		ret = check_ids_(c, node, "riscv,num-guest-ids", im->num_guest_ids);
	if (!ret)
		ret = rvdt_read_u32_(c, node, "riscv,guest-index-bits", false, 0,
		                     &im->guest_index_bits);
	if (!ret)
		ret = check_max_(c, node, "riscv,guest-index-bits", im->guest_index_bits, 7,
		                 "binding maximum");
	if (ret)
		return ret;
	while ((1ull << bits) < im->nr_parents)
		bits++;
	ret = rvdt_read_u32_(c, node, "riscv,hart-index-bits", false, bits, &im->hart_index_bits);
	if (!ret)
		ret = check_max_(c, node, "riscv,hart-index-bits", im->hart_index_bits, 15,
		                 "binding maximum");
	if (!ret)
		ret =
		    check_max_(c, node, "riscv,hart-index-bits", im->hart_index_bits,
		               XLEN - PAGE_SHIFT - im->guest_index_bits, "XLEN - 12 - guest bits");
	if (!ret)
		ret = rvdt_read_u32_(c, node, "riscv,group-index-bits", false, 0,
		                     &im->group_index_bits);
	if (!ret)
		ret = check_max_(c, node, "riscv,group-index-bits", im->group_index_bits, 7,
		                 "binding maximum");
	if (!ret)
		ret = check_max_(c, node, "riscv,group-index-bits", im->group_index_bits,
		                 XLEN - PAGE_SHIFT - im->guest_index_bits - im->hart_index_bits,
		                 "XLEN - 12 - guest bits - hart bits");
	if (!ret)
		ret = rvdt_read_u32_(c, node, "riscv,group-index-shift", false, 2 * PAGE_SHIFT,
		                     &im->group_index_shift);
	if (!ret)
		ret = check_max_(c, node, "riscv,group-index-shift", im->group_index_shift, 55,
		                 "binding maximum");
	if (!ret)
		ret = check_max_(c, node, "riscv,group-index-shift", im->group_index_shift,
		                 XLEN - im->group_index_bits,
		                 "group bits + shift - 1 must be < XLEN");
	if (ret)
		return ret;
	bits = PAGE_SHIFT + im->guest_index_bits + im->hart_index_bits;
	if (im->group_index_bits && im->group_index_shift < bits)
		return rvdt_fail_(c, RVDT_ERR_OVERLAP, node,
		                  "riscv,group-index-shift = %" PRIu32
		                  " overlaps the hart/guest index fields "
		                  "(bits %" PRIu32 "..0); it must be >= %" PRIu32,
		                  im->group_index_shift, bits - 1, bits);
	return 0;
}

static uint64_t field_mask_(const struct rvdt_imsic *im)
{
	uint64_t m = (1ull << (PAGE_SHIFT + im->guest_index_bits + im->hart_index_bits)) - 1;

	if (im->group_index_bits)
		m |= ((1ull << im->group_index_bits) - 1) << im->group_index_shift;
	return m;
}

int rvdt_parse_imsic_(struct rvdt_ctx *c, int node, struct rvdt_imsic *im)
{
	uint64_t mask, b;
	size_t i;
	int ret;

	rvdt_path_(c->fdt, node, im->path);
	im->phandle = fdt_get_phandle(c->fdt, node);
	ret = parse_parents_(c, node, im);
	if (!ret)
		ret = parse_fields_(c, node, im);
	if (!ret)
		ret = rvdt_read_reg_(c, node, &im->regs, &im->nr_regs);
	if (ret)
		return ret;
	mask = field_mask_(im);
	im->base = im->regs[0].base & ~mask;
	for (i = 1; i < im->nr_regs; i++) {
		b = im->regs[i].base & ~mask;
		if (b != im->base)
			return rvdt_fail_(c, RVDT_ERR_MISMATCH, node,
			                  "reg[%zu]: base 0x%" PRIx64 " reduces to 0x%" PRIx64
			                  " but reg[0] gives 0x%" PRIx64,
			                  i, im->regs[i].base, b, im->base);
	}
	for (i = 0; i < im->nr_parents; i++) {
		uint64_t pa;

		if (rvdt_imsic_file_addr(im, i, 0, &pa))
			return rvdt_fail_(c, RVDT_ERR_RANGE, node,
			                  "reg: the regions hold no page for "
			                  "interrupts-extended[%zu]",
			                  i);
	}
	return 0;
}

int rvdt_imsic_file_addr(const struct rvdt_imsic *im, size_t pos, uint32_t guest, uint64_t *pa)
{
	uint64_t stride, off, rounded;
	size_t j;

	if (!im || !pa || pos >= im->nr_parents ||
	    (uint64_t)guest >= (1ull << im->guest_index_bits))
		return -RVDT_ERR_BADPARAM;
	stride = 1ull << (im->guest_index_bits + PAGE_SHIFT);
	off = (uint64_t)pos * stride;
	for (j = 0; j < im->nr_regs; j++) {
		if (off < im->regs[j].size) {
			*pa = im->regs[j].base + off + ((uint64_t)guest << PAGE_SHIFT);
			return 0;
		}
		rounded = (im->regs[j].size + stride - 1) & ~(stride - 1);
		/* off is a multiple of stride, so off >= size implies
		 * off >= rounded: it never lands in the padding */
		if (rounded < im->regs[j].size)
			return -RVDT_ERR_RANGE; /* size overflowed */
		off -= rounded;
	}
	return -RVDT_ERR_RANGE;
}

int rvdt_imsic_formula_addr(const struct rvdt_imsic *im, uint32_t group, uint32_t hart,
                            uint32_t guest, uint64_t *pa)
{
	if (!im || !pa || (uint64_t)group >= (1ull << im->group_index_bits) ||
	    (uint64_t)hart >= (1ull << im->hart_index_bits) ||
	    (uint64_t)guest >= (1ull << im->guest_index_bits))
		return -RVDT_ERR_BADPARAM;
	*pa = im->base | (uint64_t)guest << PAGE_SHIFT |
	      (uint64_t)hart << (im->guest_index_bits + PAGE_SHIFT);
	if (im->group_index_bits)
		*pa |= (uint64_t)group << im->group_index_shift;
	return 0;
}

int rvdt_imsic_to_config(const struct rvdt_imsic *im, struct rvimsic_config *cfg)
{
	uint32_t hb, harts, groups;
	uint64_t a, b;
	size_t pos;

	if (!im || !cfg || !im->nr_parents)
		return -RVDT_ERR_BADPARAM;
	hb = im->hart_index_bits;
	if ((1ull << im->guest_index_bits) - 1 > RVIMSIC_MAX_GUESTS ||
	    (im->level == RVDT_LEVEL_M && im->guest_index_bits))
		return -RVDT_ERR_RANGE;
	for (pos = 0; pos < im->nr_parents; pos++) {
		if (rvdt_imsic_file_addr(im, pos, 0, &a) ||
		    rvdt_imsic_formula_addr(im, (uint32_t)(pos >> hb),
		                            (uint32_t)pos & ((1u << hb) - 1), 0, &b) ||
		    a != b)
			return -RVDT_ERR_MISMATCH;
	}
	if (im->nr_parents > (1ull << hb)) {
		harts = 1u << hb;
		groups = (uint32_t)((im->nr_parents + harts - 1) >> hb);
	} else {
		harts = (uint32_t)im->nr_parents;
		groups = 1;
	}
	cfg->base = im->base;
	cfg->groups = groups;
	cfg->harts = harts;
	cfg->guests = (1u << im->guest_index_bits) - 1;
	cfg->num_ids = im->num_ids;
	cfg->num_guest_ids = im->num_guest_ids;
	cfg->guest_index_bits = im->guest_index_bits;
	cfg->hart_index_bits = hb;
	cfg->group_index_bits = im->group_index_bits;
	cfg->group_index_shift = im->group_index_shift;
	cfg->m_level = im->level == RVDT_LEVEL_M;
	return 0;
}
