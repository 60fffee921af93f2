// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include <kho/abi/memmap.h>

#include "kunit/cxx_face.h"
#include "kho/page_ranges.hpp"
#include "kx_env_host.h"

using kho::PageRanges;
using kho::PageRun;
using kx::Errno;
using kx::u64;

namespace {

constexpr u64 kChunk = KHO_MEMMAP_CHUNK;

std::vector<PageRun> runs_of(const PageRanges& set)
{
	std::vector<PageRun> runs;
	kho::RunCursor cursor = set.runs();
	for (PageRun run; cursor.next(run);)
		runs.push_back(run);
	return runs;
}

TEST(PageRanges, AdjacentAddsMergeIntoOneRun)
{
	PageRanges set;
	ASSERT_TRUE(set.add(10, 2).is_ok());
	ASSERT_TRUE(set.add(14, 2).is_ok());
	ASSERT_TRUE(set.add(12, 2).is_ok());  // bridges both neighbours
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{10, 6}}));
	EXPECT_EQ(set.nr_pages(), 6u);
}

TEST(PageRanges, OverlapIsRefusedAndLeavesTheSetAlone)
{
	PageRanges set;
	ASSERT_TRUE(set.add(100, 10).is_ok());
	EXPECT_EQ(set.add(109, 1).error().code(), Errno::exist);
	EXPECT_EQ(set.add(90, 11).error().code(), Errno::exist);
	EXPECT_EQ(set.add(0, 1000).error().code(), Errno::exist);
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{100, 10}}));
}

TEST(PageRanges, EmptyAndWrappingRunsAreInvalid)
{
	PageRanges set;
	EXPECT_EQ(set.add(5, 0).error().code(), Errno::inval);
	EXPECT_EQ(set.add(~0ull, 2).error().code(), Errno::inval);
	EXPECT_EQ(set.remove(5, 0).error().code(), Errno::inval);
}

TEST(PageRanges, RemoveTrimsAndSplits)
{
	PageRanges set;
	ASSERT_TRUE(set.add(0, 10).is_ok());
	ASSERT_TRUE(set.remove(0, 1).is_ok());
	ASSERT_TRUE(set.remove(9, 1).is_ok());
	ASSERT_TRUE(set.remove(4, 2).is_ok());
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{1, 3}, {6, 3}}));
	EXPECT_EQ(set.remove(3, 4).error().code(), Errno::noent);  // spans a hole
	EXPECT_EQ(set.remove(20, 1).error().code(), Errno::noent);
}

// Splitting a full chunk needs a bitmap; without one, nothing changes.
// Taking back what was handed over never fails: a split's storage comes
// from allocations that cannot fail.
TEST(PageRanges, SplitWorksWhenAllocationsFail)
{
	PageRanges set;
	ASSERT_TRUE(set.add(0, 3 * kChunk).is_ok());
	{
		kx_host::FailAllocationAfter fail(0);
		ASSERT_TRUE(set.remove(kChunk + 4, 2).is_ok());
	}
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{0, kChunk + 4}, {kChunk + 6, 2 * kChunk - 6}}));
	EXPECT_EQ(set.nr_pages(), 3 * kChunk - 2);
}

