/* SPDX-License-Identifier: MIT
 * PLACEHOLDER owned by the translation helper (pt_fmt.c, pt_walk.c, ddt.c,
 * pdt.c, msi_xlate.c, translate.c).  Delete each function as its real one
 * lands. */
#include "model/model_internal.h"

#include <string.h>

const struct rvm_pt_fmt rvm_pt_fmts[RVM_PT_FMT_COUNT];
int rvm_pt_fmt_from_satp(unsigned mode, bool sxl)
{
	(void)mode, (void)sxl;
	return -1;
}
int rvm_pt_fmt_from_hgatp(unsigned mode, bool gxl)
{
	(void)mode, (void)gxl;
	return -1;
}
int rvm_ddt_get_dc(struct rvm *m, uint32_t device_id, uint64_t dc[RVI_DC_DWORDS_EXT])
{
	(void)m, (void)device_id, (void)dc;
	return RVI_CAUSE_ALL_DISALLOWED;
}
int rvm_dc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT])
{
	(void)m, (void)dc;
	return RVI_CAUSE_DDT_MISCONFIGURED;
}
int rvm_pc_check(const struct rvm *m, const uint64_t dc[RVI_DC_DWORDS_EXT], const uint64_t pc[2])
{
	(void)m, (void)dc, (void)pc;
	return RVI_CAUSE_PDT_MISCONFIGURED;
}
int rvm_translate_locked(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs)
{
	(void)m, (void)rq;
	memset(rs, 0, sizeof(*rs));
	rs->status = RVM_STATUS_UR;
	rs->cause = RVI_CAUSE_ALL_DISALLOWED;
	return rs->cause;
}
int rvm_translate(struct rvm *m, const struct rvm_req *rq, struct rvm_resp *rs)
{
	pthread_mutex_lock(&m->lock);
	int c = rvm_translate_locked(m, rq, rs);
	pthread_mutex_unlock(&m->lock);
	return c;
}
