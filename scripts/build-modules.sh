#!/bin/bash
# build-modules.sh ARCH: build the out-of-tree test modules in tests/module
# (all but "forbidden", which must not build) against build/ARCH with
# make -C build/ARCH M=..., in copies under build/ARCH/modules so the source
# tree stays clean.  The .ko files land in build/ARCH/modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

cc="${CROSS}gcc"
command -v ccache >/dev/null && cc="ccache $cc"
mkdir -p "$KHO_BUILD/modules"
for src in "$KHO_REPO"/tests/module/*/; do
	name=$(basename "$src")
	[ "$name" = forbidden ] && continue
	dir="$KHO_BUILD/modules/$name"
	rsync -a --delete "$src" "$dir/"
	if ! make -s -C "$KHO_BUILD" ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="$cc" \
		M="$dir" modules >"$dir/build.log" 2>&1; then
		cat "$dir/build.log" >&2
		die "module $name failed to build"
	fi
	"$KHO_REPO/scripts/check-build-log.sh" "$dir/build.log"
	cp "$dir"/*.ko "$KHO_BUILD/modules/"
done
