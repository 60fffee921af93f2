// SPDX-License-Identifier: GPL-2.0
// Placement and non-throwing operator new.  The kernel build declares what
// <new> would; the host build takes the real <new>.  Plain (throwing) new is
// deliberately not declared for the kernel: it cannot fail visibly there, and
// the build rejects any object that references it (scripts/cxx-check.sh).
#pragma once

namespace kx {
// new (kx::nofail) T: an allocation that cannot fail (kx_alloc_nofail()).
// The tag has internal linkage (not inline): a reference to a symbol that
// may bind externally is refused by the arm64 kernel's PIE link.
struct nofail_t {
	explicit nofail_t() = default;
};
constexpr nofail_t nofail{};
}  // namespace kx
void* operator new(__SIZE_TYPE__ size, const kx::nofail_t&) noexcept;

#ifdef KX_HOSTED
#include <new>
#else
namespace std {
enum class align_val_t : __SIZE_TYPE__ {};
struct nothrow_t {
	explicit nothrow_t() = default;
};
extern const nothrow_t nothrow;
}  // namespace std

void* operator new(__SIZE_TYPE__ size, const std::nothrow_t&) noexcept;
void* operator new[](__SIZE_TYPE__ size, const std::nothrow_t&) noexcept;
void* operator new(__SIZE_TYPE__ size, std::align_val_t align, const std::nothrow_t&) noexcept;
void* operator new[](__SIZE_TYPE__ size, std::align_val_t align, const std::nothrow_t&) noexcept;
// Called only when a constructor invoked by a non-throwing new throws,
// which cannot happen here; declared so the definitions match.
void operator delete(void* ptr, const std::nothrow_t&) noexcept;
void operator delete[](void* ptr, const std::nothrow_t&) noexcept;

inline void* operator new(__SIZE_TYPE__, void* where) noexcept { return where; }
inline void* operator new[](__SIZE_TYPE__, void* where) noexcept { return where; }
inline void operator delete(void*, void*) noexcept {}
inline void operator delete[](void*, void*) noexcept {}
#endif
