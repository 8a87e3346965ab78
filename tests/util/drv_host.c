/* SPDX-License-Identifier: MIT
 *
 * tests/util/drv_host.c - see drv_host.h.  Included by test files.
 */
#include "drv_host.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/spec.h"

bool dh_in_pool(const struct dh *h, uint64_t pa)
{
	return pa >= DH_POOL_BASE && pa - DH_POOL_BASE < h->pool_pages * RVI_PAGE_SIZE;
}

void *dh_va(const struct dh *h, uint64_t pa)
{
	assert_true(dh_in_pool(h, pa));
	return h->pool + (pa - DH_POOL_BASE);
}

/* ---- pool allocator: first fit, naturally aligned ---- */

static int dh_alloc_pages(void *ctx, unsigned order, uint64_t *phys)
{
	struct dh *h = ctx;
	uint64_t n = UINT64_C(1) << order;
	if (h->fail_allocs_after >= 0) {
		if (h->fail_allocs_after == 0)
			return -ENOMEM;
		h->fail_allocs_after--;
	}
	for (uint64_t p = 0; p + n <= h->pool_pages; p += n) {
		uint64_t k;
		for (k = 0; k < n && !h->used[p + k]; k++)
			;
		if (k < n)
			continue;
		h->used[p] = (uint8_t)(order + 1);
		for (k = 1; k < n; k++)
			h->used[p + k] = 0xff;
		memset(h->pool + p * RVI_PAGE_SIZE, 0, n * RVI_PAGE_SIZE);
		*phys = DH_POOL_BASE + p * RVI_PAGE_SIZE;
		h->live_pages += n;
		h->n_allocs++;
		return 0;
	}
	return -ENOMEM;
}

static void dh_free_pages(void *ctx, uint64_t phys, unsigned order)
{
	struct dh *h = ctx;
	assert_true(dh_in_pool(h, phys));
	uint64_t p = (phys - DH_POOL_BASE) / RVI_PAGE_SIZE;
	assert_int_equal(h->used[p], order + 1); /* freeing what was allocated */
	uint64_t n = UINT64_C(1) << order;
	memset(h->used + p, 0, n);
	/* Poison, so a use after free shows up in the model's walks. */
	memset(h->pool + p * RVI_PAGE_SIZE, 0xa5, n * RVI_PAGE_SIZE);
	h->live_pages -= n;
	h->n_frees++;
	if (h->n_free_log < DH_MAX_FREES) {
		h->frees[h->n_free_log].phys = phys;
		h->frees[h->n_free_log].order = order;
		h->frees[h->n_free_log].fences_before = h->n_fences;
		h->n_free_log++;
	}
}

static void *dh_p2v(void *ctx, uint64_t phys)
{
	return dh_va(ctx, phys);
}

/* ---- MMIO ---- */

static uint64_t mmio_rd(struct dh *h, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	assert_non_null(h->m);
	int rc = rvm_mmio_read(h->m, off, size, &v);
	if (rc)
		fail_msg("mmio read 0x%x/%u: %s", off, size, rvm_strerror(rc));
	return v;
}

static void record_cmds(struct dh *h, uint32_t new_cqt)
{
	uint64_t cqb = mmio_rd(h, RVI_REG_CQB, 8);
	uint64_t base = RVI_FIELD_GET(RVI_QB_PPN, cqb) << 12;
	uint32_t n = rvi_queue_entries(cqb);
	for (uint32_t i = h->prev_cqt; i != new_cqt; i = (i + 1) & (n - 1)) {
		const uint64_t *c = dh_va(h, base + (uint64_t)i * RVI_CQ_ENTRY_SIZE);
		if (h->n_cmds < DH_MAX_CMDS) {
			h->cmds[h->n_cmds][0] = c[0];
			h->cmds[h->n_cmds][1] = c[1];
			h->n_cmds++;
		}
		if (dh_cmd_op(c) == RVI_CMD_IOFENCE && dh_cmd_func3(c) == RVI_IOFENCE_C)
			h->n_fences++;
	}
	h->prev_cqt = new_cqt;
}

static void mmio_wr(struct dh *h, uint32_t off, unsigned size, uint64_t v)
{
	assert_non_null(h->m);
	if (h->n_mmio_log < DH_MAX_MMIO_LOG) {
		h->mmio_log[h->n_mmio_log].off = off;
		h->mmio_log[h->n_mmio_log].val = v;
		h->n_mmio_log++;
	}
	if (off == RVI_REG_CQT) {
		h->n_cqt_writes++;
		record_cmds(h, (uint32_t)v);
		if (h->on_cqt)
			h->on_cqt(h, h->on_cqt_arg);
	}
	if (off == RVI_REG_CQB)
		h->prev_cqt = 0;
	int rc = rvm_mmio_write(h->m, off, size, v);
	if (rc)
		fail_msg("mmio write 0x%x/%u: %s", off, size, rvm_strerror(rc));
}

