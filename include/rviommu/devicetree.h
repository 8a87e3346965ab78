/* SPDX-License-Identifier: MIT
 *
 * rviommu/devicetree.h - read the parts of a RISC-V device tree that an
 * IOMMU/IMSIC platform needs into one plain C struct.
 *
 * The loader reads a DTB (checked with libfdt's fdt_check_full()) or a DTS
 * (compiled by the dtc program found at configure time) and collects:
 *   - /cpus: each cpu's hart id and the phandle of its interrupt-controller
 *     child, so that interrupts-extended entries map to harts;
 *   - memory nodes (device_type = "memory"): RAM ranges;
 *   - "riscv,imsics" nodes at M and S level, with Linux's defaults and
 *     checks (CHECKLIST §11.4);
 *   - "riscv,iommu" / "riscv,pci-iommu" nodes: reg, interrupts, msi-parent;
 *   - PCI host bridges (device_type = "pci"): reg, msi-parent, iommu-map.
 * #address-cells/#size-cells of each parent are respected (1 or 2 cells).
 *
 * Bindings: Linux Documentation/devicetree/bindings/interrupt-controller/
 * riscv,imsics.yaml, iommu/riscv,iommu.yaml, pci/pci-iommu.txt; address
 * layout from RISC-V AIA v1.0 "IMSIC" (CHECKLIST §11.4).
 *
 * Errors follow libfdt: functions return 0 or -RVDT_ERR_*; rvdt_strerror()
 * names a code.  Functions that parse also take a caller buffer (may be NULL)
 * that receives one line naming the node path and the property, e.g.
 *   "/soc/imsics@28000000: riscv,num-ids = 40 is outside 63..2047".
 * No global state; every function is thread-safe on distinct arguments.
 */
#ifndef RVIOMMU_DEVICETREE_H
#define RVIOMMU_DEVICETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Error codes (returned negated)                                            */
/* ------------------------------------------------------------------------ */
enum rvdt_err {
	RVDT_OK = 0,
	/* bad parameters */
	RVDT_ERR_BADPARAM = 1, /* a NULL pointer or an index out of range */
	/* inputs that cannot be read */
	RVDT_ERR_IO = 2,     /* the file cannot be opened or read */
	RVDT_ERR_NODTC = 3,  /* a DTS was given but dtc was not found when
	                      * rviommu was configured: pass a DTB */
	RVDT_ERR_DTC = 4,    /* dtc failed; the message holds its stderr */
	RVDT_ERR_BADDTB = 5, /* empty, garbage, or a blob libfdt rejects */
	/* bad trees: the message names the node and the property */
	RVDT_ERR_MISSING = 6,    /* a required property is absent */
	RVDT_ERR_BADLEN = 7,     /* a property's length does not fit its cell
	                          * layout (truncated reg, ...) */
	RVDT_ERR_RANGE = 8,      /* a value is outside its legal range */
	RVDT_ERR_BADPHANDLE = 9, /* a phandle names no node, or a node of the
	                          * wrong kind */
	RVDT_ERR_MISMATCH = 10,  /* values that must agree do not (reg bases,
	                          * interrupt levels) */
	RVDT_ERR_OVERLAP = 11,   /* address index fields overlap */
	/* resources */
	RVDT_ERR_NOMEM = 12, /* allocation failed */
	/* can't happen */
	RVDT_ERR_INTERNAL = 13,
	RVDT_ERR_MAX = RVDT_ERR_INTERNAL,
};

const char *rvdt_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */
#define RVDT_PATH_MAX 256

struct rvdt_range {
	uint64_t base, size;
};

struct rvdt_hart {
	uint32_t hartid;       /* the cpu node's reg */
	uint32_t cpu_phandle;  /* 0 if none */
	uint32_t intc_phandle; /* its riscv,cpu-intc child, 0 if none */
	char path[RVDT_PATH_MAX];
};

enum rvdt_level {
	RVDT_LEVEL_M = 11, /* interrupts-extended IRQ 11: machine external */
	RVDT_LEVEL_S = 9,  /* IRQ 9: supervisor external */
};

struct rvdt_imsic_parent {
	size_t hart;     /* index into rvdt_platform.harts */
	uint32_t hartid; /* = harts[hart].hartid */
};

struct rvdt_imsic {
	char path[RVDT_PATH_MAX];
	uint32_t phandle;
	enum rvdt_level level;
	uint32_t num_ids;           /* riscv,num-ids */
	uint32_t num_guest_ids;     /* default num_ids */
	uint32_t guest_index_bits;  /* default 0 */
	uint32_t hart_index_bits;   /* default ceil(log2(nr_parents)) */
	uint32_t group_index_bits;  /* default 0 */
	uint32_t group_index_shift; /* default 24 */
	uint64_t base;              /* reg[0] with the index fields cleared */
	struct rvdt_range *regs;
	size_t nr_regs;
	struct rvdt_imsic_parent *parents; /* interrupts-extended order */
	size_t nr_parents;
};

struct rvdt_iommu {
	char path[RVDT_PATH_MAX];
	uint32_t phandle;
	bool pci;              /* "riscv,pci-iommu": a PCI function */
	struct rvdt_range reg; /* platform IOMMU: its register block */
	uint32_t pci_bdf;      /* PCI IOMMU: bus << 8 | devfn from reg */
	uint32_t *interrupts;  /* raw cells of "interrupts", may be NULL */
	size_t nr_interrupts;
	uint32_t msi_parent; /* phandle, 0 if none */
	int msi_imsic;       /* index into imsics, -1 if none */
};

