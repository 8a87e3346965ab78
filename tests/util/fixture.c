/* SPDX-License-Identifier: MIT
 *
 * tests/util/fixture.c - see fixture.h.  This file deliberately does not use
 * the model's internal page-table code: it is an independent transcription
 * of the spec's formats, so a shared mistake can not hide in both.
 */
#include "fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fx_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	struct fx *f = ctx;
	(void)a;
	return rv_physmem_read(f->mem, pa, buf, len);
}

static int fx_write(void *ctx, uint64_t pa, const void *buf, size_t len,
		    const struct rvm_mem_attr *a)
{
	struct fx *f = ctx;
	if (a && a->kind == RVM_MEM_MSI && f->n_msis < FX_MAX_EVENTS && len == 4) {
		uint32_t d;
		memcpy(&d, buf, 4);
		f->msis[f->n_msis].addr = pa;
		f->msis[f->n_msis].data = d;
		f->n_msis++;
	}
	return rv_physmem_write(f->mem, pa, buf, len);
}

static int fx_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
		  uint64_t *observed, const struct rvm_mem_attr *a)
{
	struct fx *f = ctx;
	(void)a;
	return rv_physmem_cas(f->mem, pa, size, expected, desired, observed);
}

static void fx_wsi(void *ctx, unsigned vector, bool level)
{
	struct fx *f = ctx;
	if (vector < 16)
		f->wsi_level[vector] = level;
	f->n_wsi_edges++;
}

static void fx_ats(void *ctx, const struct rvm_ats_msg *msg)
{
	struct fx *f = ctx;
	if (f->n_ats < FX_MAX_EVENTS)
		f->ats[f->n_ats++] = *msg;
}

struct fx *fx_create(const struct rvm_config *cfg)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	if (cfg)
		f->cfg = *cfg;
	else
		rvm_config_default(&f->cfg);
	f->mem = rv_physmem_create((unsigned)RVI_FIELD_GET(RVI_CAP_PAS, f->cfg.capabilities));
	assert_non_null(f->mem);
	struct rvm_host_ops ops = {fx_read, fx_write, fx_cas, fx_wsi, fx_ats};
	int err = 0;
	f->m = rvm_create(&f->cfg, &ops, f, &err);
	if (!f->m)
		fail_msg("rvm_create: %s", rvm_strerror(err));
	f->next_page = FX_ALLOC_BASE;
	return f;
}

void fx_destroy(struct fx *f)
{
	if (!f)
		return;
	rvm_destroy(f->m);
	rv_physmem_destroy(f->mem);
	free(f);
}

uint64_t fx_alloc(struct fx *f, uint64_t size)
{
	if (size < RVI_PAGE_SIZE)
		size = RVI_PAGE_SIZE;
	uint64_t pa = (f->next_page + size - 1) & ~(size - 1);
	f->next_page = pa + size;
	return pa; /* physmem reads unwritten memory as zero */
}

uint64_t fx_rd(struct fx *f, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	int rc = rvm_mmio_read(f->m, off, size, &v);
	if (rc)
		fail_msg("mmio read 0x%x/%u: %s", off, size, rvm_strerror(rc));
	return v;
}

void fx_wr(struct fx *f, uint32_t off, unsigned size, uint64_t val)
{
	int rc = rvm_mmio_write(f->m, off, size, val);
	if (rc)
		fail_msg("mmio write 0x%x/%u: %s", off, size, rvm_strerror(rc));
}

static uint64_t queue_base(uint64_t pa, unsigned log2)
{
	return RVI_FIELD_PREP(RVI_QB_PPN, pa >> 12) | RVI_FIELD_PREP(RVI_QB_LOG2SZ_1, log2 - 1);
}

