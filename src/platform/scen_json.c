/* SPDX-License-Identifier: MIT
 *
 * platform/scen_json.c - parse and validate a scenario (JSON, jansson) into
 * struct rvsim_scenario.  The format is documented in
 * docs/scenario-format.md; this file is its only reader.
 *
 * Every error names the field by its JSON path ("steps[3].device",
 * "domains[0].maps[1].size") and says what was wrong; nothing is
 * half-accepted: on error everything parsed so far is freed.
 *
 * Invariants (what a successful parse guarantees; see scen.h):
 *   (1) unknown keys are errors (typos never silently fall back to defaults);
 *   (2) names are unique per kind and every reference resolves;
 *   (3) sizes are non-zero, IOVAs/PAs/sizes of mappings are 4 KiB-aligned,
 *       and no range wraps.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "platform/scen.h"
#include "util/json_num.h"
#include "rviommu/driver.h"

#define MAX_STEPS 100000
#define MAX_ITEMS 4096
#define PAGE 4096u

struct pctx {
	char *err;
	size_t errlen;
	struct rvsim_scenario *s;
};

__attribute__((format(printf, 2, 3))) static int fail_(struct pctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return RVSIM_E_SCENARIO;
}

static int keys_(struct pctx *c, const json_t *o, const char *path, const char *const *allowed)
{
	const char *k;
	json_t *v;
	if (!json_is_object(o))
		return fail_(c, "%s: must be an object", path);
	json_object_foreach((json_t *)o, k, v)
	{
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], k))
			i++;
		if (!allowed[i])
			return fail_(c, "%s.%s: unknown field", path, k);
	}
	return 0;
}

/* Integer: a JSON integer >= 0 or a string "0x<hex>" / "<decimal>". */
static int u64_(struct pctx *c, const json_t *o, const char *path, const char *key, bool required,
                uint64_t dflt, uint64_t min, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	uint64_t x;
	if (!v) {
		if (required)
			return fail_(c, "%s.%s: missing (required)", path, key);
		*out = dflt;
		return 0;
	}
	switch (rv_json_u64(v, true, &x)) {
	case RV_JSON_NUM_OK:
		break;
	case RV_JSON_NUM_NEGATIVE:
		return fail_(c, "%s.%s: must not be negative", path, key);
	case RV_JSON_NUM_SYNTAX:
		return fail_(c, "%s.%s: \"%s\" is not a number", path, key, json_string_value(v));
	case RV_JSON_NUM_OVERFLOW:
		return fail_(c, "%s.%s: \"%s\" does not fit in 64 bits", path, key,
		             json_string_value(v));
	default:
		return fail_(c, "%s.%s: must be an integer or a \"0x...\" string", path, key);
	}
	if (x < min || x > max)
		return fail_(c, "%s.%s: %llu is outside %llu..%llu", path, key,
		             (unsigned long long)x, (unsigned long long)min,
		             (unsigned long long)max);
	*out = x;
	return 0;
}

static int str_(struct pctx *c, const json_t *o, const char *path, const char *key, bool required,
                const char **out)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (required)
			return fail_(c, "%s.%s: missing (required)", path, key);
		*out = NULL;
		return 0;
	}
	if (!json_is_string(v))
		return fail_(c, "%s.%s: must be a string", path, key);
	*out = json_string_value(v);
	return 0;
}

static int choice_(struct pctx *c, const json_t *o, const char *path, const char *key,
                   const char *const *names, int dflt, int *out)
{
	const char *s;
	int r = str_(c, o, path, key, dflt < 0, &s);
	if (r)
		return r;
	if (!s) {
		*out = dflt;
		return 0;
	}
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s)) {
			*out = i;
			return 0;
		}
	char list[160] = "";
	for (int i = 0; names[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
		         names[i]);
	return fail_(c, "%s.%s: \"%s\" is not one of %s", path, key, s, list);
}