struct rvdt_pci_host {
	char path[RVDT_PATH_MAX];
	struct rvdt_range reg;
	uint32_t msi_parent; /* phandle, 0 if none */
	int msi_imsic;       /* index into imsics, -1 if none */
};

/* One iommu-map tuple: RIDs rid_base..rid_base+length-1 of host become
 * stream IDs iommu_base.. on the IOMMU. */
struct rvdt_iommu_map {
	size_t host; /* index into pci_hosts */
	uint32_t rid_base;
	uint32_t iommu_phandle;
	uint32_t iommu_base;
	uint32_t length;
	int iommu; /* index into iommus, -1 if the phandle is not an IOMMU */
};

struct rvdt_platform {
	struct rvdt_hart *harts;
	size_t nr_harts;
	struct rvdt_range *memory;
	size_t nr_memory;
	struct rvdt_imsic *imsics; /* M and S level, in tree order */
	size_t nr_imsics;
	struct rvdt_iommu *iommus;
	size_t nr_iommus;
	struct rvdt_pci_host *pci_hosts;
	size_t nr_pci_hosts;
	struct rvdt_iommu_map *iommu_map;
	size_t nr_iommu_map;
};

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */
/**
 * rvdt_load_file - load a DTB or DTS file.  A file that starts with the FDT
 * magic is a DTB; a file that contains "/dts-v1/" is compiled with dtc.
 * Return: 0, -RVDT_ERR_BADPARAM, -RVDT_ERR_IO, -RVDT_ERR_NODTC,
 *   -RVDT_ERR_DTC, -RVDT_ERR_BADDTB, -RVDT_ERR_NOMEM, and any code of
 *   rvdt_load_dtb().
 */
int rvdt_load_file(const char *path, struct rvdt_platform **out, char *err, size_t errlen);

/**
 * rvdt_load_dtb - parse a blob of @size bytes (not kept after the call).
 * Return: 0, -RVDT_ERR_BADPARAM, -RVDT_ERR_BADDTB, -RVDT_ERR_MISSING,
 *   -RVDT_ERR_BADLEN, -RVDT_ERR_RANGE, -RVDT_ERR_BADPHANDLE,
 *   -RVDT_ERR_MISMATCH, -RVDT_ERR_OVERLAP, -RVDT_ERR_NOMEM.
 */
int rvdt_load_dtb(const void *blob, size_t size, struct rvdt_platform **out, char *err,
                  size_t errlen);

/**
 * rvdt_dtc_compile - run dtc on the DTS at @path (no shell; output through a
 * mkstemp() file) and return the DTB in *@blob (free() it).
 * Return: 0, -RVDT_ERR_BADPARAM, -RVDT_ERR_NODTC, -RVDT_ERR_DTC (message
 *   holds dtc's stderr), -RVDT_ERR_IO, -RVDT_ERR_NOMEM.
 */
int rvdt_dtc_compile(const char *path, void **blob, size_t *size, char *err, size_t errlen);

void rvdt_free(struct rvdt_platform *p);

/* ------------------------------------------------------------------------ */
/* IMSIC file addresses                                                      */
/* ------------------------------------------------------------------------ */
/**
 * rvdt_imsic_file_addr - the page of guest file @guest (0 = the S or M file)
 * of the hart at position @pos of interrupts-extended, found as Linux does:
 * offset pos * 2^guest_bits pages, walked across the reg regions, each
 * rounded up to 2^guest_bits pages.
 * Return: 0, -RVDT_ERR_BADPARAM (pos or guest out of range), -RVDT_ERR_RANGE
 *   (the regions are too small for @pos).
 */
int rvdt_imsic_file_addr(const struct rvdt_imsic *im, size_t pos, uint32_t guest, uint64_t *pa);

/**
 * rvdt_imsic_formula_addr - base | group << group_shift |
 * hart << (guest_bits + 12) | guest << 12.
 * Return: 0, -RVDT_ERR_BADPARAM (an index does not fit its field).
 */
int rvdt_imsic_formula_addr(const struct rvdt_imsic *im, uint32_t group, uint32_t hart,
                            uint32_t guest, uint64_t *pa);

struct rvimsic_config;

/**
 * rvdt_imsic_to_config - fill the topology fields of an IMSIC model config
 * (base, groups, harts, guests, num_ids, num_guest_ids, the four index
 * fields, m_level) from @im; the other fields are left as they are.  Hart
 * position p becomes group p >> hart_index_bits, hart p & (2^bits - 1), and
 * guests = 2^guest_index_bits - 1.  The call fails unless every position's
 * Linux address equals the formula address of that (group, hart), so the
 * model and Linux agree on every page.
 * Return: 0, -RVDT_ERR_BADPARAM, -RVDT_ERR_MISMATCH (Linux's walk over the
 *   reg regions and the formula disagree), -RVDT_ERR_RANGE (guests above 63
 *   or an M-level node with guest bits).
 */
int rvdt_imsic_to_config(const struct rvdt_imsic *im, struct rvimsic_config *cfg);

#ifdef __cplusplus
}
#endif

#endif /* RVIOMMU_DEVICETREE_H */
