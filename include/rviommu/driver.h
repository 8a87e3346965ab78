/* SPDX-License-Identifier: MIT
 *
 * rviommu/driver.h - the portable RISC-V IOMMU driver core.
 *
 * The core programs an IOMMU only through its MMIO registers and in-memory
 * structures, as on silicon.  Everything it needs from the operating system
 * comes through struct rvd_os_ops: zeroed, naturally aligned, physically
 * contiguous pages (and their kernel virtual addresses), 32/64-bit MMIO
 * accessors, barriers, one lock, a monotonic clock with a delay, and logging.
 * The core never calls malloc or any other libc allocator; its own objects
 * (the IOMMU, domains, ID bitmaps) live in pages from the host too.
 *
 * The operations follow Linux iommu_ops / iommu_domain_ops in name and
 * meaning: rvd_domain_alloc_paging, rvd_attach_dev, rvd_map_pages,
 * rvd_unmap_pages + rvd_iotlb_sync with a gather, rvd_flush_iotlb_all,
 * rvd_iova_to_phys, rvd_get_resv_regions, rvd_page_response.
 *
 * Spec: RISC-V IOMMU 1.0 (+ NLINV, ARINV), chapter "Software guidelines".
 *
 * Errors are negative errno values with their Linux meanings:
 *   -EINVAL     an argument is malformed, or the domain and device are
 *               incompatible (a soft failure: callers may retry another
 *               domain; the core does not log it)
 *   -ENOMEM     the host's page allocator failed
 *   -ENOSPC     an ID space (PSCID, GSCID) is exhausted
 *   -ENODEV     the IOMMU lacks a capability the request needs
 *   -EEXIST     map found an existing mapping in the range
 *   -ETIMEDOUT  the IOMMU did not complete a command in time
 *   -EIO        the IOMMU reported a command error (cmd_ill, cqmf, cmd_to)
 *   -ERANGE     an IOVA or physical address is outside the domain/format
 *   -EOVERFLOW  iova + size wraps
 *   -EBUSY      the object is in use (e.g. freeing an attached domain)
 *   -ENOENT     the object named does not exist (PASID, ATS state, leaf)
 *   -EOPNOTSUPP the IOMMU lacks a feature the operation needs (A/D update)
 *
 * Threads: every entry point takes the host lock around its use of the
 * command queue; map, unmap and dirty read/clear on one domain must be
 * serialised by the caller (they share per-table entry counts and a walk
 * cache, src/driver/pt.c).
 */
#ifndef RVIOMMU_DRIVER_H
#define RVIOMMU_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rvd_iommu;
struct rvd_domain;

/* ------------------------------------------------------------------------ */
/* What the host supplies                                                    */
/* ------------------------------------------------------------------------ */

enum rvd_log_level { RVD_LOG_ERR = 0, RVD_LOG_WARN = 1, RVD_LOG_INFO = 2, RVD_LOG_DEBUG = 3 };

struct rvd_os_ops {
	/* 2^order zeroed pages, physically contiguous and naturally aligned
	 * to their size.  Return 0 and the physical address, or -ENOMEM. */
	int (*alloc_pages)(void *ctx, unsigned order, uint64_t *phys);
	void (*free_pages)(void *ctx, uint64_t phys, unsigned order);
	/* Virtual address of a page returned by alloc_pages (any offset). */
	void *(*phys_to_virt)(void *ctx, uint64_t phys);

	/* Register accessors; off is the offset in the IOMMU's 4 KiB block. */
	uint32_t (*read32)(void *ctx, uint32_t off);
	uint64_t (*read64)(void *ctx, uint32_t off);
	void (*write32)(void *ctx, uint32_t off, uint32_t val);
	void (*write64)(void *ctx, uint32_t off, uint64_t val);

	/* Barriers.  wmb orders the core's normal-memory stores before later
	 * stores and MMIO writes (Linux dma_wmb + the MMIO ordering of
	 * writel); mb is a full fence (RISC-V "fence iorw,iorw"); rmb orders
	 * an MMIO read before later normal-memory loads. */
	void (*mb)(void *ctx);
	void (*wmb)(void *ctx);
	void (*rmb)(void *ctx);

