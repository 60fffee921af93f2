// SPDX-License-Identifier: GPL-2.0
// The reservation walk (kho/reserve.cpp) against a fake booting kernel
// (reserve_fake.hpp).  Every walk here is also checked against the oracle:
// the marked pages are exactly those of the runs that were reserved, each
// inside a successful reserve(), none marked twice.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "reserve_fake.hpp"

namespace {

using kho::PreservedMemory;
using kx::u64;
using kx::u8;
using reserve_fake::Dropped;
using reserve_fake::Extent;
using reserve_fake::extent_map;
using reserve_fake::FakeKernel;
using reserve_fake::Outcome;
using reserve_fake::Range;

constexpr unsigned kShift = 12;
constexpr u64 kRamStart = 0x100, kRamEnd = 0x100000;
constexpr u64 kScratchStart = 0x80000, kScratchEnd = 0x90000;
constexpr u64 kFirmware = 0x1008;  // one reserved page

// RAM [0x100, 0x100000), a scratch area in it, one page of firmware data.
FakeKernel kernel()
{
	FakeKernel k;
	k.ram.add(kRamStart, kRamEnd);
	k.scratch.add(kScratchStart, kScratchEnd);
	k.reserved.add(kFirmware, kFirmware + 1);
	return k;
}

std::vector<u8> encode(const PreservedMemory& mem)
{
	std::vector<u8> out(mem.encoded_size());
	auto r = mem.encode({out.data(), out.size()}, kShift);
	EXPECT_TRUE(r.is_ok());
	return out;
}

Outcome run(FakeKernel& k, const std::vector<u8>& map, u64 max_dropped = 8, u64 gap_max = 1024,
	    unsigned shift = kShift)
{
	Outcome o = reserve_fake::walk(k, map.data(), map.size(), shift, max_dropped, gap_max);
	EXPECT_EQ(reserve_fake::violations(k, map.data(), map.size(), shift, max_dropped, gap_max, o),
		  "");
	return o;
}

bool same(const kho_run& a, const kho_run& b)
{
	return a.pfn == b.pfn && a.nr_pages == b.nr_pages && a.order == b.order;
}

void expect_line(const Dropped& d, kho_run run, const char* why)
{
	EXPECT_TRUE(same(d.run, run)) << reserve_fake::str(d.run) << " for " << reserve_fake::str(run);
	EXPECT_FALSE(d.has_other);
	EXPECT_EQ(d.why, why);
}

void expect_overlap_line(const Dropped& d, kho_run run, kho_run other)
{
	EXPECT_TRUE(same(d.run, run)) << reserve_fake::str(d.run) << " for " << reserve_fake::str(run);
	ASSERT_TRUE(d.has_other);
	EXPECT_TRUE(same(d.other, other))
		<< reserve_fake::str(d.other) << " for " << reserve_fake::str(other);
	EXPECT_EQ(d.why, reserve_fake::kOverlap);
}

void expect_result(const Outcome& o, u64 runs, u64 pages, u64 regions, u64 dropped)
{
	EXPECT_EQ(o.rc, 0);
	EXPECT_EQ(o.why, nullptr);
	EXPECT_EQ(o.result.runs, runs);
	EXPECT_EQ(o.result.pages, pages);
	EXPECT_EQ(o.result.regions, regions);
	EXPECT_EQ(o.result.dropped, dropped);
}

void expect_untouched(const FakeKernel& k, const Outcome& o, const char* why)
{
	EXPECT_EQ(o.rc, -KX_EINVAL);
	EXPECT_STREQ(o.why, why);
	EXPECT_FALSE(k.acted());
	EXPECT_EQ(k.reserve_calls, 0u);
	EXPECT_TRUE(k.marks.empty());
	EXPECT_TRUE(k.marked.empty());
	EXPECT_TRUE(k.dropped.empty());
	EXPECT_TRUE(k.add_gap_calls.empty());
}

TEST(Reserve, GoodRunsAreReservedAndMarkedInOneRegion)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x2000, 10).is_ok());
	ASSERT_TRUE(mem.preserve(0x2010, 2).is_ok());
	ASSERT_TRUE(mem.preserve(0x2200, 9).is_ok());
	ASSERT_TRUE(mem.preserve_pages(0x2400, 3).is_ok());  // adjacent to the order-9 folio
	FakeKernel k = kernel();
	Outcome o = run(k, encode(mem));
	expect_result(o, 4, 10 + 4 + 512 + 3, 1, 0);
	ASSERT_EQ(k.marks.size(), 4u);
	EXPECT_TRUE(same(k.marks[0], {0x2000, 10, 0}));
	EXPECT_TRUE(same(k.marks[1], {0x2010, 4, 2}));
	EXPECT_TRUE(same(k.marks[2], {0x2200, 512, 9}));
	EXPECT_TRUE(same(k.marks[3], {0x2400, 3, 0}));
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x2000, 0x2403}}));
	// Two gaps remembered; none between adjacent runs.
	const std::vector<Range> gaps = {{0x200a, 0x2010}, {0x2014, 0x2200}};
	EXPECT_EQ(k.add_gap_calls, gaps);
	EXPECT_EQ(k.gaps, gaps);
	EXPECT_TRUE(k.dropped.empty());
	EXPECT_TRUE(k.unmarks.empty());
	EXPECT_TRUE(k.forget_calls.empty());
	EXPECT_EQ(k.marked.total(), 529u);
}

