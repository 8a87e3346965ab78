/* SPDX-License-Identifier: MIT
 *
 * rviommu/model.h - the RISC-V IOMMU hardware model.
 *
 * A model instance is one IOMMU: its register file, its caches, and the
 * engines that walk in-memory tables, consume the command queue and write the
 * fault and page-request queues.  It has no global state.  Everything it
 * needs from the outside world (physical memory, its own interrupt outputs,
 * messages to PCIe devices) goes through struct rvm_host_ops, each call
 * carrying the host's context pointer.
 *
 * Threads (see docs/model-threads.md):
 *   - rvm_translate() may be called from any number of threads at once.
 *   - rvm_mmio_*(), rvm_page_request(), rvm_ats_inval_completion() and
 *     rvm_advance() are serialised by the model's internal lock, and may run
 *     concurrently with rvm_translate().
 *   - Once a command's IOFENCE.C has completed, no translate() that starts
 *     afterwards observes a translation that the commands before the fence
 *     invalidated.
 *   - rvm_save()/rvm_restore()/rvm_destroy() need the caller to stop all
 *     other calls first.
 *
 * Return conventions: functions returning int give 0 on success or a
 * negative RVM_E* code; rvm_strerror() names them.
 */
#ifndef RVIOMMU_MODEL_H
#define RVIOMMU_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rviommu/spec.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rvm;

/* ------------------------------------------------------------------------ */
/* Error codes (API misuse and input errors, never architectural faults)    */
/* ------------------------------------------------------------------------ */
enum rvm_err {
	RVM_OK = 0,
	RVM_EINVAL = -1,   /* an argument is out of range or inconsistent */
	RVM_ENOMEM = -2,   /* allocation failed */
	RVM_EALIGN = -3,   /* an MMIO access is not naturally aligned */
	RVM_ESIZE = -4,    /* an MMIO access size is not 4 or 8 */
	RVM_ERANGE = -5,   /* an MMIO offset is outside the register block */
	RVM_EVERSION = -6, /* a snapshot comes from another format version */
	RVM_ECORRUPT = -7, /* a snapshot is truncated or fails its checksum */
	RVM_ECONFIG = -8,  /* a config is not a legal implementation */
};

const char *rvm_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Host interface                                                            */
/* ------------------------------------------------------------------------ */

/* What a memory access is for; hosts may use it for tracing or attribution. */
enum rvm_mem_kind {
	RVM_MEM_DDT,       /* non-leaf DDTE or device context */
	RVM_MEM_PDT,       /* non-leaf PDTE or process context */
	RVM_MEM_S1_PT,     /* first-stage page table (read or A/D update) */
	RVM_MEM_G_PT,      /* G-stage page table (read or A/D update) */
	RVM_MEM_MSI_PT,    /* MSI page-table entry */
	RVM_MEM_MRIF,      /* memory-resident interrupt file */
	RVM_MEM_CQ,        /* command fetch */
	RVM_MEM_FQ,        /* fault-record write */
	RVM_MEM_PQ,        /* page-request record write */
	RVM_MEM_FENCE,     /* IOFENCE.C AV=1 data write */
	RVM_MEM_MSI,       /* an MSI the IOMMU sends: its own, or an MRIF notice */
	RVM_MEM_KIND_COUNT
};

/* Attributes of one memory access.  rcid/mcid are the QoS IDs the spec
 * attributes to the access (§QoSID): iommu_qosid for DDT, queue and
 * IOMMU-MSI accesses, DC.ta for PDT, page-table, MSI-PT and MRIF accesses. */
struct rvm_mem_attr {
	enum rvm_mem_kind kind;
	uint16_t rcid;
	uint16_t mcid;
};

/* Outcome of a host memory access. */
enum rvm_mem_status {
	RVM_MEM_OK = 0,
	RVM_MEM_ACCESS_FAULT = 1, /* PMA/PMP violation or no memory there */
	RVM_MEM_POISON = 2,       /* the data is corrupted (RAS) */
};

enum rvm_ats_msg_type {
	RVM_ATS_MSG_INVAL = 1, /* ATS Invalidation Request; answer with rvm_ats_inval_completion() */
	RVM_ATS_MSG_PRGR = 2,  /* Page Request Group Response */
};

/* A message the IOMMU sends to a PCIe function (ATS.INVAL, ATS.PRGR and
 * IOMMU-generated PRGRs).  The fields mirror the ATS command (§4.1.4). */
struct rvm_ats_msg {
	enum rvm_ats_msg_type type;
	uint16_t rid;      /* requester (routing) ID */
	uint8_t dseg;      /* destination segment, when dsv */
	bool dsv;
	bool pv;           /* a PASID is present */
	uint32_t pid;      /* the PASID */
	uint64_t payload;  /* INVAL: G/S/address; PRGR: index and response code */
	uint32_t itag;     /* INVAL only: the tag to complete it with */
};

