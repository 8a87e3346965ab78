/* SPDX-License-Identifier: MIT
 *
 * platform/scen.h - a parsed scenario (docs/scenario-format.md) and the
 * result of running one.  Private to src/platform/.
 *
 * Invariants of a parsed scenario (checked by scen_json.c, relied on by
 * scen_run.c):
 *   (1) every name reference (device, domain, map, vm) is a valid index;
 *   (2) every size is > 0, page-aligned where the format says so, and
 *       iova + size does not wrap;
 *   (3) a device belongs to at most one domain at the start;
 *   (4) iommu_cfg, when present, is a legal implementation (rvm_create()
 *       accepted it at parse time).
 */
#ifndef RVIOMMU_PLATFORM_SCEN_H
#define RVIOMMU_PLATFORM_SCEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/plat_internal.h"

#define SCEN_NAME 32
#define SCEN_MAX_VEC 8
#define SCEN_MAX_DEVS 64

enum scen_dom_type { DOM_DMA = 0, DOM_IDENTITY = 1, DOM_BLOCKED = 2 };
enum scen_stage { STAGE_AUTO = 0, STAGE_FIRST = 1, STAGE_SECOND = 2 };
enum scen_dir { DIR_WRITE = 0, DIR_READ = 1, DIR_MIXED = 2 };
enum scen_pattern { PAT_SEQ = 0, PAT_STRIDED = 1, PAT_RANDOM = 2, PAT_SG = 3 };
enum scen_op {
	OP_DMA,
	OP_MSI,
	OP_AFFINITY,
	OP_DETACH,
	OP_ATTACH,
	OP_MAP,
	OP_UNMAP,
	OP_WAIT,
	OP_VM_ASSIGN,
	OP_VCPU_MIGRATE,
};

struct scen_dev {
	char name[SCEN_NAME];
	uint32_t bdf;
	unsigned vectors;
	uint32_t hart[SCEN_MAX_VEC]; /* initial affinity: hart index */
	bool ats;                    /* PCIe ATS with a device ATC */
	bool pri;                    /* and PRI (page requests), needs ats */
};

struct scen_map {
	char name[SCEN_NAME];
	uint64_t iova, size;
	uint64_t pa; /* when !pa_auto and pa_ref < 0 */
	bool pa_auto;
	int pa_ref_dom, pa_ref_map; /* "@dom.map": share that buffer */
	unsigned prot;              /* RVD_PROT_* */
	bool demand;                /* mapped page by page on page requests */
};

struct scen_dom {
	char name[SCEN_NAME];
	enum scen_dom_type type;
	enum scen_stage stage;
	int *devs;
	size_t ndevs;
	struct scen_map *maps;
	size_t nmaps;
};

struct scen_step {
	enum scen_op op;
	int dev, dom, vm;
	/* dma */
	enum scen_dir dir;
	enum scen_pattern pattern;
	uint64_t iova, size;
	uint32_t chunk, stride, count;
	/* msi / affinity */
	unsigned vector;
	uint32_t hart;
	/* vcpu_migrate: the VM's vCPU index */
	unsigned vcpu;
	/* map */
	struct scen_map map;
};

#define SCEN_MAX_VCPUS 64
struct scen_vm {
	char name[SCEN_NAME];
	uint32_t hart;  /* vCPU k starts on hart index hart + k */
	unsigned vcpus; /* 1..SCEN_MAX_VCPUS */
};

struct rvsim_scenario {
	char name[64];
	/* "iommu": the implementation every IOMMU of the platform is rebuilt
	 * with before the run (rvm_config_default() edited by the scenario;
	 * already accepted by rvm_create() when has_iommu_cfg). */
	bool has_iommu_cfg;
	struct rvm_config iommu_cfg;
	struct scen_dev *devs;
	size_t ndevs;
	struct scen_dom *doms;
	size_t ndoms;
	struct scen_vm *vms;
	size_t nvms;
	struct scen_step *steps;
	size_t nsteps;
};

/* One entry of a device's address translation cache (scen_ats.c). */
#define ATC_ENTRIES 32
struct atc_ent {
	bool v;
	uint64_t iova, size, pa; /* naturally aligned range */
	uint8_t perm;            /* RVM_PERM_* */
};

/* Per-device run state and counters (scen_run.c fills, scen_report.c prints). */
struct run_dev {
	const struct scen_dev *sd; /* valid during the run only */
	char name[SCEN_NAME];
	uint32_t bdf;
	size_t iommu;
	uint32_t device_id;
	int dom; /* current domain index, -1 when detached (blocked) */
	int vm;  /* assigned VM, -1 */
	struct {
		uint64_t addr;
		uint32_t data;
		size_t hart; /* hart index */
	} vec[SCEN_MAX_VEC];
	struct rvsim_dev_stats st;
	bool ats; /* ATS enabled through the driver */
	struct atc_ent atc[ATC_ENTRIES];
	unsigned atc_next;
	bool pri;
	uint16_t prg_next;
	int16_t prg_code[512];        /* PRG index -> response code, -1 pending */
	uint64_t faults_by_cause[16]; /* slot: see cause_slot() in scen_run.c */
};

#define RUN_MAX_VIOL 16
#define RUN_MAX_SKIP 16

struct rvsim_result {
	uint64_t seed;
	char platform[96];
	char scenario[64];
	char msi_policy[128];
	struct rvsim_platform_info info;
	struct run_dev *devs;
	size_t ndevs;
	/* faults by cause (index = cause, capped at 512) */
	uint64_t faults[512];
	/* interrupts delivered per file: copied from the platform at the end */
	struct {
		char imsic[RVDT_PATH_MAX];
		uint32_t hartid, guest;
		uint64_t n;
	} * files;
	size_t nfiles;
	/* commands per IOMMU */
	uint64_t cmds[RVSIM_CMD_OPS][8];
	uint64_t n_cmds, iommu_irqs, fault_records;
	uint64_t vtime, steps_run;
	uint64_t vm_migrations, vm_moved;
	/* invariants */
	uint64_t msi_coalesced;
	uint64_t corrupt, msi_lost, msi_dup, fault_unexpected, fault_missing, fault_unreported;
	char viol[RUN_MAX_VIOL][160];
	size_t nviol;
	char skipped[RUN_MAX_SKIP][160];
	size_t nskipped;
};

/* scen_iommu.c: the "iommu" object (o is a jansson json_t *). */
struct json_t;
int scen_parse_iommu(const struct json_t *o, struct rvm_config *cfg, char *err, size_t errlen);

#endif
