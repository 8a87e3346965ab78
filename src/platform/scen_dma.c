/* SPDX-License-Identifier: MIT
 *
 * platform/scen_dma.c - what devices do during a run: DMA jobs in four
 * patterns, MSI-X writes, and the checks of every access against the
 * software view (see scen_run.h).
 *
 * A device access is one rvm_translate() per 4 KiB page it touches
 * (untranslated request, RISC-V IOMMU 1.0 §2.3), followed, on success, by a
 * real move of bytes in simulated memory at the translated address.  MSIs
 * are 4-byte untranslated writes (§2.3, §3.1.3.5: with msiptp Off they are
 * translated like any write), then written to the bus, which hands them to
 * the IMSIC.
 *
 * Patterns, for access number k of a job over [iova, iova + size):
 *   sequential  offset k * chunk (mod size), length chunk
 *   strided     offset k * stride (mod size), length chunk
 *   random      a random chunk-aligned offset, length chunk
 *   sg          a random offset and a random length 1..chunk (crosses pages)
 * Every access is clipped to the end of the range.
 *
 * Expected outcomes (RISC-V IOMMU 1.0 §4.2 cause table): no domain
 * (blocked) -> 258 (DDT entry not valid, the driver's blocked DC has V=0);
 * identity -> pa = iova; paging, not mapped or no permission -> 13/15 (first
 * stage) or 21/23 (second stage) for read/write.
 *
 * Invariants: see scen_run.h (1)-(3); plus (4) one call moves at most one
 * chunk (bounded work per scheduler tick).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u

/* ---- the software view ---- */

int run_sw_add(struct rdom *d, uint64_t iova, uint64_t size, uint64_t pa, unsigned prot,
               bool doorbell)
{
	if (d->nmaps == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		struct sw_map *nm = realloc(d->maps, nc * sizeof(*nm));
		if (!nm)
			return -1;
		d->maps = nm;
		d->cap = nc;
	}
	d->maps[d->nmaps++] = (struct sw_map){iova, size, pa, prot, doorbell};
	return 0;
}

void run_sw_remove(struct rdom *d, uint64_t iova, uint64_t size)
{
	uint64_t end = iova + size;
	for (size_t i = 0; i < d->nmaps; i++) {
		struct sw_map m = d->maps[i];
		uint64_t mend = m.iova + m.size;
		if (end <= m.iova || mend <= iova)
			continue;
		/* cut [iova, end) out of m: keep the head and the tail */
		d->maps[i] = d->maps[--d->nmaps];
		if (m.iova < iova)
			run_sw_add(d, m.iova, iova - m.iova, m.pa, m.prot, m.doorbell);
		if (end < mend)
			run_sw_add(d, end, mend - end, m.pa + (end - m.iova), m.prot, m.doorbell);
		i = (size_t)-1; /* restart: the array changed */
	}
}

static const struct sw_map *sw_find_(const struct rdom *d, uint64_t iova)
{
	for (size_t i = 0; i < d->nmaps; i++)
		if (iova >= d->maps[i].iova && iova - d->maps[i].iova < d->maps[i].size)
			return &d->maps[i];
	return NULL;
}

/* Expected cause (0 = success at *pa) of an access by device rd. */
static unsigned expect_(const struct run *r, const struct run_dev *rd, uint64_t iova, bool write,
                        uint64_t *pa)
{
	if (rd->vm >= 0)
		return run_vm_expect(r, (size_t)rd->vm, iova, write, pa);
	if (rd->dom < 0)
		return RVI_CAUSE_DDT_INVALID;
	const struct rdom *d = &r->doms[rd->dom];
	if (d->sd->type == DOM_IDENTITY) {
		*pa = iova;
		return 0;
	}
	if (d->sd->type == DOM_BLOCKED)
		return RVI_CAUSE_DDT_INVALID;
	int msi = run_msi_expect(d, iova, pa); /* reads of the window too, as the model */
	if (msi >= 0)
		return (unsigned)msi;
	const struct sw_map *m = sw_find_(d, iova);
	/* RISC-V has no write-only pages: the driver maps WRITE as R+W */
	unsigned need = write ? RVD_PROT_WRITE : RVD_PROT_READ | RVD_PROT_WRITE;
	if (m && (m->prot & need)) {
		*pa = m->pa + (iova - m->iova);
		return 0;
	}
	if (d->stage == 1)
		return write ? RVI_CAUSE_WR_PAGE : RVI_CAUSE_RD_PAGE;
	return write ? RVI_CAUSE_WR_GUEST_PAGE : RVI_CAUSE_RD_GUEST_PAGE;
}