static uint32_t dh_rd32(void *ctx, uint32_t off)
{
	return (uint32_t)mmio_rd(ctx, off, 4);
}
static uint64_t dh_rd64(void *ctx, uint32_t off)
{
	return mmio_rd(ctx, off, 8);
}
static void dh_wr32(void *ctx, uint32_t off, uint32_t v)
{
	mmio_wr(ctx, off, 4, v);
}
static void dh_wr64(void *ctx, uint32_t off, uint64_t v)
{
	mmio_wr(ctx, off, 8, v);
}

/* ---- barriers, lock, clock, log ---- */

static void dh_fence(void *ctx)
{
	(void)ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
static void dh_wmb(void *ctx)
{
	struct dh *h = ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (h->on_wmb)
		h->on_wmb(h, h->on_wmb_arg);
}
static void dh_lock(void *ctx)
{
	struct dh *h = ctx;
	assert_int_equal(h->lock_depth, 0); /* the core never nests it */
	h->lock_depth++;
}
static void dh_unlock(void *ctx)
{
	struct dh *h = ctx;
	assert_int_equal(h->lock_depth, 1);
	h->lock_depth--;
}
static uint64_t dh_now(void *ctx)
{
	return ((struct dh *)ctx)->clock_ns;
}
/* Answer the Invalidation Requests that are due (outside the model's
 * lock: the model calls ats_msg with it held). */
static void dh_ats_answer(struct dh *h)
{
	uint16_t rid[DH_MAX_ATS_MSGS];
	uint32_t itag[DH_MAX_ATS_MSGS];
	unsigned k = 0, n = 0;
	/* Take the due ones off the list first: a completion lets the model
	 * send more requests, which dh_ats_msg appends. */
	for (unsigned i = 0; i < h->n_ats_pending; i++) {
		if (h->ats_answer && h->ats_pending[i].due <= h->clock_ns) {
			rid[n] = h->ats_pending[i].rid;
			itag[n++] = h->ats_pending[i].itag;
		} else {
			h->ats_pending[k++] = h->ats_pending[i];
		}
	}
	h->n_ats_pending = k;
	for (unsigned i = 0; i < n; i++)
		rvm_ats_inval_completion(h->m, rid[i], itag[i]);
}

static void dh_delay(void *ctx, uint64_t ns)
{
	struct dh *h = ctx;
	h->clock_ns += ns;
	if (h->m) {
		dh_ats_answer(h);
		rvm_advance(h->m, ns);
	}
}

static void dh_ats_msg(void *ctx, const struct rvm_ats_msg *msg)
{
	struct dh *h = ctx;
	if (h->n_ats_msgs < DH_MAX_ATS_MSGS)
		h->ats_msgs[h->n_ats_msgs++] = *msg;
	if (msg->type != RVM_ATS_MSG_INVAL)
		return;
	assert_true(h->n_ats_pending < DH_MAX_ATS_MSGS);
	h->ats_pending[h->n_ats_pending].rid = msg->rid;
	h->ats_pending[h->n_ats_pending].itag = msg->itag;
	h->ats_pending[h->n_ats_pending].due = h->clock_ns + h->ats_delay_ns;
	h->n_ats_pending++;
	if (h->n_ats_pending > h->ats_max_pending)
		h->ats_max_pending = h->n_ats_pending;
}
static void dh_log(void *ctx, enum rvd_log_level lvl, const char *msg)
{
	struct dh *h = ctx;
	h->n_logs++;
	snprintf(h->last_log, sizeof(h->last_log), "%s", msg);
	if (getenv("DH_VERBOSE"))
		fprintf(stderr, "[rvd %d] %s\n", (int)lvl, msg);
}

/* ---- the model's view of memory ---- */

static void note_attr(struct dh *h, const struct rvm_mem_attr *a)
{
	if (a && (unsigned)a->kind < RVM_MEM_KIND_COUNT) {
		h->attr_last[a->kind] = *a;
		h->attr_n[a->kind]++;
	}
}

static int m_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	struct dh *h = ctx;
	note_attr(h, a);
	if (dh_in_pool(h, pa)) {
		memcpy(buf, dh_va(h, pa), len);
		return RVM_MEM_OK;
	}
	return rv_physmem_read(h->mem, pa, buf, len);
}
static int m_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                   const struct rvm_mem_attr *a)
{
	struct dh *h = ctx;
	note_attr(h, a);
	if (dh_in_pool(h, pa)) {
		memcpy(dh_va(h, pa), buf, len);
		return RVM_MEM_OK;
	}
	return rv_physmem_write(h->mem, pa, buf, len);
}
static int m_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                 uint64_t *observed, const struct rvm_mem_attr *a)
{
	struct dh *h = ctx;
	note_attr(h, a);
	if (!dh_in_pool(h, pa))
		return rv_physmem_cas(h->mem, pa, size, expected, desired, observed);
	if (size == 8) {
		uint64_t *p = dh_va(h, pa), e = expected;
		__atomic_compare_exchange_n(p, &e, desired, false, __ATOMIC_SEQ_CST,
		                            __ATOMIC_SEQ_CST);
		*observed = e;
	} else {
		uint32_t *p = dh_va(h, pa), e = (uint32_t)expected;
		__atomic_compare_exchange_n(p, &e, (uint32_t)desired, false, __ATOMIC_SEQ_CST,
		                            __ATOMIC_SEQ_CST);
		*observed = e;
	}
	return RVM_MEM_OK;
}

