/* SPDX-License-Identifier: MIT
 *
 * model/pt_walk.h - the one page-table walker, for the first stage and the
 * G-stage, with A/D updates (pt_walk.c).
 *
 * A walk is described by a struct rvm_walk_req (who asks, for what) and
 * yields a struct rvm_walk_res (the leaf, reduced to what the caller needs)
 * or a fault cause.  Causes are always those of the ORIGINAL access type
 * (§2.5, §3 "Permission and privilege rules"); iotval2 is filled for
 * guest-page faults as §4.2 requires.
 *
 * Implements RISC-V IOMMU 1.0 §2.3 steps 17 and 19, §2.5 (Svpbmt, Svnapot,
 * Svrsw60t59b), §2.6 (A/D updates), with the [Priv] two-stage algorithm.
 * Caller holds m->lock (walks fill the page-walk and G-stage caches).
 */
#ifndef RVIOMMU_MODEL_PT_WALK_H
#define RVIOMMU_MODEL_PT_WALK_H

#include "model/model_internal.h"

/* The paging schemes, described once: pt_fmt.c builds rvm_pt_fmts[] from
 * these rows and pt_walk.c a compile-time copy, so that one walker is
 * instantiated per scheme with every level count, shift and PTE size a
 * constant (STYLE §2).  Columns: id, then struct rvm_pt_fmt in order
 * (name, levels, pte_size, va_bits, root_extra_lg2, vpn_bits, gstage). */
#define RVM_PT_FMT_ROWS(X)                                                                         \
	X(RVM_PT_BARE, "bare", 0, 0, 64, 0, 0, false)                                              \
	X(RVM_PT_SV32, "sv32", 2, 4, 32, 0, 10, false)                                             \
	X(RVM_PT_SV39, "sv39", 3, 8, 39, 0, 9, false)                                              \
	X(RVM_PT_SV48, "sv48", 4, 8, 48, 0, 9, false)                                              \
	X(RVM_PT_SV57, "sv57", 5, 8, 57, 0, 9, false)                                              \
	X(RVM_PT_SV32X4, "sv32x4", 2, 4, 34, 2, 10, true)                                          \
	X(RVM_PT_SV39X4, "sv39x4", 3, 8, 41, 2, 9, true)                                           \
	X(RVM_PT_SV48X4, "sv48x4", 4, 8, 50, 2, 9, true)                                           \
	X(RVM_PT_SV57X4, "sv57x4", 5, 8, 59, 2, 9, true)
#define RVM_PT_FMT_INIT_(id, ...) [id] = {__VA_ARGS__},

struct rvm_walk_req {
	struct rvm *m;
	const struct rvm_ctx *c;
	const struct rvm_hpm_ids *ids; /* for the walk HPM events */
	enum rvm_access acc;           /* original access type: selects causes */
	uint8_t want;                  /* RVM_PERM_* the leaf must grant */
	bool ats;                      /* deny by granting a subset, not by faulting */
	bool priv;                     /* S-mode request (first stage only) */
	bool no_pwc;                   /* internal: walk from the root */
};

struct rvm_walk_res {
	uint64_t pa;      /* output address of the input address */
	uint8_t size_lg2; /* leaf size: 12, 16 (NAPOT), 21, 22, 30, 39, 48 */
	uint8_t perm;     /* the leaf's R/W/X as RVM_PERM_* */
	uint8_t allowed;  /* perm after the privilege rules for this request */
	uint8_t pbmt;     /* the leaf's PBMT */
	bool u, g;
	bool dirty; /* D is set: a write needs no update */
};

/* First stage (VS/S) walk of iova for c->s1_fmt rooted at c->s1_root.  The
 * root and every non-leaf PTE address go through the G-stage when c->gv.
 * Returns 0 or a cause; *iotval2 is set for guest-page faults. */
int rvm_walk_s1(const struct rvm_walk_req *w, uint64_t iova, struct rvm_walk_res *r,
                uint64_t *iotval2);

/* G-stage walk of the final GPA for the original access. */
int rvm_walk_g(const struct rvm_walk_req *w, uint64_t gpa, struct rvm_walk_res *r,
               uint64_t *iotval2);

/* An implicit G-stage access for a first-stage PTE or a PDT entry: GPA to
 * SPA as a load (write=false) or an A/D store (write=true).  Guest-page
 * faults carry iotval2 bit 0 = 1 and bit 1 = write (§4.2).  A G-stage
 * access fault returns the original type's access-fault cause (1/5/7), and
 * corrupted G-stage PTE data 274; PDT callers remap those (§2.4). */
int rvm_walk_g_implicit(const struct rvm_walk_req *w, uint64_t gpa, bool write, uint64_t *spa,
                        uint64_t *iotval2);

/* rvm_mem_read_pt() (mem.c), inline so that a walker instance reads a PTE
 * with its size a constant and no call unless the host has no direct page:
 * through the host's mem_page op (model.h) the PTE is one load.  A PTE
 * never crosses a page (it is naturally aligned), and for an aligned
 * 4/8-byte access "beyond PAS" is just pa & ~pa_mask.  The load is atomic
 * because other agents may update the PTE concurrently; relaxed suffices,
 * since the walker orders nothing else against it.  Byte order as mem.c
 * (this host is little-endian).  Saves ~30 instructions per PTE against
 * the out-of-line call. */
int rvm_mem_read_pt_slow_(struct rvm *m, uint64_t pa, unsigned size, bool be, uint64_t *v,
                          const struct rvm_mem_attr *a);
static inline int rvm_mem_read_pt_inline_(struct rvm *m, uint64_t pa, unsigned size, bool be,
                                          uint64_t *v, const struct rvm_mem_attr *a)
{
	if (m->mem_page && !(pa & (size - 1)) && !(pa & ~m->pa_mask)) {
		const uint8_t *pg = m->mem_page(m->ctx, pa, a);
		if (pg) {
			const uint8_t *at = pg + (pa & (RVI_PAGE_SIZE - 1));
			if (size == 8) {
				uint64_t raw =
				    __atomic_load_n((const uint64_t *)at, __ATOMIC_RELAXED);
				*v = be ? __builtin_bswap64(raw) : raw;
			} else {
				uint32_t raw =
				    __atomic_load_n((const uint32_t *)at, __ATOMIC_RELAXED);
				*v = be ? __builtin_bswap32(raw) : raw;
			}
			return RVM_MEM_OK;
		}
	}
	return rvm_mem_read_pt_slow_(m, pa, size, be, v, a);
}

/* Causes of the original access type. */
static inline uint16_t rvm_cause_page(enum rvm_access a)
{
	return a == RVM_ACC_EXEC    ? RVI_CAUSE_INSN_PAGE
	       : a == RVM_ACC_WRITE ? RVI_CAUSE_WR_PAGE
	                            : RVI_CAUSE_RD_PAGE;
}
static inline uint16_t rvm_cause_guest_page(enum rvm_access a)
{
	return a == RVM_ACC_EXEC    ? RVI_CAUSE_INSN_GUEST_PAGE
	       : a == RVM_ACC_WRITE ? RVI_CAUSE_WR_GUEST_PAGE
	                            : RVI_CAUSE_RD_GUEST_PAGE;
}
static inline uint16_t rvm_cause_access(enum rvm_access a)
{
	return a == RVM_ACC_EXEC    ? RVI_CAUSE_INSN_ACCESS
	       : a == RVM_ACC_WRITE ? RVI_CAUSE_WR_ACCESS
	                            : RVI_CAUSE_RD_ACCESS;
}

#endif /* RVIOMMU_MODEL_PT_WALK_H */
