/* SPDX-License-Identifier: MIT
 *
 * cli/replay_config.c - the "reset" op's config keys.  Every field of
 * struct rvm_config can be set by its own name; "ioatc" is shorthand for
 * iotlb_entries and "ddtp_mode" for ddtp_reset_mode.  The keys may sit at
 * the top level of the line or inside a "config" object.  An unknown key is
 * an error that names it.  Whether the result is a legal implementation is
 * for rvm_create() to decide.
 */
#include <stddef.h>
#include <string.h>

#include "cli/replay.h"

enum cfg_kind { CFG_UINT, CFG_BOOL };

struct cfg_key {
	const char *name;
	size_t off;
	size_t size;
	enum cfg_kind kind;
};

#define U(field)                                                                                   \
	{                                                                                          \
#field, offsetof(struct rvm_config, field),                                        \
		    sizeof(((struct rvm_config *)0)->field), CFG_UINT                              \
	}
#define B(field)                                                                                   \
	{                                                                                          \
#field, offsetof(struct rvm_config, field), sizeof(bool), CFG_BOOL                 \
	}
#define ALIAS(name, field)                                                                         \
	{                                                                                          \
		name, offsetof(struct rvm_config, field), sizeof(((struct rvm_config *)0)->field), \
		    CFG_UINT                                                                       \
	}

static const struct cfg_key keys[] = {
    U(capabilities),
    U(fctl),
    U(fctl_writable),
    U(ddtp_reset_mode),
    ALIAS("ddtp_mode", ddtp_reset_mode),
    U(ddt_modes),
    U(cq_log2sz_max),
    U(fq_log2sz_max),
    U(pq_log2sz_max),
    U(iotlb_entries),
    ALIAS("ioatc", iotlb_entries),
    U(ddtc_entries),
    U(pdtc_entries),
    U(hpm_counters),
    U(hpm_counter_bits),
    U(icvec_bits),
    U(rcid_bits),
    U(mcid_bits),
    B(sxl_writable),
    B(msi_be),
    B(check_dc_addr_width),
    U(ats_inval_timeout),
    U(ats_inval_max),
};

static int set_key(const struct cfg_key *k, const json_t *o, struct rvm_config *cfg,
                   struct jget_err *e)
{
	unsigned char *p = (unsigned char *)cfg + k->off;
	if (k->kind == CFG_BOOL) {
		bool b;
		if (jget_bool_opt(o, k->name, false, &b, e))
			return -1;
		memcpy(p, &b, sizeof(b));
		return 0;
	}
	uint64_t max = k->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * k->size)) - 1;
	uint64_t v;
	if (jget_u64(o, k->name, max, &v, e))
		return -1;
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;
	switch (k->size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
	return 0;
}

/* Apply every key of o except those in 'skip' (NULL-terminated). */
static int apply_object(const json_t *o, const char *const *skip, struct rvm_config *cfg,
                        struct jget_err *e)
{
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)o, name, v)
	{
		size_t i;
		for (i = 0; skip[i]; i++)
			if (!strcmp(skip[i], name))
				break;
		if (skip[i])
			continue;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(keys[i].name, name))
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return jget_fail(e, "unknown config key \"%s\"", name);
		if (set_key(&keys[i], o, cfg, e))
			return -1;
	}
	return 0;
}

int replay_parse_config(const json_t *o, struct rvm_config *cfg, struct jget_err *e)
{
	static const char *const top_skip[] = {"op", "config", NULL};
	static const char *const no_skip[] = {NULL};
	if (apply_object(o, top_skip, cfg, e))
		return -1;
	const json_t *c = json_object_get(o, "config");
	if (!c)
		return 0;
	if (!json_is_object(c))
		return jget_fail(e, "config: expected an object");
	return apply_object(c, no_skip, cfg, e);
}
