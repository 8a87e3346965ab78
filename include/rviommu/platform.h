/* SPDX-License-Identifier: MIT
 *
 * rviommu/platform.h - the platform simulator: a machine built from a device
 * tree, with RAM, harts, IMSICs, one or more RISC-V IOMMUs (hardware model +
 * portable driver core) and PCIe-like devices behind them, driven by a
 * scenario of DMA, MSI and management steps.
 *
 * What the platform holds (built by rvsim_platform_create()):
 *   - RAM: the device tree's memory ranges, as sparse simulated memory; the
 *     top RVSIM_POOL_PAGES pages of the first range are a reserved carve-out
 *     that backs the driver's page allocator (contiguous host memory, so the
 *     driver's phys_to_virt works on multi-page blocks).
 *   - harts: interrupt sinks.  Each records its SEIP/MEIP line and the hgeip
 *     bits of its guest files, as the IMSIC line callbacks report them.
 *   - IMSICs: one rvimsic instance per "riscv,imsics" node, on one bus.
 *   - IOMMUs: one model instance per "riscv,iommu"/"riscv,pci-iommu" node
 *     (or one default platform IOMMU when the tree has none), each driven by
 *     its own rvd_ driver instance.  The model's memory accesses go to RAM or,
 *     for MSIs, to the IMSIC bus; its wired interrupts go to a per-IOMMU sink.
 *   - devices: PCIe functions added by the scenario at a bus/device/function;
 *     their device_id comes from the PCI host's iommu-map.
 *
 * Time is virtual: one tick per scheduler step, and the driver's clock and
 * delays advance it.  The report never contains wall-clock time, so a run is
 * a pure function of (device tree, scenario, seed).
 *
 * Errors: functions return 0 or a negative RVSIM_E* code, and write one line
 * naming the node, property or JSON field into the caller's buffer.
 *
 * Invariants of the API:
 *   (1) no global state: platforms, scenarios and results are independent
 *       objects, and one thread may use one platform at a time;
 *   (2) a platform runs one scenario (rvsim_run() consumes it; a second run
 *       is RVSIM_E_INVAL);
 *   (3) a result depends only on (device tree, scenario, seed); reports
 *       contain no wall-clock time or host addresses;
 *   (4) bad input never crashes: every failure is an error code and a
 *       message, and everything allocated is freed.
 *
 * Docs: docs/cli.md ("rviommu run"), docs/scenario-format.md,
 * docs/embedding.md.
 */
#ifndef RVIOMMU_PLATFORM_H
#define RVIOMMU_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rvsim_err {
	RVSIM_OK = 0,
	RVSIM_E_DT = -1,       /* the device tree cannot be loaded or used */
	RVSIM_E_SCENARIO = -2, /* the scenario is malformed (names the field) */
	RVSIM_E_NOMEM = -3,    /* allocation failed */
	RVSIM_E_SETUP = -4,    /* the model or driver refused the platform */
	RVSIM_E_INVAL = -5,    /* a bad argument */
};

#define RVSIM_POOL_PAGES 4096u /* driver carve-out: 16 MiB */

struct rvsim_platform;
struct rvsim_scenario;
struct rvsim_result;

/* ------------------------------------------------------------------------ */
/* Platform                                                                  */
/* ------------------------------------------------------------------------ */
/**
 * rvsim_platform_create - build a platform from a device tree file (DTB, or
 * DTS compiled with dtc), or from the embedded default (QEMU virt-like: 8
 * harts, 3 guest files per hart, one IOMMU, a PCI host) when @dt_path is NULL.
 * Return: 0, RVSIM_E_DT (message names the node/property), RVSIM_E_SETUP,
 *   RVSIM_E_NOMEM.
 */
int rvsim_platform_create(const char *dt_path, struct rvsim_platform **out, char *err,
                          size_t errlen);
void rvsim_platform_destroy(struct rvsim_platform *p);

/* The embedded default device tree as a DTB (built with libfdt's
 * sequential-write API); free() the result.  Return: 0, RVSIM_E_NOMEM. */
int rvsim_default_dtb(void **blob, size_t *size);

