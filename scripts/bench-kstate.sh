#!/bin/bash
# bench-kstate.sh: the kstate engine's benchmark, as a table (not a test).
# Save and restore throughput against memcpy of the same bytes in the same
# run, the stream's overhead per object, and folios by reference; with the
# kernel's own engine sources (tests/bench/kstate_bench.cpp).  On the host;
# with ARCH=arm64, built static for arm64 and run as the init of QEMU's
# virt machine (TCG) on build/arm64's kernel, so both sides of each ratio
# are emulated alike.
# The figures are recorded in Documentation/kstate/index.rst and
# Documentation/kho/benchmarks.rst.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${ARCH:-x86_64}"
out="$KHO_REPO/build/bench/kstate-$KHO_ARCH"
rm -rf "$out" && mkdir -p "$out"
static=
[ "$KHO_ARCH" = x86_64 ] || static=-static
libfdt="$("$KHO_REPO/scripts/prepare-tree.sh")/scripts/dtc/libfdt"
for src in "$libfdt"/fdt*.c; do
	"${CROSS}gcc" -O2 -w -I"$libfdt" -c "$src" -o "$out/$(basename "${src%.c}").o"
done
"${CROSS}g++" -std=gnu++20 -O2 -DKX_HOSTED -fno-exceptions -fno-rtti -I"$KHO_REPO/cxx" \
	-I"$KHO_REPO/include" -I"$KHO_REPO" "$KHO_REPO/tests/bench/kstate_bench.cpp" \
	"$KHO_REPO/kstate/engine.cpp" "$KHO_REPO/kstate/stream.cpp" \
	"$KHO_REPO/tests/fuzz/host_env.cpp" "$out"/fdt*.o $static -o "$out/kstate_bench"

if [ "$KHO_ARCH" = x86_64 ]; then
	echo "## kstate: save and restore against memcpy (host, the kernel's engine, best of 5)"
	echo
	"$out/kstate_bench"
	exit 0
fi

# The benchmark is the guest's init; when it returns the kernel panics,
# and panic=-1 with -no-reboot ends QEMU.
"$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
printf '%s\n' "dir /dev 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" \
	"file /init $out/kstate_bench 0755 0 0" >"$out/initramfs.list"
"$KHO_BUILD/usr/gen_init_cpio" "$out/initramfs.list" >"$out/initramfs.cpio"
"$QEMU" "${QEMU_MACHINE[@]}" -m 1G -smp 1 -nographic -no-reboot -monitor none \
	-serial stdio -kernel "$KHO_BUILD/$IMAGE" -initrd "$out/initramfs.cpio" \
	-append "$BOOT_ARGS panic=-1 quiet kunit.enable=0" </dev/null >"$out/console.log" 2>&1 || true
echo "## kstate: save and restore against memcpy ($KHO_ARCH in QEMU TCG, the kernel's engine, best of 5)"
echo
# The table and what follows it; the kernel's own lines start with "[".
tr -d '\r' <"$out/console.log" | sed -n '/^|/,$p' | grep -v -e '^\[' -e '^Kernel panic' -e '^---\[ end'
grep -q '^| 100k objects' "$out/console.log" || die "the benchmark printed no table: see ${out#$KHO_REPO/}/console.log"
