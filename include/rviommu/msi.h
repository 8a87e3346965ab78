/* SPDX-License-Identifier: MIT
 *
 * rviommu/msi.h - MSI and IMSIC designs for the RISC-V IOMMU: reserved
 * regions for the IMSIC pages, MSI page tables that follow interrupt
 * affinity, vCPU migration of a device's MSI target, and the honest answer
 * to "are MSIs isolated?".  See docs/msi-design.md for the decisions.
 *
 * Specs: RISC-V IOMMU 1.0 §3.1.3.5-6 (msiptp, msi_addr_mask/pattern), §4.1
 * (IOTINVAL.GVMA, IOFENCE.C), §"Software guidelines" (MSI PTE updates);
 * RISC-V AIA 1.0 §"IOMMU" (MSI page tables, MRIF) and §"IMSIC" (address
 * layout, VS-level migration).  CHECKLIST §2.7, §9.2, §11.
 *
 * Parts:
 *   1. Reserved regions (pure functions of a struct rvdt_platform): what a
 *      Linux driver's get_resv_regions would return under one of three
 *      policies and one of two stages, and what sysfs reserved_regions
 *      prints after Linux merges them.
 *   2. MSI page-table arithmetic: msi_addr_mask/pattern for a host IMSIC
 *      or a VM's vIMSIC, flat MSI PTE builders, the invalidation commands.
 *   3. struct rvmsi_table: a flat MSI page table in caller memory, with
 *      reference-counted map / unmap / atomic replace, each followed by
 *      IOTINVAL.GVMA + IOFENCE.C through a caller's command callback.
 *   4. Interrupt affinity (map new before unmap old) and vCPU migration
 *      (CHECKLIST §11.6) over the IMSIC model.
 *   5. rvmsi_isolated(): always false on RISC-V IOMMU 1.0, with the reason.
 *
 * Errors: functions returning int give 0 (or a count where stated) or a
 * negative errno: -EINVAL malformed argument, -ENOMEM allocation failed,
 * -ENOSPC no free entry / guest file, -ENOENT no such entry, -ERANGE an
 * address or index does not fit its field, -EEXIST the SW_MSI window
 * overlaps a direct region, -EIO the command callback failed, -ENODEV the
 * platform has no S-level IMSIC.
 *
 * Threads: no global state.  Region functions are thread-safe on distinct
 * arguments.  One struct rvmsi_table (and one allocator) must be used by
 * one thread at a time (the caller's lock, like the driver core's domain
 * lock); the IOMMU may read the table concurrently, which is what the
 * single-store updates are for.
 */
#ifndef RVIOMMU_MSI_H
#define RVIOMMU_MSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rvdt_platform;
struct rvdt_imsic;
struct rvimsic;

/* ------------------------------------------------------------------------ */
/* 1. Reserved regions                                                       */
/* ------------------------------------------------------------------------ */

/* Linux enum iommu_resv_type, less the ones we never emit.  SW_MSI and
 * HW_MSI both print as "msi" in sysfs; the API keeps them apart. */
enum rvmsi_resv_type {
	RVMSI_RESV_DIRECT = 0,           /* must be identity mapped */
	RVMSI_RESV_DIRECT_RELAXABLE = 1, /* identity mapped for DMA domains,
	                                  * may be dropped for assigned devices */
	RVMSI_RESV_RESERVED = 2,         /* never mapped */
	RVMSI_RESV_HW_MSI = 3,           /* IOVAs the MSI page table catches */
	RVMSI_RESV_SW_MSI = 4,           /* IOVA aperture for MSI doorbells */
};

/* "direct", "direct-relaxable", "reserved", "msi" (both MSI kinds). */
const char *rvmsi_resv_type_name(enum rvmsi_resv_type t);

struct rvmsi_region {
	uint64_t start, length; /* bytes; start + length never wraps */
	enum rvmsi_resv_type type;
};

