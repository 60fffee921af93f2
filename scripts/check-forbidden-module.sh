#!/bin/bash
# check-forbidden-module.sh ARCH: tests/module/forbidden needs C++ runtime
# the kernel lacks; building it against build/ARCH must fail in cxx-check,
# naming the global constructor, the guard variable and throwing new.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

if kho_build_modules forbidden "$KHO_REPO/tests/module/forbidden"; then
	die "the forbidden module built; cxx-check let it through"
fi
log="$MODULE_DIR/build.log"
for want in 'forbidden section .init_array' 'forbidden symbol _ZGV' 'forbidden symbol _Znwm'; do
	grep -q "$want" "$log" || { cat "$log" >&2; die "cxx-check did not report: $want"; }
done