TEST(Reserve, GapsUpToTheLimitJoinLargerOnesDoNot)
{
	PreservedMemory mem;
	for (u64 pfn : {0x2000, 0x2011, 0x2023})  // gaps of 16, then 17 pages
		ASSERT_TRUE(mem.preserve_pages(pfn, 1).is_ok());
	FakeKernel k = kernel();
	Outcome o = run(k, encode(mem), 8, 16);
	expect_result(o, 3, 3, 2, 0);
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x2000, 0x2012}, {0x2023, 0x2024}}));
	EXPECT_EQ(k.add_gap_calls, (std::vector<Range>{{0x2001, 0x2011}}));  // not the 17 pages
	EXPECT_EQ(k.gaps, (std::vector<Range>{{0x2001, 0x2011}}));

	// With no gap allowed, only adjacent runs join, of whatever order.
	PreservedMemory adj;
	ASSERT_TRUE(adj.preserve_pages(0x2000, 4).is_ok());
	ASSERT_TRUE(adj.preserve(0x2004, 2).is_ok());
	ASSERT_TRUE(adj.preserve_pages(0x2009, 1).is_ok());
	k = kernel();
	o = run(k, encode(adj), 8, 0);
	expect_result(o, 3, 9, 2, 0);
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x2000, 0x2008}, {0x2009, 0x200a}}));
	EXPECT_TRUE(k.add_gap_calls.empty());
	EXPECT_TRUE(k.gaps.empty());
}

TEST(Reserve, GapsThatAreNotFreeRamEndARegion)
{
	PreservedMemory mem;
	for (u64 pfn : {0x1000, 0x1010, 0x3000, 0x3010, 0x7fff0, 0x90010, 0xc0000, 0xc0010})
		ASSERT_TRUE(mem.preserve_pages(pfn, 1).is_ok());
	FakeKernel k;
	k.ram.add(kRamStart, 0x3005);  // a hole at 0x3005
	k.ram.add(0x3006, kRamEnd);
	k.scratch.add(kScratchStart, kScratchEnd);
	k.reserved.add(kFirmware, kFirmware + 1);
	Outcome o = run(k, encode(mem), 8, 0x20000);
	// Firmware data, a hole, scratch between pairs: not joined.  Gaps of
	// free RAM are.
	expect_result(o, 8, 8, 6, 0);
	const std::vector<Range> gaps = {{0x1011, 0x3000}, {0xc0001, 0xc0010}};
	EXPECT_EQ(k.add_gap_calls, gaps);
	EXPECT_EQ(k.gaps, gaps);
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x1000, 0x1001}, {0x1010, 0x3001},
						     {0x3010, 0x3011}, {0x7fff0, 0x7fff1},
						     {0x90010, 0x90011}, {0xc0000, 0xc0011}}));
}

TEST(Reserve, AFullGapTableEndsARegion)
{
	PreservedMemory mem;
	for (u64 pfn : {0x2000, 0x2010, 0x2020, 0x2030})
		ASSERT_TRUE(mem.preserve_pages(pfn, 1).is_ok());
	const auto map = encode(mem);
	FakeKernel k = kernel();
	k.gap_capacity = 1;
	Outcome o = run(k, map);
	expect_result(o, 4, 4, 3, 0);
	EXPECT_EQ(k.reserved_ok,
		  (std::vector<Range>{{0x2000, 0x2011}, {0x2020, 0x2021}, {0x2030, 0x2031}}));
	EXPECT_EQ(k.add_gap_calls,
		  (std::vector<Range>{{0x2001, 0x2010}, {0x2011, 0x2020}, {0x2021, 0x2030}}));
	EXPECT_EQ(k.gaps, (std::vector<Range>{{0x2001, 0x2010}}));

	k = kernel();
	k.gap_capacity = 0;  // one region per run
	o = run(k, map);
	expect_result(o, 4, 4, 4, 0);
	EXPECT_TRUE(k.gaps.empty());
	EXPECT_EQ(k.add_gap_calls.size(), 3u);
}