enum rvmsi_policy_mode {
	RVMSI_POLICY_PER_HART = 0, /* one 4 KiB region per S-level file */
	RVMSI_POLICY_COALESCE = 1, /* default: contiguous S files merged,
	                            * superpage-rounded when safe; never a
	                            * guest file */
	RVMSI_POLICY_GROUP = 2,    /* opt-in: each group's whole index window
	                            * (with guest files), 2 MiB-rounded:
	                            * reduced isolation */
};

enum rvmsi_stage {
	RVMSI_STAGE_FIRST = 1,  /* DMA through the first stage: identity
	                         * regions for the S files + SW_MSI */
	RVMSI_STAGE_SECOND = 2, /* DMA through the second stage: HW_MSI
	                         * window caught by the MSI page table */
};

/**
 * rvmsi_stage_choose - the stage paging domains use, chosen once at probe
 * (thread 001): second when the IOMMU has a G-stage (any Sv*x4) and flat
 * MSI page tables, else first.
 */
enum rvmsi_stage rvmsi_stage_choose(uint64_t iommu_capabilities);

/* Arm's MSI_IOVA_BASE / MSI_IOVA_LENGTH (thread 004 shows the sysfs line). */
#define RVMSI_SW_MSI_BASE UINT64_C(0x08000000)
#define RVMSI_SW_MSI_MIN_SIZE UINT64_C(0x100000)

struct rvmsi_policy {
	enum rvmsi_policy_mode mode;
	enum rvmsi_stage stage;
	/* SW_MSI window; 0 = default: base RVMSI_SW_MSI_BASE, size the larger
	 * of 1 MiB and one page per S file rounded up to a power of two. */
	uint64_t sw_msi_base, sw_msi_size;
};

struct rvmsi_regions {
	struct rvmsi_region *r; /* sorted by start; what get_resv_regions
	                         * returns, before Linux merges them */
	size_t n;
	bool reduced_isolation;         /* guest files (or non-IMSIC padding) are
	                                 * exposed: only RVMSI_POLICY_GROUP sets it */
	uint64_t msi_mask, msi_pattern; /* second stage: DC values (else 0) */
};

/**
 * rvmsi_regions_compute - the reserved regions of a device behind an IOMMU
 * on platform @p (every S-level IMSIC node counts; M-level nodes never do).
 * @err (may be NULL) receives one line naming the problem.
 * Return: 0, -EINVAL (bad policy or arguments, or a second-stage platform
 *   whose S-level IMSIC nodes do not share one layout), -ENODEV (no S-level
 *   IMSIC), -ERANGE (an IMSIC's files lie outside its reg), -EEXIST (the
 *   SW_MSI window overlaps an identity region), -ENOMEM.
 */
int rvmsi_regions_compute(const struct rvdt_platform *p, const struct rvmsi_policy *pol,
                          struct rvmsi_regions *out, char *err, size_t errlen);
void rvmsi_regions_free(struct rvmsi_regions *rg);

/**
 * rvmsi_regions_merge - what sysfs reserved_regions shows: @in sorted by
 * start, then regions of the same type that overlap or touch are merged
 * (Linux iommu_insert_resv_region); each type merges only with itself.
 * @out must hold @n entries; it may equal @in.  Return: entries written.
 */
size_t rvmsi_regions_merge(const struct rvmsi_region *in, size_t n, struct rvmsi_region *out);

/**
 * rvmsi_regions_ptes - page-table entries needed to identity-map every
 * direct and direct-relaxable region of @r (each region mapped on its own,
 * as iommu_create_device_direct_mappings() does), using the largest of
 * 4 KiB / 2 MiB / 1 GiB that the address and the remaining length allow.
 * MSI and reserved regions count 0.
 */
uint64_t rvmsi_regions_ptes(const struct rvmsi_region *r, size_t n);

/* ------------------------------------------------------------------------ */
/* 2. MSI page-table arithmetic                                              */
/* ------------------------------------------------------------------------ */

