#!/bin/bash
# integrate.sh KSRC: wire this project into a Linux 6.12 source tree.
#
#  - refuses anything but 6.12.y; names the tested patch levels otherwise;
#  - applies every scripts/hooks/*.patch with zero fuzz (all or none);
#  - links this repository into the tree as $KSRC/kho.
# Running it again on an integrated tree is a no-op.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ksrc=${1:?usage: integrate.sh KSRC}
[ -f "$ksrc/Makefile" ] || die "$ksrc: not a kernel source tree"
ver=$(kho_kernel_version "$ksrc")
case "$ver" in
6.12.*) ;;
*) die "$ksrc is Linux $ver; this project targets 6.12.y" ;;
esac
sub=${ver##*.}
case " $KHO_TESTED_SUBLEVELS " in
*" $sub "*) ;;
*) echo "integrate: note: $ver is not a tested patch level (tested: 6.12.{${KHO_TESTED_SUBLEVELS// /,}})" >&2 ;;
esac

link="$ksrc/kho"
if [ -L "$link" ]; then
	[ "$(readlink -f "$link")" = "$KHO_REPO" ] || die "$link points elsewhere: $(readlink "$link")"
elif [ -e "$link" ]; then
	die "$link exists and is not this project's link"
fi

patches=("$KHO_REPO"/scripts/hooks/*.patch)
applied=0
for p in "${patches[@]}"; do
	if patch -d "$ksrc" -p1 -R -F0 --dry-run -s -f <"$p" >/dev/null 2>&1; then
		applied=$((applied + 1))
	fi
done
if [ "$applied" -eq "${#patches[@]}" ]; then
	done="already integrated"
elif [ "$applied" -ne 0 ]; then
	die "$ksrc has only some of the hooks applied; start from a pristine tree"
else
	for p in "${patches[@]}"; do
		patch -d "$ksrc" -p1 -F0 --dry-run -s -f <"$p" >/dev/null ||
			die "$(basename "$p") does not apply with zero fuzz to $ver"
	done
	for p in "${patches[@]}"; do
		patch -d "$ksrc" -p1 -F0 -s -f --no-backup-if-mismatch <"$p"
	done
	done="${#patches[@]} hook patches applied"
fi
[ -L "$link" ] || ln -s "$KHO_REPO" "$link"
echo "integrate: $ksrc ($ver): $done, kho/ -> $KHO_REPO"
