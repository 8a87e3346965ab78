/* SPDX-License-Identifier: MIT
 *
 * rviommu/imsic.h - a model of the RISC-V AIA Incoming MSI Controller.
 *
 * One struct rvimsic covers one privilege level of a whole topology: G groups
 * of H harts, each hart with one S-level (or M-level) interrupt file and
 * GEILEN guest interrupt files.  Model the M-level files as a second instance
 * with .m_level set.  Each file has a 4 KiB MMIO page at
 *
 *   base | group << group_index_shift | hart << (guest_index_bits + 12)
 *        | guest << 12
 *
 * (guest 0 is the S or M file itself, 1..GEILEN are guest files), the
 * indirect registers eidelivery, eithreshold, eip0..63 and eie0..63 reached
 * with the iselect numbers software uses, and the *topei register.
 *
 * Implements RISC-V Advanced Interrupt Architecture v1.0, chapter "Incoming
 * MSI Controller": interrupt files and identities, the memory region of an
 * interrupt file (seteipnum_le/_be), the indirect registers of an interrupt
 * file, the *topei CSRs, and the recommended physical address layout
 * (see CHECKLIST §11.1-§11.4, §11.6).  Indirect registers follow XLEN=64.
 *
 * Outputs: one interrupt-line callback, called only when a line changes.
 * An S file drives SEIP, an M file MEIP, guest file g drives hgeip bit g.
 *
 * Threads: every function may be called from any thread at any time (except
 * rvimsic_destroy()).  Each instance has one mutex that serialises all state
 * changes, so a device thread may write seteipnum while a hart thread reads
 * or claims topei.  The line callback runs with that mutex held, so the
 * callbacks of one instance are delivered in the order of the state changes
 * that caused them; a callback must NOT call back into the same instance
 * (record the level and act on it later).
 *
 * Return conventions: functions returning int give 0 (or a positive status
 * where stated) on success, or a negative RVIMSIC_E* code; rvimsic_strerror()
 * names them.
 */
#ifndef RVIOMMU_IMSIC_H
#define RVIOMMU_IMSIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Spec constants (AIA "Incoming MSI Controller")                            */
/* ------------------------------------------------------------------------ */
#define RVIMSIC_PAGE_SHIFT 12
#define RVIMSIC_PAGE_SIZE (1u << RVIMSIC_PAGE_SHIFT)

/* Interrupt-file MMIO page offsets */
#define RVIMSIC_REG_SETEIPNUM_LE 0x000
#define RVIMSIC_REG_SETEIPNUM_BE 0x004

/* Identities: N = 64k - 1, 63 <= N <= 2047; ID 0 never exists. */
#define RVIMSIC_MIN_IDS 63
#define RVIMSIC_MAX_IDS 2047
/* GEILEN on RV64 */
#define RVIMSIC_MAX_GUESTS 63

/* *iselect numbers of the interrupt-file registers */
#define RVIMSIC_ISEL_EIDELIVERY 0x70
#define RVIMSIC_ISEL_EITHRESHOLD 0x72
#define RVIMSIC_ISEL_EIP0 0x80 /* eip0..eip63: 0x80..0xBF */
#define RVIMSIC_ISEL_EIE0 0xC0 /* eie0..eie63: 0xC0..0xFF */
#define RVIMSIC_ISEL_FIRST 0x70
#define RVIMSIC_ISEL_LAST 0xFF

/* eidelivery values (WARL) */
#define RVIMSIC_EIDELIVERY_OFF 0x0u
#define RVIMSIC_EIDELIVERY_ON 0x1u
#define RVIMSIC_EIDELIVERY_PLIC 0x40000000u /* optional, never guest files */

/* *topei: ID in bits 26:16, priority (= ID) in bits 10:0 */
#define RVIMSIC_TOPEI_ID_SHIFT 16
#define RVIMSIC_TOPEI_ID_MASK 0x7FFu
#define RVIMSIC_TOPEI_PRIO_MASK 0x7FFu

/* Words of eip/eie state per file: (2047 + 1) / 64 */
#define RVIMSIC_WORDS 32

/* ------------------------------------------------------------------------ */
/* Error codes                                                               */
/* ------------------------------------------------------------------------ */
enum rvimsic_err {
	RVIMSIC_OK = 0,
	/* bad parameters */
	RVIMSIC_E_INVAL = -1,  /* an argument or config value is illegal */
	RVIMSIC_E_NOFILE = -2, /* group/hart/guest names no file */
	/* architectural outcomes the caller maps to a trap */
	RVIMSIC_E_ACCESS = -3,  /* MMIO access not a naturally aligned 32-bit
	                         * access: the caller raises an access fault */
	RVIMSIC_E_ILLEGAL = -4, /* odd eipK/eieK (XLEN=64): the caller raises
	                         * illegal-instruction (virtual-instruction
	                         * for vsireg) */
	RVIMSIC_E_RANGE = -5,   /* address outside this IMSIC, or an iselect
	                         * outside 0x70..0xFF (not an IMSIC register) */
	/* resources */
	RVIMSIC_E_NOMEM = -6,  /* allocation failed */
	RVIMSIC_E_MEMORY = -7, /* the bus's memory callback failed */
	RVIMSIC_E_FULL = -8,   /* the bus has no room for another IMSIC */
};