/* An interrupt-file layout in the AIA form base | group << group_shift |
 * hart << (guest_bits + 12) | guest << 12. */
struct rvmsi_layout {
	uint64_t base;
	uint32_t guest_bits, hart_bits, group_bits, group_shift;
};

/** rvmsi_layout_from_dt - the layout of an IMSIC node. Return: 0, -EINVAL. */
int rvmsi_layout_from_dt(const struct rvdt_imsic *im, struct rvmsi_layout *l);

/**
 * rvmsi_msi_mask - DC.msi_addr_mask and msi_addr_pattern that catch exactly
 * the guest-0 (S) files of layout @l: mask = the hart and group index bits
 * of PA >> 12, pattern = base >> 12.  For a VM's vIMSIC use guest_bits = 0
 * and base = vbase (CHECKLIST §11.5).
 * Return: 0, -EINVAL (fields overlap, or base has bits inside a field),
 *   -ERANGE (the mask does not fit 52 bits).
 */
int rvmsi_msi_mask(const struct rvmsi_layout *l, uint64_t *mask, uint64_t *pattern);

/* Inverse of rvi_msi_extract(): the GPA page number whose index is @idx. */
uint64_t rvmsi_msi_deposit(uint64_t idx, uint64_t mask, uint64_t pattern);

/** rvmsi_pte_basic - M=3 entry to the page at @pa. Return: 0, -EINVAL
 *   (pa not 4 KiB aligned), -ERANGE (pa beyond 56 bits). */
int rvmsi_pte_basic(uint64_t pa, uint64_t pte[2]);
/** rvmsi_pte_mrif - M=1 entry: MRIF at @mrif (512-byte aligned), notice
 *   MSI to page @notice_pa with data @nid (0..2047).
 *   Return: 0, -EINVAL (alignment, nid), -ERANGE (an address too wide). */
int rvmsi_pte_mrif(uint64_t mrif, uint64_t notice_pa, uint32_t nid, uint64_t pte[2]);

/* Command builders (two doublewords each, host order). */
void rvmsi_cmd_iotinval_gvma(uint16_t gscid, uint64_t gpa, uint64_t cmd[2]);
void rvmsi_cmd_iofence_c(bool pw, uint64_t cmd[2]);

/* ------------------------------------------------------------------------ */
/* 3. The MSI page table                                                     */
/* ------------------------------------------------------------------------ */

/* Memory for the table (what the IOMMU reads).  write64 must be one
 * single-copy-atomic, naturally aligned store of the little-endian value
 * the IOMMU will read; wmb orders earlier stores before later stores and
 * before commands are published.  alloc returns zeroed memory aligned to
 * @align.  rvmsi_mem_rvd_ops adapts the driver core's struct rvd_os_ops
 * (ctx: a struct rvmsi_rvd_mem). */
struct rvmsi_mem_ops {
	int (*alloc)(void *ctx, uint64_t size, uint64_t align, uint64_t *pa);
	void (*free)(void *ctx, uint64_t pa, uint64_t size);
	void (*write64)(void *ctx, uint64_t pa, uint64_t val);
	uint64_t (*read64)(void *ctx, uint64_t pa);
	void (*wmb)(void *ctx);
};

struct rvd_os_ops;
struct rvmsi_rvd_mem {
	const struct rvd_os_ops *ops;
	void *ctx;
};
extern const struct rvmsi_mem_ops rvmsi_mem_rvd_ops;

/* Submit @n commands (each two doublewords) and return once all have
 * completed (the last one is always IOFENCE.C).  Return 0 or a negative
 * errno.  rvmsi_submit_rvd() is one over the driver core's queue; tests
 * also write the commands to the model's queue themselves. */
typedef int (*rvmsi_submit_fn)(void *ctx, const uint64_t (*cmds)[2], unsigned n);

/* An rvmsi_submit_fn over rvd_submit_cmds(); ctx is the struct rvd_iommu.
 * Accepts IOTINVAL.GVMA and IOFENCE.C only (-EINVAL otherwise). */
