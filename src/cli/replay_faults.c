/* SPDX-License-Identifier: MIT
 *
 * cli/replay_faults.c - "drain_faults": consume the fault queue the way a
 * driver would (§4.2, §5.7, §5.9-5.10): read fqb, fqh and fqt through MMIO,
 * read each 32-byte record at fqb.PPN * 4 KiB + fqh * 32 from memory in the
 * byte order fctl.BE selects, print it, and advance fqh through MMIO.
 *
 * Each record prints as
 *   {"op":"fault","cause","ttyp","did","pv","pid","priv","iotval","iotval2"}
 * At most one queue's worth of records is consumed per drain, so a model
 * that reports a bogus fqt cannot make it loop.
 */
#include "cli/json_emit.h"
#include "cli/replay.h"

static uint64_t load_dw(const uint8_t *b, bool be)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[be ? 7 - i : i] << (8 * i);
	return v;
}

static int mmio_rd(struct replay *r, uint32_t off, unsigned size, uint64_t *v)
{
	int rc = rvm_mmio_read(r->m, off, size, v);
	if (rc)
		return jget_fail(&r->err, "reading register 0x%x failed: %s", off,
		                 rvm_strerror(rc));
	return 0;
}

static void print_record(struct replay *r, const uint64_t dw[4])
{
	struct jemit j;
	jemit_begin(&j, r->out, "op", "fault");
	jemit_hex(&j, "cause", RVI_FIELD_GET(RVI_FQ_DW0_CAUSE, dw[0]));
	jemit_hex(&j, "ttyp", RVI_FIELD_GET(RVI_FQ_DW0_TTYP, dw[0]));
	jemit_hex(&j, "did", RVI_FIELD_GET(RVI_FQ_DW0_DID, dw[0]));
	jemit_hex(&j, "pv", RVI_FIELD_GET(RVI_FQ_DW0_PV, dw[0]));
	jemit_hex(&j, "pid", RVI_FIELD_GET(RVI_FQ_DW0_PID, dw[0]));
	jemit_hex(&j, "priv", RVI_FIELD_GET(RVI_FQ_DW0_PRIV, dw[0]));
	jemit_hex(&j, "iotval", dw[2]);
	jemit_hex(&j, "iotval2", dw[3]);
	jemit_end(&j);
}

int replay_op_drain_faults(struct replay *r, const json_t *o)
{
	static const char *const allowed[] = {"op", NULL};
	uint64_t fqb, fqh, fqt, fctl;
	if (jget_check_keys(o, allowed, &r->err) || mmio_rd(r, RVI_REG_FCTL, 4, &fctl) ||
	    mmio_rd(r, RVI_REG_FQB, 8, &fqb) || mmio_rd(r, RVI_REG_FQH, 4, &fqh) ||
	    mmio_rd(r, RVI_REG_FQT, 4, &fqt))
		return -1;
	bool be = fctl & RVI_FCTL_BE;
	uint64_t n = rvi_queue_entries(fqb);
	uint64_t base = RVI_FIELD_GET(RVI_QB_PPN, fqb) << RVI_PAGE_SHIFT;
	for (uint64_t k = 0; k < n && fqh != fqt; k++) {
		uint8_t rec[RVI_FQ_ENTRY_SIZE] = {0};
		uint64_t dw[4];
		if (rv_physmem_read(r->mem, base + (fqh % n) * RVI_FQ_ENTRY_SIZE, rec,
		                    sizeof(rec)) != RVM_MEM_OK)
			return jget_fail(&r->err, "fault record at fqh=0x%llx is not readable",
			                 (unsigned long long)fqh);
		for (int i = 0; i < 4; i++)
			dw[i] = load_dw(rec + 8 * i, be);
		print_record(r, dw);
		fqh = (fqh + 1) % n;
		int rc = rvm_mmio_write(r->m, RVI_REG_FQH, 4, fqh);
		if (rc)
			return jget_fail(&r->err, "writing fqh failed: %s", rvm_strerror(rc));
	}
	return 0;
}
