/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the model-core helper (model.c, regs.c, intr.c, fq.c,
 * cq.c).  Minimal bodies so the tree links while the real files are written.
 * Delete each function here as its real implementation lands; delete the
 * file when empty.  Nothing here is "done". */
#include "model/model_internal.h"

#include <stdlib.h>
#include <string.h>

const char *rvm_strerror(int err) { return err ? "error" : "success"; }

void rvm_config_default(struct rvm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->capabilities = RVI_SPEC_VERSION_1_0 | RVI_CAP_SV39 | RVI_CAP_SV48 |
			    RVI_FIELD_PREP(RVI_CAP_PAS, 56);
}

struct rvm *rvm_create(const struct rvm_config *cfg, const struct rvm_host_ops *ops, void *ctx,
		       int *err)
{
	struct rvm *m = calloc(1, sizeof(*m));
	if (!m) {
		if (err)
			*err = RVM_ENOMEM;
		return NULL;
	}
	m->cfg = *cfg;
	m->ops = *ops;
	m->ctx = ctx;
	m->caps = cfg->capabilities;
	m->pa_mask = (UINT64_C(1) << RVI_FIELD_GET(RVI_CAP_PAS, m->caps)) - 1;
	pthread_mutex_init(&m->lock, NULL);
	rvm_caches_init(m);
	return m;
}

void rvm_destroy(struct rvm *m)
{
	if (!m)
		return;
	rvm_caches_destroy(m);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void rvm_reset(struct rvm *m) { (void)m; }
const struct rvm_config *rvm_get_config(const struct rvm *m) { return &m->cfg; }
int rvm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val)
{
	(void)m, (void)off, (void)size;
	*val = 0;
	return RVM_EINVAL;
}
int rvm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val)
{
	(void)m, (void)off, (void)size, (void)val;
	return RVM_EINVAL;
}
void rvm_get_stats(const struct rvm *m, struct rvm_stats *st)
{
	(void)m;
	memset(st, 0, sizeof(*st));
}
bool rvm_fq_report(struct rvm *m, const struct rvm_fault *f)
{
	(void)m, (void)f;
	return false;
}
void rvm_intr_update(struct rvm *m) { (void)m; }
void rvm_intr_raise(struct rvm *m, uint32_t bits) { (void)m, (void)bits; }
void rvm_cq_process(struct rvm *m) { (void)m; }
