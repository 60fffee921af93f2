// SPDX-License-Identifier: GPL-2.0
// Fixed-width integer types for the freestanding core (no <cstdint>).
#pragma once

#include "kx_env.h"

namespace kx {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = kx_u64;
using usize = kx_size_t;

static_assert(sizeof(u64) == 8 && sizeof(usize) == sizeof(void*));

}  // namespace kx
