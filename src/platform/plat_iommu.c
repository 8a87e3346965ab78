/* SPDX-License-Identifier: MIT
 *
 * platform/plat_iommu.c - one IOMMU of the platform: a hardware model
 * instance plus the portable driver core, joined by OS operations the way
 * tests/util/drv_host.c joins them, except that the driver's pages come from
 * the platform's RAM carve-out and its clock is the platform's virtual time.
 *
 * Interrupts: with an msi-parent, the driver programs 4 MSI vectors at hart
 * 0's interrupt file of that IMSIC with identities RVSIM_IOMMU_MSI_ID + 4 *
 * index + v, so the IOMMU's MSIs travel the same bus as device MSIs; without
 * one, the IOMMU is wired (fctl.WSI) and op_wsi_ in plat_mem.c is its sink.
 * Either way plat_irq.c runs rvd_handle_irq() when the interrupt arrives.
 *
 * ATS: the model's messages to devices go to the scenario's hook
 * (plat_mem.c op_ats_); invalidation completions are queued and sent from
 * the driver's delay, outside the model's lock.
 *
 * Commands: every cqt write is decoded before the model sees it, and each
 * published command is counted by opcode/func3 (RISC-V IOMMU 1.0 §4.1) and
 * traced.
 *
 * Invariants:
 *   (1) the driver's lock is never nested (lock_depth is 0 or 1);
 *   (2) commands are counted exactly once, in queue order, including wrap;
 *   (3) fault records are kept in arrival order for the runner to match;
 *   (4) rvsim_iommus_reconfigure() leaves every IOMMU either fully rebuilt
 *       with the new config or torn down (destroyable), never half-probed
 *       with the old one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "platform/plat_internal.h"
#include "rviommu/spec.h"

void rvsim_trace(struct rvsim_platform *p, const char *fmt, ...)
{
	va_list ap;
	if (!p->trace)
		return;
	fprintf(p->trace, "{\"t\":%" PRIu64 ",", p->vtime);
	va_start(ap, fmt);
	vfprintf(p->trace, fmt, ap);
	va_end(ap);
	fputs("}\n", p->trace);
}

const char *rvsim_cmd_name(unsigned op, unsigned func3)
{
	switch (op) {
	case RVI_CMD_IOTINVAL:
		return func3 == RVI_IOTINVAL_GVMA ? "IOTINVAL.GVMA" : "IOTINVAL.VMA";
	case RVI_CMD_IOFENCE:
		return "IOFENCE.C";
	case RVI_CMD_IODIR:
		return func3 == RVI_IODIR_INVAL_PDT ? "IODIR.INVAL_PDT" : "IODIR.INVAL_DDT";
	case RVI_CMD_ATS:
		return func3 == RVI_ATS_PRGR ? "ATS.PRGR" : "ATS.INVAL";
	default:
		return NULL;
	}
}

/* ---- OS operations (ctx = struct rvsim_iommu) ---- */

static int os_alloc_(void *ctx, unsigned order, uint64_t *phys)
{
	struct rvsim_iommu *io = ctx;
	return rvsim_pool_alloc(io->p, order, phys) ? -ENOMEM : 0;
}

static void os_free_(void *ctx, uint64_t phys, unsigned order)
{
	rvsim_pool_free(((struct rvsim_iommu *)ctx)->p, phys, order);
}

static void *os_p2v_(void *ctx, uint64_t phys)
{
	struct rvsim_platform *p = ((struct rvsim_iommu *)ctx)->p;
	if (!rvsim_in_pool(p, phys, 1))
		return NULL;
	return p->pool + (phys - p->pool_base);
}

static void record_cmds_(struct rvsim_iommu *io, uint32_t new_cqt)
{
	uint64_t cqb = 0;
	rvm_mmio_read(io->m, RVI_REG_CQB, 8, &cqb);
	uint64_t base = RVI_FIELD_GET(RVI_QB_PPN, cqb) << 12;
	uint32_t n = rvi_queue_entries(cqb);
	for (uint32_t i = io->prev_cqt, k = 0; i != new_cqt && k < n; i = (i + 1) & (n - 1), k++) {
		uint64_t c[2] = {0, 0};
		rvsim_mem_read(io->p, base + (uint64_t)i * RVI_CQ_ENTRY_SIZE, c, sizeof(c));
		unsigned op = (unsigned)RVI_FIELD_GET(RVI_CMD_OPCODE, c[0]);
		unsigned f3 = (unsigned)RVI_FIELD_GET(RVI_CMD_FUNC3, c[0]);
		if (op < RVSIM_CMD_OPS)
			io->cmds[op][f3 & 7]++;
		io->n_cmds++;
		const char *name = rvsim_cmd_name(op, f3);
		rvsim_trace(io->p,
		            "\"ev\":\"cmd\",\"iommu\":%zu,\"op\":\"%s\",\"w0\":\"0x%016" PRIx64
		            "\",\"w1\":\"0x%016" PRIx64 "\"",
		            io->idx, name ? name : "unknown", c[0], c[1]);
	}
	io->prev_cqt = new_cqt;
}

