/* SPDX-License-Identifier: MIT
 *
 * model/cache.h - the model's address-translation caches (IOATC).
 *
 * Three caches, all optional (a size of 0 disables one):
 *   - the context cache: decoded DC (+PC) per (device_id, process_id),
 *     the spec's DDT and PDT caches combined (§2.3 caching rules);
 *   - the IOTLB: leaf translations, tagged by (GV, GSCID, PSCV, PSCID) and
 *     holding superpage entries;
 *   - the page-walk cache: non-leaf first-stage and G-stage entries, which is
 *     what the NLINV extension's NL=1 reaches.
 *
 * Rules every implementation of this interface keeps:
 *   (1) Lookups run without m->lock inside a seqcount read section; they
 *       return pointers into fixed arrays (never freed while the model
 *       lives), and the caller validates the section before using results.
 *   (2) Inserts and invalidations run with m->lock held and inside
 *       rvm_seq_write_begin()/rvm_seq_write_end().
 *   (3) No entry survives the invalidation that §4.1 says removes it.
 *       Over-invalidation is allowed (§4.1.1) and is used where a precise
 *       removal would need a scan.
 *   (4) Invalidation cost does not grow with the number of cached entries
 *       for the common forms (per-address and per-address-space).
 */
#ifndef RVIOMMU_MODEL_CACHE_H
#define RVIOMMU_MODEL_CACHE_H

#include <stdbool.h>
#include <stdint.h>

struct rvm;
struct rvm_ctx;
struct rvm_config;

/* The address-space tag of a translation. */
struct rvm_tlb_tag {
	uint32_t pscid;
	uint16_t gscid;
	bool pscv; /* first stage active: PSCID is part of the tag */
	bool gv;   /* G-stage active: GSCID is part of the tag */
};

/* One cached leaf translation (both stages combined). */
struct rvm_tlb_entry {
	uint64_t iova_base;  /* naturally aligned to 1 << size_lg2 */
	uint64_t pa_base;    /* SPA of iova_base */
	uint64_t gpa_base;   /* GPA of iova_base when both stages are active */
	uint8_t size_lg2;    /* 12, 16 (NAPOT), 21, 22 (Sv32), 30, 39, 48 */
	uint8_t perm;        /* RVM_PERM_* of the combined leaf */
	uint8_t pbmt;        /* resolved */
	bool u;              /* first-stage U */
	bool g;              /* first-stage G (global) */
	bool dirty;          /* a write needs no A/D update in either stage */
	bool is_msi;         /* from the MSI page table (basic mode) */
};

/* One cached non-leaf entry for the page-walk cache. */
struct rvm_pwc_entry {
	uint64_t va_base;    /* input address of the table's span */
	uint8_t level;       /* level of the table this entry points to */
	bool gstage;         /* a G-stage (GPA) walk entry */
	uint64_t table_pa;   /* SPA of the next-level table */
};

/* ---- lifecycle ---- */
int rvm_caches_init(struct rvm *m);     /* sizes come from m->cfg; RVM_ENOMEM */
void rvm_caches_destroy(struct rvm *m);
void rvm_caches_flush_all(struct rvm *m); /* caller holds lock */

/* ---- context cache (ctx_cache.c) ---- */
const struct rvm_ctx *rvm_ctx_lookup(struct rvm *m, uint32_t device_id, bool pid_valid,
				     uint32_t process_id);
void rvm_ctx_insert(struct rvm *m, const struct rvm_ctx *c);
/* IODIR.INVAL_DDT: dv=0 drops every DC and PC; dv=1 the DC and PCs of did. */
void rvm_ctx_inval_ddt(struct rvm *m, bool dv, uint32_t device_id);
/* IODIR.INVAL_PDT: the PC of (did, pid). */
void rvm_ctx_inval_pdt(struct rvm *m, uint32_t device_id, uint32_t process_id);

/* ---- IOTLB (iotlb.c) ---- */
const struct rvm_tlb_entry *rvm_iotlb_lookup(struct rvm *m, const struct rvm_tlb_tag *t,
					     uint64_t iova);
void rvm_iotlb_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_tlb_entry *e);

/* IOTINVAL.VMA (§4.1.1 table).  range_lg2 is 12 for a single page, larger
 * for ARINV ranges, 64 for "everything"; addr is ignored when !av. */
void rvm_iotlb_inval_vma(struct rvm *m, bool gv, uint16_t gscid, bool pscv, uint32_t pscid,
			 bool av, uint64_t addr, unsigned range_lg2, bool nl);
/* IOTINVAL.GVMA: G-stage leaf entries (and MSI PTEs) for GPA addr in gscid;
 * combined entries whose GPA matches are dropped too. */
void rvm_iotlb_inval_gvma(struct rvm *m, bool gv, uint16_t gscid, bool av, uint64_t addr,
			  unsigned range_lg2, bool nl);

/* ---- G-stage leaf cache (GPA -> SPA for implicit accesses) ---- */
const struct rvm_tlb_entry *rvm_gtlb_lookup(struct rvm *m, uint16_t gscid, uint64_t gpa);
void rvm_gtlb_insert(struct rvm *m, uint16_t gscid, const struct rvm_tlb_entry *e);

/* ---- page-walk cache ---- */
const struct rvm_pwc_entry *rvm_pwc_lookup(struct rvm *m, const struct rvm_tlb_tag *t,
					   bool gstage, uint64_t va, uint8_t level);
void rvm_pwc_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_pwc_entry *e);

/* The cache state itself; defined by iotlb.c/ctx_cache.c's owner below. */
#include "cache_impl.h"

#endif /* RVIOMMU_MODEL_CACHE_H */
