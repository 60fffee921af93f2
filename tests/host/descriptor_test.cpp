// SPDX-License-Identifier: GPL-2.0
// The handover descriptor check (kho/descriptor.cpp): every rejection, by
// its reason, and the good shapes, through the C++ and the C interface.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kho/descriptor.h"
#include "kho/descriptor.hpp"

namespace {

using kx::u64;
using kx::u8;

constexpr u64 kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
constexpr u64 kPage = 4 * kKiB;
constexpr u64 kBlock = 2 * kMiB;  // pageblock
constexpr unsigned kPageShift = 12;
constexpr kho::DescriptorRules kRules = {kPageShift, kBlock};

constexpr const char* kLength = "entry has the wrong length";
constexpr const char* kMagic = "magic or version not understood";
constexpr const char* kNrScratch = "number of scratch areas out of range";
constexpr const char* kScratch = "scratch area malformed, unaligned or out of order";
constexpr const char* kTree = "tree is not a bounded page-aligned range in scratch";
constexpr const char* kMap =
	"memory map is not a bounded page-aligned range in scratch, apart from the tree";

// Two scratch areas with a hole between them; the tree and the map in the
// first one.
kho_handover_desc good()
{
	kho_handover_desc d;
	std::memset(&d, 0, sizeof(d));
	d.magic = KHO_DESC_MAGIC;
	d.version = KHO_DESC_VERSION;
	d.page_shift = kPageShift;
	d.nr_scratch = 2;
	d.scratch[0] = {1 * kGiB, 256 * kMiB};
	d.scratch[1] = {2 * kGiB, 64 * kMiB};
	d.fdt = {1 * kGiB, 10000};  // three pages' worth
	d.memmap = {1 * kGiB + 1 * kMiB, 56};
	return d;
}

kho_handover_desc no_map()
{
	kho_handover_desc d = good();
	d.memmap = {0, 0};
	return d;
}

// The reason for rejecting @d, or nullptr if it is accepted (then it must
// come back unchanged).  Checks the C interface agrees.
const char* why_rejected(const kho_handover_desc& d, const kho::DescriptorRules& rules = kRules)
{
	auto r = kho::check_descriptor({reinterpret_cast<const u8*>(&d), sizeof(d)}, rules);
	const char* why = r.is_ok() ? nullptr : r.error().reason();

	kho_handover_desc c;
	std::memset(&c, 0xa5, sizeof(c));
	const kho_handover_desc untouched = c;
	const char* c_why = "unset";
	const int rc = kho_descriptor_check(&d, sizeof(d), rules.page_shift, rules.scratch_align, &c,
					    &c_why);
	if (r.is_ok()) {
		EXPECT_EQ(c_why, nullptr);
		EXPECT_EQ(std::memcmp(&r.value(), &d, sizeof(d)), 0);
		EXPECT_EQ(rc, 0);
		EXPECT_EQ(std::memcmp(&c, &d, sizeof(d)), 0);
		return nullptr;
	}
	EXPECT_EQ(r.error().code(), kx::Errno::inval);
	EXPECT_EQ(rc, -KX_EINVAL);
	EXPECT_EQ(std::memcmp(&c, &untouched, sizeof(c)), 0) << "desc written on error";
	EXPECT_NE(why, nullptr);
	EXPECT_STREQ(c_why, why);
	return why ? why : "(null why)";
}

TEST(Descriptor, AcceptsAGoodDescriptorWithAMemoryMap)
{
	EXPECT_EQ(why_rejected(good()), nullptr);
}

TEST(Descriptor, AcceptsAGoodDescriptorWithoutAMemoryMap)
{
	EXPECT_EQ(why_rejected(no_map()), nullptr);
}

TEST(Descriptor, AcceptsTheEdgeShapes)
{
	// One area, with junk in the entries past nr_scratch: never looked at.
	kho_handover_desc d = good();
	d.nr_scratch = 1;
	d.memmap = {1 * kGiB + 128 * kMiB, 1 * kGiB / 1024};
	d.scratch[1] = {1, 3};
	d.scratch[2] = {~u64{0}, ~u64{0}};
	EXPECT_EQ(why_rejected(d), nullptr);

	// Four areas, two adjacent; the tree exactly 64 MiB and the map right
	// after its last page; the largest map; the map in another area.
	d = good();
	d.nr_scratch = KHO_MAX_SCRATCH;
	d.scratch[0] = {1 * kGiB, 128 * kMiB};
	d.scratch[1] = {1 * kGiB + 128 * kMiB, 2 * kMiB};  // adjacent
	d.scratch[2] = {2 * kGiB, 2 * kMiB};
	d.scratch[3] = {4 * kGiB, 2 * kGiB};
	d.fdt = {1 * kGiB, kho::kMaxTreeBytes};
	d.memmap = {1 * kGiB + kho::kMaxTreeBytes, 1};
	EXPECT_EQ(why_rejected(d), nullptr);
	d.memmap = {4 * kGiB, kho::kMaxMemMapBytes};  // exactly the largest map
	EXPECT_EQ(why_rejected(d), nullptr);
	d.memmap = {2 * kGiB + kPage, kPage};
	EXPECT_EQ(why_rejected(d), nullptr);

	// Near the top of the address space (an area cannot end at 2^64).
	d = no_map();
	d.nr_scratch = 1;
	d.scratch[0] = {~u64{0} - 2 * kMiB + 1 - 2 * kMiB, 2 * kMiB};
	d.fdt = {d.scratch[0].addr + 2 * kMiB - kPage, kPage};
	EXPECT_EQ(why_rejected(d), nullptr);
}

TEST(Descriptor, RefusesTheWrongLength)
{
	const kho_handover_desc d = good();
	std::vector<u8> bytes(sizeof(d) + 8);
	std::memcpy(bytes.data(), &d, sizeof(d));
	for (size_t len : {size_t{0}, size_t{1}, sizeof(d) - 16, sizeof(d) - 1, sizeof(d) + 1,
			   sizeof(d) + 8}) {
		auto r = kho::check_descriptor({bytes.data(), len}, kRules);
		ASSERT_TRUE(r.is_error()) << len;
		EXPECT_STREQ(r.error().reason(), kLength);
		kho_handover_desc out;
		const char* c_why = nullptr;
		EXPECT_EQ(kho_descriptor_check(bytes.data(), len, kPageShift, kBlock, &out, &c_why),
			  -KX_EINVAL);
		EXPECT_STREQ(c_why, kLength);
	}
	EXPECT_TRUE(kho::check_descriptor({bytes.data(), sizeof(d)}, kRules).is_ok());
}

TEST(Descriptor, RefusesAnotherMagicOrVersion)
{
	kho_handover_desc d = good();
	d.magic = KHO_SETUP_DATA_TYPE;
	EXPECT_STREQ(why_rejected(d), kMagic);
	d = good();
	d.version = 0;
	EXPECT_STREQ(why_rejected(d), kMagic);
	d.version = 1;  // zero where version 2 has the page shift
	d.page_shift = 0;
	EXPECT_STREQ(why_rejected(d), kMagic);
	d.version = KHO_DESC_VERSION + 1;
	EXPECT_STREQ(why_rejected(d), kMagic);
}

TEST(Descriptor, RefusesAnotherPageSizeNamingBoth)
{
	kho_handover_desc d = good();
	d.page_shift = 16;
	EXPECT_STREQ(why_rejected(d), "written with 64 KiB pages, this kernel has 4 KiB");
	d.page_shift = 14;
	EXPECT_STREQ(why_rejected(d), "written with 16 KiB pages, this kernel has 4 KiB");
	d.page_shift = 12;
	EXPECT_STREQ(why_rejected(d, {16, 512 * kMiB}),
		     "written with 4 KiB pages, this kernel has 64 KiB");
	EXPECT_STREQ(why_rejected(d, {14, 32 * kMiB}),
		     "written with 4 KiB pages, this kernel has 16 KiB");
	for (unsigned shift : {0u, 11u, 13u, 17u, 64u, ~0u}) {
		d.page_shift = shift;
		EXPECT_STREQ(why_rejected(d), "page size not understood") << shift;
	}
}

TEST(Descriptor, RefusesAnOutOfRangeNumberOfScratchAreas)
{
	kho_handover_desc d = good();
	d.nr_scratch = 0;
	EXPECT_STREQ(why_rejected(d), kNrScratch);
	d.nr_scratch = KHO_MAX_SCRATCH + 1;
	EXPECT_STREQ(why_rejected(d), kNrScratch);
	d.nr_scratch = ~0u;
	EXPECT_STREQ(why_rejected(d), kNrScratch);
}

TEST(Descriptor, RefusesABadScratchArea)
{
	kho_handover_desc d;
	for (unsigned i = 0; i < 2; i++) {
		SCOPED_TRACE(i);
		d = good();
		d.scratch[i].addr += kPage;  // unaligned start
		EXPECT_STREQ(why_rejected(d), kScratch);
		d = good();
		d.scratch[i].size += kPage;  // unaligned size
		EXPECT_STREQ(why_rejected(d), kScratch);
		d = good();
		d.scratch[i].size = 0;  // empty
		EXPECT_STREQ(why_rejected(d), kScratch);
	}
	// Wrapping around the end of the address space, or ending exactly at it.
	d = good();
	d.scratch[1] = {~u64{0} - kBlock + 1, 2 * kBlock};
	EXPECT_STREQ(why_rejected(d), kScratch);
	d.scratch[1] = {~u64{0} - kBlock + 1, kBlock};
	EXPECT_STREQ(why_rejected(d), kScratch);
	d.scratch[1] = {2 * kGiB, ~u64{0} - kBlock + 1};
	EXPECT_STREQ(why_rejected(d), kScratch);
	// Out of order, overlapping, the same area twice.
	d = good();
	d.scratch[1] = {512 * kMiB, 64 * kMiB};
	EXPECT_STREQ(why_rejected(d), kScratch);
	d.scratch[1] = {1 * kGiB + 254 * kMiB, 64 * kMiB};
	EXPECT_STREQ(why_rejected(d), kScratch);
	d.scratch[1] = d.scratch[0];
	EXPECT_STREQ(why_rejected(d), kScratch);
	// A bad one last of four, and one that only the count makes used.
	d = good();
	d.nr_scratch = 4;
	d.scratch[2] = {3 * kGiB, 2 * kMiB};
	d.scratch[3] = {3 * kGiB, 2 * kMiB};
	EXPECT_STREQ(why_rejected(d), kScratch);
	d.nr_scratch = 3;
	EXPECT_EQ(why_rejected(d), nullptr);
	d.scratch[2].size = 0;
	EXPECT_STREQ(why_rejected(d), kScratch);
	// An area aligned to the page but not the pageblock.
	d = good();
	d.scratch[0] = {1 * kGiB + 1 * kMiB, 255 * kMiB};
	d.fdt.addr = d.scratch[0].addr;
	EXPECT_STREQ(why_rejected(d), kScratch);
}

// The tree and the map are both "a bounded page-aligned range in one
// scratch area"; @range points at one or the other.
void expect_range_rules(kho_phys_range kho_handover_desc::*range, u64 max, const char* reason)
{
	kho_handover_desc d;
	auto set = [&](u64 addr, u64 size) {
		d = good();
		d.scratch[0] = {1 * kGiB, 2 * kGiB};  // room for the 1 GiB map
		d.scratch[1] = {4 * kGiB, 64 * kMiB};
		// The other one out of the way, in the second area.
		if (range == &kho_handover_desc::fdt)
			d.memmap = {4 * kGiB + 32 * kMiB, 56};
		else
			d.fdt = {4 * kGiB + 32 * kMiB, 10000};
		d.*range = {addr, size};
	};
	set(1 * kGiB + kPage, 100);
	EXPECT_EQ(why_rejected(d), nullptr);
	set(1 * kGiB + 1, 100);  // unaligned
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB + kPage / 2, kPage / 2);  // unaligned, but within a page
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB, 0);  // empty
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB, max);  // the largest
	EXPECT_EQ(why_rejected(d), nullptr);
	set(1 * kGiB, max + 1);  // too big, by a byte
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB, ~u64{0});  // rounds up to 0 pages
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB, ~u64{0} - kPage + 2);
	EXPECT_STREQ(why_rejected(d), reason);
	set(3 * kGiB + 32 * kMiB, kPage);  // outside every area: in the hole
	EXPECT_STREQ(why_rejected(d), reason);
	set(0, kPage);  // below every area
	EXPECT_STREQ(why_rejected(d), reason);
	set(8 * kGiB, kPage);  // above every area
	EXPECT_STREQ(why_rejected(d), reason);
	set(1 * kGiB - kPage, 2 * kPage);  // starts before the first area
	EXPECT_STREQ(why_rejected(d), reason);
	set(3 * kGiB - kPage, kPage + 1);  // runs past the end of the first area
	EXPECT_STREQ(why_rejected(d), reason);
	set(3 * kGiB - kPage, kPage);  // the last page of it is fine
	EXPECT_EQ(why_rejected(d), nullptr);
	// Wrapping around the end of the address space.
	set(~u64{0} - kPage + 1, 2 * kPage);
	EXPECT_STREQ(why_rejected(d), reason);
	set(~u64{0} - kPage + 1, kPage);
	EXPECT_STREQ(why_rejected(d), reason);
	// Straddling two adjacent areas, though it is in scratch throughout.
	set(3 * kGiB - kPage, 2 * kPage);
	d.scratch[1] = {3 * kGiB, 64 * kMiB};
	if (range == &kho_handover_desc::fdt)
		d.memmap = {3 * kGiB + 32 * kMiB, 56};
	else
		d.fdt = {3 * kGiB + 32 * kMiB, 10000};
	EXPECT_STREQ(why_rejected(d), reason);
	d.*range = {3 * kGiB - 2 * kPage, 2 * kPage};
	EXPECT_EQ(why_rejected(d), nullptr);
	// In an entry of scratch past nr_scratch: not scratch.
	set(6 * kGiB, kPage);
	d.scratch[2] = {6 * kGiB, 64 * kMiB};
	EXPECT_STREQ(why_rejected(d), reason);
	d.nr_scratch = 3;
	EXPECT_EQ(why_rejected(d), nullptr);
}