const char *rvimsic_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Topology and outputs                                                      */
/* ------------------------------------------------------------------------ */
enum rvimsic_line {
	RVIMSIC_LINE_MEIP,  /* M-level file -> mip.MEIP */
	RVIMSIC_LINE_SEIP,  /* S-level file -> mip.SEIP */
	RVIMSIC_LINE_HGEIP, /* guest file g -> hgeip bit g */
};

/* Called with the new level of a line, only when the level changes. */
typedef void (*rvimsic_line_fn)(void *ctx, enum rvimsic_line line, uint32_t group, uint32_t hart,
                                uint32_t guest, bool level);

struct rvimsic_config {
	uint64_t base;              /* aligned as the index fields require */
	uint32_t groups;            /* >= 1 */
	uint32_t harts;             /* harts per group, >= 1 */
	uint32_t guests;            /* guest files per hart, 0..63 (GEILEN) */
	uint32_t num_ids;           /* S/M files: 63..2047, 64k - 1 */
	uint32_t num_guest_ids;     /* guest files; 0 means num_ids */
	uint32_t guest_index_bits;  /* >= ceil(log2(guests + 1)) */
	uint32_t hart_index_bits;   /* >= ceil(log2(harts)) */
	uint32_t group_index_bits;  /* >= ceil(log2(groups)) */
	uint32_t group_index_shift; /* >= hart+guest bits + 12 if groups > 1 */
	bool m_level;               /* files are M-level (MEIP), no guests */
	bool plic_delivery;         /* eidelivery 0x40000000 is supported */
	bool be_supported;          /* seteipnum_be works (else writes ignored) */
	rvimsic_line_fn line;       /* may be NULL */
	void *ctx;                  /* passed to line */
};

/* Names one interrupt file: guest 0 is the S (or M) file. */
struct rvimsic_file_id {
	uint32_t group, hart, guest;
};

struct rvimsic;

/**
 * rvimsic_create - validate @cfg and build an instance, all files reset
 * (eidelivery = 0x40000000 if supported else 0; everything else 0).
 * Return: 0, RVIMSIC_E_INVAL (a NULL argument or a config that breaks a
 *   rule listed in docs/imsic.md), RVIMSIC_E_NOMEM.
 */
int rvimsic_create(const struct rvimsic_config *cfg, struct rvimsic **out);
void rvimsic_destroy(struct rvimsic *im);
const struct rvimsic_config *rvimsic_config(const struct rvimsic *im);

/**
 * rvimsic_file_addr - physical address of a file's MMIO page.
 * Return: 0, RVIMSIC_E_NOFILE.
 */
int rvimsic_file_addr(const struct rvimsic *im, struct rvimsic_file_id f, uint64_t *pa);

/**
 * rvimsic_contains - whether @pa lies in this IMSIC's address range (every
 * page the index fields can name, used or not).
 */
bool rvimsic_contains(const struct rvimsic *im, uint64_t pa);

/* ------------------------------------------------------------------------ */
/* MMIO page                                                                 */
/* ------------------------------------------------------------------------ */
/**
 * rvimsic_mmio_write - a store of @len bytes at @pa; @buf holds the bytes in
 * memory order (so seteipnum_le reads them little-endian and seteipnum_be
 * big-endian).  Writes of identity 0 or above N are ignored; so are writes to
 * other offsets and to unused pages inside the range.
 * Return: 0, RVIMSIC_E_ACCESS (len != 4 or pa not 4-aligned; nothing
 *   changes), RVIMSIC_E_RANGE (pa outside this IMSIC), RVIMSIC_E_INVAL.
 */
int rvimsic_mmio_write(struct rvimsic *im, uint64_t pa, const void *buf, size_t len);

/**
 * rvimsic_mmio_read - a load; every readable word reads 0.
 * Return: as rvimsic_mmio_write().
 */
int rvimsic_mmio_read(struct rvimsic *im, uint64_t pa, void *buf, size_t len);

/**
 * rvimsic_seteipnum - what a seteipnum_le write of @id does, by file id.
 * Return: 0 (also when @id is ignored), RVIMSIC_E_NOFILE.
 */
int rvimsic_seteipnum(struct rvimsic *im, struct rvimsic_file_id f, uint32_t id);

/* ------------------------------------------------------------------------ */
/* Indirect registers and *topei (what the hart's CSRs reach)               */
/* ------------------------------------------------------------------------ */
/**
 * rvimsic_ireg_rmw - atomically read register @isel of file @f into *@old
 * (if not NULL) and write (old & ~mask) | (val & mask).  mask = 0 reads,
 * mask = ~0 writes, val = mask sets (csrs), val = 0 clears (csrc).  WARL
 * and read-only-zero bits are then applied.
 * Return: 0, RVIMSIC_E_ILLEGAL (odd eip/eie number), RVIMSIC_E_RANGE
 *   (isel outside 0x70..0xFF), RVIMSIC_E_NOFILE.
 */
