#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/cli/replay_errors.sh - `rviommu replay` rejects each kind of broken
# stimulus with exit status 2 and a message on stderr that names the right
# line ("line N:").  $1 is the path of the rviommu binary.  Every case puts
# valid lines, comments and blank lines before the broken one so the line
# count is exercised, and valid lines after it that must not run.
set -u
cli="$1"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

# check NAME LINE WHAT BROKEN-LINE: the file is 3 preamble lines (a comment,
# a blank line, a valid op), then BROKEN-LINE, so the error is on line 4.
check() {
	local name="$1" want_line="$2" want_text="$3" broken="$4"
	n=$((n + 1))
	{
		echo '# preamble comment'
		echo ''
		echo '{"op":"read_reg","offset":"0x0","size":8}'
		printf '%s\n' "$broken"
		echo '{"op":"read_reg","offset":"0x8","size":4}'
	} >"$tmp/in.jsonl"
	"$cli" replay "$tmp/in.jsonl" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -ne 2 ]; then
		echo "FAIL $name: exit $rc, want 2"
		fails=$((fails + 1))
	elif ! grep -q "^rviommu replay: line $want_line: " "$tmp/err"; then
		echo "FAIL $name: stderr does not name line $want_line: $(cat "$tmp/err")"
		fails=$((fails + 1))
	elif ! grep -qi -- "$want_text" "$tmp/err"; then
		echo "FAIL $name: stderr lacks '$want_text': $(cat "$tmp/err")"
		fails=$((fails + 1))
	elif [ "$(wc -l <"$tmp/out")" -ne 1 ]; then
		echo "FAIL $name: want exactly the one output line before the error"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

check bad-json 4 "bad JSON" '{"op":"read_reg",'
check trailing-garbage 4 "bad JSON" '{"op":"advance","cycles":1} x'
check not-object 4 "object" '[1,2,3]'
check unknown-op 4 'unknown op "frobnicate"' '{"op":"frobnicate"}'
check missing-op 4 'missing field "op"' '{"addr":"0x1000"}'
check op-not-string 4 "op" '{"op":7}'
check missing-field 4 'missing field "size"' '{"op":"read_mem","addr":"0x1000"}'
check bad-size 4 "size" '{"op":"read_mem","addr":"0x1000","size":3}'
check bad-reg-size 4 "size" '{"op":"read_reg","offset":"0x0","size":2}'
check negative 4 "negative" '{"op":"advance","cycles":-5}'
check hex-overflow 4 "64 bits" '{"op":"advance","cycles":"0x10000000000000000"}'
check bad-hex 4 "0x-hex" '{"op":"read_mem","addr":"0x12g4","size":4}'
check decimal-string 4 "0x-hex" '{"op":"read_mem","addr":"4096","size":4}'
check ill-typed 4 "integer" '{"op":"read_mem","addr":true,"size":4}'
check float 4 "integer" '{"op":"read_mem","addr":1.5,"size":4}'
check odd-bytes 4 "odd" '{"op":"write_mem","addr":"0x1000","bytes":"abc"}'
check bad-bytes 4 "hex digit" '{"op":"write_mem","addr":"0x1000","bytes":"zz"}'
check data-too-wide 4 "out of range" '{"op":"write_mem","addr":"0x1000","size":1,"data":"0x100"}'
check unknown-field 4 'unknown field "adr"' '{"op":"read_mem","adr":"0x1000","size":4}'
check unknown-config 4 'unknown config key "iotlb"' '{"op":"reset","iotlb":4}'
check config-range 4 "out of range" '{"op":"reset","ddtp_mode":256}'
check config-illegal 4 "rejects this config" '{"op":"reset","icvec_bits":5}'
check config-not-object 4 "config" '{"op":"reset","config":[1]}'
check write-mem-fault 4 "memory write" '{"op":"write_mem","addr":"0xff00000000000000","size":8,"data":1}'
check bad-choice 4 "access" '{"op":"translate","did":1,"access":"q","iova":"0x1000"}'
check did-range 4 "did" '{"op":"translate","did":"0x1000000","access":"r","iova":"0x0"}'
check offset-range 4 "offset" '{"op":"read_reg","offset":"0x1000","size":4}'
check wide-reg-write 4 "rejects" '{"op":"write_reg","offset":"0x8","size":8,"data":"0x0"}'
check mark-status 4 "status" '{"op":"mark_mem","addr":"0x0","size":4096,"status":"bad"}'
check duplicate-key 4 "bad JSON" '{"op":"advance","cycles":1,"cycles":2}'
check len-zero 4 "len" '{"op":"translate","did":1,"access":"r","iova":"0x0","len":0}'

