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
 * case-insensitive) applied after "capabilities".  Field and capability
 * names come from the model (rvm_config_field_find, rvm_capability_by_name),
 * the same list `rviommu replay`'s reset op uses.
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

#include "platform/scen.h"
#include "util/json_num.h"
#include "rviommu/spec.h"

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
	uint64_t x = 0;
	switch (rv_json_u64(v, true, &x)) {
	case RV_JSON_NUM_OK:
		break;
	case RV_JSON_NUM_NEGATIVE:
		return fail_(err, errlen, "iommu.%s: must not be negative", key);
	case RV_JSON_NUM_SYNTAX:
		return fail_(err, errlen, "iommu.%s: \"%s\" is not a number", key,
		             json_string_value(v));
	case RV_JSON_NUM_OVERFLOW:
		return fail_(err, errlen, "iommu.%s: \"%s\" does not fit in 64 bits", key,
		             json_string_value(v));
	default:
		return fail_(err, errlen, "iommu.%s: must be an integer or a \"0x...\" string",
		             key);
	}
	if (x > max)
		return fail_(err, errlen, "iommu.%s: %llu is larger than %llu", key,
		             (unsigned long long)x, (unsigned long long)max);
	*out = x;
	return 0;
}

static int set_(const struct rvm_config_field *k, const json_t *v, struct rvm_config *cfg,
                char *err, size_t errlen)
{
	uint64_t x = 0;
	if (k->is_bool) {
		if (!json_is_boolean(v))
			return fail_(err, errlen, "iommu.%s: must be true or false", k->name);
		x = json_is_true(v);
	} else {
		uint64_t max = k->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * k->size)) - 1;
		int r = uint_(v, k->name, max, &x, err, errlen);
		if (r)
			return r;
	}
	rvm_config_field_set(cfg, k, x); /* in range: checked above */
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
		uint64_t bit = json_is_string(n) ? rvm_capability_by_name(json_string_value(n)) : 0;
		if (!bit)
			return fail_(
			    err, errlen,
			    "iommu.%s[%zu]: not a capability name (sv32, sv39, sv48, sv57, "
			    "sv39x4, ..., msi_flat, msi_mrif, ats, t2gpa, hpm, dbg, ...)",
			    key, i);
		*bits |= bit;
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
		const struct rvm_config_field *f = rvm_config_field_find(name);
		if (!f)
			return fail_(err, errlen,
			             "iommu.%s: unknown field (the fields of struct rvm_config, "
			             "clear_capabilities, set_capabilities)",
			             name);
		if ((r = set_(f, v, cfg, err, errlen)))
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
			const struct rvm_config_field *f = rvm_config_field_find(name);
			rvm_config_field_set(&t, f, rvm_config_field_get(&def, f));
		}
		if (legal_(&t))
			return fail_(err, errlen,
			             "iommu.%s: not a legal implementation (rvm_create: %s)", field,
			             rvm_strerror(RVM_ECONFIG));
	}
	return fail_(err, errlen, "iommu.capabilities: not a legal implementation (rvm_create: %s)",
	             rvm_strerror(RVM_ECONFIG));
}
