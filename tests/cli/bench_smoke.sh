#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/cli/bench_smoke.sh - `rviommu bench --quick` runs every workload and
# prints JSON in which each one has a positive ns_per_op and ops.
# Usage: bench_smoke.sh PATH_TO_RVIOMMU
set -euo pipefail
cli=${1:?usage: bench_smoke.sh PATH_TO_RVIOMMU}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$cli" bench --quick >"$out"

python3 - "$out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = ["b1", "c", "d", "e1", "e4"]
got = {w["name"]: w for w in doc["workloads"]}
assert doc["quick"] is True, "quick flag not reported"
assert doc["machine"]["nproc"] >= 1 and doc["machine"]["cpu"], "machine missing"
for name in want:
    assert name in got, "workload %s missing" % name
    w = got[name]
    assert w["ns_per_op"] > 0, "%s: ns_per_op %r" % (name, w["ns_per_op"])
    assert w["ops"] > 0, "%s: ops %r" % (name, w["ops"])
# b1 repeats one page: after warm-up every lookup must hit the IOTLB
assert got["b1"]["iotlb_hit_ratio"] == 1.0, "b1 misses the IOTLB"
print("bench smoke: ok")
PY

# a selected workload runs alone; an unknown one is a usage error (exit 2)
"$cli" bench --quick b1 | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [w["name"] for w in d["workloads"]] == ["b1"]'
set +e
"$cli" bench --quick nosuch >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "unknown workload gave exit $rc, want 2"; exit 1; }
