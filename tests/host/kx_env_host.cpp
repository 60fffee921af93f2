// SPDX-License-Identifier: GPL-2.0
// Host implementation of kx_env.h for the GoogleTest build: malloc with
// failure injection and a count of live blocks, and abort for kx_panic.
// The non-throwing operator new forms the core uses are routed through
// kx_alloc, as in the kernel.
//
// kx_live_allocations() must count the core's blocks only, but the one
// global operator delete frees the library's and the tests' blocks too.  So
// every block carries a tag in front saying who allocated it.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <kx/new.hpp>

#include "kx_env.h"
#include "kx_env_host.h"

namespace {

long allocations_until_failure = -1;
bool failure_happened = false;
long live_allocations = 0;

enum Tag : unsigned { kByCore = 0x65726f63, kByLibrary = 0x6262696c };
constexpr std::size_t kTagSize = alignof(std::max_align_t);

void* allocate(std::size_t size, Tag tag)
{
	if (size > ~std::size_t{0} - kTagSize)
		return nullptr;
	auto* block = static_cast<unsigned char*>(std::malloc(size + kTagSize));
	if (!block)
		return nullptr;
	std::memcpy(block, &tag, sizeof(tag));
	return block + kTagSize;
}

void release(void* ptr)
{
	if (!ptr)
		return;
	unsigned char* block = static_cast<unsigned char*>(ptr) - kTagSize;
	Tag tag;
	std::memcpy(&tag, block, sizeof(tag));
	if (tag == kByCore)
		live_allocations--;
	else if (tag != kByLibrary)
		kx_panic("operator delete of a block no operator new returned");
	std::free(block);
}

void* allocate_or_abort(std::size_t size)
{
	void* ptr = allocate(size, kByLibrary);
	if (!ptr)
		kx_panic("host out of memory");
	return ptr;
}

}  // namespace

void kx_host::fail_allocation_after(long n)
{
	allocations_until_failure = n;
	failure_happened = false;
}

bool kx_host::injected_failure_happened()
{
	return failure_happened;
}

extern "C" void* kx_alloc(kx_size_t size)
{
	if (allocations_until_failure == 0) {
		allocations_until_failure = -1;
		failure_happened = true;
		return nullptr;
	}
	if (allocations_until_failure > 0)
		allocations_until_failure--;
	void* ptr = allocate(size, kByCore);
	if (ptr)
		live_allocations++;
	return ptr;
}

// Never injected: nothing can make it fail in the kernel either.
extern "C" void* kx_alloc_nofail(kx_size_t size)
{
	void* ptr = allocate(size, kByCore);
	if (!ptr)
		kx_panic("host out of memory");
	live_allocations++;
	return ptr;
}

extern "C" void kx_free(void* ptr)
{
	release(ptr);
}

extern "C" long kx_live_allocations(void)
{
	return live_allocations;
}

extern "C" void kx_panic(const char* why)
{
	std::fprintf(stderr, "kx_panic: %s\n", why);
	std::abort();
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
void* operator new(std::size_t size, const kx::nofail_t&) noexcept { return kx_alloc_nofail(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
// The throwing forms serve the tests and the library (never the core); the
// core is built without exceptions, so running out of memory aborts.
void* operator new(std::size_t size) { return allocate_or_abort(size); }
void* operator new[](std::size_t size) { return allocate_or_abort(size); }
void operator delete(void* ptr) noexcept { release(ptr); }
void operator delete[](void* ptr) noexcept { release(ptr); }
void operator delete(void* ptr, std::size_t) noexcept { release(ptr); }
void operator delete[](void* ptr, std::size_t) noexcept { release(ptr); }
void operator delete(void* ptr, const std::nothrow_t&) noexcept { release(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { release(ptr); }
