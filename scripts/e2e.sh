#!/bin/bash
# e2e.sh ARCH SCENARIO [TIMEOUT]: run one end-to-end scenario and report.
#
# Each "E2E: PASS name" / "E2E: FAIL name: why" line the guest prints
# becomes one result; the scenario itself passes only if it printed no FAIL,
# reached "E2E: DONE", did not time out and the kernel did not panic.
# Results go to stdout as "PASS|FAIL arch/scenario/name" lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "$1"
scenario=$2 timeout=${3:-180}
log="$KHO_BUILD/e2e/$scenario.log"

# A scenario may ask for kernel parameters and QEMU options in its header:
#   # e2e-append: kho_scratch=256M
#   # e2e-qemu: -m 2G
file="$KHO_REPO/tests/e2e/rootfs/scenarios/$scenario.sh"
append=$(sed -n 's/^# e2e-append: //p' "$file")
read -r -a qemu_args <<<"$(sed -n 's/^# e2e-qemu: //p' "$file")"
rc=0
KHO_APPEND="${KHO_APPEND:-} $append" \
	"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" "$scenario" "$log" "$timeout" "${qemu_args[@]}" || rc=$?
tr -d '\r' <"$log" | sed -n 's/^.*E2E: \(PASS\|FAIL\) \([^:]*\).*$/\1 '"$KHO_ARCH\/$scenario"'\/\2/p'

why=
[ $rc -eq 124 ] && why="timed out after ${timeout}s"
# A scenario that panics on purpose says so:  # e2e-expect-panic: sysrq
expected_panic=$(sed -n 's/^# e2e-expect-panic: //p' "$file")
if grep 'Kernel panic' "$log" | grep -qv "${expected_panic:-^$}"; then
	why="kernel panic"
fi
grep -q 'E2E: DONE' "$log" || why=${why:-"never reached E2E: DONE"}
grep -qE 'WARNING:|BUG:' "$log" && why=${why:-"kernel warning: $(grep -m1 -E 'WARNING:|BUG:' "$log" | tr -d '')"}
grep -q 'E2E: FAIL' "$log" && why=${why:-"a check failed"}
if [ -n "$why" ]; then
	echo "FAIL $KHO_ARCH/$scenario ($why; log: ${log#$KHO_REPO/})"
	exit 1
fi
echo "PASS $KHO_ARCH/$scenario"
