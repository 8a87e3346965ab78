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
 *   - N vCPUs (vms[].vcpus, at most the platform's harts); vCPU k's virtual
 *     IMSIC S file is at GPA VM_VIMSIC_GPA | k << 12 (the AIA layout with
 *     hart_bits = ceil(log2 N), no guest bits), mapped IOVA = GPA by the
 *     guest's first stage; the MSI page table (mask/pattern from
 *     rvmsi_msi_mask of that layout, so it has 2^hart_bits entries) maps
 *     each to a host guest interrupt file chosen by rvmsi_vcpu_bind() on
 *     hart index (vms[].hart + k) mod harts; the guest then enables each
 *     file (eidelivery, every identity);
 *   - an assigned device's vector with hart index h targets vCPU h mod N
 *     (its MSI-X address is that vCPU's vIMSIC GPA); an affinity step
 *     retargets it the same way (a guest MSI-X write, no table change).
 * vcpu_migrate moves one vCPU with rvmsi_vcpu_migrate() (save, atomic MSI
 * PTE replace + IOTINVAL.GVMA + IOFENCE.C, move pending bits, restore), so
 * the device's MSIs keep arriving, now at the new file.
 *
 * RISC-V IOMMU 1.0 §2.3 (two-stage translation, MSI translation of GPAs),
 * AIA 1.0 "IMSIC" guest interrupt files; CHECKLIST §11.6 (migration).
 *
 * Invariants: (1) a VM's device is attached to its nested domain before its
 * MSI-X vectors are pointed at the vIMSIC; (2) the expected target of an
 * MSI to vCPU k's vIMSIC is always the guest file vCPU k is bound to at that
 * moment; (3) two vCPUs never share a guest file (rvmsi_gfiles).
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

static void guest_enable_(struct run *r, const struct rvmsi_vcpu *vc)
{
	struct rvimsic *im = r->p->imsics[r->p->s_imsic].im;
	struct rvimsic_file_id f = {vc->group, vc->hart, vc->guest};
	rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIDELIVERY, RVIMSIC_EIDELIVERY_ON);
	for (uint32_t k = 0; k < 64; k += 2)
		rvimsic_ireg_write(im, f, RVIMSIC_ISEL_EIE0 + k, ~UINT64_C(0));
}

static int vm_up_(struct run *r, struct rvm_vm *vm, size_t iommu, const struct scen_vm *sv,
                  const char *path)
{
	struct rvsim_iommu *io = &r->p->iommus[iommu];
	const struct rvimsic_config *c = rvimsic_config(r->p->imsics[r->p->s_imsic].im);
	size_t mapped = 0, vmi = (size_t)(sv - r->s->vms);
	unsigned bits = 0;
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
	if (sv->vcpus > r->p->nr_harts)
		return run_fail(r, "vms[%zu].vcpus: %u vCPUs on a platform of %zu harts", vmi,
		                sv->vcpus, r->p->nr_harts);
	vm->nvcpus = sv->vcpus;
	while ((1u << bits) < vm->nvcpus)
		bits++;
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
	for (unsigned k = 0; k < vm->nvcpus; k++)
		gpte_(r, vm, VM_RAM_GPA + 3 * PAGE, ((unsigned)(VM_VIMSIC_GPA >> 12) & 511) + k,
		      LEAF | (((VM_VIMSIC_GPA >> 12) + k) << 10));
	struct rvd_guest_fsc fsc = {.mode = RVI_IOSATP_SV39, .root_gpa = VM_RAM_GPA, .pscid = 1};
	if (!e)
		vm->nested = rvd_domain_alloc_nested(vm->parent, &fsc, &e);
	/* the vIMSIC window: one S file per vCPU at VM_VIMSIC_GPA | k << 12 */
	struct rvmsi_layout l = {.base = VM_VIMSIC_GPA, .hart_bits = bits, .group_shift = 24};
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
	if (!e && !r->gfiles.used) /* the first VM: one allocator for them all */
		e = rvmsi_gfiles_init(&r->gfiles, c->groups, c->harts, c->guests);
	for (unsigned k = 0; !e && k < vm->nvcpus; k++) {
		uint32_t g = 0, h = 0;
		vm->vcpu[k].vfile_gpa = VM_VIMSIC_GPA | (uint64_t)k << 12;
		if (fid_(r, (uint32_t)((sv->hart + k) % r->p->nr_harts), &g, &h))
			e = -1;
		if (!e)
			e = rvmsi_vcpu_bind(&vm->msi, &r->gfiles, r->p->imsics[r->p->s_imsic].im,
			                    &vm->vcpu[k], g, h);
	}
	if (e)
		return snprintf(r->err, r->errlen, "%s: setting up VM '%s' failed (%d)", path,
		                sv->name, e),
		       RVSIM_E_SETUP;
	for (unsigned k = 0; k < vm->nvcpus; k++) {
		guest_enable_(r, &vm->vcpu[k]);
		rvsim_trace(r->p,
		            "\"ev\":\"vm\",\"vm\":\"%s\",\"vcpu\":%u,\"hart\":%u,\"guest\":%u",
		            sv->name, k, vm->vcpu[k].hart, vm->vcpu[k].guest);
	}
	vm->up = true;
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
	for (unsigned v = 0; v < rd->sd->vectors; v++) /* the guest's MSI-X writes */
		rd->vec[v].addr = run_vm_vector_addr(r, vmi, (uint32_t)rd->vec[v].hart);
	rvsim_trace(r->p, "\"ev\":\"attach\",\"dev\":\"%s\",\"vm\":\"%s\"", rd->sd->name,
	            r->s->vms[vmi].name);
	return 0;
}

