// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the incoming tree check, then the inline memory map it
// points to and the subtree lookup, on any byte string.  libfdt is the
// kernel's own, the checks are ours.
#include <cstddef>
#include <cstdint>

#include "kho/handover_tree.hpp"
#include "kho/mem_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	auto view = kho::check_tree({data, size}, false);
	if (view.is_ok() && !view.value().inline_memmap.empty())
		(void)kho::MemMapReader::validate(view.value().inline_memmap, 12);
	// Whatever the tree, a lookup finds an address or nothing, never more.
	static constexpr const char* kNames[] = {"kho-test", "ftrace", ""};
	for (const char* name : kNames)
		(void)kho::find_subtree({data, size}, name);
	return 0;
}
