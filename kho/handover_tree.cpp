// SPDX-License-Identifier: GPL-2.0
#include "kho/handover_tree.hpp"

#include <kho/abi/handover.h>

#include "kho/libfdt_api.h"

namespace kho {

using kx::Errno;
using kx::u8;
using kx::u32;

namespace {

constexpr kx::usize kFdtHeaderSize = 40;

u32 be32_at(kx::Span<const u8> b, kx::usize at)
{
	return u32{b[at]} << 24 | u32{b[at + 1]} << 16 | u32{b[at + 2]} << 8 | b[at + 3];
}

bool is_string(const void* prop, int len)
{
	return prop && len > 0 && static_cast<const char*>(prop)[len - 1] == '\0';
}

}  // namespace

kx::Result<TreeView> check_tree(kx::Span<const u8> tree, bool memmap_segment, const char*& why)
{
	const void* fdt = tree.data();
	int len;

	why = "tree header invalid";
	if (tree.size() < kFdtHeaderSize || be32_at(tree, 4) > tree.size() || fdt_check_header(fdt))
		return Errno::inval;

	why = "root compatible is not \"" KHO_ROOT_COMPATIBLE "\"";
	const void* compat = fdt_getprop(fdt, 0, "compatible", &len);
	if (!is_string(compat, len) || fdt_node_check_compatible(fdt, 0, KHO_ROOT_COMPATIBLE))
		return Errno::inval;

	TreeView view;
	const void* map = fdt_getprop(fdt, 0, "preserved-memory-map", &len);
	if (map) {
		why = "memory map both inline and in a segment";
		if (memmap_segment || len <= 0)
			return Errno::inval;
		view.inline_memmap = {static_cast<const u8*>(map), static_cast<kx::usize>(len)};
	}

	why = "malformed subsystem node";
	int node;
	for (node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
		const void* sub = fdt_getprop(fdt, node, "fdt", &len);
		if (sub && len != sizeof(kx::u64))
			return Errno::inval;
		const void* c = fdt_getprop(fdt, node, "compatible", &len);
		if (c && !is_string(c, len))
			return Errno::inval;
	}
	// Anything but "no more subnodes" means the structure is broken.
	if (node != -1 /* -FDT_ERR_NOTFOUND */)
		return Errno::inval;
	why = nullptr;
	return view;
}

}  // namespace kho
