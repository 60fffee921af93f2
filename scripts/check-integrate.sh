#!/bin/bash
# check-integrate.sh [ARCH...]: "make integrate KSRC=..." on a pristine tree
# unpacked from Debian's linux-source-6.12 into build/pristine, run twice
# (the second must change nothing); then, in that tree, this project's
# objects under Debian's production configuration of each ARCH (default
# x86_64 arm64; scripts/check-distro-objects.sh).  Prints PASS or FAIL lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
pristine=$KHO_REPO/build/pristine
tree=$pristine/linux-source-6.12

rm -rf "$pristine"
mkdir -p "$pristine"
tar -C "$pristine" -xf "$KHO_KERNEL_TARBALL"
[ -f "$tree/Makefile" ] || { echo "FAIL integrate/pristine-tree (no linux-source-6.12 in $KHO_KERNEL_TARBALL)"; exit 1; }
if out=$(make -s -C "$KHO_REPO" integrate KSRC="$tree" 2>&1) && [[ $out == *"hook patches applied"* ]] &&
	[ "$(readlink "$tree/kho")" = "$KHO_REPO" ]; then
	echo "PASS integrate/pristine-tree"
else
	echo "FAIL integrate/pristine-tree ($out)"
	exit 1
fi
stamp=$(find "$tree" -newer "$tree/kho" -type f | wc -l)
if out=$(make -s -C "$KHO_REPO" integrate KSRC="$tree" 2>&1) && [[ $out == *"already integrated"* ]] &&
	[ "$(find "$tree" -newer "$tree/kho" -type f | wc -l)" -eq "$stamp" ]; then
	echo "PASS integrate/again-changes-nothing"
else
	echo "FAIL integrate/again-changes-nothing ($out)"
fi
[ $# -gt 0 ] || set -- x86_64 arm64
status=0
for arch in "$@"; do
	if ! out=$("$KHO_REPO/scripts/check-distro-objects.sh" "$arch" "$tree"); then
		[[ $out == *"FAIL "* ]] || out+=$'\n'"FAIL $arch/distro-objects (check-distro-objects.sh stopped)"
		status=1
	fi
	echo "$out"
done
exit $status
