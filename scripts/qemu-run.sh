#!/bin/bash
# qemu-run.sh ARCH SCENARIO LOG [BUDGET] [QEMU_ARGS...]: boot build/ARCH's
# kernel and test initramfs in QEMU (TCG) running SCENARIO, through all its
# kexec generations, with the serial console captured to LOG.  Extra kernel
# command-line words come from $KHO_APPEND; $KHO_IMAGE picks another
# kernel image (the benchmarks' KHO-off build); $KHO_KERNEL the flavour.
#
# Every generation (each "E2E: gen N" line in LOG, the first counted from
# QEMU's start) gets BUDGET seconds (default 120).  One that takes longer
# stops QEMU: the exit status is then 124 and LOG ends with a line saying
# which generation ran out of time.  LOG.times gets the seconds each
# budget interval took, one line each.
#
# A guest line "E2E: monitor: COMMAND" runs COMMAND on QEMU's human monitor
# (scripts/qemu-monitor.py: adding or removing a device, as an operator
# hot-plugs a DIMM); QEMU's answer goes into LOG as a "qemu-monitor:" line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "$1"
scenario=$2 log=$3 budget=${4:-120}
shift $(($# < 4 ? $# : 4))

mem=${KHO_MEM:-1G} smp=${KHO_SMP:-2}
# QEMU takes the last -m/-smp, so a scenario's own options win.  The
# built-in KUnit suites run only in the boot that checks them.  The
# initramfs stays in memory (retain_initrd) for the next generation.  No
# legacy PTYs: nothing uses them, and on the debug kernel creating their
# 512 devices took 1.8 s of each boot.
cmdline="$BOOT_ARGS panic=-1 oops=panic retain_initrd pty.legacy_count=0 e2e.scenario=$scenario e2e.gen=1 ${KHO_APPEND:-}"
[ "$scenario" = kunit ] || cmdline="$cmdline kunit.enable=0"
mkdir -p "$(dirname "$log")"
# In /tmp: a socket's path must be short.
monitor=$(mktemp -d /tmp/kho-monitor.XXXXXX)
trap 'rm -rf "$monitor"' EXIT
# Appending, so that the monitor's answers can go in between.
: >"$log"
"$QEMU" "${QEMU_MACHINE[@]}" -m "$mem" -smp "$smp" \
	-nographic -no-reboot -serial stdio \
	-monitor "unix:$monitor/socket,server=on,wait=off" \
	-kernel "${KHO_IMAGE:-$KHO_BUILD/$IMAGE}" -initrd "$KHO_BUILD/initramfs.cpio" \
	-append "$cmdline" "$@" </dev/null >>"$log" 2>&1 &
qemu=$!

gens=0 asked=0 since=$SECONDS
: >"$log.times"
while kill -0 "$qemu" 2>/dev/null; do
	sleep 1
	# Whole lines only: the console ends each with CR LF.
	mapfile -t requests < <(sed -n 's/^E2E: monitor: \(.*\)\r$/\1/p' "$log")
	for ((; asked < ${#requests[@]}; asked++)); do
		"$KHO_REPO/scripts/qemu-monitor.py" "$monitor/socket" "${requests[asked]}" >>"$log" 2>&1 || true
	done
	now=$(tr -d '\r' <"$log" | grep -c '^E2E: gen [0-9]* of scenario' || true)
	if [ "$now" != "$gens" ]; then
		echo $((SECONDS - since)) >>"$log.times"
		gens=$now since=$SECONDS
	elif [ $((SECONDS - since)) -gt "$budget" ]; then
		kill "$qemu" 2>/dev/null
		sleep 2
		kill -9 "$qemu" 2>/dev/null || true
		wait "$qemu" 2>/dev/null || true
		echo "qemu-run: generation $((gens + (gens == 0))) ran past its budget of ${budget}s" >>"$log"
		exit 124
	fi
done
echo $((SECONDS - since)) >>"$log.times"
wait "$qemu"
