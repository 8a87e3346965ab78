/* SPDX-License-Identifier: MIT
 *
 * model/model_internal.h - the model's private state and the interfaces
 * between its files.  Nothing here is visible to library users.
 *
 * Files and what they own (one job each):
 *   model.c      lifecycle, config validation, reset, stats, strerror
 *   mem.c        physical memory access with byte order and QoS attribution
 *   regs.c       MMIO decode, WARL legalisation, RW1C, busy/on handshakes
 *   intr.c       ipsr, WSI lines and IOMMU-generated MSIs (§5.18, §5.28-29)
 *   fq.c         fault-record writing, fqof/fqmf (§4.2, §5.16)
 *   cq.c         command decode and execution (§4.1)
 *   pq.c         page-request handling and auto-responses (§4.3, §6.2)
 *   ats.c        ATS.INVAL tracking with ITAGs and timeouts
 *   hpm.c        performance monitor (§5.19-5.23)
 *   dbg.c        debug translation interface (§5.24-5.26)
 *   ddt.c        GET_DC and the device-context checks (§2.1, §2.3)
 *   pdt.c        GET_PC and the process-context checks (§2.4)
 *   pt_fmt.c     page-table format descriptions
 *   pt_walk.c    the one first-stage / G-stage walker, with A/D updates
 *   msi_xlate.c  MSI address translation, flat and MRIF (§2.7 / AIA)
 *   translate.c  P2IOVA: the request path, fault decisions, ATS fields
 *   iotlb.c      IOTLB, page-walk cache and G-stage cache
 *   ctx_cache.c  device-context and process-context caches
 *   snapshot.c   rvm_save() / rvm_restore()
 *
 * Locking (the invariants every file relies on):
 *   (1) m->lock serialises all state changes: MMIO, command processing,
 *       fault/page-request queue writes, cache fills and invalidations,
 *       and the translate slow path.
 *   (2) The translate fast path takes no lock.  It reads the caches inside a
 *       seqcount read section (m->cache_seq) and retries on the slow path
 *       if a writer ran meanwhile.  Writers bump cache_seq around every
 *       cache mutation, with m->lock held.
 *   (3) Because fills happen under m->lock and invalidations too, a fill can
 *       not resurrect an entry that an earlier-processed invalidation
 *       removed: the walk that produced it ran after the invalidation.
 *   (4) Only entries read from V=1 structures are ever inserted.
 */
#ifndef RVIOMMU_MODEL_INTERNAL_H
#define RVIOMMU_MODEL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rviommu/model.h"
#include "rviommu/spec.h"

#if defined(__GNUC__)
#define RVM_LIKELY(x) __builtin_expect(!!(x), 1)
#define RVM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RVM_COLD __attribute__((cold, noinline))
#else
#define RVM_LIKELY(x) (x)
#define RVM_UNLIKELY(x) (x)
#define RVM_COLD
#endif

/* ------------------------------------------------------------------------ */
/* Page-table formats (pt_fmt.c)                                             */
/* ------------------------------------------------------------------------ */

enum rvm_pt_fmt_id {
	RVM_PT_BARE = 0,
	RVM_PT_SV32,
	RVM_PT_SV39,
	RVM_PT_SV48,
	RVM_PT_SV57,
	RVM_PT_SV32X4,
	RVM_PT_SV39X4,
	RVM_PT_SV48X4,
	RVM_PT_SV57X4,
	RVM_PT_FMT_COUNT
};

/* One paging scheme, described as data so that a single walker serves all. */
struct rvm_pt_fmt {
	const char *name;
	uint8_t levels;         /* LEVELS: 2 (Sv32), 3, 4 or 5 */
	uint8_t pte_size;       /* 4 or 8 bytes */
	uint8_t va_bits;        /* input address width: 32, 39, 48, 57; x4 adds 2 */
	uint8_t root_extra_lg2; /* 2 for the x4 schemes (16 KiB root), else 0 */
	uint8_t vpn_bits;       /* bits per level: 10 (Sv32) or 9 */
	bool gstage;            /* an x4 scheme */
};
extern const struct rvm_pt_fmt rvm_pt_fmts[RVM_PT_FMT_COUNT];

/* Decode an iosatp/PC.fsc MODE under SXL, or an iohgatp MODE under GXL.
 * Returns RVM_PT_BARE for Bare and -1 for an encoding that is not valid. */
