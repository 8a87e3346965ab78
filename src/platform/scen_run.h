/* SPDX-License-Identifier: MIT
 *
 * platform/scen_run.h - the state of one scenario run, shared by
 * scen_run.c (scheduler, management steps), scen_dma.c (DMA jobs, MSIs,
 * the software view and the checks) and scen_report.c.
 *
 * The "software view" is what the simulated OS believes: for each domain,
 * the ranges it mapped (IOVA -> PA, prot) and, for each device, its
 * current domain and MSI-X targets.  Every device access is checked against
 * it: a translation must succeed exactly where the view says it should, to
 * the PA the view says, and fault with the cause the stage implies
 * everywhere else.  A shadow memory holds what every successful DMA write
 * put at its *expected* PA, so reads and the final sweep detect corruption.
 *
 * Invariants:
 *   (1) the software view changes only after the driver call that makes the
 *       change real has returned (map before use; unmap+sync before forget);
 *   (2) every MSI a device raises successfully reaches the file the OS
 *       targeted (setting its identity pending there, or finding it pending:
 *       AIA coalescing); each pending (vector, file) is taken exactly once,
 *       at that file - or at the file a vCPU migration moved it to;
 *   (3) every fault the device saw with fault_recorded set stays pending
 *       until a driver fault record with the same device_id and cause.
 */
#ifndef RVIOMMU_PLATFORM_SCEN_RUN_H
#define RVIOMMU_PLATFORM_SCEN_RUN_H

#include "platform/scen.h"
#include "rviommu/msi.h"

#define MSI_ID_BASE 16u /* device identities: MSI_ID_BASE + dev * 8 + vec */
#define TICK_NS 1000u
#define VCPU_PERIOD 4u /* a VM's vCPU claims its interrupts every 4th tick */

struct run;

struct sw_map {
	uint64_t iova, size, pa;
	unsigned prot;
	bool doorbell; /* an IMSIC page mapped by the MSI policy */
};

struct rdom {
	const struct scen_dom *sd;
	struct rvd_domain *d;
	size_t iommu;
	int stage; /* 1, 2, or 0 (identity/blocked) */
	struct sw_map *maps;
	size_t nmaps, cap;
	uint64_t *map_pa;      /* resolved PA of sd->maps[i] */
	struct sw_map *demand; /* "demand" maps: mapped page by page on PRI */
	size_t ndemand, capdemand;
	/* second stage: the GSCID's MSI page table (scen_msi.c) */
	bool has_msi;
	struct rvmsi_table msi;
	struct rvmsi_rvd_mem mem;
};

/* An assigned-device VM (scen_vm.c). */
struct rvm_vm {
	bool up, failed;
	struct rvd_domain *parent, *nested;
	size_t iommu;
	uint64_t ram_pa; /* host PA of guest RAM at VM_RAM_GPA */
	struct rvmsi_table msi;
	struct rvmsi_rvd_mem mem;
	struct rvmsi_vcpu vcpu[SCEN_MAX_VCPUS]; /* vCPU k: vIMSIC at VM_VIMSIC_GPA | k << 12 */
	unsigned nvcpus;
	uint64_t migrations, moved;
};

struct job {
	const struct scen_step *st;
	bool active;
	uint32_t done;
};

/* The interrupt files where one vector's identity is pending (set by an MSI
 * and not yet taken): normally one, more after an affinity change made
 * while one was pending. */
#define PEND_FILES 4
struct pend_msi {
	uint64_t fa[PEND_FILES];
	unsigned n;
};

#define RUN_MAX_PRQ 64
struct run_prq {
	size_t iommu;
	struct rvd_page_request pr;
};

struct pend_fault {
	size_t iommu;
	uint32_t device_id;
	uint16_t cause;
	uint64_t iova;
};

struct run {
	struct rvsim_platform *p;
	const struct rvsim_scenario *s;
	struct rvsim_result *res;
	uint64_t rng;
	struct rdom *doms;
	struct rvm_vm *vms;
	struct job *jobs;
	struct rv_physmem *shadow;
	struct pend_msi *outstanding;    /* per device * SCEN_MAX_VEC */
	struct run_prq prq[RUN_MAX_PRQ]; /* page requests to answer */
	size_t nprq;
	struct pend_fault *pend;
	size_t npend, cappend;
	/* the guest interrupt files of the S-level IMSIC, shared by every VM's
	 * vCPUs (scen_vm.c): made by the first VM, so no two vCPUs share one */
	struct rvmsi_gfiles gfiles;
	size_t step;
	FILE *progress;
	int progress_shown;
	double progress_next; /* seconds since the start */
	char *err;
	size_t errlen;
};