TEST(PageRanges, MatchesASetOfPagesUnderRandomOperations)
{
	std::mt19937_64 rng(12345);
	PageRanges set;
	std::set<kx::u64> model;

	for (int step = 0; step < 20000; step++) {
		kx::u64 pfn = rng() % 2048, nr = 1 + rng() % 16;
		bool any = false, all = true;
		for (kx::u64 p = pfn; p < pfn + nr; p++) {
			bool in = model.count(p);
			any |= in;
			all &= in;
		}
		if (rng() % 3) {
			auto r = set.add(pfn, nr);
			ASSERT_EQ(r.is_ok(), !any) << "add " << pfn << "+" << nr;
			if (r.is_ok())
				for (kx::u64 p = pfn; p < pfn + nr; p++)
					model.insert(p);
		} else {
			auto r = set.remove(pfn, nr);
			if (r.is_ok()) {
				ASSERT_TRUE(all);
				for (kx::u64 p = pfn; p < pfn + nr; p++)
					model.erase(p);
			} else {
				ASSERT_EQ(r.error().code(), Errno::noent);
			}
		}
	}
	// Runs are sorted, disjoint and never adjacent, and cover the model.
	kx::u64 total = 0;
	const auto runs = runs_of(set);
	for (size_t i = 0; i < runs.size(); i++) {
		if (i) {
			ASSERT_LT(runs[i - 1].end(), runs[i].pfn);
		}
		for (kx::u64 p = runs[i].pfn; p < runs[i].end(); p++)
			ASSERT_TRUE(model.count(p));
		total += runs[i].nr_pages;
	}
	EXPECT_EQ(total, model.size());
	EXPECT_EQ(set.nr_pages(), model.size());
	for (kx::u64 p = 0; p < 2100; p++)
		ASSERT_EQ(set.contains(p), model.count(p) == 1) << p;
}

// --- The chunked radix tree behind the set ---

// Runs merge across chunk boundaries and across the boundary of a subtree
// that became full, and the tree grows to reach them.
TEST(PageRangesTree, RunsMergeAcrossChunkAndSubtreeBoundaries)
{
	const long base = kx_live_allocations();
	PageRanges set;
	ASSERT_TRUE(set.add(kChunk, 1).is_ok());
	ASSERT_TRUE(set.add(kChunk - 1, 1).is_ok());
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{kChunk - 1, 2}}));
	ASSERT_TRUE(set.add(0, kChunk - 1).is_ok());
	ASSERT_TRUE(set.add(kChunk + 1, 63 * kChunk - 1).is_ok());  // chunks 0..63: all full
	EXPECT_EQ(kx_live_allocations(), base);  // the root itself is full: no storage
	ASSERT_TRUE(set.add(64 * kChunk, 5).is_ok());               // the next subtree
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{0, 64 * kChunk + 5}}));
	EXPECT_TRUE(set.contains(64 * kChunk - 1));
	EXPECT_TRUE(set.contains(64 * kChunk + 4));
	EXPECT_FALSE(set.contains(64 * kChunk + 5));
	EXPECT_TRUE(set.intersects(64 * kChunk + 4, ~0ull));
	EXPECT_FALSE(set.intersects(64 * kChunk + 5, ~0ull));
	ASSERT_TRUE(set.remove(64 * kChunk - 2, 4).is_ok());
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{0, 64 * kChunk - 2}, {64 * kChunk + 2, 3}}));
	EXPECT_EQ(set.remove(64 * kChunk - 3, 2).error().code(), Errno::noent);
	EXPECT_EQ(set.nr_pages(), 64 * kChunk + 1);
}

// A chunk whose every page is added, in any order, gives its bitmap back;
// removing a page from it takes a bitmap again.
TEST(PageRangesTree, FullChunkCollapsesAndSplits)
{
	const long base = kx_live_allocations();
	{
		PageRanges set;
		std::vector<u64> pages(kChunk);
		for (u64 i = 0; i < kChunk; i++)
			pages[i] = kChunk + i;
		std::shuffle(pages.begin(), pages.end(), std::mt19937_64(3));
		for (u64 pfn : pages)
			ASSERT_TRUE(set.add(pfn, 1).is_ok());
		EXPECT_EQ(kx_live_allocations() - base, 1);  // the root node only
		EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{kChunk, kChunk}}));
		ASSERT_TRUE(set.remove(kChunk + 100, 1).is_ok());
		EXPECT_EQ(kx_live_allocations() - base, 2);  // and a bitmap
		EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{kChunk, 100}, {kChunk + 101, kChunk - 101}}));
		ASSERT_TRUE(set.add(kChunk + 100, 1).is_ok());
		EXPECT_EQ(kx_live_allocations() - base, 1);
		for (u64 pfn : pages)
			ASSERT_TRUE(set.remove(pfn, 1).is_ok());
		EXPECT_EQ(kx_live_allocations(), base);
		EXPECT_TRUE(set.empty());
		EXPECT_TRUE(runs_of(set).empty());
	}
	EXPECT_EQ(kx_live_allocations(), base);
}

