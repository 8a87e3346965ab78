/* SPDX-License-Identifier: MIT
 *
 * model/config_fields.c - struct rvm_config and the capability bits by
 * name (model.h).  The one list of the model's implementation knobs that
 * text front ends use: `rviommu replay`'s reset op and the platform's
 * scenario "iommu" object both read configs through it, so a knob added to
 * struct rvm_config is added here once and reaches both.
 *
 * Invariants: (1) fields[] names every member of struct rvm_config once, in
 * declaration order (tests/unit/test_config_fields.c checks that the fields
 * tile the struct without overlap); (2) capability names are the §5.3 field
 * names in lower case.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "rviommu/model.h"

#define U(f)                                                                                       \
	{                                                                                          \
#f, offsetof(struct rvm_config, f), sizeof(((struct rvm_config *)0)->f), false     \
	}
#define B(f)                                                                                       \
	{                                                                                          \
#f, offsetof(struct rvm_config, f), sizeof(bool), true                             \
	}

static const struct rvm_config_field fields[] = {
    U(capabilities),     U(fctl),          U(fctl_writable),       U(ddtp_reset_mode),
    U(ddt_modes),        U(cq_log2sz_max), U(fq_log2sz_max),       U(pq_log2sz_max),
    U(iotlb_entries),    U(ddtc_entries),  U(pdtc_entries),        U(hpm_counters),
    U(hpm_counter_bits), U(icvec_bits),    U(rcid_bits),           U(mcid_bits),
    B(sxl_writable),     B(msi_be),        B(check_dc_addr_width), U(ats_inval_timeout),
    U(ats_inval_max),    U(gtlb_entries),  U(pwc_entries),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct {
	const char *alias, *name;
} aliases[] = {{"ioatc", "iotlb_entries"}, {"ddtp_mode", "ddtp_reset_mode"}};

/* §5.3 capabilities, by field name. */
static const struct {
	const char *name;
	uint64_t bit;
} caps[] = {
    {"sv32", RVI_CAP_SV32},
    {"sv39", RVI_CAP_SV39},
    {"sv48", RVI_CAP_SV48},
    {"sv57", RVI_CAP_SV57},
    {"svrsw60t59b", RVI_CAP_SVRSW60T59B},
    {"svpbmt", RVI_CAP_SVPBMT},
    {"sv32x4", RVI_CAP_SV32X4},
    {"sv39x4", RVI_CAP_SV39X4},
    {"sv48x4", RVI_CAP_SV48X4},
    {"sv57x4", RVI_CAP_SV57X4},
    {"amo_mrif", RVI_CAP_AMO_MRIF},
    {"msi_flat", RVI_CAP_MSI_FLAT},
    {"msi_mrif", RVI_CAP_MSI_MRIF},
    {"amo_hwad", RVI_CAP_AMO_HWAD},
    {"ats", RVI_CAP_ATS},
    {"t2gpa", RVI_CAP_T2GPA},
    {"end", RVI_CAP_END},
    {"hpm", RVI_CAP_HPM},
    {"dbg", RVI_CAP_DBG},
    {"pd8", RVI_CAP_PD8},
    {"pd17", RVI_CAP_PD17},
    {"pd20", RVI_CAP_PD20},
    {"qosid", RVI_CAP_QOSID},
    {"nl", RVI_CAP_NL},
    {"s", RVI_CAP_S},
};

const struct rvm_config_field *rvm_config_fields(size_t *n)
{
	*n = NFIELDS;
	return fields;
}

const struct rvm_config_field *rvm_config_field_find(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (size_t i = 0; i < NFIELDS; i++)
		if (!strcmp(name, fields[i].name))
			return &fields[i];
	return NULL;
}

int rvm_config_field_set(struct rvm_config *cfg, const struct rvm_config_field *f, uint64_t v)
{
	uint64_t max = f->is_bool     ? 1
	               : f->size >= 8 ? UINT64_MAX
	                              : (UINT64_C(1) << (8 * f->size)) - 1;
	if (v > max)
		return RVM_ERANGE;
	unsigned char *p = (unsigned char *)cfg + f->offset;
	if (f->is_bool) {
		bool b = v != 0;
		memcpy(p, &b, sizeof(b));
		return 0;
	}
	/* Little-endian host (checked in physmem): the low bytes of v. */
	memcpy(p, &v, f->size);
	return 0;
}

uint64_t rvm_config_field_get(const struct rvm_config *cfg, const struct rvm_config_field *f)
{
	const unsigned char *p = (const unsigned char *)cfg + f->offset;
	if (f->is_bool) {
		bool b;
		memcpy(&b, p, sizeof(b));
		return b;
	}
	uint64_t v = 0;
	memcpy(&v, p, f->size);
	return v;
}

uint64_t rvm_capability_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcasecmp(name, caps[i].name))
			return caps[i].bit;
	return 0;
}