uint64_t run_rand(struct run *r);
void run_viol(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A scenario error: the message (with the field's path) goes to the caller;
 * returns RVSIM_E_SCENARIO. */
int run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A step that could not run: listed in the report, never counted as passing. */
void run_skip(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* scen_setup.c: devices, domains, attachments, ATS */
int run_setup(struct run *r);
int run_hart_file(struct run *r, uint32_t hart, uint64_t *addr, const char *path);
int run_map_one(struct run *r, struct rdom *d, const struct scen_map *m, const char *path,
                uint64_t *pa_out);
/* dom < 0: the blocking domain */
int run_attach(struct run *r, size_t dev, int dom, const char *path);

/* scen_dma.c */
void run_note_fault(struct run *r, struct run_dev *rd, uint64_t iova, bool write, unsigned cause,
                    bool recorded);
void run_dma_chunk(struct run *r, size_t dev);
void run_msi(struct run *r, size_t dev, unsigned vec);
void run_msi_hook(void *ctx, size_t imsic, size_t pos, uint32_t guest, uint32_t id);
/* A vCPU migration moved pending identities from file old_fa to new_fa. */
void run_msi_moved(struct run *r, size_t vm, uint64_t old_fa, uint64_t new_fa);
void run_match_faults(struct run *r);
void run_final_sweep(struct run *r);
int run_sw_add(struct rdom *d, uint64_t iova, uint64_t size, uint64_t pa, unsigned prot,
               bool doorbell);
void run_sw_remove(struct rdom *d, uint64_t iova, uint64_t size);

/* scen_msi.c: the MSI policy of DMA domains and MSI-X retargeting */
int run_msi_domain_setup(struct run *r, struct rdom *d);
/* Take (+1) or drop (-1) the MSI references of device dev's vectors in its
 * current domain (second stage only). */
int run_msi_refs(struct run *r, size_t dev, int delta);
int run_msi_affinity(struct run *r, size_t dev, unsigned vec, uint64_t new_addr);
/* Expected outcome of a write to addr through domain d: -1 when addr is not
 * in d's MSI window, else the cause (0: *pa set). */
int run_msi_expect(const struct rdom *d, uint64_t addr, uint64_t *pa);
void run_msi_teardown(struct run *r);

/* scen_vm.c: VM assignment and vCPU migration */
#define VM_RAM_GPA UINT64_C(0x80000000)
#define VM_RAM_SIZE (UINT64_C(2) << 20)
#define VM_IOVA UINT64_C(0x10000)
#define VM_IOVA_SIZE UINT64_C(0x10000)
#define VM_DATA_GPA UINT64_C(0x80100000)
#define VM_VIMSIC_GPA UINT64_C(0x28000000)
int run_vm_assign(struct run *r, size_t dev, size_t vm, const char *path);
int run_vm_migrate(struct run *r, size_t vm, unsigned vcpu, uint32_t hart, const char *path);
/* Expected outcome of an access by a device assigned to vm (cause, *pa). */
unsigned run_vm_expect(const struct run *r, size_t vm, uint64_t iova, bool write, uint64_t *pa);
/* Physical address of the guest file backing vCPU vcpu of the VM. */
uint64_t run_vm_file(const struct run *r, size_t vm, unsigned vcpu);
/* The guest MSI address (vIMSIC S file) of the vCPU a vector with hart
 * index hart targets: vCPU hart % vcpus. */
uint64_t run_vm_vector_addr(const struct run *r, size_t vm, uint32_t hart);
void run_vm_teardown(struct run *r);

/* scen_ats.c: the device ATC */
int run_ats_xlate(struct run *r, struct run_dev *rd, uint64_t iova, uint32_t len, bool write,
                  uint64_t *pa);
void run_ats_hook(void *ctx, size_t iommu, const struct rvm_ats_msg *msg);

/* scen_pri.c: page requests and demand paging */
int run_prq_hook(void *ctx, size_t iommu, const struct rvd_page_request *pr);
void run_pri_service(struct run *r);
bool run_pri_request(struct run *r, struct run_dev *rd, uint64_t iova, bool write);

/* scen_report.c */
const char *run_cause_name(unsigned cause);

#endif