static void pend_push_(struct run *r, const struct run_dev *rd, unsigned cause, uint64_t iova)
{
	if (r->npend == r->cappend) {
		size_t nc = r->cappend ? r->cappend * 2 : 64;
		struct pend_fault *np = realloc(r->pend, nc * sizeof(*np));
		if (!np) {
			run_viol(r, "out of memory tracking fault reports");
			return;
		}
		r->pend = np;
		r->cappend = nc;
	}
	r->pend[r->npend++] = (struct pend_fault){rd->iommu, rd->device_id, (uint16_t)cause, iova};
}

/* Account for a fault a device saw: by cause, expected or not (the cause the
 * OS's view implies), and pending until the driver reports it if it was
 * recorded. */
void run_note_fault(struct run *r, struct run_dev *rd, uint64_t iova, bool write, unsigned cause,
                    bool recorded)
{
	uint64_t pa;
	unsigned want = expect_(r, rd, iova, write, &pa);
	rd->st.faults++;
	r->res->faults[cause < 512 ? cause : 511]++;
	if (recorded)
		pend_push_(r, rd, cause, iova);
	if (cause == want) {
		rd->st.faults_expected++;
		return;
	}
	r->res->fault_unexpected++;
	run_viol(r, "%s: %s of iova 0x%" PRIx64 " faulted with cause %u (%s), expected %u",
	         rd->sd->name, write ? "write" : "read", iova, cause, run_cause_name(cause), want);
}

/* Translate one in-page access; return the cause, *pa on success, and
 * *expected_pa (valid when the expected cause is 0). */
static unsigned xlate_(struct run *r, struct run_dev *rd, uint64_t iova, uint32_t len, bool write,
                       bool has_data, uint32_t data, uint64_t *pa, unsigned *want,
                       uint64_t *want_pa)
{
	struct rvsim_iommu *io = &r->p->iommus[rd->iommu];
	struct rvm_req rq;
	struct rvm_resp rs;
	struct rvm_stats a, b;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	*want_pa = 0;
	*want = expect_(r, rd, iova, write, want_pa);
	rq.device_id = rd->device_id;
	rq.access = write ? RVM_ACC_WRITE : RVM_ACC_READ;
	rq.type = RVM_TT_UNTRANSLATED;
	rq.iova = iova;
	rq.len = len;
	rq.has_data = has_data;
	rq.data = data;
	rvm_get_stats(io->m, &a);
	unsigned cause = (unsigned)rvm_translate(io->m, &rq, &rs);
	rvm_get_stats(io->m, &b);
	rd->st.translations++;
	rd->st.iotlb_hits += b.iotlb_hits - a.iotlb_hits;
	*pa = rs.pa;
	rvsim_trace(r->p,
	            "\"ev\":\"xlate\",\"dev\":\"%s\",\"device_id\":%" PRIu32
	            ",\"iova\":\"0x%" PRIx64
	            "\",\"len\":%u,\"w\":%d,\"cause\":%u,\"pa\":\"0x%" PRIx64 "\"",
	            rd->sd->name, rd->device_id, iova, len, write, cause, cause ? 0 : rs.pa);
	if (cause) {
		run_note_fault(r, rd, iova, write, cause, rs.fault_recorded);
		return cause;
	}
	if (*want) {
		r->res->fault_missing++;
		run_viol(r,
		         "%s: %s of iova 0x%" PRIx64 " succeeded (pa 0x%" PRIx64
		         "), expected cause %u (%s)",
		         rd->sd->name, write ? "write" : "read", iova, rs.pa, *want,
		         run_cause_name(*want));
	} else if (rs.pa != *want_pa) {
		rd->st.corrupt++;
		r->res->corrupt++;
		run_viol(r,
		         "%s: iova 0x%" PRIx64 " translated to pa 0x%" PRIx64
		         ", the domain maps it to 0x%" PRIx64,
		         rd->sd->name, iova, rs.pa, *want_pa);
	}
	return 0;
}

