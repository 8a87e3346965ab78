/* SPDX-License-Identifier: MIT
 *
 * platform/scen_vm.c - a device assigned to a VM: a nested domain (the
 * guest's own Sv39 first stage over a host second stage), MSIs to a guest
 * interrupt file through the GSCID's MSI page table, and vCPU migration.
 *
 * The VM (made on its first vm_assign):
 *   - guest RAM: VM_RAM_SIZE bytes at GPA VM_RAM_GPA, backed by host RAM,
 *     mapped in a second-stage domain (the parent);
 *   - the guest's I/O page table, written by "the guest" into its RAM:
 *     Sv39 root at VM_RAM_GPA, then one table per level, mapping guest
 *     IOVA [VM_IOVA, VM_IOVA + VM_IOVA_SIZE) to GPA VM_DATA_GPA.. with
 *     V|R|W|U|A|D leaves (device requests without a PASID are U-mode), and
 *     its vIMSIC page IOVA = GPA, as a guest driver maps its MSI doorbell;
 *   - a nested domain (rvd_domain_alloc_nested) the device is attached to;
 *   - one vCPU whose virtual IMSIC S file is at GPA VM_VIMSIC_GPA: the MSI
 *     page table (mask/pattern from rvmsi_msi_mask of that one-file layout)
 *     maps it to a host guest interrupt file chosen by rvmsi_vcpu_bind();
 *     the guest then enables the file (eidelivery, every identity).
 * vcpu_migrate moves the vCPU with rvmsi_vcpu_migrate() (save, atomic MSI
 * PTE replace + IOTINVAL.GVMA + IOFENCE.C, move pending bits, restore), so
 * the device's MSIs keep arriving, now at the new file.
 *
 * RISC-V IOMMU 1.0 §2.3 (two-stage translation, MSI translation of GPAs),
 * AIA 1.0 "IMSIC" guest interrupt files; CHECKLIST §11.6 (migration).
 *
 * Invariants: (1) a VM's device is attached to its nested domain before its
 * MSI-X vectors are pointed at the vIMSIC; (2) the expected target of a
 * VM's MSIs is always the guest file the vCPU is bound to at that moment.
 */
#include <string.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

#define PAGE 4096u
#define LEAF (RVI_PTE_V | RVI_PTE_R | RVI_PTE_W | RVI_PTE_U | RVI_PTE_A | RVI_PTE_D)

static void gpte_(struct run *r, struct rvm_vm *vm, uint64_t table_gpa, unsigned idx, uint64_t v)
{
	uint64_t pa = vm->ram_pa + (table_gpa - VM_RAM_GPA) + idx * 8u;
	rvsim_mem_write(r->p, pa, &v, 8); /* little-endian host */
}

static int fid_(const struct run *r, uint32_t hart_idx, uint32_t *group, uint32_t *hart)
{
	const struct rvsim_imsic *s = &r->p->imsics[r->p->s_imsic];
	long pos = rvsim_hart_pos(r->p, (size_t)r->p->s_imsic, hart_idx % r->p->nr_harts);
	if (pos < 0)
		return -1;
	*group = (uint32_t)((uint64_t)pos >> s->dt->hart_index_bits);
	*hart = (uint32_t)((uint64_t)pos & ((UINT64_C(1) << s->dt->hart_index_bits) - 1));
	return 0;
}

static void guest_enable_(struct run *r, struct rvm_vm *vm)
{
	struct rvimsic *im = r->p->imsics[r->p->s_imsic].im;
	struct rvimsic_file_id f = {vm->vcpu.group, vm->vcpu.hart, vm->vcpu.guest};
	rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_ON);
	for (uint32_t k = 0; k < 64; k += 2)
		rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIE0 + k, ~UINT64_C(0));
}

