#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/cli/run_docs.sh - the embedding example in docs/embedding.md is the
# code compiled by tests/unit/test_plat_embed_example.c, byte for byte, and
# every example scenario named in docs/cli.md exists.  $1 is unused.
set -u
SRC=${RVIOMMU_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
awk '/<!-- embed-example: begin -->/{on=1; next} /<!-- embed-example: end -->/{on=0} on' \
	"$SRC/docs/embedding.md" | sed '1d;$d' >"$T/doc.c"
awk '/---- begin docs\/embedding.md example ----/{on=1; next} /---- end docs\/embedding.md example ----/{on=0} on' \
	"$SRC/tests/unit/test_plat_embed_example.c" >"$T/test.c"
[ -s "$T/doc.c" ] || { echo "FAIL: no example block in docs/embedding.md"; exit 1; }
if ! cmp -s "$T/doc.c" "$T/test.c"; then
	echo "FAIL: docs/embedding.md and test_plat_embed_example.c differ:"
	diff "$T/doc.c" "$T/test.c" | head -20
	exit 1
fi
for s in $(grep -o 'examples/scenarios/[a-z0-9-]*\.json' "$SRC/docs/cli.md" | sort -u); do
	[ -f "$SRC/$s" ] || { echo "FAIL: docs/cli.md names missing $s"; exit 1; }
done
echo "run_docs.sh: all passed"