int rvmsi_submit_rvd(void *ctx, const uint64_t (*cmds)[2], unsigned n);

struct rvmsi_table {
	const struct rvmsi_mem_ops *mem;
	void *mem_ctx;
	rvmsi_submit_fn submit;
	void *submit_ctx;
	uint64_t mask, pattern; /* DC.msi_addr_mask / pattern */
	uint16_t gscid;         /* the DC's iohgatp.GSCID */
	uint64_t pa;            /* table base */
	uint64_t entries;       /* 2^popcount(mask) */
	uint64_t bytes;         /* allocated size */
	uint32_t *refs;         /* per entry (host memory) */
	uint64_t n_submits;     /* command batches sent (for tests) */
};

#define RVMSI_MAX_ENTRIES (UINT64_C(1) << 20) /* 16 MiB of table */

/**
 * rvmsi_table_init - allocate a zeroed table for @mask/@pattern: 4 KiB
 * aligned if <= 256 entries, else naturally aligned (CHECKLIST §2.7).
 * Return: 0, -EINVAL, -ERANGE (more than RVMSI_MAX_ENTRIES), -ENOMEM.
 */
int rvmsi_table_init(struct rvmsi_table *t, const struct rvmsi_mem_ops *mem, void *mem_ctx,
                     rvmsi_submit_fn submit, void *submit_ctx, uint64_t mask, uint64_t pattern,
                     uint16_t gscid);
/* Free the table memory (the DC must no longer point at it). */
void rvmsi_table_destroy(struct rvmsi_table *t);
/* DC.msiptp for this table (MODE = Flat). */
uint64_t rvmsi_table_msiptp(const struct rvmsi_table *t);

/**
 * rvmsi_table_index - the entry a GPA selects.
 * Return: 0, -ENOENT (@gpa does not match the pattern).
 */
int rvmsi_table_index(const struct rvmsi_table *t, uint64_t gpa, uint64_t *idx);

/**
 * rvmsi_table_map - take a reference on the entry for @gpa.  The first
 * reference writes @pte (DW1 first, then DW0, one store each), then
 * invalidates (IOTINVAL.GVMA AV=1 + IOFENCE.C).  A later reference must
 * ask for the same @pte.
 * Return: 0, -ENOENT (no match), -EEXIST (entry live with another pte),
 *   -EINVAL, -EIO.
 */
int rvmsi_table_map(struct rvmsi_table *t, uint64_t gpa, const uint64_t pte[2]);
/**
 * rvmsi_table_unmap - drop a reference; the last one clears V (one store
 * of DW0), then IOTINVAL.GVMA + IOFENCE.C PW=1 so MSIs already translated
 * with the old entry land before this returns.
 * Return: 0, -ENOENT (not mapped), -EIO.
 */
int rvmsi_table_unmap(struct rvmsi_table *t, uint64_t gpa);
/**
 * rvmsi_table_replace - point a live entry at @pte with no window in which
 * an MSI faults: for a basic target one aligned 64-bit store of DW0; for an
 * MRIF target DW1 is written first (DW1 is ignored while DW0 says basic).
 * When both doublewords of a live MRIF entry must change no single store
 * is enough: V is cleared, invalidated, DW1 then DW0 written (returns 1).
 * Always followed by IOTINVAL.GVMA + IOFENCE.C PW=1.  Refcount unchanged.
 * Return: 0 (hitless), 1 (needed the V=0 break), -ENOENT, -EINVAL, -EIO.
 */
int rvmsi_table_replace(struct rvmsi_table *t, uint64_t gpa, const uint64_t pte[2]);
/* Reference count of the entry for @gpa (0 if none or no match). */
uint32_t rvmsi_table_refs(const struct rvmsi_table *t, uint64_t gpa);

/* ------------------------------------------------------------------------ */
/* 4. Affinity and vCPU migration                                            */
/* ------------------------------------------------------------------------ */

