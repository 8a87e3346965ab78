#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/cli/regions.sh - `rviommu regions` on the QEMU fixtures: exact
# sysfs-style output for a few policy/stage pairs (expected lines worked out
# by hand from the fixtures' riscv,imsics properties, see the comments),
# --stats, and exit 2 with a message naming the problem on bad input.
# The exhaustive fixture x policy x stage check is tests/unit/test_msi_regions.c.
# Usage: regions.sh PATH_TO_RVIOMMU
set -euo pipefail
cli=${1:?usage: regions.sh PATH_TO_RVIOMMU}
fix=${RVIOMMU_FIXTURES_DIR:?}

if ! "$cli" help | grep -q '^  regions'; then
	echo "SKIP: 'regions' is not in the command table of src/cli/main.c yet"
	exit 0
fi

check() { # expected-output args...
	local want=$1 got
	shift
	got=$("$cli" regions "$@")
	if [ "$got" != "$want" ]; then
		printf 'rviommu regions %s\n--- got\n%s\n--- want\n%s\n' "$*" "$got" "$want"
		exit 1
	fi
}

# virt-imsic-4: S files at 0x28000000 + p * 4 KiB, p = 0..3 (no guest files)
check "0x0000000008000000 0x00000000080fffff msi
0x0000000028000000 0x0000000028003fff direct-relaxable" --dtb "$fix/virt-imsic-4.dts"
# group: the 16 KiB window rounded out to 2 MiB
check "0x0000000008000000 0x00000000080fffff msi
0x0000000028000000 0x00000000281fffff direct-relaxable" --dtb "$fix/virt-imsic-4.dts" --policy group
# 2s-16-g7 second stage: hart field bits 15..17, groups at bit 24; the
# window runs from each group's first S file to hart 7's page (+7 * 32 KiB)
check "0x0000000028000000 0x0000000028038fff msi
0x0000000029000000 0x0000000029038fff msi" --dtb "$fix/virt-imsic-2s-16-g7.dts" --stage second
# 8-g3 per-hart: S files 16 KiB apart (3 guest files between them)
out=$("$cli" regions --dtb "$fix/virt-imsic-8-g3.dts" --policy per-hart --stats)
echo "$out" | grep -qx '0x000000002801c000 0x000000002801cfff direct-relaxable'
echo "$out" | grep -qx '# regions: 9'
echo "$out" | grep -qx '# ptes: 8'
echo "$out" | grep -q '^# time-ns: [0-9]'
[ "$(echo "$out" | grep -c 'direct-relaxable$')" -eq 8 ]

# DTB input gives the same answer as DTS
if command -v dtc >/dev/null; then
	dtb=$(mktemp)
	trap 'rm -f "$dtb"' EXIT
	dtc -q -I dts -O dtb -o "$dtb" "$fix/virt-imsic-4.dts"
	check "$("$cli" regions --dtb "$fix/virt-imsic-4.dts")" --dtb "$dtb"
fi

# bad input: exit 2, message names the problem
expect_usage() { # pattern args...
	local pat=$1 rc=0 err
	shift
	err=$("$cli" regions "$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" -eq 2 ] || { echo "regions $*: exit $rc, want 2"; exit 1; }
	echo "$err" | grep -q -- "$pat" || { echo "regions $*: '$err' lacks '$pat'"; exit 1; }
}
expect_usage '--dtb FILE is required'
expect_usage "--policy 'x'" --dtb "$fix/virt-imsic-4.dts" --policy x
expect_usage "--stage 'x'" --dtb "$fix/virt-imsic-4.dts" --stage x
expect_usage "unknown argument" --dtb "$fix/virt-imsic-4.dts" --bogus
expect_usage "/no/such.dtb" --dtb /no/such.dtb
echo "regions: ok"