struct dh *dh_create(uint64_t pages, const struct rvm_config *cfg)
{
	struct dh *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	h->pool_pages = pages;
	h->pool = aligned_alloc(RVI_PAGE_SIZE, pages * RVI_PAGE_SIZE);
	h->used = calloc(pages, 1);
	assert_non_null(h->pool);
	assert_non_null(h->used);
	h->fail_allocs_after = -1;
	h->ops = (struct rvd_os_ops){
	    .alloc_pages = dh_alloc_pages,
	    .free_pages = dh_free_pages,
	    .phys_to_virt = dh_p2v,
	    .read32 = dh_rd32,
	    .read64 = dh_rd64,
	    .write32 = dh_wr32,
	    .write64 = dh_wr64,
	    .mb = dh_fence,
	    .wmb = dh_wmb,
	    .rmb = dh_fence,
	    .lock = dh_lock,
	    .unlock = dh_unlock,
	    .now_ns = dh_now,
	    .delay_ns = dh_delay,
	    .log = dh_log,
	};
	if (cfg) {
		h->cfg = *cfg;
		h->mem = rv_physmem_create((unsigned)RVI_FIELD_GET(RVI_CAP_PAS, cfg->capabilities));
		assert_non_null(h->mem);
		struct rvm_host_ops mops = {.mem_read = m_read,
		                            .mem_write = m_write,
		                            .mem_cas = m_cas,
		                            .ats_msg = dh_ats_msg};
		int err = 0;
		h->m = rvm_create(&h->cfg, &mops, h, &err);
		if (!h->m)
			fail_msg("rvm_create: %s", rvm_strerror(err));
	}
	return h;
}

void dh_destroy(struct dh *h)
{
	if (!h)
		return;
	if (h->m)
		rvm_destroy(h->m);
	if (h->mem)
		rv_physmem_destroy(h->mem);
	free(h->pool);
	free(h->used);
	free(h);
}

static void dh_fault_cb(void *ctx, const struct rvd_fault *f)
{
	struct dh *h = ctx;
	if (h->n_faults < DH_MAX_FAULTS)
		h->faults[h->n_faults++] = *f;
}

void dh_default_config(struct rvd_config *c)
{
	memset(c, 0, sizeof(*c));
	c->device_id_bits = 16;
	c->cq_lg2 = 8;
	c->fq_lg2 = 7;
	c->pq_lg2 = 7;
	c->msi_vectors = 1;
	c->msi_addr[0] = 0x28000000;
	c->msi_data[0] = 1;
	c->fault_cb = dh_fault_cb;
}

int dh_dma(struct dh *h, uint32_t did, enum rvm_access acc, uint64_t iova, uint64_t *pa)
{
	struct rvm_req rq;
	struct rvm_resp rs;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.device_id = did;
	rq.access = acc;
	rq.type = RVM_TT_UNTRANSLATED;
	rq.iova = iova;
	rq.len = 4;
	int cause = rvm_translate(h->m, &rq, &rs);
	if (pa)
		*pa = rs.pa;
	if (cause == 0 && rs.status == RVM_STATUS_SUCCESS) {
		uint32_t v = 0x5a5a5a5a;
		if (acc == RVM_ACC_WRITE)
			rv_physmem_write(h->mem, rs.pa, &v, 4);
		else
			rv_physmem_read(h->mem, rs.pa, &v, 4);
	}
	return cause;
}

unsigned dh_cmd_op(const uint64_t c[2])
{
	return (unsigned)RVI_FIELD_GET(RVI_CMD_OPCODE, c[0]);
}

unsigned dh_cmd_func3(const uint64_t c[2])
{
	return (unsigned)RVI_FIELD_GET(RVI_CMD_FUNC3, c[0]);
}
