#!/bin/bash
# demo.sh [ARCH]: the main job.  Build the kernel with this project built
# in, boot it in QEMU, kexec into the next kernel with kexec_file_load, and
# show what each generation printed; kho-inspect's picture of generation
# 1's memory lands in build/ARCH/kho-memory.svg.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch=${1:-x86_64}
kho_arch_setup "$arch"

"$KHO_REPO/scripts/deps.sh"
"$KHO_REPO/scripts/build-kernel.sh" "$arch" >/dev/null
"$KHO_REPO/scripts/build-modules.sh" "$arch"
"$KHO_REPO/scripts/initramfs.sh" "$arch" >/dev/null
echo "demo: booting $arch in QEMU (TCG): generation 1 kexecs into generation 2"
rc=0
"$KHO_REPO/scripts/e2e.sh" "$arch" demo >/dev/null || rc=$?
log="$KHO_BUILD/e2e/demo.log"
tr -d '\r' <"$log" | grep -E 'E2E: (\||PASS|FAIL|SKIP|gen)' |
	sed -E 's/^\[ *[0-9.]+\] //'
picture="$KHO_BUILD/kho-memory.svg"
tr -d '\r' <"$log" | sed -n 's/^E2E-FILE kho-memory.svg: //p' | base64 -d >"$picture" 2>/dev/null || true
echo
if grep -q '<svg' "$picture" 2>/dev/null; then
	echo "demo: generation 1's physical memory, as kho-inspect drew it: ${picture#$KHO_REPO/}"
else
	echo "demo: no memory picture came through the console"
	rm -f "$picture"
fi
echo "demo: full console log in ${log#$KHO_REPO/}"
[ $rc -eq 0 ] && echo "demo: OK" || { echo "demo: FAILED"; exit 1; }
