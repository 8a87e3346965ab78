/* SPDX-License-Identifier: MIT
 *
 * platform/plat_irq.c - harts as interrupt sinks, and the software that
 * claims their IMSIC interrupts.
 *
 * Each "riscv,imsics" node becomes one rvimsic instance (its topology from
 * rvdt_imsic_to_config(), so the model and Linux agree on every page), on
 * one rvimsic bus.  Every interrupt file is enabled as an OS would
 * (eidelivery = 1, eithreshold = 0, every identity enabled).  The line
 * callback records the level on the hart (SEIP, MEIP or an hgeip bit) and,
 * on a rising edge, queues the file on a ring; rvsim_irq_poll() then claims
 * each queued file through *topei until it reads 0, as an interrupt handler
 * does, and dispatches each identity: an IOMMU's vector runs that IOMMU's
 * driver handler, anything else goes to the scenario's MSI hook.
 *
 * AIA v1.0, "Incoming MSI Controller": interrupt files, *topei claims.
 *
 * Invariants:
 *   (1) the line callback never calls into an rvimsic (imsic.h forbids it);
 *   (2) a file whose line rose is claimed by the next rvsim_irq_poll(), also
 *       when the ring overflowed (then every file is scanned) - except that
 *       guest files wait while defer_guests is set (their vCPU is not
 *       running), so a vCPU migration can find identities still pending;
 *   (3) delivered[] counts each claimed identity exactly once.
 */
#include <stdlib.h>
#include <string.h>

#include "platform/plat_internal.h"

static size_t hart_of_(const struct rvsim_imsic *s, uint32_t group, uint32_t hart, long *posp)
{
	long pos = (long)((group << s->dt->hart_index_bits) | hart);
	*posp = pos;
	if (pos < 0 || (size_t)pos >= s->dt->nr_parents)
		return (size_t)-1;
	return s->dt->parents[pos].hart;
}

void rvsim_imsic_line(void *ctx, enum rvimsic_line line, uint32_t group, uint32_t hart,
                      uint32_t guest, bool level)
{
	struct rvsim_imsic *s = ctx;
	struct rvsim_platform *p = s->p;
	long pos;
	size_t h = hart_of_(s, group, hart, &pos);
	if (h >= p->nr_harts)
		return;
	struct rvsim_hart *ht = &p->harts[h];
	if (line == RVIMSIC_LINE_SEIP)
		ht->seip = level;
	else if (line == RVIMSIC_LINE_MEIP)
		ht->meip = level;
	else if (guest < 64)
		ht->hgeip = level ? ht->hgeip | (UINT64_C(1) << guest)
		                  : ht->hgeip & ~(UINT64_C(1) << guest);
	if (!level)
		return;
	ht->ext_irqs++;
	if (p->ring_n == RVSIM_IRQ_RING) {
		p->ring_overflow = true;
		return;
	}
	p->ring[p->ring_n].imsic = (uint16_t)(s - p->imsics);
	p->ring[p->ring_n].pos = (uint32_t)pos;
	p->ring[p->ring_n].guest = (uint16_t)guest;
	p->ring_n++;
}

static struct rvimsic_file_id fid_(const struct rvsim_imsic *s, size_t pos, uint32_t guest)
{
	struct rvimsic_file_id f = {
	    .group = (uint32_t)(pos >> s->dt->hart_index_bits),
	    .hart = (uint32_t)(pos & ((UINT64_C(1) << s->dt->hart_index_bits) - 1)),
	    .guest = guest,
	};
	return f;
}

int rvsim_file_addr(const struct rvsim_platform *p, size_t i, size_t pos, uint32_t guest,
                    uint64_t *pa)
{
	if (i >= p->nr_imsics)
		return -1;
	return rvimsic_file_addr(p->imsics[i].im, fid_(&p->imsics[i], pos, guest), pa) ? -1 : 0;
}

long rvsim_hart_pos(const struct rvsim_platform *p, size_t i, size_t h)
{
	if (i >= p->nr_imsics)
		return -1;
	const struct rvdt_imsic *d = p->imsics[i].dt;
	for (size_t k = 0; k < d->nr_parents; k++)
		if (d->parents[k].hart == h)
			return (long)k;
	return -1;
}

static void enable_file_(struct rvsim_imsic *s, struct rvimsic_file_id f)
{
	rvimsic_ireg_write(s->im, f, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_ON);
	rvimsic_ireg_write(s->im, f, RVIMSIC_ISEL_EITHRESHOLD, 0);
	for (uint32_t k = 0; k < 64; k += 2)
		rvimsic_ireg_write(s->im, f, RVIMSIC_ISEL_EIE0 + k, ~UINT64_C(0));
}