uint64_t run_vm_vector_addr(const struct run *r, size_t vmi, uint32_t hart)
{
	const struct rvm_vm *vm = &r->vms[vmi];
	return VM_VIMSIC_GPA | (uint64_t)(vm->nvcpus ? hart % vm->nvcpus : 0) << 12;
}

int run_vm_migrate(struct run *r, size_t vmi, unsigned vcpu, uint32_t hart_idx, const char *path)
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
	uint64_t old_fa = run_vm_file(r, vmi, vcpu);
	int e = rvmsi_vcpu_migrate(&vm->msi, &r->gfiles, r->p->imsics[r->p->s_imsic].im,
	                           &vm->vcpu[vcpu], g, h, &moved);
	if (!e)
		run_msi_moved(r, vmi, old_fa, run_vm_file(r, vmi, vcpu));
	if (e) {
		run_viol(r, "%s: migration of vCPU %u of '%s' failed (%d)", path, vcpu,
		         r->s->vms[vmi].name, e);
		return 0;
	}
	vm->migrations++;
	vm->moved += moved;
	rvsim_trace(r->p,
	            "\"ev\":\"migrate\",\"vm\":\"%s\",\"vcpu\":%u,\"hart\":%u,\"guest\":%u,"
	            "\"moved\":%u",
	            r->s->vms[vmi].name, vcpu, h, vm->vcpu[vcpu].guest, moved);
	return 0;
}

uint64_t run_vm_file(const struct run *r, size_t vmi, unsigned vcpu)
{
	const struct rvmsi_vcpu *vc = &r->vms[vmi].vcpu[vcpu];
	uint64_t pa = 0;
	struct rvimsic_file_id f = {vc->group, vc->hart, vc->guest};
	rvimsic_file_addr(r->p->imsics[r->p->s_imsic].im, f, &pa);
	return pa;
}

unsigned run_vm_expect(const struct run *r, size_t vmi, uint64_t iova, bool write, uint64_t *pa)
{
	if (iova >= VM_VIMSIC_GPA && (iova - VM_VIMSIC_GPA) / PAGE < r->vms[vmi].nvcpus) {
		/* a vCPU's vIMSIC page: MSI translation */
		*pa = run_vm_file(r, vmi, (unsigned)((iova - VM_VIMSIC_GPA) / PAGE)) +
		      (iova & (PAGE - 1));
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
		memset(&vm->msi, 0, sizeof(vm->msi));
		vm->up = false;
	}
	if (r->gfiles.used)
		rvmsi_gfiles_destroy(&r->gfiles);
	memset(&r->gfiles, 0, sizeof(r->gfiles));
}