static int vm_up_(struct run *r, struct rvm_vm *vm, size_t iommu, const struct scen_vm *sv,
                  const char *path)
{
	struct rvsim_iommu *io = &r->p->iommus[iommu];
	const struct rvimsic_config *c = rvimsic_config(r->p->imsics[r->p->s_imsic].im);
	size_t mapped = 0;
	int e = 0;
	uint64_t caps = rvm_get_config(io->m)->capabilities;
	if (!c->guests) {
		run_skip(
		    r, "%s vm_assign: not run (the platform's IMSIC has no guest interrupt files)",
		    path);
		vm->failed = true;
		return 0;
	}
	if (!(caps & RVI_CAP_MSI_FLAT) ||
	    !(caps & (RVI_CAP_SV32X4 | RVI_CAP_SV39X4 | RVI_CAP_SV48X4 | RVI_CAP_SV57X4))) {
		run_skip(r, "%s vm_assign: not run (the IOMMU has no %s)", path,
		         (caps & RVI_CAP_MSI_FLAT) ? "second stage" : "MSI page tables (MSI_FLAT)");
		vm->failed = true;
		return 0;
	}
	vm->iommu = iommu;
	vm->parent = rvd_domain_alloc_paging_stage(io->drv, RVD_STAGE_SECOND, &e);
	if (!vm->parent || rvsim_ram_alloc(r->p, VM_RAM_SIZE, VM_RAM_SIZE, &vm->ram_pa))
		return snprintf(r->err, r->errlen, "%s: cannot make the VM's second stage (%d)",
		                path, e),
		       RVSIM_E_SETUP;
	e = rvd_map_pages(vm->parent, VM_RAM_GPA, vm->ram_pa, PAGE, VM_RAM_SIZE / PAGE,
	                  RVD_PROT_READ | RVD_PROT_WRITE, &mapped);
	/* the guest builds its Sv39 table: root -> L1 -> L0 at the next pages */
	gpte_(r, vm, VM_RAM_GPA, 0, RVI_PTE_V | ((VM_RAM_GPA + PAGE) >> 12 << 10));
	gpte_(r, vm, VM_RAM_GPA + PAGE, 0, RVI_PTE_V | ((VM_RAM_GPA + 2 * PAGE) >> 12 << 10));
	for (unsigned i = 0; i < VM_IOVA_SIZE / PAGE; i++)
		gpte_(r, vm, VM_RAM_GPA + 2 * PAGE, (unsigned)(VM_IOVA / PAGE) + i,
		      LEAF | ((VM_DATA_GPA + i * PAGE) >> 12 << 10));
	/* and maps its vIMSIC page IOVA = GPA (what a guest's SW_MSI mapping
	 * does), through a second L0 table */
	gpte_(r, vm, VM_RAM_GPA + PAGE, (unsigned)(VM_VIMSIC_GPA >> 21) & 511,
	      RVI_PTE_V | ((VM_RAM_GPA + 3 * PAGE) >> 12 << 10));
	gpte_(r, vm, VM_RAM_GPA + 3 * PAGE, (unsigned)(VM_VIMSIC_GPA >> 12) & 511,
	      LEAF | (VM_VIMSIC_GPA >> 12 << 10));
	struct rvd_guest_fsc fsc = {.mode = RVI_IOSATP_SV39, .root_gpa = VM_RAM_GPA, .pscid = 1};
	if (!e)
		vm->nested = rvd_domain_alloc_nested(vm->parent, &fsc, &e);
	/* the vIMSIC window: one S file at VM_VIMSIC_GPA */
	struct rvmsi_layout l = {.base = VM_VIMSIC_GPA, .group_shift = 24};
	uint64_t mask = 0, pattern = 0;
	if (!e)
		e = rvmsi_msi_mask(&l, &mask, &pattern);
	vm->mem.ops = &io->ops;
	vm->mem.ctx = io;
	if (!e)
		e = rvmsi_table_init(&vm->msi, &rvmsi_mem_rvd_ops, &vm->mem, rvmsi_submit_rvd,
		                     io->drv, mask, pattern,
		                     (uint16_t)rvd_domain_gscid(vm->parent));
	if (!e)
		e = rvd_domain_set_msi(vm->parent, vm->msi.pa >> 12, mask, pattern);
	if (!e)
		e = rvmsi_gfiles_init(&vm->gfiles, c->groups, c->harts, c->guests);
	uint32_t g = 0, h = 0;
	vm->vcpu.vfile_gpa = VM_VIMSIC_GPA;
	if (!e && fid_(r, sv->hart, &g, &h))
		e = -1;
	if (!e)
		e = rvmsi_vcpu_bind(&vm->msi, &vm->gfiles, r->p->imsics[r->p->s_imsic].im,
		                    &vm->vcpu, g, h);
	if (e)
		return snprintf(r->err, r->errlen, "%s: setting up VM '%s' failed (%d)", path,
		                sv->name, e),
		       RVSIM_E_SETUP;
	guest_enable_(r, vm);
	vm->up = true;
	rvsim_trace(r->p, "\"ev\":\"vm\",\"vm\":\"%s\",\"hart\":%u,\"guest\":%u", sv->name,
	            vm->vcpu.hart, vm->vcpu.guest);
	return 0;
}

