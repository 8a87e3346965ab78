/* SPDX-License-Identifier: MIT
 *
 * model/model.c - lifecycle of a model instance: the default configuration,
 * the check that a configuration is a legal implementation, creation,
 * destruction, reset, statistics and error names.
 *
 * Spec: RISC-V IOMMU 1.0 §5.3 (capabilities: what an implementation may
 * advertise), §5.4 (fctl WARL fields), §5.1 (reset values), with the QoSID,
 * NLINV, ARINV and Svrsw60t59b extensions.
 *
 * Invariants kept by this file:
 *   (1) A struct rvm exists only with a config that rvm_config_check_()
 *       accepted, so the register code may assume e.g. IGS != 3 and
 *       1 <= xq_log2sz_max <= 32.
 *   (2) After rvm_create() and rvm_reset() every register holds its §5.1 reset
 *       value (or the value docs/model-registers.md picks where the spec says
 *       UNSPECIFIED), every cache is empty and no ATS invalidation is tracked.
 *   (3) Statistics count from creation; rvm_reset() does not clear them.
 */
#include "model/model_internal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Error names                                                               */
/* ------------------------------------------------------------------------ */

static const char *const rvm_err_names[] = {
    [-RVM_OK] = "success",
    [-RVM_EINVAL] = "invalid argument",
    [-RVM_ENOMEM] = "out of memory",
    [-RVM_EALIGN] = "MMIO access not naturally aligned",
    [-RVM_ESIZE] = "MMIO access size not supported for this register",
    [-RVM_ERANGE] = "MMIO offset outside the register block",
    [-RVM_EVERSION] = "snapshot format version not supported",
    [-RVM_ECORRUPT] = "snapshot truncated or corrupt",
    [-RVM_ECONFIG] = "configuration is not a legal implementation",
};