int rvm_pt_fmt_from_satp(unsigned mode, bool sxl);
int rvm_pt_fmt_from_hgatp(unsigned mode, bool gxl);

/* ------------------------------------------------------------------------ */
/* Decoded device/process context: what translate needs after GET_DC/GET_PC */
/* ------------------------------------------------------------------------ */
struct rvm_ctx {
	/* key */
	uint32_t device_id;
	uint32_t process_id;
	bool pid_valid;
	/* raw structures in host order */
	uint64_t dc[RVI_DC_DWORDS_EXT];
	uint64_t pc[2];
	bool has_pc; /* pc[] holds a valid PC */
	/* derived */
	uint8_t s1_fmt;   /* enum rvm_pt_fmt_id of the first stage for this (did, pid) */
	uint8_t g_fmt;    /* enum rvm_pt_fmt_id of the G-stage */
	uint64_t s1_root; /* first-stage root PPN << 12 (a GPA when g_fmt != BARE) */
	uint64_t g_root;  /* G-stage root, an SPA */
	uint32_t pscid;
	uint16_t gscid;
	bool pscv;     /* the first stage is active, so PSCID tags entries */
	bool gv;       /* the G-stage is active, so GSCID tags entries */
	bool ens, sum; /* from the PC, or false */
	bool sbe;      /* first-stage/PDT byte order */
	bool sade, gade;
	bool dtf;
	bool msi_flat;     /* msiptp.MODE == Flat */
	uint64_t msi_root; /* msiptp.PPN << 12 */
	uint64_t msi_mask, msi_pattern;
	uint16_t rcid, mcid;
	/* Set by rvm_ctx_insert() on the cached copy only: the IOTLB space key
	 * of (gv, gscid, pscv, pscid), for the translate fast path. */
	uint64_t tlb_key;
};

/* ------------------------------------------------------------------------ */
/* Caches (iotlb.c, ctx_cache.c).  Internals live in cache.h.               */
/* ------------------------------------------------------------------------ */
#include "cache.h"

/* ------------------------------------------------------------------------ */
/* Queues                                                                    */
/* ------------------------------------------------------------------------ */
struct rvm_queue {
	uint64_t base; /* xqb as software last wrote it (legalised) */
	uint32_t head; /* cqh / fqh / pqh */
	uint32_t tail; /* cqt / fqt / pqt */
	uint32_t csr;  /* xqcsr */
};

/* Outstanding ATS invalidation (ats.c). */
struct rvm_ats_pending {
	bool busy;
	uint16_t rid;
	uint32_t itag;
	uint64_t deadline;
};

/* ------------------------------------------------------------------------ */
/* The instance                                                              */
/* ------------------------------------------------------------------------ */
struct rvm {
	struct rvm_config cfg;
	struct rvm_host_ops ops;
	rvm_mem_page_fn mem_page; /* optional (model.h); written under lock */
	void *ctx;
	pthread_mutex_t lock;

	/* derived from cfg at create time */
	uint64_t caps;
	uint64_t pa_mask; /* (1 << PAS) - 1 */
	bool extended_dc; /* caps.MSI_FLAT: 64-byte DCs */