struct rvm_host_ops {
	/* Read or write len bytes of physical memory at pa.  len is 1..64 and
	 * the access never crosses a 4 KiB boundary.  Return an rvm_mem_status. */
	int (*mem_read)(void *ctx, uint64_t pa, void *buf, size_t len,
			const struct rvm_mem_attr *attr);
	int (*mem_write)(void *ctx, uint64_t pa, const void *buf, size_t len,
			 const struct rvm_mem_attr *attr);
	/* Atomic compare-and-exchange of a naturally aligned 4- or 8-byte word.
	 * expected, desired and *observed are the memory bytes read as a
	 * little-endian integer of 'size' bytes (the model applies fctl.BE or
	 * tc.SBE itself).  *observed receives what memory held.  Return an
	 * rvm_mem_status.  Optional: when NULL the model does a read and a write
	 * under its own lock, which is atomic only against the model itself. */
	int (*mem_cas)(void *ctx, uint64_t pa, unsigned size, uint64_t expected,
		       uint64_t desired, uint64_t *observed,
		       const struct rvm_mem_attr *attr);
	/* The IOMMU's wired interrupt line 'vector' changed level (WSI mode). */
	void (*wsi)(void *ctx, unsigned vector, bool level);
	/* A message to a device (ATS.INVAL, ATS.PRGR). */
	void (*ats_msg)(void *ctx, const struct rvm_ats_msg *msg);
};

/* Optional host op, for speed: the host address of the naturally aligned
 * 4 KiB page holding pa, or NULL.  The model uses it only to READ
 * first-stage and G-stage PTEs (one aligned 4- or 8-byte load through the
 * pointer, single-copy atomic), and falls back to mem_read whenever it
 * returns NULL.  By returning a page the host promises that the page is
 * plain RAM: a mem_read of those bytes would succeed and return exactly what
 * the pointer shows, now (no access fault, no poison, no MMIO side effect).
 * Return NULL for anything else.  The pointer need only stay valid until the
 * model's next host call.  Reads through it are NOT reported to mem_read, so
 * a host that traces accesses or accounts QoS IDs per access must not
 * install it; attr is passed only so the host can decide per access.  A/D
 * updates still go through mem_cas.
 *
 * It is installed with rvm_set_mem_page() rather than being a member of
 * struct rvm_host_ops, so that existing positional initialisers of that
 * struct stay complete (-Wmissing-field-initializers). */
typedef const void *(*rvm_mem_page_fn)(void *ctx, uint64_t pa, const struct rvm_mem_attr *attr);

/* ------------------------------------------------------------------------ */
/* Configuration: every implementation-defined choice                        */
/* ------------------------------------------------------------------------ */
struct rvm_config {
	uint64_t capabilities;   /* the capabilities register, read-only */
	uint32_t fctl;           /* fctl at reset */
	uint32_t fctl_writable;  /* fctl bits software may change (masked by caps: BE needs END, WSI needs IGS=BOTH) */
	uint8_t ddtp_reset_mode; /* RVI_DDTP_MODE_OFF (recommended) or _BARE */
	uint8_t ddt_modes;       /* bitmap of supported iommu_mode values 1<<mode; Off and Bare are forced on */
	uint8_t cq_log2sz_max;   /* largest LOG2SZ the cqb WARL field holds (1..31) */
	uint8_t fq_log2sz_max;
	uint8_t pq_log2sz_max;
	uint32_t iotlb_entries;  /* IOTLB capacity; 0 = no caching */
	uint32_t ddtc_entries;   /* device-context cache; 0 = no caching */
	uint32_t pdtc_entries;   /* process-context cache; 0 = no caching */
	uint8_t hpm_counters;    /* programmable HPM counters, 0..31 (needs caps.HPM) */
	uint8_t hpm_counter_bits;/* width of iohpmctrX, 32..64 */
	uint8_t icvec_bits;      /* writable bits per icvec field, 0..4 (2^n vectors) */
	uint8_t rcid_bits;       /* QoSID: implemented RCID width, 0..12 */
	uint8_t mcid_bits;       /* QoSID: implemented MCID width, 0..12 */
	bool sxl_writable;       /* DC.tc.SXL may be 1 while fctl.GXL = 0 */
	bool msi_be;             /* BE MSIs are supported (MRIF writes with A[2]=1) */
	bool check_dc_addr_width;/* DC-load checks of PPNs against PAS report 259 */
	uint64_t ats_inval_timeout; /* in rvm_advance() units; 0 = never time out */
	uint32_t ats_inval_max;  /* outstanding ATS.INVALs the model tracks */
	/* Sizes of the two caches behind the IOTLB; both need iotlb_entries
	 * != 0 (they share its address-space table) and 0 disables one.
	 * gtlb_entries: G-stage leaf cache (GPA -> SPA for the implicit
	 * accesses of a two-stage walk).  pwc_entries: page-walk cache
	 * (non-leaf entries of both stages); one entry per leaf table covers
	 * 2 MiB of 4 KiB-mapped IOVA, so 4096 cover 8 GiB. */
	uint32_t gtlb_entries;
	uint32_t pwc_entries;
};

