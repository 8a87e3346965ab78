/* SPDX-License-Identifier: MIT
 *
 * platform/plat_internal.h - the platform simulator's private types, shared
 * by the files of src/platform/ (one job each):
 *   plat.c         build/destroy a platform from a device tree
 *   plat_dt.c      the embedded default device tree (libfdt sequential write)
 *   plat_mem.c     the physical bus: RAM, the driver carve-out, IMSIC pages;
 *                  the model's host operations
 *   plat_irq.c     harts as interrupt sinks; claiming IMSIC interrupts
 *   plat_iommu.c   one IOMMU: model + driver OS ops + command recording,
 *                  ATS completions
 *   scen_json.c    scenario parsing and validation
 *   scen_default.c the default scenario text
 *   scen_setup.c   devices, domains, attachments, ATS/PRI enable
 *   scen_run.c     the run: the scheduler, management steps, tallies
 *   scen_dma.c     device DMA and MSIs, checked against the OS's view
 *   scen_msi.c     the IMSIC region policy / MSI page tables (rviommu/msi.h)
 *   scen_vm.c      VM assignment (nested domains) and vCPU migration
 *   scen_ats.c     device ATCs (PCIe ATS)
 *   scen_pri.c     page requests (PCIe PRI) and demand paging
 *   scen_report.c  the report and the invariants
 *
 * Invariants:
 *   (1) Every physical access by the model or a device goes through
 *       rvsim_mem_read/_write (plat_mem.c), so RAM, the carve-out and IMSIC
 *       pages are reached the same way from every initiator.
 *   (2) IMSIC line callbacks only record (plat_irq.c); interrupts are claimed
 *       afterwards by rvsim_irq_poll(), never from inside a callback.
 *   (3) Nothing here reads a wall clock; p->vtime is the only time.
 */
#ifndef RVIOMMU_PLATFORM_PLAT_INTERNAL_H
#define RVIOMMU_PLATFORM_PLAT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rviommu/devicetree.h"
#include "rviommu/driver.h"
#include "rviommu/imsic.h"
#include "rviommu/model.h"
#include "rviommu/platform.h"
#include "util/physmem.h"

#define RVSIM_MAX_FAULTLOG 4096
#define RVSIM_IRQ_RING 512
#define RVSIM_IOMMU_MSI_ID 1u /* first IMSIC identity of IOMMU vectors */
#define RVSIM_CMD_OPS 8       /* command opcodes are 7 bits; we count 1..7 */

struct rvsim_platform;

struct rvsim_hart {
	uint32_t hartid;
	bool seip, meip;
	uint64_t hgeip;    /* bit g: guest file g's line */
	uint64_t ext_irqs; /* external interrupts taken (lines that rose) */
};

/* One IMSIC node: the model, and per-file delivery counters. */
struct rvsim_imsic {
	struct rvsim_platform *p;
	struct rvimsic *im;
	struct rvdt_imsic *dt; /* points into p->dt */
	bool m_level;
	uint32_t files_per_hart; /* 1 + guests */
	uint64_t *delivered;     /* [pos * files_per_hart + guest] */
};

/* A fault record as the driver reported it. */
struct rvsim_fault_rec {
	uint32_t device_id;
	uint16_t cause;
	uint64_t iotval;
};

struct rvsim_iommu {
	struct rvsim_platform *p;
	size_t idx;
	struct rvm *m;
	struct rvd_iommu *drv;
	struct rvd_os_ops ops;
	bool wsi;          /* wired interrupts (no msi-parent) */
	int msi_imsic;     /* index into p->imsics of its msi-parent, -1 */
	uint64_t msi_addr; /* hart 0's file of msi_imsic */
	bool irq_pending;  /* an interrupt reached its handler's hart */
	uint64_t irqs;     /* interrupts that reached it (MSI or WSI rises) */
	uint64_t handled;  /* records rvd_handle_irq() delivered */
	uint32_t prev_cqt;
	uint64_t cmds[RVSIM_CMD_OPS][8]; /* [opcode][func3] */
	uint64_t n_cmds;
	struct rvsim_fault_rec *faults; /* records, in order, not yet matched */
	size_t n_faults;
	uint64_t faults_lost; /* records beyond RVSIM_MAX_FAULTLOG */
	int lock_depth;
};

/* Hook: an interrupt identity was claimed from an IMSIC file that no IOMMU
 * owns (a device MSI).  Set by the scenario runner. */
typedef void (*rvsim_msi_hook)(void *ctx, size_t imsic, size_t pos, uint32_t guest, uint32_t id);
/* Hook: IOMMU iommu sent a message (ATS.INVAL, PRGR) to a PCIe function.
 * Called with the model's lock held: it must not call into the model;
 * completions go through rvsim_ats_complete(). */
typedef void (*rvsim_ats_hook)(void *ctx, size_t iommu, const struct rvm_ats_msg *msg);

/* Hook: the driver decoded a page request (its prq_cb).  Return an enum
 * rvi_prgr_code, or -1 to answer later with rvd_page_response(). */
typedef int (*rvsim_prq_hook)(void *ctx, size_t iommu, const struct rvd_page_request *pr);

#define RVSIM_ATS_CPL 256

