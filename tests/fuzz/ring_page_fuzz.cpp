// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the ring-buffer page check on any byte string, as a
// sub-buffer of that size; what it accepts must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ftrace/ring_page.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	auto sum = ftrace::check_page({data, size});
	if (sum.is_ok() && sum.value().bytes > size)
		abort();
	if (sum.is_error() && sum.error().code() != kx::Errno::inval)
		abort();
	return 0;
}