static int name_(struct pctx *c, const json_t *o, const char *path, char *dst)
{
	const char *s;
	int r = str_(c, o, path, "name", true, &s);
	if (r)
		return r;
	if (!s[0] || strlen(s) >= SCEN_NAME)
		return fail_(c, "%s.name: must be 1..%d characters", path, SCEN_NAME - 1);
	strcpy(dst, s);
	return 0;
}

static int find_dev_(const struct rvsim_scenario *s, const char *n)
{
	for (size_t i = 0; i < s->ndevs; i++)
		if (!strcmp(s->devs[i].name, n))
			return (int)i;
	return -1;
}

static int find_dom_(const struct rvsim_scenario *s, const char *n)
{
	for (size_t i = 0; i < s->ndoms; i++)
		if (!strcmp(s->doms[i].name, n))
			return (int)i;
	return -1;
}

static int find_vm_(const struct rvsim_scenario *s, const char *n)
{
	for (size_t i = 0; i < s->nvms; i++)
		if (!strcmp(s->vms[i].name, n))
			return (int)i;
	return -1;
}

static int ref_(struct pctx *c, const json_t *o, const char *path, const char *key, int kind,
                int *out)
{
	const char *n;
	int r = str_(c, o, path, key, true, &n);
	if (r)
		return r;
	*out = kind == 0 ? find_dev_(c->s, n) : kind == 1 ? find_dom_(c->s, n) : find_vm_(c->s, n);
	if (*out < 0)
		return fail_(c, "%s.%s: no %s named '%s'", path, key,
		             kind == 0   ? "device"
		             : kind == 1 ? "domain"
		                         : "vm",
		             n);
	return 0;
}

static int array_(struct pctx *c, const json_t *o, const char *path, const char *key, bool required,
                  size_t max, json_t **out)
{
	json_t *v = json_object_get(o, key);
	*out = v;
	if (!v) {
		if (required)
			return fail_(c, "%s.%s: missing (required)", path, key);
		return 0;
	}
	if (!json_is_array(v))
		return fail_(c, "%s.%s: must be an array", path, key);
	if (json_array_size(v) > max)
		return fail_(c, "%s.%s: more than %zu entries", path, key, max);
	return 0;
}

/* ---- devices ---- */

static int parse_bdf_(struct pctx *c, const json_t *o, const char *path, uint32_t *bdf)
{
	const char *s;
	unsigned b, d, f;
	char tail;
	int r = str_(c, o, path, "bdf", true, &s);
	if (r)
		return r;
	if (sscanf(s, "%2x:%2x.%1x%c", &b, &d, &f, &tail) != 3 || d > 31 || f > 7)
		return fail_(c, "%s.bdf: \"%s\" is not bus:device.function (e.g. \"00:01.0\")",
		             path, s);
	*bdf = b << 8 | d << 3 | f;
	return 0;
}

static int parse_dev_(struct pctx *c, const json_t *o, const char *path, struct scen_dev *d)
{
	static const char *const keys[] = {"name", "bdf", "vectors", "affinity",
	                                   "ats",  "pri", NULL};
	uint64_t v = 0;
	json_t *aff;
	int r = keys_(c, o, path, keys);
	if (!r)
		r = name_(c, o, path, d->name);
	if (!r && find_dev_(c->s, d->name) >= 0)
		r = fail_(c, "%s.name: a device named '%s' already exists", path, d->name);
	if (!r)
		r = parse_bdf_(c, o, path, &d->bdf);
	for (size_t i = 0; !r && i < c->s->ndevs; i++)
		if (c->s->devs[i].bdf == d->bdf)
			r = fail_(c, "%s.bdf: device '%s' already has this bdf", path,
			          c->s->devs[i].name);
	if (!r)
		r = u64_(c, o, path, "vectors", false, 2, 1, SCEN_MAX_VEC, &v);
	if (r)
		return r;
	d->vectors = (unsigned)v;
	json_t *ats = json_object_get(o, "ats");
	if (ats && !json_is_boolean(ats))
		return fail_(c, "%s.ats: must be true or false", path);
	d->ats = ats && json_is_true(ats);
	json_t *pri = json_object_get(o, "pri");
	if (pri && !json_is_boolean(pri))
		return fail_(c, "%s.pri: must be true or false", path);
	d->pri = pri && json_is_true(pri);
	if (d->pri && !d->ats)
		return fail_(c, "%s.pri: needs \"ats\": true", path);
	if ((r = array_(c, o, path, "affinity", false, SCEN_MAX_VEC, &aff)))
		return r;
	for (unsigned i = 0; i < d->vectors; i++) {
		json_t *h = aff ? json_array_get(aff, i) : NULL;
		d->hart[i] = i;
		if (h && (!json_is_integer(h) || json_integer_value(h) < 0 ||
		          json_integer_value(h) > 4095))
			return fail_(c, "%s.affinity[%u]: must be a hart index 0..4095", path, i);
		if (h)
			d->hart[i] = (uint32_t)json_integer_value(h);
	}
	if (aff && json_array_size(aff) > d->vectors)
		return fail_(c, "%s.affinity: %zu entries for %u vectors", path,
		             json_array_size(aff), d->vectors);
	return 0;
}