TEST(Descriptor, RefusesABadTree)
{
	expect_range_rules(&kho_handover_desc::fdt, kho::kMaxTreeBytes, kTree);
	// A tree at address 0 is not "no tree": it is checked like any other.
	kho_handover_desc d = good();
	d.fdt = {0, 0};
	EXPECT_STREQ(why_rejected(d), kTree);
}

TEST(Descriptor, RefusesABadMemoryMap)
{
	expect_range_rules(&kho_handover_desc::memmap, kho::kMaxMemMapBytes, kMap);
	// Only (0, 0) means "no map": half of it is a bad map.
	kho_handover_desc d = good();
	d.memmap = {0, 56};
	EXPECT_STREQ(why_rejected(d), kMap);
	d.memmap = {1 * kGiB + 1 * kMiB, 0};
	EXPECT_STREQ(why_rejected(d), kMap);
}

TEST(Descriptor, RefusesAMemoryMapOverlappingTheTree)
{
	kho_handover_desc d = good();  // the tree: 10000 bytes at 1 GiB, so 3 pages
	d.memmap = d.fdt;
	EXPECT_STREQ(why_rejected(d), kMap);
	d.memmap = {1 * kGiB + 2 * kPage, kPage};  // the tree's last, partly used page
	EXPECT_STREQ(why_rejected(d), kMap);
	d.memmap = {1 * kGiB + 3 * kPage, kPage};  // the page after it
	EXPECT_EQ(why_rejected(d), nullptr);
	d.fdt = {1 * kGiB + 4 * kPage, 1};  // the map's last page rounded out
	d.memmap = {1 * kGiB + 3 * kPage, kPage + 1};
	EXPECT_STREQ(why_rejected(d), kMap);
	d.memmap = {1 * kGiB, 64 * kMiB};  // around the tree
	EXPECT_STREQ(why_rejected(d), kMap);
	d.memmap = {1 * kGiB + 3 * kPage, kPage};
	EXPECT_EQ(why_rejected(d), nullptr);
}