	/* One lock per IOMMU instance (the core nests nothing inside it). */
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);

	/* Monotonic nanoseconds and a busy or sleeping wait. */
	uint64_t (*now_ns)(void *ctx);
	void (*delay_ns)(void *ctx, uint64_t ns);

	/* Logging; may be NULL. */
	void (*log)(void *ctx, enum rvd_log_level lvl, const char *msg);
};

/* Which stage backs paging (DMA) domains. */
enum rvd_stage_policy {
	RVD_STAGE_AUTO = 0, /* second stage when the IOMMU has one, else first */
	RVD_STAGE_FIRST = 1,
	RVD_STAGE_SECOND = 2,
};

/* A decoded fault record (§4.2), delivered to fault_cb. */
struct rvd_fault {
	uint16_t cause; /* enum rvi_cause */
	uint8_t ttyp;   /* enum rvi_ttyp */
	bool pv, priv;
	uint32_t pid;
	uint32_t device_id;
	uint64_t iotval, iotval2;
};

/* A decoded page request (§4.3), delivered to prq_cb. */
struct rvd_page_request {
	uint32_t device_id;
	bool pv, priv, exec;
	uint32_t pid;
	bool r, w, last;
	uint16_t prg_index;
	uint64_t addr;
};

struct rvd_config {
	uint32_t device_id_bits;        /* widest device_id the platform uses (e.g. 16 for PCI) */
	uint8_t cq_lg2, fq_lg2, pq_lg2; /* wanted queue sizes (log2 entries); 0 = 10 */
	bool use_wsi;                   /* wired interrupts (needs IGS WSI or BOTH) */
	uint8_t msi_vectors;            /* entries of msi_addr/msi_data to program */
	uint64_t msi_addr[16];
	uint32_t msi_data[16];
	enum rvd_stage_policy stage;
	uint32_t inval_threshold; /* per-page IOTINVALs before a PSCID/GSCID flush; 0 = 64 */
	uint64_t timeout_ns;      /* command completion timeout; 0 = 100 ms */
	void (*fault_cb)(void *ctx, const struct rvd_fault *f);
	/* Return an enum rvi_prgr_code; rvd_page_response() may be called
	 * later instead when it returns -1. */
	int (*prq_cb)(void *ctx, const struct rvd_page_request *pr);
	/* Widest PASID devices use (picks PD8/PD17/PD20); 0 = 20. */
	uint8_t pasid_bits;
	/* QoS IDs of the IOMMU's own accesses (DDT, queues, its MSIs):
	 * programmed into iommu_qosid while ddtp is Off (needs caps.QOSID
	 * unless both are 0; must fit the implemented widths). */
	uint16_t rcid, mcid;
};

/* ------------------------------------------------------------------------ */
/* IOMMU lifecycle                                                           */
/* ------------------------------------------------------------------------ */

/* Probe and initialise per the spec's software guidelines: check version,
 * set fctl.BE to the host's byte order, choose WSI or MSI, discover the
 * WARL queue sizes and DDT modes, program icvec and msi_cfg_tbl, enable
 * CQ, FQ (and PQ with ATS), install an empty DDT of the depth device_id_bits
 * needs, then invalidate all and fence.  Devices are blocked until attached.
 * Return: the instance, or NULL with *err set to
 *   -ENODEV (version, byte order, WSI/MSI or no usable DDT mode / stage),
 *   -ENOMEM, -ETIMEDOUT (a busy or on bit never settled), -EINVAL (cfg;
 *   also cfg.rcid/mcid not 0 without caps.QOSID, or wider than the
 *   iommu_qosid fields implement, found by read-back). */
struct rvd_iommu *rvd_probe(const struct rvd_os_ops *ops, void *ctx, const struct rvd_config *cfg,
                            int *err);
/* Turn the IOMMU Off, disable the queues and free everything. */
void rvd_remove(struct rvd_iommu *iommu);

uint64_t rvd_capabilities(const struct rvd_iommu *iommu);

/* Process the fault and page-request queues (an interrupt handler).
 * Return: number of records delivered. */
int rvd_handle_irq(struct rvd_iommu *iommu);

/* ------------------------------------------------------------------------ */
/* Domains                                                                   */
/* ------------------------------------------------------------------------ */