/* Data DMA moves bytes only to and from RAM outside the driver's reserved
 * pages; any other target (an IMSIC page, a hole, the carve-out, which an
 * IOPMP would protect) completes with an error, counted as a bus error. */
static bool dma_target_ok_(const struct run *r, uint64_t pa, uint32_t len)
{
	return rvsim_in_ram(r->p, pa, len) && !rvsim_in_pool(r->p, pa, 1) &&
	       !rvsim_in_pool(r->p, pa + len - 1, 1);
}

static void access_(struct run *r, struct run_dev *rd, uint64_t iova, uint32_t len, bool write)
{
	uint8_t buf[PAGE], sh[PAGE];
	uint64_t pa, want_pa;
	unsigned want;
	int ats = rd->ats ? run_ats_xlate(r, rd, iova, len, write, &pa) : 1;
	if (ats == 2)
		return;
	if (ats == 0) {
		/* a Translated request: the SPA came from the device's ATC */
		want_pa = 0;
		want = expect_(r, rd, iova, write, &want_pa);
		if (want) {
			r->res->fault_missing++;
			run_viol(r,
			         "%s: ATC translated iova 0x%" PRIx64 " to pa 0x%" PRIx64
			         ", expected cause %u (%s): a stale ATC entry",
			         rd->sd->name, iova, pa, want, run_cause_name(want));
		} else if (pa != want_pa) {
			rd->st.corrupt++;
			r->res->corrupt++;
			run_viol(r,
			         "%s: ATC gave pa 0x%" PRIx64 " for iova 0x%" PRIx64
			         ", mapped 0x%" PRIx64,
			         rd->sd->name, pa, iova, want_pa);
		}
	} else if (xlate_(r, rd, iova, len, write, false, 0, &pa, &want, &want_pa)) {
		return;
	}
	if (!dma_target_ok_(r, pa, len)) {
		rd->st.bus_errors++;
		return;
	}
	if (write) {
		for (uint32_t i = 0; i < len; i += 8) {
			uint64_t x = run_rand(r);
			memcpy(buf + i, &x, len - i < 8 ? len - i : 8);
		}
		rvsim_mem_write(r->p, pa, buf, len);
		rd->st.bytes_written += len;
		if (!want && dma_target_ok_(r, want_pa, len))
			rv_physmem_write(r->shadow, want_pa, buf, len);
		return;
	}
	rvsim_mem_read(r->p, pa, buf, len);
	rd->st.bytes_read += len;
	if (want || !dma_target_ok_(r, want_pa, len))
		return;
	rv_physmem_read(r->shadow, want_pa, sh, len);
	if (memcmp(buf, sh, len)) {
		rd->st.corrupt++;
		r->res->corrupt++;
		run_viol(r,
		         "%s: read of iova 0x%" PRIx64 " (pa 0x%" PRIx64
		         ") returned data no write put there",
		         rd->sd->name, iova, pa);
	}
}

void run_dma_chunk(struct run *r, size_t dev)
{
	struct job *j = &r->jobs[dev];
	const struct scen_step *st = j->st;
	struct run_dev *rd = &r->res->devs[dev];
	uint64_t off, len;
	if (!j->active)
		return;
	switch (st->pattern) {
	case PAT_SEQ:
		off = ((uint64_t)j->done * st->chunk) % st->size;
		len = st->chunk;
		break;
	case PAT_STRIDED:
		off = ((uint64_t)j->done * st->stride) % st->size;
		len = st->chunk;
		break;
	case PAT_RANDOM:
		off = (run_rand(r) % ((st->size + st->chunk - 1) / st->chunk)) * st->chunk;
		len = st->chunk;
		break;
	default: /* PAT_SG */
		off = run_rand(r) % st->size;
		len = 1 + run_rand(r) % st->chunk;
		break;
	}
	if (len > st->size - off)
		len = st->size - off;
	bool write = st->dir == DIR_WRITE || (st->dir == DIR_MIXED && (run_rand(r) & 1));
	uint64_t iova = st->iova + off;
	while (len) {
		uint64_t part = PAGE - (iova & (PAGE - 1));
		if (part > len)
			part = len;
		access_(r, rd, iova, (uint32_t)part, write);
		iova += part;
		len -= part;
	}
	if (++j->done >= st->count)
		j->active = false;
}

/* ---- MSIs ---- */

