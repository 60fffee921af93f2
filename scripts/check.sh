#!/bin/bash
# check.sh: every test, in three layers, ending with "N passed, N failed".
#
#   host   the C++ core under GoogleTest with ASan/UBSan (ctest), the
#          forbidden-runtime check against a bad object, and a time-boxed
#          libFuzzer run of every parser of handover data
#   build  per arch: kernel build with zero warnings for our objects, an
#          out-of-tree C++ module, and a forbidden C++ module that must fail
#   kunit  per arch: the KUnit suites, run at boot in QEMU, KTAP parsed
#   e2e    per arch: end-to-end scenarios across real kexec_file_load reboots
#
# KHO_ARCHES (default "x86_64 arm64") and KHO_LAYERS (default "host build
# kunit e2e") narrow the run.
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

"$KHO_REPO/scripts/deps.sh" || exit 1

if has_layer host; then
	stage "host tests"
	hb="$KHO_REPO/build/host"
	if cmake -S "$KHO_REPO/tests/host" -B "$hb" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >"$hb.log" 2>&1 &&
		cmake --build "$hb" -j"$(nproc)" >>"$hb.log" 2>&1; then
		(cd "$hb" && ctest --output-on-failure >"$hb/ctest.log" 2>&1)
		sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \([^ ]*\) \.*[ *]*\(Passed\|\*\*\*Failed\|Failed\).*/\2 host\/\1/p' \
			"$hb/ctest.log" | sed 's/^Passed/PASS/; s/^\*\*\*Failed/FAIL/; s/^Failed/FAIL/' | record
		tail -3 "$hb/ctest.log"
	else
		fail host/build "see ${hb#$KHO_REPO/}.log"
	fi
	stage "host fuzzing"
	"$KHO_REPO/scripts/fuzz.sh" | record
fi

for arch in $arches; do
	kho_arch_setup "$arch"
	if has_layer build || has_layer kunit || has_layer e2e; then
		stage "$arch: kernel"
		if image=$("$KHO_REPO/scripts/build-kernel.sh" "$arch" | tail -1); then
			pass "$arch/build/kernel-no-warnings"
		else
			fail "$arch/build/kernel-no-warnings"
			continue
		fi
		if "$KHO_REPO/scripts/build-modules.sh" "$arch"; then
			pass "$arch/build/out-of-tree-cxx-module"
		else
			fail "$arch/build/out-of-tree-cxx-module"
		fi
		if [ "$arch" = x86_64 ]; then
			if KHO_OFF=1 "$KHO_REPO/scripts/build-kernel.sh" "$arch" >/dev/null; then
				pass "$arch/build/kernel-with-kho-off"
				stage "$arch: trace write path vs stock 6.12"
				"$KHO_REPO/scripts/check-hot-path.sh" "$arch" | record
			else
				fail "$arch/build/kernel-with-kho-off"
			fi
		fi
		if "$KHO_REPO/scripts/check-forbidden-module.sh" "$arch"; then
			pass "$arch/build/forbidden-cxx-module-rejected"
		else
			fail "$arch/build/forbidden-cxx-module-rejected"
		fi
		"$KHO_REPO/scripts/initramfs.sh" "$arch" >/dev/null || { fail "$arch/initramfs"; continue; }
	fi
	if has_layer kunit; then
		stage "$arch: KUnit at boot"
		log="$KHO_BUILD/e2e/kunit.log"
		"$KHO_REPO/scripts/e2e.sh" "$arch" kunit 300 >/dev/null
		"$KHO_REPO/scripts/ktap.py" "$arch" "$log" kho_page_ranges kho_mem_map kho_handover kho_ftrace_format | record
	fi
	if has_layer e2e; then
		for s in "$KHO_REPO"/tests/e2e/rootfs/scenarios/*.sh; do
			name=$(basename "$s" .sh)
			[ "$name" = kunit ] && continue
			grep -q '^# e2e-manual:' "$s" && continue
			only=$(sed -n 's/^# e2e-arch: //p' "$s")
			[ -n "$only" ] && [[ " $only " != *" $arch "* ]] && continue
			stage "$arch: e2e $name"
			"$KHO_REPO/scripts/e2e.sh" "$arch" "$name" | record
		done
	fi
done

npass=$(grep -c '^PASS' "$results")
nfail=$(grep -c '^FAIL' "$results")
echo
grep '^FAIL' "$results"
echo "$npass passed, $nfail failed" | tee "$KHO_REPO/build/summary.txt"
[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