int rvimsic_ireg_rmw(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t *old,
                     uint64_t mask, uint64_t val);
int rvimsic_ireg_read(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t *val);
int rvimsic_ireg_write(struct rvimsic *im, struct rvimsic_file_id f, uint32_t isel, uint64_t val);

/**
 * rvimsic_topei_read - *topei: 0, or ID << 16 | ID for the lowest pending and
 * enabled ID below eithreshold (when eithreshold != 0).
 * Return: 0, RVIMSIC_E_NOFILE.
 */
int rvimsic_topei_read(struct rvimsic *im, struct rvimsic_file_id f, uint32_t *topei);

/**
 * rvimsic_topei_claim - a write to *topei, atomically with a read of it
 * (csrrw rd, stopei, x0): stores the value topei had in *@topei (if not
 * NULL) and clears the pending bit of the ID it reported; nothing happens
 * when it read 0.
 * Return: 0, RVIMSIC_E_NOFILE.
 */
int rvimsic_topei_claim(struct rvimsic *im, struct rvimsic_file_id f, uint32_t *topei);

/** rvimsic_line_level - the current level of file @f's output line. */
int rvimsic_line_level(struct rvimsic *im, struct rvimsic_file_id f, bool *level);

/* ------------------------------------------------------------------------ */
/* Save/restore (vCPU migration, CHECKLIST §11.6) and counters               */
/* ------------------------------------------------------------------------ */
struct rvimsic_file_state {
	uint64_t eidelivery;
	uint64_t eithreshold;
	uint64_t eip[RVIMSIC_WORDS]; /* word w: IDs 64w..64w+63 */
	uint64_t eie[RVIMSIC_WORDS];
};

/** Return: 0, RVIMSIC_E_NOFILE. */
int rvimsic_file_save(struct rvimsic *im, struct rvimsic_file_id f, struct rvimsic_file_state *st);
/**
 * rvimsic_file_restore - load a saved state.  Bits for ID 0 and IDs above N
 * are dropped; the line callback fires if the level changes.
 * Return: 0, RVIMSIC_E_INVAL (eidelivery not legal for this file; nothing
 *   changes), RVIMSIC_E_NOFILE.
 */
int rvimsic_file_restore(struct rvimsic *im, struct rvimsic_file_id f,
                         const struct rvimsic_file_state *st);

struct rvimsic_file_stats {
	uint64_t set;       /* valid seteipnum writes that set a clear bit */
	uint64_t coalesced; /* valid seteipnum writes to an already set bit */
	uint64_t ignored;   /* seteipnum writes of ID 0 or ID > N */
};

/** Return: 0, RVIMSIC_E_NOFILE. */
int rvimsic_file_stats(struct rvimsic *im, struct rvimsic_file_id f,
                       struct rvimsic_file_stats *stats);

/* ------------------------------------------------------------------------ */
/* Bus helper: route a physical write to an IMSIC page or to memory          */
/* ------------------------------------------------------------------------ */
#define RVIMSIC_BUS_MAX 8

/* Returns 0 on success, anything else is a failure. */
typedef int (*rvimsic_mem_write_fn)(void *ctx, uint64_t pa, const void *buf, size_t len);

struct rvimsic_bus {
	struct rvimsic *imsic[RVIMSIC_BUS_MAX];
	size_t nr_imsic;
	rvimsic_mem_write_fn mem_write; /* may be NULL */
	void *mem_ctx;
};

enum rvimsic_route {
	RVIMSIC_ROUTED_IMSIC = 1,  /* an IMSIC took the write */
	RVIMSIC_ROUTED_MEMORY = 2, /* mem_write took the write */
};

void rvimsic_bus_init(struct rvimsic_bus *bus, rvimsic_mem_write_fn mem_write, void *mem_ctx);
/** Return: 0, RVIMSIC_E_FULL, RVIMSIC_E_INVAL. */
int rvimsic_bus_add(struct rvimsic_bus *bus, struct rvimsic *im);

/**
 * rvimsic_bus_write - route a write.  If any byte of it falls in an IMSIC's
 * range, that IMSIC takes it (and a malformed access faults); otherwise it
 * goes to mem_write.
 * Return: RVIMSIC_ROUTED_IMSIC, RVIMSIC_ROUTED_MEMORY, RVIMSIC_E_ACCESS
 *   (malformed IMSIC access), RVIMSIC_E_MEMORY (mem_write failed),
 *   RVIMSIC_E_RANGE (no IMSIC and no mem_write), RVIMSIC_E_INVAL.
 */
int rvimsic_bus_write(struct rvimsic_bus *bus, uint64_t pa, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RVIOMMU_IMSIC_H */
