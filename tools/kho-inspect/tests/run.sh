#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh: kho-inspect's host test.  Builds the x86_64 tool and the fixture
# writer (scripts/build-tools.sh), writes handovers with the kernel's own
# writer (make_fixtures.cpp), and checks the tool's text, JSON and SVG
# against what was preserved; then feeds it damaged and mutated trees and
# maps, which it must refuse in the kernel's words without crashing or
# hanging.  Result lines as scripts/check.sh's produce() takes them: one
# "FAIL host/kho-inspect/<check> (why)" per failed check, or one "PASS
# host/kho-inspect (N checks)"; then the last line "kho-inspect: N passed,
# N failed".  Exit status 1 on any failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() {  # CHECK: WHY
	failed=$((failed + 1))
	echo "FAIL host/kho-inspect/${1%%: *} (${1#*: })"
}
finish() {
	[ "$failed" -eq 0 ] && echo "PASS host/kho-inspect ($passed checks)"
	echo "kho-inspect: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if ! tool=$("$repo/scripts/build-tools.sh" x86_64 fixtures 2>&1 | tail -1) || [ ! -x "$tool" ]; then
	fail "build: scripts/build-tools.sh x86_64 fixtures did not build the tool"
	finish
fi
work="$repo/build/x86_64/tools/kho-inspect-test"
rm -rf "$work"
mkdir -p "$work"
if ! "$repo/build/x86_64/tools/kho-inspect-obj/tests/make-fixtures" "$work/fx"; then
	fail "fixtures: make-fixtures did not run"
	finish
fi
fx="$work/fx"

# run NAME ARGS...: runs the tool (bounded in time), leaving its stdout in
# $out and its exit status in $rc.
run() {
	local name=$1
	shift
	out=$(timeout 10 "$tool" "$@" 2>"$work/$name.stderr")
	rc=$?
	printf '%s\n' "$out" >"$work/$name.out"
}

expect_rc() {  # NAME WANT
	if [ "$rc" -eq "$2" ]; then pass; else fail "$1: exit status $rc, want $2"; fi
}

expect_line() {  # NAME LINE: $out holds LINE exactly, as a whole line
	if grep -qxF -- "$2" <<<"$out"; then pass; else fail "$1: no line '$2' (see ${work#$repo/}/$1.out)"; fi
}

expected() {  # DIR KEY: a value the writer recorded
	sed -n "s/^$2=//p" "$1/expected"
}

# json_check NAME PYTHON: $out must parse, and PYTHON (given j, the object,
# and e, the fixture's expected values) must raise nothing.
json_check() {
	local name=$1 dir=${3:-}
	if python3 - "$work/$name.out" "$dir" <<PY 2>"$work/$name.json-check"
import json, sys
j = json.load(open(sys.argv[1]))
e = {}
if sys.argv[2]:
    for line in open(sys.argv[2] + "/expected"):
        k, v = line.strip().split("=")
        e[k] = int(v)
$2
PY
	then pass; else fail "$name: $(tail -1 "$work/$name.json-check")"; fi
}

# --- A handover with its map in a segment, and scratch files ----------
dir=$fx/segment
run segment "$dir/dt"
expect_rc segment 0
expect_line segment '  ftrace: compatible "ftrace-v2", 56 bytes'
expect_line segment '  kstate: compatible "kstate-v1", 40 bytes'
expect_line segment '  luo: 52 bytes, subtree at 0x7654000 (8192 bytes)'
if grep -q '^  memfd: .* subtree at 0x12340000' <<<"$out"; then pass; else fail "segment: memfd subtree not shown"; fi
expect_line segment "  total: $(expected "$dir" pages) pages in $(expected "$dir" runs) runs, $(expected "$dir" bytes) bytes (8.3 MiB)"
expect_line segment '  [0x100000000+0x10000000] 256.0 MiB'
expect_line segment 'problems: none'

run segment-json --json "$dir/dt"
expect_rc segment-json 0
if python3 -m json.tool "$work/segment-json.out" >/dev/null; then pass; else fail "segment-json: python3 -m json.tool refuses it"; fi
json_check segment-json '
names = [s["name"] for s in j["subsystems"]]
assert names == ["ftrace", "kstate", "luo", "memfd"], names
compat = {s["name"]: s["compatible"] for s in j["subsystems"]}
assert compat == {"ftrace": "ftrace-v2", "kstate": "kstate-v1", "luo": None, "memfd": None}, compat
assert all(s["size"] > 0 for s in j["subsystems"])
assert j["subsystems"][3]["subtree_phys"] == 0x12340000
assert j["format"] == "linux-6.12-kho-v1"
p = j["preserved"]
assert p["source"] == "file" and p["valid"], p
assert (p["pages"], p["runs"], p["bytes"]) == (e["pages"], e["runs"], e["bytes"]), p
assert sum(o["pages"] for o in p["per_order"]) == e["pages"]
assert sum(o["runs"] for o in p["per_order"]) == e["runs"]
assert sorted(o["order"] for o in p["per_order"]) == [0, 9, 10], p["per_order"]
assert j["scratch"] == [{"addr": 0x100000000, "size": 0x10000000}, {"addr": 0x4000000, "size": 0x8000000}]
assert j["problems"] == []
' "$dir"

# --- One range rides inline in the tree -------------------------------
dir=$fx/inline
run inline "$dir/dt"
expect_rc inline 0
expect_line inline "  total: $(expected "$dir" pages) pages in 1 run, $(expected "$dir" bytes) bytes (16.0 MiB)"
expect_line inline 'scratch: not visible (no scratch_phys and scratch_len next to the tree)'
run inline-json --json "$dir/dt"
json_check inline-json '
p = j["preserved"]
assert p["source"] == "inline", p
assert (p["pages"], p["runs"]) == (e["pages"], e["runs"]), p
assert j["scratch"] == [] and not j["scratch_visible"]
' "$dir"

# --- The map where the tool cannot see it; no map at all --------------
run no-memmap "$fx/no-memmap/dt"
expect_rc no-memmap 0
expect_line no-memmap 'preserved memory: map not visible (not inline, no memmap file)'
run nothing "$fx/nothing/dt"
expect_rc nothing 0
expect_line nothing 'preserved memory: none (no map)'

# --- Damage: the kernel's own words, exit status 1 ---------------------
check_damaged() {  # DIR WHY
	local name=damaged-$1 line="kho: handover: $2; ignoring the handover"
	run "$name" "$fx/$1/dt"
	expect_rc "$name" 1
	expect_line "$name" "  $line"
	run "$name-json" --json "$fx/$1/dt"
	expect_rc "$name-json" 1
	json_check "$name-json" "assert sys.argv[0] is not None and \"\"\"$line\"\"\" in j[\"problems\"], j[\"problems\"]"
}
check_damaged truncated 'tree header invalid'
check_damaged wrong-format 'root compatible is not "linux-6.12-kho-v1"'
check_damaged bad-subtree 'malformed subsystem node'
check_damaged inline-and-segment 'memory map both inline and in a segment'
check_damaged bad-map 'preserved-memory map malformed'

# --- The picture -------------------------------------------------------
svg_check() {  # NAME FILE PYTHON
	if python3 - "$2" <<PY 2>"$work/$1.svg-check"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
rects = [r.attrib for r in root.iter(ns + "rect")]
texts = " ".join(t.text or "" for t in root.iter(ns + "text"))
$3
PY
	then pass; else fail "$1: $(tail -1 "$work/$1.svg-check")"; fi
}
run svg --svg "$work/segment.svg" --iomem "$fx/iomem" "$fx/segment/dt"
expect_rc svg 0
svg_check svg "$work/segment.svg" '
red = [r for r in rects if r.get("fill") == "#d62728" and r["width"] != "14"]
assert len(red) >= 5, len(red)                 # scattered runs stay visible
assert all(int(r["width"]) >= 1 for r in red)
assert any(r.get("fill") == "#3a78c2" for r in rects)  # scratch
assert any(r.get("fill") == "#e69f00" for r in rects)  # kernel image
assert "preserved (2132 pages in 7 runs)" in texts, texts
assert "one row = 256.0 MiB" in texts
'
run svg-user --svg "$work/user.svg" --iomem "$fx/iomem-user" "$fx/segment/dt"
expect_rc svg-user 0
svg_check svg-user "$work/user.svg" 'assert "addresses hidden" in texts, texts'
run svg-damaged --svg "$work/damaged.svg" --iomem /nonexistent "$fx/truncated/dt"
expect_rc svg-damaged 1
svg_check svg-damaged "$work/damaged.svg" 'assert "map not read" in texts'

# --- Usage and unreadable input: exit status 2 -------------------------
run usage --no-such-option
expect_rc usage 2
run missing "$work/does-not-exist"
expect_rc missing 2

# --- Hostile input: the fuzz corpora and mutants of good handovers ------
# Any exit status but 0, 1 or 2 (a signal, or 124 from timeout) fails.
hostile=0 hostile_bad=0
try_hostile() {  # DT [MEMMAP]
	local d="$work/hostile/$hostile" st
	mkdir -p "$d"
	cp "$1" "$d/dt"
	[ -n "${2:-}" ] && cp "$2" "$d/memmap"
	timeout 10 "$tool" --json --svg "$d/out.svg" --iomem "$fx/iomem" "$d/dt" >"$d/out.json" 2>"$d/stderr"
	st=$?
	hostile=$((hostile + 1))
	if [ "$st" -gt 2 ]; then
		hostile_bad=$((hostile_bad + 1))
		echo "hostile input ${d#$repo/}: exit status $st" >&2
	fi
}
for f in "$repo"/tests/fuzz/corpus/tree/*; do try_hostile "$f"; done
for f in "$repo"/tests/fuzz/corpus/memmap/*; do try_hostile "$fx/segment/dt" "$f"; done
python3 - "$fx" "$work/mutants" <<'PY'
import os, random, sys
fx, out = sys.argv[1], sys.argv[2]
rnd = random.Random(13)
os.makedirs(out, exist_ok=True)
def mutate(data):
    data = bytearray(data)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.random()
        if op < 0.6 and data:
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif op < 0.8 and data:
            del data[rnd.randrange(len(data)):]
        else:
            data += bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    return bytes(data)
tree = open(fx + "/segment/dt", "rb").read()
memmap = open(fx + "/segment/memmap", "rb").read()
inline = open(fx + "/inline/dt", "rb").read()
for i in range(150):
    base = inline if i % 3 == 0 else tree
    open(f"{out}/{i}.dt", "wb").write(mutate(base))
    open(f"{out}/{i}.memmap", "wb").write(mutate(memmap) if i % 3 == 1 else memmap)
PY
for i in $(seq 0 149); do
	if [ $((i % 3)) -eq 0 ]; then try_hostile "$work/mutants/$i.dt"; else try_hostile "$work/mutants/$i.dt" "$work/mutants/$i.memmap"; fi
done
head -c 1048576 /dev/urandom >"$work/random"
try_hostile "$work/random"
try_hostile "$fx/segment/dt" "$work/random"
if [ "$hostile_bad" -eq 0 ]; then pass; else fail "hostile: $hostile_bad of $hostile crashed or hung"; fi
# Whatever the input, the output is JSON and the picture is XML (one
# python for all: it takes a third of a second to start here).
if python3 - "$work/hostile" <<'PY' 2>"$work/hostile.check"
import glob, json, sys, xml.etree.ElementTree as ET
for d in sorted(glob.glob(sys.argv[1] + "/*")):
    try:
        json.load(open(d + "/out.json"))
        ET.parse(d + "/out.svg")
    except Exception as e:
        raise SystemExit(f"{d}: {e}")
PY
then pass; else fail "hostile-output: $(tail -1 "$work/hostile.check")"; fi

finish
