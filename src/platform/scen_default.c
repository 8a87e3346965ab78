/* SPDX-License-Identifier: MIT
 *
 * platform/scen_default.c - the default scenario of `rviommu run`, as JSON
 * text parsed by the same reader as scenario files.  It is byte-identical to
 * examples/scenarios/default.json (tests/unit/test_plat_scenario.c checks).
 *
 * What it does: the driver probes the IOMMU (platform creation); three
 * devices get DMA domains (nic0 with ATS and a device ATC) and run sequential, random/mixed and
 * strided DMA while raising MSIs on several harts, with affinity changed mid-run; nvme0 reads
 * through a shared read-only mapping what nic0 wrote; an unmapped range is then written (expected
 * faults); gpu0 is assigned to a VM whose vCPU migrates three times while gpu0 keeps raising MSIs;
 * bad0 DMAs outside its two mapped pages and is reported with causes 23 and 21.
 *
 * Invariant: no state; the text is a constant.
 */
#include "rviommu/platform.h"

static const char text_[] =
    "{\n"
    "  \"name\": \"default\",\n"
    "  \"devices\": [\n"
    "    {\"name\": \"nic0\",  \"bdf\": \"00:01.0\", \"vectors\": 2, \"affinity\": [0, 1], "
    "\"ats\": true},\n"
    "    {\"name\": \"nvme0\", \"bdf\": \"00:02.0\", \"vectors\": 2, \"affinity\": [2, 3]},\n"
    "    {\"name\": \"gpu0\",  \"bdf\": \"00:03.0\", \"vectors\": 2, \"affinity\": [4, 6]},\n"
    "    {\"name\": \"bad0\",  \"bdf\": \"00:04.0\", \"vectors\": 1}\n"
    "  ],\n"
    "  \"domains\": [\n"
    "    {\"name\": \"dnic\", \"devices\": [\"nic0\"], \"maps\": [\n"
    "      {\"name\": \"rx\", \"iova\": \"0x100000\", \"size\": \"0x40000\"},\n"
    "      {\"name\": \"tx\", \"iova\": \"0x200000\", \"size\": \"0x10000\"}]},\n"
    "    {\"name\": \"dnvme\", \"devices\": [\"nvme0\"], \"maps\": [\n"
    "      {\"name\": \"buf\", \"iova\": \"0x100000\", \"size\": \"0x80000\"},\n"
    "      {\"name\": \"peer\", \"iova\": \"0x400000\", \"size\": \"0x40000\", \"pa\": "
    "\"@dnic.rx\", \"prot\": \"r\"}]},\n"
    "    {\"name\": \"dgpu\", \"devices\": [\"gpu0\"], \"maps\": [\n"
    "      {\"name\": \"fb\", \"iova\": \"0x1000000\", \"size\": \"0x200000\"}]},\n"
    "    {\"name\": \"dbad\", \"devices\": [\"bad0\"], \"maps\": [\n"
    "      {\"name\": \"small\", \"iova\": \"0x100000\", \"size\": \"0x2000\"}]}\n"
    "  ],\n"
    "  \"vms\": [\n"
    "    {\"name\": \"vm0\", \"hart\": 1}\n"
    "  ],\n"
    "  \"steps\": [\n"
    "    {\"op\": \"dma\", \"device\": \"nic0\", \"dir\": \"write\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x100000\", \"size\": \"0x40000\", \"chunk\": 512},\n"
    "    {\"op\": \"dma\", \"device\": \"nvme0\", \"dir\": \"mixed\", \"pattern\": \"random\",\n"
    "     \"iova\": \"0x100000\", \"size\": \"0x80000\", \"chunk\": 256, \"count\": 800},\n"
    "    {\"op\": \"dma\", \"device\": \"gpu0\", \"dir\": \"write\", \"pattern\": \"strided\",\n"
    "     \"iova\": \"0x1000000\", \"size\": \"0x200000\", \"chunk\": 64, \"stride\": 4160, "
    "\"count\": 600},\n"
    "    {\"op\": \"msi\", \"device\": \"nic0\", \"vector\": 0, \"count\": 3},\n"
    "    {\"op\": \"msi\", \"device\": \"nvme0\", \"vector\": 1, \"count\": 2},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 0, \"count\": 2},\n"
    "    {\"op\": \"affinity\", \"device\": \"nic0\", \"vector\": 0, \"hart\": 5},\n"
    "    {\"op\": \"affinity\", \"device\": \"nvme0\", \"vector\": 1, \"hart\": 7},\n"
    "    {\"op\": \"msi\", \"device\": \"nic0\", \"vector\": 0, \"count\": 4},\n"
    "    {\"op\": \"msi\", \"device\": \"nvme0\", \"vector\": 1, \"count\": 3},\n"
    "    {\"op\": \"msi\", \"device\": \"nic0\", \"vector\": 1, \"count\": 2},\n"
    "    {\"op\": \"wait\"},\n"
    "    {\"op\": \"dma\", \"device\": \"nvme0\", \"dir\": \"read\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x400000\", \"size\": \"0x40000\", \"chunk\": 1024},\n"
    "    {\"op\": \"dma\", \"device\": \"nic0\", \"dir\": \"read\", \"pattern\": \"sg\",\n"
    "     \"iova\": \"0x100000\", \"size\": \"0x40000\", \"chunk\": 300, \"count\": 400},\n"
    "    {\"op\": \"affinity\", \"device\": \"gpu0\", \"vector\": 1, \"hart\": 3},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 1, \"count\": 5},\n"
    "    {\"op\": \"wait\"},\n"
    "    {\"op\": \"unmap\", \"domain\": \"dnic\", \"iova\": \"0x200000\", \"size\": "
    "\"0x10000\"},\n"
    "    {\"op\": \"dma\", \"device\": \"nic0\", \"dir\": \"write\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x200000\", \"size\": \"0x2000\", \"chunk\": 1024},\n"
    "    {\"op\": \"vm_assign\", \"device\": \"gpu0\", \"vm\": \"vm0\"},\n"
    "    {\"op\": \"dma\", \"device\": \"gpu0\", \"dir\": \"mixed\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x10000\", \"size\": \"0x10000\", \"chunk\": 256},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 0, \"count\": 2},\n"
    "    {\"op\": \"vcpu_migrate\", \"vm\": \"vm0\", \"hart\": 2},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 0, \"count\": 2},\n"
    "    {\"op\": \"vcpu_migrate\", \"vm\": \"vm0\", \"hart\": 5},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 0, \"count\": 2},\n"
    "    {\"op\": \"vcpu_migrate\", \"vm\": \"vm0\", \"hart\": 7},\n"
    "    {\"op\": \"msi\", \"device\": \"gpu0\", \"vector\": 0, \"count\": 2},\n"
    "    {\"op\": \"dma\", \"device\": \"bad0\", \"dir\": \"write\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x100000\", \"size\": \"0x4000\", \"chunk\": 512},\n"
    "    {\"op\": \"dma\", \"device\": \"bad0\", \"dir\": \"read\", \"pattern\": \"sequential\",\n"
    "     \"iova\": \"0x0\", \"size\": \"0x1000\", \"chunk\": 1024},\n"
    "    {\"op\": \"msi\", \"device\": \"bad0\", \"vector\": 0, \"count\": 1},\n"
    "    {\"op\": \"wait\"}\n"
    "  ]\n"
    "}\n";

const char *rvsim_default_scenario_json(void)
{
	return text_;
}