/* ---- mappings ---- */

static int parse_prot_(struct pctx *c, const json_t *o, const char *path, unsigned *prot)
{
	const char *s;
	int r = str_(c, o, path, "prot", false, &s);
	if (r)
		return r;
	*prot = RVD_PROT_READ | RVD_PROT_WRITE;
	if (!s)
		return 0;
	if (!strcmp(s, "r"))
		*prot = RVD_PROT_READ;
	else if (!strcmp(s, "w"))
		*prot = RVD_PROT_WRITE;
	else if (strcmp(s, "rw"))
		return fail_(c, "%s.prot: \"%s\" is not one of r, w, rw", path, s);
	return 0;
}

static int parse_map_(struct pctx *c, const json_t *o, const char *path, struct scen_map *m,
                      bool for_step)
{
	static const char *const keys[] = {"name", "iova", "size", "pa", "prot", "demand", NULL};
	static const char *const skeys[] = {"op",   "domain", "name", "iova",
	                                    "size", "pa",     "prot", NULL};
	json_t *pa = json_object_get(o, "pa");
	int r = keys_(c, o, path, for_step ? skeys : keys);
	m->pa_ref_dom = m->pa_ref_map = -1;
	if (!r && json_object_get(o, "name"))
		r = name_(c, o, path, m->name);
	if (!r)
		r = u64_(c, o, path, "iova", true, 0, 0, (UINT64_C(1) << 48) - PAGE, &m->iova);
	if (!r)
		r = u64_(c, o, path, "size", true, 0, PAGE, UINT64_C(1) << 32, &m->size);
	if (!r && ((m->iova | m->size) & (PAGE - 1)))
		r = fail_(c, "%s: iova and size must be multiples of 4096", path);
	if (!r && m->iova + m->size > (UINT64_C(1) << 48))
		r = fail_(c, "%s: iova + size is beyond 2^48", path);
	if (!r)
		r = parse_prot_(c, o, path, &m->prot);
	if (r)
		return r;
	json_t *dm = json_object_get(o, "demand");
	if (dm && !json_is_boolean(dm))
		return fail_(c, "%s.demand: must be true or false", path);
	m->demand = dm && json_is_true(dm);
	m->pa_auto = !pa || (json_is_string(pa) && !strcmp(json_string_value(pa), "auto"));
	if (m->pa_auto)
		return 0;
	if (json_is_string(pa) && json_string_value(pa)[0] == '@') {
		char dom[SCEN_NAME * 2];
		snprintf(dom, sizeof(dom), "%s", json_string_value(pa) + 1);
		char *dot = strchr(dom, '.');
		if (!dot)
			return fail_(c, "%s.pa: \"%s\" is not \"@domain.map\"", path,
			             json_string_value(pa));
		*dot = 0;
		m->pa_ref_dom = find_dom_(c->s, dom);
		if (m->pa_ref_dom < 0)
			return fail_(c, "%s.pa: no domain named '%s' (defined earlier)", path, dom);
		const struct scen_dom *d = &c->s->doms[m->pa_ref_dom];
		for (size_t i = 0; i < d->nmaps; i++)
			if (!strcmp(d->maps[i].name, dot + 1))
				m->pa_ref_map = (int)i;
		if (m->pa_ref_map < 0)
			return fail_(c, "%s.pa: domain '%s' has no map named '%s'", path, dom,
			             dot + 1);
		if (d->maps[m->pa_ref_map].size < m->size)
			return fail_(c, "%s.size: larger than the shared map '%s'", path, dot + 1);
		return 0;
	}
	r = u64_(c, o, path, "pa", true, 0, 0, (UINT64_C(1) << 56) - PAGE, &m->pa);
	if (!r && (m->pa & (PAGE - 1)))
		r = fail_(c, "%s.pa: must be a multiple of 4096", path);
	return r;
}

