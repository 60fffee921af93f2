#!/bin/bash
# bench-kho.sh [RUNS [PART...]]: the KHO benchmark, as tables (not a test).
# PARTS are the numbers below (default: all).  ARCH=arm64 runs it on
# QEMU's virt machine (default x86_64).
#
# 1. Metadata, on the host with the kernel's own encoder: order-0 pages
#    spread over 1 GiB at 1/10/50/90/100% and a mixed-order case, as this
#    project encodes them, as a range list and as a bitmap.  Then the cost
#    of preserving 1k, 100k and 1M pages one call at a time in random order,
#    next to std::set as an O(log n) reference.  Then the next kernel's
#    reservation walk over order-0 pages at 1, 50 and 100% of 1 GiB, per run.
# 2. In QEMU (TCG, -m 4G, kho_scratch=512M): for each workload,
#    RUNS (default 5) guests that preserve it, activate and kexec; the
#    median activation time, map size, reservation time and next-kernel
#    boot time (to /init), against the same without a handover.
# 3. Reserving one range of 1k pages versus 1M pages (4 GiB, -m 8G).
# 4. kho_preserve_folio() and kho_restore_folio() per call for 1k, 100k and
#    1M order-0 folios in random order (-m 6G): the cost must not grow.
# 5. The kexec blackout (-m 4G, -icount shift=0,sleep=off: time is instructions
#    and every run counts alike): from just before the reboot call to the
#    next kernel's /init, read on the CPU's counter (TSC, CNTVCT_EL0),
#    which kexec does not reset; without a handover, with an empty one, with 1 GiB preserved
#    at 1, 50 and 100% density, with 64 MiB of trace buffers, and with a 1 GiB
#    memfd kept by /dev/liveupdate.  KHO_BLACKOUT_ROWS picks other rows.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${1:-5}
parts=${*:2}
parts=${parts:-1 2 3 4 5}
want() { [[ " $parts " == *" $1 "* ]]; }
kho_arch_setup "${ARCH:-x86_64}"
out="$KHO_REPO/build/bench/$KHO_ARCH"
mkdir -p "$out"

# host_bench NAME: tests/bench/NAME.cpp, built with the kernel's own core.
host_bench() {
	g++ -std=gnu++20 -O2 -DKX_HOSTED -fno-exceptions -fno-rtti -I"$KHO_REPO/cxx" \
		-I"$KHO_REPO/include" -I"$KHO_REPO" "$KHO_REPO/tests/bench/$1.cpp" \
		"$KHO_REPO/kho/mem_map.cpp" "$KHO_REPO/kho/page_ranges.cpp" "$KHO_REPO/kho/reserve.cpp" \
		"$KHO_REPO/tests/fuzz/host_env.cpp" -o "$out/$1"
	"$out/$1"
}

if want 1; then
	echo "## Preserved-memory metadata (host, same encoder as the kernel)"
	echo
	host_bench memmap_bench
	echo
	echo "## Preserving pages in random order (host, same code as the kernel)"
	echo
	host_bench preserve_bench
	echo
	echo "## The next kernel's reservation walk (host, same code as the kernel, kernel-like ops)"
	echo
	host_bench reserve_bench
fi
want 2 || want 3 || want 4 || want 5 || exit 0

"$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
"$KHO_REPO/scripts/build-modules.sh" "$KHO_ARCH"
"$KHO_REPO/scripts/initramfs.sh" "$KHO_ARCH" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
field() { sed -n "s/.*BENCH.* $1=\([0-9.][0-9.]*\).*/\1/p; s/.*BENCH $1=\([0-9.][0-9.]*\).*/\1/p" "$2" | median; }

# bench NAME MEM ARGS [BASELINE]: RUNS fresh guests, each booting a
# second kernel through KHO (or, for the baseline, without a handover).
bench() {
	local log="$out/$1.log"
	: >"$log.txt"
	for i in $(seq "$runs"); do
		KHO_APPEND="kho_scratch=512M e2e.runs=1 e2e.bench=$3 e2e.baseline=${4:-0}" \
			"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" kho-bench "$log" 300 -m "$2" || true
		tr -d '\r' <"$log" >>"$log.txt"
	done
	printf '| %-14s | %8s | %9s | %11s | %8s | %7s | %10s | %7s |\n' "$1" \
		"$(field preserved "$log.txt")" "$(field map_bytes "$log.txt")" \
		"$(field activate_us "$log.txt")" "$(field ranges "$log.txt")" \
		"$(field regions "$log.txt")" "$(field reserve_us "$log.txt")" \
		"$(field boot_s "$log.txt")"
}

