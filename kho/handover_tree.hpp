// SPDX-License-Identifier: GPL-2.0
// Checks the tree handed over by the previous kernel before anything in it
// is used: header and size, the root compatible string, where the memory
// map is, and the shape of every subtree reference.  Then finds subtrees in
// it: no C code reads the tree itself.
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

namespace kho {

struct TreeView {
	kx::Span<const kx::u8> inline_memmap;  // empty if none
};

// @tree: the bytes the descriptor points to.  @memmap_segment: whether the
// descriptor also names a memory-map segment.  A refusal's reason names the
// problem.
kx::Result<TreeView> check_tree(kx::Span<const kx::u8> tree, bool memmap_segment);

// The physical address of the subtree added under @name (its node's "fdt"
// property, 8 bytes), in a tree check_tree() accepted; -ENOENT if there is
// none.
kx::Result<kx::u64> find_subtree(kx::Span<const kx::u8> tree, const char* name);

}  // namespace kho
