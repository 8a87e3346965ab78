/* SPDX-License-Identifier: MIT
 *
 * file.c - the state of one IMSIC interrupt file: the indirect registers
 * (eidelivery, eithreshold, eip0..63, eie0..63), *topei and its claim,
 * seteipnum, the output line, save/restore and counters.
 *
 * Implements RISC-V AIA v1.0, "Incoming MSI Controller": "Interrupt files and
 * interrupt identities", "Indirect registers of an interrupt file" (XLEN=64:
 * only even eipK/eieK exist), "Top external interrupt CSRs (*topei)", and the
 * interrupt condition (CHECKLIST §11.3): line = eidelivery == 1 and some ID
 * is pending and enabled with eithreshold == 0 or ID < eithreshold.
 *
 * Every public function takes im->lock around the whole operation, so a
 * read-and-claim of *topei is atomic with respect to seteipnum writes from
 * other threads.  Invariants (1)-(3) are listed in imsic_internal.h.
 *
 * Decisions on unspecified points (see docs/imsic.md):
 *   - eidelivery is WARL: a write of an illegal value leaves it unchanged.
 *   - eithreshold is WLRL 0..N: bits 10:0 of the written value are kept.
 *   - the reset state is all zero except eidelivery.
 */
#include <string.h>

#include "imsic/imsic_internal.h"

static uint32_t nwords_(const struct rvimsic_file *file)
{
	return (file->num_ids + 1) / 64;
}

/* Bits of word @w that name implemented IDs (never ID 0). */
static uint64_t valid_mask_(const struct rvimsic_file *file, uint32_t w)
{
	if (w >= nwords_(file))
		return 0;
	return w == 0 ? ~1ull : ~0ull;
}

/* The ID *topei reports, or 0. */
static uint32_t top_id_(const struct rvimsic_file *file)
{
	uint32_t w, id;

	for (w = 0; w < nwords_(file); w++) {
		uint64_t bits = file->eip[w] & file->eie[w];

		if (!bits)
			continue;
		id = w * 64 + (uint32_t)__builtin_ctzll(bits);
		/* the lowest ID wins; if it is at or above the threshold, so
		 * are all the others */
		if (file->eithreshold && id >= file->eithreshold)
			return 0;
		return id;
	}
	return 0;
}

static void update_line_(struct rvimsic *im, struct rvimsic_file *file, struct rvimsic_file_id f)
{
	bool level = file->eidelivery == RVIMSIC_EIDELIVERY_ON && top_id_(file) != 0;
	enum rvimsic_line kind;

	if (level == file->line)
		return;
	file->line = level;
	if (!im->cfg.line)
		return;
	if (f.guest)
		kind = RVIMSIC_LINE_HGEIP;
	else
		kind = im->cfg.m_level ? RVIMSIC_LINE_MEIP : RVIMSIC_LINE_SEIP;
	im->cfg.line(im->cfg.ctx, kind, f.group, f.hart, f.guest, level);
}

static bool eidelivery_legal_(const struct rvimsic *im, struct rvimsic_file_id f, uint64_t v)
{
	if (v == RVIMSIC_EIDELIVERY_OFF || v == RVIMSIC_EIDELIVERY_ON)
		return true;
	return v == RVIMSIC_EIDELIVERY_PLIC && im->cfg.plic_delivery && f.guest == 0;
}

void rvimsic_set_pending_(struct rvimsic *im, struct rvimsic_file *file, struct rvimsic_file_id f,
                          uint32_t id)
{
	uint64_t bit;

	if (id == 0 || id > file->num_ids) {
		file->stats.ignored++;
		return;
	}
	bit = 1ull << (id % 64);
	if (file->eip[id / 64] & bit) {
		file->stats.coalesced++;
		return;
	}
	file->eip[id / 64] |= bit;
	file->stats.set++;
	update_line_(im, file, f);
}

int rvimsic_seteipnum(struct rvimsic *im, struct rvimsic_file_id f, uint32_t id)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);

	if (!file)
		return im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	rvimsic_set_pending_(im, file, f, id);
	pthread_mutex_unlock(&im->lock);
	return 0;
}

/* Locate the 64-bit storage behind @isel; *reg = NULL for read-only zero. */
static int ireg_locate_(const struct rvimsic *im, struct rvimsic_file *file, uint32_t isel,
                        uint64_t **word, uint64_t *valid)
{
	uint32_t k, w;

	*word = NULL;
	*valid = 0;
	if (isel < RVIMSIC_ISEL_FIRST || isel > RVIMSIC_ISEL_LAST)
		return RVIMSIC_E_RANGE;
	if (isel < RVIMSIC_ISEL_EIP0)
		return 0; /* eidelivery/eithreshold handled by the caller */
	k = (isel - RVIMSIC_ISEL_EIP0) % 64;
	if (k & 1)
		return RVIMSIC_E_ILLEGAL; /* XLEN=64: odd k does not exist */
	w = k / 2;
	*valid = valid_mask_(file, w);
	if (!*valid)
		return 0; /* every ID of this word is unimplemented */
	*word = isel < RVIMSIC_ISEL_EIE0 ? &file->eip[w] : &file->eie[w];
	return 0;
}