/* Reprogram the device's MSI address (MSI-X table write) to @new_addr. */
typedef int (*rvmsi_retarget_fn)(void *ctx, uint64_t new_addr);

/**
 * rvmsi_affinity_change - an IRQ's host MSI address moves from @old_addr
 * (0: none) to @new_addr, both S-file pages caught by @t (identity: the
 * entry maps the page to itself).  Order: map the new entry (reference),
 * retarget the device, then drop the old reference (which clears and
 * fences when it was the last).  @retarget may be NULL.
 * Return: 0, or the first error; on a map error nothing changed.
 */
int rvmsi_affinity_change(struct rvmsi_table *t, uint64_t old_addr, uint64_t new_addr,
                          rvmsi_retarget_fn retarget, void *ctx);

/* Guest-interrupt-file allocator: per hart a bitmap of files 1..guests. */
struct rvmsi_gfiles {
	uint32_t groups, harts, guests; /* as struct rvimsic_config */
	uint64_t *used;                 /* groups * harts words; bit g = guest g */
};

/** Return: 0, -EINVAL (guests not 1..63), -ENOMEM. */
int rvmsi_gfiles_init(struct rvmsi_gfiles *a, uint32_t groups, uint32_t harts, uint32_t guests);
void rvmsi_gfiles_destroy(struct rvmsi_gfiles *a);
/** rvmsi_gfiles_alloc - lowest free guest file of (group, hart).
 *  Return: the guest index 1..guests, -ENOSPC, -EINVAL. */
int rvmsi_gfiles_alloc(struct rvmsi_gfiles *a, uint32_t group, uint32_t hart);
/** Return: 0, -EINVAL (not allocated). */
int rvmsi_gfiles_free(struct rvmsi_gfiles *a, uint32_t group, uint32_t hart, uint32_t guest);

/* One vCPU of a VM with an assigned device: its vIMSIC S-file address
 * (the GPA the device writes) and the host guest file that backs it. */
struct rvmsi_vcpu {
	uint64_t vfile_gpa;
	uint32_t group, hart, guest; /* guest >= 1 once bound */
	bool bound;
};

/**
 * rvmsi_vcpu_bind - allocate a guest file on (group, hart), reset it, map
 * the MSI PTE of @v->vfile_gpa to it (basic mode).
 * Return: 0, -ENOSPC, -EEXIST (already bound), and rvmsi_table_map() codes.
 */
int rvmsi_vcpu_bind(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                    struct rvmsi_vcpu *v, uint32_t group, uint32_t hart);

/**
 * rvmsi_vcpu_migrate - move @v's guest file to a new file on (group, hart),
 * following CHECKLIST §11.6: (1) old file: save eidelivery/eithreshold,
 * eidelivery = 0; (2) new file: eidelivery = 0, eip = 0; (3) replace the
 * MSI PTE atomically, IOTINVAL.GVMA + IOFENCE.C PW=1; (4) read-and-clear
 * the old eip, read eie; (5) OR (CSRS) that eip into the new file, load
 * eie; (6) restore eithreshold then eidelivery; (7) free the old file.
 * *@moved (may be NULL) receives the number of pending IDs moved.
 * Return: 0, -EINVAL (not bound), -ENOSPC (no free file there; nothing
 *   changed), -EIO (IMSIC or command failure).
 */
int rvmsi_vcpu_migrate(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                       struct rvmsi_vcpu *v, uint32_t group, uint32_t hart, unsigned *moved);

/* ------------------------------------------------------------------------ */
/* 4b. Moving a vCPU's interrupt file to an MRIF and back (CHECKLIST §11.5)  */
/* ------------------------------------------------------------------------ */

/* An MRIF (AIA "IOMMU", memory-resident interrupt file): 512 bytes, 512-byte
 * aligned; for word w (IDs 64w..64w+63) the pending doubleword is at
 * + 16 w and the enable doubleword at + 16 w + 8. */
