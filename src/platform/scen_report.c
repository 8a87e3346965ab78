/* SPDX-License-Identifier: MIT
 *
 * platform/scen_report.c - the report of a run, as text for people and as
 * one JSON object for machines (docs/cli.md "rviommu run" lists the keys).
 *
 * Sections, in this order in both forms: platform and seed; per device
 * (bytes moved, translations, IOTLB hit rate, faults, MSIs); faults by
 * cause; interrupts delivered per interrupt file; commands issued; skipped
 * steps; the invariants, each PASS or FAIL, and the verdict.
 *
 * Invariants: (1) the report is a function of the result only: no wall
 * clock, no addresses of host memory, fixed iteration order, so one seed
 * gives byte-identical reports; (2) percentages are printed with integer
 * arithmetic (no locale or rounding-mode dependence).
 */
#include <inttypes.h>
#include <stdio.h>

#include "platform/scen_run.h"
#include "rviommu/spec.h"

const char *run_cause_name(unsigned cause)
{
	switch (cause) {
	case RVI_CAUSE_RD_ACCESS:
		return "read access fault";
	case RVI_CAUSE_WR_ACCESS:
		return "write access fault";
	case RVI_CAUSE_RD_PAGE:
		return "read page fault";
	case RVI_CAUSE_WR_PAGE:
		return "write page fault";
	case RVI_CAUSE_RD_GUEST_PAGE:
		return "read guest-page fault";
	case RVI_CAUSE_WR_GUEST_PAGE:
		return "write guest-page fault";
	case RVI_CAUSE_ALL_DISALLOWED:
		return "all inbound transactions disallowed";
	case RVI_CAUSE_DDT_LOAD_FAULT:
		return "DDT entry load access fault";
	case RVI_CAUSE_DDT_INVALID:
		return "DDT entry not valid";
	case RVI_CAUSE_DDT_MISCONFIGURED:
		return "DDT entry misconfigured";
	case RVI_CAUSE_TTYPE_DISALLOWED:
		return "transaction type disallowed";
	case RVI_CAUSE_MSI_PTE_INVALID:
		return "MSI PTE not valid";
	case RVI_CAUSE_MSI_WRITE_FAULT:
		return "MSI write access fault";
	default:
		return "other";
	}
}

/* hits * 100 / n with one decimal, as "97.3" (integer arithmetic). */
static void pct_(char *buf, size_t len, uint64_t hits, uint64_t n)
{
	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	uint64_t t = (hits * 1000 + n / 2) / n;
	snprintf(buf, len, "%" PRIu64 ".%" PRIu64, t / 10, t % 10);
}

struct inv {
	const char *name;
	bool ok;
	char detail[192];
};

static size_t invariants_(const struct rvsim_result *r, struct inv *v)
{
	uint64_t bytes = 0, raised = 0, delivered = 0, faults = 0, expected = 0;
	for (size_t i = 0; i < r->ndevs; i++) {
		bytes += r->devs[i].st.bytes_read + r->devs[i].st.bytes_written;
		raised += r->devs[i].st.msis_raised;
		delivered += r->devs[i].st.msis_delivered;
		faults += r->devs[i].st.faults;
		expected += r->devs[i].st.faults_expected;
	}
	v[0].name = "no data corruption";
	v[0].ok = !r->corrupt;
	snprintf(v[0].detail, sizeof(v[0].detail),
	         "%" PRIu64 " bytes moved, %" PRIu64 " mismatches with the shadow copy", bytes,
	         r->corrupt);
	v[1].name = "no lost MSI";
	v[1].ok = !r->msi_lost && !r->msi_dup;
	snprintf(v[1].detail, sizeof(v[1].detail),
	         "%" PRIu64 " of %" PRIu64 " raised reached their target file (faulted ones are "
	         "faults; %" PRIu64 " coalesced); %" PRIu64 " lost, %" PRIu64 " misrouted",
	         delivered, raised, r->msi_coalesced, r->msi_lost, r->msi_dup);
	v[2].name = "faults only where expected";
	v[2].ok = !r->fault_unexpected && !r->fault_missing;
	snprintf(v[2].detail, sizeof(v[2].detail),
	         "%" PRIu64 " faults, %" PRIu64 " expected; %" PRIu64 " unexpected, %" PRIu64
	         " missing",
	         faults, expected, r->fault_unexpected, r->fault_missing);
	v[3].name = "every fault reported with its cause";
	v[3].ok = !r->fault_unreported;
	snprintf(v[3].detail, sizeof(v[3].detail),
	         "%" PRIu64 " fault records read by the driver; %" PRIu64 " faults unreported",
	         r->fault_records, r->fault_unreported);
	return 4;
}

