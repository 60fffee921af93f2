// SPDX-License-Identifier: GPL-2.0
// Minimal kx_env for the fuzz targets: malloc, and abort for what cannot fail.
#include <cstdlib>

#include <kx/new.hpp>

#include "kx_env.h"

extern "C" void* kx_alloc(kx_size_t size) { return std::malloc(size); }
extern "C" void* kx_alloc_nofail(kx_size_t size)
{
	void* ptr = std::malloc(size);
	if (!ptr)
		std::abort();
	return ptr;
}
void* operator new(std::size_t size, const kx::nofail_t&) noexcept { return kx_alloc_nofail(size); }
extern "C" void kx_free(void* ptr) { std::free(ptr); }
extern "C" void kx_panic(const char*) { std::abort(); }
