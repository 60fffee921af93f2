#!/bin/bash
# bench-kho.sh [RUNS]: the KHO benchmark, as a table (not a test).
#
# 1. Metadata, on the host with the kernel's own encoder: order-0 pages
#    spread over 1 GiB at 1/10/50/90/100% and a mixed-order case, as this
#    project encodes them, as a range list and as a bitmap.
# 2. In QEMU (x86_64, TCG, -m 4G, kho_scratch=512M): for each workload,
#    RUNS (default 5) guests that preserve it, activate and kexec; the
#    median activation time, map size, reservation time and next-kernel
#    boot time (to /init), against the same without a handover.
# 3. Reserving one range of 1k pages versus 1M pages (4 GiB, -m 8G).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${1:-5}
kho_arch_setup x86_64
out="$KHO_REPO/build/bench"
mkdir -p "$out"

echo "## Preserved-memory metadata (host, same encoder as the kernel)"
echo
g++ -std=gnu++20 -O2 -DKX_HOSTED -fno-exceptions -fno-rtti -I"$KHO_REPO/cxx" \
	-I"$KHO_REPO/include" -I"$KHO_REPO" "$KHO_REPO/tests/bench/memmap_bench.cpp" \
	"$KHO_REPO/kho/mem_map.cpp" "$KHO_REPO/kho/page_ranges.cpp" \
	"$KHO_REPO/tests/fuzz/host_env.cpp" -o "$out/memmap_bench"
"$out/memmap_bench"

"$KHO_REPO/scripts/build-kernel.sh" x86_64 >/dev/null
"$KHO_REPO/scripts/build-modules.sh" x86_64
"$KHO_REPO/scripts/initramfs.sh" x86_64 >/dev/null

median() { sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
field() { sed -n "s/.*BENCH.* $1=\([0-9.]*\).*/\1/p; s/.*BENCH $1=\([0-9.]*\).*/\1/p" "$2" | median; }

# bench NAME MEM ARGS [BASELINE]: RUNS fresh guests, each booting a
# second kernel through KHO (or, for the baseline, without a handover).
bench() {
	local log="$out/$1.log"
	: >"$log.txt"
	for i in $(seq "$runs"); do
		KHO_APPEND="kho_scratch=512M e2e.runs=1 e2e.bench=$3 e2e.baseline=${4:-0}" \
			"$KHO_REPO/scripts/qemu-run.sh" x86_64 kho-bench "$log" 300 -m "$2" || true
		tr -d '\r' <"$log" >>"$log.txt"
	done
	printf '| %-14s | %8s | %9s | %11s | %8s | %7s | %10s | %7s |\n' "$1" \
		"$(field preserved "$log.txt")" "$(field map_bytes "$log.txt")" \
		"$(field activate_us "$log.txt")" "$(field ranges "$log.txt")" \
		"$(field regions "$log.txt")" "$(field reserve_us "$log.txt")" \
		"$(field boot_s "$log.txt")"
}

echo
echo "## Activation and next-kernel boot (x86_64 QEMU TCG, -m 4G, median of $runs)"
echo
echo "| workload       |    pages | map bytes | activate us |   ranges | regions | reserve us |  boot s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
bench "no handover" 4G "percent=10" 1
for p in 1 10 50 90 100; do
	bench "$p% order-0" 4G "percent=$p"
done
bench "mixed 0-10" 4G "mixed=1"
echo
echo "## Reserving one range: restore cost follows the metadata, not the bytes"
echo
echo "| workload       |    pages | map bytes | activate us |   ranges | regions | reserve us |  boot s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
bench "1k pages" 8G "single=1024"
bench "1M pages" 8G "single=1048576"
