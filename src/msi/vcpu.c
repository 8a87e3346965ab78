/* SPDX-License-Identifier: MIT
 *
 * msi/vcpu.c - guest interrupt files for VMs with assigned devices
 * (design 4, docs/msi-design.md): a per-hart allocator of guest files, and
 * the migration of a vCPU's guest file to another hart with the device's
 * MSI PTE replaced atomically.
 *
 * The guest sees its vIMSIC S file at a GPA (vbase | vhart << 12); the MSI
 * PTE that GPA selects points at a host guest interrupt file (an HPA).
 * Migration follows AIA "VS-level" / CHECKLIST §11.6 with the IMSIC model's
 * indirect-register API (the operations a hypervisor does with vsiselect/
 * vsireg after hstatus.VGEIN selects the file):
 *   1 old: save eidelivery, eithreshold; eidelivery = 0
 *   2 new: eidelivery = 0; eip = 0
 *   3 replace the MSI PTE (one store of DW0), IOTINVAL.GVMA + IOFENCE.C
 *     PW=1: no MSI translated with the old PTE is still in flight after it
 *   4 old: eip read-and-cleared word by word (atomic per word), eie read
 *   5 new: eip |= old eip (CSRS, atomic per word, so MSIs that already
 *     reach the new file are kept), eie = old eie
 *   6 new: eithreshold, then eidelivery
 *   7 free the old file
 * Every identity pending before the migration, or sent during it, ends up
 * pending in exactly one file: the new one (the concurrency test counts it).
 *
 * A vCPU may also be parked in an MRIF (rvmsi_vcpu_to_mrif / _from_mrif,
 * CHECKLIST §11.5): the same shape with the MRIF in place of one file, the
 * pending bits moved with AMOOR / AMOSWAP because the IOMMU updates the
 * MRIF with AMOOR concurrently.
 *
 * Invariants:
 *   (1) a guest file is owned by at most one vCPU (allocator bit set);
 *   (2) guest 0 (the S file) is never handed out;
 *   (3) a failed migration before step 3 changes nothing;
 *   (4) a vCPU is in exactly one place: bound to a guest file, or (unbound)
 *       in an active MRIF; pending bits are collected from the old place
 *       only after the PTE switch was fenced with PW=1.
 */
#include <errno.h>
#include <stdlib.h>

#include "rviommu/imsic.h"
#include "rviommu/msi.h"

/* ------------------------------------------------------------------------ */
/* Allocator                                                                 */
/* ------------------------------------------------------------------------ */
int rvmsi_gfiles_init(struct rvmsi_gfiles *a, uint32_t groups, uint32_t harts, uint32_t guests)
{
	if (!a || !groups || !harts || !guests || guests > RVIMSIC_MAX_GUESTS ||
	    (uint64_t)groups * harts > (UINT64_C(1) << 22))
		return -EINVAL;
	a->used = calloc((size_t)groups * harts, sizeof(*a->used));
	if (!a->used)
		return -ENOMEM;
	a->groups = groups;
	a->harts = harts;
	a->guests = guests;
	return 0;
}

void rvmsi_gfiles_destroy(struct rvmsi_gfiles *a)
{
	if (!a)
		return;
	free(a->used);
	a->used = NULL;
}

static uint64_t *word_(struct rvmsi_gfiles *a, uint32_t group, uint32_t hart)
{
	if (!a || !a->used || group >= a->groups || hart >= a->harts)
		return NULL;
	return &a->used[(size_t)group * a->harts + hart];
}

int rvmsi_gfiles_alloc(struct rvmsi_gfiles *a, uint32_t group, uint32_t hart)
{
	uint64_t *w = word_(a, group, hart);

	if (!w)
		return -EINVAL;
	for (uint32_t g = 1; g <= a->guests; g++)
		if (!(*w >> g & 1)) {
			*w |= UINT64_C(1) << g;
			return (int)g;
		}
	return -ENOSPC;
}

int rvmsi_gfiles_free(struct rvmsi_gfiles *a, uint32_t group, uint32_t hart, uint32_t guest)
{
	uint64_t *w = word_(a, group, hart);

	if (!w || !guest || guest > a->guests || !(*w >> guest & 1))
		return -EINVAL;
	*w &= ~(UINT64_C(1) << guest);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Binding and migration                                                     */
/* ------------------------------------------------------------------------ */
#define EIP(w) (RVIMSIC_ISEL_EIP0 + 2 * (w)) /* XLEN = 64: even registers */
#define EIE(w) (RVIMSIC_ISEL_EIE0 + 2 * (w))

static int reset_file_(struct rvimsic *im, struct rvimsic_file_id f)
{
	int rc = rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_OFF);

	rc = rc ? rc : rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EITHRESHOLD, 0);
	for (unsigned w = 0; !rc && w < RVIMSIC_WORDS; w++) {
		rc = rvimsic_ireg_write(im, f, EIP(w), 0);
		rc = rc ? rc : rvimsic_ireg_write(im, f, EIE(w), 0);
	}
	return rc ? -EIO : 0;
}