/* ---- domains ---- */

static int parse_dom_(struct pctx *c, const json_t *o, const char *path, struct scen_dom *d)
{
	static const char *const keys[] = {"name", "type", "stage", "devices", "maps", NULL};
	static const char *const types[] = {"dma", "identity", "blocked", NULL};
	static const char *const stages[] = {"auto", "first", "second", NULL};
	char sub[96];
	json_t *devs, *maps;
	int t, st;
	int r = keys_(c, o, path, keys);
	if (!r)
		r = name_(c, o, path, d->name);
	if (!r && find_dom_(c->s, d->name) >= 0)
		r = fail_(c, "%s.name: a domain named '%s' already exists", path, d->name);
	if (!r)
		r = choice_(c, o, path, "type", types, 0, &t);
	if (!r)
		r = choice_(c, o, path, "stage", stages, 0, &st);
	if (!r)
		r = array_(c, o, path, "devices", false, SCEN_MAX_DEVS, &devs);
	if (!r)
		r = array_(c, o, path, "maps", false, MAX_ITEMS, &maps);
	if (r)
		return r;
	d->type = (enum scen_dom_type)t;
	d->stage = (enum scen_stage)st;
	if (maps && d->type != DOM_DMA && json_array_size(maps))
		return fail_(c, "%s.maps: only \"dma\" domains have mappings", path);
	d->devs = calloc(devs ? json_array_size(devs) + 1 : 1, sizeof(int));
	d->maps = calloc(maps ? json_array_size(maps) + 1 : 1, sizeof(*d->maps));
	if (!d->devs || !d->maps)
		return RVSIM_E_NOMEM;
	for (size_t i = 0; devs && i < json_array_size(devs); i++) {
		json_t *n = json_array_get(devs, i);
		int k = json_is_string(n) ? find_dev_(c->s, json_string_value(n)) : -1;
		if (k < 0)
			return fail_(c, "%s.devices[%zu]: not the name of a device", path, i);
		for (size_t j = 0; j < c->s->ndoms; j++)
			for (size_t q = 0; q < c->s->doms[j].ndevs; q++)
				if (c->s->doms[j].devs[q] == k)
					return fail_(
					    c, "%s.devices[%zu]: '%s' is already in domain '%s'",
					    path, i, c->s->devs[k].name, c->s->doms[j].name);
		for (size_t q = 0; q < d->ndevs; q++)
			if (d->devs[q] == k)
				return fail_(c, "%s.devices[%zu]: listed twice", path, i);
		d->devs[d->ndevs++] = k;
	}
	for (size_t i = 0; maps && i < json_array_size(maps); i++) {
		snprintf(sub, sizeof(sub), "%s.maps[%zu]", path, i);
		r = parse_map_(c, json_array_get(maps, i), sub, &d->maps[i], false);
		d->nmaps = i + 1;
		if (r)
			return r;
		for (size_t j = 0; j < i; j++) {
			const struct scen_map *a = &d->maps[j], *b = &d->maps[i];
			if (a->iova < b->iova + b->size && b->iova < a->iova + a->size)
				return fail_(c, "%s.iova: overlaps %s.maps[%zu]", sub, path, j);
			if (a->name[0] && !strcmp(a->name, b->name))
				return fail_(c, "%s.name: '%s' is used twice", sub, b->name);
		}
	}
	return 0;
}

