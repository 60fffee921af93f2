#!/bin/bash
# initramfs.sh ARCH: build the test initramfs for build/ARCH from
# tests/e2e/rootfs, busybox-static, kexec-tools and trace-cmd with the
# shared libraries they need (the host's on x86_64, Debian's arm64
# packages on arm64), the
# test tools in scripts/initramfs, kho-inspect (scripts/build-tools.sh),
# the kernel image and the test modules.  Prints the path of the result.
#
# Every generation kexecs the next one with the initramfs it booted from,
# which the kernel keeps (retain_initrd, on every command line) and shows
# as /sys/firmware/initrd.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

gen_init_cpio="$KHO_BUILD/usr/gen_init_cpio"
[ -x "$gen_init_cpio" ] || die "$gen_init_cpio missing: build the kernel first"
out="$KHO_BUILD/initramfs"
rm -rf "$out" && mkdir -p "$out"
list="$out/rootfs.list"

# ROOT is the tree the busybox and kexec-tools binaries come from.
case "$KHO_ARCH" in
x86_64)
	root= triplet=x86_64-linux-gnu link= ;;
arm64)
	root="$out/arm64-root" triplet=aarch64-linux-gnu link=-static
	for p in $KHO_ARM64_DEBS; do
		deb=$(compgen -G "$KHO_CACHE/debs/${p}_*_arm64.deb" | head -1) ||
			die "arm64 $p missing: run scripts/deps.sh"
		dpkg-deb -x "$deb" "$root"
	done ;;
esac
tools="failnth nocap counter luo-test"

# resolve PATH: PATH inside $root with its symbolic links followed there.
resolve() {
	local p=$1 t
	while [ -L "$root$p" ]; do
		t=$(readlink "$root$p")
		case $t in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
	done
	echo "$root$p"
}

# dynamic_closure PATH: cpio list lines for the ELF program PATH (inside
# $root), its program interpreter and every library it needs, directly or
# through another, each read once and put at the path the loader looks for.
dynamic_closure() {
	local -A seen=()
	local todo=("$1") elf lib dir

	while [ ${#todo[@]} -gt 0 ]; do
		elf=${todo[0]} todo=("${todo[@]:1}")
		[ -z "${seen[$elf]:-}" ] || continue
		seen[$elf]=1
		echo "dir $(dirname "$elf") 0755 0 0"
		echo "file $elf $(resolve "$elf") 0755 0 0"
		while read -r lib; do
			todo+=("$lib")
		done < <(readelf -l "$(resolve "$elf")" |
			 sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
		while read -r lib; do
			dir=/lib/$triplet
			[ -e "$root$dir/$lib" ] || dir=/usr/lib/$triplet
			[ -e "$root$dir/$lib" ] || die "$elf needs $lib, not found in ${root:-/}"
			todo+=("$dir/$lib")
		done < <(readelf -d "$(resolve "$elf")" | sed -n 's/.*(NEEDED).*\[\(.*\)]/\1/p')
	done
}

# Small test tools of our own (scripts/initramfs/*.c).
for t in $tools; do
	"${CROSS}gcc" $link -O2 -Wall -Werror -I"$KHO_REPO/include/uapi" \
		-o "$out/$t" "$KHO_REPO/scripts/initramfs/$t.c"
done

inspector=$("$KHO_REPO/scripts/build-tools.sh" "$KHO_ARCH")

{
	for d in /bin /sbin /lib /lib64 /usr /usr/lib /proc /sys /dev /tmp /boot /modules /scenarios; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $(resolve /bin/busybox) 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $KHO_REPO/tests/e2e/rootfs/init 0755 0 0"
	echo "file /lib/e2e.sh $KHO_REPO/tests/e2e/rootfs/lib/e2e.sh 0644 0 0"
	for s in "$KHO_REPO"/tests/e2e/rootfs/scenarios/*.sh; do
		echo "file /scenarios/$(basename "$s") $s 0644 0 0"
	done
	echo "file /boot/kernel $KHO_BUILD/$IMAGE 0644 0 0"
	echo "file /boot/release $out/release 0644 0 0"
	for m in "$KHO_BUILD"/modules/*.ko; do
		[ -e "$m" ] && echo "file /modules/$(basename "$m") $m 0644 0 0"
	done
	dynamic_closure /sbin/kexec
	dynamic_closure /usr/bin/trace-cmd
	for t in $tools; do
		echo "file /sbin/$t $out/$t 0755 0 0"
	done
	echo "file /sbin/kho-inspect $inspector 0755 0 0"
} | awk '!seen[$0]++' >"$list"
cat "$KHO_BUILD/include/config/kernel.release" >"$out/release"

"$gen_init_cpio" "$list" >"$KHO_BUILD/initramfs.cpio"
echo "$KHO_BUILD/initramfs.cpio"
