// SPDX-License-Identifier: GPL-2.0
// Host implementation of kx_env.h for the GoogleTest build: malloc with
// failure injection, and abort for kx_panic.  The non-throwing operator
// new forms the core uses are routed through kx_alloc, as in the kernel.
#include <cstdio>
#include <cstdlib>
#include <new>

#include "kx_env.h"
#include "kx_env_host.h"

namespace {
long allocations_until_failure = -1;
}

void kx_host::fail_allocation_after(long n)
{
	allocations_until_failure = n;
}

extern "C" void* kx_alloc(kx_size_t size)
{
	if (allocations_until_failure == 0) {
		allocations_until_failure = -1;
		return nullptr;
	}
	if (allocations_until_failure > 0)
		allocations_until_failure--;
	return std::malloc(size);
}

extern "C" void kx_free(void* ptr)
{
	std::free(ptr);
}

extern "C" void kx_panic(const char* why)
{
	std::fprintf(stderr, "kx_panic: %s\n", why);
	std::abort();
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