TEST(Reserve, RunsTheBootingKernelRefusesAreDroppedWithItsReason)
{
	// Extents, not PreservedMemory: its encoder cuts runs at chunk
	// boundaries, and these must stay whole.
	const auto map = extent_map({
		{0, 0x1000, 1},
		{0, kFirmware, 1},        // over firmware data
		{0, 0x1010, 1},
		{0, 0x40, 8},             // below RAM
		{0, 0xfff00, 0x200},      // runs past the end of RAM
		{0, 0x200000, 3},         // far outside RAM
		{4, 0x80010 >> 4, 1},     // in scratch
		{0, 0x7fff0, 0x20},       // across scratch's start
		{0, 0x7ffe0, 1},
		{0, 0x90000, 1},          // at scratch's end: fine
	});
	FakeKernel k = kernel();
	Outcome o = run(k, map, 8, 0x20000);
	expect_result(o, 10, 4, 4, 6);
	ASSERT_EQ(k.dropped.size(), 6u);
	expect_line(k.dropped[0], {0x40, 8, 0}, reserve_fake::kNotRam);
	expect_line(k.dropped[1], {kFirmware, 1, 0}, reserve_fake::kOverReserved);
	expect_line(k.dropped[2], {0x7fff0, 0x20, 0}, reserve_fake::kInScratch);
	expect_line(k.dropped[3], {0x80010, 16, 4}, reserve_fake::kInScratch);
	expect_line(k.dropped[4], {0xfff00, 0x200, 0}, reserve_fake::kNotRam);
	expect_line(k.dropped[5], {0x200000, 3, 0}, reserve_fake::kNotRam);
	// The good ones, never joined across what was dropped.
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x1000, 0x1001}, {0x1010, 0x1011},
						     {0x7ffe0, 0x7ffe1}, {0x90000, 0x90001}}));
	// Across firmware data and scratch: refused.
	EXPECT_TRUE(k.add_gap_calls.empty());
	EXPECT_TRUE(k.gaps.empty());
}

TEST(Reserve, RunsOverlappingAcrossOrdersAreDroppedInOneLine)
{
	// Pages 0x2002..0x2005 and the order-2 folio at 0x2004.
	auto map = extent_map({{0, 0x2002, 4}, {2, 0x2004 >> 2, 1}, {0, 0x3000, 1}});
	FakeKernel k = kernel();
	Outcome o = run(k, map);
	expect_result(o, 3, 1, 1, 2);
	ASSERT_EQ(k.dropped.size(), 1u);
	expect_overlap_line(k.dropped[0], {0x2002, 4, 0}, {0x2004, 4, 2});
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x3000, 0x3001}}));

	// Starting at the same page: the lower order comes first.
	map = extent_map({{3, 0x2000 >> 3, 1}, {0, 0x2000, 1}});
	k = kernel();
	o = run(k, map);
	expect_result(o, 2, 0, 0, 2);
	ASSERT_EQ(k.dropped.size(), 1u);
	expect_overlap_line(k.dropped[0], {0x2000, 1, 0}, {0x2000, 8, 3});
	EXPECT_EQ(k.reserve_calls, 0u);

	// A run entirely inside a folio of a higher order.
	map = extent_map({{9, 0x4000 >> 9, 1}, {0, 0x41ff, 1}});
	k = kernel();
	o = run(k, map);
	expect_result(o, 2, 0, 0, 2);
	ASSERT_EQ(k.dropped.size(), 1u);
	expect_overlap_line(k.dropped[0], {0x4000, 512, 9}, {0x41ff, 1, 0});
}

