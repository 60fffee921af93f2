// SPDX-License-Identifier: GPL-2.0
// How big the scratch area is: the kho_scratch= parameter and the default
// sizing formula (Documentation/kho/admin-guide.rst, "Sizing scratch").
#pragma once

#include <kx/result.hpp>
#include <kx/types.hpp>

#include "kho/scratch_policy.h"

namespace kho {

using kx::Result;
using kx::u64;

// "512M", "1G", "65536K", "4194304" (bytes) or "5%".  -EINVAL otherwise,
// or for zero, or for a share above 50%.
Result<kho_scratch_request> parse_scratch_param(const char* text);

struct ScratchPlan {
	u64 low;   // part below 4 GiB (x86: DMA32 and early low allocations)
	u64 main;  // the rest, anywhere
	u64 total() const { return low + main; }
};

// The next kernel's page descriptors: struct_page_size per page of RAM
// (64 bytes per 4 KiB page is 1.56% of RAM).
constexpr u64 memmap_bytes(const kho_memory_facts& m)
{
	return m.ram_bytes / m.page_size * m.struct_page_size;
}

// Scratch to reserve for @request.  Automatic: the next kernel's memmap,
// twice this kernel's other boot allocations, and 64 MiB for the kernel
// image, initrd and early tables.  The low part is an eighth, between 16
// and 256 MiB.  Everything is rounded up to m.align.
Result<ScratchPlan> plan_scratch(kho_scratch_request request, const kho_memory_facts& m);

// What the next kernel needs from scratch before it can reserve the
// preserved memory: its memmap, KASAN's shadow if it has one, the handover
// itself and 32 MiB of early tables.  Activation fails with -ENOSPC when
// scratch is smaller.
constexpr u64 next_kernel_need(const kho_memory_facts& m, u64 handover_bytes)
{
	const u64 shadow = m.shadow_shift ? m.ram_bytes >> m.shadow_shift : 0;
	return memmap_bytes(m) + shadow + handover_bytes + (u64{32} << 20);
}

}  // namespace kho