const char *rvm_strerror(int err)
{
	size_t n = sizeof(rvm_err_names) / sizeof(rvm_err_names[0]);
	if (err > 0 || (size_t)(-(long)err) >= n || !rvm_err_names[-err])
		return "unknown error";
	return rvm_err_names[-err];
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

void rvm_config_default(struct rvm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->capabilities = RVI_FIELD_PREP(RVI_CAP_VERSION, RVI_SPEC_VERSION_1_0) | RVI_CAP_SV39 |
	                    RVI_CAP_SV48 | RVI_CAP_SV57 | RVI_CAP_SVRSW60T59B | RVI_CAP_SVPBMT |
	                    RVI_CAP_SV39X4 | RVI_CAP_SV48X4 | RVI_CAP_SV57X4 | RVI_CAP_AMO_MRIF |
	                    RVI_CAP_MSI_FLAT | RVI_CAP_MSI_MRIF | RVI_CAP_AMO_HWAD | RVI_CAP_ATS |
	                    RVI_CAP_T2GPA | RVI_CAP_END |
	                    RVI_FIELD_PREP(RVI_CAP_IGS, RVI_IGS_BOTH) | RVI_CAP_HPM | RVI_CAP_DBG |
	                    RVI_FIELD_PREP(RVI_CAP_PAS, 56) | RVI_CAP_PD8 | RVI_CAP_PD17 |
	                    RVI_CAP_PD20 | RVI_CAP_QOSID | RVI_CAP_NL | RVI_CAP_S;
	cfg->fctl = 0; /* little-endian, MSI */
	cfg->fctl_writable = RVI_FCTL_BE | RVI_FCTL_WSI;
	cfg->ddtp_reset_mode = RVI_DDTP_MODE_OFF;
	cfg->ddt_modes = (1u << RVI_DDTP_MODE_OFF) | (1u << RVI_DDTP_MODE_BARE) |
	                 (1u << RVI_DDTP_MODE_1LVL) | (1u << RVI_DDTP_MODE_2LVL) |
	                 (1u << RVI_DDTP_MODE_3LVL);
	cfg->cq_log2sz_max = 20;
	cfg->fq_log2sz_max = 20;
	cfg->pq_log2sz_max = 20;
	cfg->iotlb_entries = 4096;
	/* G-stage leaf cache: a quarter of the IOTLB (it only serves the
	 * implicit accesses and the final G-stage of IOTLB misses).  Page-walk
	 * cache: as large as the IOTLB, so that a working set the IOTLB can
	 * not hold still costs one leaf-PTE read per miss; an eighth (512, the
	 * earlier fixed choice) covers only 1 GiB of 4 KiB pages, and a random
	 * walk over more paid one or two extra PTE reads per miss.  Cost: 32
	 * bytes an entry (128 KiB). */
	cfg->gtlb_entries = 1024;
	cfg->pwc_entries = 4096;
	cfg->ddtc_entries = 256;
	cfg->pdtc_entries = 256;
	cfg->hpm_counters = 8;
	cfg->hpm_counter_bits = 64;
	cfg->icvec_bits = 4;
	cfg->rcid_bits = 12;
	cfg->mcid_bits = 12;
	cfg->sxl_writable = false;
	cfg->msi_be = true;
	cfg->check_dc_addr_width = true;
	cfg->ats_inval_timeout = 1000000; /* rvm_advance() units */
	cfg->ats_inval_max = 32;
}

/* The modes the ddtp.iommu_mode WARL field holds: Off and Bare always
 * (§5.5: both are mandatory). */
static uint8_t supported_ddt_modes(const struct rvm_config *cfg)
{
	return (uint8_t)(cfg->ddt_modes | (1u << RVI_DDTP_MODE_OFF) | (1u << RVI_DDTP_MODE_BARE));
}

static bool queue_size_ok(uint8_t log2_max)
{
	/* LOG2SZ-1 is a 5-bit field, so LOG2SZ could be 32; the model caps it
	 * at 31 because its queue indexes are 32-bit registers and a
	 * 2^32-entry queue would be 64 GiB of commands. */
	return log2_max >= 1 && log2_max <= 31;
}

/* Invariant (1): reject every configuration no conforming IOMMU could have. */
static int rvm_config_check_(const struct rvm_config *cfg)
{
	uint64_t caps = cfg->capabilities;
	unsigned pas = (unsigned)RVI_FIELD_GET(RVI_CAP_PAS, caps);
	unsigned igs = (unsigned)RVI_FIELD_GET(RVI_CAP_IGS, caps);
	uint8_t modes = supported_ddt_modes(cfg);
	const uint8_t lvl_modes =
	    (1u << RVI_DDTP_MODE_1LVL) | (1u << RVI_DDTP_MODE_2LVL) | (1u << RVI_DDTP_MODE_3LVL);

	if (RVI_FIELD_GET(RVI_CAP_VERSION, caps) != RVI_SPEC_VERSION_1_0)
		return RVM_ECONFIG; /* this model implements 1.0 */
	if (caps & RVI_CAP_RESERVED)
		return RVM_ECONFIG; /* §5.3: reserved bits read 0 */
	if (caps & RVI_CAP_CUSTOM)
		return RVM_ECONFIG; /* no custom features are modelled */
	if (igs == RVI_IGS_RSVD)
		return RVM_ECONFIG; /* §5.3: IGS = 3 is reserved */
	if ((caps & RVI_CAP_SV48) && !(caps & RVI_CAP_SV39))
		return RVM_ECONFIG; /* §5.3: Sv48 requires Sv39 */
	if ((caps & RVI_CAP_SV57) && !(caps & RVI_CAP_SV48))
		return RVM_ECONFIG; /* §5.3: Sv57 requires Sv48 */
	if ((caps & RVI_CAP_SV48X4) && !(caps & RVI_CAP_SV39X4))
		return RVM_ECONFIG; /* [Priv] hgatp: Sv48x4 implies Sv39x4 */
	if ((caps & RVI_CAP_SV57X4) && !(caps & RVI_CAP_SV48X4))
		return RVM_ECONFIG; /* [Priv] hgatp: Sv57x4 implies Sv48x4 */
	if (pas < 32 || pas > 56)
		return RVM_ECONFIG; /* PPN fields hold PA[55:12] */
	if ((caps & RVI_CAP_MSI_MRIF) && !(caps & RVI_CAP_MSI_FLAT))
		return RVM_ECONFIG; /* MRIF PTEs live in the MSI page table */
	if ((caps & RVI_CAP_AMO_MRIF) && !(caps & RVI_CAP_MSI_MRIF))
		return RVM_ECONFIG; /* atomic MRIF updates need MRIFs */
	if ((caps & RVI_CAP_T2GPA) && !(caps & RVI_CAP_ATS))
		return RVM_ECONFIG; /* T2GPA qualifies ATS completions */
	if (caps & RVI_CAP_HPM) {
		/* §5.19-5.23: at least one programmable counter, at most 31,
		 * and iohpmctr1 at least 32 bits wide. */
		if (cfg->hpm_counters < 1 || cfg->hpm_counters > RVI_HPM_COUNTERS_MAX)
			return RVM_ECONFIG;
		if (cfg->hpm_counter_bits < 32 || cfg->hpm_counter_bits > 64)
			return RVM_ECONFIG;
	} else if (cfg->hpm_counters) {
		return RVM_ECONFIG;
	}
	if (caps & RVI_CAP_QOSID) {
		if (cfg->rcid_bits > 12 || cfg->mcid_bits > 12)
			return RVM_ECONFIG;
	} else if (cfg->rcid_bits || cfg->mcid_bits) {
		return RVM_ECONFIG;
	}
	if (cfg->icvec_bits > 4)
		return RVM_ECONFIG; /* §5.28: 4-bit fields */
	if (cfg->ddtp_reset_mode != RVI_DDTP_MODE_OFF && cfg->ddtp_reset_mode != RVI_DDTP_MODE_BARE)
		return RVM_ECONFIG; /* §5.1 */
	if (cfg->ddt_modes & ~((1u << (RVI_DDTP_MODE_3LVL + 1)) - 1))
		return RVM_ECONFIG; /* reserved or custom modes */
	if (!(modes & lvl_modes))
		return RVM_ECONFIG; /* §5.5 "at a minimum one of the modes" [UNCERTAIN] */
	if (!queue_size_ok(cfg->cq_log2sz_max) || !queue_size_ok(cfg->fq_log2sz_max) ||
	    !queue_size_ok(cfg->pq_log2sz_max))
		return RVM_ECONFIG;
	/* fctl at reset: only defined bits, consistent with the capabilities. */
	if (cfg->fctl & ~(uint32_t)(RVI_FCTL_BE | RVI_FCTL_WSI | RVI_FCTL_GXL))
		return RVM_ECONFIG;
	if (cfg->fctl_writable & ~(uint32_t)(RVI_FCTL_BE | RVI_FCTL_WSI | RVI_FCTL_GXL))
		return RVM_ECONFIG;
	if (igs == RVI_IGS_MSI && (cfg->fctl & RVI_FCTL_WSI))
		return RVM_ECONFIG; /* §5.4: WSI only when wires exist */
	if (igs == RVI_IGS_WSI && !(cfg->fctl & RVI_FCTL_WSI))
		return RVM_ECONFIG; /* wire-only: WSI reads 1 */
	if ((cfg->fctl & RVI_FCTL_GXL) && !(caps & RVI_CAP_SV32X4))
		return RVM_ECONFIG; /* GXL=1 means Sv32x4 only */
	if ((caps & RVI_CAP_ATS) && (cfg->ats_inval_max < 1 || cfg->ats_inval_max > 65536))
		return RVM_ECONFIG; /* ATS.INVAL could never be tracked */
	return RVM_OK;
}

/* The fctl bits software may change: cfg.fctl_writable masked by what the
 * capabilities allow (§5.4: BE needs END; WSI needs IGS=BOTH; GXL needs a
 * choice between Sv32x4 and the wider schemes). */
static uint32_t fctl_writable_mask(const struct rvm_config *cfg)
{
	uint64_t caps = cfg->capabilities;
	uint32_t w = 0;
	if (caps & RVI_CAP_END)
		w |= RVI_FCTL_BE;
	if (RVI_FIELD_GET(RVI_CAP_IGS, caps) == RVI_IGS_BOTH)
		w |= RVI_FCTL_WSI;
	if ((caps & RVI_CAP_SV32X4) && (caps & (RVI_CAP_SV39X4 | RVI_CAP_SV48X4 | RVI_CAP_SV57X4)))
		w |= RVI_FCTL_GXL;
	return w & cfg->fctl_writable;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                 */
/* ------------------------------------------------------------------------ */

static void reset_locked(struct rvm *m)
{
	/* Drive any raised WSI wire low: reset clears ipsr (§5.1). */
	for (unsigned v = 0; m->wsi_level && v < 32; v++) {
		if (!(m->wsi_level & (1u << v)))
			continue;
		m->wsi_level &= ~(1u << v);
		if (m->ops.wsi)
			m->ops.wsi(m->ctx, v, false);
	}

	/* Register state.  Where §5.1 leaves a value UNSPECIFIED the model
	 * picks 0 (docs/model-registers.md). */
	m->fctl = m->cfg.fctl;
	m->ddtp = RVI_FIELD_PREP(RVI_DDTP_MODE, m->cfg.ddtp_reset_mode);
	memset(&m->cq, 0, sizeof(m->cq));
	memset(&m->fq, 0, sizeof(m->fq));
	memset(&m->pq, 0, sizeof(m->pq));
	m->ipsr = 0;
	m->icvec = 0;
	memset(m->msi_addr, 0, sizeof(m->msi_addr));
	memset(m->msi_data, 0, sizeof(m->msi_data));
	memset(m->msi_vec_ctl, 0, sizeof(m->msi_vec_ctl));
	m->msi_pending = 0;
	/* QoSID: RCID must be 0 when the reset mode is Bare; 0 for both. */
	m->iommu_qosid = 0;
	m->tr_req_iova = m->tr_req_ctl = m->tr_response = 0;

	/* HPM: counters and selectors reset to 0 (UNSPECIFIED in §5.1). */
	m->iocountinh = 0;
	m->iohpmcycles = 0;
	memset(m->iohpmctr, 0, sizeof(m->iohpmctr));
	memset(m->iohpmevt, 0, sizeof(m->iohpmevt));
	m->hpm_active = 0;

	/* Invalidations in flight are forgotten: their completions, if they
	 * arrive, carry unknown tags and are ignored. */
	if (m->ats_pending)
		memset(m->ats_pending, 0, sizeof(*m->ats_pending) * m->cfg.ats_inval_max);
	m->ats_timed_out = false;

	/* §5.1: the IOMMU caches are empty after reset. */
	rvm_caches_flush_all(m);
}

struct rvm *rvm_create(const struct rvm_config *cfg, const struct rvm_host_ops *ops, void *ctx,
                       int *err)
{
	int rc = RVM_EINVAL;
	struct rvm *m = NULL;

	if (!cfg || !ops || !ops->mem_read || !ops->mem_write)
		goto fail;
	rc = rvm_config_check_(cfg);
	if (rc)
		goto fail;
	rc = RVM_ENOMEM;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto fail;
	m->cfg = *cfg;
	m->cfg.fctl_writable = fctl_writable_mask(cfg);
	m->cfg.ddt_modes = supported_ddt_modes(cfg);
	m->ops = *ops;
	m->ctx = ctx;
	m->caps = cfg->capabilities;
	m->pa_mask = (UINT64_C(1) << RVI_FIELD_GET(RVI_CAP_PAS, m->caps)) - 1;
	m->extended_dc = (m->caps & RVI_CAP_MSI_FLAT) != 0;
	atomic_init(&m->cache_seq, 0);
	if (cfg->ats_inval_max) {
		m->ats_pending = calloc(cfg->ats_inval_max, sizeof(*m->ats_pending));
		if (!m->ats_pending)
			goto fail_free;
	}
	if (pthread_mutex_init(&m->lock, NULL))
		goto fail_free;
	if (rvm_caches_init(m)) {
		pthread_mutex_destroy(&m->lock);
		goto fail_free;
	}
	pthread_mutex_lock(&m->lock);
	reset_locked(m);
	pthread_mutex_unlock(&m->lock);
	if (err)
		*err = RVM_OK;
	return m;

fail_free:
	free(m->ats_pending);
	free(m);
fail:
	if (err)
		*err = rc;
	return NULL;
}

void rvm_destroy(struct rvm *m)
{
	if (!m)
		return;
	rvm_caches_destroy(m);
	pthread_mutex_destroy(&m->lock);
	free(m->ats_pending);
	free(m);
}

void rvm_reset(struct rvm *m)
{
	pthread_mutex_lock(&m->lock);
	reset_locked(m);
	pthread_mutex_unlock(&m->lock);
}

const struct rvm_config *rvm_get_config(const struct rvm *m)
{
	return &m->cfg;
}

void rvm_get_stats(const struct rvm *m, struct rvm_stats *st)
{
	struct rvm *mm = (struct rvm *)m; /* the lock is not logically state */

	memset(st, 0, sizeof(*st));
	st->iotlb_hits = atomic_load_explicit(&mm->st_iotlb_hits, memory_order_relaxed);
	st->iotlb_misses = atomic_load_explicit(&mm->st_iotlb_misses, memory_order_relaxed);
	st->translations = st->iotlb_hits + st->iotlb_misses; /* translate.c */
	pthread_mutex_lock(&mm->lock);
	st->faults_recorded = m->st_faults_recorded;
	st->faults_dropped = m->st_faults_dropped;
	st->commands = m->st_commands;
	st->msis_sent = m->st_msis_sent;
	st->page_requests = m->st_page_requests;
	pthread_mutex_unlock(&mm->lock);
}

void rvm_set_mem_page(struct rvm *m, rvm_mem_page_fn fn)
{
	/* Only walks read it, and they run under m->lock. */
	pthread_mutex_lock(&m->lock);
	m->mem_page = fn;
	pthread_mutex_unlock(&m->lock);
}
