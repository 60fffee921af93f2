#!/bin/bash
# build-distro.sh [ARCH]: Debian's production kernel with this project, once
# (a script, not a test: a full distribution build does not fit make
# check's hour).  Takes the configuration of Debian's linux-image package
# for the tree's 6.12.y (cloud-amd64 on x86_64, arm64 on arm64), adds
# scripts/config/distro.config, builds its image into build/ARCH-distro and
# boots it in QEMU for the KHO handover and ftrace scenarios, each across a
# real kexec, then builds the rest (every module of the configuration).  Prints a table of the
# figures; Documentation/building.rst records them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
arch=${1:-x86_64}
export KHO_KERNEL=distro
kho_arch_setup "$arch"
scenarios=${KHO_DISTRO_SCENARIOS:-"kho-handover kho-finish ftrace-handover ftrace-config ftrace-modules kstate liveupdate kho-api samples demo"}

"$KHO_REPO/scripts/deps.sh"
tree=$("$KHO_REPO/scripts/prepare-tree.sh")
version=$(kho_kernel_version "$tree")
kho_distro_config "$tree"
echo "build-distro: $(basename "$DISTRO_DEB"): $(grep -c '=y$' "$DISTRO_CONFIG") built in, $(grep -c '=m$' "$DISTRO_CONFIG") modules"

# The image first, booted as soon as it exists; the distribution's own
# modules (which no scenario loads) after.  Until they are built, the
# symbols this project's test modules link against are vmlinux's alone.
start=$(date +%s)
KHO_KERNEL_TARGETS="vmlinux $(basename "$IMAGE")" "$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
built=$(date +%s)
[ -f "$KHO_BUILD/Module.symvers" ] || cp "$KHO_BUILD/vmlinux.symvers" "$KHO_BUILD/Module.symvers"
"$KHO_REPO/scripts/build-modules.sh" "$KHO_ARCH"
"$KHO_REPO/scripts/initramfs.sh" "$KHO_ARCH" >/dev/null

passed=0 failed=0 rows=
for s in $scenarios; do
	if out=$("$KHO_REPO/scripts/e2e.sh" "$KHO_ARCH" "$s" | tail -1) && [[ $out == PASS* ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
	rows+="| $s | ${out:-no result} |"$'\n'
done

cat <<TABLE

| $KHO_ARCH, Debian $DISTRO_FLAVOUR $version | |
|---|---|
| configuration | $(basename "$DISTRO_DEB") + scripts/config/distro.config |
| vmlinux and $(basename "$IMAGE") built (cold ccache unless run before) | $(( (built - start) / 60 )) min $(( (built - start) % 60 )) s |
| our objects and hooked files | zero warnings (build-kernel.sh fails otherwise) |
$rows
build-distro: $passed passed, $failed failed
TABLE

# Then the rest: every module of the configuration, with the same checks.
rest=$(date +%s)
KHO_KERNEL_TARGETS=all "$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null
echo "build-distro: then the configuration's $(find "$KHO_BUILD" -name '*.ko' -not -path '*/modules/*' | wc -l) modules in $(( ($(date +%s) - rest) / 60 )) min"
[ "$failed" -eq 0 ]