/* A typical implementation: every first-stage and G-stage mode, MSI flat and
 * MRIF, ATS/PRI, HPM with 8 counters, debug, QoSID, NL and S, PAS 56,
 * 4096-entry IOTLB, 1024-entry G-stage cache, 4096-entry page-walk cache.  Callers edit the result before rvm_create(). */
void rvm_config_default(struct rvm_config *cfg);

/* The configuration by field name, for tools that read one from text
 * (`rviommu replay`'s reset op, the platform's scenario "iommu" object), so
 * the list of knobs lives in one place.  Names are the struct members';
 * "ioatc" (iotlb_entries) and "ddtp_mode" (ddtp_reset_mode) are aliases. */
struct rvm_config_field {
	const char *name;
	size_t offset;
	uint8_t size;   /* bytes: 1, 2, 4 or 8 */
	bool is_bool;
};
/* Every field, in declaration order; *n receives the count. */
const struct rvm_config_field *rvm_config_fields(size_t *n);
/* The field called name (or an alias), or NULL. */
const struct rvm_config_field *rvm_config_field_find(const char *name);
/* Store v in the field (a bool takes 0 or 1).  Returns 0, or RVM_ERANGE
 * when v does not fit the field; cfg is then unchanged. */
int rvm_config_field_set(struct rvm_config *cfg, const struct rvm_config_field *f, uint64_t v);
uint64_t rvm_config_field_get(const struct rvm_config *cfg, const struct rvm_config_field *f);
/* A capability bit by its §5.3 field name, case-insensitive ("sv39",
 * "sv48x4", "msi_flat", "ats", "nl", "s", ...), or 0 for an unknown name. */
uint64_t rvm_capability_by_name(const char *name);

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */
/* ------------------------------------------------------------------------ */

/* Create an instance in its reset state.  *err (optional) receives
 * RVM_ECONFIG when the config is not a legal implementation (for example
 * IGS = 3, Sv48 without Sv39), or RVM_ENOMEM. */
struct rvm *rvm_create(const struct rvm_config *cfg, const struct rvm_host_ops *ops,
		       void *ctx, int *err);
void rvm_destroy(struct rvm *m);
/* Return to the reset state (§5.1): caches empty, queues off. */
void rvm_reset(struct rvm *m);
const struct rvm_config *rvm_get_config(const struct rvm *m);
/* Install (or with NULL remove) the optional mem_page host op, called with
 * the ctx given to rvm_create().  Serialised with the model's other state
 * changes; translations that start afterwards use it. */
void rvm_set_mem_page(struct rvm *m, rvm_mem_page_fn fn);

/* ------------------------------------------------------------------------ */
/* MMIO                                                                      */
/* ------------------------------------------------------------------------ */

/* Register access at offset 'off' (0..4095), size 4 or 8, naturally aligned.
 * An 8-byte access to a 32-bit register, or one that spans two registers,
 * is rejected with RVM_ESIZE and has no effect (§5 leaves it UNSPECIFIED;
 * docs/uncertain.md).  Writes run their side effects to completion before
 * returning: a cqt write processes commands until the queue is empty or
 * stalls (an IOFENCE.C waiting for ATS invalidation completions). */
int rvm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val);
int rvm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val);

/* ------------------------------------------------------------------------ */
/* Translation                                                               */
/* ------------------------------------------------------------------------ */

enum rvm_access { RVM_ACC_READ = 0, RVM_ACC_WRITE = 1, RVM_ACC_EXEC = 2 };

enum rvm_ttype {
	RVM_TT_UNTRANSLATED = 0,
	RVM_TT_TRANSLATED = 1,
	RVM_TT_ATS = 2, /* PCIe ATS Translation Request */
};

/* An inbound request.  Zero-initialise and fill in. */
struct rvm_req {
	uint32_t device_id;
	uint32_t process_id;
	bool pid_valid;
	bool priv;             /* S-mode; only meaningful with pid_valid */
	enum rvm_access access;/* for ATS: READ asks R (NW=1), WRITE asks R+W (NW=0), EXEC asks R+X */
	enum rvm_ttype type;
	uint64_t iova;
	uint64_t len;          /* bytes, >= 1; 0 is taken as 1 */
	/* Write data, for a write that hits an MRIF-mode MSI PTE: the model
	 * then performs the MRIF update and notice itself (§2.7).  The four
	 * bytes as a little-endian value; a write with A[2]=1 is big-endian
	 * data and the model swaps it. */
	bool has_data;
	uint32_t data;
};