int rvimsic_ireg_rmw(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t *old,
                     uint64_t mask, uint64_t val)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);
	uint64_t *word, valid, cur = 0, next;
	int ret;

	if (!file)
		return im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	ret = ireg_locate_(im, file, isel, &word, &valid);
	if (ret)
		goto out;
	if (isel == RVIMSIC_ISEL_EIDELIVERY) {
		cur = file->eidelivery;
		next = (cur & ~mask) | (val & mask);
		if (eidelivery_legal_(im, f, next))
			file->eidelivery = (uint32_t)next;
	} else if (isel == RVIMSIC_ISEL_EITHRESHOLD) {
		cur = file->eithreshold;
		next = (cur & ~mask) | (val & mask);
		file->eithreshold = (uint32_t)(next & RVIMSIC_TOPEI_ID_MASK);
	} else if (word) {
		cur = *word;
		next = (cur & ~mask) | (val & mask);
		*word = next & valid;
	}
	/* reserved 0x71, 0x73..0x7F and unimplemented words: cur stays 0 */
	update_line_(im, file, f);
out:
	pthread_mutex_unlock(&im->lock);
	if (!ret && old)
		*old = cur;
	return ret;
}

int rvimsic_ireg_read(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t *val)
{
	return rvimsic_ireg_rmw(im, f, isel, val, 0, 0);
}

int rvimsic_ireg_write(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t val)
{
	return rvimsic_ireg_rmw(im, f, isel, NULL, ~0ull, val);
}

static uint32_t topei_of_(uint32_t id)
{
	return id ? (id << RVIMSIC_TOPEI_ID_SHIFT) | id : 0;
}

int rvimsic_topei_read(struct rvimsic *im, struct rvimsic_file_id f, uint32_t *topei)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);

	if (!file || !topei)
		return !file && im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	*topei = topei_of_(top_id_(file));
	pthread_mutex_unlock(&im->lock);
	return 0;
}

int rvimsic_topei_claim(struct rvimsic *im, struct rvimsic_file_id f, uint32_t *topei)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);
	uint32_t id;

	if (!file)
		return im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	id = top_id_(file);
	if (id) {
		file->eip[id / 64] &= ~(1ull << (id % 64));
		update_line_(im, file, f);
	}
	pthread_mutex_unlock(&im->lock);
	if (topei)
		*topei = topei_of_(id);
	return 0;
}

int rvimsic_line_level(struct rvimsic *im, struct rvimsic_file_id f, bool *level)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);

	if (!file || !level)
		return !file && im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	*level = file->line;
	pthread_mutex_unlock(&im->lock);
	return 0;
}

int rvimsic_file_save(struct rvimsic *im, struct rvimsic_file_id f, struct rvimsic_file_state *st)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);

	if (!file || !st)
		return !file && im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	st->eidelivery = file->eidelivery;
	st->eithreshold = file->eithreshold;
	memcpy(st->eip, file->eip, sizeof(st->eip));
	memcpy(st->eie, file->eie, sizeof(st->eie));
	pthread_mutex_unlock(&im->lock);
	return 0;
}

int rvimsic_file_restore(struct rvimsic *im, struct rvimsic_file_id f,
                         const struct rvimsic_file_state *st)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);
	uint32_t w;

	if (!file || !st)
		return !file && im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	if (!eidelivery_legal_(im, f, st->eidelivery))
		return RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	file->eidelivery = (uint32_t)st->eidelivery;
	file->eithreshold = (uint32_t)(st->eithreshold & RVIMSIC_TOPEI_ID_MASK);
	for (w = 0; w < RVIMSIC_WORDS; w++) {
		file->eip[w] = st->eip[w] & valid_mask_(file, w);
		file->eie[w] = st->eie[w] & valid_mask_(file, w);
	}
	update_line_(im, file, f);
	pthread_mutex_unlock(&im->lock);
	return 0;
}

int rvimsic_file_stats(struct rvimsic *im, struct rvimsic_file_id f,
                       struct rvimsic_file_stats *stats)
{
	struct rvimsic_file *file = rvimsic_file_(im, f);

	if (!file || !stats)
		return !file && im ? RVIMSIC_E_NOFILE : RVIMSIC_E_INVAL;
	pthread_mutex_lock(&im->lock);
	*stats = file->stats;
	pthread_mutex_unlock(&im->lock);
	return 0;
}
