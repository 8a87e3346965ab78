/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the model-extensions helper (ats.c, pq.c, hpm.c,
 * dbg.c, snapshot.c).  Delete each function as its real one lands. */
#include "model/model_internal.h"

void rvm_page_request(struct rvm *m, const struct rvm_page_request *pr) { (void)m, (void)pr; }
void rvm_ats_inval_completion(struct rvm *m, uint16_t rid, uint32_t itag)
{
	(void)m, (void)rid, (void)itag;
}
void rvm_advance(struct rvm *m, uint64_t cycles) { (void)m, (void)cycles; }
long rvm_save(const struct rvm *m, void *buf, size_t cap)
{
	(void)m, (void)buf, (void)cap;
	return RVM_EINVAL;
}
int rvm_restore(struct rvm *m, const void *buf, size_t len)
{
	(void)m, (void)buf, (void)len;
	return RVM_EINVAL;
}
bool rvm_ats_send_inval(struct rvm *m, const struct rvm_ats_msg *msg)
{
	(void)m, (void)msg;
	return false;
}
bool rvm_ats_inval_outstanding(const struct rvm *m)
{
	(void)m;
	return false;
}
void rvm_hpm_count_slow(struct rvm *m, unsigned event, const struct rvm_hpm_ids *ids)
{
	(void)m, (void)event, (void)ids;
}
void rvm_dbg_run(struct rvm *m) { (void)m; }
int rvm_hpm_mmio_read(struct rvm *m, uint32_t off, unsigned size, uint64_t *val)
{
	(void)m, (void)off, (void)size;
	*val = 0;
	return 0;
}
int rvm_hpm_mmio_write(struct rvm *m, uint32_t off, unsigned size, uint64_t val)
{
	(void)m, (void)off, (void)size, (void)val;
	return 0;
}
void rvm_hpm_tick(struct rvm *m, uint64_t cycles) { (void)m, (void)cycles; }
