// SPDX-License-Identifier: GPL-2.0
// The extern "C" face of the incoming tree check.
#include "kho/handover_tree.h"
#include "kho/handover_tree.hpp"

extern "C" int kho_tree_check(const void* tree, kx_size_t size, int memmap_segment,
			      const void** inline_map, kx_size_t* inline_len, const char** why)
{
	auto view = kho::check_tree({static_cast<const kx::u8*>(tree), size}, memmap_segment, *why);
	if (view.is_error())
		return view.error().to_errno();
	*inline_map = view.value().inline_memmap.empty() ? nullptr : view.value().inline_memmap.data();
	*inline_len = view.value().inline_memmap.size();
	return 0;
}
