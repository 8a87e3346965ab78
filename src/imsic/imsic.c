/* SPDX-License-Identifier: MIT
 *
 * imsic.c - topology of an rvimsic instance: config checks, the address of
 * each interrupt file's page, and the error-string table.
 *
 * Implements RISC-V AIA v1.0, "Incoming MSI Controller": interrupt files and
 * identities (N = 64k - 1, 63..2047) and the recommended physical layout
 *   base | group << group_index_shift | hart << (guest_index_bits + 12)
 *        | guest << 12
 * (CHECKLIST §11.1, §11.4).  A page inside the range that names no file
 * (hart or group beyond the topology, guest above GEILEN) is read-only zero.
 *
 * Invariants: the config never changes after rvimsic_create(); files[] has
 * groups * harts * (guests + 1) entries, ordered group, hart, guest.
 */
#include <stdlib.h>
#include <string.h>

#include "imsic/imsic_internal.h"

#define ERRTABENT(v) [-(v)] = #v
static const char *const rvimsic_errtab[] = {
    ERRTABENT(RVIMSIC_OK),       ERRTABENT(RVIMSIC_E_INVAL),   ERRTABENT(RVIMSIC_E_NOFILE),
    ERRTABENT(RVIMSIC_E_ACCESS), ERRTABENT(RVIMSIC_E_ILLEGAL), ERRTABENT(RVIMSIC_E_RANGE),
    ERRTABENT(RVIMSIC_E_NOMEM),  ERRTABENT(RVIMSIC_E_MEMORY),  ERRTABENT(RVIMSIC_E_FULL),
};

const char *rvimsic_strerror(int err)
{
	size_t i = err <= 0 ? (size_t)(-(long)err) : (size_t)-1;

	if (i < sizeof(rvimsic_errtab) / sizeof(rvimsic_errtab[0]) && rvimsic_errtab[i])
		return rvimsic_errtab[i];
	return "<unknown rvimsic error>";
}

static bool num_ids_ok_(uint32_t n)
{
	return n >= RVIMSIC_MIN_IDS && n <= RVIMSIC_MAX_IDS && (n & 63) == 63;
}

/* 2^bits >= n, with bits small enough not to overflow. */
static bool fits_(uint32_t n, uint32_t bits)
{
	return bits < 32 && (uint64_t)n <= (1ull << bits);
}

static bool config_ok_(const struct rvimsic_config *c)
{
	uint32_t low = RVIMSIC_PAGE_SHIFT + c->guest_index_bits + c->hart_index_bits;
	uint64_t mask;

	if (!c->groups || !c->harts || c->guests > RVIMSIC_MAX_GUESTS)
		return false;
	if (c->m_level && c->guests)
		return false;
	if (!num_ids_ok_(c->num_ids))
		return false;
	if (c->num_guest_ids && !num_ids_ok_(c->num_guest_ids))
		return false;
	/* binding ranges: guest 0..7, hart 0..15, group 0..7, shift 0..55 */
	if (c->guest_index_bits > 7 || c->hart_index_bits > 15 || c->group_index_bits > 7 ||
	    c->group_index_shift > 55)
		return false;
	if (!fits_(c->guests + 1, c->guest_index_bits) || !fits_(c->harts, c->hart_index_bits) ||
	    !fits_(c->groups, c->group_index_bits))
		return false;
	/* the fields must not overlap (AIA: E >= k + D) */
	if (c->group_index_bits && c->group_index_shift < low)
		return false;
	/* bits <= 7 and shift <= 55 keep the group field below bit 63 */
	mask = (1ull << low) - 1;
	if (c->group_index_bits)
		mask |= ((1ull << c->group_index_bits) - 1) << c->group_index_shift;
	return (c->base & mask) == 0;
}

