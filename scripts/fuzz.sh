#!/bin/bash
# fuzz.sh [SECONDS]: build the libFuzzer targets in tests/fuzz with clang,
# ASan and UBSan, and run each for SECONDS (default $KHO_FUZZ_SECONDS or 30)
# from its corpus in tests/fuzz/corpus/<target>.  New inputs go to
# build/fuzz/corpus, never into the repository; a crash fails the run and
# leaves the input in build/fuzz.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
seconds=${1:-${KHO_FUZZ_SECONDS:-30}}
out="$KHO_REPO/build/fuzz"
mkdir -p "$out"

flags=(-std=gnu++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -DKX_HOSTED -fno-exceptions -fno-rtti
       -I"$KHO_REPO/cxx" -I"$KHO_REPO/include" -I"$KHO_REPO")
core=("$KHO_REPO/kho/mem_map.cpp" "$KHO_REPO/kho/page_ranges.cpp" "$KHO_REPO/kho/handover_tree.cpp"
      "$KHO_REPO/ftrace/ring_page.cpp" "$KHO_REPO/ftrace/format.cpp"
      "$KHO_REPO/tests/fuzz/host_env.cpp" -lfdt)

rc=0
for src in "$KHO_REPO"/tests/fuzz/*_fuzz.cpp; do
	name=$(basename "$src" _fuzz.cpp)
	clang++ "${flags[@]}" "$src" "${core[@]}" -o "$out/$name"
	mkdir -p "$out/corpus/$name"
	if (cd "$out" && ./"$name" -max_total_time="$seconds" -print_final_stats=1 \
		"corpus/$name" "$KHO_REPO/tests/fuzz/corpus/$name" >"$name.log" 2>&1); then
		echo "PASS host/fuzz/$name ($(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log") inputs in ${seconds}s)"
	else
		echo "FAIL host/fuzz/$name (see ${out#$KHO_REPO/}/$name.log)"
		rc=1
	fi
done
exit $rc
