// SPDX-License-Identifier: GPL-2.0
#include "kho/descriptor.hpp"

#include "kho/descriptor.h"

namespace kho {

using kx::Errno;
using kx::u64;

namespace {

constexpr u64 end_of(const kho_phys_range& r) { return r.addr + r.size; }

// Non-empty, aligned, bounded, and not wrapping around.
bool well_formed(const kho_phys_range& r, u64 align, u64 max)
{
	return r.size && r.size <= max && !((r.addr | r.size) & (align - 1)) && end_of(r) > r.addr;
}

// Rounded out to whole pages: what the next kernel reserves.
kho_phys_range pages_of(const kho_phys_range& r, u64 page_size)
{
	const u64 start = r.addr & ~(page_size - 1);
	const u64 size = r.size + (r.addr - start);
	return {start, (size + page_size - 1) & ~(page_size - 1)};
}

bool in_one_area(const kho_phys_range& r, const kho_handover_desc& d)
{
	for (unsigned i = 0; i < d.nr_scratch; i++)
		if (r.addr >= d.scratch[i].addr && end_of(r) <= end_of(d.scratch[i]))
			return true;
	return false;
}

bool overlap(const kho_phys_range& a, const kho_phys_range& b)
{
	return a.addr < end_of(b) && b.addr < end_of(a);
}

}  // namespace

kx::Result<kho_handover_desc> check_descriptor(kx::Span<const kx::u8> payload,
					       const DescriptorRules& rules, const char*& why)
{
	kho_handover_desc d;

	why = "entry has the wrong length";
	if (payload.size() != sizeof(d))
		return Errno::inval;
	__builtin_memcpy(&d, payload.data(), sizeof(d));
	why = "magic or version not understood";
	if (d.magic != KHO_DESC_MAGIC || d.version != KHO_DESC_VERSION || d.reserved)
		return Errno::inval;
	why = "number of scratch areas out of range";
	if (!d.nr_scratch || d.nr_scratch > KHO_MAX_SCRATCH)
		return Errno::inval;
	why = "scratch area malformed, unaligned or out of order";
	for (unsigned i = 0; i < d.nr_scratch; i++)
		if (!well_formed(d.scratch[i], rules.scratch_align, ~u64{0}) ||
		    (i && d.scratch[i].addr < end_of(d.scratch[i - 1])))
			return Errno::inval;
	why = "tree is not a bounded page-aligned range in scratch";
	const kho_phys_range tree = pages_of(d.fdt, rules.page_size);
	if (d.fdt.addr & (rules.page_size - 1) || !well_formed(tree, rules.page_size, kMaxTreeBytes) ||
	    !in_one_area(tree, d))
		return Errno::inval;
	if (d.memmap.addr || d.memmap.size) {
		why = "memory map is not a bounded page-aligned range in scratch, apart from the tree";
		const kho_phys_range map = pages_of(d.memmap, rules.page_size);
		if (d.memmap.addr & (rules.page_size - 1) ||
		    !well_formed(map, rules.page_size, kMaxMemMapBytes) || !in_one_area(map, d) ||
		    overlap(map, tree))
			return Errno::inval;
	}
	why = nullptr;
	return d;
}

}  // namespace kho

extern "C" int kho_descriptor_check(const void* payload, kx_size_t len, kx_u64 page_size,
				    kx_u64 scratch_align, kho_handover_desc* desc, const char** why)
{
	auto d = kho::check_descriptor({static_cast<const kx::u8*>(payload), len},
				       {page_size, scratch_align}, *why);
	if (d.is_error())
		return d.error().to_errno();
	*desc = d.value();
	return 0;
}
