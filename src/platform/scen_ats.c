/* SPDX-License-Identifier: MIT
 *
 * platform/scen_ats.c - PCIe Address Translation Services for devices that
 * enable it: a device-side address translation cache (ATC) filled by ATS
 * Translation Requests, used by Translated requests, and emptied by ATS
 * Invalidation Requests from the IOMMU.
 *
 * RISC-V IOMMU 1.0 §2.3 (translation request types), §3.1.3.1 (DC.tc
 * EN_ATS), §4.1.4 (ATS.INVAL payload: G, S, address), §6.3 (ATS
 * completions: a permission denial is Success with the right cleared, not
 * a fault); PCIe ATS "Invalidation Request" (S=1: the lowest 0 bit of the
 * address sets the range size).
 *
 * An access by an ATS device, per 4 KiB page:
 *   1. ATC hit with the needed right -> Translated request at the cached
 *      SPA (the IOMMU checks EN_ATS and passes it through);
 *   2. miss -> ATS Translation Request; a Success granting the right, with
 *      U = 0 (U: untranslated access only, e.g. an MRIF), fills the ATC
 *      (the naturally aligned range the completion names), then 1;
 *   2b. "not present" and the device has PRI: a page request
 *      (scen_pri.c), and on Success one more Translation Request;
 *   3. a UR/CA completion (device-context fault, recorded) aborts the
 *      access; otherwise (a denial, or a page fault answered with Success)
 *      the device falls back to an untranslated request, which faults as
 *      usual and is checked by scen_dma.c like any other.
 * ATS.INVAL messages arrive under the model's lock (plat_mem.c): the hook
 * only drops ATC entries and queues the completion (rvsim_ats_complete).
 *
 * Invariants: (1) an ATC entry is used only while no invalidation covering
 * it has been received; (2) every ATS.INVAL is completed exactly once, after
 * the entries it covers are gone; (3) the SPA a device uses is checked
 * against the OS's view exactly like an untranslated result, so a stale
 * ATC entry shows up as a violation.
 */
#include <inttypes.h>
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

static struct atc_ent *lookup_(struct run_dev *rd, uint64_t iova, unsigned need)
{
	for (unsigned i = 0; i < ATC_ENTRIES; i++) {
		struct atc_ent *e = &rd->atc[i];
		if (e->v && iova - e->iova < e->size && (e->perm & need) == need)
			return e;
	}
	return NULL;
}

/* Returns 0 with *pa set (a Translated request succeeded), 1: use an
 * untranslated request, 2: the Translation Request failed with UR/CA (a
 * DC-level fault, already accounted): the access is aborted. */
