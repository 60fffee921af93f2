// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the handover descriptor check on any byte string.  The
// first byte picks the page size and scratch alignment, the rest is the
// payload.  Whatever is accepted must satisfy every invariant the format
// documents (Documentation/kho/format.rst), checked here in 128-bit
// arithmetic that cannot wrap; the C interface must agree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kho/descriptor.h"
#include "kho/descriptor.hpp"

namespace {

using u128 = unsigned __int128;
using kx::u64;

constexpr kho::DescriptorRules kRules[] = {
	{12, 2 << 20},            // x86_64
	{12, 4096},               // pageblock of one page
	{14, 32 << 20},           // arm64 16K
	{16, 512 << 20},          // arm64 64K
};

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "accepted descriptor breaks: %s\n", what);
		abort();
	}
}

u128 end_of(const kho_phys_range& r) { return u128{r.addr} + r.size; }
u128 page_end(const kho_phys_range& r, u64 page)
{
	return (end_of(r) + page - 1) / page * page;
}

bool in_one_area(const kho_handover_desc& d, u64 start, u128 end)
{
	for (unsigned i = 0; i < d.nr_scratch; i++)
		if (start >= d.scratch[i].addr && end <= end_of(d.scratch[i]))
			return true;
	return false;
}

void check_accepted(const kho_handover_desc& d, const kho::DescriptorRules& rules)
{
	const u64 page = u64{1} << rules.page_shift;
	const u128 top = u128{1} << 64;
	check(d.magic == KHO_DESC_MAGIC && d.version == KHO_DESC_VERSION &&
		      d.page_shift == rules.page_shift,
	      "magic, version, page size");
	check(d.nr_scratch >= 1 && d.nr_scratch <= KHO_MAX_SCRATCH, "nr_scratch");
	for (unsigned i = 0; i < d.nr_scratch; i++) {
		const kho_phys_range& s = d.scratch[i];
		check(s.size && !(s.addr % rules.scratch_align) && !(s.size % rules.scratch_align),
		      "scratch non-empty and aligned");
		check(end_of(s) < top, "scratch does not wrap");
		check(!i || s.addr >= end_of(d.scratch[i - 1]), "scratch ascending, disjoint");
	}
	// The tree: page-aligned, 1 byte .. 64 MiB in pages, in one area.
	check(!(d.fdt.addr % page) && d.fdt.size, "tree aligned and non-empty");
	const u128 tree_end = page_end(d.fdt, page);
	check(tree_end - d.fdt.addr <= kho::kMaxTreeBytes, "tree bounded");
	check(tree_end < top, "tree does not wrap");
	check(in_one_area(d, d.fdt.addr, tree_end), "tree in one scratch area");
	if (!d.memmap.addr && !d.memmap.size)
		return;
	check(!(d.memmap.addr % page) && d.memmap.size, "map aligned and non-empty");
	const u128 map_end = page_end(d.memmap, page);
	check(map_end - d.memmap.addr <= kho::kMaxMemMapBytes, "map bounded");
	check(map_end < top, "map does not wrap");
	check(in_one_area(d, d.memmap.addr, map_end), "map in one scratch area");
	check(map_end <= d.fdt.addr || tree_end <= d.memmap.addr, "map apart from the tree");
}

void one(const uint8_t* data, size_t size, const kho::DescriptorRules& rules)
{
	auto r = kho::check_descriptor({data, size}, rules);
	const char* why = r.is_ok() ? nullptr : r.error().reason();
	kho_handover_desc c;
	const char* c_why = "unset";
	const int rc = kho_descriptor_check(data, size, rules.page_shift, rules.scratch_align, &c,
					    &c_why);
	if (r.is_error()) {
		check(why != nullptr && rc == -KX_EINVAL && c_why == why, "refusal has a reason");
		return;
	}
	check(why == nullptr && rc == 0, "acceptance has no reason");
	check(size == sizeof(kho_handover_desc), "length");
	check(!memcmp(&r.value(), data, size) && !memcmp(&c, data, size), "returned as given");
	check_accepted(r.value(), rules);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	// The whole input with the x86_64 rules, and past a first byte with
	// the rules it picks.
	one(data, size, kRules[0]);
	if (size)
		one(data + 1, size - 1, kRules[data[0] % (sizeof(kRules) / sizeof(kRules[0]))]);
	return 0;
}
