// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "kho/mem_map.h"
#include "kho/mem_map.hpp"

using kho::MemMapReader;
using kho::PreservedMemory;
using kho::PreservedRun;
using kx::Errno;
using kx::u64;
using kx::u8;

namespace {

constexpr unsigned kShift = 12;

std::vector<u8> encode(const PreservedMemory& mem)
{
	std::vector<u8> out(mem.encoded_size());
	auto r = mem.encode({out.data(), out.size()}, kShift);
	EXPECT_TRUE(r.is_ok());
	EXPECT_EQ(r.value(), out.size());
	return out;
}

// pfn -> order of every preserved page, read back through the reader.
std::map<u64, unsigned> decode(const std::vector<u8>& map)
{
	std::map<u64, unsigned> pages;
	MemMapReader reader({map.data(), map.size()}, kShift);
	EXPECT_TRUE(reader.start().is_ok());
	PreservedRun run;
	for (;;) {
		auto more = reader.next(run);
		EXPECT_TRUE(more.is_ok());
		if (!more.is_ok() || !more.value())
			break;
		for (u64 p = run.pfn; p < run.pfn + run.nr_pages; p++)
			pages[p] = run.order;
	}
	return pages;
}

TEST(PreservedMemory, FoliosOfEveryOrderRoundTrip)
{
	std::mt19937_64 rng(7);
	PreservedMemory mem;
	std::map<u64, unsigned> want;
	for (int i = 0; i < 3000; i++) {
		unsigned order = rng() % 11;
		u64 pfn = (rng() % (1u << 22)) & ~((u64{1} << order) - 1);
		if (mem.preserve(pfn, order).is_ok())
			for (u64 p = pfn; p < pfn + (u64{1} << order); p++)
				want[p] = order;
	}
	ASSERT_TRUE(mem.preserve_pages(1u << 23, 100000).is_ok());
	for (u64 p = 1u << 23; p < (1u << 23) + 100000; p++)
		want[p] = 0;
	EXPECT_EQ(decode(encode(mem)), want);
	EXPECT_EQ(mem.nr_pages(), want.size());
}

TEST(PreservedMemory, OverlappingFoliosAreRefused)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve(1024, 4).is_ok());
	EXPECT_EQ(mem.preserve(1030, 0).error().code(), Errno::exist);
	EXPECT_EQ(mem.preserve(1024, 5).error().code(), Errno::exist);
	EXPECT_EQ(mem.preserve_pages(1000, 30).error().code(), Errno::exist);
	EXPECT_EQ(mem.preserve(1025, 1).error().code(), Errno::inval);  // misaligned
	EXPECT_EQ(mem.preserve(0, kho::kMaxOrder + 1).error().code(), Errno::inval);
	EXPECT_TRUE(mem.is_preserved(1024, 4));
	EXPECT_FALSE(mem.is_preserved(1024, 3));
	ASSERT_TRUE(mem.unpreserve(1024, 4).is_ok());
	EXPECT_TRUE(mem.empty());
	EXPECT_EQ(mem.unpreserve(1024, 4).error().code(), Errno::noent);
}

TEST(PreservedMemory, OneRangeOfAnySizeFitsInSixtyFourBytes)
{
	for (u64 nr : {u64{1}, u64{1000}, u64{1} << 18, u64{1} << 30}) {
		PreservedMemory mem;
		ASSERT_TRUE(mem.preserve_pages(12345, nr).is_ok());
		EXPECT_LE(mem.encoded_size(), 64u) << nr;
		auto pages = encode(mem);
		MemMapReader reader({pages.data(), pages.size()}, kShift);
		ASSERT_TRUE(reader.start().is_ok());
		PreservedRun run;
		ASSERT_TRUE(reader.next(run).value());
		EXPECT_EQ(run.pfn, 12345u);
		EXPECT_EQ(run.nr_pages, nr);
		EXPECT_FALSE(reader.next(run).value());
	}
}

// Metadata never exceeds 1.03 x the better of a range list (16 bytes per
// run) and a bitmap over the span, plus 4 KiB per 128 MiB touched.
TEST(PreservedMemory, SizeStaysWithinTheTargetAtEveryDensity)
{
	const u64 span = (1u << 30) >> kShift;  // 1 GiB of 4 KiB pages
	for (int percent : {1, 10, 50, 90, 100}) {
		std::mt19937_64 rng(percent);
		PreservedMemory mem;
		for (u64 p = 0; p < span; p++)
			if (static_cast<int>(rng() % 100) < percent) {
				ASSERT_TRUE(mem.preserve_pages(p, 1).is_ok());
			}
		const auto& runs = mem.order(0).runs();
		u64 list = kho::RangeListEncoding().size_bytes(runs);
		u64 bitmap = kho::BitmapEncoding().size_bytes(runs);
		u64 chunks = span / KHO_MEMMAP_CHUNK;
		double budget = 1.03 * static_cast<double>(std::min(list, bitmap)) + 4096.0 * chunks;
		EXPECT_LE(static_cast<double>(mem.encoded_size()), budget) << percent << "%";
		EXPECT_EQ(decode(encode(mem)).size(), mem.nr_pages());
	}
}

TEST(MemMapReader, RejectsWrongHeaders)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(100, 10).is_ok());
	auto good = encode(mem);
	EXPECT_TRUE(MemMapReader::validate({good.data(), good.size()}, kShift).is_ok());
	EXPECT_EQ(MemMapReader::validate({good.data(), good.size()}, 16).error().code(), Errno::inval);
	EXPECT_TRUE(MemMapReader::validate({good.data(), good.size() - 1}, kShift).is_error());
	auto bad = good;
	bad[0] ^= 1;  // magic
	EXPECT_TRUE(MemMapReader::validate({bad.data(), bad.size()}, kShift).is_error());
	bad = good;
	bad[24] ^= 1;  // declared page count
	EXPECT_TRUE(MemMapReader::validate({bad.data(), bad.size()}, kShift).is_error());
	EXPECT_TRUE(MemMapReader::validate({good.data(), 0}, kShift).is_error());
}