	/* register state (regs.c) */
	uint32_t fctl;
	uint64_t ddtp;
	struct rvm_queue cq, fq, pq;
	uint32_t ipsr;
	uint64_t icvec;
	uint64_t msi_addr[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_data[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_vec_ctl[RVI_MSI_CFG_ENTRIES];
	uint32_t msi_pending; /* vectors with a message held by the mask bit */
	uint32_t wsi_level;   /* current level of each WSI wire */
	uint32_t iommu_qosid;
	uint64_t tr_req_iova, tr_req_ctl, tr_response;

	/* HPM (hpm.c) */
	uint32_t iocountinh;
	uint64_t iohpmcycles;
	uint64_t iohpmctr[RVI_HPM_COUNTERS_MAX + 1]; /* index 1..31 */
	uint64_t iohpmevt[RVI_HPM_COUNTERS_MAX + 1];
	uint32_t hpm_active; /* bitmap of counters with an event programmed */

	/* ATS (ats.c) */
	struct rvm_ats_pending *ats_pending; /* cfg.ats_inval_max slots */
	uint32_t ats_next_itag;
	bool ats_timed_out; /* an ATS.INVAL timed out since the last IOFENCE.C */
	uint64_t now;       /* rvm_advance() clock */

	/* RAS: injected internal data-path errors still to deliver (translate.c) */
	unsigned inject_datapath;

	/* caches */
	struct rvm_caches caches;
	/* Seqcount over the caches, invariant (2).  64 bits so that it never
	 * wraps: translate.c's per-thread memo compares a value saved long
	 * ago, and a 32-bit counter could come back to it (ABA). */
	_Atomic uint64_t cache_seq;

	/* statistics: relaxed atomics, as the fast path updates them */
	_Atomic uint64_t st_iotlb_hits, st_iotlb_misses; /* translations = their sum */
	uint64_t st_faults_recorded, st_faults_dropped, st_commands, st_msis_sent, st_page_requests;
};

/* ------------------------------------------------------------------------ */
/* mem.c: physical memory with byte order                                    */
/* ------------------------------------------------------------------------ */

/* Read/write a 64-bit doubleword (or 32-bit word) at pa in byte order 'be'.
 * Returns an rvm_mem_status; addresses beyond PAS are access faults. */
int rvm_mem_read64(struct rvm *m, uint64_t pa, bool be, uint64_t *v, const struct rvm_mem_attr *a);
int rvm_mem_write64(struct rvm *m, uint64_t pa, bool be, uint64_t v, const struct rvm_mem_attr *a);
int rvm_mem_read32(struct rvm *m, uint64_t pa, bool be, uint32_t *v, const struct rvm_mem_attr *a);
int rvm_mem_write32(struct rvm *m, uint64_t pa, bool be, uint32_t v, const struct rvm_mem_attr *a);
/* Read a naturally aligned 4- or 8-byte page-table entry, through the
 * host's mem_page op when it gives a page, else mem_read. */
int rvm_mem_read_pt(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t *v,
                    const struct rvm_mem_attr *a);
/* Read n consecutive doublewords (a DC, PC, MSI PTE, command or record). */
int rvm_mem_read_dws(struct rvm *m, uint64_t pa, bool be, uint64_t *dw, unsigned n,
                     const struct rvm_mem_attr *a);
int rvm_mem_write_dws(struct rvm *m, uint64_t pa, bool be, const uint64_t *dw, unsigned n,
                      const struct rvm_mem_attr *a);
/* Compare-and-swap of a 4- or 8-byte value in byte order 'be'.  *observed
 * gets the old value (host order).  Returns an rvm_mem_status. */
int rvm_mem_cas(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t expected,
                uint64_t desired, uint64_t *observed, const struct rvm_mem_attr *a);

/* Attribute helpers: the QoS IDs of IOMMU-own accesses and of DC.ta ones. */
static inline struct rvm_mem_attr rvm_attr_iommu(const struct rvm *m, enum rvm_mem_kind k)
{
	struct rvm_mem_attr a = {k, (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_RCID, m->iommu_qosid),
	                         (uint16_t)RVI_FIELD_GET(RVI_IOMMU_QOSID_MCID, m->iommu_qosid)};
	return a;
}
static inline struct rvm_mem_attr rvm_attr_ctx(const struct rvm_ctx *c, enum rvm_mem_kind k)
{
	struct rvm_mem_attr a = {k, c->rcid, c->mcid};
	return a;
}

static inline bool rvm_fctl_be(const struct rvm *m)
{
	return m->fctl & RVI_FCTL_BE;
}

static inline unsigned rvm_iommu_mode(const struct rvm *m)
{
	return (unsigned)RVI_FIELD_GET(RVI_DDTP_MODE, m->ddtp);
}

/* ------------------------------------------------------------------------ */
/* Faults (fq.c)                                                             */
/* ------------------------------------------------------------------------ */
struct rvm_fault {
	uint16_t cause;
	uint8_t ttyp;
	uint32_t did;
	bool pv;
	uint32_t pid;
	bool priv;
	uint64_t iotval;
	uint64_t iotval2;
};
/* Queue a fault record (§4.2, §5.16): honours fqon, fqof, fqmf and raises
 * fip.  TTYP 0 forces DID/PV/PID/PRIV to zero.  Caller holds m->lock.
 * Returns true when the record was written. */
bool rvm_fq_report(struct rvm *m, const struct rvm_fault *f);

/* ------------------------------------------------------------------------ */
/* Interrupts (intr.c)                                                       */
/* ------------------------------------------------------------------------ */
/* Re-evaluate every ipsr source after any state change that can set one
 * (§5.18): sets bits whose condition holds, then drives WSI wires or sends
 * MSIs for 0->1 transitions.  Caller holds m->lock. */
void rvm_intr_update(struct rvm *m);
/* Set ipsr bits directly (edge events: a new FQ/PQ record, an HPM overflow). */
void rvm_intr_raise(struct rvm *m, uint32_t ipsr_bits);

/* ------------------------------------------------------------------------ */
/* Command queue (cq.c), page requests (pq.c), ATS (ats.c)                   */
/* ------------------------------------------------------------------------ */
/* Fetch and execute commands from cqh toward cqt (§4.1). Caller holds lock. */
void rvm_cq_process(struct rvm *m);
/* Send an ATS.INVAL; returns false when no tracking slot is free. */
bool rvm_ats_send_inval(struct rvm *m, const struct rvm_ats_msg *msg);
/* True while any ATS.INVAL sent before now is still outstanding. */
bool rvm_ats_inval_outstanding(const struct rvm *m);

/* ------------------------------------------------------------------------ */
/* HPM (hpm.c)                                                               */
/* ------------------------------------------------------------------------ */
struct rvm_hpm_ids {
	uint32_t did;
	uint32_t pid;
	bool pv;
	uint32_t pscid;
	bool pscv;
	uint16_t gscid;
	bool gscv;
};
void rvm_hpm_count_slow(struct rvm *m, unsigned event, const struct rvm_hpm_ids *ids);
/* Register access for iocountovf .. iohpmevt31 (0x058-0x257); regs.c has
 * already checked size and alignment.  Caller holds m->lock. */
int rvm_hpm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val);
int rvm_hpm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val);
/* Advance iohpmcycles (called by rvm_advance). */
void rvm_hpm_tick(struct rvm *m, uint64_t cycles);
static inline void rvm_hpm_count(struct rvm *m, unsigned event, const struct rvm_hpm_ids *ids)
{
	if (RVM_UNLIKELY(m->hpm_active))
		rvm_hpm_count_slow(m, event, ids);
}