// Memory follows the ends of a range, never its length: a range of a
// billion pages, or of every index there is, takes a few tree nodes and at
// most two bitmaps.
TEST(PageRangesTree, HugeExtentsCostAFewNodes)
{
	const long base = kx_live_allocations();
	PageRanges set;
	const u64 billion = 1000000000;
	ASSERT_TRUE(set.add(12345, billion).is_ok());
	EXPECT_LE(kx_live_allocations() - base, 8);
	EXPECT_EQ(set.nr_pages(), billion);
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{12345, billion}}));
	const u64 middle = 12345 + billion / 2;
	ASSERT_TRUE(set.remove(middle, 1).is_ok());
	EXPECT_LE(kx_live_allocations() - base, 16);
	EXPECT_EQ(runs_of(set),
		  (std::vector<PageRun>{{12345, middle - 12345}, {middle + 1, 12345 + billion - middle - 1}}));
	ASSERT_TRUE(set.remove(12345, middle - 12345).is_ok());
	ASSERT_TRUE(set.remove(middle + 1, 12345 + billion - middle - 1).is_ok());
	EXPECT_EQ(kx_live_allocations(), base);

	// Index ~0 can never be added: a run would wrap.
	ASSERT_TRUE(set.add(0, ~0ull).is_ok());
	EXPECT_EQ(set.nr_pages(), ~0ull);
	EXPECT_TRUE(set.contains(~0ull - 1));
	EXPECT_FALSE(set.contains(~0ull));
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{0, ~0ull}}));
	EXPECT_LE(kx_live_allocations() - base, 20);
	ASSERT_TRUE(set.remove(u64{1} << 40, 1).is_ok());
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{0, u64{1} << 40}, {(u64{1} << 40) + 1, ~0ull - (u64{1} << 40) - 1}}));
	EXPECT_LE(kx_live_allocations() - base, 40);
	set.clear();
	EXPECT_EQ(kx_live_allocations(), base);
	ASSERT_TRUE(set.add(~0ull - 1, 1).is_ok());
	EXPECT_EQ(runs_of(set), (std::vector<PageRun>{{~0ull - 1, 1}}));
}

std::vector<PageRun> runs_of(const std::set<u64>& model)
{
	std::vector<PageRun> runs;
	for (u64 p : model) {
		if (!runs.empty() && runs.back().end() == p)
			runs.back().nr_pages++;
		else
			runs.push_back({p, 1});
	}
	return runs;
}

