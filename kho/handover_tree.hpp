// SPDX-License-Identifier: GPL-2.0
// The handover tree, written here at activation and read here by the next
// kernel: one layout.  The root has the compatible string, the memory map
// when it is small, the notifiers' nodes, and one node per subtree with its
// address and size.  The reader checks header and size, the root compatible string,
// where the memory map is, and the shape of every subtree reference, before
// anything in it is used; then finds subtrees in it: no C code reads the
// tree itself.
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

#include "kho/handover_tree.h"
#include "kho/mem_map.hpp"

namespace kho {

// Opens the root node of a tree in @buf, in libfdt's sequential-write mode,
// for the notifiers to add their nodes to.
kx::Result<void> begin_tree(kx::Span<kx::u8> buf);

struct SealedMap {
	kx::u8* segment;  // from kx_alloc(); null when none or in the tree
	kx::u64 size;
};

// Adds the subtree nodes to what begin_tree() began, closes it and writes
// the map of @mem: into the tree when it is small, else into a segment of
// its own.  -ENOSPC when @buf is too small.
kx::Result<SealedMap> seal_tree(kx::Span<kx::u8> buf, const kho_subtree* subtrees,
				const PreservedMemory* mem, unsigned page_shift);

struct TreeView {
	kx::Span<const kx::u8> inline_memmap;  // empty if none
};

// @tree: the bytes the descriptor points to.  @memmap_segment: whether the
// descriptor also names a memory-map segment.  A refusal's reason names the
// problem.
kx::Result<TreeView> check_tree(kx::Span<const kx::u8> tree, bool memmap_segment);

// Whether @tree is a tree libfdt may read: a sound header, whose total size
// lies within the bytes given, of version 17, the one libfdt writes (before
// 16, libfdt moves a property's value of 8 bytes or more to the next 8-byte
// boundary, past the bounds it checked).  check_tree() begins with it.
bool tree_header_ok(kx::Span<const kx::u8> tree);

// Whether @node of a tree check_tree() accepted lists @compatible in its
// "compatible" property.  Every reader of the previous kernel's tree asks
// this, not libfdt's fdt_node_check_compatible(), which reads a byte past
// a list whose last entry is as long as @compatible.
bool node_compatible(const void* fdt, int node, const char* compatible);

struct SubtreeRef {
	kx::u64 phys;  // the node's "fdt" property
	kx::u64 size;  // its "blob-size"; 0 if the node has none
};

// The subtree added under @name, in a tree check_tree() accepted; -ENOENT
// if there is none.
kx::Result<SubtreeRef> find_subtree(kx::Span<const kx::u8> tree, const char* name);

}  // namespace kho
