/* SPDX-License-Identifier: MIT
 *
 * cli/replay_config.c - the "reset" op's config keys.  Every field of
 * struct rvm_config can be set by its own name; "ioatc" is shorthand for
 * iotlb_entries and "ddtp_mode" for ddtp_reset_mode (the model's field
 * table, rvm_config_field_find()).  The keys may sit at
 * the top level of the line or inside a "config" object.  An unknown key is
 * an error that names it.  Whether the result is a legal implementation is
 * for rvm_create() to decide.
 */
#include <stddef.h>
#include <string.h>

#include "cli/replay.h"

/* One key: the field list is the model's (rvm_config_field_find), so
 * every knob of struct rvm_config is reachable here. */
static int set_key(const struct rvm_config_field *f, const char *name, const json_t *o,
                   struct rvm_config *cfg, struct jget_err *e)
{
	uint64_t v;
	if (f->is_bool) {
		bool b;
		if (jget_bool_opt(o, name, false, &b, e))
			return -1;
		v = b;
	} else {
		uint64_t max = f->size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * f->size)) - 1;
		if (jget_u64(o, name, max, &v, e))
			return -1;
	}
	return rvm_config_field_set(cfg, f, v) ? jget_fail(e, "%s: out of range", name) : 0;
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
		const struct rvm_config_field *f = rvm_config_field_find(name);
		if (!f)
			return jget_fail(e, "unknown config key \"%s\"", name);
		if (set_key(f, name, o, cfg, e))
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