#define RVMSI_MRIF_SIZE 512u
#define RVMSI_MRIF_PENDING(mrif, w) ((mrif) + 16 * (uint64_t)(w))
#define RVMSI_MRIF_ENABLE(mrif, w) ((mrif) + 16 * (uint64_t)(w) + 8)

/* Atomic memory operations on the MRIF, which the IOMMU updates
 * concurrently with AMOOR (caps.AMO_MRIF): or64 = AMOOR.D (result
 * discarded), swap64 = AMOSWAP.D (returns the old value).  Plain stores
 * (zeroing, the enable bits) use the table's rvmsi_mem_ops. */
struct rvmsi_mrif_amo {
	void (*or64)(void *ctx, uint64_t pa, uint64_t val);
	uint64_t (*swap64)(void *ctx, uint64_t pa, uint64_t val);
	void *ctx;
};

/* A vCPU parked in an MRIF: where it is, its notice MSI, and the
 * eidelivery/eithreshold saved from its guest file (restored on the way
 * back).  The caller fills pa, notice_pa and nid; the rest is state. */
struct rvmsi_vcpu_mrif {
	uint64_t pa;        /* the MRIF, RVMSI_MRIF_SIZE aligned */
	uint64_t notice_pa; /* page the notice MSI goes to (e.g. a host S file) */
	uint32_t nid;       /* notice identity, 0..2047 */
	uint64_t eidelivery, eithreshold;
	bool active; /* the vCPU's MSI PTE is in MRIF mode */
};

/**
 * rvmsi_vcpu_to_mrif - move bound vCPU @v from its guest file to the MRIF
 * @mr (CHECKLIST §11.5, atomic case): (1) zero the MRIF pending bits, copy
 * eie into the MRIF enable bits; (2) save eidelivery and eithreshold, set
 * eidelivery = 0; (3) replace the MSI PTE with an MRIF-mode one
 * (rvmsi_table_replace: DW1 first, one store of DW0) + IOTINVAL.GVMA +
 * IOFENCE.C PW=1; (4) read-and-clear the file's eip (atomic per word) and
 * AMOOR it into the MRIF pending bits; (5) free the guest file.  @v is
 * then unbound (guest 0) and @mr->active.  *@moved (may be NULL) receives
 * the number of pending IDs moved.
 * Return: 0, -EINVAL (not bound, @mr active or misaligned, bad nid, no
 *   AMO callbacks), -ERANGE (an address too wide), -EIO (IMSIC or
 *   command failure; before step 3 nothing changed).
 */
int rvmsi_vcpu_to_mrif(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                       struct rvmsi_vcpu *v, struct rvmsi_vcpu_mrif *mr,
                       const struct rvmsi_mrif_amo *amo, unsigned *moved);

/**
 * rvmsi_vcpu_from_mrif - the reverse move, into a new guest file on
 * (group, hart): (1) allocate it, eidelivery = 0, eip = 0; (2) replace
 * the MSI PTE with a basic one to it + IOTINVAL.GVMA + IOFENCE.C PW=1;
 * (3) swap 0 into each MRIF pending doubleword and CSRS the result into
 * eip, copy the MRIF enable bits into eie; (4) restore eithreshold, then
 * eidelivery.  @v is bound again and @mr no longer active.
 * Return: 0, -EINVAL (@v bound or @mr not active), -ENOSPC (no free file
 *   there; nothing changed), -EIO.
 */
int rvmsi_vcpu_from_mrif(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                         struct rvmsi_vcpu *v, struct rvmsi_vcpu_mrif *mr,
                         const struct rvmsi_mrif_amo *amo, uint32_t group, uint32_t hart,
                         unsigned *moved);

/* ------------------------------------------------------------------------ */
/* 4c. SW_MSI: doorbell IOVAs in a first-stage domain (design 2)            */
/* ------------------------------------------------------------------------ */

struct rvd_domain;