int rvmsi_vcpu_bind(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                    struct rvmsi_vcpu *v, uint32_t group, uint32_t hart)
{
	struct rvimsic_file_id f = {group, hart, 0};
	uint64_t pa, pte[2];
	int g, rc;

	if (!t || !a || !im || !v)
		return -EINVAL;
	if (v->bound)
		return -EEXIST;
	g = rvmsi_gfiles_alloc(a, group, hart);
	if (g < 0)
		return g;
	f.guest = (uint32_t)g;
	rc = rvimsic_file_addr(im, f, &pa) ? -EINVAL : reset_file_(im, f);
	rc = rc ? rc : rvmsi_pte_basic(pa, pte);
	rc = rc ? rc : rvmsi_table_map(t, v->vfile_gpa, pte);
	if (rc) {
		rvmsi_gfiles_free(a, group, hart, f.guest);
		return rc;
	}
	v->group = group;
	v->hart = hart;
	v->guest = f.guest;
	v->bound = true;
	return 0;
}

int rvmsi_vcpu_migrate(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                       struct rvmsi_vcpu *v, uint32_t group, uint32_t hart, unsigned *moved)
{
	struct rvimsic_file_id old, nf;
	uint64_t deliv, thresh, pa, pte[2];
	unsigned n = 0;
	int g, rc;

	if (moved)
		*moved = 0;
	if (!t || !a || !im || !v || !v->bound)
		return -EINVAL;
	old = (struct rvimsic_file_id){v->group, v->hart, v->guest};
	g = rvmsi_gfiles_alloc(a, group, hart);
	if (g < 0)
		return g;
	nf = (struct rvimsic_file_id){group, hart, (uint32_t)g};
	if (rvimsic_file_addr(im, nf, &pa) || rvmsi_pte_basic(pa, pte) ||
	    rvimsic_ireg_read(im, old, RVIMSIC_ISEL_EIDELIVERY, &deliv) ||
	    rvimsic_ireg_read(im, old, RVIMSIC_ISEL_EITHRESHOLD, &thresh)) {
		rvmsi_gfiles_free(a, group, hart, nf.guest);
		return -EIO;
	}
	/* 1. old file stops signalling (it keeps collecting pending bits) */
	rc = rvimsic_ireg_write(im, old, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_OFF);
	/* 2. new file quiet and empty */
	rc = rc ? rc : reset_file_(im, nf);
	if (rc) {
		rvimsic_ireg_write(im, old, RVIMSIC_ISEL_EIDELIVERY, deliv);
		rvmsi_gfiles_free(a, group, hart, nf.guest);
		return -EIO;
	}
	/* 3. device MSIs now reach the new file; the fence (PW=1) has drained
	 * every write translated with the old entry */
	rc = rvmsi_table_replace(t, v->vfile_gpa, pte);
	if (rc < 0) {
		rvimsic_ireg_write(im, old, RVIMSIC_ISEL_EIDELIVERY, deliv);
		rvmsi_gfiles_free(a, group, hart, nf.guest);
		return rc;
	}
	/* 4 + 5. move pending bits (read-and-clear, then CSRS) and enables */
	for (unsigned w = 0; w < RVIMSIC_WORDS; w++) {
		uint64_t bits = 0, en = 0;
		if (rvimsic_ireg_rmw(im, old, EIP(w), &bits, ~UINT64_C(0), 0) ||
		    rvimsic_ireg_read(im, old, EIE(w), &en) ||
		    (bits && rvimsic_ireg_rmw(im, nf, EIP(w), NULL, bits, bits)) ||
		    rvimsic_ireg_write(im, nf, EIE(w), en))
			return -EIO; /* cannot happen for files that exist */
		n += (unsigned)__builtin_popcountll(bits);
	}
	/* 6. the new file may signal now */
	if (rvimsic_ireg_write(im, nf, RVIMSIC_ISEL_EITHRESHOLD, thresh) ||
	    rvimsic_ireg_write(im, nf, RVIMSIC_ISEL_EIDELIVERY, deliv))
		return -EIO;
	/* 7. */
	rvmsi_gfiles_free(a, old.group, old.hart, old.guest);
	v->group = group;
	v->hart = hart;
	v->guest = nf.guest;
	if (moved)
		*moved = n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Moving a vCPU to an MRIF and back (CHECKLIST §11.5, atomic case)          */
/* ------------------------------------------------------------------------ */
static bool amo_ok_(const struct rvmsi_mrif_amo *amo)
{
	return amo && amo->or64 && amo->swap64;
}

int rvmsi_vcpu_to_mrif(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                       struct rvmsi_vcpu *v, struct rvmsi_vcpu_mrif *mr,
                       const struct rvmsi_mrif_amo *amo, unsigned *moved)
{
	struct rvimsic_file_id f;
	uint64_t deliv, thresh, pte[2];
	unsigned n = 0;
	int rc;

	if (moved)
		*moved = 0;
	if (!t || !a || !im || !v || !v->bound || !mr || mr->active || !amo_ok_(amo) ||
	    (mr->pa & (RVMSI_MRIF_SIZE - 1)))
		return -EINVAL;
	rc = rvmsi_pte_mrif(mr->pa, mr->notice_pa, mr->nid, pte);
	if (rc)
		return rc;
	f = (struct rvimsic_file_id){v->group, v->hart, v->guest};
	/* 1. the MRIF starts empty, with the file's enables (nothing targets it
	 * yet, so plain stores are enough) */
	for (unsigned w = 0; w < RVIMSIC_WORDS; w++) {
		uint64_t en = 0;
		if (rvimsic_ireg_read(im, f, EIE(w), &en))
			return -EIO;
		t->mem->write64(t->mem_ctx, RVMSI_MRIF_PENDING(mr->pa, w), 0);
		t->mem->write64(t->mem_ctx, RVMSI_MRIF_ENABLE(mr->pa, w), en);
	}
	if (t->mem->wmb)
		t->mem->wmb(t->mem_ctx); /* the MRIF before the PTE that names it */
	/* 2. the file stops signalling; it keeps collecting pending bits */
	if (rvimsic_ireg_read(im, f, RVIMSIC_ISEL_EIDELIVERY, &deliv) ||
	    rvimsic_ireg_read(im, f, RVIMSIC_ISEL_EITHRESHOLD, &thresh) ||
	    rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_OFF))
		return -EIO;
	/* 3. MSIs now go to the MRIF; PW=1 drained the ones that used the file */
	rc = rvmsi_table_replace(t, v->vfile_gpa, pte);
	if (rc < 0) {
		rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIDELIVERY, deliv);
		return rc;
	}
	/* 4. everything the file will ever hold: read-and-clear, AMOOR */
	for (unsigned w = 0; w < RVIMSIC_WORDS; w++) {
		uint64_t bits = 0;
		if (rvimsic_ireg_rmw(im, f, EIP(w), &bits, ~UINT64_C(0), 0))
			return -EIO;
		if (bits)
			amo->or64(amo->ctx, RVMSI_MRIF_PENDING(mr->pa, w), bits);
		n += (unsigned)__builtin_popcountll(bits);
	}
	/* 5. */
	rvmsi_gfiles_free(a, f.group, f.hart, f.guest);
	mr->eidelivery = deliv;
	mr->eithreshold = thresh;
	mr->active = true;
	v->guest = 0;
	v->bound = false;
	if (moved)
		*moved = n;
	return 0;
}