enum rvm_status {
	RVM_STATUS_SUCCESS = 0,
	RVM_STATUS_UR = 1, /* unsupported request */
	RVM_STATUS_CA = 2, /* completer abort */
};

#define RVM_PERM_R 1u
#define RVM_PERM_W 2u
#define RVM_PERM_X 4u

/* The outcome of a translation. */
struct rvm_resp {
	enum rvm_status status;
	uint16_t cause;   /* the fault cause, 0 when none; set even when the
			     fault was not recorded (DTF, or an ATS Success
			     answering a page or guest-page fault).  An ATS
			     permission denial is not a fault (§6.3): Success
			     with the right cleared and cause 0. */
	bool fault_recorded; /* a record was queued (or dropped for fqof/fqmf) */
	uint64_t pa;      /* the SPA (or GPA when T2GPA) of req.iova */
	uint64_t size;    /* bytes of the naturally aligned translated range holding iova */
	uint8_t perm;     /* RVM_PERM_* granted over that range; W only when a
			     write needs no A/D update (D=1 in both stages) */
	uint8_t pbmt;     /* resolved enum rvi_pbmt */
	bool is_msi;      /* translated through the MSI page table */
	bool is_mrif;     /* hit an MRIF-mode MSI PTE; for a write with data the
			     model performed the MRIF update and notice */
	uint16_t rcid, mcid; /* QoS IDs for the device's access */
	/* ATS completion fields (type == RVM_TT_ATS and status == SUCCESS). */
	struct {
		bool r, w, x, u, g, priv, n, cxl_io, s;
		uint8_t ama;
	} ats;
};

/* Translate one request (the spec's P2IOVA, §2.3).  Faults are recorded in
 * the fault queue as the spec requires.  Returns rs->cause (0 on success).
 * Thread-safe. */
int rvm_translate(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs);

/* ------------------------------------------------------------------------ */
/* Inbound messages and time                                                 */
/* ------------------------------------------------------------------------ */

/* A PCIe Page Request message (§4.3, §6.2) from device_id.  payload is the
 * message's bytes 0x08-0x0F (R, W, L, PRG index, address). */
struct rvm_page_request {
	uint32_t device_id;
	bool pid_valid;
	uint32_t process_id;
	bool priv;
	bool exec;
	uint64_t payload;
};
void rvm_page_request(struct rvm *m, const struct rvm_page_request *pr);

/* An ATS Invalidation Completion for 'itag' from device rid.  A completion
 * that matches no outstanding invalidation (unknown, or late after a
 * timeout) is ignored. */
void rvm_ats_inval_completion(struct rvm *m, uint16_t rid, uint32_t itag);

/* Advance the model's clock by 'cycles': iohpmcycles counts, and ATS
 * invalidations past cfg.ats_inval_timeout time out. */
void rvm_advance(struct rvm *m, uint64_t cycles);

/* ------------------------------------------------------------------------ */
/* RAS error injection                                                       */
/* ------------------------------------------------------------------------ */
enum rvm_inject {
	/* The next request that walks (misses the IOATC) meets an internal
	 * data-path error: cause 272, recorded even when DC.tc.DTF=1, a
	 * completer abort to the device (§4.2 table). */
	RVM_INJECT_DATAPATH = 1,
};

/* Arm one injected error, as a hardware RAS unit's error-injection
 * register would.  The caches are flushed so that the next request walks.
 * Returns 0, or RVM_EINVAL for an unknown kind. */
int rvm_inject_error(struct rvm *m, enum rvm_inject what);

/* ------------------------------------------------------------------------ */
/* Introspection                                                             */
/* ------------------------------------------------------------------------ */
struct rvm_stats {
	uint64_t translations;
	uint64_t iotlb_hits;
	uint64_t iotlb_misses;
	uint64_t faults_recorded;
	uint64_t faults_dropped;
	uint64_t commands;
	uint64_t msis_sent;
	uint64_t page_requests;
};
void rvm_get_stats(const struct rvm *m, struct rvm_stats *st);

/* ------------------------------------------------------------------------ */
/* Snapshots                                                                 */
/* ------------------------------------------------------------------------ */

/* Serialise the architectural state into a versioned blob.  With buf NULL
 * returns the size needed.  Returns the size written, or RVM_EINVAL when
 * cap is too small. */
long rvm_save(const struct rvm *m, void *buf, size_t cap);
/* Restore a blob made by rvm_save().  On any error the instance is left
 * exactly as it was.  Returns 0; RVM_EVERSION (another format version);
 * RVM_ECORRUPT (truncated, bad checksum, impossible state); RVM_EINVAL (the
 * blob comes from an instance with a different configuration); RVM_ENOMEM. */
int rvm_restore(struct rvm *m, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* RVIOMMU_MODEL_H */