TEST(Descriptor, UsesThePageSizeItIsGiven)
{
	// 64 KiB pages: a tree on a 4 KiB boundary is unaligned, and a tree and
	// a map 4 KiB apart share a page.
	const kho::DescriptorRules big = {16, 512 * kMiB};
	kho_handover_desc d = good();
	d.page_shift = 16;
	d.scratch[0] = {1 * kGiB, 512 * kMiB};
	d.scratch[1] = {2 * kGiB, 512 * kMiB};
	d.fdt = {1 * kGiB, 100};
	d.memmap = {1 * kGiB + 64 * kKiB, 100};
	EXPECT_EQ(why_rejected(d, big), nullptr);
	d.memmap = {1 * kGiB + 4 * kKiB, 100};
	EXPECT_STREQ(why_rejected(d, big), kMap);
	d.page_shift = kPageShift;
	EXPECT_EQ(why_rejected(d), nullptr);  // fine with 4 KiB pages
	d.page_shift = 16;
	d.memmap = {1 * kGiB + 64 * kKiB, 100};
	d.fdt = {1 * kGiB + 4 * kKiB, 100};
	EXPECT_STREQ(why_rejected(d, big), kTree);
	// Scratch aligned to 2 MiB pageblocks, not to 512 MiB ones.
	d = good();
	d.page_shift = 16;
	EXPECT_STREQ(why_rejected(d, big), kScratch);
}

}  // namespace