/* ---- steps ---- */

/* "device" (a name) and "vector" (0 .. that device's vectors - 1, default
 * 0), the target of msi and affinity steps. */
static int device_vector_(struct pctx *c, const json_t *o, const char *path, struct scen_step *st)
{
	uint64_t v = 0;
	int r = ref_(c, o, path, "device", 0, &st->dev);
	if (!r)
		r = u64_(c, o, path, "vector", false, 0, 0, c->s->devs[st->dev].vectors - 1, &v);
	st->vector = (unsigned)v;
	return r;
}

static int parse_step_(struct pctx *c, const json_t *o, const char *path, struct scen_step *st)
{
	static const char *const ops[] = {"dma",       "msi",          "affinity", "detach",
	                                  "attach",    "map",          "unmap",    "wait",
	                                  "vm_assign", "vcpu_migrate", NULL};
	static const char *const k_dma[] = {"op",   "device", "dir",    "pattern", "iova",
	                                    "size", "chunk",  "stride", "count",   NULL};
	static const char *const k_msi[] = {"op", "device", "vector", "count", NULL};
	static const char *const k_aff[] = {"op", "device", "vector", "hart", NULL};
	static const char *const k_dev[] = {"op", "device", NULL};
	static const char *const k_att[] = {"op", "device", "domain", NULL};
	static const char *const k_unm[] = {"op", "domain", "iova", "size", NULL};
	static const char *const k_wait[] = {"op", NULL};
	static const char *const k_vma[] = {"op", "device", "vm", NULL};
	static const char *const k_mig[] = {"op", "vm", "vcpu", "hart", NULL};
	static const char *const dirs[] = {"write", "read", "mixed", NULL};
	static const char *const pats[] = {"sequential", "strided", "random", "sg", NULL};
	int op, x = 0, r;
	uint64_t v = 0;

	if (!json_is_object(o))
		return fail_(c, "%s: must be an object", path);
	if ((r = choice_(c, o, path, "op", ops, -1, &op)))
		return r;
	st->op = (enum scen_op)op;
	st->dev = st->dom = st->vm = -1;
	switch (st->op) {
	case OP_DMA:
		r = keys_(c, o, path, k_dma);
		if (!r)
			r = ref_(c, o, path, "device", 0, &st->dev);
		if (!r)
			r = choice_(c, o, path, "dir", dirs, 0, &x);
		st->dir = (enum scen_dir)x;
		if (!r)
			r = choice_(c, o, path, "pattern", pats, 0, &x);
		st->pattern = (enum scen_pattern)x;
		if (!r)
			r = u64_(c, o, path, "iova", true, 0, 0, (UINT64_C(1) << 48) - 1,
			         &st->iova);
		if (!r)
			r = u64_(c, o, path, "size", true, 0, 1, UINT64_C(1) << 30, &st->size);
		if (!r)
			r = u64_(c, o, path, "chunk", false, 256, 1, 65536, &v);
		st->chunk = (uint32_t)v;
		if (!r && st->chunk > st->size)
			r = fail_(c, "%s.chunk: larger than size", path);
		if (!r)
			r = u64_(c, o, path, "stride", false, 2 * (uint64_t)st->chunk, 1,
			         UINT64_C(1) << 30, &v);
		st->stride = (uint32_t)v;
		if (!r)
			r = u64_(c, o, path, "count", false, (st->size + st->chunk - 1) / st->chunk,
			         1, 1u << 20, &v);
		st->count = (uint32_t)v;
		return r;
	case OP_MSI:
		r = keys_(c, o, path, k_msi);
		if (!r)
			r = device_vector_(c, o, path, st);
		if (!r)
			r = u64_(c, o, path, "count", false, 1, 1, 1u << 20, &v);
		st->count = (uint32_t)v;
		return r;
	case OP_AFFINITY:
		r = keys_(c, o, path, k_aff);
		if (!r)
			r = device_vector_(c, o, path, st);
		if (!r)
			r = u64_(c, o, path, "hart", true, 0, 0, 4095, &v);
		st->hart = (uint32_t)v;
		return r;
	case OP_DETACH:
		r = keys_(c, o, path, k_dev);
		return r ? r : ref_(c, o, path, "device", 0, &st->dev);
	case OP_ATTACH:
		r = keys_(c, o, path, k_att);
		if (!r)
			r = ref_(c, o, path, "device", 0, &st->dev);
		return r ? r : ref_(c, o, path, "domain", 1, &st->dom);
	case OP_MAP:
		r = ref_(c, o, path, "domain", 1, &st->dom);
		if (!r && c->s->doms[st->dom].type != DOM_DMA)
			r = fail_(c, "%s.domain: '%s' is not a \"dma\" domain", path,
			          c->s->doms[st->dom].name);
		return r ? r : parse_map_(c, o, path, &st->map, true);
	case OP_UNMAP:
		r = keys_(c, o, path, k_unm);
		if (!r)
			r = ref_(c, o, path, "domain", 1, &st->dom);
		if (!r)
			r = u64_(c, o, path, "iova", true, 0, 0, (UINT64_C(1) << 48) - PAGE,
			         &st->iova);
		if (!r)
			r = u64_(c, o, path, "size", true, 0, PAGE, UINT64_C(1) << 32, &st->size);
		if (!r && ((st->iova | st->size) & (PAGE - 1)))
			r = fail_(c, "%s: iova and size must be multiples of 4096", path);
		return r;
	case OP_WAIT:
		return keys_(c, o, path, k_wait);
	case OP_VM_ASSIGN:
		r = keys_(c, o, path, k_vma);
		if (!r)
			r = ref_(c, o, path, "device", 0, &st->dev);
		return r ? r : ref_(c, o, path, "vm", 2, &st->vm);
	case OP_VCPU_MIGRATE:
		r = keys_(c, o, path, k_mig);
		if (!r)
			r = ref_(c, o, path, "vm", 2, &st->vm);
		if (!r)
			r = u64_(c, o, path, "vcpu", false, 0, 0, c->s->vms[st->vm].vcpus - 1, &v);
		st->vcpu = (unsigned)v;
		if (!r)
			r = u64_(c, o, path, "hart", true, 0, 0, 4095, &v);
		st->hart = (uint32_t)v;
		return r;
	}
	return fail_(c, "%s.op: unknown", path);
}

