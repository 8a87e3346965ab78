/* SPDX-License-Identifier: MIT
 *
 * msi/table.c - a flat MSI page table (RISC-V IOMMU 1.0 §3.1.3.5, AIA 1.0
 * "IOMMU" MSI page tables) kept in caller memory, with reference-counted
 * entries and the update rules of CHECKLIST §9.2, plus the affinity-change
 * sequence of design 3 (docs/msi-design.md).
 *
 * Update rules (the IOMMU may read an entry at any moment, a doubleword at
 * a time, in any order, and may cache a valid entry until IOTINVAL.GVMA):
 *   map      (V 0 -> 1)  DW1, wmb, DW0 (one store), wmb, IOTINVAL.GVMA AV=1
 *                        + IOFENCE.C.  The invalidation is not needed by
 *                        the spec (invalid entries are never cached); it is
 *                        issued for emulated IOMMUs that ask for it, at the
 *                        cost of one command pair per first reference.
 *   unmap    (V 1 -> 0)  DW0 = 0 (one store), wmb, IOTINVAL.GVMA AV=1 +
 *                        IOFENCE.C PW=1 (MSIs translated with the old entry
 *                        are flushed before we return), then DW1 = 0.
 *   replace  (V 1 -> 1)  hitless when one store of DW0 suffices: DW1 (if it
 *                        changes) is written first only while DW0 says basic
 *                        mode or DW1 is unchanged, because the IOMMU ignores
 *                        DW1 in basic mode.  MRIF -> MRIF with a new DW1 needs
 *                        V = 0, invalidate + fence, DW1, DW0 (returns 1).
 *                        Always followed by IOTINVAL.GVMA + IOFENCE.C PW=1.
 *
 * Invariants:
 *   (1) refs[i] > 0 exactly when entry i has V = 1;
 *   (2) every live DW0 store is a single naturally aligned 64-bit store
 *       (mem->write64), preceded by wmb() when it publishes other stores;
 *   (3) every change is invalidated for GPA deposit(i) under t->gscid and
 *       fenced before the function returns success.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rviommu/msi.h"
#include "rviommu/spec.h"

static uint64_t entry_pa_(const struct rvmsi_table *t, uint64_t idx)
{
	return t->pa | (idx * RVI_MSIPTE_SIZE);
}

static int inval_(struct rvmsi_table *t, uint64_t idx, bool pw)
{
	uint64_t cmds[2][2];

	rvmsi_cmd_iotinval_gvma(t->gscid, rvmsi_msi_deposit(idx, t->mask, t->pattern) << 12,
	                        cmds[0]);
	rvmsi_cmd_iofence_c(pw, cmds[1]);
	t->n_submits++;
	return t->submit(t->submit_ctx, (const uint64_t(*)[2])cmds, 2) ? -EIO : 0;
}

static void wmb_(struct rvmsi_table *t)
{
	if (t->mem->wmb)
		t->mem->wmb(t->mem_ctx);
}

int rvmsi_table_init(struct rvmsi_table *t, const struct rvmsi_mem_ops *mem, void *mem_ctx,
                     rvmsi_submit_fn submit, void *submit_ctx, uint64_t mask, uint64_t pattern,
                     uint16_t gscid)
{
	uint64_t entries, bytes;

	if (!t || !mem || !mem->alloc || !mem->write64 || !mem->read64 || !submit ||
	    (mask & ~RVI_MSI_ADDR_MASK_MASK) || (pattern & ~RVI_MSI_ADDR_MASK_MASK))
		return -EINVAL;
	if (__builtin_popcountll(mask) > 20)
		return -ERANGE;
	entries = UINT64_C(1) << __builtin_popcountll(mask);
	if (entries > RVMSI_MAX_ENTRIES)
		return -ERANGE;
	/* 4 KiB aligned up to 256 entries, else naturally aligned (§2.7) */
	bytes = entries * RVI_MSIPTE_SIZE;
	if (bytes < RVI_PAGE_SIZE)
		bytes = RVI_PAGE_SIZE;
	memset(t, 0, sizeof(*t));
	t->refs = calloc(entries, sizeof(*t->refs));
	if (!t->refs)
		return -ENOMEM;
	if (mem->alloc(mem_ctx, bytes, bytes, &t->pa) || (t->pa & (bytes - 1))) {
		free(t->refs);
		t->refs = NULL;
		return -ENOMEM;
	}
	t->mem = mem;
	t->mem_ctx = mem_ctx;
	t->submit = submit;
	t->submit_ctx = submit_ctx;
	t->mask = mask;
	t->pattern = pattern & ~mask;
	t->gscid = gscid;
	t->entries = entries;
	t->bytes = bytes;
	return 0;
}

void rvmsi_table_destroy(struct rvmsi_table *t)
{
	if (!t || !t->refs)
		return;
	if (t->mem->free)
		t->mem->free(t->mem_ctx, t->pa, t->bytes);
	free(t->refs);
	memset(t, 0, sizeof(*t));
}

uint64_t rvmsi_table_msiptp(const struct rvmsi_table *t)
{
	return RVI_FIELD_PREP(RVI_MSIPTP_MODE, RVI_MSIPTP_FLAT) |
	       RVI_FIELD_PREP(RVI_MSIPTP_PPN, t->pa >> 12);
}

int rvmsi_table_index(const struct rvmsi_table *t, uint64_t gpa, uint64_t *idx)
{
	uint64_t pfn = gpa >> 12;

	if (!t || !t->refs || !idx)
		return -EINVAL;
	if ((pfn & ~t->mask) != t->pattern)
		return -ENOENT;
	*idx = rvi_msi_extract(pfn, t->mask);
	return 0;
}

