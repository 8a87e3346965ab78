/* SPDX-License-Identifier: MIT
 *
 * dt_internal.h - helpers shared by the files of src/dt/: the parse
 * context, error formatting, cell readers and growable arrays.
 *
 * Untrusted bytes: every property is read through libfdt with its length
 * checked against the cell layout before any cell is touched.
 */
#ifndef RVIOMMU_DT_INTERNAL_H
#define RVIOMMU_DT_INTERNAL_H

#include <stdarg.h>

#include "rviommu/devicetree.h"

struct rvdt_ctx {
	const void *fdt;
	struct rvdt_platform *p;
	char *err;
	size_t errlen;
};

/* Format "<path of node>: <fmt...>" into the error buffer; return -code. */
int rvdt_fail_(struct rvdt_ctx *c, int code, int node, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Format "<fmt...>" into @err; return -code. */
int rvdt_errf_(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* One u32 property: 0, or -RVDT_ERR_MISSING when absent and @required (else
 * *val = def), -RVDT_ERR_BADLEN when not exactly 4 bytes. */
int rvdt_read_u32_(struct rvdt_ctx *c, int node, const char *prop, bool required, uint32_t def,
                   uint32_t *val);

/* "reg" of @node as ranges, with the parent's #address-cells and
 * #size-cells (1 or 2 each; size 0 allowed).  *out is malloc()ed. */
int rvdt_read_reg_(struct rvdt_ctx *c, int node, struct rvdt_range **out, size_t *n);

/* Append one zeroed element to *arr (of *n elements of @size bytes). */
void *rvdt_grow_(void *arr_ptr, size_t *n, size_t size);

/* Node path into @buf (at most RVDT_PATH_MAX). */
void rvdt_path_(const void *fdt, int node, char *buf);

/* Index of the hart whose cpu-intc has @phandle, or -1. */
long rvdt_hart_by_intc_(const struct rvdt_platform *p, uint32_t phandle);

/* imsics.c: parse one riscv,imsics node into @im (harts already parsed). */
int rvdt_parse_imsic_(struct rvdt_ctx *c, int node, struct rvdt_imsic *im);

/* load.c: the path of dtc chosen at configure time ("" if none). */
const char *rvdt_dtc_path_(void);

#endif /* RVIOMMU_DT_INTERNAL_H */
