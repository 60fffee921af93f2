#!/bin/bash
# build-modules.sh ARCH: build the out-of-tree test modules in tests/module
# (all but "forbidden", which must not build) and the sample modules in
# samples/ against build/ARCH, in one Kbuild run.  The .ko files land in
# build/ARCH/modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

kho_module_sources
if ! kho_build_modules all "${MODULE_SOURCES[@]}"; then
	cat "$MODULE_DIR/build.log" >&2
	die "the test and sample modules failed to build"
fi
# Everything this build compiles is ours: any warning fails it.
if grep -iE 'warning|error' "$MODULE_DIR/build.log" >&2; then
	die "warnings in ${MODULE_DIR#"$KHO_REPO"/}/build.log"
fi
for src in "${MODULE_SOURCES[@]}"; do
	cp "$MODULE_DIR/$(basename "$src")"/*.ko "$KHO_BUILD/modules/" ||
		die "no module built from $(basename "$src")"
done