/* The S-level interrupt file whose page is pa: 0 (with *pos, *guest), or -1. */
static int file_of_(const struct run *r, uint64_t pa, size_t *pos, uint32_t *guest)
{
	const struct rvsim_imsic *s = &r->p->imsics[r->p->s_imsic];
	for (size_t k = 0; k < s->dt->nr_parents; k++)
		for (uint32_t g = 0; g < s->files_per_hart; g++) {
			uint64_t fa;
			if (!rvsim_file_addr(r->p, (size_t)r->p->s_imsic, k, g, &fa) &&
			    fa == (pa & ~(uint64_t)(PAGE - 1))) {
				*pos = k;
				*guest = g;
				return 0;
			}
		}
	return -1;
}

/* valid seteipnum writes the file has taken (set + coalesced) */
static uint64_t file_hits_(const struct run *r, size_t pos, uint32_t guest)
{
	const struct rvsim_imsic *s = &r->p->imsics[r->p->s_imsic];
	struct rvimsic_file_id f = {
	    .group = (uint32_t)(pos >> s->dt->hart_index_bits),
	    .hart = (uint32_t)(pos & ((UINT64_C(1) << s->dt->hart_index_bits) - 1)),
	    .guest = guest,
	};
	struct rvimsic_file_stats st;
	if (rvimsic_file_stats(s->im, f, &st))
		return 0;
	return st.set + st.coalesced;
}

/* One MSI-X write: translated like any write, then written to the bus.  It
 * is delivered when the file the OS targeted (the vector's hart, or the
 * VM's current guest file) took the identity: set it, or found it already
 * pending (AIA: edge MSIs of one identity coalesce until claimed). */
void run_msi(struct run *r, size_t dev, unsigned vec)
{
	struct run_dev *rd = &r->res->devs[dev];
	uint64_t pa, want_pa;
	unsigned want;
	size_t pos;
	uint32_t guest, data = rd->vec[vec].data;
	uint8_t le[4] = {(uint8_t)data, (uint8_t)(data >> 8), (uint8_t)(data >> 16),
	                 (uint8_t)(data >> 24)};
	rd->st.msis_raised++;
	rvsim_trace(r->p,
	            "\"ev\":\"msi\",\"src\":\"%s\",\"vector\":%u,\"addr\":\"0x%" PRIx64
	            "\",\"data\":%u",
	            rd->sd->name, vec, rd->vec[vec].addr, data);
	if (xlate_(r, rd, rd->vec[vec].addr, 4, true, true, data, &pa, &want, &want_pa))
		return; /* faulted: counted (and checked) as a fault, not an MSI */
	if (want)
		return;
	if (file_of_(r, want_pa, &pos, &guest)) {
		r->res->msi_lost++;
		run_viol(r, "%s vector %u: target 0x%" PRIx64 " is no interrupt file", rd->sd->name,
		         vec, want_pa);
		return;
	}
	uint64_t before = file_hits_(r, pos, guest);
	if (rvsim_mem_write(r->p, pa, le, 4))
		run_viol(r, "%s: MSI to pa 0x%" PRIx64 " reached no IMSIC", rd->sd->name, pa);
	if (file_hits_(r, pos, guest) != before + 1) {
		r->res->msi_lost++;
		run_viol(r, "%s vector %u: the MSI did not reach file 0x%" PRIx64, rd->sd->name,
		         vec, want_pa);
		return;
	}
	rd->st.msis_delivered++;
	struct pend_msi *pm = &r->outstanding[dev * SCEN_MAX_VEC + vec];
	uint64_t fa = want_pa & ~(uint64_t)(PAGE - 1);
	unsigned k = 0;
	while (k < pm->n && pm->fa[k] != fa)
		k++;
	if (k < pm->n)
		r->res->msi_coalesced++;
	else if (pm->n < PEND_FILES)
		pm->fa[pm->n++] = fa;
	else
		run_viol(r, "%s vector %u: pending in more than %d files", rd->sd->name, vec,
		         PEND_FILES);
	rvsim_irq_poll(r->p);
}

/* A claim (the OS's interrupt handler) of a device identity: it must be
 * pending for that vector, at the file the vector (or the VM's vCPU)
 * targets now. */
