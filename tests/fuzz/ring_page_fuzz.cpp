// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the ring-buffer page check on any byte string, as a
// sub-buffer of that size; what it accepts must be self-consistent, and
// rewriting it (every payload handed to the remap, which writes all of it)
// must stay inside the page and keep it accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ftrace/ring_page.hpp"

namespace {

kx::u32 touch_payload(void*, kx::u32 old_type, void* payload, kx::u32 size)
{
	std::memset(static_cast<uint8_t*>(payload) + 2, 0xa5, size - 2);
	return old_type ^ 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	// A read offset and a minimum payload from the first bytes, as the
	// kernel passes them (the trace_entry header is 8 bytes).
	const kx::u32 read = size ? data[0] % 64 : 0;
	const ftrace::PageRules rules = {read, 8};
	auto sum = ftrace::check_page({data, size}, rules);
	if (sum.is_ok() && sum.value().bytes > size)
		abort();
	if (sum.is_error() && sum.error().code() != kx::Errno::inval)
		abort();
	if (sum.is_ok()) {
		std::vector<uint8_t> page(data, data + size);
		ftrace::rewrite_page({page.data(), page.size()}, 0, touch_payload, nullptr);
		if (ftrace::check_page({page.data(), page.size()}, rules).is_error())
			abort();
		// Moved stamps of arbitrary values may cross a 2^59 ns window and
		// read as going back: only memory safety is asked of this one.
		ftrace::rewrite_page({page.data(), page.size()}, 12345, touch_payload, nullptr);
	}
	return 0;
}
