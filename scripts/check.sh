#!/bin/bash
# check.sh: every test, in three layers, ending with "N passed, N failed".
#
#   host   the C++ core under GoogleTest with ASan/UBSan (ctest), the
#          forbidden-runtime check against a bad object, and a time-boxed
#          libFuzzer run of every parser of handover data
#   build  make integrate on a pristine linux-source-6.12 tree, where our
#          objects and the hooked files compile with zero warnings under
#          Debian's production configurations; per kernel: build with zero
#          warnings for our objects, an out-of-tree C++ module; per arch, a
#          forbidden C++ module that must fail; on x86_64 the kernel with
#          KHO off and the write path of both compared with stock 6.12
#   kunit  per kernel: the KUnit suites, run at boot in QEMU, KTAP parsed
#   e2e    per kernel: end-to-end scenarios across real kexec_file_load
#          reboots
#
# The kernels: x86_64 and arm64; the x86_64 debug kernel (KASAN, lockdep,
# kmemleak, fault injection), on which every x86_64 scenario runs again but
# the KASLR chain, plus those only the checkers can run (fault injection,
# the stress test); and the arm64 kernel with 64 KiB pages, which has the
# same checkers, for KUnit, the handover, UEFI and trace scenarios, fault
# injection, the stress test and the refused handover between page sizes.
# KHO_ARCHES (default "x86_64 arm64") and KHO_LAYERS (default "host build
# kunit e2e") narrow the run.
#
# Every check records one line in build/results.txt: "PASS name", "FAIL
# name (why)" or "SKIP name (why)".  A SKIP is never a pass.  A stage that
# exits non-zero without a FAIL line, or prints no result at all, is a FAIL;
# so is check.sh itself stopping early.  A "NOTE name: ..." line is neither
# (a scenario run again after a generation stalled without a kernel
# report, as when the emulator loses a timer interrupt: scripts/e2e.sh).
# The summary lists the FAILs, SKIPs and NOTEs, then "N skipped", and ends
# with the line "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

arches=${KHO_ARCHES:-x86_64 arm64}
layers=${KHO_LAYERS:-host build kunit e2e}
results="$KHO_REPO/build/results.txt"
mkdir -p "$KHO_REPO/build"
: >"$results"

record() { tee -a "$results"; }
pass() { echo "PASS $1" | record; }
fail() { echo "FAIL $1${2:+ ($2)}" | record; }
has_layer() { [[ " $layers " == *" $1 "* ]]; }
stage() { echo "== $1 ($(date +%T))"; }