enum rvd_domain_type {
	RVD_DOMAIN_BLOCKED = 1,
	RVD_DOMAIN_IDENTITY = 2,
	RVD_DOMAIN_PAGING = 3,
	RVD_DOMAIN_NESTED = 4, /* a guest's first stage over a host second stage */
};

/* Mapping permissions (Linux IOMMU_READ/WRITE/...). */
#define RVD_PROT_READ 0x1u
#define RVD_PROT_WRITE 0x2u
#define RVD_PROT_EXEC 0x4u /* absent means no-exec */

/* A paging domain, with its stage chosen by the policy knob.
 * Return: NULL with *err = -ENOMEM, -ENOSPC (no PSCID/GSCID), -ENODEV. */
struct rvd_domain *rvd_domain_alloc_paging(struct rvd_iommu *iommu, int *err);
/* Same, with an explicit stage (RVD_STAGE_FIRST or _SECOND). */
struct rvd_domain *rvd_domain_alloc_paging_stage(struct rvd_iommu *iommu,
                                                 enum rvd_stage_policy stage, int *err);
/* The static blocking and identity domains of this IOMMU. */
struct rvd_domain *rvd_blocked_domain(struct rvd_iommu *iommu);
struct rvd_domain *rvd_identity_domain(struct rvd_iommu *iommu);
/* Free a paging domain (its tables and ID).  Return: 0, -EBUSY (attached). */
int rvd_domain_free(struct rvd_domain *dom);
enum rvd_domain_type rvd_domain_type(const struct rvd_domain *dom);
/* 1 first stage, 2 second stage, 0 for blocking/identity. */
int rvd_domain_stage(const struct rvd_domain *dom);
/* Bitmap of page sizes the domain maps (bit n = 2^n bytes). */
uint64_t rvd_domain_pgsize_bitmap(const struct rvd_domain *dom);

/* Point device_id at dom, updating its device context in the spec's order
 * (in place with one store when a single 64-bit word of the valid DC
 * changes, e.g. between second-stage domains; else through V=0).
 * A device with PASIDs attached keeps them; its RID traffic moves to dom.
 * Return: 0, -EINVAL (device_id too wide for the DDT, or incompatible
 * domain), -EBUSY (PASIDs are attached and dom has a second stage),
 * -ENOSPC, -ENOMEM, -ETIMEDOUT / -EIO (invalidation failed). */
int rvd_attach_dev(struct rvd_domain *dom, uint32_t device_id);

/* QoS IDs for device_id's own traffic (QoSID extension): DC.ta.RCID and
 * MCID, which tag its PDT, page-table, MSI-PT and MRIF accesses and its
 * requests.  They stay with the device across attach changes (every DC
 * the core writes for it carries them); its current valid DC is updated
 * in place (one store, then IODIR.INVAL_DDT + fence).  0, 0 drops them.
 * The implemented widths are probed at rvd_probe (all-ones written to
 * iommu_qosid while Off, read back).
 * Return: 0, -ENODEV (no caps.QOSID), -EINVAL (rcid or mcid wider than
 * implemented, device_id too wide for the DDT), -ENOSPC (RVD_MAX_QOS
 * devices already have IDs), -ENOMEM, -ETIMEDOUT, -EIO. */
int rvd_set_dev_qosid(struct rvd_iommu *iommu, uint32_t device_id, uint16_t rcid, uint16_t mcid);

/* ------------------------------------------------------------------------ */
/* PASIDs (process directory)                                                */
/* ------------------------------------------------------------------------ */

/* Attach (device_id, pasid) to dom, a first-stage paging domain, through the
 * device's process directory.  The first PASID gives the device a PDT
 * (format: the smallest of PD8/PD17/PD20 the capabilities offer that
 * covers cfg.pasid_bits, else the largest offered) and rewrites its DC with
 * PDTV=1; its RID (no-PASID) traffic then goes through PASID 0 with DPE=1
 * (first-stage RID domain; blocked = PC 0 invalid, cause 266) or stays
 * untranslated (identity, DPE=0).  Non-leaf PDT pages are allocated on
 * first use.  The process context is written in the spec's order: V=0,
 * IODIR.INVAL_PDT + IOTINVAL.VMA PSCID of the old context (+ ATS.INVAL
 * PV=1 PID=pasid of the whole space when the device has ATS) + IOFENCE.C,
 * the new fsc, V=1, IODIR.INVAL_PDT + IOFENCE.C.  When dom tracks dirty,
 * the DC gets tc.SADE before the PC is written.
 * Return: 0, -EINVAL (dom not first-stage paging, pasid 0 or wider than
 * the PDT format, device_id too wide), -ENODEV (no PD8/PD17/PD20), -EBUSY
 * (the device's RID domain has a second stage), -ENOSPC (attachment
 * tables full), -ENOMEM, -ETIMEDOUT, -EIO. */
