# Shared settings for the build and test scripts.  Source it; do not run it.
# shellcheck shell=bash

KHO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KHO_CACHE=${KHO_CACHE:-$HOME/.cache/kho-612}
KHO_KERNEL_TARBALL=${KHO_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
# Debian linux-source-6.12 patch levels the hooks are tested on (zero fuzz).
KHO_TESTED_SUBLEVELS="115 117 118"
# Debian's arm64 packages the arm64 initramfs takes its programs from:
# busybox, and kexec-tools and trace-cmd with the libraries they link.
KHO_ARM64_DEBS="busybox-static kexec-tools libc6 zlib1g libxenmisc4.17
	libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1
	libxengnttab1 libxentoollog1 libxentoolcore1
	trace-cmd libtraceevent1 libtracefs1 libzstd1"
# Compiles go through ccache only where its cache directory exists (make
# it to opt in): on a fresh machine every compile misses, and a miss costs
# half as much CPU again as the compile alone (a third with depend mode,
# which takes the include list from the compiler's own -MD file).
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G} CCACHE_DEPEND=${CCACHE_DEPEND:-1}
KHO_CCACHE=
[ -d "$CCACHE_DIR" ] && command -v ccache >/dev/null && KHO_CCACHE=ccache

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# kho_arch_setup ARCH: sets KARCH, CROSS, IMAGE (relative to the build dir),
# QEMU and its machine arguments, BOOT_ARGS (the console and the options
# every test guest boots with), KHO_BUILD, the build directory of the
# kernel flavour $KHO_KERNEL, and KHO_CHECKERS (1 if that flavour has the
# debug checkers, else empty):
#   (empty)  build/ARCH          tinyconfig + common + ARCH fragments
#   debug    build/ARCH-debug    the same plus scripts/config/debug.config
#            (KASAN, lockdep, kmemleak, fault injection)
#   nokho    build/ARCH-nokho    the same with CONFIG_KEXEC_HANDOVER=n
#   64k      build/arm64-64k     arm64 only: debug with 64 KiB pages; one
#            build serves both, as make check's time allows one more
#            arm64 kernel, not two
#   distro   build/ARCH-distro   Debian's production configuration plus
#            scripts/config/distro.config (scripts/build-distro.sh)
kho_arch_setup() {
	case "$1" in
	x86_64|x86)
		KHO_ARCH=x86_64 KARCH=x86_64 CROSS=
		IMAGE=arch/x86/boot/bzImage
		QEMU=qemu-system-x86_64
		QEMU_MACHINE=(-M q35 -cpu max)
		# No PS/2 mouse: its probe runs on in the background for 0.4 s
		# of each boot, and a reboot that comes first waits for it.
		# lpj: no delay-loop calibration, which took a debug boot 1.3 s
		# on average under TCG and failed in most of them anyway
		# ("failed to get a good estimate"); the value is a 2.1 GHz TSC's
		# cycles per jiffy at HZ=250.
		BOOT_ARGS="console=ttyS0 i8042.noaux lpj=8388608" ;;
	arm64|aarch64)
		KHO_ARCH=arm64 KARCH=arm64 CROSS=aarch64-linux-gnu-
		IMAGE=arch/arm64/boot/Image
		QEMU=qemu-system-aarch64
		QEMU_MACHINE=(-M virt -cpu cortex-a57)
		BOOT_ARGS=console=ttyAMA0 ;;
	*) die "unknown ARCH '$1' (x86_64 or arm64)" ;;
	esac
	KHO_CHECKERS=
	case "${KHO_KERNEL:-}" in
	"") KHO_FLAVOUR= ;;
	nokho|distro) KHO_FLAVOUR=-$KHO_KERNEL ;;
	debug) KHO_FLAVOUR=-$KHO_KERNEL KHO_CHECKERS=1 ;;
	64k)
		[ "$KHO_ARCH" = arm64 ] || die "KHO_KERNEL=64k is an arm64 kernel (ARCH=arm64)"
		KHO_FLAVOUR=-$KHO_KERNEL KHO_CHECKERS=1 ;;
	*) die "unknown KHO_KERNEL '$KHO_KERNEL' (debug, nokho, 64k, distro or empty)" ;;
	esac
	KHO_BUILD=${KHO_BUILD_DIR:-$KHO_REPO/build}/$KHO_ARCH$KHO_FLAVOUR
}

# kho_make DIR ARGS...: Kbuild's make in DIR (a kernel tree, or an O=
# directory) for $KHO_ARCH, through $KHO_CCACHE.
kho_make() {
	local dir=$1
	shift
	make -C "$dir" ARCH="$KARCH" CROSS_COMPILE="$CROSS" CC="${KHO_CCACHE:+$KHO_CCACHE }${CROSS}gcc" "$@"
}