TEST(Reserve, ARunOverlappingAnEarlierBigRunIsDroppedOnItsOwn)
{
	// The order-9 folio [0x4000, 0x4200) overlaps the run after it (one
	// line for both) and, further on, a run that is not its neighbour.
	auto map = extent_map({{9, 0x4000 >> 9, 1}, {0, 0x4010, 2}, {0, 0x4100, 1},
			       {0, 0x3ff0, 1}, {0, 0x5000, 1}});
	FakeKernel k = kernel();
	Outcome o = run(k, map, 8, 0x2000);
	expect_result(o, 5, 2, 1, 3);
	ASSERT_EQ(k.dropped.size(), 2u);
	expect_overlap_line(k.dropped[0], {0x4000, 512, 9}, {0x4010, 2, 0});
	expect_line(k.dropped[1], {0x4100, 1, 0}, reserve_fake::kOverlapsAnother);
	// The good neighbours join across what was dropped, which is free RAM
	// now: the gap goes back to the allocator later.
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x3ff0, 0x5001}}));
	EXPECT_EQ(k.gaps, (std::vector<Range>{{0x3ff1, 0x5000}}));

	// A chain: each run overlaps the next; every one is named.
	map = extent_map({{3, 0x2000 >> 3, 1}, {0, 0x2004, 8}, {1, 0x200a >> 1, 2}});
	k = kernel();
	o = run(k, map);
	expect_result(o, 3, 0, 0, 3);
	ASSERT_EQ(k.dropped.size(), 2u);
	expect_overlap_line(k.dropped[0], {0x2000, 8, 3}, {0x2004, 8, 0});
	expect_overlap_line(k.dropped[1], {0x2004, 8, 0}, {0x200a, 4, 1});
}

TEST(Reserve, TooManyBadRunsChangeNothing)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x2000, 4).is_ok());
	ASSERT_TRUE(mem.preserve_pages(0x40, 1).is_ok());     // below RAM
	ASSERT_TRUE(mem.preserve_pages(0x80000, 1).is_ok());  // scratch
	ASSERT_TRUE(mem.preserve_pages(kFirmware, 1).is_ok());
	ASSERT_TRUE(mem.preserve_pages(0x3000, 4).is_ok());
	const auto map = encode(mem);
	for (u64 max : {0, 1, 2}) {
		SCOPED_TRACE(max);
		FakeKernel k = kernel();
		Outcome o = run(k, map, max);
		expect_untouched(k, o, reserve_fake::kTooMany);
	}
	FakeKernel k = kernel();
	Outcome o = run(k, map, 3);  // exactly as many as allowed
	expect_result(o, 5, 8, 2, 3);

	// An overlap counts both runs.
	auto overlap = extent_map({{0, 0x2000, 2}, {1, 0x1000, 1}, {0, 0x40, 1}});
	k = kernel();
	o = run(k, overlap, 2);
	expect_untouched(k, o, reserve_fake::kTooMany);
	k = kernel();
	o = run(k, overlap, 3);
	expect_result(o, 3, 0, 0, 3);

	// Nothing bad: zero allowed is fine.
	PreservedMemory good;
	ASSERT_TRUE(good.preserve_pages(0x2000, 4).is_ok());
	k = kernel();
	o = run(k, encode(good), 0);
	expect_result(o, 1, 4, 1, 0);
}

TEST(Reserve, AMalformedMapChangesNothing)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x2000, 4).is_ok());
	ASSERT_TRUE(mem.preserve(0x3000, 3).is_ok());
	ASSERT_TRUE(mem.preserve_pages(0x40, 1).is_ok());  // bad too: malformed wins
	const auto good = encode(mem);
	std::vector<std::vector<u8>> bad;
	bad.push_back({});
	bad.push_back(std::vector<u8>(8, 0));
	bad.push_back(std::vector<u8>(64, 0xa5));
	bad.push_back(std::vector<u8>(good.begin(), good.end() - 8));  // truncated
	auto grown = good;
	grown.resize(good.size() + 8);  // size field no longer the size
	bad.push_back(grown);
	for (size_t at : {size_t{0}, size_t{4}, size_t{12}, size_t{24}, size_t{32 + 9}}) {
		auto m = good;  // magic, version, block count, page count, a kind
		m[at] ^= 1;
		bad.push_back(m);
	}
	// Overlapping within one order; blocks out of order; a zero length.
	bad.push_back(extent_map({{0, 0x2000, 4}, {0, 0x2002, 4}}));
	bad.push_back(extent_map({{2, 0x800, 1}, {0, 0x2000, 1}}, kShift, false));
	bad.push_back(extent_map({{0, 0x2000, 0}}));
	for (size_t i = 0; i < bad.size(); i++) {
		SCOPED_TRACE(i);
		FakeKernel k = kernel();
		Outcome o = run(k, bad[i]);
		expect_untouched(k, o, reserve_fake::kMalformed);
	}
	// Another page size than the writer's.
	FakeKernel k = kernel();
	Outcome o = run(k, good, 8, 1024, 14);
	expect_untouched(k, o, reserve_fake::kMalformed);
	// No map at all.
	k = kernel();
	o = reserve_fake::walk(k, nullptr, 0, kShift, 8, 1024);
	expect_untouched(k, o, reserve_fake::kMalformed);
	// The good map itself is fine.
	k = kernel();
	o = run(k, good);
	expect_result(o, 3, 12, 2, 1);
}