int rvd_attach_dev_pasid(struct rvd_domain *dom, uint32_t device_id, uint32_t pasid);
/* Detach (device_id, pasid): its PC becomes invalid (requests fault with
 * cause 266).  The last detach gives the device back a DC without a PDT
 * and frees the PDT.  Return: 0, -ENOENT (not attached), -ETIMEDOUT, -EIO. */
int rvd_detach_dev_pasid(struct rvd_iommu *iommu, uint32_t device_id, uint32_t pasid);

/* ------------------------------------------------------------------------ */
/* Nested domains (a guest's first stage over a host second stage)           */
/* ------------------------------------------------------------------------ */

/* The guest's first-stage configuration, as its iosatp. */
struct rvd_guest_fsc {
	uint8_t mode;      /* enum rvi_iosatp_mode: 0 Bare, 8 Sv39, 9 Sv48, 10 Sv57 */
	uint64_t root_gpa; /* guest-physical address of the root table, 4 KiB aligned */
	uint32_t pscid;    /* the guest's address-space ID (20 bits; under the GSCID) */
};

/* A domain whose devices translate IOVA -> GPA through the guest's table
 * (which the guest owns and edits in its own memory) and GPA -> SPA
 * through parent, a second-stage paging domain.  Attach writes a DC with
 * iohgatp = parent's (mode, GSCID, root), fsc = the guest's iosatp and
 * ta.PSCID = its PSCID, and the MSI table of parent's GSCID.  Mapping
 * calls are -EINVAL on it; the guest edits its table and then calls
 * rvd_nested_inval.  parent can not be freed while nested domains use it.
 * Return: NULL with *err = -EINVAL (parent not second-stage paging, mode
 * not a first-stage encoding, root not 4 KiB aligned, PSCID wider than 20
 * bits), -ENODEV (mode not in the capabilities), -ERANGE (root beyond
 * 56 bits), -ENOMEM. */
struct rvd_domain *rvd_domain_alloc_nested(struct rvd_domain *parent,
                                           const struct rvd_guest_fsc *fsc, int *err);
/* The guest changed its table for [iova, iova + size): invalidate its
 * first-stage entries with IOTINVAL.VMA GV=1 GSCID PSCV=1 PSCID (AV=1 per
 * page or ARINV block, or the whole PSCID past cfg.inval_threshold pages
 * or when size is 0), then IOFENCE.C PR=PW=1.  nonleaf: the guest also
 * changed non-leaf entries (NL=1 with caps.NL, else the whole PSCID).
 * Return: 0, -EINVAL (not a nested domain, iova or size not 4 KiB
 * aligned), -EOVERFLOW, -ETIMEDOUT, -EIO. */
int rvd_nested_inval(struct rvd_domain *dom, uint64_t iova, uint64_t size, bool nonleaf);

/* ------------------------------------------------------------------------ */
/* MSI page table (second-stage and nested domains)                          */
/* ------------------------------------------------------------------------ */

/* Attach device_id to dom with an MSI page table: DC.msiptp = Flat at
 * msiptp_ppn (0: Off), DC.msi_addr_mask / msi_addr_pattern as given (GPA
 * page numbers, §3.1.3.5-6).  The DC is written by the same spec-ordered
 * writer as rvd_attach_dev.
 * The MSI table belongs to the GSCID (its entries are cached by GSCID and
 * GPA), so it is recorded in the second-stage domain (a nested domain's
 * parent) and every device on that GSCID uses it: rvd_attach_dev later
 * attaches with the domain's table, and a different table is refused while
 * other devices use the GSCID (use rvd_domain_set_msi to change it for all).
 * Rules checked:
 *   - msiptp must stay Off when iohgatp is Bare (blocking, identity and
 *     first-stage domains): -EINVAL for a non-zero msiptp_ppn;
 *   - with msiptp_ppn = 0, mask and pattern must be 0;
 *   - mask/pattern bits 63:52 and bits at or above MGPAW-12 are reserved;
 *   - a table of 2^k entries with k > 8 must be naturally aligned
 *     (2^k x 16 bytes), so msiptp_ppn must be a multiple of 2^(k-8).
 * Return: 0, -EINVAL (see above, or device_id too wide), -ENODEV (no
 * caps.MSI_FLAT), -ERANGE (msiptp_ppn wider than 44 bits), -EBUSY (the
 * GSCID's devices use another table), -ENOSPC (attach table full),
 * -ENOMEM, -ETIMEDOUT, -EIO. */