int rvsim_imsics_create(struct rvsim_platform *p, char *err, size_t errlen)
{
	rvimsic_bus_init(&p->bus, NULL, NULL);
	p->s_imsic = -1;
	if (p->dt->nr_imsics > RVIMSIC_BUS_MAX) {
		snprintf(err, errlen, "%s: more than %d riscv,imsics nodes", p->dt->imsics[0].path,
		         RVIMSIC_BUS_MAX);
		return RVSIM_E_DT;
	}
	for (size_t i = 0; i < p->dt->nr_imsics; i++) {
		struct rvsim_imsic *s = &p->imsics[i];
		struct rvimsic_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		s->p = p;
		s->dt = &p->dt->imsics[i];
		int r = rvdt_imsic_to_config(s->dt, &cfg);
		if (r) {
			snprintf(err, errlen, "%s: cannot model this IMSIC: %s", s->dt->path,
			         rvdt_strerror(r));
			return RVSIM_E_DT;
		}
		cfg.line = rvsim_imsic_line;
		cfg.ctx = s;
		r = rvimsic_create(&cfg, &s->im);
		if (r) {
			snprintf(err, errlen, "%s: IMSIC model refused it: %s", s->dt->path,
			         rvimsic_strerror(r));
			return RVSIM_E_DT;
		}
		p->nr_imsics = i + 1;
		s->m_level = cfg.m_level;
		s->files_per_hart = cfg.m_level ? 1 : cfg.guests + 1;
		s->delivered = calloc(s->dt->nr_parents * s->files_per_hart, sizeof(uint64_t));
		if (!s->delivered || rvimsic_bus_add(&p->bus, s->im))
			return RVSIM_E_NOMEM;
		for (size_t pos = 0; pos < s->dt->nr_parents; pos++)
			for (uint32_t g = 0; g < s->files_per_hart; g++)
				enable_file_(s, fid_(s, pos, g));
	}
	return 0;
}

static bool iommu_owns_(struct rvsim_platform *p, size_t i, size_t pos, uint32_t guest, uint32_t id)
{
	for (size_t k = 0; k < p->nr_iommus; k++) {
		struct rvsim_iommu *io = &p->iommus[k];
		if (!io->wsi && io->msi_imsic == (int)i && pos == 0 && guest == 0 &&
		    id >= RVSIM_IOMMU_MSI_ID + 4 * k && id < RVSIM_IOMMU_MSI_ID + 4 * (k + 1)) {
			io->irq_pending = true;
			io->irqs++;
			return true;
		}
	}
	return false;
}

static unsigned claim_file_(struct rvsim_platform *p, size_t i, size_t pos, uint32_t guest)
{
	struct rvsim_imsic *s = &p->imsics[i];
	unsigned n = 0;
	uint32_t topei;
	if (pos >= s->dt->nr_parents || guest >= s->files_per_hart)
		return 0;
	/* bounded: at most num_ids identities can be pending in one file */
	for (uint32_t k = 0; k <= RVIMSIC_MAX_IDS; k++) {
		if (rvimsic_topei_claim(s->im, fid_(s, pos, guest), &topei) || !topei)
			break;
		uint32_t id = topei >> RVIMSIC_TOPEI_ID_SHIFT;
		s->delivered[pos * s->files_per_hart + guest]++;
		n++;
		if (!iommu_owns_(p, i, pos, guest, id) && p->msi_hook)
			p->msi_hook(p->msi_ctx, i, pos, guest, id);
	}
	return n;
}

unsigned rvsim_irq_poll(struct rvsim_platform *p)
{
	unsigned n = 0;
	rvsim_ats_flush(p);
	for (int round = 0; round < 8; round++) {
		size_t cnt = p->ring_n, kept = 0;
		bool all = p->ring_overflow;
		bool any = false;
		for (size_t k = 0; k < p->nr_iommus; k++)
			any |= p->iommus[k].irq_pending;
		for (size_t k = 0; k < cnt; k++)
			any |= !(p->defer_guests && p->ring[k].guest);
		if (!any && !all)
			break;
		p->ring_overflow = false;
		if (all) {
			p->ring_n = 0;
			for (size_t i = 0; i < p->nr_imsics; i++)
				for (size_t pos = 0; pos < p->imsics[i].dt->nr_parents; pos++)
					for (uint32_t g = 0; g < p->imsics[i].files_per_hart; g++)
						n += claim_file_(p, i, pos, g);
		} else {
			/* Claims only lower lines, so nothing is appended while this
			 * loop runs; deferred guest files move to the front. */
			for (size_t k = 0; k < cnt; k++) {
				if (p->defer_guests && p->ring[k].guest) {
					p->ring[kept++] = p->ring[k];
					continue;
				}
				n += claim_file_(p, p->ring[k].imsic, p->ring[k].pos,
				                 p->ring[k].guest);
			}
			p->ring_n = kept;
		}
		for (size_t k = 0; k < p->nr_iommus; k++) {
			struct rvsim_iommu *io = &p->iommus[k];
			if (io->irq_pending && io->drv) {
				io->irq_pending = false;
				int h = rvd_handle_irq(io->drv);
				if (h > 0)
					io->handled += (uint64_t)h;
			}
		}
	}
	return n;
}