struct rvsim_platform {
	struct rvdt_platform *dt;
	/* memory */
	struct rv_physmem *ram;
	uint8_t *pool; /* the carve-out, host memory */
	uint64_t pool_base, pool_pages;
	uint8_t *pool_used; /* per page: 0 free, order+1 at a head, 0xff tail */
	uint64_t pool_live;
	uint64_t alloc_next, alloc_end; /* bump allocator for scenario buffers */
	/* interrupts */
	struct rvsim_hart *harts;
	size_t nr_harts;
	struct rvsim_imsic imsics[RVIMSIC_BUS_MAX];
	size_t nr_imsics;
	int s_imsic; /* device MSIs target this one (PCI msi-parent), -1 */
	struct rvimsic_bus bus;
	struct {
		uint16_t imsic, guest;
		uint32_t pos;
	} ring[RVSIM_IRQ_RING];
	size_t ring_n;
	bool ring_overflow;
	bool defer_guests; /* guest files wait for their vCPU to run */
	/* IOMMUs */
	struct rvsim_iommu *iommus;
	size_t nr_iommus;
	bool default_iommu;
	/* time, tracing, hooks */
	uint64_t vtime;
	FILE *trace;
	rvsim_msi_hook msi_hook;
	void *msi_ctx;
	rvsim_ats_hook ats_hook;
	void *ats_ctx;
	rvsim_prq_hook prq_hook;
	void *prq_ctx;
	/* ATS invalidation completions waiting to be sent (outside the model
	 * lock): by the driver's delay (it polls for the fence) and each poll */
	struct {
		uint32_t iommu, rid, itag;
	} ats_cpl[RVSIM_ATS_CPL];
	size_t ats_cpl_n;
	uint64_t ats_cpl_lost;
	bool used; /* a run consumed it */
};

/* plat_dt.c */
int rvsim_default_dtb(void **blob, size_t *size);

/* plat_mem.c */
bool rvsim_in_pool(const struct rvsim_platform *p, uint64_t pa, size_t len);
bool rvsim_in_ram(const struct rvsim_platform *p, uint64_t pa, size_t len);
int rvsim_mem_read(struct rvsim_platform *p, uint64_t pa, void *buf, size_t len);
int rvsim_mem_write(struct rvsim_platform *p, uint64_t pa, const void *buf, size_t len);
int rvsim_mem_cas(struct rvsim_platform *p, uint64_t pa, unsigned size, uint64_t expected,
                  uint64_t desired, uint64_t *observed);
int rvsim_pool_alloc(struct rvsim_platform *p, unsigned order, uint64_t *phys);
void rvsim_pool_free(struct rvsim_platform *p, uint64_t phys, unsigned order);
/* Scenario buffers: size bytes of RAM aligned to align. 0 or -1. */
int rvsim_ram_alloc(struct rvsim_platform *p, uint64_t size, uint64_t align, uint64_t *pa);
extern const struct rvm_host_ops rvsim_model_ops;

/* plat_irq.c */
void rvsim_imsic_line(void *ctx, enum rvimsic_line line, uint32_t group, uint32_t hart,
                      uint32_t guest, bool level);
int rvsim_imsics_create(struct rvsim_platform *p, char *err, size_t errlen);
/* Address of file (pos, guest) of imsic i; 0 and *pa, or -1. */
int rvsim_file_addr(const struct rvsim_platform *p, size_t i, size_t pos, uint32_t guest,
                    uint64_t *pa);
/* Position (interrupts-extended index) of hart index h in imsic i, or -1. */
long rvsim_hart_pos(const struct rvsim_platform *p, size_t i, size_t h);
/* Claim every pending interrupt: IOMMU identities set irq_pending and run
 * the driver's handler; others go to the MSI hook.  Returns the number
 * claimed. */
unsigned rvsim_irq_poll(struct rvsim_platform *p);

/* plat_iommu.c */
/* Queue an ATS Invalidation Completion (safe under the model lock). */
void rvsim_ats_complete(struct rvsim_platform *p, size_t iommu, uint16_t rid, uint32_t itag);
/* Send the queued completions to the models. */
void rvsim_ats_flush(struct rvsim_platform *p);
/* cfg NULL: rvm_config_default(). */
int rvsim_iommu_setup(struct rvsim_platform *p, size_t idx, const struct rvdt_iommu *dt,
                      const struct rvm_config *cfg, char *err, size_t errlen);
/* Rebuild every IOMMU (model + driver probe) with cfg, before a run. */
int rvsim_iommus_reconfigure(struct rvsim_platform *p, const struct rvm_config *cfg, char *err,
                             size_t errlen);
void rvsim_iommu_teardown(struct rvsim_iommu *io);
const char *rvsim_cmd_name(unsigned op, unsigned func3);
/* Device id of PCI function bdf (bus << 8 | devfn) on host 0: the IOMMU
 * index and the device_id.  0, or -1 when the iommu-map does not cover it. */
int rvsim_map_rid(const struct rvsim_platform *p, uint32_t bdf, size_t *iommu, uint32_t *device_id);

/* trace helper: one JSON object per line, "t" first. */
void rvsim_trace(struct rvsim_platform *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