void rvsim_report_text(const struct rvsim_result *r, FILE *out)
{
	char pct[48];
	struct inv v[4];
	fprintf(out, "rviommu run: scenario '%s', seed %" PRIu64 "\n", r->scenario, r->seed);
	fprintf(out,
	        "platform: %s; %zu harts, %zu IMSICs (%u guest files per hart), %zu IOMMU(s)\n",
	        r->platform, r->info.nr_harts, r->info.nr_imsics, r->info.guests_per_hart,
	        r->info.nr_iommus);
	fprintf(out, "MSI policy: %s\n", r->msi_policy);
	fprintf(out, "virtual time: %" PRIu64 " ns in %" PRIu64 " ticks\n\n", r->vtime,
	        r->steps_run);
	fprintf(out, "%-10s %-8s %9s %10s %10s %12s %7s %14s %11s\n", "device", "bdf", "device_id",
	        "bytes_rd", "bytes_wr", "translations", "iotlb%", "faults(expect)", "msi(r/d)");
	for (size_t i = 0; i < r->ndevs; i++) {
		const struct run_dev *d = &r->devs[i];
		char bdf[16], fx[32], ms[32];
		snprintf(bdf, sizeof(bdf), "%02x:%02x.%x", d->bdf >> 8, (d->bdf >> 3) & 31,
		         d->bdf & 7);
		snprintf(fx, sizeof(fx), "%" PRIu64 "(%" PRIu64 ")", d->st.faults,
		         d->st.faults_expected);
		snprintf(ms, sizeof(ms), "%" PRIu64 "/%" PRIu64, d->st.msis_raised,
		         d->st.msis_delivered);
		pct_(pct, sizeof(pct), d->st.iotlb_hits, d->st.translations);
		fprintf(out,
		        "%-10s %-8s %#9x %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %7s %14s %11s\n",
		        d->name, bdf, d->device_id, d->st.bytes_read, d->st.bytes_written,
		        d->st.translations, pct, fx, ms);
	}
	int ats = 0;
	for (size_t i = 0; i < r->ndevs; i++)
		ats |= r->devs[i].ats;
	if (ats) {
		fprintf(out, "\nATS (device ATCs):\n");
		for (size_t i = 0; i < r->ndevs; i++) {
			const struct run_dev *d = &r->devs[i];
			if (!d->ats)
				continue;
			pct_(pct, sizeof(pct), d->st.atc_hits, d->st.atc_hits + d->st.ats_requests);
			fprintf(out,
			        "  %-10s %" PRIu64 " translation requests, %" PRIu64
			        " ATC hits (%s%%), %" PRIu64 " invalidations",
			        d->name, d->st.ats_requests, d->st.atc_hits, pct, d->st.ats_invals);
			if (d->pri)
				fprintf(out, ", %" PRIu64 " page requests (%" PRIu64 " granted)",
				        d->st.page_requests, d->st.prg_success);
			fputc('\n', out);
		}
	}
	fprintf(out, "\nfaults by cause:\n");
	int any = 0;
	for (unsigned c = 0; c < 512; c++)
		if (r->faults[c]) {
			fprintf(out, "  %3u %-36s %" PRIu64 "\n", c, run_cause_name(c),
			        r->faults[c]);
			any = 1;
		}
	if (!any)
		fprintf(out, "  none\n");
	fprintf(out, "\ninterrupts delivered per interrupt file:\n");
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->files[i].guest)
			fprintf(out, "  %-18s hart %-3u guest %-2u %" PRIu64 "\n",
			        r->files[i].imsic, r->files[i].hartid, r->files[i].guest,
			        r->files[i].n);
		else
			fprintf(out, "  %-18s hart %-3u          %" PRIu64 "\n", r->files[i].imsic,
			        r->files[i].hartid, r->files[i].n);
	}
	fprintf(out, "  IOMMU interrupts taken: %" PRIu64 "\n", r->iommu_irqs);
	fprintf(out, "  vCPU migrations: %" PRIu64 " (pending identities moved: %" PRIu64 ")\n",
	        r->vm_migrations, r->vm_moved);
	fprintf(out, "\ncommands issued: %" PRIu64 "\n", r->n_cmds);
	for (unsigned o = 0; o < RVSIM_CMD_OPS; o++)
		for (unsigned f = 0; f < 8; f++)
			if (r->cmds[o][f])
				fprintf(out, "  %-16s %" PRIu64 "\n",
				        rvsim_cmd_name(o, f) ? rvsim_cmd_name(o, f) : "unknown",
				        r->cmds[o][f]);
	if (r->nskipped) {
		fprintf(out, "\nskipped steps (not counted as passing):\n");
		for (size_t i = 0; i < r->nskipped && i < RUN_MAX_SKIP; i++)
			fprintf(out, "  %s\n", r->skipped[i]);
	}
	fprintf(out, "\ninvariants:\n");
	size_t n = invariants_(r, v);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  [%s] %s: %s\n", v[i].ok ? "PASS" : "FAIL", v[i].name, v[i].detail);
	for (size_t i = 0; i < r->nviol && i < RUN_MAX_VIOL; i++)
		fprintf(out, "  violation: %s\n", r->viol[i]);
	if (r->nviol > RUN_MAX_VIOL)
		fprintf(out, "  ... and %zu more violations\n", r->nviol - RUN_MAX_VIOL);
	fprintf(out, "result: %s%s\n", rvsim_result_ok(r) ? "PASS" : "FAIL",
	        r->nskipped ? " (with skipped steps)" : "");
}

