/* SPDX-License-Identifier: MIT
 *
 * platform/scen_iommu.c - the scenario's optional "iommu" object: the
 * implementation (struct rvm_config) every IOMMU of the platform is built
 * with, as rvm_config_default() edited field by field.
 *
 * Keys: every field of struct rvm_config by its own name (integers as in
 * the rest of the format, booleans as JSON booleans), plus
 * "clear_capabilities" and "set_capabilities": arrays of capability bit
 * names (RISC-V IOMMU 1.0 §5.3: "sv39", "sv39x4", "msi_flat", "ats", ...,
 * case-insensitive) applied after "capabilities".  The key list repeats
 * the one of `rviommu replay`'s reset op (src/cli/replay_config.c, owned by
 * the CLI and tied to its JSON helpers) rather than sharing it, and adds
 * gtlb_entries and pwc_entries.
 *
 * Whether the result is a legal implementation is for rvm_create() to
 * decide: it is asked at parse time, and an RVM_ECONFIG names the key
 * whose reverting to the default makes the config legal (or
 * "iommu.capabilities" when none alone does).
 *
 * Invariants: (1) unknown keys, unknown capability names and out-of-range
 * values are errors naming "iommu.<key>"; (2) a successful parse leaves a
 * config rvm_create() accepts; (3) nothing here is global state.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/scen.h"
#include "rviommu/spec.h"

enum kind { K_U, K_B };

struct key {
	const char *name;
	size_t off, size;
	enum kind kind;
};

#define U(f)                                                                                       \
	{                                                                                          \
#f, offsetof(struct rvm_config, f), sizeof(((struct rvm_config *)0)->f), K_U       \
	}
#define B(f)                                                                                       \
	{                                                                                          \
#f, offsetof(struct rvm_config, f), sizeof(bool), K_B                              \
	}

static const struct key keys_[] = {
    U(capabilities),     U(fctl),          U(fctl_writable),       U(ddtp_reset_mode),
    U(ddt_modes),        U(cq_log2sz_max), U(fq_log2sz_max),       U(pq_log2sz_max),
    U(iotlb_entries),    U(ddtc_entries),  U(pdtc_entries),        U(hpm_counters),
    U(hpm_counter_bits), U(icvec_bits),    U(rcid_bits),           U(mcid_bits),
    B(sxl_writable),     B(msi_be),        B(check_dc_addr_width), U(ats_inval_timeout),
    U(ats_inval_max),    U(gtlb_entries),  U(pwc_entries),
};
#define NKEYS (sizeof(keys_) / sizeof(keys_[0]))

static const struct {
	const char *name;
	uint64_t bit;
} caps_[] = {
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

__attribute__((format(printf, 3, 4))) static int fail_(char *err, size_t errlen, const char *fmt,
                                                       ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return RVSIM_E_SCENARIO;
}

/* A JSON integer >= 0, or "0x<hex>" / "<decimal>" (as everywhere in the format). */
static int uint_(const json_t *v, const char *key, uint64_t max, uint64_t *out, char *err,
                 size_t errlen)
{
	uint64_t x;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return fail_(err, errlen, "iommu.%s: must not be negative", key);
		x = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		int base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
		if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
			return fail_(err, errlen, "iommu.%s: \"%s\" is not a number", key, s);
		x = strtoull(s, &end, base);
		if (*end || (base == 16 && !s[2]))
			return fail_(err, errlen, "iommu.%s: \"%s\" is not a number", key, s);
	} else {
		return fail_(err, errlen, "iommu.%s: must be an integer or a \"0x...\" string",
		             key);
	}
	if (x > max)
		return fail_(err, errlen, "iommu.%s: %llu is larger than %llu", key,
		             (unsigned long long)x, (unsigned long long)max);
	*out = x;
	return 0;
}

static int set_(const struct key *k, const json_t *v, struct rvm_config *cfg, char *err,
                size_t errlen)
{
	unsigned char *p = (unsigned char *)cfg + k->off;
	if (k->kind == K_B) {
		if (!json_is_boolean(v))
			return fail_(err, errlen, "iommu.%s: must be true or false", k->name);
		bool b = json_is_true(v);
		memcpy(p, &b, sizeof(b));
		return 0;
	}
	uint64_t max = k->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * k->size)) - 1, x = 0;
	int r = uint_(v, k->name, max, &x, err, errlen);
	if (r)
		return r;
	uint8_t x8 = (uint8_t)x;
	uint16_t x16 = (uint16_t)x;
	uint32_t x32 = (uint32_t)x;
	memcpy(p,
	       k->size == 1   ? (void *)&x8
	       : k->size == 2 ? (void *)&x16
	       : k->size == 4 ? (void *)&x32
	                      : (void *)&x,
	       k->size);
	return 0;
}

