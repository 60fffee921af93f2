#!/bin/bash
# integration-stat.sh: the footprint of this project inside the kernel tree.
#
#   hook sites      hunks in scripts/hooks/*.patch: places a 6.12 file is
#                   touched
#   changed lines   lines those hunks add or remove, plus every line of a
#                   project file that a kernel source file #includes (such
#                   a file is compiled as part of the kernel's file)
# Code under kho/ (the link to this repository) is not counted: it is this
# project's own directory, compiled as its own objects.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sites=0 includes=0 added=0 removed=0 included=0
printf '%-44s %6s %6s %6s\n' "hook patch" sites added removed
for p in "$KHO_REPO"/scripts/hooks/*.patch; do
	s=$(grep -c '^@@ ' "$p")
	a=$(grep -c '^+[^+]' "$p" || true)
	a=$((a + $(grep -c '^+$' "$p" || true)))
	r=$(grep -c '^-[^-]' "$p" || true)
	r=$((r + $(grep -c '^-$' "$p" || true)))
	printf '%-44s %6d %6d %6d\n' "$(basename "$p")" "$s" "$a" "$r"
	sites=$((sites + s)) added=$((added + a)) removed=$((removed + r))
	# Hunks that only add '#include <linux/kho_hooks.h>'.
	includes=$((includes + $(awk '/^@@ /{if (h) n += (only); h=1; only=1; next}
		h && /^[+-]/ && !/^\+#include <linux\/kho_hooks.h>$/ {only=0}
		END{if (h) n += (only); print n+0}' "$p")))
	# A hook that #includes a project file compiles all of that file.
	for inc in $(sed -n 's|^+#include "\(\.\./\)*kho/\(.*\)"|\2|p' "$p"); do
		included=$((included + $(wc -l <"$KHO_REPO/$inc")))
	done
done
echo
echo "hook sites:                 $sites ($((sites - includes)) calls or build lines, $includes '#include <linux/kho_hooks.h>')"
echo "changed lines (hunks):      $((added + removed)) (+$added -$removed)"
echo "project lines #included:    $included"
echo "changed lines in the tree:  $((added + removed + included))"