int rvd_attach_dev_msi(struct rvd_domain *dom, uint32_t device_id, uint64_t msiptp_ppn,
                       uint64_t msi_addr_mask, uint64_t msi_addr_pattern);
/* Change the MSI table of dom's GSCID and rewrite the DC of every device
 * attached to it (or to its nested domains).  Same checks and returns as
 * rvd_attach_dev_msi, without -EBUSY. */
int rvd_domain_set_msi(struct rvd_domain *dom, uint64_t msiptp_ppn, uint64_t msi_addr_mask,
                       uint64_t msi_addr_pattern);
/* Invalidate the cached MSI PTE for guest-physical address gpa of dom's
 * GSCID: IOTINVAL.GVMA GV=1 AV=1 ADDR=gpa[63:12] GSCID, ATS.INVAL to the
 * ATS-enabled devices on the GSCID (ATS returns MSI translations too), then
 * IOFENCE.C PW=1 (so MSIs already translated with the old entry are
 * committed).
 * Return: 0, -EINVAL (dom has no second stage), -ETIMEDOUT, -EIO. */
int rvd_inval_msi_pte(struct rvd_domain *dom, uint64_t gpa);
/* The GSCID a second-stage or nested domain's devices use; 0 for others. */
uint32_t rvd_domain_gscid(const struct rvd_domain *dom);

/* ------------------------------------------------------------------------ */
/* Mapping                                                                   */
/* ------------------------------------------------------------------------ */

/* Collected unmap work: the IOVA range to invalidate and the table pages
 * to free once the invalidation has completed.  Any number of tables: they
 * are chained through the (empty, unlinked) tables themselves, so the
 * gather stays small and nothing is allocated (src/driver/pt.c). */
struct rvd_gather {
	uint64_t start, last; /* inclusive IOVA range; start > last: empty */
	uint64_t pgsize;      /* smallest leaf size seen (precise per-page inval) */
	bool tables_freed;    /* non-leaf entries were cleared: needs NL / wider flush */
	uint64_t nfree;       /* tables collected */
	uint64_t free_head;   /* physical address of the last one collected */
};
void rvd_gather_init(struct rvd_gather *g);

/* Map pgcount pages of pgsize at iova to paddr.  Larger pages (2 MiB,
 * 1 GiB, 512 GiB, and Svnapot 64 KiB) are used when alignment allows.
 * Never overwrites an existing mapping.  *mapped receives the bytes mapped,
 * also on failure (partial progress; the caller unmaps them).
 * Return: 0, -EEXIST, -ENOMEM, -EINVAL (unaligned or pgsize not supported),
 * -ERANGE, -EOVERFLOW. */
int rvd_map_pages(struct rvd_domain *dom, uint64_t iova, uint64_t paddr, uint64_t pgsize,
                  uint64_t pgcount, unsigned prot, size_t *mapped);
/* Unmap; returns the bytes unmapped (stops at a hole or at a leaf larger
 * than the range, as Linux does).  The invalidation happens in
 * rvd_iotlb_sync(gather). */
size_t rvd_unmap_pages(struct rvd_domain *dom, uint64_t iova, uint64_t pgsize, uint64_t pgcount,
                       struct rvd_gather *gather);
/* Invalidate what the gather collected, fence, then free its pages.
 * Return: 0, -ETIMEDOUT, -EIO (pages are then leaked, not reused). */
