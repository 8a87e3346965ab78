/* SPDX-License-Identifier: MIT
 *
 * driver/drv_internal.h - private types shared by the driver-core files.
 *
 * Layering (each file uses only the ones above it):
 *   pt.c       page-table formats and the shared map/unmap/walk algorithms
 *   cmd.c      struct rvd_cmd -> raw command words (the only builder)
 *   cq.c       command queue: submit, batch, IOFENCE.C sync, error recovery
 *   probe.c    §9.1 initialisation, queues, interrupts, teardown
 *   fq.c       fault and page-request queue draining
 *   ddt.c      device directory and the device-context writer
 *   domain.c   blocking/identity/paging domains, map/unmap/sync, IDs
 *   attach.c   the DC of a domain, attach bookkeeping, MSI tables, resv regions
 *   pasid.c    process directories, PASID attach, the PC writer
 *   nested.c   nested domains (guest first stage over a host second stage)
 *   ats.c      ATS/PRI enable and disable, ATS.INVAL after invalidations
 *   dirty.c    dirty tracking (SADE/GADE, read-and-clear of D)
 *   qos.c      QoS IDs: iommu_qosid at probe, per-device DC.ta RCID/MCID
 *
 * Memory: every object lives in pages from rvd_os_ops.alloc_pages and is
 * reached through phys_to_virt.  Table entries are 64-bit words accessed
 * with single-copy-atomic loads and stores (rvd_ld64/rvd_st64).
 */
#ifndef RVIOMMU_DRIVER_INTERNAL_H
#define RVIOMMU_DRIVER_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "rviommu/driver.h"
#include "rviommu/spec.h"

/* ------------------------------------------------------------------------ */
/* Host helpers                                                              */
/* ------------------------------------------------------------------------ */

struct rvd_host {
	const struct rvd_os_ops *ops;
	void *ctx;
};

/* Single-copy-atomic 64-bit accesses to memory the IOMMU also reads or
 * updates (A/D bits).  Relaxed: ordering comes from explicit barriers. */
