#!/bin/bash
# bench-kstate.sh: the kstate engine's benchmark, as a table (not a test).
# Save and restore throughput against memcpy of the same bytes in the same
# run, the stream's overhead per object, and folios by reference; on the
# host, with the kernel's own engine sources (tests/bench/kstate_bench.cpp).
# The figures are recorded in Documentation/kstate/index.rst.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out="$KHO_REPO/build/bench/kstate"
rm -rf "$out" && mkdir -p "$out"
libfdt="$("$KHO_REPO/scripts/prepare-tree.sh")/scripts/dtc/libfdt"
for src in "$libfdt"/fdt*.c; do
	gcc -O2 -w -I"$libfdt" -c "$src" -o "$out/$(basename "${src%.c}").o"
done
g++ -std=gnu++20 -O2 -DKX_HOSTED -fno-exceptions -fno-rtti -I"$KHO_REPO/cxx" \
	-I"$KHO_REPO/include" -I"$KHO_REPO" "$KHO_REPO/tests/bench/kstate_bench.cpp" \
	"$KHO_REPO/kstate/engine.cpp" "$KHO_REPO/kstate/stream.cpp" \
	"$KHO_REPO/tests/fuzz/host_env.cpp" "$out"/fdt*.o -o "$out/kstate_bench"
echo "## kstate: save and restore against memcpy (host, the kernel's engine, best of 5)"
echo
"$out/kstate_bench"