// Adds and removes of any length, over a few chunks, against a set of
// pages: full chunks form and split, and the tree grows and shrinks.
TEST(PageRangesTree, MatchesASetOfPagesAcrossChunks)
{
	std::mt19937_64 rng(2024);
	const long base = kx_live_allocations();
	PageRanges set;
	std::set<u64> model;
	const u64 span = 5 * kChunk;
	for (int step = 0; step < 6000; step++) {
		const u64 pfn = (rng() % 8 == 0 ? 64 * kChunk : 0) + rng() % span;
		const u64 nr = rng() % 10 == 0 ? 1 + rng() % (2 * kChunk) : 1 + rng() % 64;
		auto it = model.lower_bound(pfn);
		const bool any = it != model.end() && *it < pfn + nr;
		u64 present = 0;
		for (; it != model.end() && *it < pfn + nr && present < nr; ++it)
			present++;
		const bool all = present == nr;
		ASSERT_EQ(set.intersects(pfn, pfn + nr - 1), any);
		if (rng() % 2) {
			auto r = set.add(pfn, nr);
			ASSERT_EQ(r.is_ok(), !any) << "add " << pfn << "+" << nr;
			if (r.is_error()) {
				ASSERT_EQ(r.error().code(), Errno::exist);
				continue;
			}
			for (u64 p = pfn; p < pfn + nr; p++)
				model.insert(p);
		} else {
			auto r = set.remove(pfn, nr);
			ASSERT_EQ(r.is_ok(), all) << "remove " << pfn << "+" << nr;
			if (r.is_error()) {
				ASSERT_EQ(r.error().code(), Errno::noent);
				continue;
			}
			model.erase(model.lower_bound(pfn), model.lower_bound(pfn + nr));
		}
		ASSERT_EQ(set.nr_pages(), model.size());
		if (step % 250 == 0) {
			ASSERT_EQ(runs_of(set), runs_of(model)) << "step " << step;
		}
	}
	EXPECT_EQ(runs_of(set), runs_of(model));
	for (int i = 0; i < 2000; i++) {
		const u64 p = rng() % (65 * kChunk);
		ASSERT_EQ(set.contains(p), model.count(p) == 1) << p;
	}
	for (const PageRun& run : runs_of(model))
		ASSERT_TRUE(set.remove(run.pfn, run.nr_pages).is_ok());
	EXPECT_EQ(kx_live_allocations(), base);
}

TEST(PageRangesC, ErrnoValuesCrossTheBoundary)
{
	kho_page_ranges* set = kho_page_ranges_create();
	ASSERT_NE(set, nullptr);
	EXPECT_EQ(kho_page_ranges_add(set, 1, 1), 0);
	EXPECT_EQ(kho_page_ranges_add(set, 1, 1), -KX_EEXIST);
	EXPECT_EQ(kho_page_ranges_remove(set, 7, 1), -KX_ENOENT);
	EXPECT_EQ(kho_page_ranges_add(set, 2, kChunk), 0);
	EXPECT_EQ(kho_page_ranges_add(set, 3 * kChunk, 1), 0);
	EXPECT_EQ(kho_page_ranges_nr_runs(set), 2u);
	kho_page_ranges_cursor cur;
	kho_page_ranges_cursor_start(&cur, set);
	kx_u64 pfn = 0, nr = 0;
	EXPECT_EQ(kho_page_ranges_cursor_next(&cur, &pfn, &nr), 1);
	EXPECT_EQ(pfn, 1u);
	EXPECT_EQ(nr, kChunk + 1);
	EXPECT_EQ(kho_page_ranges_cursor_next(&cur, &pfn, &nr), 1);
	EXPECT_EQ(pfn, 3 * kChunk);
	EXPECT_EQ(nr, 1u);
	EXPECT_EQ(kho_page_ranges_cursor_next(&cur, &pfn, &nr), 0);
	EXPECT_EQ(kho_page_ranges_cursor_next(&cur, &pfn, &nr), 0);
	kho_page_ranges_destroy(set);
}

TEST(PageRangesC, CreateReportsAllocationFailure)
{
	kx_host::FailAllocationAfter fail(0);
	EXPECT_EQ(kho_page_ranges_create(), nullptr);
}

TEST(Encoding, RangeListAndBitmapSizes)
{
	PageRanges set;
	kho::RangeListEncoding list;
	kho::BitmapEncoding bitmap;
	const kho::Encoding& as_list = list;
	const kho::Encoding& as_bitmap = bitmap;

	EXPECT_EQ(as_list.size_bytes(set.runs()), 0u);
	EXPECT_EQ(as_bitmap.size_bytes(set.runs()), 0u);
	ASSERT_TRUE(set.add(0, 1).is_ok());
	ASSERT_TRUE(set.add(64, 1).is_ok());
	EXPECT_EQ(as_list.size_bytes(set.runs()), 32u);
	EXPECT_EQ(as_bitmap.size_bytes(set.runs()), 16u);  // 65 bits -> 2 words
	EXPECT_STREQ(as_list.name(), "range-list");
	EXPECT_STREQ(as_bitmap.name(), "bitmap");
}

}  // namespace