static void jstr_(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void rvsim_report_json(const struct rvsim_result *r, FILE *out)
{
	struct inv v[4];
	fprintf(out, "{\"scenario\":");
	jstr_(out, r->scenario);
	fprintf(out, ",\"seed\":%" PRIu64 ",\"platform\":{\"description\":", r->seed);
	jstr_(out, r->platform);
	fprintf(out, ",\"harts\":%zu,\"imsics\":%zu,\"guests_per_hart\":%u,\"iommus\":%zu}",
	        r->info.nr_harts, r->info.nr_imsics, r->info.guests_per_hart, r->info.nr_iommus);
	fprintf(out, ",\"msi_policy\":");
	jstr_(out, r->msi_policy);
	fprintf(out, ",\"virtual_time_ns\":%" PRIu64 ",\"ticks\":%" PRIu64 ",\"devices\":[",
	        r->vtime, r->steps_run);
	for (size_t i = 0; i < r->ndevs; i++) {
		const struct run_dev *d = &r->devs[i];
		fprintf(out, "%s{\"name\":", i ? "," : "");
		jstr_(out, d->name);
		fprintf(out,
		        ",\"bdf\":\"%02x:%02x.%x\",\"device_id\":%u,\"bytes_read\":%" PRIu64
		        ",\"bytes_written\":%" PRIu64 ",\"translations\":%" PRIu64
		        ",\"iotlb_hits\":%" PRIu64 ",\"iotlb_hit_permille\":%" PRIu64
		        ",\"faults\":%" PRIu64 ",\"faults_expected\":%" PRIu64
		        ",\"msis_raised\":%" PRIu64 ",\"msis_delivered\":%" PRIu64
		        ",\"msis_taken\":%" PRIu64 ",\"bus_errors\":%" PRIu64 ",\"ats\":%s"
		        ",\"ats_requests\":%" PRIu64 ",\"atc_hits\":%" PRIu64
		        ",\"ats_invals\":%" PRIu64 ",\"page_requests\":%" PRIu64
		        ",\"prg_success\":%" PRIu64 "}",
		        d->bdf >> 8, (d->bdf >> 3) & 31, d->bdf & 7, d->device_id, d->st.bytes_read,
		        d->st.bytes_written, d->st.translations, d->st.iotlb_hits,
		        d->st.translations ? d->st.iotlb_hits * 1000 / d->st.translations : 0,
		        d->st.faults, d->st.faults_expected, d->st.msis_raised,
		        d->st.msis_delivered, d->st.msis_taken, d->st.bus_errors,
		        d->ats ? "true" : "false", d->st.ats_requests, d->st.atc_hits,
		        d->st.ats_invals, d->st.page_requests, d->st.prg_success);
	}
	fprintf(out, "],\"faults_by_cause\":{");
	int first = 1;
	for (unsigned c = 0; c < 512; c++)
		if (r->faults[c]) {
			fprintf(out, "%s\"%u\":%" PRIu64, first ? "" : ",", c, r->faults[c]);
			first = 0;
		}
	fprintf(out, "},\"interrupts\":[");
	for (size_t i = 0; i < r->nfiles; i++) {
		fprintf(out, "%s{\"imsic\":", i ? "," : "");
		jstr_(out, r->files[i].imsic);
		fprintf(out, ",\"hartid\":%u,\"guest\":%u,\"delivered\":%" PRIu64 "}",
		        r->files[i].hartid, r->files[i].guest, r->files[i].n);
	}
	fprintf(out,
	        "],\"iommu_interrupts\":%" PRIu64 ",\"vcpu_migrations\":%" PRIu64
	        ",\"vcpu_pending_moved\":%" PRIu64 ",\"commands\":{\"total\":%" PRIu64,
	        r->iommu_irqs, r->vm_migrations, r->vm_moved, r->n_cmds);
	for (unsigned o = 0; o < RVSIM_CMD_OPS; o++)
		for (unsigned f = 0; f < 8; f++)
			if (r->cmds[o][f])
				fprintf(out, ",\"%s\":%" PRIu64,
				        rvsim_cmd_name(o, f) ? rvsim_cmd_name(o, f) : "unknown",
				        r->cmds[o][f]);
	fprintf(out, "},\"skipped\":[");
	for (size_t i = 0; i < r->nskipped && i < RUN_MAX_SKIP; i++) {
		fprintf(out, "%s", i ? "," : "");
		jstr_(out, r->skipped[i]);
	}
	fprintf(out, "],\"invariants\":[");
	size_t n = invariants_(r, v);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s{\"name\":", i ? "," : "");
		jstr_(out, v[i].name);
		fprintf(out, ",\"pass\":%s,\"detail\":", v[i].ok ? "true" : "false");
		jstr_(out, v[i].detail);
		fputc('}', out);
	}
	fprintf(out, "],\"violations\":[");
	for (size_t i = 0; i < r->nviol && i < RUN_MAX_VIOL; i++) {
		fprintf(out, "%s", i ? "," : "");
		jstr_(out, r->viol[i]);
	}
	fprintf(out, "],\"pass\":%s}\n", rvsim_result_ok(r) ? "true" : "false");
}