int run_vm_assign(struct run *r, size_t dev, size_t vmi, const char *path)
{
	struct rvm_vm *vm = &r->vms[vmi];
	struct run_dev *rd = &r->res->devs[dev];
	int e;
	if (!vm->up && !vm->failed && (e = vm_up_(r, vm, rd->iommu, &r->s->vms[vmi], path)))
		return e;
	if (vm->failed)
		return 0;
	if (vm->iommu != rd->iommu)
		return snprintf(r->err, r->errlen,
		                "%s: the VM lives on iommu%zu, the device on iommu%zu", path,
		                vm->iommu, rd->iommu),
		       RVSIM_E_SCENARIO;
	run_msi_refs(r, dev, -1); /* leave the host domain's MSI entries */
	e = rvd_attach_dev(vm->nested, rd->device_id);
	if (e)
		return snprintf(r->err, r->errlen, "%s: attaching to the nested domain failed (%d)",
		                path, e),
		       RVSIM_E_SETUP;
	rd->vm = (int)vmi;
	rd->dom = -1;
	for (unsigned v = 0; v < rd->sd->vectors; v++)
		rd->vec[v].addr = VM_VIMSIC_GPA; /* the guest's MSI-X writes */
	rvsim_trace(r->p, "\"ev\":\"attach\",\"dev\":\"%s\",\"vm\":\"%s\"", rd->sd->name,
	            r->s->vms[vmi].name);
	return 0;
}

int run_vm_migrate(struct run *r, size_t vmi, uint32_t hart_idx, const char *path)
{
	struct rvm_vm *vm = &r->vms[vmi];
	uint32_t g, h;
	unsigned moved = 0;
	if (!vm->up) {
		run_skip(r, "%s vcpu_migrate '%s': not run (the VM is not up)", path,
		         r->s->vms[vmi].name);
		return 0;
	}
	if (fid_(r, hart_idx, &g, &h))
		return snprintf(r->err, r->errlen, "%s.hart: no interrupt file", path),
		       RVSIM_E_SCENARIO;
	uint64_t old_fa = run_vm_file(r, vmi);
	int e = rvmsi_vcpu_migrate(&vm->msi, &vm->gfiles, r->p->imsics[r->p->s_imsic].im, &vm->vcpu,
	                           g, h, &moved);
	if (!e)
		run_msi_moved(r, vmi, old_fa, run_vm_file(r, vmi));
	if (e) {
		run_viol(r, "%s: vCPU migration of '%s' failed (%d)", path, r->s->vms[vmi].name, e);
		return 0;
	}
	vm->migrations++;
	vm->moved += moved;
	rvsim_trace(r->p, "\"ev\":\"migrate\",\"vm\":\"%s\",\"hart\":%u,\"guest\":%u,\"moved\":%u",
	            r->s->vms[vmi].name, h, vm->vcpu.guest, moved);
	return 0;
}

uint64_t run_vm_file(const struct run *r, size_t vmi)
{
	const struct rvm_vm *vm = &r->vms[vmi];
	uint64_t pa = 0;
	struct rvimsic_file_id f = {vm->vcpu.group, vm->vcpu.hart, vm->vcpu.guest};
	rvimsic_file_addr(r->p->imsics[r->p->s_imsic].im, f, &pa);
	return pa;
}

unsigned run_vm_expect(const struct run *r, size_t vmi, uint64_t iova, bool write, uint64_t *pa)
{
	if ((iova & ~(uint64_t)(PAGE - 1)) == VM_VIMSIC_GPA) { /* MSI translation */
		*pa = run_vm_file(r, vmi) + (iova & (PAGE - 1));
		return 0;
	}
	if (iova >= VM_IOVA && iova - VM_IOVA < VM_IOVA_SIZE) {
		*pa = r->vms[vmi].ram_pa + (VM_DATA_GPA - VM_RAM_GPA) + (iova - VM_IOVA);
		return 0;
	}
	return write ? RVI_CAUSE_WR_PAGE : RVI_CAUSE_RD_PAGE; /* the guest's first stage */
}

void run_vm_teardown(struct run *r)
{
	for (size_t i = 0; r->vms && i < r->s->nvms; i++) {
		struct rvm_vm *vm = &r->vms[i];
		if (vm->msi.refs)
			rvmsi_table_destroy(&vm->msi);
		if (vm->gfiles.used)
			rvmsi_gfiles_destroy(&vm->gfiles);
		memset(&vm->msi, 0, sizeof(vm->msi));
		memset(&vm->gfiles, 0, sizeof(vm->gfiles));
		vm->up = false;
	}
}
