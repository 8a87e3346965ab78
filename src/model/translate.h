/* SPDX-License-Identifier: MIT
 *
 * model/translate.h - interfaces between the translation files (ddt.c,
 * pdt.c, msi_xlate.c, translate.c) beyond those in model_internal.h.
 *
 * Implements nothing itself; see each declaration's file.
 */
#ifndef RVIOMMU_MODEL_TRANSLATE_H
#define RVIOMMU_MODEL_TRANSLATE_H

#include "model/model_internal.h"
#include "model/pt_walk.h"

/* Fill the derived fields of c from c->dc (and c->pc when c->has_pc), for
 * the key (device_id, pid_valid, process_id) already set in c (ddt.c). */
void rvm_ctx_derive(const struct rvm *m, struct rvm_ctx *c);

/* §2.4 GET_PC for process_id under the DC in c (pdt.c).  Every PDT address
 * is translated by the G-stage when c->gv.  Returns 0 or a cause (265, 266,
 * 267, 269, or a guest-page fault 20/21/23 with *iotval2 set). */
int rvm_pdt_get_pc(const struct rvm_walk_req *w, uint32_t process_id, uint64_t pc[2],
                   uint64_t *iotval2);

/* §2.7 / AIA: the outcome of MSI translation of a GPA (msi_xlate.c). */
enum rvm_msi_kind {
	RVM_MSI_NO_MATCH = 0, /* continue with the G-stage */
	RVM_MSI_BASIC,        /* translated: pa is the SPA */
	RVM_MSI_MRIF,         /* MRIF-mode PTE */
};
struct rvm_msi_res {
	enum rvm_msi_kind kind;
	uint64_t pa; /* basic: SPA of gpa; MRIF: MRIF address */
	uint64_t notice_pa;
	uint32_t nid;
};

/* True when gpa's page matches the DC's MSI address pattern. */
static inline bool rvm_msi_match(const struct rvm_ctx *c, uint64_t gpa)
{
	return c->msi_flat && (((gpa >> 12) ^ c->msi_pattern) & ~c->msi_mask) == 0;
}

/* Look up the MSI PTE of gpa (which matches).  Returns 0 or 261/262/263/270,
 * or 1 (instruction access fault) for a read-for-execute. */
int rvm_msi_translate(const struct rvm_walk_req *w, uint64_t gpa, struct rvm_msi_res *out);

/* AIA MRIF write: set pending bit 'data' and send the notice.  Returns 0,
 * 264 or 271; *discarded tells whether the write was accepted and dropped,
 * and *unsupported whether it must be aborted (not a 4-byte aligned write). */
int rvm_mrif_write(const struct rvm_walk_req *w, const struct rvm_msi_res *mr, uint64_t gpa,
                   const struct rvm_req *rq, bool *discarded, bool *unsupported);

/* The debug interface's translation (§5.24-5.26): an Untranslated request
 * whose MRIF-mode hit is cause 260.  Caller holds m->lock. */
int rvm_translate_dbg(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs);

#endif /* RVIOMMU_MODEL_TRANSLATE_H */
