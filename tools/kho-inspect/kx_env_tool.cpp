// SPDX-License-Identifier: GPL-2.0
// kx_env.h for kho-inspect: the core's allocations are plain malloc.  The
// host test shim (tests/host/kx_env_host.cpp) injects failures and tags
// blocks for leak counting; a tool needs neither.
#include <cstdio>
#include <cstdlib>
#include <new>

#include <kx/new.hpp>

#include "kx_env.h"

extern "C" void* kx_alloc(kx_size_t size)
{
	return std::malloc(size);
}

// The kernel's __GFP_NOFAIL: a tool out of memory has nothing better to do
// than stop.
extern "C" void* kx_alloc_nofail(kx_size_t size)
{
	void* ptr = std::malloc(size);
	if (!ptr)
		kx_panic("out of memory");
	return ptr;
}

extern "C" void kx_free(void* ptr)
{
	std::free(ptr);
}

// Only the host tests count blocks.
extern "C" long kx_live_allocations(void)
{
	return 0;
}

extern "C" void kx_panic(const char* why)
{
	std::fprintf(stderr, "kho-inspect: internal error: %s\n", why);
	std::abort();
}

void* operator new(std::size_t size, const kx::nofail_t&) noexcept
{
	return kx_alloc_nofail(size);
}