int rvd_iotlb_sync(struct rvd_domain *dom, struct rvd_gather *gather);
/* Invalidate all translations of the domain.  Return: 0, -ETIMEDOUT, -EIO. */
int rvd_flush_iotlb_all(struct rvd_domain *dom);
/* Atomically replace the live leaf mapping iova (one aligned 64-bit store),
 * then invalidate it.  Return: 0, -ENOENT (no leaf), -EINVAL (size or
 * alignment differs from the leaf), -ETIMEDOUT, -EIO. */
int rvd_replace_page(struct rvd_domain *dom, uint64_t iova, uint64_t paddr, unsigned prot);
/* Physical address iova maps to, or 0 when unmapped. */
uint64_t rvd_iova_to_phys(struct rvd_domain *dom, uint64_t iova);

/* ------------------------------------------------------------------------ */
/* Reserved regions and page responses                                       */
/* ------------------------------------------------------------------------ */

enum rvd_resv_type {
	RVD_RESV_MSI = 1,    /* hardware MSI window (Linux IOMMU_RESV_MSI) */
	RVD_RESV_SW_MSI = 2, /* software-mapped MSI aperture */
};
struct rvd_resv_region {
	uint64_t start, length;
	enum rvd_resv_type type;
};
/* Fill up to max regions for device_id.
 *   - attached to a second-stage or nested domain whose GSCID has an MSI
 *     table: its HW MSI window (RVD_RESV_MSI): the GPAs A with
 *     (A >> 12) & ~mask == pattern & ~mask, one region per value of the
 *     mask bits above its lowest run of ones (a run starting at bit 0);
 *   - attached to a first-stage domain, or not attached while DMA domains
 *     are first-stage: the software MSI aperture (RVD_RESV_SW_MSI);
 *   - otherwise none.
 * Return: the number of regions the device has (snprintf-like: only the
 * first max are written). */
int rvd_get_resv_regions(struct rvd_iommu *iommu, uint32_t device_id, struct rvd_resv_region *out,
                         int max);

/* ------------------------------------------------------------------------ */
/* ATS and PRI (PCIe devices)                                                */
/* ------------------------------------------------------------------------ */

/* What the core asks the host to do to the device during enable/disable. */
enum rvd_ats_step {
	RVD_ATS_QUIESCE = 1,     /* stop the device's DMA (before the DC changes) */
	RVD_ATS_DEV_ENABLE = 2,  /* enable ATS (and PRI) in the device's capability */
	RVD_ATS_DEV_DISABLE = 3, /* disable them in the device */
	RVD_ATS_RESUME = 4,      /* let the device DMA again */
};

struct rvd_ats_cfg {
	bool pri;   /* also enable PRI (DC.tc.EN_PRI): page requests to prq_cb */
	bool prpr;  /* the device's "PRG Response PASID Required" (DC.tc.PRPR) */
	bool t2gpa; /* translated requests carry GPAs (DC.tc.T2GPA; second stage) */
	/* The device's ATS Invalidate Queue Depth: ATS.INVALs outstanding at
	 * once (PCIe: 0 encodes 32). */
	uint8_t inval_queue_depth;
	/* Called with the steps above, in order; may be NULL. */
	void (*step)(void *ctx, uint32_t device_id, enum rvd_ats_step step);
};

/* Enable ATS (and PRI) for device_id, CHECKLIST §9.2 "Enabling ATS/PRI":
 * step(QUIESCE); the DC goes V=0, IODIR.INVAL_DDT + the old context's
 * IOTINVALs + IOFENCE.C; EN_ATS (T2GPA), EN_PRI, PRPR are set with V=1 in
 * one store (rvd_write_dc); step(DEV_ENABLE); step(RESUME).  The bits stay
 * in every later DC of the device (attach, PASIDs) until rvd_disable_ats;
 * T2GPA is dropped from DCs whose iohgatp is Bare (it would be 259).
 * From then on every invalidation of a domain the device uses (RID or
 * PASID) is followed by ATS.INVAL to the device (after the IOTINVALs,
 * §5.4), never more than inval_queue_depth outstanding, and the fence
 * waits for the completions.
 * Return: 0, -ENODEV (no caps.ATS; no caps.T2GPA for t2gpa), -EINVAL
 * (device_id wider than 24 bits or than the DDT, or t2gpa while the
 * device's domain has no second stage), -ENOSPC (RVD_MAX_ATS devices
 * already), -ENOMEM, -ETIMEDOUT, -EIO. */
