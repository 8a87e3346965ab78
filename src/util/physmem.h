/* SPDX-License-Identifier: MIT
 *
 * util/physmem.h - sparse simulated physical memory.
 *
 * Used as the bus behind the model in tests, `rviommu replay`, the
 * benchmarks and the platform simulator.  Memory reads as zero until
 * written; 4 KiB pages are allocated on first write.  Ranges can be marked
 * to fail with an access fault or to return poisoned data, which is how
 * tests reach the spec's load-fault and data-corruption causes.
 *
 * Not thread-safe for concurrent writers to the same page, except through
 * rv_physmem_cas(), which is atomic.  Page allocation is serialised by an
 * internal lock; lookups take no lock.  Pages come from 2 MiB arenas, so a
 * page's host address stays fixed until rv_physmem_destroy().
 */
#ifndef RVIOMMU_UTIL_PHYSMEM_H
#define RVIOMMU_UTIL_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#include "rviommu/model.h"

struct rv_physmem;

/* pa_bits: addresses at or above 1 << pa_bits are access faults. */
struct rv_physmem *rv_physmem_create(unsigned pa_bits);
void rv_physmem_destroy(struct rv_physmem *p);

/* Mark [base, base+size) as faulting with status (RVM_MEM_ACCESS_FAULT or
 * RVM_MEM_POISON; RVM_MEM_OK removes marks).  Returns 0 or -1 when the table
 * of marked ranges (64) is full. */
int rv_physmem_mark(struct rv_physmem *p, uint64_t base, uint64_t size, int status);

/* Return an rvm_mem_status. Accesses may cross page boundaries. */
int rv_physmem_read(struct rv_physmem *p, uint64_t pa, void *buf, size_t len);
int rv_physmem_write(struct rv_physmem *p, uint64_t pa, const void *buf, size_t len);
/* Little-endian compare-and-swap of 4 or 8 naturally aligned bytes. */
int rv_physmem_cas(struct rv_physmem *p, uint64_t pa, unsigned size, uint64_t expected,
                   uint64_t desired, uint64_t *observed);

/* Little-endian convenience accessors; faults read as 0 / are ignored. */
uint64_t rv_physmem_read64(struct rv_physmem *p, uint64_t pa);
uint32_t rv_physmem_read32(struct rv_physmem *p, uint64_t pa);
void rv_physmem_write64(struct rv_physmem *p, uint64_t pa, uint64_t v);
void rv_physmem_write32(struct rv_physmem *p, uint64_t pa, uint32_t v);

/* Bytes of pages allocated so far. */
size_t rv_physmem_footprint(const struct rv_physmem *p);

/* The host address of the allocated 4 KiB page holding pa, for direct reads
 * (little-endian bytes).  NULL when the page was never written (it reads as
 * zero), lies beyond pa_bits, or any byte of it is marked faulting or
 * poisoned: callers then use rv_physmem_read(), which reports the mark.
 * The pointer stays valid until rv_physmem_destroy(); a later mark on the
 * page does not revoke it, so look the page up again for each access that
 * must observe marks. */
const void *rv_physmem_page(struct rv_physmem *p, uint64_t pa);

/* Host-op adapters whose ctx is a struct rv_physmem *. */
int rv_physmem_op_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a);
int rv_physmem_op_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                        const struct rvm_mem_attr *a);
const void *rv_physmem_op_page(void *ctx, uint64_t pa, const struct rvm_mem_attr *a);
int rv_physmem_op_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                      uint64_t *observed, const struct rvm_mem_attr *a);

#endif