int rvimsic_create(const struct rvimsic_config *cfg, struct rvimsic **out)
{
	struct rvimsic *im;
	size_t per_hart, i;

	if (!cfg || !out)
		return RVIMSIC_E_INVAL;
	*out = NULL;
	if (!config_ok_(cfg))
		return RVIMSIC_E_INVAL;
	im = calloc(1, sizeof(*im));
	if (!im)
		return RVIMSIC_E_NOMEM;
	im->cfg = *cfg;
	if (!im->cfg.num_guest_ids)
		im->cfg.num_guest_ids = cfg->num_ids;
	per_hart = (size_t)cfg->guests + 1;
	im->nr_files = (size_t)cfg->groups * cfg->harts * per_hart;
	im->files = calloc(im->nr_files, sizeof(*im->files));
	if (!im->files || pthread_mutex_init(&im->lock, NULL)) {
		free(im->files);
		free(im);
		return RVIMSIC_E_NOMEM;
	}
	im->field_mask =
	    (1ull << (RVIMSIC_PAGE_SHIFT + cfg->guest_index_bits + cfg->hart_index_bits)) - 1;
	if (cfg->group_index_bits)
		im->field_mask |= ((1ull << cfg->group_index_bits) - 1) << cfg->group_index_shift;
	for (i = 0; i < im->nr_files; i++) {
		bool guest = (i % per_hart) != 0;

		im->files[i].num_ids = guest ? im->cfg.num_guest_ids : im->cfg.num_ids;
		im->files[i].eidelivery = (!guest && cfg->plic_delivery) ? RVIMSIC_EIDELIVERY_PLIC
		                                                         : RVIMSIC_EIDELIVERY_OFF;
	}
	*out = im;
	return 0;
}

void rvimsic_destroy(struct rvimsic *im)
{
	if (!im)
		return;
	pthread_mutex_destroy(&im->lock);
	free(im->files);
	free(im);
}

const struct rvimsic_config *rvimsic_config(const struct rvimsic *im)
{
	return im ? &im->cfg : NULL;
}

struct rvimsic_file *rvimsic_file_(struct rvimsic *im, struct rvimsic_file_id f)
{
	if (!im || f.group >= im->cfg.groups || f.hart >= im->cfg.harts || f.guest > im->cfg.guests)
		return NULL;
	return &im->files[((size_t)f.group * im->cfg.harts + f.hart) * (im->cfg.guests + 1) +
	                  f.guest];
}

int rvimsic_file_addr(const struct rvimsic *im, struct rvimsic_file_id f, uint64_t *pa)
{
	const struct rvimsic_config *c;

	if (!im || !pa)
		return RVIMSIC_E_INVAL;
	c = &im->cfg;
	if (f.group >= c->groups || f.hart >= c->harts || f.guest > c->guests)
		return RVIMSIC_E_NOFILE;
	*pa = c->base | (uint64_t)f.guest << RVIMSIC_PAGE_SHIFT |
	      (uint64_t)f.hart << (c->guest_index_bits + RVIMSIC_PAGE_SHIFT);
	if (c->group_index_bits)
		*pa |= (uint64_t)f.group << c->group_index_shift;
	return 0;
}

bool rvimsic_contains(const struct rvimsic *im, uint64_t pa)
{
	return im && (pa & ~im->field_mask) == im->cfg.base;
}

bool rvimsic_decode_(const struct rvimsic *im, uint64_t pa, struct rvimsic_file_id *f,
                     uint32_t *offset)
{
	const struct rvimsic_config *c = &im->cfg;

	if (!rvimsic_contains(im, pa))
		return false;
	*offset = (uint32_t)(pa & (RVIMSIC_PAGE_SIZE - 1));
	f->guest = (uint32_t)(pa >> RVIMSIC_PAGE_SHIFT) & ((1u << c->guest_index_bits) - 1);
	f->hart = (uint32_t)(pa >> (RVIMSIC_PAGE_SHIFT + c->guest_index_bits)) &
	          ((1u << c->hart_index_bits) - 1);
	f->group = c->group_index_bits
	               ? (uint32_t)(pa >> c->group_index_shift) & ((1u << c->group_index_bits) - 1)
	               : 0;
	return true;
}
