/* SPDX-License-Identifier: MIT
 *
 * model/mem.c - the model's view of physical memory.
 *
 * Every structure the IOMMU reads or writes goes through here, so byte
 * order (fctl.BE for DDT, G-stage and MSI tables and the queues; DC.tc.SBE
 * for the PDT and first-stage tables, §2.0) and the PAS limit are applied in
 * one place.  An address at or above 2^PAS is an access fault (§2.5).
 */
#include "model/pt_walk.h"

#include <string.h>

static uint64_t bswap_n(uint64_t v, unsigned size)
{
	return size == 8 ? __builtin_bswap64(v) : __builtin_bswap32((uint32_t)v);
}

/* Bytes in memory are little-endian unless 'be'; this host is little-endian. */
static uint64_t from_mem(uint64_t raw, unsigned size, bool be)
{
	return be ? bswap_n(raw, size) : raw;
}

static bool beyond_pas(const struct rvm *m, uint64_t pa, unsigned len)
{
	uint64_t last = pa + len - 1;
	return last < pa || (last & ~m->pa_mask) != 0;
}

static int raw_read(struct rvm *m, uint64_t pa, void *buf, unsigned len,
                    const struct rvm_mem_attr *a)
{
	if (beyond_pas(m, pa, len))
		return RVM_MEM_ACCESS_FAULT;
	return m->ops.mem_read(m->ctx, pa, buf, len, a);
}

static int raw_write(struct rvm *m, uint64_t pa, const void *buf, unsigned len,
                     const struct rvm_mem_attr *a)
{
	if (beyond_pas(m, pa, len))
		return RVM_MEM_ACCESS_FAULT;
	return m->ops.mem_write(m->ctx, pa, buf, len, a);
}

int rvm_mem_read64(struct rvm *m, uint64_t pa, bool be, uint64_t *v, const struct rvm_mem_attr *a)
{
	uint64_t raw = 0;
	int st = raw_read(m, pa, &raw, 8, a);
	*v = st == RVM_MEM_OK ? from_mem(raw, 8, be) : 0;
	return st;
}

/* PTE reads: the host's direct page pointer is tried inline by the walker
 * (rvm_mem_read_pt_inline_, pt_walk.h); this is the rest. */
int rvm_mem_read_pt_slow_(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t *v,
                          const struct rvm_mem_attr *a)
{
	if (size == 8)
		return rvm_mem_read64(m, pa, be, v, a);
	uint32_t w;
	int st = rvm_mem_read32(m, pa, be, &w, a);
	*v = w;
	return st;
}

int rvm_mem_read_pt(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t *v,
                    const struct rvm_mem_attr *a)
{
	return rvm_mem_read_pt_inline_(m, pa, size, be, v, a);
}

int rvm_mem_write64(struct rvm *m, uint64_t pa, bool be, uint64_t v, const struct rvm_mem_attr *a)
{
	uint64_t raw = from_mem(v, 8, be);
	return raw_write(m, pa, &raw, 8, a);
}

int rvm_mem_read32(struct rvm *m, uint64_t pa, bool be, uint32_t *v, const struct rvm_mem_attr *a)
{
	uint32_t raw = 0;
	int st = raw_read(m, pa, &raw, 4, a);
	*v = st == RVM_MEM_OK ? (uint32_t)from_mem(raw, 4, be) : 0;
	return st;
}

int rvm_mem_write32(struct rvm *m, uint64_t pa, bool be, uint32_t v, const struct rvm_mem_attr *a)
{
	uint32_t raw = (uint32_t)from_mem(v, 4, be);
	return raw_write(m, pa, &raw, 4, a);
}

int rvm_mem_read_dws(struct rvm *m, uint64_t pa, bool be, uint64_t *dw, unsigned n,
                     const struct rvm_mem_attr *a)
{
	/* One host call for the whole structure: the structures read this way
	 * (DC, PC, MSI PTE, command) are naturally aligned, so they never
	 * cross a page. */
	int st = raw_read(m, pa, dw, 8 * n, a);
	for (unsigned i = 0; i < n; i++)
		dw[i] = st == RVM_MEM_OK ? from_mem(dw[i], 8, be) : 0;
	return st;
}

int rvm_mem_write_dws(struct rvm *m, uint64_t pa, bool be, const uint64_t *dw, unsigned n,
                      const struct rvm_mem_attr *a)
{
	uint64_t raw[8];
	if (n > 8)
		return RVM_MEM_ACCESS_FAULT;
	for (unsigned i = 0; i < n; i++)
		raw[i] = from_mem(dw[i], 8, be);
	return raw_write(m, pa, raw, 8 * n, a);
}

int rvm_mem_cas(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t expected,
                uint64_t desired, uint64_t *observed, const struct rvm_mem_attr *a)
{
	if (beyond_pas(m, pa, size))
		return RVM_MEM_ACCESS_FAULT;
	uint64_t exp_raw = from_mem(expected, size, be), des_raw = from_mem(desired, size, be);
	uint64_t obs_raw = 0;
	int st;
	if (m->ops.mem_cas) {
		st = m->ops.mem_cas(m->ctx, pa, size, exp_raw, des_raw, &obs_raw, a);
	} else {
		/* No host atomic: read-compare-write.  Atomic against the model
		 * only (the caller holds m->lock); documented in model.h. */
		st = m->ops.mem_read(m->ctx, pa, &obs_raw, size, a);
		if (st == RVM_MEM_OK && obs_raw == exp_raw)
			st = m->ops.mem_write(m->ctx, pa, &des_raw, size, a);
	}
	if (size == 4)
		obs_raw &= 0xffffffffu;
	*observed = st == RVM_MEM_OK ? from_mem(obs_raw, size, be) : 0;
	return st;
}
