/* SPDX-License-Identifier: MIT
 *
 * platform/scen_pri.c - PCIe Page Request Interface for devices that
 * enable it, and the simulated OS's demand paging behind it.
 *
 * RISC-V IOMMU 1.0 §3.1.3.1 (DC.tc EN_PRI), §4.1.4 (ATS.PRGR), §6.2 (page
 * requests, the page-request queue); PCIe PRI (Page Request: R, W, L, PRG
 * index, address; PRG Response: Success / Invalid Request / Failure).
 *
 * When an ATS Translation Request of a PRI device is answered "not
 * present" (Success with the right missing), the device sends a one-page
 * Page Request group (L = 1) with the next PRG index and waits.  The IOMMU
 * queues the request and interrupts; the driver's handler decodes it and
 * calls prq_cb (plat_iommu.c), which lands in run_prq_hook(): the request
 * is queued and answered after the handler returns, by
 * run_pri_service(): a page inside a "demand" map of the device's domain
 * is mapped (rvd_map_pages, added to the OS's view) and answered Success,
 * anything else Invalid Request, through rvd_page_response().  The IOMMU
 * sends the PRG Response as ATS.PRGR (run_ats_hook() records the code) and
 * the device retries its Translation Request once on Success.
 *
 * Invariants: (1) a page is added to the OS's view only after
 * rvd_map_pages() succeeded; (2) every page request the driver delivered
 * is answered exactly once; (3) a device waits only for the PRG index it
 * sent, and a response for another index does not satisfy it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

int run_prq_hook(void *ctx, size_t iommu, const struct rvd_page_request *pr)
{
	struct run *r = ctx;
	if (r->nprq == RUN_MAX_PRQ)
		return RVI_PRGR_RESPONSE_FAILURE; /* answered at once */
	r->prq[r->nprq].iommu = iommu;
	r->prq[r->nprq].pr = *pr;
	r->nprq++;
	return -1; /* answered by run_pri_service(), outside the handler */
}

static struct run_dev *dev_of_(struct run *r, size_t iommu, uint32_t device_id)
{
	for (size_t i = 0; i < r->res->ndevs; i++)
		if (r->res->devs[i].iommu == iommu && r->res->devs[i].device_id == device_id)
			return &r->res->devs[i];
	return NULL;
}

/* Map the page at iova on demand: SUCCESS, or INVALID_REQUEST. */
static int demand_map_(struct run *r, struct run_dev *rd, uint64_t iova, bool write)
{
	uint64_t pa;
	size_t mapped = 0;
	if (!rd || rd->dom < 0 || rd->vm >= 0)
		return RVI_PRGR_INVALID_REQUEST;
	struct rdom *d = &r->doms[rd->dom];
	if (d->sd->type != DOM_DMA)
		return RVI_PRGR_INVALID_REQUEST;
	for (size_t i = 0; i < d->ndemand; i++) {
		const struct sw_map *m = &d->demand[i];
		if (iova - m->iova >= m->size)
			continue;
		if (write && !(m->prot & RVD_PROT_WRITE))
			return RVI_PRGR_INVALID_REQUEST;
		uint64_t page = iova & ~(uint64_t)(PAGE - 1);
		if (run_msi_expect(d, page, &pa) >= 0)
			return RVI_PRGR_INVALID_REQUEST;
		int e =
		    rvd_map_pages(d->d, page, m->pa + (page - m->iova), PAGE, 1, m->prot, &mapped);
		if (e == -EEXIST)
			return RVI_PRGR_SUCCESS; /* another request mapped it */
		if (e || run_sw_add(d, page, PAGE, m->pa + (page - m->iova), m->prot, false)) {
			run_viol(r, "demand mapping of iova 0x%" PRIx64 " failed (%d)", page, e);
			return RVI_PRGR_RESPONSE_FAILURE;
		}
		rvsim_trace(r->p,
		            "\"ev\":\"demand_map\",\"domain\":\"%s\",\"iova\":\"0x%" PRIx64 "\"",
		            d->sd->name, page);
		return RVI_PRGR_SUCCESS;
	}
	return RVI_PRGR_INVALID_REQUEST;
}

void run_pri_service(struct run *r)
{
	/* bounded: each round answers what the last handler run delivered */
	for (int round = 0; round < 4 && r->nprq; round++) {
		size_t n = r->nprq;
		struct run_prq q[RUN_MAX_PRQ];
		memcpy(q, r->prq, n * sizeof(q[0]));
		r->nprq = 0;
		for (size_t i = 0; i < n; i++) {
			const struct rvd_page_request *pr = &q[i].pr;
			struct run_dev *rd = dev_of_(r, q[i].iommu, pr->device_id);
			int code = demand_map_(r, rd, pr->addr, pr->w);
			if (!pr->last || !(pr->r || pr->w))
				continue; /* only a group's last request is answered */
			int e = rvd_page_response(r->p->iommus[q[i].iommu].drv, pr, code);
			if (e)
				run_viol(r, "rvd_page_response failed (%d)", e);
		}
		rvsim_irq_poll(r->p);
	}
}

/* The device asks for iova; true when the page is now present. */
bool run_pri_request(struct run *r, struct run_dev *rd, uint64_t iova, bool write)
{
	struct rvsim_iommu *io = &r->p->iommus[rd->iommu];
	unsigned idx = rd->prg_next++ & 511u;
	struct rvm_page_request pr;
	memset(&pr, 0, sizeof(pr));
	pr.device_id = rd->device_id;
	pr.payload = RVI_PRQ_R | (write ? RVI_PRQ_W : 0) | RVI_PRQ_L |
	             RVI_FIELD_PREP(RVI_PRQ_PRG_INDEX, idx) | (iova & RVI_PRQ_ADDR);
	rd->prg_code[idx] = -1;
	rd->st.page_requests++;
	rvm_page_request(io->m, &pr);
	rvsim_irq_poll(r->p); /* the OS takes the interrupt, the driver decodes */
	run_pri_service(r);   /* and answers; the PRGR comes back to the device */
	if (rd->prg_code[idx] != RVI_PRGR_SUCCESS)
		return false;
	rd->st.prg_success++;
	return true;
}
