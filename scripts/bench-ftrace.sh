#!/bin/bash
# bench-ftrace.sh [RUNS]: the ftrace handover benchmark, as a table (not a
# test; QEMU TCG noise is large, the same-instructions check in make check
# is the guarantee).  ARCH=arm64 runs it on QEMU's virt machine (default
# x86_64).
#
# 1. Ring-buffer write throughput, the in-kernel ring_buffer_benchmark
#    module (writer only, 10 s per run), on the KHO kernel (handover on,
#    not active) and on the KHO-off kernel, RUNS (default 10) alternating
#    boots each: median and a distribution-free 95% interval of the median.
# 2. For 4, 64 and 256 MiB of trace buffer in all: metadata handed over
#    (ftrace node, kexec-time positions, the KHO memory map) per sub-buffer,
#    and activation time; median of 5 activations.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${1:-10}
kho_arch_setup "${ARCH:-x86_64}"
out="$KHO_REPO/build/bench/$KHO_ARCH"
mkdir -p "$out"

"$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
KHO_KERNEL=nokho "$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
"$KHO_REPO/scripts/build-modules.sh" "$KHO_ARCH"
for b in "" -nokho; do
	kho_make "$KHO_BUILD$b" -s kernel/trace/ring_buffer_benchmark.ko >/dev/null
	cp "$KHO_BUILD$b/kernel/trace/ring_buffer_benchmark.ko" \
		"$KHO_BUILD/modules/ring_buffer_benchmark${b:--kho}.ko"
done
"$KHO_REPO/scripts/initramfs.sh" "$KHO_ARCH" >/dev/null

# run KERNEL ARGS: one guest; its BENCH lines appended to $out/ftrace-bench.txt
run() {
	local log="$out/ftrace-bench.log"
	KHO_IMAGE=$1 KHO_APPEND="kho_scratch=128M $2" \
		"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" ftrace-bench "$log" 200 -m 2G || true
	tr -d '\r' <"$log" | sed -n 's/.*E2E: | BENCH //p' >>"$out/ftrace-bench.txt"
}

: >"$out/ftrace-bench.txt"
for i in $(seq "$runs"); do
	run "$KHO_BUILD/$IMAGE" e2e.bench=throughput
	run "$KHO_BUILD-nokho/$IMAGE" e2e.bench=throughput
done
run "$KHO_BUILD/$IMAGE" "e2e.bench=size e2e.runs=5"

python3 - "$out/ftrace-bench.txt" "$runs" "$KHO_ARCH" <<'PY'
import math, sys
rows = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1])]

def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2

def interval(xs):
    # Order statistics (k, n+1-k) around the median with >= 95% coverage.
    xs, n = sorted(xs), len(xs)
    k = 0
    while k + 1 <= n and sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n <= 0.025:
        k += 1
    return (xs[k - 1], xs[n - k]) if k else (xs[0], xs[-1])

print(f"## Ring-buffer write throughput (ring_buffer_benchmark, writer only, {sys.argv[3]} TCG)")
print()
print(f"{sys.argv[2]} alternating boots per kernel; entries per ms, median [95% interval of the median]")
print()
print("| kernel | runs | entries/ms | 95% interval | ns/entry |")
print("|---|---:|---:|---|---:|")
for k, name in (("off", "KHO off (baseline)"), ("kho", "KHO + ftrace handover, inactive")):
    r = [x for x in rows if x.get("kernel") == k and x.get("per_ms")]
    per = [int(x["per_ms"]) for x in r]
    ns = [int(x["ns"]) for x in r if x.get("ns")]
    if not per:
        print(f"| {name} | 0 | - | - | - |")
        continue
    lo, hi = interval(per)
    print(f"| {name} | {len(per)} | {median(per):.0f} | [{lo}, {hi}] | {median(ns):.0f} |")
print()
print("## Activation and metadata (median of 5 activations)")
print()
print("Per-page metadata: the ftrace node without its event table (instance and CPU nodes,")
print("page lists), the kexec-time positions block and the KHO memory map.  The event table")
print("describes the kernel's events once, whatever the buffer size.")
print()
print("| trace buffer | sub-buffers | node B (w/o events) | positions B | memory map B | B/sub-buffer | page-rounded B/sub-buffer | event table B | activation ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for mib in ("4", "64", "256"):
    r = [x for x in rows if x.get("mib") == mib and x.get("subbufs")]
    if not r:
        continue
    sb = int(median([int(x["subbufs"]) for x in r]))
    events = int(median([int(x["events"]) for x in r]))
    node = int(median([int(x["node"]) for x in r])) - events
    pos = int(median([int(x["positions"]) for x in r]))
    mp = int(median([int(x["map"]) for x in r]))
    act = median([int(x["activate_us"]) for x in r]) / 1000
    total = node + pos + mp
    rounded = node + math.ceil(pos / 4096) * 4096 + math.ceil(mp / 4096) * 4096
    print(f"| {mib} MiB | {sb} | {node} | {pos} | {mp} | {total / sb:.2f} | {rounded / sb:.2f} | {events} | {act:.1f} |")
PY