int rvd_enable_ats(struct rvd_iommu *iommu, uint32_t device_id, const struct rvd_ats_cfg *cfg);
/* Disable, CHECKLIST §9.2 "Disabling ATS/PRI": step(QUIESCE);
 * step(DEV_DISABLE); the DC is rewritten without EN_ATS/EN_PRI/PRPR/T2GPA
 * (V=0, IOMMU invalidations, V=1); then ATS.INVAL of the whole address
 * space (RID and every PASID of the device) + IOFENCE.C; step(RESUME).
 * Return: 0, -ENOENT (not enabled), -ETIMEDOUT, -EIO. */
int rvd_disable_ats(struct rvd_iommu *iommu, uint32_t device_id);

/* ------------------------------------------------------------------------ */
/* Dirty tracking (iommufd model)                                            */
/* ------------------------------------------------------------------------ */

/* Start or stop hardware dirty tracking for a paging domain: the DCs of
 * its devices (RID attachments, and devices with a PASID on it) get
 * tc.SADE (first stage) or tc.GADE (second stage), and leaves written from then on have D=0 (A
 * preset), so the IOMMU sets D on the first write.  Writable leaves that exist keep D=1 and read as
 * dirty until the first clear.  Stopping sets D in every writable leaf before SADE/GADE go (else a
 * store would fault). Return: 0, -EINVAL (not a paging domain), -EOPNOTSUPP (no caps.AMO_HWAD),
 * -ETIMEDOUT, -EIO. */
int rvd_domain_set_dirty_tracking(struct rvd_domain *dom, bool enable);
/* Leave D set (report only) when given to rvd_read_and_clear_dirty. */
#define RVD_DIRTY_NO_CLEAR 0x1u
/* For each 4 KiB page of [iova, iova + size) whose leaf has D=1, set bit
 * (page index from iova) in bitmap (uint64_t words, LSB first; a dirty
 * superpage sets the bits of all its pages in the range).  Unless flags
 * has RVD_DIRTY_NO_CLEAR, D is cleared with a compare-and-swap (so an A/D
 * update by the IOMMU between the load and the store is never lost), and
 * the cleared leaves are invalidated (CHECKLIST §9.2 "Clearing A or D":
 * else the IOMMU may keep using a cached entry with D=1 and never set D
 * again), then IOFENCE.C PR=PW=1.
 * Return: 0, -EINVAL (not paging, unaligned, tracking off), -EOVERFLOW,
 * -ERANGE, -ETIMEDOUT, -EIO. */
int rvd_read_and_clear_dirty(struct rvd_domain *dom, uint64_t iova, uint64_t size, uint64_t *bitmap,
                             unsigned flags);

/* ------------------------------------------------------------------------ */
/* Raw commands                                                              */
/* ------------------------------------------------------------------------ */

/* A typed command-queue entry (§4.1).  Build one with the rvd_cmd_*()
 * constructors below; only the member of the union that matches op is
 * read.  The core turns it into raw words and rejects every encoding the
 * spec makes illegal or the IOMMU does not support. */
enum rvd_cmd_op {
	RVD_CMD_IOTINVAL_VMA = 1,
	RVD_CMD_IOTINVAL_GVMA,
	RVD_CMD_IOFENCE_C,
	RVD_CMD_IODIR_INVAL_DDT,
	RVD_CMD_IODIR_INVAL_PDT,
	RVD_CMD_ATS_INVAL,
	RVD_CMD_ATS_PRGR,
};

struct rvd_cmd {
	enum rvd_cmd_op op;
	union {
		struct rvd_cmd_inval {
			bool av, pscv, gv, nl, s;
			uint32_t pscid;
			uint32_t gscid;
			uint64_t addr; /* byte address, 4 KiB aligned (or NAPOT-encoded with s) */
		} inval;
		struct {
			bool av, wsi, pr, pw;
			uint32_t data;
			uint64_t addr; /* 4-byte aligned */
		} fence;
		struct {
			bool dv;
			uint32_t did, pid;
		} iodir;
		struct {
			bool pv, dsv;
			uint32_t pid;
			uint32_t rid;
			uint32_t dseg;
			uint64_t payload;
		} ats;
	};
};

