#!/bin/bash
# e2e.sh ARCH SCENARIO: run one end-to-end scenario and report.
#
# Each "E2E: PASS name" / "E2E: FAIL name: why" / "E2E: SKIP name: why" line
# the guest prints becomes one result.  The scenario itself passes only if
# it printed no FAIL, reached its last generation and "E2E: DONE", no
# generation ran past its time budget, and the kernel printed no panic,
# oops, WARNING, BUG (KASAN, sleeping in atomic context ...), lockdep
# report or kmemleak report.  Results go to stdout as "PASS|FAIL|SKIP
# arch[-flavour]/scenario/name" lines.  $KHO_KERNEL picks the kernel flavour.
#
# A scenario's header says what it needs:
#   # e2e-generations: 3      the last generation it must reach (required)
#   # e2e-budget: 60          seconds per generation on the normal kernel
#                             (default 60; a kernel with the debug checkers,
#                             the debug and 64k ones, gets 6 times as
#                             much: KASAN, lockdep and kmemleak under TCG,
#                             where a CI machine ran 3 to 5 times slower
#                             than the development one; a hang is named
#                             sooner, by the hung-task detector)
#   # e2e-append: kho_scratch=256M   kernel parameters
#   # e2e-qemu: -m 2G                QEMU options
#   # e2e-qemu-arm64: -bios ...      more on one architecture
#   # e2e-checkers-mem: 3G           the memory of its guests on a kernel
#                                    with the debug checkers (default 2G)
#   # e2e-expect-panic: sysrq        a panic it causes on purpose
#   # e2e-arch: x86_64               the only architecture it runs on, and
#   # e2e-arch-why: ...              why (required with e2e-arch)
#   # e2e-kernels: default 64k       the kernel flavours it runs on
#                                    (default: the normal and debug ones)
#   # e2e-first-kernel: default      generation 1 boots this flavour's
#                                    image; the next ones the initramfs's
#
# On a kernel with the debug checkers KASAN's shadow (an eighth of RAM)
# comes out of scratch at boot too: kho_scratch=NM becomes N+256M and P%
# becomes P+13%, unless the header says "# e2e-debug-scratch: as-is"; on
# arm64 N+384M and P+19%, as what the next kexec loads into scratch is 60
# MiB more there (an uncompressed 19 MiB Image with 15 MiB of BSS, in a 26
# MiB initramfs).  Its guests get 2 GiB (unless the scenario's -m says
# otherwise): in 1 GiB, wherever KASLR puts the kernel, a first boot may
# find no free range that large; and the 64k kernel's scratch comes in 512
# MiB pageblocks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "$1"
scenario=$2
name="$KHO_ARCH$KHO_FLAVOUR/$scenario"
log="$KHO_BUILD/e2e/$scenario.log"
file="$KHO_REPO/tests/e2e/rootfs/scenarios/$scenario.sh"
header() { sed -n "s/^# e2e-$1: //p" "$file"; }

generations=$(header generations)
if ! [[ "$generations" =~ ^[0-9]+$ ]]; then
	echo "FAIL $name (the scenario declares no '# e2e-generations: N')"
	exit 1
fi
if [ -n "$(header arch)" ] && [ -z "$(header arch-why)" ]; then
	echo "FAIL $name (the scenario declares '# e2e-arch' without '# e2e-arch-why')"
	exit 1