/* ------------------------------------------------------------------------ */
/* Translation (translate.c, ddt.c, pdt.c, pt_walk.c, msi_xlate.c)          */
/* ------------------------------------------------------------------------ */
/* Locate and check the DC of device_id (§2.1, §2.3).  Returns 0 or a cause.
 * dc[] receives the raw doublewords in host order. */
int rvm_ddt_get_dc(struct rvm *m, uint32_t device_id, uint64_t dc[RVI_DC_DWORDS_EXT]);
/* The device-context configuration checks of §2.3 (cause 259 or 0). */
int rvm_dc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT]);
/* The process-context configuration checks of §2.4 (cause 267 or 0). */
int rvm_pc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT], const uint64_t pc[2]);

/* The slow path of rvm_translate(), entered with m->lock held. */
int rvm_translate_locked(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs);

/* Debug interface (dbg.c): run a tr_req_ctl request.  Caller holds lock. */
void rvm_dbg_run(struct rvm *m);

/* ------------------------------------------------------------------------ */
/* Seqcount helpers for invariant (2)                                        */
/* ------------------------------------------------------------------------ */
static inline uint64_t rvm_seq_read_begin(const struct rvm *m)
{
	uint64_t s;
	while ((s = atomic_load_explicit(&((struct rvm *)m)->cache_seq, memory_order_acquire)) & 1u)
		;
	return s;
}
static inline bool rvm_seq_read_retry(const struct rvm *m, uint64_t s)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&((struct rvm *)m)->cache_seq, memory_order_relaxed) != s;
}
static inline void rvm_seq_write_begin(struct rvm *m)
{
	atomic_fetch_add_explicit(&m->cache_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}
static inline void rvm_seq_write_end(struct rvm *m)
{
	atomic_fetch_add_explicit(&m->cache_seq, 1, memory_order_release);
}

#endif /* RVIOMMU_MODEL_INTERNAL_H */
