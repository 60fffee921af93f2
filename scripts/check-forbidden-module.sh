#!/bin/bash
# check-forbidden-module.sh ARCH: tests/module/forbidden needs C++ runtime
# the kernel lacks; building it against build/ARCH must fail in cxx-check,
# naming the global constructor, the guard variable and throwing new.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

dir="$KHO_BUILD/modules/forbidden"
mkdir -p "$dir"
rsync -a --delete "$KHO_REPO/tests/module/forbidden/" "$dir/"
log="$dir/build.log"
if make -s -C "$KHO_BUILD" ARCH="$KARCH" CROSS_COMPILE="$CROSS" M="$dir" modules >"$log" 2>&1; then
	die "the forbidden module built; cxx-check let it through"
fi
for want in 'forbidden section .init_array' 'forbidden symbol _ZGV' 'forbidden symbol _Znwm'; do
	grep -q "$want" "$log" || { cat "$log" >&2; die "cxx-check did not report: $want"; }
done