// Three clusters, 2, 3 and 2 runs, apart by more than the gap limit.
std::vector<u8> three_clusters()
{
	PreservedMemory mem;
	for (u64 pfn : {0x2000, 0x2010})
		EXPECT_TRUE(mem.preserve_pages(pfn, 4).is_ok());
	EXPECT_TRUE(mem.preserve(0x3000, 2).is_ok());
	EXPECT_TRUE(mem.preserve_pages(0x3020, 1).is_ok());
	EXPECT_TRUE(mem.preserve_pages(0x3040, 2).is_ok());
	for (u64 pfn : {0x4000, 0x4080})
		EXPECT_TRUE(mem.preserve_pages(pfn, 1).is_ok());
	return encode(mem);
}

TEST(Reserve, AFailedReservationUndoesItsClusterOnly)
{
	const auto map = three_clusters();
	const Range c1 = {0x2000, 0x2014}, c2 = {0x3000, 0x3042}, c3 = {0x4000, 0x4081};
	const Range g1 = {0x2004, 0x2010}, g3 = {0x4001, 0x4080};

	FakeKernel k = kernel();
	k.fail_reserve = {2};
	Outcome o = run(k, map, 8, 0x100);
	expect_result(o, 7, 8 + 2, 2, 3);
	EXPECT_EQ(k.reserve_calls, 3u);
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{c1, c3}));
	EXPECT_EQ(k.reserve_failed, (std::vector<Range>{c2}));
	EXPECT_EQ(k.unmarks, (std::vector<Range>{c2}));          // exactly the cluster
	EXPECT_EQ(k.forget_calls, (std::vector<size_t>{1}));     // back to cluster 1's gap
	EXPECT_EQ(k.gaps, (std::vector<Range>{g1, g3}));
	EXPECT_EQ(k.marks.size(), 7u);                           // all marked, then undone
	ASSERT_EQ(k.dropped.size(), 1u);
	expect_line(k.dropped[0], {c2.start, c2.end - c2.start, 0}, reserve_fake::kCannotReserve);
	EXPECT_TRUE(k.marked.covers(c1.start, c1.start + 4));
	EXPECT_FALSE(k.marked.intersects(c2.start, c2.end));

	k = kernel();
	k.fail_reserve = {1};
	o = run(k, map, 8, 0x100);
	expect_result(o, 7, 7 + 2, 2, 2);
	EXPECT_EQ(k.forget_calls, (std::vector<size_t>{0}));
	EXPECT_EQ(k.unmarks, (std::vector<Range>{c1}));
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{c2, c3}));
	EXPECT_EQ(k.gaps.size(), 3u);

	k = kernel();
	k.fail_reserve = {3};
	k.reserve_errno = -KX_EBUSY;
	o = run(k, map, 8, 0x100);
	expect_result(o, 7, 8 + 7, 2, 2);
	EXPECT_EQ(k.forget_calls, (std::vector<size_t>{3}));
	EXPECT_EQ(k.unmarks, (std::vector<Range>{c3}));
	EXPECT_EQ(k.gaps.size(), 3u);

	k = kernel();
	k.fail_reserve = {1, 2, 3};
	o = run(k, map, 8, 0x100);
	expect_result(o, 7, 0, 0, 7);
	EXPECT_EQ(k.forget_calls, (std::vector<size_t>{0, 0, 0}));
	EXPECT_TRUE(k.gaps.empty());
	EXPECT_TRUE(k.marked.empty());
	EXPECT_EQ(k.dropped.size(), 3u);

	// Failures do not count against max_dropped: that is for bad runs.
	k = kernel();
	k.fail_reserve = {1, 2, 3};
	o = run(k, map, 0, 0x100);
	expect_result(o, 7, 0, 0, 7);
}

