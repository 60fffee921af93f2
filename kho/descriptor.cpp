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

// A descriptor written with other pages, refused naming both sizes (only
// 4, 16 and 64 KiB pages exist).
kx::Error page_size_refusal(unsigned theirs, unsigned ours)
{
	constexpr unsigned k4 = 12, k16 = 14, k64 = 16;

	if (theirs == k4)
		return ours == k16 ? kx::invalid("written with 4 KiB pages, this kernel has 16 KiB")
				   : kx::invalid("written with 4 KiB pages, this kernel has 64 KiB");
	if (theirs == k16)
		return ours == k4 ? kx::invalid("written with 16 KiB pages, this kernel has 4 KiB")
				  : kx::invalid("written with 16 KiB pages, this kernel has 64 KiB");
	if (theirs == k64)
		return ours == k4 ? kx::invalid("written with 64 KiB pages, this kernel has 4 KiB")
				  : kx::invalid("written with 64 KiB pages, this kernel has 16 KiB");
	return kx::invalid("page size not understood");
}

}  // namespace

kx::Result<kho_handover_desc> check_descriptor(kx::Span<const kx::u8> payload,
					       const DescriptorRules& rules)
{
	kho_handover_desc d;

	if (payload.size() != sizeof(d))
		return kx::invalid("entry has the wrong length");
	__builtin_memcpy(&d, payload.data(), sizeof(d));
	if (d.magic != KHO_DESC_MAGIC || d.version != KHO_DESC_VERSION)
		return kx::invalid("magic or version not understood");
	if (d.page_shift != rules.page_shift)
		return page_size_refusal(d.page_shift, rules.page_shift);
	const u64 page_size = u64{1} << rules.page_shift;
	if (!d.nr_scratch || d.nr_scratch > KHO_MAX_SCRATCH)
		return kx::invalid("number of scratch areas out of range");
	for (unsigned i = 0; i < d.nr_scratch; i++)
		if (!well_formed(d.scratch[i], rules.scratch_align, ~u64{0}) ||
		    (i && d.scratch[i].addr < end_of(d.scratch[i - 1])))
			return kx::invalid("scratch area malformed, unaligned or out of order");
	const kho_phys_range tree = pages_of(d.fdt, page_size);
	if (d.fdt.addr & (page_size - 1) || !well_formed(tree, page_size, kMaxTreeBytes) ||
	    !in_one_area(tree, d))
		return kx::invalid("tree is not a bounded page-aligned range in scratch");
	if (d.memmap.addr || d.memmap.size) {
		const kho_phys_range map = pages_of(d.memmap, page_size);
		if (d.memmap.addr & (page_size - 1) ||
		    !well_formed(map, page_size, kMaxMemMapBytes) || !in_one_area(map, d) ||
		    overlap(map, tree))
			return kx::invalid("memory map is not a bounded page-aligned range in "
					   "scratch, apart from the tree");
	}
	return d;
}

}  // namespace kho

extern "C" int kho_descriptor_check(const void* payload, kx_size_t len, unsigned int page_shift,
				    kx_u64 scratch_align, kho_handover_desc* desc, const char** why)
{
	return kx::to_errno(kho::check_descriptor({static_cast<const kx::u8*>(payload), len},
						  {page_shift, scratch_align}),
			    desc, why);
}