void run_msi_hook(void *ctx, size_t imsic, size_t pos, uint32_t guest, uint32_t id)
{
	struct run *r = ctx;
	uint64_t fa = 0;
	rvsim_file_addr(r->p, imsic, pos, guest, &fa);
	if (id < MSI_ID_BASE || (id - MSI_ID_BASE) / SCEN_MAX_VEC >= r->res->ndevs) {
		r->res->msi_dup++;
		run_viol(r, "identity %u arrived at file 0x%" PRIx64 ": nobody raised it", id, fa);
		return;
	}
	size_t dev = (id - MSI_ID_BASE) / SCEN_MAX_VEC;
	unsigned vec = (id - MSI_ID_BASE) % SCEN_MAX_VEC;
	struct run_dev *rd = &r->res->devs[dev];
	struct pend_msi *pm = &r->outstanding[dev * SCEN_MAX_VEC + vec];
	fa &= ~(uint64_t)(PAGE - 1);
	for (unsigned k = 0; k < pm->n; k++)
		if (pm->fa[k] == fa) {
			pm->fa[k] = pm->fa[--pm->n];
			rd->st.msis_taken++;
			return;
		}
	r->res->msi_dup++;
	if (pm->n)
		run_viol(r,
		         "%s vector %u: taken at file 0x%" PRIx64 ", it is pending at 0x%" PRIx64,
		         rd->sd->name, vec, fa, pm->fa[0]);
	else
		run_viol(r, "%s vector %u: taken at file 0x%" PRIx64 " with no MSI pending",
		         rd->sd->name, vec, fa);
}

void run_msi_moved(struct run *r, size_t vm, uint64_t old_fa, uint64_t new_fa)
{
	for (size_t d = 0; d < r->res->ndevs; d++)
		for (unsigned v = 0; v < SCEN_MAX_VEC; v++) {
			struct pend_msi *pm = &r->outstanding[d * SCEN_MAX_VEC + v];
			bool has_new = false;
			(void)vm;
			for (unsigned k = 0; k < pm->n; k++)
				has_new |= pm->fa[k] == new_fa;
			for (unsigned k = 0; k < pm->n; k++)
				if (pm->fa[k] == old_fa) {
					if (has_new) { /* coalesces with one already there */
						pm->fa[k] = pm->fa[--pm->n];
						r->res->msi_coalesced++;
					} else {
						pm->fa[k] = new_fa;
					}
					break;
				}
		}
}

/* ---- fault reports ---- */

void run_match_faults(struct run *r)
{
	for (size_t k = 0; k < r->p->nr_iommus; k++) {
		struct rvsim_iommu *io = &r->p->iommus[k];
		for (size_t i = 0; i < io->n_faults; i++) {
			const struct rvsim_fault_rec *f = &io->faults[i];
			size_t j = 0;
			while (j < r->npend &&
			       !(r->pend[j].iommu == k && r->pend[j].device_id == f->device_id &&
			         r->pend[j].cause == f->cause))
				j++;
			r->res->fault_records++;
			if (j == r->npend) {
				r->res->fault_unexpected++;
				run_viol(
				    r,
				    "iommu%zu reported cause %u (%s) for device_id 0x%x: no device "
				    "saw that fault",
				    k, f->cause, run_cause_name(f->cause), f->device_id);
				continue;
			}
			memmove(&r->pend[j], &r->pend[j + 1],
			        (r->npend - j - 1) * sizeof(*r->pend));
			r->npend--;
		}
		io->n_faults = 0;
	}
}

/* The host reads back every mapped buffer and compares it with the shadow. */
void run_final_sweep(struct run *r)
{
	uint8_t a[PAGE], b[PAGE];
	for (size_t i = 0; i < r->s->ndoms; i++) {
		const struct rdom *d = &r->doms[i];
		for (size_t k = 0; d->map_pa && k < d->sd->nmaps; k++) {
			for (uint64_t off = 0; off < d->sd->maps[k].size; off += PAGE) {
				uint64_t pa = d->map_pa[k] + off;
				rvsim_mem_read(r->p, pa, a, PAGE);
				rv_physmem_read(r->shadow, pa, b, PAGE);
				if (memcmp(a, b, PAGE)) {
					r->res->corrupt++;
					run_viol(r,
					         "host read-back: pa 0x%" PRIx64
					         " (%s.%s) differs from "
					         "what the devices wrote",
					         pa, d->sd->name, d->sd->maps[k].name);
				}
			}
		}
	}
}
