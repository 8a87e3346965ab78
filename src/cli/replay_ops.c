/* SPDX-License-Identifier: MIT
 *
 * cli/replay_ops.c - the simple ops of `rviommu replay`: memory as a CPU
 * sees it (write_mem, read_mem), the mark_mem extension that makes ranges
 * fault or return poisoned data, register access through the model's MMIO
 * interface, time (advance) and ATS invalidation completions.
 */
#include <string.h>

#include "cli/json_emit.h"
#include "cli/replay.h"

#define MAX_BYTES 4096

static const char *mem_status_name(int st)
{
	return st == RVM_MEM_POISON ? "poisoned data" : "access fault";
}

static int check_size(uint64_t size, bool reg, struct jget_err *e)
{
	if (reg ? (size == 4 || size == 8) : (size == 1 || size == 2 || size == 4 || size == 8))
		return 0;
	return jget_fail(e, "size: %llu is not %s", (unsigned long long)size,
	                 reg ? "4 or 8" : "1, 2, 4 or 8");
}

static uint64_t size_max(uint64_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

int replay_op_write_mem(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "addr", "size", "data", "bytes", NULL};
	uint8_t buf[MAX_BYTES];
	size_t len;
	uint64_t addr;
	if (jget_check_keys(o, allowed, &r->err) || jget_u64(o, "addr", UINT64_MAX, &addr, &r->err))
		return -1;
	if (json_object_get(o, "bytes")) {
		const char *s;
		if (json_object_get(o, "size") || json_object_get(o, "data"))
			return jget_fail(&r->err, "give either bytes or size and data, not both");
		if (jget_string(o, "bytes", &s, &r->err) ||
		    jget_hex_bytes(s, buf, sizeof(buf), &len, &r->err))
			return -1;
	} else {
		uint64_t size, data;
		if (jget_u64(o, "size", 8, &size, &r->err) || check_size(size, false, &r->err) ||
		    jget_u64(o, "data", size_max(size), &data, &r->err))
			return -1;
		len = size;
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)(data >> (8 * i));
	}
	if (addr + len - 1 < addr)
		return jget_fail(&r->err, "addr: the range wraps past 2^64");
	int st = rv_physmem_write(r->mem, addr, buf, len);
	if (st != RVM_MEM_OK)
		return jget_fail(&r->err, "memory write at 0x%llx failed: %s",
		                 (unsigned long long)addr, mem_status_name(st));
	return 0;
}

int replay_op_read_mem(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "addr", "size", NULL};
	uint64_t addr, size;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_u64(o, "addr", UINT64_MAX, &addr, &r->err) ||
	    jget_u64(o, "size", 8, &size, &r->err) || check_size(size, false, &r->err))
		return -1;
	if (addr + size - 1 < addr)
		return jget_fail(&r->err, "addr: the range wraps past 2^64");
	uint8_t buf[8];
	int st = rv_physmem_read(r->mem, addr, buf, size);
	if (st != RVM_MEM_OK)
		return jget_fail(&r->err, "memory read at 0x%llx failed: %s",
		                 (unsigned long long)addr, mem_status_name(st));
	uint64_t data = 0;
	for (size_t i = 0; i < size; i++)
		data |= (uint64_t)buf[i] << (8 * i);
	struct jemit j;
	jemit_begin(&j, r->out, "op", "read_mem");
	jemit_hex(&j, "addr", addr);
	jemit_hex(&j, "data", data);
	jemit_end(&j);
	return 0;
}

int replay_op_mark_mem(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "addr", "size", "status", NULL};
	static const char *const names[] = {"ok", "fault", "poison"};
	static const int status[] = {RVM_MEM_OK, RVM_MEM_ACCESS_FAULT, RVM_MEM_POISON};
	uint64_t addr, size;
	unsigned idx;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_u64(o, "addr", UINT64_MAX, &addr, &r->err) ||
	    jget_u64(o, "size", UINT64_MAX, &size, &r->err) ||
	    jget_choice(o, "status", names, 3, -1, &idx, &r->err))
		return -1;
	if (size == 0)
		return jget_fail(&r->err, "size: must be at least 1");
	if (addr + size - 1 < addr)
		return jget_fail(&r->err, "addr: the range wraps past 2^64");
	if (rv_physmem_mark(r->mem, addr, size, status[idx]))
		return jget_fail(&r->err, "too many marked ranges");
	return 0;
}

static int reg_args(struct replay *r, const json_t *o, uint32_t *off, uint64_t *size)
{
	uint64_t v;
	if (jget_u64(o, "offset", RVI_REG_BLOCK_SIZE - 1, &v, &r->err) ||
	    jget_u64(o, "size", 8, size, &r->err) || check_size(*size, true, &r->err))
		return -1;
	*off = (uint32_t)v;
	return 0;
}

int replay_op_write_reg(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "offset", "size", "data", NULL};
	uint32_t off;
	uint64_t size, data;
	if (jget_check_keys(o, allowed, &r->err) || reg_args(r, o, &off, &size) ||
	    jget_u64(o, "data", size_max(size), &data, &r->err))
		return -1;
	int rc = rvm_mmio_write(r->m, off, (unsigned)size, data);
	if (rc)
		return jget_fail(&r->err, "the model rejects a %u-byte write at offset 0x%x: %s",
		                 (unsigned)size, off, rvm_strerror(rc));
	return 0;
}

int replay_op_read_reg(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "offset", "size", NULL};
	uint32_t off;
	uint64_t size, data = 0;
	if (jget_check_keys(o, allowed, &r->err) || reg_args(r, o, &off, &size))
		return -1;
	int rc = rvm_mmio_read(r->m, off, (unsigned)size, &data);
	if (rc)
		return jget_fail(&r->err, "the model rejects a %u-byte read at offset 0x%x: %s",
		                 (unsigned)size, off, rvm_strerror(rc));
	struct jemit j;
	jemit_begin(&j, r->out, "op", "read_reg");
	jemit_hex(&j, "offset", off);
	jemit_hex(&j, "data", data);
	jemit_end(&j);
	return 0;
}

int replay_op_advance(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "cycles", NULL};
	uint64_t cycles;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_u64(o, "cycles", UINT64_MAX, &cycles, &r->err))
		return -1;
	rvm_advance(r->m, cycles);
	return 0;
}

int replay_op_inval_completion(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "rid", "itag", NULL};
	uint64_t rid, itag;
	if (jget_check_keys(o, allowed, &r->err) || jget_u64(o, "rid", 0xffff, &rid, &r->err) ||
	    jget_u64(o, "itag", UINT32_MAX, &itag, &r->err))
		return -1;
	rvm_ats_inval_completion(r->m, (uint16_t)rid, (uint32_t)itag);
	return 0;
}

/* rviommu extension: RAS error injection (rvm_inject_error). */
int replay_op_inject(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "what", NULL};
	static const char *const names[] = {"datapath"};
	unsigned idx;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_choice(o, "what", names, 1, -1, &idx, &r->err))
		return -1;
	(void)idx;
	if (rvm_inject_error(r->m, RVM_INJECT_DATAPATH))
		return jget_fail(&r->err, "what: the model rejects the injection");
	return 0;
}