TEST(Reserve, AFailedReservationAfterAFullGapTable)
{
	// Cluster 1 takes the only gap slot; cluster 2 starts because the
	// table is full, and fails: nothing of cluster 1 is forgotten.
	PreservedMemory mem;
	for (u64 pfn : {0x2000, 0x2010, 0x2020})
		ASSERT_TRUE(mem.preserve_pages(pfn, 1).is_ok());
	FakeKernel k = kernel();
	k.gap_capacity = 1;
	k.fail_reserve = {2};
	Outcome o = run(k, encode(mem));
	expect_result(o, 3, 2, 1, 1);
	EXPECT_EQ(k.forget_calls, (std::vector<size_t>{1}));
	EXPECT_EQ(k.gaps, (std::vector<Range>{{0x2001, 0x2010}}));
	EXPECT_EQ(k.unmarks, (std::vector<Range>{{0x2020, 0x2021}}));
}

TEST(Reserve, TheCountsAddUp)
{
	// Good runs in two clusters (one fails), a refused run and an overlap.
	auto map = extent_map({{0, 0x2000, 3}, {0, 0x2008, 5}, {4, 0x3000 >> 4, 2},
			       {0, 0x3100, 1}, {0, 0x40, 1}, {0, 0x5000, 2}, {1, 0x5000 >> 1, 1}});
	FakeKernel k = kernel();
	k.fail_reserve = {2};
	Outcome o = run(k, map, 8, 0x200);
	EXPECT_EQ(o.rc, 0);
	EXPECT_EQ(o.result.runs, 7u);
	EXPECT_EQ(o.result.pages, 8u);
	EXPECT_EQ(o.result.regions, 1u);
	EXPECT_EQ(o.result.dropped, 2u + 1u + 2u);
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x2000, 0x200d}}));
	EXPECT_EQ(k.reserve_failed, (std::vector<Range>{{0x3000, 0x3101}}));
}

TEST(Reserve, HugeRunsCostNothingPerPage)
{
	// 2^36 pages (256 TiB) in one extent, and a folio of the largest order.
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(u64{1} << 36, u64{1} << 36).is_ok());
	ASSERT_TRUE(mem.preserve(u64{1} << 38, kho::kMaxOrder).is_ok());
	FakeKernel k;
	k.ram.add(u64{1} << 30, u64{1} << 40);
	Outcome o = run(k, encode(mem), 8, u64{1} << 40);
	expect_result(o, 2, (u64{1} << 36) + (u64{1} << kho::kMaxOrder), 1, 0);
	EXPECT_EQ(k.reserved_ok,
		  (std::vector<Range>{{u64{1} << 36, (u64{1} << 38) + (u64{1} << kho::kMaxOrder)}}));
}

TEST(Reserve, KeepOutRangesComeFirstAndEndARegion)
{
	// A low window and a kernel image, in bytes, the image not page aligned.
	const auto map = extent_map({
		{0, 0x100, 1},     // in RAM, but below the low window
		{0, 0x2000, 1},
		{0, 0x2100, 2},    // its second page holds the image's first byte
		{0, 0x2200, 1},    // past the image
		{0, 0x4000, 1},
	});
	FakeKernel k = kernel();
	k.keep_out = {{{0, 0x101000}, "below the low window"},
		      {{0x2101800, 0xfe800}, "overlaps this kernel's image"}};
	Outcome o = run(k, map, 8, 0x4000);
	expect_result(o, 5, 3, 2, 2);
	ASSERT_EQ(k.dropped.size(), 2u);
	expect_line(k.dropped[0], {0x100, 1, 0}, "below the low window");
	expect_line(k.dropped[1], {0x2100, 2, 0}, "overlaps this kernel's image");
	// The gap from 0x2001 to 0x2200 holds the image: no region across it.
	EXPECT_EQ(k.reserved_ok, (std::vector<Range>{{0x2000, 0x2001}, {0x2200, 0x4001}}));
}

TEST(Reserve, RunsBeyondThePhysicalAddressSpaceAreDropped)
{
	// With 64K pages a run must end at pfn 2^48 - 1 at most: its end's
	// address is the last one a u64 holds.
	constexpr u64 kTop = (u64{1} << 48) - 1;
	const auto map = extent_map({{0, 0x100, 1}, {0, kTop - 1, 1}, {0, kTop, 1}}, 16);
	FakeKernel k;
	k.ram.add(0x100, kTop);
	Outcome o = run(k, map, 8, 16, 16);
	expect_result(o, 3, 2, 2, 1);
	ASSERT_EQ(k.dropped.size(), 1u);
	expect_line(k.dropped[0], {kTop, 1, 0}, reserve_fake::kBeyond);
}