# produce NAME CMD...: run CMD, which prints result lines, and record them.
# If CMD exits non-zero without printing a FAIL line, or prints no result
# line at all, that is "FAIL NAME (why)": a crash never vanishes.
produce() {
	local name=$1 out rc
	shift
	out=$(mktemp)
	"$@" | tee "$out" | record
	rc=${PIPESTATUS[0]}
	if ! grep -qE '^(PASS|FAIL|SKIP) ' "$out"; then
		fail "$name" "$(basename "$1") printed no result, exit status $rc"
	elif [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		fail "$name" "$(basename "$1") exited with status $rc without a FAIL line"
	fi
	rm -f "$out"
}

summary() {
	local npass nfail nskip
	trap - EXIT
	npass=$(grep -c '^PASS' "$results")
	nfail=$(grep -c '^FAIL' "$results")
	nskip=$(grep -c '^SKIP' "$results")
	echo
	grep -E '^(FAIL|SKIP|NOTE)' "$results"
	echo "$nskip skipped"
	echo "$npass passed, $nfail failed" | tee "$KHO_REPO/build/summary.txt"
	[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
}
# Whatever stops this script early still ends with the summary, and a FAIL.
trap 'rc=$?; fail check.sh "stopped early, exit status $rc"; summary; exit 1' EXIT

if ! "$KHO_REPO/scripts/deps.sh"; then
	fail deps "scripts/deps.sh failed"
	layers='' arches=''
fi

if has_layer host; then
	stage "host tests"
	hb="$KHO_REPO/build/host"
	if cmake -S "$KHO_REPO/tests/host" -B "$hb" ${KHO_CCACHE:+-DCMAKE_CXX_COMPILER_LAUNCHER=$KHO_CCACHE} >"$hb.log" 2>&1 &&
		cmake --build "$hb" -j"$(nproc)" >>"$hb.log" 2>&1; then
		# One line per declared test, from ctest's XML; a crash, a timeout
		# or a test that never ran is a FAIL (scripts/ctest-results.py).
		produce host/ctest "$KHO_REPO/scripts/ctest-results.py" "$hb" host
		tail -3 "$hb/ctest.log" 2>/dev/null
	else
		fail host/build "see ${hb#$KHO_REPO/}.log"
	fi
	stage "host fuzzing"
	produce host/fuzz "$KHO_REPO/scripts/fuzz.sh"
	stage "kho-inspect"
	produce host/kho-inspect "$KHO_REPO/tools/kho-inspect/tests/run.sh"
fi

if has_layer build; then
	stage "make integrate on a pristine tree; our objects under Debian's configurations"
	# shellcheck disable=SC2086 # a list of arch names
	produce integrate "$KHO_REPO/scripts/check-integrate.sh" $arches
fi

# The kernels: every arch's normal one; x86_64 also its debug kernel
# (KASAN, lockdep, kmemleak, fault injection: scripts/config/debug.config),
# which runs every scenario again but those marked "# e2e-kernels: default";
# arm64 also its 64 KiB-page kernel with the same checkers, which runs those
# that name "64k".
kernels() {
	for arch in $arches; do
		echo "$arch"
		[ "$arch" = x86_64 ] && echo "$arch debug"
		[ "$arch" = arm64 ] && echo "$arch 64k"
	done
}

# runs_on SCENARIO_FILE: whether it runs on this arch and kernel flavour.
runs_on() {
	local only kernels
	grep -q '^# e2e-manual:' "$1" && return 1
	only=$(sed -n 's/^# e2e-arch: //p' "$1")
	[ -n "$only" ] && [[ " $only " != *" $KHO_ARCH "* ]] && return 1
	kernels=$(sed -n 's/^# e2e-kernels: //p' "$1")
	[[ " ${kernels:-default debug} " == *" ${KHO_KERNEL:-default} "* ]]
}

# The scenarios, those with the largest time budget (generations times
# budget per generation) first, so that no long one starts last and
# leaves a core idle at the end.
scenarios() {
	local s gens budget
	for s in "$KHO_REPO"/tests/e2e/rootfs/scenarios/*.sh; do
		gens=$(sed -n 's/^# e2e-generations: //p' "$s")
		budget=$(sed -n 's/^# e2e-budget: //p' "$s")
		echo "$((${gens:-1} * ${budget:-60})) $s"
	done | sort -k1,1nr -k2 | cut -d' ' -f2-
}

while read -r arch flavour; do
	export KHO_KERNEL=$flavour
	kho_arch_setup "$arch"
	label=$KHO_ARCH$KHO_FLAVOUR
	if has_layer build || has_layer kunit || has_layer e2e; then
		stage "$label: kernel"
		if "$KHO_REPO/scripts/build-kernel.sh" "$arch" >/dev/null; then
			pass "$label/build/kernel-no-warnings"
		else
			fail "$label/build/kernel-no-warnings" "see ${KHO_BUILD#$KHO_REPO/}/build.log"
			continue
		fi
		if "$KHO_REPO/scripts/build-modules.sh" "$arch"; then
			pass "$label/build/out-of-tree-cxx-module"
		else
			fail "$label/build/out-of-tree-cxx-module"
		fi
		if [ -z "$flavour" ] && [ "$arch" = x86_64 ]; then
			if KHO_KERNEL=nokho "$KHO_REPO/scripts/build-kernel.sh" "$arch" >/dev/null; then
				pass "$arch/build/kernel-with-kho-off"
				stage "$arch: trace write path vs stock 6.12"
				produce "$arch/hot-path" "$KHO_REPO/scripts/check-hot-path.sh" "$arch"
			else
				fail "$arch/build/kernel-with-kho-off"
			fi
		fi
		if [ -z "$flavour" ]; then
			produce "$arch/libfdt-exports" "$KHO_REPO/scripts/check-libfdt-exports.sh" "$arch"
			if "$KHO_REPO/scripts/check-forbidden-module.sh" "$arch"; then
				pass "$arch/build/forbidden-cxx-module-rejected"
			else
				fail "$arch/build/forbidden-cxx-module-rejected"
			fi
		fi
		"$KHO_REPO/scripts/initramfs.sh" "$arch" >/dev/null || { fail "$label/initramfs"; continue; }
	fi
	if has_layer kunit; then
		stage "$label: KUnit at boot"
		log="$KHO_BUILD/e2e/kunit.log"
		rm -f "$log"
		produce "$label/kunit-boot" "$KHO_REPO/scripts/e2e.sh" "$arch" kunit
		produce "$label/kunit" "$KHO_REPO/scripts/ktap.py" "$label" "$log" \
			kho_page_ranges kho_mem_map kho_handover kho_ftrace_format kstate kho_ftrace_config
	fi
	if has_layer e2e; then
		# A booting guest keeps one core busy: one scenario per core.
		for s in $(scenarios); do
			name=$(basename "$s" .sh)
			[ "$name" = kunit ] && continue
			runs_on "$s" || continue
			while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
			stage "$label: e2e $name"
			produce "$label/$name" "$KHO_REPO/scripts/e2e.sh" "$arch" "$name" &
		done
		wait
	fi
done < <(kernels)
unset KHO_KERNEL

summary
