/* SPDX-License-Identifier: MIT
 *
 * cli/replay_xlate.c - inbound device traffic for `rviommu replay`:
 * "translate" (one request through rvm_translate(), §2.3) and
 * "page_request" (a PCIe Page Request message, §4.3 / §6.2).
 *
 * translate output, keys in this order (absent ones are omitted):
 *   op, status ("success"/"ur"/"ca"), cause (when non-zero),
 *   pa, size, perm ("rwx" with '-' for missing; on success only),
 *   pbmt (non-zero), msi / mrif (true), rcid, mcid (when either is non-zero),
 *   and for a successful "ats" request: ats (the completion's R/W/X),
 *   u, g, priv, n, ama, cxl_io, s.
 */
#include "cli/json_emit.h"
#include "cli/replay.h"

static const char *const status_names[] = {"success", "ur", "ca"};
static const char *const priv_names[] = {"u", "s"};

static void perm_string(char out[4], bool r, bool w, bool x)
{
	out[0] = r ? 'r' : '-';
	out[1] = w ? 'w' : '-';
	out[2] = x ? 'x' : '-';
	out[3] = '\0';
}

static void print_resp(struct replay *r, const struct rvm_req *rq, const struct rvm_resp *rs)
{
	struct jemit j;
	char perm[4];
	jemit_begin(&j, r->out, "op", "translate");
	jemit_str(&j, "status", rs->status <= RVM_STATUS_CA ? status_names[rs->status] : "?");
	if (rs->cause)
		jemit_hex(&j, "cause", rs->cause);
	if (rs->status == RVM_STATUS_SUCCESS) {
		jemit_hex(&j, "pa", rs->pa);
		jemit_hex(&j, "size", rs->size);
		perm_string(perm, rs->perm & RVM_PERM_R, rs->perm & RVM_PERM_W,
		            rs->perm & RVM_PERM_X);
		jemit_str(&j, "perm", perm);
	}
	if (rs->pbmt)
		jemit_hex(&j, "pbmt", rs->pbmt);
	if (rs->is_msi)
		jemit_bool(&j, "msi", true);
	if (rs->is_mrif)
		jemit_bool(&j, "mrif", true);
	if (rs->rcid || rs->mcid) {
		jemit_hex(&j, "rcid", rs->rcid);
		jemit_hex(&j, "mcid", rs->mcid);
	}
	if (rq->type == RVM_TT_ATS && rs->status == RVM_STATUS_SUCCESS) {
		perm_string(perm, rs->ats.r, rs->ats.w, rs->ats.x);
		jemit_str(&j, "ats", perm);
		jemit_bool(&j, "u", rs->ats.u);
		jemit_bool(&j, "g", rs->ats.g);
		jemit_bool(&j, "priv", rs->ats.priv);
		jemit_bool(&j, "n", rs->ats.n);
		jemit_hex(&j, "ama", rs->ats.ama);
		jemit_bool(&j, "cxl_io", rs->ats.cxl_io);
		jemit_bool(&j, "s", rs->ats.s);
	}
	jemit_end(&j);
}

int replay_op_translate(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op",   "did",  "pid", "priv", "access",
	                                      "type", "iova", "len", "data", NULL};
	static const char *const access_names[] = {"r", "w", "x"};
	static const char *const type_names[] = {"untranslated", "translated", "ats"};
	struct rvm_req rq = {0};
	uint64_t did, pid, len, data, iova;
	unsigned priv, access, type;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_u64(o, "did", (1u << RVI_DEVICE_ID_BITS) - 1, &did, &r->err) ||
	    jget_u64_opt(o, "pid", (1u << RVI_PROCESS_ID_BITS) - 1, 0, &pid, &rq.pid_valid,
	                 &r->err) ||
	    jget_choice(o, "priv", priv_names, 2, 0, &priv, &r->err) ||
	    jget_choice(o, "access", access_names, 3, -1, &access, &r->err) ||
	    jget_choice(o, "type", type_names, 3, 0, &type, &r->err) ||
	    jget_u64(o, "iova", UINT64_MAX, &iova, &r->err) ||
	    jget_u64_opt(o, "len", UINT64_MAX, 1, &len, NULL, &r->err) ||
	    jget_u64_opt(o, "data", UINT32_MAX, 0, &data, &rq.has_data, &r->err))
		return -1;
	if (len == 0)
		return jget_fail(&r->err, "len: must be at least 1");
	rq.device_id = (uint32_t)did;
	rq.process_id = (uint32_t)pid;
	rq.priv = priv == 1;
	rq.access = (enum rvm_access)access;
	rq.type = (enum rvm_ttype)type;
	rq.iova = iova;
	rq.len = len;
	rq.data = (uint32_t)data;
	struct rvm_resp rs = {0};
	rvm_translate(r->m, &rq, &rs);
	print_resp(r, &rq, &rs);
	return 0;
}

int replay_op_page_request(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", "did", "pid", "priv",  "exec", "payload",
	                                      "r",  "w",   "l",   "index", "addr", NULL};
	struct rvm_page_request pr = {0};
	uint64_t did, pid, payload;
	unsigned priv;
	bool has_payload;
	if (jget_check_keys(o, allowed, &r->err) ||
	    jget_u64(o, "did", (1u << RVI_DEVICE_ID_BITS) - 1, &did, &r->err) ||
	    jget_u64_opt(o, "pid", (1u << RVI_PROCESS_ID_BITS) - 1, 0, &pid, &pr.pid_valid,
	                 &r->err) ||
	    jget_choice(o, "priv", priv_names, 2, 0, &priv, &r->err) ||
	    jget_bool_opt(o, "exec", false, &pr.exec, &r->err) ||
	    jget_u64_opt(o, "payload", UINT64_MAX, 0, &payload, &has_payload, &r->err))
		return -1;
	if (has_payload) {
		static const char *const parts[] = {"r", "w", "l", "index", "addr"};
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			if (json_object_get(o, parts[i]))
				return jget_fail(&r->err, "give either payload or %s, not both",
				                 parts[i]);
	} else {
		bool rd, wr, last;
		uint64_t index, addr;
		if (jget_bool_opt(o, "r", false, &rd, &r->err) ||
		    jget_bool_opt(o, "w", false, &wr, &r->err) ||
		    jget_bool_opt(o, "l", false, &last, &r->err) ||
		    jget_u64_opt(o, "index", 0x1ff, 0, &index, NULL, &r->err) ||
		    jget_u64_opt(o, "addr", UINT64_MAX, 0, &addr, NULL, &r->err))
			return -1;
		if (addr & (RVI_PAGE_SIZE - 1))
			return jget_fail(&r->err, "addr: 0x%llx is not 4 KiB aligned",
			                 (unsigned long long)addr);
		payload = RVI_FIELD_PREP(RVI_PRQ_R, rd) | RVI_FIELD_PREP(RVI_PRQ_W, wr) |
		          RVI_FIELD_PREP(RVI_PRQ_L, last) |
		          RVI_FIELD_PREP(RVI_PRQ_PRG_INDEX, index) | addr;
	}
	pr.device_id = (uint32_t)did;
	pr.process_id = (uint32_t)pid;
	pr.priv = priv == 1;
	pr.payload = payload;
	rvm_page_request(r->m, &pr);
	return 0;
}
