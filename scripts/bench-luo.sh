#!/bin/bash
# bench-luo.sh [RUNS]: Live Update's benchmark, as tables (not a test).
# ARCH=arm64 runs it on QEMU's virt machine (default x86_64).
#
# 1. In QEMU (TCG, -m 8G, kho_scratch=512M), RUNS guests each: memfds of
#    1 MiB, 1 GiB and 4 GiB, dense (written whole) and sparse (a page per
#    MiB).  Per memfd, alone: PRESERVE_FD, activating the handover, and
#    MemFree's drop at activation (what handing it over costs: records,
#    folio list, KHO's map).  Then all are handed over; the next kernel
#    times RETRIEVE_FD for each, against reading its bytes once (a copy
#    of the same size).  Medians.
# 2. The kexec blackout with a 1 GiB memfd kept, against a plain kexec in
#    the same run (scripts/bench-kho.sh part 5).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
runs=${1:-3}
kho_arch_setup "${ARCH:-x86_64}"
out="$KHO_REPO/build/bench/$KHO_ARCH"
mkdir -p "$out"
"$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
"$KHO_REPO/scripts/build-modules.sh" "$KHO_ARCH"
"$KHO_REPO/scripts/initramfs.sh" "$KHO_ARCH" >/dev/null

log="$out/luo-bench.log"
: >"$log.txt"
for i in $(seq "$runs"); do
	KHO_APPEND="liveupdate=on kho_scratch=512M" \
		"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" luo-bench "$log" 900 -m 8G || true
	tr -d '\r' <"$log" >>"$log.txt"
done
median() { sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print "-"}'; }
# value CASE FIELD: the median of FIELD over the runs' lines for CASE.
value() { sed -n "s/.*BENCH case=$1 .*$2=\([0-9][0-9]*\).*/\1/p" "$log.txt" | median; }

echo "## Live Update: memfds ($KHO_ARCH QEMU TCG, -m 8G, median of $runs)"
echo
echo "Retrieving costs per folio; reading the same bytes once (\"copy\") costs per byte."
echo
echo "| memfd | folios | PRESERVE_FD us | activate us | metadata KiB | RETRIEVE_FD us | copy us | copy / retrieve |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '| %s | - | - | %s | - | - | - | - |\n' "none" "$(value none activate_us)"
for c in dense-1M dense-1G dense-4G sparse-1M sparse-1G sparse-4G; do
	r=$(value "$c" retrieve_us) cp=$(value "$c" copy_us)
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(value "$c" folios)" \
		"$(value "$c" preserve_us)" "$(value "$c" activate_us)" "$(value "$c" metadata_kb)" \
		"$r" "$cp" "$(awk -v a="$cp" -v b="$r" 'BEGIN{if (b > 0) printf "%.1fx", a / b; else print "-"}')"
done
echo
KHO_BLACKOUT_ROWS="1 GiB memfd (Live Update)|liveupdate=on e2e.luo_mib=1024" \
	"$KHO_REPO/scripts/bench-kho.sh" "$runs" 5
