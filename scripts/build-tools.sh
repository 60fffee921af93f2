#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-tools.sh [ARCH] [TARGET...]: build the userspace tools (today
# kho-inspect) for ARCH (x86_64 or arm64) into build/ARCH/tools, static, for
# the initramfs.  Prints the binary's path.  TARGET "fixtures" also builds
# the test fixture writer (x86_64 only: it runs on the build host).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${1:-x86_64}
shift || true
case "$arch" in
x86_64|x86) arch=x86_64 cross= ;;
arm64|aarch64) arch=arm64 cross=aarch64-linux-gnu- ;;
*) die "unknown ARCH $arch (x86_64 or arm64)" ;;
esac
command -v "${cross}g++" >/dev/null || die "${cross}g++ missing (apt-get install ${cross:+g++-aarch64-linux-gnu}${cross:-g++})"

# The kernel's libfdt, as the host tests use (tests/host/CMakeLists.txt).
# The hooks never touch it, so an extracted tree serves as it is: no
# re-extraction under a kernel build that is using the tree.
libfdt=${KHO_LIBFDT:-$KHO_CACHE/src/linux-6.12/scripts/dtc/libfdt}
[ -f "$libfdt/fdt.c" ] || libfdt="$("$KHO_REPO/scripts/prepare-tree.sh")/scripts/dtc/libfdt"
out="$KHO_REPO/build/$arch/tools"
mkdir -p "$out"
make --no-print-directory -s -j2 -f "$KHO_REPO/tools/kho-inspect/Makefile" \
	ROOT="$KHO_REPO" OUT="$out" LIBFDT="$libfdt" CROSS="$cross" all "$@"
echo "$out/kho-inspect"
