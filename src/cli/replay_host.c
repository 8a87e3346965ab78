/* SPDX-License-Identifier: MIT
 *
 * cli/replay_host.c - the host side of `rviommu replay`: the model's memory
 * goes to the replay's rv_physmem, and everything the IOMMU sends outwards
 * is printed as an event line at the moment it happens:
 *   {"event":"msi","addr":...,"data":...}       a write of kind RVM_MEM_MSI
 *                                               (also performed in memory;
 *                                               "fault":true if it failed)
 *   {"event":"wsi","vector":...,"level":...}    a wired interrupt level change
 *   {"event":"ats","type":"inval"|"prgr",...}   a message to a device
 */
#include <string.h>

#include "cli/json_emit.h"
#include "cli/replay.h"

static int host_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	struct replay *r = ctx;
	return rv_physmem_op_read(r->mem, pa, buf, len, a);
}

static int host_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                      const struct rvm_mem_attr *a)
{
	struct replay *r = ctx;
	int st = rv_physmem_op_write(r->mem, pa, buf, len, a);
	if (a && a->kind == RVM_MEM_MSI) {
		uint64_t data = 0;
		const uint8_t *b = buf;
		for (size_t i = 0; i < len && i < 8; i++)
			data |= (uint64_t)b[i] << (8 * i);
		struct jemit j;
		jemit_begin(&j, r->out, "event", "msi");
		jemit_hex(&j, "addr", pa);
		jemit_hex(&j, "data", data);
		if (st != RVM_MEM_OK)
			jemit_bool(&j, "fault", true);
		jemit_end(&j);
	}
	return st;
}

static int host_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *observed, const struct rvm_mem_attr *a)
{
	struct replay *r = ctx;
	return rv_physmem_op_cas(r->mem, pa, size, expected, desired, observed, a);
}

static void host_wsi(void *ctx, unsigned vector, bool level)
{
	struct replay *r = ctx;
	struct jemit j;
	jemit_begin(&j, r->out, "event", "wsi");
	jemit_hex(&j, "vector", vector);
	jemit_hex(&j, "level", level);
	jemit_end(&j);
}

static void host_ats(void *ctx, const struct rvm_ats_msg *msg)
{
	struct replay *r = ctx;
	struct jemit j;
	jemit_begin(&j, r->out, "event", "ats");
	jemit_str(&j, "type", msg->type == RVM_ATS_MSG_INVAL ? "inval" : "prgr");
	jemit_hex(&j, "rid", msg->rid);
	if (msg->dsv)
		jemit_hex(&j, "dseg", msg->dseg);
	jemit_hex(&j, "pv", msg->pv);
	jemit_hex(&j, "pid", msg->pid);
	jemit_hex(&j, "payload", msg->payload);
	if (msg->type == RVM_ATS_MSG_INVAL)
		jemit_hex(&j, "itag", msg->itag);
	jemit_end(&j);
}

const struct rvm_host_ops replay_host_ops = {
    .mem_read = host_read,
    .mem_write = host_write,
    .mem_cas = host_cas,
    .wsi = host_wsi,
    .ats_msg = host_ats,
};
