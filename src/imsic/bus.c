/* SPDX-License-Identifier: MIT
 *
 * bus.c - route a physical write to an IMSIC page or to memory, so that a
 * platform can feed the IOMMU's translated MSI writes and its own MSIs
 * straight into the IMSICs.
 *
 * Implements no spec section of its own; the IMSIC side is mmio.c (AIA
 * "Memory region for an interrupt file").  A write is an IMSIC write when its
 * first or its last byte lies in an IMSIC's range; the first such IMSIC
 * added wins.  Cost: O(number of IMSICs), at most RVIMSIC_BUS_MAX.
 *
 * State: the struct is owned by the caller; it is not locked (set it up
 * before the first write; rvimsic_bus_write() only reads it).
 */
#include "imsic/imsic_internal.h"

void rvimsic_bus_init(struct rvimsic_bus *bus, rvimsic_mem_write_fn mem_write, void *mem_ctx)
{
	size_t i;

	if (!bus)
		return;
	for (i = 0; i < RVIMSIC_BUS_MAX; i++)
		bus->imsic[i] = NULL;
	bus->nr_imsic = 0;
	bus->mem_write = mem_write;
	bus->mem_ctx = mem_ctx;
}

int rvimsic_bus_add(struct rvimsic_bus *bus, struct rvimsic *im)
{
	if (!bus || !im)
		return RVIMSIC_E_INVAL;
	if (bus->nr_imsic >= RVIMSIC_BUS_MAX)
		return RVIMSIC_E_FULL;
	bus->imsic[bus->nr_imsic++] = im;
	return 0;
}

int rvimsic_bus_write(struct rvimsic_bus *bus, uint64_t pa, const void *buf, size_t len)
{
	uint64_t last;
	size_t i;
	int ret;

	if (!bus || !buf || !len || pa + (len - 1) < pa)
		return RVIMSIC_E_INVAL;
	last = pa + (len - 1);
	for (i = 0; i < bus->nr_imsic; i++) {
		struct rvimsic *im = bus->imsic[i];

		if (!rvimsic_contains(im, pa) && !rvimsic_contains(im, last))
			continue;
		if (!rvimsic_contains(im, pa))
			return RVIMSIC_E_ACCESS; /* straddles into the IMSIC */
		ret = rvimsic_mmio_write(im, pa, buf, len);
		return ret ? ret : RVIMSIC_ROUTED_IMSIC;
	}
	if (!bus->mem_write)
		return RVIMSIC_E_RANGE;
	if (bus->mem_write(bus->mem_ctx, pa, buf, len))
		return RVIMSIC_E_MEMORY;
	return RVIMSIC_ROUTED_MEMORY;
}
