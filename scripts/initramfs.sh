#!/bin/bash
# initramfs.sh ARCH: build the test initramfs for build/ARCH from
# tests/e2e/rootfs, busybox-static, a kexec_file_load loader (kexec-tools on
# x86_64, scripts/initramfs/kexec-file.c on arm64), the test tools in
# scripts/initramfs, the kernel image and the test modules.  Prints the path
# of the result.
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

case "$KHO_ARCH" in
x86_64)
	busybox=/bin/busybox
	# kexec-tools brings the C library along.
	link=
	tools="failnth nocap tsc" ;;
arm64)
	deb=$(compgen -G "$KHO_CACHE/debs/busybox-static_*_arm64.deb" | head -1) ||
		die "arm64 busybox-static missing: run scripts/deps.sh"
	dpkg-deb -x "$deb" "$out/busybox-arm64"
	busybox="$out/busybox-arm64/bin/busybox"
	link=-static
	tools="failnth nocap kexec-file" ;;
esac
# Small test tools of our own (scripts/initramfs/*.c).
for t in $tools; do
	"${CROSS}gcc" $link -O2 -Wall -Werror -o "$out/$t" "$KHO_REPO/scripts/initramfs/$t.c"
done

{
	for d in /bin /sbin /lib /lib64 /usr /usr/lib /proc /sys /dev /tmp /boot /modules /scenarios; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $busybox 0755 0 0"
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
	if [ "$KHO_ARCH" = x86_64 ]; then
		# kexec-tools and the shared libraries it needs, at their paths.
		echo "file /sbin/kexec $(command -v kexec) 0755 0 0"
		ldd "$(command -v kexec)" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' |
		while read -r lib; do
			real=$(readlink -f "$lib")
			echo "dir $(dirname "$lib") 0755 0 0"
			echo "file $lib $real 0755 0 0"
		done | awk '!seen[$0]++'
	fi
	for t in $tools; do
		echo "file /sbin/$t $out/$t 0755 0 0"
	done
} >"$list"
cat "$KHO_BUILD/include/config/kernel.release" >"$out/release"

"$gen_init_cpio" "$list" >"$KHO_BUILD/initramfs.cpio"
echo "$KHO_BUILD/initramfs.cpio"