int rvmsi_vcpu_from_mrif(struct rvmsi_table *t, struct rvmsi_gfiles *a, struct rvimsic *im,
                         struct rvmsi_vcpu *v, struct rvmsi_vcpu_mrif *mr,
                         const struct rvmsi_mrif_amo *amo, uint32_t group, uint32_t hart,
                         unsigned *moved)
{
	struct rvimsic_file_id nf;
	uint64_t pa, pte[2];
	unsigned n = 0;
	int g, rc;

	if (moved)
		*moved = 0;
	if (!t || !a || !im || !v || v->bound || !mr || !mr->active || !amo_ok_(amo))
		return -EINVAL;
	g = rvmsi_gfiles_alloc(a, group, hart);
	if (g < 0)
		return g;
	nf = (struct rvimsic_file_id){group, hart, (uint32_t)g};
	/* 1. the new file quiet and empty */
	if (rvimsic_file_addr(im, nf, &pa) || rvmsi_pte_basic(pa, pte) || reset_file_(im, nf)) {
		rvmsi_gfiles_free(a, group, hart, nf.guest);
		return -EIO;
	}
	/* 2. MSIs now go to the file; PW=1 drained the MRIF updates */
	rc = rvmsi_table_replace(t, v->vfile_gpa, pte);
	if (rc < 0) {
		rvmsi_gfiles_free(a, group, hart, nf.guest);
		return rc;
	}
	/* 3. everything the MRIF will ever hold: swap out, CSRS; enables */
	for (unsigned w = 0; w < RVIMSIC_WORDS; w++) {
		uint64_t bits = amo->swap64(amo->ctx, RVMSI_MRIF_PENDING(mr->pa, w), 0);
		uint64_t en = t->mem->read64(t->mem_ctx, RVMSI_MRIF_ENABLE(mr->pa, w));
		if ((bits && rvimsic_ireg_rmw(im, nf, EIP(w), NULL, bits, bits)) ||
		    rvimsic_ireg_write(im, nf, EIE(w), en))
			return -EIO;
		n += (unsigned)__builtin_popcountll(bits);
	}
	/* 4. the file may signal now */
	if (rvimsic_ireg_write(im, nf, RVIMSIC_ISEL_EITHRESHOLD, mr->eithreshold) ||
	    rvimsic_ireg_write(im, nf, RVIMSIC_ISEL_EIDELIVERY, mr->eidelivery))
		return -EIO;
	mr->active = false;
	v->group = group;
	v->hart = hart;
	v->guest = nf.guest;
	v->bound = true;
	if (moved)
		*moved = n;
	return 0;
}
