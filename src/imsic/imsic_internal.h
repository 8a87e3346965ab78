/* SPDX-License-Identifier: MIT
 *
 * imsic_internal.h - private layout of an rvimsic instance, shared by the
 * files of src/imsic/ (topology in imsic.c, registers in file.c, MMIO page in
 * mmio.c, bus in bus.c).
 *
 * Implements nothing by itself; see include/rviommu/imsic.h for the spec
 * sections.
 *
 * Invariants (each holds whenever im->lock is not held):
 *   (1) eip[w] and eie[w] have bit 0 of word 0 clear (ID 0 never exists)
 *       and every word at or above nwords(file) is zero (IDs above N).
 *   (2) eidelivery is 0, 1, or 0x40000000 (the last only when the config
 *       supports it and the file is not a guest file).
 *   (3) line == file_signal(file), and the line callback has been called
 *       with every change of line, in order.
 */
#ifndef RVIOMMU_IMSIC_INTERNAL_H
#define RVIOMMU_IMSIC_INTERNAL_H

#include <pthread.h>

#include "rviommu/imsic.h"

struct rvimsic_file {
	uint32_t eidelivery;
	uint32_t eithreshold;
	uint32_t num_ids; /* N of this file */
	bool line;        /* last level reported through the callback */
	struct rvimsic_file_stats stats;
	uint64_t eip[RVIMSIC_WORDS];
	uint64_t eie[RVIMSIC_WORDS];
};

struct rvimsic {
	struct rvimsic_config cfg;
	pthread_mutex_t lock; /* guards every file */
	uint64_t field_mask;  /* page offset + guest + hart + group fields */
	size_t nr_files;
	struct rvimsic_file *files;
};

/* imsic.c: file lookup; NULL if @f names no file.  No lock needed. */
struct rvimsic_file *rvimsic_file_(struct rvimsic *im, struct rvimsic_file_id f);
/* imsic.c: split @pa into a file id and page offset; false if @pa is outside
 * the range.  A page inside the range may still name no file. */
bool rvimsic_decode_(const struct rvimsic *im, uint64_t pa, struct rvimsic_file_id *f,
                     uint32_t *offset);

/* file.c: called with the lock held. */
void rvimsic_set_pending_(struct rvimsic *im, struct rvimsic_file *file, struct rvimsic_file_id f,
                          uint32_t id);

#endif /* RVIOMMU_IMSIC_INTERNAL_H */
