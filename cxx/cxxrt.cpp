// SPDX-License-Identifier: GPL-2.0
// The C++ runtime the kernel build needs, and nothing more: non-throwing and
// aligned operator new, every operator delete, and traps for calls through
// an abstract or deleted virtual.  Plain operator new is left undefined on
// purpose, so a stray use fails to link (modpost) and cxx-check.sh.
#include <kx/new.hpp>
#include "kx_env.h"

using size_t = __SIZE_TYPE__;

// kmalloc() aligns a block to the largest power of two dividing its size,
// up to a page; so rounding the size up to the alignment is enough.
static constexpr size_t kMaxAlign = 4096;

static void* aligned_alloc(size_t size, std::align_val_t align) noexcept
{
	size_t a = static_cast<size_t>(align);
	if (a > kMaxAlign || size > ~size_t{0} - a)
		return nullptr;
	return kx_alloc((size + a - 1) & ~(a - 1));
}

const std::nothrow_t std::nothrow{};

void* operator new(size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
void* operator new(size_t size, const kx::nofail_t&) noexcept { return kx_alloc_nofail(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return kx_alloc(size); }
void* operator new(size_t size, std::align_val_t align, const std::nothrow_t&) noexcept
{
	return aligned_alloc(size, align);
}
void* operator new[](size_t size, std::align_val_t align, const std::nothrow_t&) noexcept
{
	return aligned_alloc(size, align);
}

void operator delete(void* ptr) noexcept { kx_free(ptr); }
void operator delete[](void* ptr) noexcept { kx_free(ptr); }
void operator delete(void* ptr, size_t) noexcept { kx_free(ptr); }
void operator delete[](void* ptr, size_t) noexcept { kx_free(ptr); }
void operator delete(void* ptr, std::align_val_t) noexcept { kx_free(ptr); }
void operator delete[](void* ptr, std::align_val_t) noexcept { kx_free(ptr); }
void operator delete(void* ptr, size_t, std::align_val_t) noexcept { kx_free(ptr); }
void operator delete[](void* ptr, size_t, std::align_val_t) noexcept { kx_free(ptr); }
void operator delete(void* ptr, const std::nothrow_t&) noexcept { kx_free(ptr); }
void operator delete[](void* ptr, const std::nothrow_t&) noexcept { kx_free(ptr); }

extern "C" {
void __cxa_pure_virtual();
void __cxa_deleted_virtual();

void __cxa_pure_virtual() { kx_panic("pure virtual function called"); }
void __cxa_deleted_virtual() { kx_panic("deleted virtual function called"); }
}