struct rvsim_platform_info {
	size_t nr_harts;
	size_t nr_imsics;
	size_t nr_iommus;
	uint32_t guests_per_hart; /* guest files per hart at S level */
	bool default_iommu;       /* the tree had no IOMMU node: one was added */
	uint64_t ram_base, ram_size;
};
void rvsim_platform_info(const struct rvsim_platform *p, struct rvsim_platform_info *info);

/* ------------------------------------------------------------------------ */
/* Scenarios (docs/scenario-format.md)                                       */
/* ------------------------------------------------------------------------ */
/**
 * rvsim_scenario_parse - parse a scenario from JSON text.  Every unknown key,
 * missing field, wrong type, out-of-range value and dangling name is an error
 * naming the field, e.g. "steps[3].device: no device named 'nic9'".
 * Return: 0, RVSIM_E_SCENARIO, RVSIM_E_NOMEM.
 */
int rvsim_scenario_parse(const char *json, size_t len, struct rvsim_scenario **out, char *err,
                         size_t errlen);
/* Read a file and parse it; the message starts with the path. */
int rvsim_scenario_load(const char *path, struct rvsim_scenario **out, char *err, size_t errlen);
/* The built-in default scenario, as JSON text (examples/scenarios/default.json). */
const char *rvsim_default_scenario_json(void);
void rvsim_scenario_free(struct rvsim_scenario *s);

/* ------------------------------------------------------------------------ */
/* Running                                                                   */
/* ------------------------------------------------------------------------ */
struct rvsim_run_opts {
	uint64_t seed;
	FILE *trace;    /* JSON Lines events, or NULL */
	FILE *progress; /* a TTY to draw a progress line on after ~2 s, or NULL */
};

/**
 * rvsim_run - run @s on @p (a freshly created platform; a run consumes it)
 * and return the result.  Architectural outcomes (faults, failed invariants)
 * are in the result; the return value only reports setup failures.
 * Return: 0, RVSIM_E_SCENARIO (the scenario does not fit the platform, e.g.
 *   a bdf the iommu-map does not cover), RVSIM_E_SETUP, RVSIM_E_NOMEM,
 *   RVSIM_E_INVAL (NULL arguments, or the platform already ran).
 */
int rvsim_run(struct rvsim_platform *p, const struct rvsim_scenario *s,
              const struct rvsim_run_opts *o, struct rvsim_result **out, char *err, size_t errlen);

/* Every invariant held (steps that could not run are not failures, but are
 * listed as skipped). */
bool rvsim_result_ok(const struct rvsim_result *r);
/* Number of steps the platform could not run (missing features). */
unsigned rvsim_result_skipped(const struct rvsim_result *r);
void rvsim_report_text(const struct rvsim_result *r, FILE *out);
void rvsim_report_json(const struct rvsim_result *r, FILE *out);
void rvsim_result_free(struct rvsim_result *r);

/* Per-device counters, for tests and embedders. */
struct rvsim_dev_stats {
	uint64_t bytes_read, bytes_written;
	uint64_t translations, iotlb_hits; /* IOTLB: the model's, attributed */
	uint64_t faults, faults_expected;
	uint64_t msis_raised;    /* MSI-X writes */
	uint64_t msis_delivered; /* reached the targeted interrupt file */
	uint64_t msis_taken;     /* claimed by the OS (coalesced MSIs once) */
	uint64_t corrupt;        /* reads that disagreed with the shadow, bad PAs */
	uint64_t bus_errors;     /* translated to something that is not RAM */
	uint64_t ats_requests;   /* ATS Translation Requests (ATC misses) */
	uint64_t atc_hits;       /* accesses served from the device's ATC */
	uint64_t ats_invals;     /* ATS Invalidation Requests received */
	uint64_t page_requests;  /* PRI Page Requests sent */
	uint64_t prg_success;    /* ... answered Success (then retried) */
};
/* Return: 0, RVSIM_E_INVAL (no device of that name). */
int rvsim_result_dev(const struct rvsim_result *r, const char *name, struct rvsim_dev_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* RVIOMMU_PLATFORM_H */