# The error names the right line in a longer file, and stdin works.
n=$((n + 1))
printf '%s\n' '{"op":"reset"}' '# c' '' '  # indented comment' '{"op":"advance","cycles":1}' \
	'{"op":"advance"}' | "$cli" replay - >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "line 6: " "$tmp/err"; then
	echo "ok   stdin-line-6"
else
	echo "FAIL stdin-line-6: exit $rc: $(cat "$tmp/err")"
	fails=$((fails + 1))
fi

# A long line (over 64 KiB) is read whole.
n=$((n + 1))
pad="$(head -c 70000 /dev/zero | tr '\0' ' ')"
printf '{"op":"advance",%s"cycles":1}\n{"op":"nope"}\n' "$pad" >"$tmp/long.jsonl"
"$cli" replay "$tmp/long.jsonl" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "line 2: unknown op" "$tmp/err"; then
	echo "ok   long-line"
else
	echo "FAIL long-line: exit $rc: $(cat "$tmp/err")"
	fails=$((fails + 1))
fi

# Missing file and bad usage: exit 2.
n=$((n + 1))
if "$cli" replay "$tmp/does-not-exist" >/dev/null 2>&1; then
	echo "FAIL missing-file: exit 0"
	fails=$((fails + 1))
else
	echo "ok   missing-file"
fi

# A valid file exits 0 (comments and blank lines only, too).
n=$((n + 1))
printf '# only a comment\n\n' | "$cli" replay - >/dev/null 2>&1
if [ $? -eq 0 ]; then echo "ok   comments-only"; else
	echo "FAIL comments-only"
	fails=$((fails + 1))
fi

# Every struct rvm_config key (and the two short names) is accepted, at
# the top level and inside "config", and takes effect (icvec_bits 2: 0x3333).
n=$((n + 1))
cfg='"capabilities":"0xff8efeece10","fctl":0,"fctl_writable":3,"ddtp_reset_mode":0,"ddt_modes":31,"cq_log2sz_max":20,"fq_log2sz_max":20,"pq_log2sz_max":20,"iotlb_entries":16,"ddtc_entries":16,"pdtc_entries":16,"hpm_counters":8,"hpm_counter_bits":64,"icvec_bits":2,"rcid_bits":12,"mcid_bits":12,"sxl_writable":false,"msi_be":true,"check_dc_addr_width":1,"ats_inval_timeout":"0x100","ats_inval_max":32'
out="$(printf '%s\n' "{\"op\":\"reset\",$cfg,\"config\":{\"ioatc\":8,\"ddtp_mode\":0}}" \
	'{"op":"write_reg","offset":"0x2f8","size":8,"data":"0xffff"}' \
	'{"op":"read_reg","offset":"0x2f8","size":8}' | "$cli" replay - 2>&1)"
if [ "$out" = '{"op":"read_reg","offset":"0x2f8","data":"0x3333"}' ]; then
	echo "ok   all-config-keys"
else
	echo "FAIL all-config-keys: $out"
	fails=$((fails + 1))
fi

echo "$((n - fails))/$n passed"
[ "$fails" -eq 0 ]
