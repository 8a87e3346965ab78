/* SPDX-License-Identifier: MIT
 *
 * util/physmem.c - sparse simulated physical memory (see physmem.h).
 *
 * Pages live in a four-level radix tree over the 44-bit page frame number
 * (11 bits per level).  Nodes and pages are installed under p->alloc_lock
 * with a release store and never moved or freed before rv_physmem_destroy(),
 * so readers need no lock (one acquire load per level) and concurrent
 * writers are safe.  Pages that were never written are not allocated and
 * read as zero.
 *
 * Pages are carved, in allocation order, out of 2 MiB arenas (anonymous
 * mmap, 2 MiB aligned, MADV_HUGEPAGE).  A page-table walker that touches
 * thousands of table pages then touches a few huge pages instead of
 * thousands of 4 KiB heap blocks: with one calloc per page, every PTE read
 * of a large random walk was also a host TLB miss (bench c: >50% of the
 * time in rv_physmem_read).  Cost: memory is committed per 4 KiB page
 * touched as before when the kernel does not grant huge pages, and up to
 * 2 MiB per arena when it does; the option not taken, a slab per radix
 * leaf node (8 MiB of PA), would waste 8 MiB for a sparse layout.
 *
 * Invariants:
 *   (1) a non-NULL child pointer never changes again;
 *   (2) count is the number of allocated leaf pages;
 *   (3) a page handed out by an arena is zeroed and belongs to exactly one
 *       PFN; arenas are unmapped only by rv_physmem_destroy().
 */
/* MAP_ANONYMOUS and MADV_HUGEPAGE are not POSIX: ask for the BSD/GNU set. */
#define _DEFAULT_SOURCE 1
#include "util/physmem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define MAX_MARKS 64
#define RADIX_BITS 11
#define RADIX_FANOUT (1u << RADIX_BITS)
#define RADIX_LEVELS 4                 /* 4 x 11 = 44 bits of PFN: 56-bit physical addresses */
#define ARENA_SIZE (UINT64_C(2) << 20) /* one x86-64 / RISC-V huge page */

/* One 2 MiB block of pages; blocks form a list for rv_physmem_destroy(). */
struct arena {
	struct arena *next;
	uint8_t *base; /* ARENA_SIZE bytes, ARENA_SIZE aligned */
	void *map;     /* what munmap() gets */
	size_t map_len;
};

struct mark {
	uint64_t base, last;
	int status;
};

struct rv_physmem {
	uint64_t limit; /* first faulting address */
	void **root;    /* RADIX_FANOUT children */
	_Atomic size_t count;
	struct mark marks[MAX_MARKS];
	unsigned nmarks;
	pthread_mutex_t alloc_lock; /* serialises node/page installation */
	struct arena *arenas;       /* newest first; the head is being carved */
	size_t arena_used;          /* bytes of the head arena handed out */
};

struct rv_physmem *rv_physmem_create(unsigned pa_bits)
{
	struct rv_physmem *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (pa_bits > PAGE_SHIFT + RADIX_BITS * RADIX_LEVELS)
		pa_bits = PAGE_SHIFT + RADIX_BITS * RADIX_LEVELS;
	p->limit = UINT64_C(1) << pa_bits;
	p->root = calloc(RADIX_FANOUT, sizeof(void *));
	if (!p->root) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->alloc_lock, NULL);
	p->arena_used = ARENA_SIZE; /* no head arena yet */
	return p;
}

/* A zeroed 4 KiB page from the head arena, opening a new one when it is
 * full.  Caller holds alloc_lock.  NULL when the host is out of memory. */
static uint8_t *arena_page_(struct rv_physmem *p)
{
	if (p->arena_used == ARENA_SIZE) {
		struct arena *a = calloc(1, sizeof(*a));
		if (!a)
			return NULL;
		/* Over-map by one arena so that an aligned 2 MiB fits. */
		a->map_len = 2 * ARENA_SIZE;
		a->map = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		              -1, 0);
		if (a->map == MAP_FAILED) {
			free(a);
			return NULL;
		}
		uintptr_t at = ((uintptr_t)a->map + ARENA_SIZE - 1) & ~(uintptr_t)(ARENA_SIZE - 1);
		a->base = (uint8_t *)at;
#ifdef MADV_HUGEPAGE
		(void)madvise(a->base, ARENA_SIZE, MADV_HUGEPAGE); /* advice only */
#endif
		a->next = p->arenas;
		p->arenas = a;
		p->arena_used = 0;
	}
	uint8_t *pg = p->arenas->base + p->arena_used;
	p->arena_used += PAGE_SIZE;
	return pg; /* invariant (3): anonymous memory reads as zero */
}

