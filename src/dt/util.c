/* SPDX-License-Identifier: MIT
 *
 * util.c - small helpers of the device-tree loader: the error-string table
 * (built with designated initialisers so codes and names cannot drift, as
 * libfdt's fdt_strerror.c does), error formatting, property readers that
 * check lengths before reading cells, and growable arrays.
 *
 * Implements the cell rules of the Devicetree Specification v0.4 §2.3.5
 * (#address-cells, #size-cells) for 1- and 2-cell values.  No state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "dt/dt_internal.h"

#define RVDT_ERRTABENT(v) [(v)] = #v
static const char *const rvdt_errtab[] = {
    RVDT_ERRTABENT(RVDT_OK),           RVDT_ERRTABENT(RVDT_ERR_BADPARAM),
    RVDT_ERRTABENT(RVDT_ERR_IO),       RVDT_ERRTABENT(RVDT_ERR_NODTC),
    RVDT_ERRTABENT(RVDT_ERR_DTC),      RVDT_ERRTABENT(RVDT_ERR_BADDTB),
    RVDT_ERRTABENT(RVDT_ERR_MISSING),  RVDT_ERRTABENT(RVDT_ERR_BADLEN),
    RVDT_ERRTABENT(RVDT_ERR_RANGE),    RVDT_ERRTABENT(RVDT_ERR_BADPHANDLE),
    RVDT_ERRTABENT(RVDT_ERR_MISMATCH), RVDT_ERRTABENT(RVDT_ERR_OVERLAP),
    RVDT_ERRTABENT(RVDT_ERR_NOMEM),    RVDT_ERRTABENT(RVDT_ERR_INTERNAL),
};

const char *rvdt_strerror(int err)
{
	unsigned long i = err < 0 ? (unsigned long)-(long)err : (unsigned long)err;

	if (i < sizeof(rvdt_errtab) / sizeof(rvdt_errtab[0]) && rvdt_errtab[i])
		return rvdt_errtab[i];
	return "<unknown rvdt error>";
}

static int vformat_(char *err, size_t errlen, int code, const char *prefix, const char *fmt,
                    va_list ap)
{
	int n = 0;

	if (err && errlen) {
		if (prefix)
			n = snprintf(err, errlen, "%s: ", prefix);
		if (n >= 0 && (size_t)n < errlen)
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	}
	return -code;
}

int rvdt_errf_(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vformat_(err, errlen, code, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int rvdt_fail_(struct rvdt_ctx *c, int code, int node, const char *fmt, ...)
{
	char path[RVDT_PATH_MAX];
	va_list ap;
	int ret;

	rvdt_path_(c->fdt, node, path);
	va_start(ap, fmt);
	ret = vformat_(c->err, c->errlen, code, path, fmt, ap);
	va_end(ap);
	return ret;
}

void rvdt_path_(const void *fdt, int node, char *buf)
{
	if (fdt_get_path(fdt, node, buf, RVDT_PATH_MAX) < 0)
		snprintf(buf, RVDT_PATH_MAX, "<node at offset %d>", node);
}

int rvdt_read_u32_(struct rvdt_ctx *c, int node, const char *prop, bool required, uint32_t def,
                   uint32_t *val)
{
	int len;
	const fdt32_t *v = fdt_getprop(c->fdt, node, prop, &len);

	if (!v) {
		if (required)
			return rvdt_fail_(c, RVDT_ERR_MISSING, node, "%s is missing (required)",
			                  prop);
		*val = def;
		return 0;
	}
	if (len != 4)
		return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
		                  "%s has %d bytes, expected one cell (4)", prop, len);
	*val = fdt32_to_cpu(*v);
	return 0;
}

static uint64_t cells_(const fdt32_t *v, int n)
{
	uint64_t x = 0;

	for (int i = 0; i < n; i++)
		x = x << 32 | fdt32_to_cpu(v[i]);
	return x;
}

int rvdt_read_reg_(struct rvdt_ctx *c, int node, struct rvdt_range **out, size_t *n)
{
	int parent = fdt_parent_offset(c->fdt, node);
	int ac, sc, len, tuple;
	const fdt32_t *v;
	size_t i, count;

	*out = NULL;
	*n = 0;
	if (parent < 0)
		return rvdt_fail_(c, RVDT_ERR_BADDTB, node, "reg: no parent node (%s)",
		                  fdt_strerror(parent));
	ac = fdt_address_cells(c->fdt, parent);
	sc = fdt_size_cells(c->fdt, parent);
	if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
		return rvdt_fail_(c, RVDT_ERR_RANGE, node,
		                  "reg: parent #address-cells %d / "
		                  "#size-cells %d not supported (1..2 / 0..2)",
		                  ac, sc);
	v = fdt_getprop(c->fdt, node, "reg", &len);
	if (!v)
		return rvdt_fail_(c, RVDT_ERR_MISSING, node, "reg is missing (required)");
	tuple = (ac + sc) * 4;
	if (len <= 0 || len % tuple)
		return rvdt_fail_(c, RVDT_ERR_BADLEN, node,
		                  "reg has %d bytes, not a multiple of %d "
		                  "(#address-cells %d + #size-cells %d)",
		                  len, tuple, ac, sc);
	count = (size_t)len / (size_t)tuple;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return rvdt_fail_(c, RVDT_ERR_NOMEM, node, "reg: out of memory");
	for (i = 0; i < count; i++) {
		(*out)[i].base = cells_(v, ac);
		(*out)[i].size = cells_(v + ac, sc);
		v += ac + sc;
	}
	*n = count;
	return 0;
}

void *rvdt_grow_(void *arr_ptr, size_t *n, size_t size)
{
	void **arr = arr_ptr;
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

long rvdt_hart_by_intc_(const struct rvdt_platform *p, uint32_t phandle)
{
	for (size_t i = 0; i < p->nr_harts; i++)
		if (p->harts[i].intc_phandle && p->harts[i].intc_phandle == phandle)
			return (long)i;
	return -1;
}