/* The capability bits an array of names selects. */
static int cap_list_(const json_t *a, const char *key, uint64_t *bits, char *err, size_t errlen)
{
	*bits = 0;
	if (!json_is_array(a))
		return fail_(err, errlen, "iommu.%s: must be an array of capability names", key);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *n = json_array_get(a, i);
		size_t k = 0;
		while (json_is_string(n) && k < sizeof(caps_) / sizeof(caps_[0]) &&
		       strcasecmp(caps_[k].name, json_string_value(n)))
			k++;
		if (!json_is_string(n) || k == sizeof(caps_) / sizeof(caps_[0]))
			return fail_(
			    err, errlen,
			    "iommu.%s[%zu]: not a capability name (sv32, sv39, sv48, sv57, "
			    "sv39x4, ..., msi_flat, msi_mrif, ats, t2gpa, hpm, dbg, ...)",
			    key, i);
		*bits |= caps_[k].bit;
	}
	return 0;
}

static int op_read_(void *c, uint64_t pa, void *buf, size_t len, const struct rvm_mem_attr *a)
{
	(void)c, (void)pa, (void)a;
	memset(buf, 0, len);
	return RVM_MEM_ACCESS_FAULT;
}

static int op_write_(void *c, uint64_t pa, const void *buf, size_t len,
                     const struct rvm_mem_attr *a)
{
	(void)c, (void)pa, (void)buf, (void)len, (void)a;
	return RVM_MEM_ACCESS_FAULT;
}

static bool legal_(const struct rvm_config *cfg)
{
	static const struct rvm_host_ops ops = {.mem_read = op_read_, .mem_write = op_write_};
	int e = 0;
	struct rvm *m = rvm_create(cfg, &ops, NULL, &e);
	if (m)
		rvm_destroy(m);
	return m != NULL || e != RVM_ECONFIG;
}

int scen_parse_iommu(const struct json_t *o, struct rvm_config *cfg, char *err, size_t errlen)
{
	struct rvm_config def;
	const char *name;
	json_t *v;
	uint64_t set = 0, clear = 0;
	int r;
	if (!json_is_object(o))
		return fail_(err, errlen, "iommu: must be an object");
	rvm_config_default(&def);
	*cfg = def;
	json_object_foreach((json_t *)o, name, v)
	{
		if (!strcmp(name, "clear_capabilities") || !strcmp(name, "set_capabilities")) {
			uint64_t bits;
			if ((r = cap_list_(v, name, &bits, err, errlen)))
				return r;
			*(name[0] == 'c' ? &clear : &set) |= bits;
			continue;
		}
		size_t i = 0;
		while (i < NKEYS && strcmp(keys_[i].name, name))
			i++;
		if (i == NKEYS)
			return fail_(err, errlen,
			             "iommu.%s: unknown field (the fields of struct rvm_config, "
			             "clear_capabilities, set_capabilities)",
			             name);
		if ((r = set_(&keys_[i], v, cfg, err, errlen)))
			return r;
	}
	cfg->capabilities = (cfg->capabilities & ~clear) | set;
	if (legal_(cfg))
		return 0;
	/* name the key whose default value makes the config legal */
	json_object_foreach((json_t *)o, name, v)
	{
		struct rvm_config t = *cfg;
		const char *field = name;
		if (!strcmp(name, "clear_capabilities") || !strcmp(name, "set_capabilities")) {
			t.capabilities = def.capabilities;
		} else {
			size_t i = 0;
			while (strcmp(keys_[i].name, name))
				i++;
			memcpy((unsigned char *)&t + keys_[i].off,
			       (const unsigned char *)&def + keys_[i].off, keys_[i].size);
		}
		if (legal_(&t))
			return fail_(err, errlen,
			             "iommu.%s: not a legal implementation (rvm_create: %s)", field,
			             rvm_strerror(RVM_ECONFIG));
	}
	return fail_(err, errlen, "iommu.capabilities: not a legal implementation (rvm_create: %s)",
	             rvm_strerror(RVM_ECONFIG));
}