void fx_enable_queues(struct fx *f, unsigned log2)
{
	f->cq_entries = f->fq_entries = f->pq_entries = 1u << log2;
	f->cq_base = fx_alloc(f, (uint64_t)RVI_CQ_ENTRY_SIZE << log2);
	f->fq_base = fx_alloc(f, (uint64_t)RVI_FQ_ENTRY_SIZE << log2);
	fx_wr(f, RVI_REG_CQB, 8, queue_base(f->cq_base, log2));
	fx_wr(f, RVI_REG_CQT, 4, 0);
	fx_wr(f, RVI_REG_CQCSR, 4, RVI_CQCSR_CQEN);
	assert_true(fx_rd(f, RVI_REG_CQCSR, 4) & RVI_CQCSR_CQON);
	fx_wr(f, RVI_REG_FQB, 8, queue_base(f->fq_base, log2));
	fx_wr(f, RVI_REG_FQH, 4, 0);
	fx_wr(f, RVI_REG_FQCSR, 4, RVI_FQCSR_FQEN);
	assert_true(fx_rd(f, RVI_REG_FQCSR, 4) & RVI_FQCSR_FQON);
	if (f->cfg.capabilities & RVI_CAP_ATS) {
		f->pq_base = fx_alloc(f, (uint64_t)RVI_PQ_ENTRY_SIZE << log2);
		fx_wr(f, RVI_REG_PQB, 8, queue_base(f->pq_base, log2));
		fx_wr(f, RVI_REG_PQH, 4, 0);
		fx_wr(f, RVI_REG_PQCSR, 4, RVI_PQCSR_PQEN);
		assert_true(fx_rd(f, RVI_REG_PQCSR, 4) & RVI_PQCSR_PQON);
	}
}

uint32_t fx_cmd(struct fx *f, uint64_t dw0, uint64_t dw1)
{
	uint32_t t = (uint32_t)fx_rd(f, RVI_REG_CQT, 4);
	uint64_t pa = f->cq_base + (uint64_t)t * RVI_CQ_ENTRY_SIZE;
	rv_physmem_write64(f->mem, pa, dw0);
	rv_physmem_write64(f->mem, pa + 8, dw1);
	fx_wr(f, RVI_REG_CQT, 4, (t + 1) & (f->cq_entries - 1));
	return (uint32_t)fx_rd(f, RVI_REG_CQCSR, 4);
}

bool fx_fence(struct fx *f)
{
	uint64_t dw0 = RVI_FIELD_PREP(RVI_CMD_OPCODE, RVI_CMD_IOFENCE) |
		       RVI_FIELD_PREP(RVI_CMD_FUNC3, RVI_IOFENCE_C);
	fx_cmd(f, dw0, 0);
	return fx_rd(f, RVI_REG_CQH, 4) == fx_rd(f, RVI_REG_CQT, 4);
}

bool fx_pop_fault(struct fx *f, uint64_t rec[4])
{
	uint32_t h = (uint32_t)fx_rd(f, RVI_REG_FQH, 4), t = (uint32_t)fx_rd(f, RVI_REG_FQT, 4);
	if (h == t)
		return false;
	for (int i = 0; i < 4; i++)
		rec[i] = rv_physmem_read64(f->mem, f->fq_base + (uint64_t)h * RVI_FQ_ENTRY_SIZE + 8 * i);
	fx_wr(f, RVI_REG_FQH, 4, (h + 1) & (f->fq_entries - 1));
	return true;
}

uint64_t fx_ddt_init(struct fx *f, unsigned mode)
{
	uint64_t root = fx_alloc(f, RVI_PAGE_SIZE);
	fx_wr(f, RVI_REG_DDTP, 8,
	      RVI_FIELD_PREP(RVI_DDTP_PPN, root >> 12) | RVI_FIELD_PREP(RVI_DDTP_MODE, mode));
	return root;
}

uint64_t fx_set_dc(struct fx *f, uint32_t did, const uint64_t dc[8])
{
	bool ext = f->cfg.capabilities & RVI_CAP_MSI_FLAT;
	uint64_t ddtp = fx_rd(f, RVI_REG_DDTP, 8);
	unsigned levels = rvi_ddt_levels((unsigned)RVI_FIELD_GET(RVI_DDTP_MODE, ddtp));
	uint64_t a = RVI_FIELD_GET(RVI_DDTP_PPN, ddtp) << 12;
	assert_true(levels >= 1);
	for (int i = (int)levels - 1; i > 0; i--) {
		uint64_t pa = a + 8 * (uint64_t)rvi_ddi(did, (unsigned)i, ext);
		uint64_t e = rv_physmem_read64(f->mem, pa);
		if (!(e & RVI_NL_V)) {
			uint64_t t = fx_alloc(f, RVI_PAGE_SIZE);
			e = RVI_NL_V | RVI_FIELD_PREP(RVI_NL_PPN, t >> 12);
			rv_physmem_write64(f->mem, pa, e);
		}
		a = RVI_FIELD_GET(RVI_NL_PPN, e) << 12;
	}
	unsigned dws = ext ? 8 : 4;
	uint64_t pa = a + (uint64_t)rvi_ddi(did, 0, ext) * dws * 8;
	/* Write tc (with V) last, as software must (§9.2). */
	for (unsigned i = dws; i-- > 0;)
		rv_physmem_write64(f->mem, pa + 8 * i, dc[i]);
	return pa;
}