static void free_node(void **node, int level)
{
	if (!node)
		return;
	for (unsigned i = 0; i < RADIX_FANOUT; i++) {
		if (!node[i])
			continue;
		if (level > 1) /* level-1 children are arena pages */
			free_node(node[i], level - 1);
	}
	free(node);
}

void rv_physmem_destroy(struct rv_physmem *p)
{
	if (!p)
		return;
	free_node(p->root, RADIX_LEVELS);
	while (p->arenas) {
		struct arena *a = p->arenas;
		p->arenas = a->next;
		munmap(a->map, a->map_len);
		free(a);
	}
	pthread_mutex_destroy(&p->alloc_lock);
	free(p);
}

int rv_physmem_mark(struct rv_physmem *p, uint64_t base, uint64_t size, int status)
{
	uint64_t last = base + size - 1;
	if (status == RVM_MEM_OK) {
		unsigned j = 0;
		for (unsigned i = 0; i < p->nmarks; i++)
			if (!(p->marks[i].base == base && p->marks[i].last == last))
				p->marks[j++] = p->marks[i];
		p->nmarks = j;
		return 0;
	}
	if (p->nmarks == MAX_MARKS)
		return -1;
	p->marks[p->nmarks++] = (struct mark){base, last, status};
	return 0;
}

static int check_range(const struct rv_physmem *p, uint64_t pa, size_t len)
{
	uint64_t last = pa + len - 1;
	if (last < pa || last >= p->limit)
		return RVM_MEM_ACCESS_FAULT;
	for (unsigned i = 0; i < p->nmarks; i++)
		if (pa <= p->marks[i].last && last >= p->marks[i].base)
			return p->marks[i].status;
	return RVM_MEM_OK;
}

/* Slow half of page_of(): install the missing nodes and the page under
 * alloc_lock.  Re-reads each slot under the lock, so two writers racing for
 * one page agree on it (invariant (1)). */
static uint8_t *page_create_(struct rv_physmem *p, uint64_t pfn)
{
	pthread_mutex_lock(&p->alloc_lock);
	void **node = p->root;
	for (int level = RADIX_LEVELS - 1; level >= 0 && node; level--) {
		unsigned idx = (unsigned)(pfn >> (level * RADIX_BITS)) & (RADIX_FANOUT - 1);
		void *child = __atomic_load_n(&node[idx], __ATOMIC_ACQUIRE);
		if (!child) {
			child =
			    level ? calloc(RADIX_FANOUT, sizeof(void *)) : (void *)arena_page_(p);
			if (child) {
				if (!level)
					p->count++;
				/* Release: a reader that sees the pointer sees the
				 * zeroed node or page behind it. */
				__atomic_store_n(&node[idx], child, __ATOMIC_RELEASE);
			}
		}
		node = child;
	}
	pthread_mutex_unlock(&p->alloc_lock);
	return (uint8_t *)node;
}

/* Walk the radix tree; with 'create', allocate missing nodes and the page. */
static inline uint8_t *page_of(struct rv_physmem *p, uint64_t pfn, int create)
{
	void **node = p->root;
	for (int level = RADIX_LEVELS - 1; level >= 0; level--) {
		unsigned idx = (unsigned)(pfn >> (level * RADIX_BITS)) & (RADIX_FANOUT - 1);
		void *child = __atomic_load_n(&node[idx], __ATOMIC_ACQUIRE);
		if (!child)
			return create ? page_create_(p, pfn) : NULL;
		node = child;
	}
	return (uint8_t *)node;
}

int rv_physmem_read(struct rv_physmem *p, uint64_t pa, void *buf, size_t len)
{
	int st = check_range(p, pa, len ? len : 1);
	if (st != RVM_MEM_OK)
		return st;
	uint8_t *out = buf;
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1), n = PAGE_SIZE - off;
		if (n > len)
			n = len;
		const uint8_t *pg = page_of(p, pa >> PAGE_SHIFT, 0);
		if (pg)
			memcpy(out, pg + off, n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
	return RVM_MEM_OK;
}