/* The iommu_dma_prepare_msi() equivalent for a first-stage domain: each
 * doorbell page (an IMSIC S file) a device must reach gets one 4 KiB IOVA
 * page of the SW_MSI window, mapped R|W (no exec; RISC-V has no write-only
 * leaf) with rvd_map_pages, shared and reference counted per doorbell
 * page.  The IOVA is chosen by lowest free page of the window. */
struct rvmsi_sw_msi {
	struct rvd_domain *dom;
	uint64_t base, size; /* the window, 4 KiB aligned */
	uint64_t pages;      /* size / 4 KiB */
	uint64_t *doorbell;  /* per window page: doorbell page PA (refs > 0) */
	uint32_t *refs;      /* per window page */
	uint64_t live;       /* pages with refs > 0 */
};

#define RVMSI_SW_MSI_MAX_PAGES (UINT64_C(1) << 20) /* a 4 GiB window */

/**
 * rvmsi_sw_msi_init - an allocator over the window [@base, @base + @size)
 * of first-stage paging domain @dom.
 * Return: 0, -EINVAL (NULL, not a first-stage paging domain, window empty,
 *   unaligned or wrapping), -ERANGE (more than RVMSI_SW_MSI_MAX_PAGES),
 *   -ENOMEM.
 */
int rvmsi_sw_msi_init(struct rvmsi_sw_msi *sw, struct rvd_domain *dom, uint64_t base,
                      uint64_t size);
/**
 * rvmsi_sw_msi_init_regions - the same over the RVMSI_RESV_SW_MSI region of
 * @rg (rvmsi_regions_compute() with RVMSI_STAGE_FIRST).
 * Return: rvmsi_sw_msi_init() codes, -ENOENT (@rg has no SW_MSI region).
 */
int rvmsi_sw_msi_init_regions(struct rvmsi_sw_msi *sw, struct rvd_domain *dom,
                              const struct rvmsi_regions *rg);
/* Unmap every live page (one iotlb_sync) and free the allocator. */
void rvmsi_sw_msi_destroy(struct rvmsi_sw_msi *sw);

/**
 * rvmsi_sw_msi_prepare - the MSI address a device must use for doorbell
 * @doorbell_pa: the IOVA page already backing that doorbell page (one more
 * reference), else the lowest free window page, mapped to it.  *@iova =
 * that page | (@doorbell_pa & 0xfff).
 * Return: 0, -EINVAL (NULL, or @doorbell_pa not a 4-byte aligned address),
 *   -ENOSPC (window full), and rvd_map_pages() codes (nothing changed).
 */
int rvmsi_sw_msi_prepare(struct rvmsi_sw_msi *sw, uint64_t doorbell_pa, uint64_t *iova);
/**
 * rvmsi_sw_msi_release - drop a reference on @doorbell_pa's page; the last
 * one unmaps it and rvd_iotlb_sync()s, so the IOVA faults afterwards.
 * Return: 0, -EINVAL, -ENOENT (not prepared), -EIO (unmap or sync failed;
 *   the page is still accounted as freed).
 */
int rvmsi_sw_msi_release(struct rvmsi_sw_msi *sw, uint64_t doorbell_pa);
/* References held on @doorbell_pa's page (0 when none). */
uint32_t rvmsi_sw_msi_refs(const struct rvmsi_sw_msi *sw, uint64_t doorbell_pa);

/* ------------------------------------------------------------------------ */
/* 5. Isolation                                                              */
/* ------------------------------------------------------------------------ */

/**
 * rvmsi_isolated - whether MSIs are isolated in Linux's sense
 * (IRQ_DOMAIN_FLAG_ISOLATED_MSI: the path validates that the MSI *data*
 * names a vector the device may trigger).  RISC-V IOMMU 1.0 translates MSI
 * addresses only, so this is always false; limiting MSI PTEs to affined
 * harts does not change that.  *@reason (may be NULL) gets a sentence.
 */
bool rvmsi_isolated(uint64_t iommu_capabilities, const char **reason);

#ifdef __cplusplus
}
#endif

#endif /* RVIOMMU_MSI_H */