TEST(Reserve, ReservationsMadeOnTheWayDoNotHideLaterOnes)
{
	// Each run is a region of its own (gaps too large), each reservation
	// goes into the list before the next question; the firmware pages
	// after them must still be seen.
	std::vector<Extent> ex;
	FakeKernel k = kernel();
	for (u64 i = 0; i < 64; i++) {
		ex.push_back({0, 0x10000 + i * 0x100, 1});
		if (i % 8 == 7) {
			k.reserved.add(0x10000 + i * 0x100 + 0x80, 0x10000 + i * 0x100 + 0x81);
			ex.push_back({0, 0x10000 + i * 0x100 + 0x80, 1});  // on it
		}
	}
	const auto map = extent_map(ex);
	Outcome o = run(k, map, 8, 0x10);
	expect_result(o, 72, 64, 64, 8);
	for (const Dropped& d : k.dropped)
		EXPECT_EQ(d.why, reserve_fake::kOverReserved);
}

TEST(Reserve, QuestionsAboutMemoryCostAFewStepsPerRun)
{
	// 1024 runs between 1024 firmware pages and 16 holes in RAM: reading
	// RAM and reservations beside the runs costs a few steps per run and
	// region, where a search from the start each time would cost 500,000.
	std::vector<Extent> ex;
	FakeKernel k;
	for (u64 i = 0; i < 16; i++)
		k.ram.add(0x10000 + i * 0x1000, 0x10000 + (i + 1) * 0x1000 - 1);
	for (u64 i = 0; i < 1024; i++) {
		ex.push_back({0, 0x10000 + i * 0x40, 1});
		k.reserved.add(0x10000 + i * 0x40 + 0x20, 0x10000 + i * 0x40 + 0x21);
	}
	Outcome o = run(k, extent_map(ex), 8, 0x100);
	expect_result(o, 1024, 1024, 1024, 0);
	EXPECT_LT(k.memory_queries, 16u * (1024 + 1024 + 16));
}

// RAM counts whole pages inside a region, a reservation every page it
// touches: regions in bytes need not be page aligned.
namespace ragged {
const kho_phys_range kRam[] = {{0x1000800, 0x3000}, {0x1004000, 0xc000}};
const kho_phys_range kReserved[] = {{0x1005800, 0x100}};
std::vector<kho_run> dropped;
bool ram(kx_size_t i, kho_phys_range* r) { return i < 2 && (*r = kRam[i], true); }
bool reserved(kx_size_t i, kho_phys_range* r) { return i < 1 && (*r = kReserved[i], true); }
void gap_room(kx_u64) {}
int add_gap(kx_u64, kx_u64) { return -KX_ENOSPC; }
void forget_gaps(kx_size_t) {}
int reserve(kx_u64, kx_u64) { return 0; }
void mark(const kho_run*) {}
void unmark(kx_u64, kx_u64) {}
void drop(const kho_run* run, const kho_run*, const char*) { dropped.push_back(*run); }
}  // namespace ragged

TEST(Reserve, RegionsInBytesCountWholePages)
{
	const kho_reserve_ops ops = {ragged::ram, ragged::reserved, ragged::gap_room,
				     ragged::add_gap, ragged::forget_gaps, ragged::reserve,
				     ragged::mark, ragged::unmark, ragged::drop};
	const kho_reserve_policy policy = {kShift, nullptr, 0, 8, 0};
	const auto map = extent_map({{0, 0x1000, 2}, {0, 0x1003, 1}, {0, 0x1005, 2}});
	auto storage = std::make_unique<kho_memmap_sorted>();
	kho_reserve_result result;
	const char* why;
	ragged::dropped.clear();
	ASSERT_EQ(kho_reserve_preserved(map.data(), map.size(), &policy, &ops, storage.get(),
					&result, &why),
		  0);
	// 0x1000 is partly RAM, 0x1003 too; 0x1005 touches the reservation.
	ASSERT_EQ(ragged::dropped.size(), 3u);
	EXPECT_TRUE(same(ragged::dropped[0], {0x1000, 2, 0}));
	EXPECT_TRUE(same(ragged::dropped[1], {0x1003, 1, 0}));
	EXPECT_TRUE(same(ragged::dropped[2], {0x1005, 2, 0}));

	// Shifted by a page, the same runs are whole pages of RAM and clear of it.
	const auto fine = extent_map({{0, 0x1001, 2}, {0, 0x1004, 1}, {0, 0x1006, 2}});
	ragged::dropped.clear();
	ASSERT_EQ(kho_reserve_preserved(fine.data(), fine.size(), &policy, &ops, storage.get(),
					&result, &why),
		  0);
	EXPECT_TRUE(ragged::dropped.empty());
	EXPECT_EQ(result.pages, 5u);
}

