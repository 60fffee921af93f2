#!/bin/bash
# check-distro-objects.sh ARCH KSRC: under Debian's production configuration
# for ARCH (scripts/build-distro.sh's: cloud-amd64 or arm64, plus
# scripts/config/distro.config and the KUnit suites), in the integrated tree
# KSRC, compile this project's objects, its test and sample modules, and
# every kernel file its hooks touch that the configuration builds, with
# zero compiler warnings.  Only those objects, after "make prepare": the
# whole kernel does not fit make check's hour (scripts/build-distro.sh
# builds and boots it, by hand, and there objtool checks vmlinux.o, where
# Debian's IBT puts its checks).  The O= directory is
# build/pristine/ARCH-distro.  Prints PASS or FAIL lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: check-distro-objects.sh ARCH KSRC"
KHO_TREE=$(cd "$2" && pwd)
export KHO_KERNEL=distro KHO_TREE KHO_BUILD_DIR=$KHO_REPO/build/pristine
export KHO_CONFIG_EXTRA=$KHO_REPO/scripts/config/distro-kunit.config
kho_arch_setup "$1"
kho_distro_config "$KHO_TREE"
srcarch=${KARCH/x86_64/x86}
name=$KHO_ARCH/distro-objects
log=$KHO_BUILD/build.log
shown=${log#"$KHO_REPO"/}
fail() { echo "FAIL $name/$1 ($2)"; exit 1; }

# The decompressor's kaslr.c includes the utsversion.h that init/ makes.
KHO_KERNEL_TARGETS="prepare init/version-timestamp.o" "$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null ||
	fail prepare "see $shown"
echo "PASS $name/prepare ($(basename "$DISTRO_DEB") + distro.config)"

# requirements DIR NAME: for each line of DIR's Kbuild (or Makefile) that
# adds NAME (a file.o, or a subdir/) to a list, the CONFIG_ options that
# line needs y, on one line: the list's own and those of the ifdef and
# ifeq blocks around it ("y" when there are none).
requirements() {
	local makefile=$KHO_TREE/$1/Kbuild
	[ -f "$makefile" ] || makefile=$KHO_TREE/$1/Makefile
	[ -f "$makefile" ] || return 0
	awk -v name="$2" '
		function option(text) {
			return match(text, /CONFIG_[A-Za-z0-9_]+/) ? substr(text, RSTART, RLENGTH) : ""
		}
		{ line = line $0 }
		/\\$/ { sub(/\\$/, " ", line); next }
		line ~ /^[ \t]*(ifdef|ifeq)[ \t(]/ { need[++depth] = option(line); line = ""; next }
		line ~ /^[ \t]*(ifndef|ifneq)[ \t(]/ { need[++depth] = ""; line = ""; next }
		line ~ /^[ \t]*else/ { need[depth] = ""; line = ""; next }
		line ~ /^[ \t]*endif/ { depth--; line = ""; next }
		{ n = split(line, word, /[ \t:+=]+/)
		  for (i = 2; i <= n; i++)
			if (word[i] == name || word[i] == "$(obj)/" name) {
				out = option(word[1])
				for (d = 1; d <= depth; d++)
					if (need[d] != "") out = out " " need[d]
				sub(/^ /, "", out)
				print out == "" ? "y" : out
				break
			}
		  line = "" }' "$makefile"
}

# configured PATH: whether the configuration builds PATH (dir/file.o or a
# directory): some line of its directory's Kbuild adds it with every
# option it needs y, and so on up the directories that name theirs.
configured() {
	local dir=${1%/*} name=${1##*/} lines want ok option
	[[ $1 == */ ]] && { dir=${1%/}; name=${dir##*/}/; dir=${dir%/*}; }
	[ "$dir" = "${1%/}" ] && dir=.
	lines=$(requirements "$dir" "$name")
	if [ -z "$lines" ]; then
		[[ $name == */ ]] || die "$dir's Kbuild does not name $name"
		# No Kbuild names this directory: the top one, or one entered by
		# a rule of its own (arch/x86/boot/compressed).
		[ "$dir" = . ] || own_rule=$dir/${name%/}
		return 0
	fi
	while read -r want; do
		ok=1
		for option in $want; do
			[ "$option" = y ] || grep -qx "$option=y" "$KHO_BUILD/.config" || ok=
		done
		[ -n "$ok" ] && break
	done <<<"$lines"
	[ -n "$ok" ] || return 1
	[ "$dir" = . ] || configured "$dir/"
}

# Kbuild builds a single object in the directory that names it, with that
# directory's flags; one in a directory entered by a rule of its own is
# built as if that directory were an external module's, which includes its
# Makefile (the objects land in the tree, a scratch copy).
hooked=() own=() skipped=()
for src in $(kho_hooked_sources); do
	case "$src" in arch/*) [[ $src == arch/$srcarch/* ]] || continue ;; esac
	own_rule=
	if ! configured "${src%.c}.o"; then
		skipped+=("$src")
	elif [ -n "$own_rule" ]; then
		own+=("$src")
	else
		hooked+=("${src%.c}.o")
	fi
done
KHO_KERNEL_TARGETS="kho/ ${hooked[*]}" "$KHO_REPO/scripts/build-kernel.sh" "$KHO_ARCH" >/dev/null ||
	fail objects "see $shown"
# build-kernel.sh passes warnings about files outside this project; here
# every file compiled is this project's or a hooked one.
for src in "${own[@]}"; do
	kho_make "$KHO_TREE" O="$KHO_BUILD" M="$KHO_TREE/${src%/*}" "$(basename "${src%.c}.o")" >>"$log" 2>&1 ||
		fail objects "$src: see $shown"
done
if grep -E '(warning|error):' "$log" >&2; then
	fail objects "warnings in $shown"
fi
echo "PASS $name/objects (this project's and $((${#hooked[@]} + ${#own[@]})) hooked kernel files${skipped:+; not in this configuration: ${skipped[*]}})"

kho_module_sources
objects=
for src in "${MODULE_SOURCES[@]}"; do
	for file in "$src"*.c "$src"*.cpp; do
		[ -e "$file" ] && objects+=" $(basename "$src")/$(basename "${file%.*}").o"
	done
done
# Objects, not modules: modpost would need the whole kernel's symbols.
KHO_MODULE_TARGETS=$objects kho_build_modules all "${MODULE_SOURCES[@]}" ||
	{ cat "$MODULE_DIR/build.log" >&2; fail "modules" "they failed to compile"; }
if grep -E '(warning|error):' "$MODULE_DIR/build.log" >&2; then
	fail modules "warnings in ${MODULE_DIR#"$KHO_REPO"/}/build.log"
fi
echo "PASS $name/modules (${#MODULE_SOURCES[@]} test and sample modules' objects)"