struct fmt_desc {
	const char *name;
	unsigned levels, pte_size, vpn_bits, root_extra;
};
static const struct fmt_desc fmts[] = {
	{"sv32", 2, 4, 10, 0},   {"sv39", 3, 8, 9, 0},   {"sv48", 4, 8, 9, 0},
	{"sv57", 5, 8, 9, 0},    {"sv32x4", 2, 4, 10, 2}, {"sv39x4", 3, 8, 9, 2},
	{"sv48x4", 4, 8, 9, 2},  {"sv57x4", 5, 8, 9, 2},
};

static const struct fmt_desc *find_fmt(const char *name)
{
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (!strcmp(fmts[i].name, name))
			return &fmts[i];
	fail_msg("unknown format %s", name);
	return NULL;
}

uint64_t fx_pt_new(struct fx *f, const char *fmt)
{
	const struct fmt_desc *d = find_fmt(fmt);
	return fx_alloc(f, RVI_PAGE_SIZE << d->root_extra);
}

static unsigned vpn(const struct fmt_desc *d, uint64_t va, unsigned level)
{
	unsigned bits = d->vpn_bits + (level == d->levels - 1 ? d->root_extra : 0);
	return (unsigned)(va >> (12 + d->vpn_bits * level)) & ((1u << bits) - 1);
}

static uint64_t rd_pte(struct fx *f, const struct fmt_desc *d, uint64_t pa)
{
	return d->pte_size == 8 ? rv_physmem_read64(f->mem, pa) : rv_physmem_read32(f->mem, pa);
}

static void wr_pte(struct fx *f, const struct fmt_desc *d, uint64_t pa, uint64_t v)
{
	if (d->pte_size == 8)
		rv_physmem_write64(f->mem, pa, v);
	else
		rv_physmem_write32(f->mem, pa, (uint32_t)v);
}

uint64_t fx_pte_addr(struct fx *f, const char *fmt, uint64_t root, uint64_t va, unsigned level)
{
	const struct fmt_desc *d = find_fmt(fmt);
	uint64_t a = root;
	for (unsigned i = d->levels - 1;; i--) {
		uint64_t pa = a + (uint64_t)vpn(d, va, i) * d->pte_size;
		if (i == level)
			return pa;
		uint64_t e = rd_pte(f, d, pa);
		if (!(e & RVI_PTE_V)) {
			uint64_t t = fx_alloc(f, RVI_PAGE_SIZE);
			e = RVI_PTE_V | ((t >> 12) << 10);
			wr_pte(f, d, pa, e);
		}
		a = ((e >> 10) & (d->pte_size == 8 ? ((UINT64_C(1) << 44) - 1) : 0x3fffff)) << 12;
	}
}

uint64_t fx_map(struct fx *f, const char *fmt, uint64_t root, uint64_t va, uint64_t pa,
		unsigned level, uint64_t flags)
{
	const struct fmt_desc *d = find_fmt(fmt);
	uint64_t at = fx_pte_addr(f, fmt, root, va, level);
	uint64_t pte = RVI_PTE_V | flags | ((pa >> 12) << 10);
	wr_pte(f, d, at, pte);
	return at;
}

struct rvm_req fx_req(uint32_t did, enum rvm_access acc, uint64_t iova)
{
	struct rvm_req r;
	memset(&r, 0, sizeof(r));
	r.device_id = did;
	r.access = acc;
	r.type = RVM_TT_UNTRANSLATED;
	r.iova = iova;
	r.len = 4;
	return r;
}
