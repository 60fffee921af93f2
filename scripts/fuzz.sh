#!/bin/bash
# fuzz.sh [SECONDS]: build the libFuzzer targets in tests/fuzz with clang,
# ASan and UBSan, and run each for SECONDS (default $KHO_FUZZ_SECONDS or 30)
# from its corpus in tests/fuzz/corpus/<target>.  New inputs go to
# build/fuzz/corpus, never into the repository; a crash fails the run and
# leaves the input in build/fuzz.
#
# Every target yields exactly one line, whatever happens: "PASS
# host/fuzz/<target> (N inputs in Ss)", or "FAIL host/fuzz/<target> (why)"
# when it does not compile, does not start, crashes, hangs past its time, or
# ran without executing a single input.  No target stops the others; one
# runs per core.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
seconds=${1:-${KHO_FUZZ_SECONDS:-30}}
out="$KHO_REPO/build/fuzz"
mkdir -p "$out"

# libfdt is the kernel's own, as in the kernel (Debian's 1.6.1 loops
# forever on a property length that wraps the offset).
libfdt="$("$KHO_REPO/scripts/prepare-tree.sh")/scripts/dtc/libfdt"
sanitize=(-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
flags=(-std=gnu++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -DKX_HOSTED -fno-exceptions -fno-rtti
       -I"$KHO_REPO/cxx" -I"$KHO_REPO/include" -I"$KHO_REPO" -I"$libfdt")
sources=("$KHO_REPO/kho/mem_map.cpp" "$KHO_REPO/kho/page_ranges.cpp" "$KHO_REPO/kho/handover_tree.cpp"
	 "$KHO_REPO/ftrace/ring_page.cpp" "$KHO_REPO/ftrace/format.cpp"
	 "$KHO_REPO/kho/descriptor.cpp" "$KHO_REPO/kho/reserve.cpp" "$KHO_REPO/ftrace/node.cpp"
	 "$KHO_REPO/kho/vmalloc_list.cpp" "$KHO_REPO/kstate/engine.cpp" "$KHO_REPO/kstate/stream.cpp"
	 "$KHO_REPO/liveupdate/sessions.cpp" "$KHO_REPO/liveupdate/memfd_format.cpp"
	 "$KHO_REPO/tests/host/kstate_descs.c"
	 "$KHO_REPO/tests/fuzz/host_env.cpp")

# The core, compiled once for all targets, one file per core at a time.
rm -rf "$out/core" && mkdir -p "$out/core"
: >"$out/core.build.log"
core=()
for src in "${sources[@]}" "$libfdt"/*.c; do
	obj="$out/core/$(basename "${src%.*}").o"
	core+=("$obj")
	while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
	case "$src" in
	# The kstate test descriptions: C with the real macros, as in the host tests.
	*/kstate_descs.c) clang -std=gnu11 "${sanitize[@]}" -Wall -Werror \
		-I"$KHO_REPO/tests/host/kernel_shim" -I"$KHO_REPO/include" -c "$src" -o "$obj" ;;
	# Not our code: no warnings; memcpy(dst, NULL, 0) and unaligned
	# reads of a damaged tree's cells are fine by the kernel.
	*.c) clang -std=gnu11 "${sanitize[@]}" -fno-sanitize=nonnull-attribute,alignment -w \
		-I"$libfdt" -c "$src" -o "$obj" ;;
	*) clang++ "${flags[@]}" -c "$src" -o "$obj" ;;
	esac >>"$out/core.build.log" 2>&1 &
done
wait
for obj in "${core[@]}"; do
	[ -e "$obj" ] && continue
	for src in "$KHO_REPO"/tests/fuzz/*_fuzz.cpp; do
		echo "FAIL host/fuzz/$(basename "$src" _fuzz.cpp) (the core does not compile; see ${out#$KHO_REPO/}/core.build.log)"
	done
	exit 1
done

# As in the host tests: the core's non-throwing new is kx_alloc (malloc)
# while delete is the library's, exactly as in the kernel where both are
# kmalloc/kfree.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}alloc_dealloc_mismatch=0

fuzz_one() {
	local src=$1 name inputs why
	name=$(basename "$src" _fuzz.cpp)
	rm -f "$out/$name" "$out/$name.log"
	if ! clang++ "${flags[@]}" "$src" "${core[@]}" -o "$out/$name" >"$out/$name.build.log" 2>&1; then
		echo "FAIL host/fuzz/$name (does not compile; see ${out#$KHO_REPO/}/$name.build.log)"
		return 1
	fi
	if ! mkdir -p "$out/corpus/$name"; then
		echo "FAIL host/fuzz/$name (cannot create ${out#$KHO_REPO/}/corpus/$name)"
		return 1
	fi
	# libFuzzer stops itself after $seconds.  One input running for 60 s is
	# a hang: libFuzzer fails and keeps it (timeout-*); timeout(1) is the
	# last resort.
	(cd "$out" && timeout -k 10 $((seconds + 120)) ./"$name" -max_total_time="$seconds" \
		-timeout=60 -print_final_stats=1 "corpus/$name" "$KHO_REPO/tests/fuzz/corpus/$name" \
		>"$name.log" 2>&1)
	local st=$?
	inputs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$out/$name.log" 2>/dev/null | tail -1)
	if [ $st -eq 124 ] || [ $st -eq 137 ]; then
		echo "FAIL host/fuzz/$name (still running after $((seconds + 120))s; see ${out#$KHO_REPO/}/$name.log)"
	elif [ $st -ne 0 ]; then
		# The sanitizer's or libFuzzer's own words, if it left any.
		why=$(grep -m1 -oE '(ERROR|SUMMARY): [A-Za-z]+.*|runtime error: .*|deadly signal|ALARM: .*' \
			"$out/$name.log" 2>/dev/null | cut -c1-120)
		echo "FAIL host/fuzz/$name (exit status $st${why:+: $why}; input and log in ${out#$KHO_REPO/}/, see $name.log)"
	elif [ -z "$inputs" ]; then
		echo "FAIL host/fuzz/$name (did not start: no final stats; see ${out#$KHO_REPO/}/$name.log)"
	elif [ "$inputs" -eq 0 ]; then
		echo "FAIL host/fuzz/$name (executed 0 inputs; see ${out#$KHO_REPO/}/$name.log)"
	else
		echo "PASS host/fuzz/$name ($inputs inputs in ${seconds}s)"
		return 0
	fi
	return 1
}

# One target per core; the lines come out in the targets' order.
rc=0 n=0
for src in "$KHO_REPO"/tests/fuzz/*_fuzz.cpp; do
	[ -e "$src" ] || continue
	while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
	fuzz_one "$src" >"$out/$n.result" &
	n=$((n + 1))
done
wait
for ((i = 0; i < n; i++)); do
	cat "$out/$i.result"
	grep -q '^PASS ' "$out/$i.result" || rc=1
	rm -f "$out/$i.result"
done
if [ $n -eq 0 ]; then
	echo "FAIL host/fuzz (no targets in tests/fuzz)"
	rc=1
fi
exit $rc