int rv_physmem_write(struct rv_physmem *p, uint64_t pa, const void *buf, size_t len)
{
	int st = check_range(p, pa, len ? len : 1);
	if (st != RVM_MEM_OK)
		return st == RVM_MEM_POISON ? RVM_MEM_OK : st; /* a write over poison succeeds */
	const uint8_t *in = buf;
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1), n = PAGE_SIZE - off;
		if (n > len)
			n = len;
		uint8_t *pg = page_of(p, pa >> PAGE_SHIFT, 1);
		if (!pg)
			return RVM_MEM_ACCESS_FAULT; /* host out of memory */
		memcpy(pg + off, in, n);
		in += n;
		pa += n;
		len -= n;
	}
	return RVM_MEM_OK;
}

int rv_physmem_cas(struct rv_physmem *p, uint64_t pa, unsigned size, uint64_t expected,
                   uint64_t desired, uint64_t *observed)
{
	if ((size != 4 && size != 8) || (pa & (size - 1)))
		return RVM_MEM_ACCESS_FAULT;
	int st = check_range(p, pa, size);
	if (st != RVM_MEM_OK)
		return st;
	uint8_t *pg = page_of(p, pa >> PAGE_SHIFT, 1);
	if (!pg)
		return RVM_MEM_ACCESS_FAULT;
	/* Pages hold little-endian bytes; this library targets little-endian
	 * hosts (checked in physmem tests), so the integer view matches. */
	if (size == 8) {
		uint64_t e = expected;
		__atomic_compare_exchange_n((uint64_t *)(pg + (pa & (PAGE_SIZE - 1))), &e, desired,
		                            false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		*observed = e;
	} else {
		uint32_t e = (uint32_t)expected;
		__atomic_compare_exchange_n((uint32_t *)(pg + (pa & (PAGE_SIZE - 1))), &e,
		                            (uint32_t)desired, false, __ATOMIC_SEQ_CST,
		                            __ATOMIC_SEQ_CST);
		*observed = e;
	}
	return RVM_MEM_OK;
}

uint64_t rv_physmem_read64(struct rv_physmem *p, uint64_t pa)
{
	uint8_t b[8];
	if (rv_physmem_read(p, pa, b, 8) != RVM_MEM_OK)
		return 0;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

uint32_t rv_physmem_read32(struct rv_physmem *p, uint64_t pa)
{
	uint8_t b[4];
	if (rv_physmem_read(p, pa, b, 4) != RVM_MEM_OK)
		return 0;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void rv_physmem_write64(struct rv_physmem *p, uint64_t pa, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rv_physmem_write(p, pa, b, 8);
}

void rv_physmem_write32(struct rv_physmem *p, uint64_t pa, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rv_physmem_write(p, pa, b, 4);
}

size_t rv_physmem_footprint(const struct rv_physmem *p)
{
	return p->count * PAGE_SIZE;
}

const void *rv_physmem_page(struct rv_physmem *p, uint64_t pa)
{
	uint64_t base = pa & ~(uint64_t)(PAGE_SIZE - 1);
	if (check_range(p, base, PAGE_SIZE) != RVM_MEM_OK)
		return NULL; /* beyond the limit, or some byte of it is marked */
	return page_of(p, pa >> PAGE_SHIFT, 0);
}

int rv_physmem_op_read(void *ctx, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	(void)a;
	return rv_physmem_read(ctx, pa, buf, len);
}

int rv_physmem_op_write(void *ctx, uint64_t pa, const void *buf, size_t len,
                        const struct rvm_mem_attr *a)
{
	(void)a;
	return rv_physmem_write(ctx, pa, buf, len);
}

const void *rv_physmem_op_page(void *ctx, uint64_t pa, const struct rvm_mem_attr *a)
{
	(void)a;
	return rv_physmem_page(ctx, pa);
}

int rv_physmem_op_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                      uint64_t *observed, const struct rvm_mem_attr *a)
{
	(void)a;
	return rv_physmem_cas(ctx, pa, size, expected, desired, observed);
}