static int parse_vm_(struct pctx *c, const json_t *o, const char *path, struct scen_vm *vm)
{
	static const char *const keys[] = {"name", "hart", "vcpus", NULL};
	uint64_t v = 0;
	int r = keys_(c, o, path, keys);
	if (!r)
		r = name_(c, o, path, vm->name);
	if (!r && find_vm_(c->s, vm->name) >= 0)
		r = fail_(c, "%s.name: a vm named '%s' already exists", path, vm->name);
	if (!r)
		r = u64_(c, o, path, "hart", true, 0, 0, 4095, &v);
	vm->hart = (uint32_t)v;
	if (!r)
		r = u64_(c, o, path, "vcpus", false, 1, 1, SCEN_MAX_VCPUS, &v);
	vm->vcpus = (unsigned)v;
	return r;
}

static int parse_top_(struct pctx *c, const json_t *root)
{
	static const char *const keys[] = {"name", "iommu", "devices", "domains",
	                                   "vms",  "steps", NULL};
	struct rvsim_scenario *s = c->s;
	json_t *devs, *doms, *vms, *steps;
	const char *name;
	char path[64];
	int r = keys_(c, root, "scenario", keys);
	if (!r)
		r = str_(c, root, "scenario", "name", false, &name);
	if (!r)
		r = array_(c, root, "scenario", "devices", true, SCEN_MAX_DEVS, &devs);
	if (!r)
		r = array_(c, root, "scenario", "domains", false, SCEN_MAX_DEVS, &doms);
	if (!r)
		r = array_(c, root, "scenario", "vms", false, 64, &vms);
	if (!r)
		r = array_(c, root, "scenario", "steps", true, MAX_STEPS, &steps);
	if (r)
		return r;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "unnamed");
	if (json_object_get(root, "iommu")) {
		if ((r = scen_parse_iommu(json_object_get(root, "iommu"), &s->iommu_cfg, c->err,
		                          c->errlen)))
			return r;
		s->has_iommu_cfg = true;
	}
	s->devs = calloc(json_array_size(devs) + 1, sizeof(*s->devs));
	s->doms = calloc((doms ? json_array_size(doms) : 0) + 1, sizeof(*s->doms));
	s->vms = calloc((vms ? json_array_size(vms) : 0) + 1, sizeof(*s->vms));
	s->steps = calloc(json_array_size(steps) + 1, sizeof(*s->steps));
	if (!s->devs || !s->doms || !s->vms || !s->steps)
		return RVSIM_E_NOMEM;
	for (size_t i = 0; i < json_array_size(devs); i++) {
		snprintf(path, sizeof(path), "devices[%zu]", i);
		if ((r = parse_dev_(c, json_array_get(devs, i), path, &s->devs[i])))
			return r;
		s->ndevs = i + 1;
	}
	for (size_t i = 0; doms && i < json_array_size(doms); i++) {
		snprintf(path, sizeof(path), "domains[%zu]", i);
		r = parse_dom_(c, json_array_get(doms, i), path, &s->doms[i]);
		s->ndoms = i + 1; /* so its arrays are freed on error too */
		if (r)
			return r;
	}
	for (size_t i = 0; vms && i < json_array_size(vms); i++) {
		snprintf(path, sizeof(path), "vms[%zu]", i);
		if ((r = parse_vm_(c, json_array_get(vms, i), path, &s->vms[i])))
			return r;
		s->nvms = i + 1;
	}
	for (size_t i = 0; i < json_array_size(steps); i++) {
		snprintf(path, sizeof(path), "steps[%zu]", i);
		if ((r = parse_step_(c, json_array_get(steps, i), path, &s->steps[i])))
			return r;
		s->nsteps = i + 1;
	}
	return 0;
}

