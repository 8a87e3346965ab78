/* SPDX-License-Identifier: MIT
 *
 * mmio.c - the 4 KiB MMIO page of an IMSIC interrupt file.
 *
 * Implements RISC-V AIA v1.0, "Incoming MSI Controller", "Memory region for
 * an interrupt file" (CHECKLIST §11.2):
 *   0x000 seteipnum_le  32-bit little-endian write of an ID sets its pending
 *                       bit; ID 0 and IDs above N are ignored; reads 0.
 *   0x004 seteipnum_be  the same with big-endian data (ignored unless the
 *                       config says BE is supported); reads 0.
 *   other offsets       read-only zero.
 * Only naturally aligned 32-bit accesses are supported.  The AIA lets an
 * implementation either fault or ignore the others; this model reports
 * RVIMSIC_E_ACCESS and changes nothing, so the caller raises an access fault.
 * Pages in the range that name no file read zero and ignore writes.
 *
 * State: none of its own (see file.c).
 */
#include <string.h>

#include "imsic/imsic_internal.h"

static int check_access_(const struct rvimsic *im, uint64_t pa, const void *buf, size_t len)
{
	if (!im || !buf)
		return RVIMSIC_E_INVAL;
	if (!rvimsic_contains(im, pa))
		return RVIMSIC_E_RANGE;
	if (len != 4 || (pa & 3))
		return RVIMSIC_E_ACCESS;
	return 0;
}

int rvimsic_mmio_write(struct rvimsic *im, uint64_t pa, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	struct rvimsic_file_id f;
	struct rvimsic_file *file;
	uint32_t off, id;
	int ret = check_access_(im, pa, buf, len);

	if (ret)
		return ret;
	rvimsic_decode_(im, pa, &f, &off);
	file = rvimsic_file_(im, f);
	if (!file)
		return 0; /* unused page: writes ignored */
	if (off == RVIMSIC_REG_SETEIPNUM_LE)
		id = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		     (uint32_t)b[3] << 24;
	else if (off == RVIMSIC_REG_SETEIPNUM_BE && im->cfg.be_supported)
		id = (uint32_t)b[3] | (uint32_t)b[2] << 8 | (uint32_t)b[1] << 16 |
		     (uint32_t)b[0] << 24;
	else
		return 0; /* read-only zero */
	pthread_mutex_lock(&im->lock);
	rvimsic_set_pending_(im, file, f, id);
	pthread_mutex_unlock(&im->lock);
	return 0;
}

int rvimsic_mmio_read(struct rvimsic *im, uint64_t pa, void *buf, size_t len)
{
	int ret = check_access_(im, pa, buf, len);

	if (ret)
		return ret;
	memset(buf, 0, len); /* seteipnum_* and all other words read 0 */
	return 0;
}
