#!/bin/bash
# qemu-run.sh ARCH SCENARIO LOG [TIMEOUT] [QEMU_ARGS...]: boot build/ARCH's
# kernel and test initramfs in QEMU (TCG) running SCENARIO, through all its
# kexec generations, with the serial console captured to LOG.  Extra kernel
# command-line words come from $KHO_APPEND; $KHO_KERNEL picks another
# kernel image (the benchmarks' KHO-off build).  Exit status 124 on timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "$1"
scenario=$2 log=$3 timeout=${4:-120}
shift $(($# < 4 ? $# : 4))

mem=${KHO_MEM:-1G} smp=${KHO_SMP:-2}
# QEMU takes the last -m/-smp, so a scenario's own options win.
cmdline="console=$CONSOLE panic=-1 oops=panic e2e.scenario=$scenario e2e.gen=1 ${KHO_APPEND:-}"
mkdir -p "$(dirname "$log")"
set +e
timeout --foreground -k 5 "$timeout" "$QEMU" "${QEMU_MACHINE[@]}" -m "$mem" -smp "$smp" \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "${KHO_KERNEL:-$KHO_BUILD/$IMAGE}" -initrd "$KHO_BUILD/initramfs.cpio" \
	-append "$cmdline" "$@" </dev/null >"$log" 2>&1
rc=$?
set -e
exit $rc