TEST(Reserve, RunsAreCountedAndGapRoomAskedOnce)
{
	PreservedMemory mem;
	std::vector<u8> map = encode(mem);  // no blocks at all
	FakeKernel k = kernel();
	Outcome o = run(k, map);
	expect_result(o, 0, 0, 0, 0);
	EXPECT_EQ(k.reserve_calls, 0u);
	EXPECT_TRUE(k.gap_room_calls.empty());

	ASSERT_TRUE(mem.preserve_pages(0x2000, 10).is_ok());
	ASSERT_TRUE(mem.preserve_pages(0x2020, 5).is_ok());
	ASSERT_TRUE(mem.preserve(0x3000, 3).is_ok());
	map = encode(mem);
	k = kernel();
	o = run(k, map);
	expect_result(o, 3, 23, 2, 0);  // the last gap is too large
	EXPECT_EQ(k.gap_room_calls, std::vector<u64>{2});
	// Another page size, or a byte short: malformed.
	k = kernel();
	expect_untouched(k, run(k, map, 8, 1024, kShift + 1), reserve_fake::kMalformed);
	k = kernel();
	std::vector<u8> shorter(map.begin(), map.end() - 1);
	expect_untouched(k, run(k, shorter), reserve_fake::kMalformed);

	// Every other page: a bitmap block of 100 runs.
	PreservedMemory sparse;
	for (u64 i = 0; i < 100; i++)
		ASSERT_TRUE(sparse.preserve_pages(0x8000 + 2 * i, 1).is_ok());
	k = kernel();
	o = run(k, encode(sparse));
	expect_result(o, 100, 100, 1, 0);
	EXPECT_EQ(k.gaps.size(), 99u);
	EXPECT_EQ(k.gap_room_calls, std::vector<u64>{99});
}

// Random layouts and random maps, overlaps and failures included: the
// oracle must hold for every walk.
TEST(Reserve, RandomWalksKeepTheInvariant)
{
	std::mt19937_64 rng(12);
	auto pick = [&](u64 n) { return n ? rng() % n : 0; };
	unsigned ok = 0, refused = 0, failures = 0;
	for (int iter = 0; iter < 400; iter++) {
		FakeKernel k;
		const u64 span = 0x10000;
		for (int i = 0, n = 1 + pick(3); i < n; i++) {
			u64 s = pick(span);
			k.ram.add(s, s + 1 + pick(span / 2));
		}
		for (int i = 0, n = pick(3); i < n; i++) {
			u64 s = pick(span);
			k.scratch.add(s, s + 1 + pick(0x800));
		}
		for (int i = 0, n = pick(4); i < n; i++) {
			u64 s = pick(span);
			k.reserved.add(s, s + 1 + pick(16));
		}
		k.gap_capacity = pick(4) ? ~size_t{0} : pick(4);
		for (int i = 0, n = pick(3); i < n; i++)
			k.fail_reserve.insert(1 + pick(6));
		std::vector<Extent> ex;
		std::vector<u64> order_end(kho::kMaxOrder + 1, 0);
		std::vector<std::vector<Extent>> per_order(kho::kMaxOrder + 1);
		for (int i = 0, n = 1 + pick(24); i < n; i++) {
			unsigned order = pick(3) ? 0 : pick(10);
			u64 base = pick(span >> order), len = 1 + pick(pick(2) ? 4 : 64);
			per_order[order].push_back({order, base, len});
		}
		// Keep each order free of overlaps, unless this map is meant to
		// be malformed.
		const bool malformed = pick(10) == 0;
		for (auto& v : per_order) {
			std::sort(v.begin(), v.end(),
				  [](const Extent& a, const Extent& b) { return a.base < b.base; });
			u64 end = 0;
			for (const Extent& e : v) {
				if (e.base < end && !malformed)
					continue;
				ex.push_back(e);
				end = e.base + e.length;
			}
		}
		const auto map = extent_map(ex);
		const u64 max_dropped = pick(12), gap_max = pick(2) ? pick(64) : pick(0x2000);
		SCOPED_TRACE(iter);
		Outcome o = run(k, map, max_dropped, gap_max);
		ok += o.rc == 0;
		refused += o.rc != 0;
		failures += k.reserve_failed.size();
	}
	// The mix covers the interesting outcomes.
	EXPECT_GT(ok, 100u);
	EXPECT_GT(refused, 20u);
	EXPECT_GT(failures, 20u);
}

}  // namespace
