#!/bin/bash
# build-modules.sh ARCH: build the out-of-tree test modules against
# build/ARCH (make -C build/ARCH M=...), in copies under build/ARCH/modules
# so the source tree stays clean.  Built .ko files land in build/ARCH/modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

cc="${CROSS}gcc"
command -v ccache >/dev/null && cc="ccache $cc"
mkdir -p "$KHO_BUILD/modules"
rsync -a --delete "$KHO_REPO/tests/module/sample/" "$KHO_BUILD/modules/sample/"
make -s -C "$KHO_BUILD" ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="$cc" \
	M="$KHO_BUILD/modules/sample" modules >"$KHO_BUILD/modules/build.log" 2>&1 || {
	cat "$KHO_BUILD/modules/build.log" >&2
	die "sample module failed to build"
}
"$KHO_REPO/scripts/check-build-log.sh" "$KHO_BUILD/modules/build.log"
cp "$KHO_BUILD/modules/sample/kx_sample.ko" "$KHO_BUILD/modules/"