if want 2; then
	echo
	echo "## Activation and next-kernel boot ($KHO_ARCH QEMU TCG, -m 4G, median of $runs)"
	echo
	echo "| workload       |    pages | map bytes | activate us |   ranges | regions | reserve us |  boot s |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	bench "no handover" 4G "percent=10" 1
	for p in 1 10 50 90 100; do
		bench "$p% order-0" 4G "percent=$p"
	done
	bench "mixed 0-10" 4G "mixed=1"
fi
if want 3; then
	echo
	echo "## Reserving one range: restore cost follows the metadata, not the bytes"
	echo
	echo "| workload       |    pages | map bytes | activate us |   ranges | regions | reserve us |  boot s |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	bench "1k pages" 8G "single=1024"
	bench "1M pages" 8G "single=1048576"
fi
if want 4; then
	echo
	echo "## Preserve and restore per call, random order, in the kernel (QEMU TCG, -m 6G, median of $runs)"
	echo
	echo "A call's cost must not grow with the set: the 1M row within 2x of the 1k row.  \"touch\""
	echo "is one read of each page's struct page in the same order, the memory floor of a"
	echo "call, timed in the same guest: what it grows by is this machine's, not KHO's."
	echo
	echo "|    pages | preserve ns/call | x 1k | touch | x 1k | restore ns/call | x 1k | touch | x 1k | missing |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
	for n in 1024 102400 1048576; do
		log="$out/calls-$n.log"
		: >"$log.txt"
		for i in $(seq "$runs"); do
			KHO_APPEND="kho_scratch=512M e2e.pages=$n" \
				"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" kho-bench-calls "$log" 600 -m 6G || true
			tr -d '\r' <"$log" >>"$log.txt"
		done
		p=$(field preserve_ns "$log.txt") pt=$(field preserve_touch_ns "$log.txt")
		r=$(field restore_ns "$log.txt") rt=$(field restore_touch_ns "$log.txt")
		[ "$n" = 1024 ] && p1k=$p pt1k=$pt r1k=$r rt1k=$rt
		printf '| %8s | %16s | %4s | %5s | %4s | %15s | %4s | %5s | %4s | %7s |\n' "$n" \
			"$p" "$(ratio "$p" "$p1k")" "$pt" "$(ratio "$pt" "$pt1k")" \
			"$r" "$(ratio "$r" "$r1k")" "$rt" "$(ratio "$rt" "$rt1k")" "$(field missing "$log.txt")"
	done
fi

want 5 || exit 0
echo
echo "## The kexec blackout ($KHO_ARCH QEMU TCG -icount shift=0,sleep=off, -m 4G, median of $runs)"
echo
echo "From the reboot call in generation 1 to /init in generation 2, on the CPU's counter"
echo "(under -icount it advances with instructions); the handover must add at most 5%."
echo
echo "| workload | blackout ms | vs plain kexec |"
echo "|---|---:|---:|"
# blackout NAME APPEND: RUNS guests, the median blackout in ms.
blackout() {
	local log="$out/blackout-$1.log" ms
	: >"$log.txt"
	for i in $(seq "$runs"); do
		# nokaslr: a kernel placed above 4 GiB can leave no free GiB there.
		KHO_APPEND="kho_scratch=512M nokaslr $2" "$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" kho-blackout \
			"$log" 600 -m 4G -icount shift=0,sleep=off || true
		tr -d '\r' <"$log" >>"$log.txt"
	done
	awk '/BENCH counter_reboot=/ { split($2, a, "="); r = a[2] }
	     /BENCH counter_init=/ { split($2, a, "="); split($3, k, "=");
				     if (r && k[2]) printf "%.1f\n", (a[2] - r) / k[2]; r = 0 }' \
		"$log.txt" | median
}
base=$(blackout plain "e2e.baseline=1")
printf '| %s | %s | %s |\n' "no handover" "$base" "-"
# KHO_BLACKOUT_ROWS: "name|kernel parameters" lines, to measure other rows.
rows=${KHO_BLACKOUT_ROWS:-"empty handover|
1 GiB at 1%|e2e.bench=percent=1
1 GiB at 50%|e2e.bench=percent=50
1 GiB at 100%|e2e.bench=percent=100
64 MiB of trace buffers|e2e.trace_kb=32768
1 GiB memfd (Live Update)|liveupdate=on e2e.luo_mib=1024"}
while IFS= read -r row <&3; do
	ms=$(blackout "$(echo "${row%%|*}" | tr -c 'a-zA-Z0-9\n' -)" "${row#*|}")
	printf '| %s | %s | %s |\n' "${row%%|*}" "$ms" \
		"$(awk -v a="$ms" -v b="$base" 'BEGIN{printf "%+.1f%%", (a / b - 1) * 100}')"
done 3<<<"$rows"