fi
budget=$(header budget)
budget=${budget:-60}
append=$(header append)
if [ -n "$KHO_CHECKERS" ]; then
	mem=$(header checkers-mem)
	export KHO_MEM=${KHO_MEM:-${mem:-2G}}
	budget=$((budget * 6))
	if [ "$(header debug-scratch)" != as-is ]; then
		more_mb=256 more_pct=13
		[ "$KHO_ARCH" = arm64 ] && more_mb=384 more_pct=19
		words=
		for w in $append; do
			case "$w" in
			kho_scratch=*M) w=kho_scratch=$((${w//[^0-9]/} + more_mb))M ;;
			kho_scratch=*%) w=kho_scratch=$((${w//[^0-9]/} + more_pct))% ;;
			esac
			words="$words $w"
		done
		append=$words
	fi
fi
first=$(header first-kernel)
if [ -n "$first" ]; then
	KHO_IMAGE=$(KHO_KERNEL=${first/default/} && kho_arch_setup "$KHO_ARCH" && echo "$KHO_BUILD/$IMAGE")
	if [ ! -f "$KHO_IMAGE" ]; then
		echo "FAIL $name (generation 1 needs $KHO_IMAGE: build the $first kernel first)"
		exit 1
	fi
	export KHO_IMAGE
fi
read -r -a qemu_args <<<"$(header qemu) $(header "qemu-$KHO_ARCH")"
run_guest() {
	rc=0
	KHO_APPEND="${KHO_APPEND:-} $append" \
		"$KHO_REPO/scripts/qemu-run.sh" "$KHO_ARCH" "$scenario" "$log" "$budget" "${qemu_args[@]}" ||
		rc=$?
}
# Everything a checker in the kernel says: WARN, BUG (KASAN, sleeping in
# atomic context, bad page ...), lockdep ("WARNING: possible ..."), oopses,
# UBSAN, kmemleak, a hung task, an RCU stall.
report='WARNING:|BUG:|Oops|UBSAN:|INFO: (possible|task .* blocked)|rcu: INFO:|kmemleak: [0-9]+ new suspected|unreferenced object'
run_guest
# QEMU 7.2's TCG sometimes loses a vCPU's timer interrupt, and the guest
# waits for good: seen on x86_64's debug kernel, before the guest's /init
# had run (RCU: "Possible timer handling issue"), and in the middle of
# ACPI's boot, the console's clock standing still and then silence (a
# stalled tick silences the hung-task and RCU detectors too).  Such a run
# says nothing of the scenario, so a generation that ran out of time with
# no kernel report, or with that one, runs the scenario once more; the
# summary lists the NOTE and a second time is a FAIL.
stalled=
if [ $rc -eq 124 ]; then
	if grep -q 'Possible timer handling issue on cpu=' "$log"; then
		stalled="RCU saw a timer that never fired"
	elif ! grep -q -E "$report" "$log"; then
		stalled="no kernel report"
	fi
fi
if [ -n "$stalled" ]; then
	mv "$log" "$log.stalled"
	echo "NOTE $name: $(grep -m1 '^qemu-run: ' "$log.stalled" | sed 's/^qemu-run: //' | tr -d '\r')," \
		"$stalled (as when TCG loses a timer interrupt); ran it again (first log: ${log#$KHO_REPO/}.stalled)"
	run_guest
fi
tr -d '\r' <"$log" >"$log.txt"
sed -n 's/^.*E2E: \(PASS\|FAIL\|SKIP\) \([^:]*\)\(: \(.*\)\)\{0,1\}$/\1 '"${name//\//\\/}"'\/\2 (\4)/p' "$log.txt" |
	sed 's/ ()$//; s/^PASS \(.*\) (.*)$/PASS \1/'

reached=$(sed -n 's/^E2E: gen \([0-9]*\) of scenario.*/\1/p' "$log.txt" | tail -1)
why=
[ $rc -eq 124 ] && why=$(grep -m1 '^qemu-run: ' "$log.txt" | sed 's/^qemu-run: //')
# QEMU's own failure (a crash in TCG, a bad option): its status, and its
# message is among the console's last lines.
[ $rc -ne 0 ] && [ $rc -ne 124 ] && why="QEMU exited with status $rc"
expected_panic=$(header expect-panic)
if grep 'Kernel panic' "$log.txt" | grep -qv "${expected_panic:-^$}"; then
	why=${why:-"kernel panic: $(grep -m1 'Kernel panic' "$log.txt")"}
fi
if [ "${reached:-0}" -lt "$generations" ]; then
	why=${why:-"reached generation ${reached:-0} of $generations"}
fi
grep -q 'E2E: DONE' "$log.txt" || why=${why:-"never reached E2E: DONE"}
# A kernel report is named even when the generation also ran out of time:
# the report says why it did.
kernel_report=$(grep -m1 -E "$report" "$log.txt" || true)
[ -n "$kernel_report" ] && why="${why:+$why; }kernel report: $kernel_report"
grep -q 'E2E: FAIL' "$log.txt" && why=${why:-"a check failed"}
if [ -n "$why" ]; then
	echo "FAIL $name ($why; log: ${log#$KHO_REPO/})"
	# CI keeps only this output, and may cut it short: first the kernel's
	# report with its call trace, then where the console stopped.
	{
		[ -n "$kernel_report" ] && grep -m1 -A24 -E "$report" "$log.txt"
		echo "... the console's last lines:"
		grep -v '^qemu-run: ' "$log.txt" | tail -12
	} | sed "s|^|  $name: |"
	exit 1
fi
slowest=$(sort -n "$log.times" | tail -1)
echo "PASS $name (slowest generation ${slowest:-?}s of a ${budget}s budget)"
