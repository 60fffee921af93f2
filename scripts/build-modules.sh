#!/bin/bash
# build-modules.sh ARCH: build the out-of-tree test modules in tests/module
# (all but "forbidden", which must not build) and the sample modules in
# samples/ against build/ARCH.  The .ko files land in build/ARCH/modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

for src in "$KHO_REPO"/tests/module/*/ "$KHO_REPO"/samples/*/; do
	[ "$(basename "$src")" = forbidden ] && continue
	if ! kho_build_module "${src%/}"; then
		cat "$MODULE_DIR/build.log" >&2
		die "module $(basename "$src") failed to build"
	fi
	"$KHO_REPO/scripts/check-build-log.sh" "$MODULE_DIR/build.log"
	cp "$MODULE_DIR"/*.ko "$KHO_BUILD/modules/"
done
