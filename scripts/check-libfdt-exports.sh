#!/bin/bash
# check-libfdt-exports.sh ARCH: modules can call all of libfdt's public API.
# The compiler lists what libfdt.h declares (gcc -aux-info: every function
# without a body in the header, independent of the sed that generates the
# exports); each must be exported by build/ARCH's vmlinux, unless no source
# lib/ builds defines it.  Prints
#
#   PASS ARCH/libfdt-exports (N public functions exported)
#   FAIL ARCH/libfdt-exports (not exported: ...)
#   NOTE ARCH/libfdt-exports: declared, not built by lib/: ...
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"
tree=$("$KHO_REPO/scripts/prepare-tree.sh")
libfdt=$tree/scripts/dtc/libfdt
name=$KHO_ARCH$KHO_FLAVOUR/libfdt-exports
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo '#include <libfdt.h>' >"$work/use.c"
gcc -fsyntax-only -I"$libfdt" -aux-info "$work/aux" "$work/use.c"
grep -F "$libfdt/libfdt.h:" "$work/aux" | grep -v ' static ' |
	sed -E 's/.*[ *](fdt_[a-z0-9_]+) \(.*/\1/' | sort -u >"$work/public"
[ -s "$work/public" ] || { echo "FAIL $name (gcc listed no function of libfdt.h)"; exit 1; }

# What lib/ builds: each lib/fdt*.c includes one libfdt source.
sed -n 's|^#include "\.\./scripts/dtc/libfdt/\(.*\)"|\1|p' "$tree"/lib/fdt*.c |
	(cd "$libfdt" && xargs cat) >"$work/built"

not_exported= not_built=
while read -r fn; do
	if grep -qP "^0x[0-9a-f]+\t$fn\tvmlinux\tEXPORT_SYMBOL" "$KHO_BUILD/Module.symvers"; then
		continue
	fi
	if grep -qE "^[a-z].*[ *]$fn\(" "$work/built"; then
		not_exported+=" $fn"
	else
		not_built+=" $fn"
	fi
done <"$work/public"
[ -z "$not_built" ] || echo "NOTE $name: declared, not built by lib/:$not_built"
if [ -n "$not_exported" ]; then
	echo "FAIL $name (not exported:$not_exported)"
	exit 1
fi
echo "PASS $name ($(($(wc -l <"$work/public") - $(wc -w <<<"$not_built"))) public functions exported)"
