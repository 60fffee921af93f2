#!/bin/bash
# build-kernel.sh ARCH: configure and build the kernel with this project
# built in, as an O= build in build/ARCH.  The last line printed is the path
# of the kernel image.  Fails on any warning about this project's objects
# or the kernel files its hooks change.
# KHO_KERNEL picks another flavour (scripts/lib.sh): "debug" adds KASAN,
# lockdep, kmemleak and fault injection (build/ARCH-debug); "nokho" builds
# the same kernel with CONFIG_KEXEC_HANDOVER=n (build/ARCH-nokho): the hooks
# must cost nothing and compile away; "64k" is the arm64 kernel with 64 KiB
# pages and the debug checkers (build/arm64-64k); "distro" starts from
# Debian's production configuration instead of tinyconfig
# (build/ARCH-distro).  KHO_TREE names an integrated tree to build from
# instead of the shared one (scripts/prepare-tree.sh); KHO_CONFIG_EXTRA
# names more configuration fragments.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:-x86_64}"

tree=${KHO_TREE:-$("$KHO_REPO/scripts/prepare-tree.sh")}
mkdir -p "$KHO_BUILD"
kmake=(kho_make "$tree" O="$KHO_BUILD" -j"$(($(nproc) + 1))")

fragments=("$KHO_REPO/scripts/config/common.config" "$KHO_REPO/scripts/config/$KHO_ARCH.config")
base=
case "${KHO_KERNEL:-}" in
distro)
	kho_distro_config "$tree"
	base=$DISTRO_CONFIG
	fragments=("$KHO_REPO/scripts/config/distro.config") ;;
debug)
	fragments+=("$KHO_REPO/scripts/config/debug.config") ;;
64k)
	fragments+=("$KHO_REPO/scripts/config/arm64-64k.config" "$KHO_REPO/scripts/config/debug.config") ;;
nokho)
	# Everything that depends on KHO goes with it.
	grep -v -e KEXEC_HANDOVER -e CONFIG_KSTATE -e CONFIG_LIVEUPDATE "${fragments[0]}" >"$KHO_BUILD/common-nokho.config"
	echo "# CONFIG_KEXEC_HANDOVER is not set" >>"$KHO_BUILD/common-nokho.config"
	fragments[0]="$KHO_BUILD/common-nokho.config" ;;
esac
# shellcheck disable=SC2206 # a list of paths without spaces
fragments+=(${KHO_CONFIG_EXTRA:-})

# The KHO-off kernel differs from the normal one in a few options, and
# Kbuild records which options each object reads (fixdep): begun as a copy
# of the built normal kernel, it recompiles only the objects that read
# them, not the whole kernel.
normal=${KHO_BUILD%-nokho}
if [ "${KHO_KERNEL:-}" = nokho ] && [ ! -f "$KHO_BUILD/.config" ] && [ -f "$normal/vmlinux" ]; then
	echo "build-kernel: starting from ${normal#$KHO_REPO/}'s objects" >&2
	rsync -a --exclude=/modules/ --exclude=/e2e/ --exclude='/initramfs*' "$normal/" "$KHO_BUILD/"
	rm -f "$KHO_BUILD/.kho-config"
fi
stamp=$(cat ${base:+"$base"} "${fragments[@]}" | sha1sum | cut -c1-12)
if [ "$(cat "$KHO_BUILD/.kho-config" 2>/dev/null)" != "$stamp" ] || [ ! -f "$KHO_BUILD/.config" ]; then
	from=tinyconfig
	[ -z "$base" ] || from="Debian's $(basename "$base")"
	echo "build-kernel: configuring $KHO_ARCH ($from + fragments)" >&2
	if [ -n "$base" ]; then
		cp "$base" "$KHO_BUILD/.config"
	else
		"${kmake[@]}" -s tinyconfig >/dev/null
	fi
	KCONFIG_CONFIG="$KHO_BUILD/.config" "$tree/scripts/kconfig/merge_config.sh" \
		-m -O "$KHO_BUILD" "$KHO_BUILD/.config" "${fragments[@]}" >/dev/null
	"${kmake[@]}" -s olddefconfig >/dev/null
	# Every option the fragments ask for must have survived olddefconfig.
	bad=$(cat "${fragments[@]}" | grep -E '^(CONFIG_|# CONFIG_.* is not set)' | while IFS= read -r want; do
		grep -qxF "$want" "$KHO_BUILD/.config" || echo "$want"
	done)
	[ -z "$bad" ] || die "config options not satisfied: $(echo $bad)"
	echo "$stamp" >"$KHO_BUILD/.kho-config"
fi

log="$KHO_BUILD/build.log"
echo "build-kernel: building $KHO_ARCH in ${KHO_BUILD#$KHO_REPO/} (log: ${log#$KHO_REPO/})" >&2
# KHO_KERNEL_TARGETS: what to make (default all); build-distro.sh boots
# vmlinux before it builds the distribution's modules.
if ! "${kmake[@]}" ${KHO_KERNEL_TARGETS:-all} >"$log" 2>&1; then
	grep -E 'error|Error' "$log" | head -30 >&2
	die "kernel build failed, see $log"
fi
"$KHO_REPO/scripts/check-build-log.sh" "$log"
echo "$KHO_BUILD/$IMAGE"