static bool pte_ok_(const uint64_t pte[2])
{
	unsigned m;

	if (!pte || !(pte[0] & RVI_MSIPTE_V) || (pte[0] & RVI_MSIPTE_C))
		return false;
	m = (unsigned)RVI_FIELD_GET(RVI_MSIPTE_M, pte[0]);
	if (m == RVI_MSIPTE_M_BASIC)
		return !(pte[0] & RVI_MSIPTE_BASIC_RESERVED);
	if (m == RVI_MSIPTE_M_MRIF)
		return !(pte[0] & RVI_MSIPTE_MRIF_RESERVED0) &&
		       !(pte[1] & RVI_MSIPTE_MRIF_RESERVED1);
	return false;
}

static bool is_mrif_(uint64_t dw0)
{
	return RVI_FIELD_GET(RVI_MSIPTE_M, dw0) == RVI_MSIPTE_M_MRIF;
}

int rvmsi_table_map(struct rvmsi_table *t, uint64_t gpa, const uint64_t pte[2])
{
	uint64_t idx, pa;
	int rc;

	if (!pte_ok_(pte))
		return -EINVAL;
	rc = rvmsi_table_index(t, gpa, &idx);
	if (rc)
		return rc;
	pa = entry_pa_(t, idx);
	if (t->refs[idx]) {
		uint64_t dw0 = t->mem->read64(t->mem_ctx, pa);
		uint64_t dw1 = t->mem->read64(t->mem_ctx, pa + 8);
		if (dw0 != pte[0] || (is_mrif_(dw0) && dw1 != pte[1]))
			return -EEXIST;
		if (t->refs[idx] == UINT32_MAX)
			return -ENOSPC;
		t->refs[idx]++;
		return 0;
	}
	t->mem->write64(t->mem_ctx, pa + 8, pte[1]);
	wmb_(t); /* DW1 visible before the IOMMU can see V = 1 */
	t->mem->write64(t->mem_ctx, pa, pte[0]);
	wmb_(t); /* the entry visible before the invalidation is queued */
	if (inval_(t, idx, false)) {
		t->mem->write64(t->mem_ctx, pa, 0);
		wmb_(t);
		return -EIO;
	}
	t->refs[idx] = 1;
	return 0;
}

int rvmsi_table_unmap(struct rvmsi_table *t, uint64_t gpa)
{
	uint64_t idx, pa;
	int rc = rvmsi_table_index(t, gpa, &idx);

	if (rc)
		return rc;
	if (!t->refs[idx])
		return -ENOENT;
	if (--t->refs[idx])
		return 0;
	pa = entry_pa_(t, idx);
	t->mem->write64(t->mem_ctx, pa, 0); /* V = 0 in one store */
	wmb_(t);                            /* before the invalidation */
	rc = inval_(t, idx, true);
	t->mem->write64(t->mem_ctx, pa + 8, 0); /* ignored while V = 0 */
	return rc;
}

int rvmsi_table_replace(struct rvmsi_table *t, uint64_t gpa, const uint64_t pte[2])
{
	uint64_t idx, pa, old0, old1;
	int rc, broke = 0;

	if (!pte_ok_(pte))
		return -EINVAL;
	rc = rvmsi_table_index(t, gpa, &idx);
	if (rc)
		return rc;
	if (!t->refs[idx])
		return -ENOENT;
	pa = entry_pa_(t, idx);
	old0 = t->mem->read64(t->mem_ctx, pa);
	old1 = t->mem->read64(t->mem_ctx, pa + 8);
	if (is_mrif_(pte[0]) && old1 != pte[1]) {
		if (is_mrif_(old0)) {
			/* both doublewords are in use: no single store works */
			t->mem->write64(t->mem_ctx, pa, 0);
			wmb_(t);
			if (inval_(t, idx, true))
				return -EIO;
			broke = 1;
		}
		t->mem->write64(t->mem_ctx, pa + 8, pte[1]);
		wmb_(t); /* DW1 before the DW0 that makes it meaningful */
	}
	t->mem->write64(t->mem_ctx, pa, pte[0]); /* the single atomic switch */
	wmb_(t);
	if (inval_(t, idx, true))
		return -EIO;
	if (!is_mrif_(pte[0]) && old1 != pte[1])
		t->mem->write64(t->mem_ctx, pa + 8, pte[1]); /* ignored in basic mode */
	return broke;
}

uint32_t rvmsi_table_refs(const struct rvmsi_table *t, uint64_t gpa)
{
	uint64_t idx;

	if (rvmsi_table_index(t, gpa, &idx))
		return 0;
	return t->refs[idx];
}

int rvmsi_affinity_change(struct rvmsi_table *t, uint64_t old_addr, uint64_t new_addr,
                          rvmsi_retarget_fn retarget, void *ctx)
{
	uint64_t pte[2];
	int rc;

	if (!t)
		return -EINVAL;
	if (new_addr) {
		rc = rvmsi_pte_basic(new_addr & ~(RVI_PAGE_SIZE - 1), pte);
		if (!rc)
			rc = rvmsi_table_map(t, new_addr, pte); /* 1. new entry first */
		if (rc)
			return rc;
	}
	if (retarget) {
		rc = retarget(ctx, new_addr); /* 2. the device now targets it */
		if (rc) {
			if (new_addr)
				rvmsi_table_unmap(t, new_addr);
			return rc;
		}
	}
	if (old_addr)
		return rvmsi_table_unmap(t, old_addr); /* 3. then drop the old */
	return 0;
}
