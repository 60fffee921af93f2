#!/bin/bash
# Install the Debian 12 packages this project needs, once.  Idempotent: does
# nothing when every tool is already present.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

packages=(
	linux-source-6.12 bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
	ccache gcc g++ make cmake python3 rsync
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
	qemu-system-x86 qemu-system-arm qemu-efi-aarch64
	kexec-tools busybox-static trace-cmd
	libfdt-dev device-tree-compiler googletest clang libclang-rt-14-dev
)
# shellcheck disable=SC2206  # a list of package names
arm64_debs=($KHO_ARM64_DEBS)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
cache=$KHO_CACHE
need_arm64=0
for p in "${arm64_debs[@]}"; do
	compgen -G "$cache/debs/${p}_*_arm64.deb" >/dev/null || need_arm64=1
done
[ ${#missing[@]} -eq 0 ] && [ $need_arm64 -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]} ${arm64_debs[*]}" >&2
	echo "deps: run 'sudo scripts/deps.sh' (or 'make deps' as root), then retry" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
echo "deps: installing ${missing[*]:-nothing} (+ arm64 ${arm64_debs[*]})"
apt-get update -q >/dev/null
[ ${#missing[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
mkdir -p "$cache/debs"
(cd "$cache/debs" && apt-get download -q "${arm64_debs[@]/%/:arm64}" >/dev/null)
echo "deps: done"
