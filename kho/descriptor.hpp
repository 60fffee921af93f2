// SPDX-License-Identifier: GPL-2.0
// The handover descriptor (include/kho/abi/handover.h) as the next kernel
// finds it, before memory exists: where the tree, the memory map and the
// scratch areas are.  Checked in shape only; the areas are checked against
// this boot's RAM once memblock knows it (incoming.c).
#pragma once

#include <kho/abi/handover.h>
#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

static_assert(sizeof(kho_handover_desc) == 16 + 2 * 16 + KHO_MAX_SCRATCH * 16, "ABI");

namespace kho {

// Largest tree and memory map the next kernel accepts.
inline constexpr kx::u64 kMaxTreeBytes = kx::u64{64} << 20;
inline constexpr kx::u64 kMaxMemMapBytes = kx::u64{1} << 30;

struct DescriptorRules {
	unsigned page_shift;  // this kernel's; the writer's must be the same
	kx::u64 scratch_align;  // the pageblock size: scratch becomes MIGRATE_CMA
};

// @payload: the bytes of the boot protocol's entry (what the previous
// kernel claimed as its length).  A refusal's reason names the problem.
kx::Result<kho_handover_desc> check_descriptor(kx::Span<const kx::u8> payload,
					       const DescriptorRules& rules);

}  // namespace kho
