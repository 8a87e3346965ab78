/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the cache helper (iotlb.c, ctx_cache.c,
 * cache_impl.h).  A cache that never hits is architecturally legal, but this
 * is not the implementation.  Delete each function as its real one lands. */
#include "model/model_internal.h"

int rvm_caches_init(struct rvm *m)
{
	(void)m;
	return 0;
}
void rvm_caches_destroy(struct rvm *m) { (void)m; }
void rvm_caches_flush_all(struct rvm *m) { (void)m; }
const struct rvm_ctx *rvm_ctx_lookup(struct rvm *m, uint32_t device_id, bool pid_valid,
				     uint32_t process_id)
{
	(void)m, (void)device_id, (void)pid_valid, (void)process_id;
	return NULL;
}
void rvm_ctx_insert(struct rvm *m, const struct rvm_ctx *c) { (void)m, (void)c; }
void rvm_ctx_inval_ddt(struct rvm *m, bool dv, uint32_t device_id)
{
	(void)m, (void)dv, (void)device_id;
}
void rvm_ctx_inval_pdt(struct rvm *m, uint32_t device_id, uint32_t process_id)
{
	(void)m, (void)device_id, (void)process_id;
}
const struct rvm_tlb_entry *rvm_iotlb_lookup(struct rvm *m, const struct rvm_tlb_tag *t,
					     uint64_t iova)
{
	(void)m, (void)t, (void)iova;
	return NULL;
}
void rvm_iotlb_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_tlb_entry *e)
{
	(void)m, (void)t, (void)e;
}
void rvm_iotlb_inval_vma(struct rvm *m, bool gv, uint16_t gscid, bool pscv, uint32_t pscid,
			 bool av, uint64_t addr, unsigned range_lg2, bool nl)
{
	(void)m, (void)gv, (void)gscid, (void)pscv, (void)pscid, (void)av, (void)addr,
		(void)range_lg2, (void)nl;
}
void rvm_iotlb_inval_gvma(struct rvm *m, bool gv, uint16_t gscid, bool av, uint64_t addr,
			  unsigned range_lg2, bool nl)
{
	(void)m, (void)gv, (void)gscid, (void)av, (void)addr, (void)range_lg2, (void)nl;
}
const struct rvm_tlb_entry *rvm_gtlb_lookup(struct rvm *m, uint16_t gscid, uint64_t gpa)
{
	(void)m, (void)gscid, (void)gpa;
	return NULL;
}
void rvm_gtlb_insert(struct rvm *m, uint16_t gscid, const struct rvm_tlb_entry *e)
{
	(void)m, (void)gscid, (void)e;
}
const struct rvm_pwc_entry *rvm_pwc_lookup(struct rvm *m, const struct rvm_tlb_tag *t,
					   bool gstage, uint64_t va, uint8_t level)
{
	(void)m, (void)t, (void)gstage, (void)va, (void)level;
	return NULL;
}
void rvm_pwc_insert(struct rvm *m, const struct rvm_tlb_tag *t, const struct rvm_pwc_entry *e)
{
	(void)m, (void)t, (void)e;
}
