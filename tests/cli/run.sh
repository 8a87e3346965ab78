#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/cli/run.sh - `rviommu run` end to end: the embedded default, every
# fixture DTS and every example scenario pass their invariants (exit 0);
# --json is one valid JSON object with "pass": true; one seed gives a
# byte-identical report, another seed a different one; --trace writes JSON
# Lines with translations, faults, commands and MSIs; no progress line in a
# pipe; bad DTBs, bad scenarios and bad usage exit 2 with a message naming
# the problem.  $1 = the rviommu binary.
set -u
BIN=$1
SRC=${RVIOMMU_SOURCE_DIR:?}
FIX=${RVIOMMU_FIXTURES_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect_rc() { # want, description, command...
	local want=$1 what=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "$what: exit $rc, want $want ($(head -c 300 "$T/err"))"
}

# 1. the default platform and scenario
expect_rc 0 "default run" "$BIN" run
grep -q '^result: PASS$' "$T/out" || fail "default run: no 'result: PASS'"
for inv in "no data corruption" "no lost MSI" "faults only where expected"; do
	grep -q "\[PASS\] $inv" "$T/out" || fail "default run: invariant '$inv' not PASS"
done
grep -q "23 write guest-page fault" "$T/out" || fail "default run: the faulty device's cause is missing"
grep -q "vCPU migrations: 3" "$T/out" || fail "default run: no vCPU migrations"
[ -s "$T/err" ] && fail "default run: stderr not empty in a pipe (progress line?): $(head -c 200 "$T/err")"

# 2. each fixture DTS
for f in "$FIX"/*.dts; do
	expect_rc 0 "run --dtb $(basename "$f")" "$BIN" run --dtb "$f"
	grep -q '^result: PASS' "$T/out" || fail "$(basename "$f"): not PASS"
done

# 3. each example scenario
for s in "$SRC"/examples/scenarios/*.json; do
	expect_rc 0 "run --scenario $(basename "$s")" "$BIN" run --scenario "$s"
done

# 4. --json, and determinism with --seed
expect_rc 0 "json seed 5" "$BIN" run --json --seed 5
cp "$T/out" "$T/a.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["pass"] is True and d["seed"]==5 and len(d["devices"])==4, d' "$T/a.json" ||
	fail "--json: not a passing JSON report"
expect_rc 0 "json seed 5 again" "$BIN" run --json --seed 5
cmp -s "$T/out" "$T/a.json" || fail "--seed 5 twice: reports differ"
expect_rc 0 "json seed 6" "$BIN" run --json --seed 6
cmp -s "$T/out" "$T/a.json" && fail "--seed 5 and 6 gave identical reports"

# 5. --trace
expect_rc 0 "trace" "$BIN" run --trace "$T/trace.jsonl"
python3 - "$T/trace.jsonl" <<'PY' || fail "--trace: bad JSON Lines"
import json, sys
evs = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert "t" in e and "ev" in e, e
    evs[e["ev"]] = evs.get(e["ev"], 0) + 1
for k in ("xlate", "fault", "cmd", "msi", "migrate"):
    assert evs.get(k, 0) > 0, (k, evs)
PY

# 6. bad inputs: exit 2 with a message naming the problem
printf 'garbage' >"$T/bad.dtb"
expect_rc 2 "garbage DTB" "$BIN" run --dtb "$T/bad.dtb"
grep -q "bad.dtb" "$T/err" || fail "garbage DTB: message does not name the file"
dtc -I dts -O dtb -o "$T/ok.dtb" "$FIX/virt-imsic-4.dts" 2>/dev/null &&
	head -c 200 "$T/ok.dtb" >"$T/trunc.dtb" &&
	expect_rc 2 "truncated DTB" "$BIN" run --dtb "$T/trunc.dtb"
expect_rc 0 "a DTB file" "$BIN" run --dtb "$T/ok.dtb"
expect_rc 2 "missing DTB" "$BIN" run --dtb "$T/nope.dtb"
printf '{"devices":[{"name":"a","bdf":"00:01.0"}],"steps":[{"op":"dma","device":"zz","iova":0,"size":1}]}' >"$T/s1.json"
expect_rc 2 "bad scenario (dangling name)" "$BIN" run --scenario "$T/s1.json"
grep -q "steps\[0\].device: no device named 'zz'" "$T/err" || fail "bad scenario: message: $(cat "$T/err")"
printf '{"devices":[],"steps":[],"extra":1}' >"$T/s2.json"
expect_rc 2 "bad scenario (unknown key)" "$BIN" run --scenario "$T/s2.json"
grep -q "scenario.extra: unknown field" "$T/err" || fail "unknown key: message: $(cat "$T/err")"
printf '{"devices":[' >"$T/s3.json"
expect_rc 2 "bad scenario (truncated JSON)" "$BIN" run --scenario "$T/s3.json"
printf '{"iommu":{"clear_capabilities":["sv39"]},"devices":[],"steps":[]}' >"$T/s4.json"
expect_rc 2 "bad scenario (illegal IOMMU)" "$BIN" run --scenario "$T/s4.json"
grep -q "iommu.clear_capabilities: not a legal implementation" "$T/err" || fail "illegal IOMMU: message: $(cat "$T/err")"
printf '{"iommu":{"iotlb_size":4},"devices":[],"steps":[]}' >"$T/s5.json"
expect_rc 2 "bad scenario (IOMMU field)" "$BIN" run --scenario "$T/s5.json"
grep -q "iommu.iotlb_size: unknown field" "$T/err" || fail "IOMMU field: message: $(cat "$T/err")"
printf '{"iommu":{"clear_capabilities":["ats","t2gpa"]},"devices":[{"name":"a","bdf":"00:01.0","ats":true}],"steps":[]}' >"$T/s6.json"
expect_rc 2 "ATS device on an IOMMU without ATS" "$BIN" run --scenario "$T/s6.json"
grep -q "devices\[0\].ats: the IOMMU has no ATS capability" "$T/err" || fail "no ATS: message: $(cat "$T/err")"
expect_rc 2 "missing scenario" "$BIN" run --scenario "$T/nope.json"
expect_rc 2 "unknown option" "$BIN" run --frobnicate
expect_rc 2 "bad seed" "$BIN" run --seed -3
expect_rc 2 "missing value" "$BIN" run --dtb
expect_rc 0 "help" "$BIN" run --help

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "run.sh: all passed"