static inline uint64_t rvd_ld64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}
static inline void rvd_st64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Allocate 2^order zeroed pages; *virt gets their mapping. */
int rvd_host_alloc(const struct rvd_host *h, unsigned order, uint64_t *phys, void **virt);
void rvd_host_free(const struct rvd_host *h, uint64_t phys, unsigned order);
/* An object of 'size' bytes in host pages (zeroed).  NULL on failure. */
void *rvd_obj_alloc(const struct rvd_host *h, size_t size, uint64_t *phys);
void rvd_obj_free(const struct rvd_host *h, uint64_t phys, size_t size);
void rvd_logf(const struct rvd_host *h, enum rvd_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------ */
/* Page tables (pt.c)                                                        */
/* ------------------------------------------------------------------------ */

/* One description per format; the algorithms in pt.c are shared. */
struct rvd_pt_fmt {
	const char *name;
	uint8_t levels;         /* table levels; level 0 holds 4 KiB leaves */
	uint8_t va_bits;        /* input address width (x4: +2) */
	uint8_t root_order;     /* root table pages as log2: 0, or 2 for x4 */
	uint8_t max_leaf_level; /* largest leaf: 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB */
	uint8_t atp_mode;       /* iosatp / iohgatp MODE encoding */
	bool gstage;            /* second-stage (x4) format */
	uint64_t cap;           /* RVI_CAP_* bit that advertises it */
};

enum rvd_pt_fmt_id {
	RVD_PT_SV39,
	RVD_PT_SV48,
	RVD_PT_SV57,
	RVD_PT_SV39X4,
	RVD_PT_SV48X4,
	RVD_PT_SV57X4,
	RVD_PT_NFMT,
};
extern const struct rvd_pt_fmt rvd_pt_fmts[RVD_PT_NFMT];

struct rvd_pt {
	const struct rvd_pt_fmt *fmt;
	struct rvd_host host;
	uint64_t root_phys;
	uint64_t root_meta_phys; /* entry counts of the root's child tables (pt.c) */
	uint16_t *root_meta;
	bool napot;          /* use Svnapot 64 KiB leaves */
	bool dirty_tracking; /* new leaves without D: the IOMMU sets it (dirty.c) */
	uint64_t *root_va;
	uint64_t pgsizes; /* rvd_pt_pgsize_bitmap() */
	/* The last level-0 table map reached (pt.c "Walk cache"). */
	uint64_t wc_block; /* iova >> 21 of its span; UINT64_MAX: empty */
	uint64_t *wc_table;
	uint16_t *wc_cnt;
};

int rvd_pt_init(struct rvd_pt *pt, const struct rvd_pt_fmt *fmt, const struct rvd_host *h,
                bool napot);
/* Free every table page (the caller has made the IOMMU stop using it). */
void rvd_pt_destroy(struct rvd_pt *pt);
/* Exclusive end of the input address range the table maps. */
uint64_t rvd_pt_va_end(const struct rvd_pt *pt);
uint64_t rvd_pt_pgsize_bitmap(const struct rvd_pt *pt);
/* Leaf PTE permission bits for prot (V, R, W, X, U, A, D). */
uint64_t rvd_pt_prot_bits(unsigned prot);
int rvd_pt_map(struct rvd_pt *pt, uint64_t iova, uint64_t pa, uint64_t size, unsigned prot,
               uint64_t *mapped);
uint64_t rvd_pt_unmap(struct rvd_pt *pt, uint64_t iova, uint64_t size, struct rvd_gather *g);
uint64_t rvd_pt_iova_to_phys(const struct rvd_pt *pt, uint64_t iova);
/* Replace the leaf at iova with one store; *leaf_size gets its size. */
int rvd_pt_replace(struct rvd_pt *pt, uint64_t iova, uint64_t pa, unsigned prot,
                   uint64_t *leaf_size);
/* Dirty bits of the writable leaves in [iova, iova + size): READ sets the
 * bits of dirty pages in bitmap (may be NULL), CLEAR also clears D, SET
 * sets D; leaves whose PTE changed are added to g's range.
 * Return: 0, -EINVAL, -EOVERFLOW, -ERANGE. */
enum { RVD_PT_DIRTY_READ, RVD_PT_DIRTY_CLEAR, RVD_PT_DIRTY_SET };
int rvd_pt_dirty(struct rvd_pt *pt, uint64_t iova, uint64_t size, uint64_t *bitmap, unsigned op,
                 struct rvd_gather *g);
/* Free the pages a gather collected (after the invalidation completed). */
void rvd_gather_free_pages(const struct rvd_host *h, struct rvd_gather *g);

/* ------------------------------------------------------------------------ */
/* Commands (cmd.c)                                                          */
/* ------------------------------------------------------------------------ */

/* enum rvd_cmd_op and struct rvd_cmd are public (driver.h). */

/* Build the two raw doublewords of cmd for an IOMMU with capabilities caps
 * and fctl.  Return: 0, or -EINVAL for a reserved combination (PSCV with
 * GVMA, NL without caps.NL or without AV, S without caps.S or without AV,
 * INVAL_PDT without DV, IOFENCE.C WSI without fctl.WSI, ATS without
 * caps.ATS, a field wider than its encoding, a misaligned address). */
int rvd_cmd_build(uint64_t caps, uint32_t fctl, const struct rvd_cmd *cmd, uint64_t out[2]);

/* ------------------------------------------------------------------------ */
/* The IOMMU instance                                                        */
/* ------------------------------------------------------------------------ */

struct rvd_queue {
	uint64_t phys;
	void *virt;
	unsigned lg2;
	unsigned order; /* pages, log2 */
	uint32_t mask;
	uint32_t idx; /* SW-owned index: cqt / fqh / pqh */
};

#define RVD_MAX_ATTACH 256                     /* devices attached at once (a fixed table) */
#define RVD_MAX_PASID_ATTACH 256               /* (device, PASID) attachments at once */
#define RVD_MAX_ATS 64                         /* devices with ATS enabled at once */
#define RVD_MAX_QOS 64                         /* devices with their own QoS IDs */
#define RVD_ID_BITMAP_BITS (RVI_PAGE_SIZE * 8) /* one page of bits per ID space */

struct rvd_domain {
	struct rvd_iommu *iommu;
	enum rvd_domain_type type;
	int stage; /* 1, 2, or 0 */
	struct rvd_pt pt;
	uint32_t pscid; /* first stage (nested: the guest's PSCID) */
	uint32_t gscid; /* second stage */
	unsigned nattached;
	uint64_t self_phys; /* the page this object lives in */
	/* Second-stage domains: the MSI table of the GSCID (attach.c); DC
	 * words msiptp (0 = Off), msi_addr_mask, msi_addr_pattern. */
	uint64_t msiptp, msi_mask, msi_pattern;
	unsigned nnested; /* nested domains whose parent this is */
	/* Nested domains (nested.c): the guest's iosatp over parent's G-stage. */
	struct rvd_domain *parent;
	uint64_t guest_fsc;
};

/* The second-stage domain that owns d's GSCID: d itself (second-stage
 * paging), its parent (nested), or NULL. */
static inline struct rvd_domain *rvd_s2_owner(const struct rvd_domain *d)
{
	if (d->type == RVD_DOMAIN_NESTED)
		return d->parent;
	if (d->type == RVD_DOMAIN_PAGING && d->stage == 2)
		return (struct rvd_domain *)d;
	return NULL;
}

struct rvd_iommu {
	struct rvd_host host;
	struct rvd_config cfg;
	uint64_t self_phys;
	uint64_t caps;
	uint32_t fctl;
	unsigned ddt_mode, ddt_levels;
	bool dc_ext; /* 64-byte extended device contexts (caps.MSI_FLAT) */
	uint64_t ddt_root;
	struct rvd_queue cq, fq, pq;
	bool have_pq;
	unsigned nvec;
	uint64_t timeout_ns;
	const struct rvd_pt_fmt *fmt_s1, *fmt_s2; /* deepest supported, or NULL */
	int default_stage;
	uint64_t *pscid_map, *gscid_map; /* bitmaps (one page each) */
	uint64_t pscid_map_phys, gscid_map_phys;
	struct rvd_domain blocked, identity;
	/* which domain each attached device uses (domain.c) */
	unsigned nattach;
	struct rvd_attach {
		uint32_t did;
		struct rvd_domain *dom; /* the RID domain (&blocked only with a PDT) */
		uint64_t pdt;           /* process directory root, 0 = none (pasid.c) */
		unsigned npasid;        /* PASIDs attached through it */
	} attach[RVD_MAX_ATTACH];
	/* PASID attachments (pasid.c) */
	unsigned npasid_att;
	struct {
		uint32_t did, pasid;
		struct rvd_domain *dom;
	} pasid_att[RVD_MAX_PASID_ATTACH];
	unsigned pd_mode; /* enum rvi_pdtp_mode for new PDTs; 0 = no PD caps */
	/* devices with ATS enabled (ats.c) */
	unsigned nats;
	struct rvd_ats_dev {
		uint32_t did;
		uint64_t tc_bits; /* EN_ATS, EN_PRI, PRPR, T2GPA */
		unsigned depth;   /* Invalidation Queue Depth */
		bool prpr;        /* PRG responses carry the request's PASID */
		void (*step)(void *ctx, uint32_t device_id, enum rvd_ats_step step);
	} ats[RVD_MAX_ATS];
	/* QoS IDs (qos.c): implemented bits, devices with their own IDs */
	uint16_t rcid_mask, mcid_mask;
	unsigned nqos;
	struct {
		uint32_t did;
		uint64_t ta; /* DC.ta RCID | MCID bits */
	} qos[RVD_MAX_QOS];
	/* fault-log rate limiting */
	uint64_t log_window_start;
	unsigned log_in_window;
	/* statistics (tests read them) */
	uint64_t n_syncs, n_cmd_errors;
};

/* cq.c: all called with the host lock held. */
#define RVD_BATCH_MAX 32
struct rvd_batch {
	unsigned n;
	uint64_t raw[RVD_BATCH_MAX][2];
	int err; /* first error seen by add */
};
void rvd_batch_init(struct rvd_batch *b);
/* Add a command (flushing to the queue without a sync when full). */
void rvd_batch_add(struct rvd_iommu *iommu, struct rvd_batch *b, const struct rvd_cmd *cmd);
/* Publish the batch, append IOFENCE.C (PR/PW as given) and wait for it.
 * Return: 0, -EINVAL (a command was malformed: nothing from it was sent),
 * -ETIMEDOUT, -EIO. */
int rvd_batch_submit(struct rvd_iommu *iommu, struct rvd_batch *b, bool pr, bool pw);
/* Write raw commands at cqt and publish them (no sync). */
int rvd_cq_push_raw(struct rvd_iommu *iommu, const uint64_t (*raw)[2], unsigned n);
/* Wait until (register & mask) == want.  Return 0 or -ETIMEDOUT. */
int rvd_wait32(struct rvd_iommu *iommu, uint32_t off, uint32_t mask, uint32_t want);
/* Append IOFENCE.C and wait until cqh passes it, recovering from errors. */
int rvd_cq_sync(struct rvd_iommu *iommu, bool pr, bool pw);

/* domain.c (lock held): the invalidations of a paging or nested domain.
 * flush_all drops all its translations; range_invals those of the
 * gathered range (per page, ARINV blocks, or a flush, see domain.c). */
void rvd_add_flush_all(struct rvd_domain *d, struct rvd_batch *b);
void rvd_add_range_invals(struct rvd_domain *d, const struct rvd_gather *g, struct rvd_batch *b);

/* nested.c: free a nested domain (rvd_domain_free's contract). */
int rvd_nested_free(struct rvd_domain *d);

/* attach.c (lock held): the DC that makes a device use d, with the MSI
 * table of d's GSCID. */
void rvd_make_dc(const struct rvd_domain *d, uint64_t dc[8]);
/* Index of did in iommu->attach[], or -1. */
int rvd_attach_slot(struct rvd_iommu *iommu, uint32_t did);

/* pasid.c (lock held) */
/* Point the RID (no-PASID) traffic of a device that has a PDT at d. */
int rvd_pdt_set_rid(struct rvd_iommu *iommu, int slot, struct rvd_domain *d);
/* Rewrite the DC of the PDT device in attach slot 'slot' from its domains
 * (tc.SADE when one of them tracks dirty); nothing when it is unchanged. */
int rvd_pdt_sync_dc(struct rvd_iommu *iommu, int slot);
/* Free every PDT (rvd_remove, after the IOMMU is off). */
void rvd_pdt_free_all(struct rvd_iommu *iommu);

/* ddt.c */
/* Descend one level through the non-leaf directory entry at *p (DDTE and
 * PDTE share a layout, §3.1.2/§3.3.2): the next table, allocating, zeroing
 * and linking it when the entry is invalid and alloc is set.  NULL with
 * *err = -ENOENT (invalid, !alloc) or the allocation's error. */
uint64_t *rvd_dir_descend(struct rvd_iommu *iommu, uint64_t *p, bool alloc, int *err);
/* Pointer to the DC words of device_id, allocating directory levels when
 * alloc.  Return NULL with *err = -EINVAL (too wide) or -ENOMEM. */
uint64_t *rvd_ddt_dc(struct rvd_iommu *iommu, uint32_t did, bool alloc, int *err);
/* Update the DC of did to dc[] (8 words; 4 used in base format) in the
 * spec's order: in place with one store when the valid DC changes in at
 * most one word (hitless), else through V=0 (ddt.c).
 * Return: 0, -EINVAL, -ENOMEM, -ETIMEDOUT, -EIO. */
int rvd_write_dc(struct rvd_iommu *iommu, uint32_t did, const uint64_t dc[8]);
/* Same; hitless=false forces the V=0 sequence (ATS enable/disable). */
int rvd_write_dc_ex(struct rvd_iommu *iommu, uint32_t did, const uint64_t dc[8], bool hitless);
/* Add did's overlays to a valid dc[]: its ATS tc bits (ats.c) and its QoS
 * IDs in ta (probe.c).  The writer applies them; compare with them. */
void rvd_dc_overlay(struct rvd_iommu *iommu, uint32_t did, uint64_t dc[8]);
void rvd_ddt_free(struct rvd_iommu *iommu);

/* ats.c (lock held) */
struct rvd_ats_dev *rvd_ats_find(struct rvd_iommu *iommu, uint32_t did);
/* The tc bits device did's valid DC dc[] must carry (invariant 1). */
uint64_t rvd_ats_tc_bits(struct rvd_iommu *iommu, uint32_t did, const uint64_t *dc);
/* ATS.INVAL payloads: the block covering [start, last], or everything. */
uint64_t rvd_ats_payload_range(uint64_t start, uint64_t last);
uint64_t rvd_ats_payload_all(void);
/* ATS.INVALs for every ATS device using d (RID or PASID), for g's range
 * (NULL or empty: everything); nested children of d: everything. */
void rvd_add_ats_invals(struct rvd_domain *d, const struct rvd_gather *g, struct rvd_batch *b);
/* After the IOTINVALs of a change of process context (did, pid): ATS.INVAL
 * of that PASID's whole space (PV=1 PID=pid; pid 0, the RID traffic under
 * DPE=1: PV=0) when did has ATS enabled (§9.2 "DevATC"). */
void rvd_add_ats_inval_pc(struct rvd_iommu *m, struct rvd_batch *b, uint32_t did, uint32_t pid);
/* After an IOTINVAL.GVMA command c: ATS.INVAL for the ATS devices whose
 * translations it can reach (the GSCID's second-stage and nested domains). */
void rvd_add_ats_invals_gvma(struct rvd_iommu *iommu, const struct rvd_cmd *c, struct rvd_batch *b);

/* qos.c */
/* ddtp Off: probe the iommu_qosid widths and program cfg.rcid/mcid.
 * Return: 0, -EINVAL (non-zero IDs do not fit, or no caps.QOSID). */
int rvd_qos_probe(struct rvd_iommu *iommu);
/* (lock held) DC.ta RCID/MCID bits for device did (0: none). */
uint64_t rvd_qos_ta_bits(struct rvd_iommu *iommu, uint32_t did);

/* fq.c */
int rvd_fq_drain(struct rvd_iommu *iommu);
int rvd_pq_drain(struct rvd_iommu *iommu);

#endif