void rvsim_scenario_free(struct rvsim_scenario *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ndoms; i++) {
		free(s->doms[i].devs);
		free(s->doms[i].maps);
	}
	free(s->devs);
	free(s->doms);
	free(s->vms);
	free(s->steps);
	free(s);
}

int rvsim_scenario_parse(const char *json, size_t len, struct rvsim_scenario **out, char *err,
                         size_t errlen)
{
	char dummy[8];
	struct pctx c = {err ? err : dummy, err ? errlen : sizeof(dummy), NULL};
	json_error_t je;
	if (!json || !out)
		return RVSIM_E_INVAL;
	*out = NULL;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail_(&c, "line %d column %d: %s", je.line, je.column, je.text);
	c.s = calloc(1, sizeof(*c.s));
	int r = c.s ? parse_top_(&c, root) : RVSIM_E_NOMEM;
	json_decref(root);
	if (r) {
		if (r == RVSIM_E_NOMEM)
			fail_(&c, "out of memory");
		rvsim_scenario_free(c.s);
		return r;
	}
	*out = c.s;
	return 0;
}

int rvsim_scenario_load(const char *path, struct rvsim_scenario **out, char *err, size_t errlen)
{
	char msg[256];
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open", path);
		return RVSIM_E_SCENARIO;
	}
	size_t cap = 1u << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (cap >= (64u << 20)) {
			free(buf);
			fclose(f);
			snprintf(err, errlen, "%s: larger than 64 MiB", path);
			return RVSIM_E_SCENARIO;
		}
		char *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return RVSIM_E_NOMEM;
	int r = rvsim_scenario_parse(buf, n, out, msg, sizeof(msg));
	free(buf);
	if (r)
		snprintf(err, errlen, "%s: %s", path, msg);
	return r;
}