/* IOTINVAL.VMA: first-stage entries.  gv selects the VM (GSCID), pscv the
 * address space (PSCID), av one page at addr (§4.1.1 table). */
static inline struct rvd_cmd rvd_cmd_iotinval_vma(bool gv, uint32_t gscid, bool pscv,
                                                  uint32_t pscid, bool av, uint64_t addr)
{
	struct rvd_cmd c = {.op = RVD_CMD_IOTINVAL_VMA};
	c.inval.gv = gv;
	c.inval.gscid = gv ? gscid : 0;
	c.inval.pscv = pscv;
	c.inval.pscid = pscv ? pscid : 0;
	c.inval.av = av;
	c.inval.addr = av ? addr : 0;
	return c;
}
/* IOTINVAL.GVMA: G-stage and MSI page-table entries of a VM (gv) or all. */
static inline struct rvd_cmd rvd_cmd_iotinval_gvma(bool gv, uint32_t gscid, bool av, uint64_t addr)
{
	struct rvd_cmd c = {.op = RVD_CMD_IOTINVAL_GVMA};
	c.inval.gv = gv;
	c.inval.gscid = gv ? gscid : 0;
	c.inval.av = av;
	c.inval.addr = av ? addr : 0;
	return c;
}
/* IODIR.INVAL_DDT: one device's context (dv) or every DDT/PDT entry. */
static inline struct rvd_cmd rvd_cmd_iodir_inval_ddt(bool dv, uint32_t did)
{
	struct rvd_cmd c = {.op = RVD_CMD_IODIR_INVAL_DDT};
	c.iodir.dv = dv;
	c.iodir.did = dv ? did : 0;
	return c;
}
/* IODIR.INVAL_PDT: the process context (did, pid). */
static inline struct rvd_cmd rvd_cmd_iodir_inval_pdt(uint32_t did, uint32_t pid)
{
	struct rvd_cmd c = {.op = RVD_CMD_IODIR_INVAL_PDT};
	c.iodir.dv = true;
	c.iodir.did = did;
	c.iodir.pid = pid;
	return c;
}
/* IOFENCE.C with PR/PW (commit earlier device reads/writes). */
static inline struct rvd_cmd rvd_cmd_iofence_c(bool pr, bool pw)
{
	struct rvd_cmd c = {.op = RVD_CMD_IOFENCE_C};
	c.fence.pr = pr;
	c.fence.pw = pw;
	return c;
}
/* ATS.INVAL to a device (device_id[15:0] is the RID, [23:16] the segment). */
static inline struct rvd_cmd rvd_cmd_ats_inval(uint32_t device_id, bool pv, uint32_t pid,
                                               uint64_t payload)
{
	struct rvd_cmd c = {.op = RVD_CMD_ATS_INVAL};
	c.ats.rid = device_id & 0xffff;
	c.ats.dsv = device_id > 0xffff;
	c.ats.dseg = device_id >> 16;
	c.ats.pv = pv;
	c.ats.pid = pv ? pid : 0;
	c.ats.payload = payload;
	return c;
}

/* Publish n commands and one IOFENCE.C (PR=PW=1) after them, then wait for
 * the fence.  Every command is checked first; a malformed or unsupported
 * one makes the call fail with nothing published.  n may exceed the queue
 * size (the core waits for room).  An IOFENCE.C inside cmds is allowed; a
 * trailing one without AV or WSI merges into the final fence.
 * Each IOTINVAL.GVMA is followed by ATS.INVAL to the ATS-enabled devices
 * whose translations it reaches (§9.2: the device ATC after the IOATC).
 * Return: 0, -EINVAL (a command is illegal for this IOMMU: reserved
 * combination, missing capability, field too wide, misaligned address),
 * -ETIMEDOUT (the fence did not complete, or cmd_to), -EIO (cmd_ill or
 * cqmf; the queue has been restarted). */
int rvd_submit_cmds(struct rvd_iommu *iommu, const struct rvd_cmd *cmds, unsigned n);

/* Send ATS.PRGR for a page request.  Return: 0, -ENODEV (no ATS),
 * -EINVAL (code), -ETIMEDOUT, -EIO. */
int rvd_page_response(struct rvd_iommu *iommu, const struct rvd_page_request *pr, int code);

#ifdef __cplusplus
}
#endif
#endif /* RVIOMMU_DRIVER_H */