// Every single-byte corruption of a map either is rejected or still reads
// as a consistent map; the reader never reads out of bounds (ASan).
TEST(MemMapReader, SurvivesEveryByteFlip)
{
	std::mt19937_64 rng(99);
	PreservedMemory mem;
	for (int i = 0; i < 200; i++)
		(void)mem.preserve((rng() % (1u << 20)) & ~u64{7}, rng() % 4);
	auto good = encode(mem);
	for (size_t i = 0; i < good.size(); i++) {
		for (u8 flip : {u8{0x01}, u8{0x80}, u8{0xff}}) {
			auto bad = good;
			bad[i] ^= flip;
			(void)MemMapReader::validate({bad.data(), bad.size()}, kShift);
		}
	}
}

}  // namespace

namespace {

TEST(SortedMemMapReader, MergesAllOrdersInAddressOrder)
{
	std::mt19937_64 rng(5);
	PreservedMemory mem;
	for (int i = 0; i < 2000; i++) {
		unsigned order = rng() % 8;
		(void)mem.preserve((rng() % (1u << 20)) & ~((u64{1} << order) - 1), order);
	}
	auto map = encode(mem);
	auto want = decode(map);
	kho::SortedMemMapReader reader({map.data(), map.size()}, kShift);
	PreservedRun run;
	u64 last_end = 0, pages = 0;
	for (;;) {
		auto more = reader.next(run);
		ASSERT_TRUE(more.is_ok());
		if (!more.value())
			break;
		ASSERT_GE(run.pfn, last_end);  // ascending, disjoint
		for (u64 p = run.pfn; p < run.pfn + run.nr_pages; p++)
			ASSERT_EQ(want.at(p), run.order);
		pages += run.nr_pages;
		last_end = run.pfn + run.nr_pages;
	}
	EXPECT_EQ(pages, want.size());
}

}  // namespace

// The walk the restore side takes over a map: heads of the folios in a
// range, runs with a missing end frame skipped whole, early stop.
struct HeadWalk {
	static inline std::vector<std::pair<u64, unsigned>> seen;
	static inline u64 missing = ~u64{0};  // a page frame this boot lacks
	static inline u64 stop_at = ~u64{0};

	static bool exists(kx_u64 pfn) { return pfn != missing; }
	static bool visit(kx_u64 head, unsigned int order)
	{
		seen.emplace_back(head, order);
		return head == stop_at;
	}

	static std::vector<std::pair<u64, unsigned>> run(const std::vector<u8>& map, u64 pfn, u64 nr,
							 bool* stopped = nullptr)
	{
		static constexpr kho_head_ops ops{exists, visit};
		seen.clear();
		bool s = kho_memmap_for_each_head(map.data(), map.size(), kShift, pfn, nr, &ops);
		if (stopped)
			*stopped = s;
		return seen;
	}
};

using Heads = std::vector<std::pair<u64, unsigned>>;

TEST(MemMapHeadWalk, VisitsTheHeadsOfTheFoliosInTheRange)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x100, 3).is_ok());
	ASSERT_TRUE(mem.preserve(0x200, 2).is_ok());
	ASSERT_TRUE(mem.preserve(0x204, 2).is_ok());
	const auto map = encode(mem);

	EXPECT_EQ(HeadWalk::run(map, 0, 0),
		  (Heads{{0x100, 0}, {0x101, 0}, {0x102, 0}, {0x200, 2}, {0x204, 2}}));
	// A range starting inside a folio begins at its head.
	EXPECT_EQ(HeadWalk::run(map, 0x203, 2), (Heads{{0x200, 2}, {0x204, 2}}));
	EXPECT_EQ(HeadWalk::run(map, 0x101, 1), (Heads{{0x101, 0}}));
	EXPECT_EQ(HeadWalk::run(map, 0x103, 0xfd), Heads{});
	// A range reaching past the end of the address space is all of it.
	EXPECT_EQ(HeadWalk::run(map, 0x204, ~u64{0}), (Heads{{0x204, 2}}));
}

TEST(MemMapHeadWalk, SkipsRunsWithAMissingEndAndStopsWhenAsked)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x100, 3).is_ok());
	ASSERT_TRUE(mem.preserve(0x200, 2).is_ok());
	const auto map = encode(mem);
	bool stopped = true;

	HeadWalk::missing = 0x102;
	EXPECT_EQ(HeadWalk::run(map, 0, 0, &stopped), (Heads{{0x200, 2}}));
	EXPECT_FALSE(stopped);
	HeadWalk::missing = ~u64{0};
	HeadWalk::stop_at = 0x101;
	EXPECT_EQ(HeadWalk::run(map, 0, 0, &stopped), (Heads{{0x100, 0}, {0x101, 0}}));
	EXPECT_TRUE(stopped);
	HeadWalk::stop_at = ~u64{0};
}

TEST(MemMapHeadWalk, AMalformedMapEndsTheWalk)
{
	PreservedMemory mem;
	ASSERT_TRUE(mem.preserve(0x200, 2).is_ok());
	auto map = encode(mem);
	bool stopped = true;

	map[0] ^= 0xff;  // the magic
	EXPECT_EQ(HeadWalk::run(map, 0, 0, &stopped), Heads{});
	EXPECT_FALSE(stopped);
	EXPECT_EQ(HeadWalk::run({}, 0, 0, &stopped), Heads{});
}