# kho_module_sources: sets MODULE_SOURCES to the out-of-tree modules'
# directories, tests/module/* and samples/*, but for "forbidden", which
# must not build (scripts/check-forbidden-module.sh).
kho_module_sources() {
	local src
	MODULE_SOURCES=()
	for src in "$KHO_REPO"/tests/module/*/ "$KHO_REPO"/samples/*/; do
		[ "$(basename "$src")" = forbidden ] || MODULE_SOURCES+=("$src")
	done
}

# kho_build_modules SET DIR...: build the out-of-tree modules in the DIRs
# against $KHO_BUILD in one Kbuild run (make -C build/ARCH M=...), so that
# make's jobs span all of them.  Each is copied to $KHO_BUILD/modules/SET/
# under its directory's name, so the source tree stays clean.  Sets
# MODULE_DIR to $KHO_BUILD/modules/SET; the log is $MODULE_DIR/build.log.
# KHO_MODULE_TARGETS, if set, is what to make instead of "modules" (paths
# relative to MODULE_DIR).  Returns make's status.
kho_build_modules() {
	local dir
	MODULE_DIR="$KHO_BUILD/modules/$1"
	shift
	mkdir -p "$MODULE_DIR"
	: >"$MODULE_DIR/Kbuild"
	for dir in "$@"; do
		rsync -a --delete "${dir%/}/" "$MODULE_DIR/$(basename "$dir")/"
		echo "obj-m += $(basename "$dir")/" >>"$MODULE_DIR/Kbuild"
	done
	# shellcheck disable=SC2086 # a list of targets
	kho_make "$KHO_BUILD" -s -j"$(($(nproc) + 1))" M="$MODULE_DIR" \
		${KHO_MODULE_TARGETS:-modules} >"$MODULE_DIR/build.log" 2>&1
}

# Kernel version "6.12.N" of a source tree, from its top-level Makefile.
kho_kernel_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{print v "." p "." s}' "$1/Makefile"
}

# kho_distro_config TREE: sets DISTRO_CONFIG to the configuration of
# Debian's linux-image package for TREE's 6.12.y (DISTRO_FLAVOUR cloud-amd64
# on x86_64, arm64 on arm64), taken from the package's /boot/config-*, and
# DISTRO_DEB to the package, fetched once with apt-get download into
# $KHO_CACHE/distro.
kho_distro_config() {
	local deb_arch package dir=$KHO_CACHE/distro
	case "$KHO_ARCH" in
	x86_64) DISTRO_FLAVOUR=cloud-amd64 deb_arch=amd64 ;;
	arm64) DISTRO_FLAVOUR=arm64 deb_arch=arm64 ;;
	esac
	package="linux-image-$(kho_kernel_version "$1")+deb12-$DISTRO_FLAVOUR-unsigned"
	mkdir -p "$dir"
	DISTRO_DEB=$(compgen -G "$dir/${package}_*_$deb_arch.deb" | head -1 || true)
	if [ -z "$DISTRO_DEB" ]; then
		(cd "$dir" && apt-get download "$package:$deb_arch" >/dev/null 2>&1) ||
			die "cannot download $package from Debian's archive"
		DISTRO_DEB=$(compgen -G "$dir/${package}_*_$deb_arch.deb" | head -1)
	fi
	DISTRO_CONFIG=$dir/$KHO_ARCH.config
	if [ ! -s "$DISTRO_CONFIG" ] || [ "$DISTRO_DEB" -nt "$DISTRO_CONFIG" ]; then
		dpkg-deb --fsys-tarfile "$DISTRO_DEB" | tar -xO --wildcards './boot/config-*' >"$DISTRO_CONFIG.tmp" &&
			[ -s "$DISTRO_CONFIG.tmp" ] || die "no /boot/config-* in $DISTRO_DEB"
		mv "$DISTRO_CONFIG.tmp" "$DISTRO_CONFIG"
	fi
}

# The kernel's C files the hook patches change, one per line.
kho_hooked_sources() {
	sed -n 's|^+++ b/\(.*\.c\)\([[:space:]].*\)\{0,1\}$|\1|p' "$KHO_REPO"/scripts/hooks/*.patch | sort -u
}

# Hash of everything the integration writes into a kernel tree.
kho_hooks_hash() {
	cat "$KHO_REPO"/scripts/hooks/*.patch "$KHO_REPO/scripts/integrate.sh" |
		sha1sum | cut -c1-12
}