int run_ats_xlate(struct run *r, struct run_dev *rd, uint64_t iova, uint32_t len, bool write,
                  uint64_t *pa)
{
	struct rvsim_iommu *io = &r->p->iommus[rd->iommu];
	unsigned need = write ? RVM_PERM_W : RVM_PERM_R;
	struct rvm_req rq;
	struct rvm_resp rs;
	struct atc_ent *e = lookup_(rd, iova, need);
	if (e) {
		rd->st.atc_hits++;
	}
	for (int attempt = 0; !e && attempt < 2; attempt++) {
		memset(&rq, 0, sizeof(rq));
		memset(&rs, 0, sizeof(rs));
		rq.device_id = rd->device_id;
		rq.access = write ? RVM_ACC_WRITE : RVM_ACC_READ;
		rq.type = RVM_TT_ATS;
		rq.iova = iova & ~(uint64_t)(PAGE - 1);
		rq.len = PAGE;
		struct rvm_stats a, b;
		rvm_get_stats(io->m, &a);
		unsigned cause = (unsigned)rvm_translate(io->m, &rq, &rs);
		rvm_get_stats(io->m, &b);
		rd->st.ats_requests++;
		rd->st.translations++;
		rd->st.iotlb_hits += b.iotlb_hits - a.iotlb_hits;
		rvsim_trace(r->p,
		            "\"ev\":\"ats\",\"dev\":\"%s\",\"iova\":\"0x%" PRIx64
		            "\",\"status\":%d,\"cause\":%u,\"perm\":%u,\"pa\":\"0x%" PRIx64
		            "\",\"size\":\"0x%" PRIx64 "\"",
		            rd->sd->name, rq.iova, (int)rs.status, cause, rs.perm, rs.pa, rs.size);
		/* a UR/CA completion (a DC-level fault) is recorded like any fault;
		 * a page fault answered with Success is not (§6.3) */
		if (cause && rs.status != RVM_STATUS_SUCCESS) {
			run_note_fault(r, rd, iova, write, cause, rs.fault_recorded);
			return 2; /* the access fails: no untranslated retry */
		}
		if (cause || rs.status != RVM_STATUS_SUCCESS || rs.ats.u ||
		    (rs.perm & need) != need || !rs.size || (rs.size & (rs.size - 1))) {
			/* not present: with PRI, ask for the page and try once more */
			if (rd->pri && attempt == 0 && !rs.ats.u &&
			    run_pri_request(r, rd, iova, write))
				continue;
			return 1;
		}
		e = &rd->atc[rd->atc_next++ % ATC_ENTRIES];
		e->v = true;
		e->size = rs.size;
		e->iova = iova & ~(rs.size - 1);
		e->pa = rs.pa & ~(rs.size - 1);
		e->perm = rs.perm;
	}
	if (!e)
		return 1;
	/* the Translated request */
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.device_id = rd->device_id;
	rq.access = write ? RVM_ACC_WRITE : RVM_ACC_READ;
	rq.type = RVM_TT_TRANSLATED;
	rq.iova = e->pa + (iova - e->iova);
	rq.len = len;
	unsigned cause = (unsigned)rvm_translate(io->m, &rq, &rs);
	rd->st.translations++;
	rvsim_trace(r->p,
	            "\"ev\":\"xlate\",\"dev\":\"%s\",\"device_id\":%" PRIu32 ",\"translated\":1,"
	            "\"iova\":\"0x%" PRIx64
	            "\",\"len\":%u,\"w\":%d,\"cause\":%u,\"pa\":\"0x%" PRIx64 "\"",
	            rd->sd->name, rd->device_id, rq.iova, len, write, cause, cause ? 0 : rs.pa);
	if (cause || rs.status != RVM_STATUS_SUCCESS) {
		run_viol(r,
		         "%s: Translated request at 0x%" PRIx64 " failed (cause %u): EN_ATS off?",
		         rd->sd->name, rq.iova, cause);
		e->v = false;
		return 1;
	}
	*pa = rs.pa;
	return 0;
}

/* An ATS.INVAL (or PRGR) for one of the run's devices. */
void run_ats_hook(void *ctx, size_t iommu, const struct rvm_ats_msg *msg)
{
	struct run *r = ctx;
	struct run_dev *rd = NULL;
	for (size_t i = 0; i < r->res->ndevs; i++)
		if (r->res->devs[i].iommu == iommu &&
		    (r->res->devs[i].device_id & 0xffff) == msg->rid)
			rd = &r->res->devs[i];
	if (msg->type == RVM_ATS_MSG_PRGR) {
		if (rd)
			rd->prg_code[RVI_FIELD_GET(RVI_ATS_PRGR_INDEX, msg->payload) & 511] =
			    (int16_t)RVI_FIELD_GET(RVI_ATS_PRGR_CODE, msg->payload);
		return;
	}
	if (rd) {
		uint64_t addr = msg->payload & RVI_ATS_INVAL_ADDR, base = addr, size = PAGE;
		bool all = false;
		if (msg->payload & RVI_ATS_INVAL_S) {
			unsigned k = 12;
			while (k < 64 && (addr >> k) & 1)
				k++;
			all = k >= 63;
			size = all ? 0 : UINT64_C(1) << (k + 1);
			base = all ? 0 : addr & ~(size - 1);
		}
		for (unsigned i = 0; i < ATC_ENTRIES; i++) {
			struct atc_ent *e = &rd->atc[i];
			if (e->v && (all || (e->iova < base + size && base < e->iova + e->size)))
				e->v = false;
		}
		rd->st.ats_invals++;
	}
	rvsim_ats_complete(r->p, iommu, msg->rid, msg->itag);
}
