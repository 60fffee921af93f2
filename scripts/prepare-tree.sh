#!/bin/bash
# prepare-tree.sh: extract a pristine Debian linux-source-6.12 tree into the
# build cache and integrate this project into it.  Prints the tree's path.
# The path is stable (so ccache keeps hitting); the tree is re-extracted
# whenever the hooks or the tarball change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$KHO_KERNEL_TARBALL" ] || die "$KHO_KERNEL_TARBALL missing (apt-get install linux-source-6.12)"
key=$(kho_hooks_hash)-$(stat -c %Y "$KHO_KERNEL_TARBALL")
tree="$KHO_CACHE/src/linux-6.12"
if [ "$(cat "$tree/.kho-ready" 2>/dev/null)" != "$key" ]; then
	mkdir -p "$KHO_CACHE/src"
	rm -rf "$tree" "$KHO_CACHE/src/tmp" "$KHO_CACHE"/src/linux-*-*
	echo "prepare-tree: extracting $(basename "$KHO_KERNEL_TARBALL")" >&2
	mkdir "$KHO_CACHE/src/tmp"
	tar -C "$KHO_CACHE/src/tmp" -xf "$KHO_KERNEL_TARBALL"
	mv "$KHO_CACHE/src/tmp"/linux-source-6.12 "$tree"
	rmdir "$KHO_CACHE/src/tmp"
	"$KHO_REPO/scripts/integrate.sh" "$tree" >&2
	echo "$key" >"$tree/.kho-ready"
fi
# The cache is shared by every clone of this repository: point it at this one.
ln -sfn "$KHO_REPO" "$tree/kho"
echo "$tree"
