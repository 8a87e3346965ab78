#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/cli/run_progress.sh - a run longer than ~2 s draws a progress line
# when stderr is a terminal (a pseudo-terminal made by script(1)), erases it
# before the report, and draws nothing when stderr is a pipe.  The report
# on stdout is the same either way.  $1 = the rviommu binary.
set -u
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
command -v script >/dev/null || { echo "FAIL: script(1) (util-linux) is needed"; exit 1; }
cat >"$T/long.json" <<'JSON'
{"name": "long", "devices": [{"name": "a", "bdf": "00:01.0"}, {"name": "b", "bdf": "00:02.0"}],
 "domains": [{"name": "d", "devices": ["a", "b"], "maps": [{"iova": "0x100000", "size": "0x100000"}]}],
 "steps": [
  {"op": "dma", "device": "a", "dir": "mixed", "pattern": "sg", "iova": "0x100000", "size": "0x100000", "chunk": 4096, "count": 1048576},
  {"op": "dma", "device": "b", "dir": "mixed", "pattern": "random", "iova": "0x100000", "size": "0x100000", "chunk": 512, "count": 1048576},
  {"op": "wait"},
  {"op": "dma", "device": "a", "dir": "mixed", "pattern": "sg", "iova": "0x100000", "size": "0x100000", "chunk": 4096, "count": 1048576},
  {"op": "dma", "device": "b", "dir": "mixed", "pattern": "random", "iova": "0x100000", "size": "0x100000", "chunk": 512, "count": 1048576},
  {"op": "wait"},
  {"op": "dma", "device": "a", "dir": "mixed", "pattern": "sg", "iova": "0x100000", "size": "0x100000", "chunk": 4096, "count": 1048576}]}
JSON
fails=0
# on a terminal
script -qec "$BIN run --scenario $T/long.json >$T/tty.out" "$T/typescript" >/dev/null 2>&1
grep -qa $'\rrviommu run: step' "$T/typescript" || { echo "FAIL: no progress line on a terminal"; fails=1; }
grep -qa $'\r\033\[K' "$T/typescript" || { echo "FAIL: the progress line is not erased"; fails=1; }
grep -q '^result: PASS$' "$T/tty.out" || { echo "FAIL: terminal run did not pass"; fails=1; }
# in a pipe
"$BIN" run --scenario "$T/long.json" 2>&1 >"$T/pipe.out" | cat >"$T/pipe.err"
[ -s "$T/pipe.err" ] && { echo "FAIL: progress output in a pipe: $(head -c 100 "$T/pipe.err" | cat -v)"; fails=1; }
cmp -s "$T/tty.out" "$T/pipe.out" || { echo "FAIL: reports differ between terminal and pipe"; fails=1; }
[ "$fails" = 0 ] && echo "run_progress.sh: all passed"
exit "$fails"