static uint32_t os_rd32_(void *ctx, uint32_t off)
{
	uint64_t v = 0;
	rvm_mmio_read(((struct rvsim_iommu *)ctx)->m, off, 4, &v);
	return (uint32_t)v;
}

static uint64_t os_rd64_(void *ctx, uint32_t off)
{
	uint64_t v = 0;
	rvm_mmio_read(((struct rvsim_iommu *)ctx)->m, off, 8, &v);
	return v;
}

static void os_wr_(struct rvsim_iommu *io, uint32_t off, unsigned size, uint64_t v)
{
	if (off == RVI_REG_CQT)
		record_cmds_(io, (uint32_t)v);
	if (off == RVI_REG_CQB)
		io->prev_cqt = 0;
	rvm_mmio_write(io->m, off, size, v);
}

static void os_wr32_(void *ctx, uint32_t off, uint32_t v)
{
	os_wr_(ctx, off, 4, v);
}

static void os_wr64_(void *ctx, uint32_t off, uint64_t v)
{
	os_wr_(ctx, off, 8, v);
}

static void os_fence_(void *ctx)
{
	(void)ctx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void os_lock_(void *ctx)
{
	((struct rvsim_iommu *)ctx)->lock_depth++;
}

static void os_unlock_(void *ctx)
{
	((struct rvsim_iommu *)ctx)->lock_depth--;
}

static uint64_t os_now_(void *ctx)
{
	return ((struct rvsim_iommu *)ctx)->p->vtime;
}

static void os_delay_(void *ctx, uint64_t ns)
{
	struct rvsim_iommu *io = ctx;
	io->p->vtime += ns;
	rvsim_ats_flush(io->p); /* devices answer ATS.INVAL while the driver waits */
	rvm_advance(io->m, ns);
}

void rvsim_ats_complete(struct rvsim_platform *p, size_t iommu, uint16_t rid, uint32_t itag)
{
	if (p->ats_cpl_n == RVSIM_ATS_CPL) {
		p->ats_cpl_lost++; /* the IOMMU will time the invalidation out */
		return;
	}
	p->ats_cpl[p->ats_cpl_n].iommu = (uint32_t)iommu;
	p->ats_cpl[p->ats_cpl_n].rid = rid;
	p->ats_cpl[p->ats_cpl_n].itag = itag;
	p->ats_cpl_n++;
}

void rvsim_ats_flush(struct rvsim_platform *p)
{
	/* completions may make the model run more commands, which may send
	 * more ATS.INVALs: take a snapshot first */
	while (p->ats_cpl_n) {
		size_t n = p->ats_cpl_n;
		uint32_t c[RVSIM_ATS_CPL][3];
		for (size_t i = 0; i < n; i++) {
			c[i][0] = p->ats_cpl[i].iommu;
			c[i][1] = p->ats_cpl[i].rid;
			c[i][2] = p->ats_cpl[i].itag;
		}
		p->ats_cpl_n = 0;
		for (size_t i = 0; i < n; i++)
			if (c[i][0] < p->nr_iommus)
				rvm_ats_inval_completion(p->iommus[c[i][0]].m, (uint16_t)c[i][1],
				                         c[i][2]);
	}
}

static void os_log_(void *ctx, enum rvd_log_level lvl, const char *msg)
{
	struct rvsim_iommu *io = ctx;
	rvsim_trace(io->p, "\"ev\":\"log\",\"iommu\":%zu,\"level\":%d,\"msg\":\"%.120s\"", io->idx,
	            (int)lvl, msg);
}

static void fault_cb_(void *ctx, const struct rvd_fault *f)
{
	struct rvsim_iommu *io = ctx;
	rvsim_trace(io->p,
	            "\"ev\":\"fault\",\"iommu\":%zu,\"device_id\":%" PRIu32
	            ",\"cause\":%u,\"iotval\":\"0x%" PRIx64 "\"",
	            io->idx, f->device_id, f->cause, f->iotval);
	if (io->n_faults >= RVSIM_MAX_FAULTLOG) {
		io->faults_lost++;
		return;
	}
	io->faults[io->n_faults].device_id = f->device_id;
	io->faults[io->n_faults].cause = f->cause;
	io->faults[io->n_faults].iotval = f->iotval;
	io->n_faults++;
}

static int prq_cb_(void *ctx, const struct rvd_page_request *pr)
{
	struct rvsim_iommu *io = ctx;
	rvsim_trace(io->p,
	            "\"ev\":\"page_request\",\"iommu\":%zu,\"device_id\":%" PRIu32
	            ",\"addr\":\"0x%" PRIx64 "\",\"r\":%d,\"w\":%d,\"last\":%d,\"prg\":%u",
	            io->idx, pr->device_id, pr->addr, pr->r, pr->w, pr->last, pr->prg_index);
	if (io->p->prq_hook)
		return io->p->prq_hook(io->p->prq_ctx, io->idx, pr);
	return RVI_PRGR_INVALID_REQUEST;
}

int rvsim_iommu_setup(struct rvsim_platform *p, size_t idx, const struct rvdt_iommu *dt,
                      const struct rvm_config *cfg, char *err, size_t errlen)
{
	struct rvsim_iommu *io = &p->iommus[idx];
	struct rvm_config mc;
	struct rvd_config dc;
	int e = 0;

	io->p = p;
	io->idx = idx;
	io->msi_imsic = dt ? dt->msi_imsic : p->s_imsic;
	io->wsi = io->msi_imsic < 0;
	io->faults = calloc(RVSIM_MAX_FAULTLOG, sizeof(*io->faults));
	if (!io->faults)
		return RVSIM_E_NOMEM;
	if (cfg)
		mc = *cfg;
	else
		rvm_config_default(&mc);
	io->m = rvm_create(&mc, &rvsim_model_ops, io, &e);
	if (!io->m) {
		snprintf(err, errlen, "%s: model: %s", dt ? dt->path : "default IOMMU",
		         rvm_strerror(e));
		return RVSIM_E_SETUP;
	}
	io->ops = (struct rvd_os_ops){
	    .alloc_pages = os_alloc_,
	    .free_pages = os_free_,
	    .phys_to_virt = os_p2v_,
	    .read32 = os_rd32_,
	    .read64 = os_rd64_,
	    .write32 = os_wr32_,
	    .write64 = os_wr64_,
	    .mb = os_fence_,
	    .wmb = os_fence_,
	    .rmb = os_fence_,
	    .lock = os_lock_,
	    .unlock = os_unlock_,
	    .now_ns = os_now_,
	    .delay_ns = os_delay_,
	    .log = os_log_,
	};
	memset(&dc, 0, sizeof(dc));
	dc.device_id_bits = 16;
	dc.cq_lg2 = 8;
	dc.fq_lg2 = 10;
	dc.pq_lg2 = 8;
	dc.use_wsi = io->wsi;
	dc.fault_cb = fault_cb_;
	dc.prq_cb = prq_cb_;
	if (!io->wsi) {
		if (rvsim_file_addr(p, (size_t)io->msi_imsic, 0, 0, &io->msi_addr)) {
			snprintf(err, errlen, "%s: msi-parent has no interrupt file for hart 0",
			         dt ? dt->path : "default IOMMU");
			return RVSIM_E_DT;
		}
		dc.msi_vectors = 4;
		for (unsigned v = 0; v < 4; v++) {
			dc.msi_addr[v] = io->msi_addr;
			dc.msi_data[v] = RVSIM_IOMMU_MSI_ID + 4 * (uint32_t)idx + v;
		}
	}
	io->drv = rvd_probe(&io->ops, io, &dc, &e);
	if (!io->drv) {
		snprintf(err, errlen, "%s: driver probe failed: %s",
		         dt ? dt->path : "default IOMMU", strerror(-e));
		return RVSIM_E_SETUP;
	}
	rvsim_trace(p, "\"ev\":\"probe\",\"iommu\":%zu,\"irq\":\"%s\"", idx,
	            io->wsi ? "wsi" : "msi");
	return 0;
}

int rvsim_iommus_reconfigure(struct rvsim_platform *p, const struct rvm_config *cfg, char *err,
                             size_t errlen)
{
	for (size_t i = 0; i < p->nr_iommus; i++) {
		rvsim_iommu_teardown(&p->iommus[i]);
		memset(&p->iommus[i], 0, sizeof(p->iommus[i]));
	}
	for (size_t i = 0; i < p->nr_iommus; i++) {
		int r = rvsim_iommu_setup(p, i, p->default_iommu ? NULL : &p->dt->iommus[i], cfg,
		                          err, errlen);
		if (r)
			return r;
	}
	rvsim_irq_poll(p); /* anything the probes raised */
	return 0;
}

void rvsim_iommu_teardown(struct rvsim_iommu *io)
{
	if (io->drv)
		rvd_remove(io->drv);
	io->drv = NULL;
	if (io->m)
		rvm_destroy(io->m);
	io->m = NULL;
	free(io->faults);
	io->faults = NULL;
}

int rvsim_map_rid(const struct rvsim_platform *p, uint32_t bdf, size_t *iommu, uint32_t *device_id)
{
	if (p->default_iommu) {
		*iommu = 0;
		*device_id = bdf;
		return 0;
	}
	for (size_t i = 0; i < p->dt->nr_iommu_map; i++) {
		const struct rvdt_iommu_map *m = &p->dt->iommu_map[i];
		if (m->host != 0 || bdf < m->rid_base || bdf - m->rid_base >= m->length)
			continue;
		if (m->iommu < 0)
			return -1;
		*iommu = (size_t)m->iommu;
		*device_id = m->iommu_base + (bdf - m->rid_base);
		return 0;
	}
	return -1;
}
