// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "kho/page_ranges.h"
#include "kho/page_ranges.hpp"
#include "kx_env_host.h"

using kho::PageRanges;
using kho::PageRun;
using kx::Errno;

namespace {

std::vector<PageRun> runs_of(const PageRanges& set)
{
	return {set.runs().begin(), set.runs().end()};
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

TEST(PageRanges, SplitThatCannotAllocateChangesNothing)
{
	PageRanges set;
	ASSERT_TRUE(set.add(0, 10).is_ok());
	for (kx::u64 pfn = 20; pfn < 24; pfn += 2)  // fill the first block
		ASSERT_TRUE(set.add(pfn, 1).is_ok());
	ASSERT_TRUE(set.add(30, 1).is_ok());
	auto before = runs_of(set);
	ASSERT_EQ(before.size(), 4u);
	{
		kx_host::FailAllocationAfter fail(0);
		EXPECT_EQ(set.remove(4, 2).error().code(), Errno::nomem);
	}
	EXPECT_EQ(runs_of(set), before);
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
	const PageRun* prev = nullptr;
	for (const PageRun& run : set.runs()) {
		if (prev) {
			ASSERT_LT(prev->end(), run.pfn);
		}
		for (kx::u64 p = run.pfn; p < run.end(); p++)
			ASSERT_TRUE(model.count(p));
		total += run.nr_pages;
		prev = &run;
	}
	EXPECT_EQ(total, model.size());
	for (kx::u64 p = 0; p < 2100; p++)
		ASSERT_EQ(set.contains(p), model.count(p) == 1) << p;
}

TEST(PageRangesC, ErrnoValuesCrossTheBoundary)
{
	kho_page_ranges* set = kho_page_ranges_create();
	ASSERT_NE(set, nullptr);
	EXPECT_EQ(kho_page_ranges_add(set, 1, 1), 0);
	EXPECT_EQ(kho_page_ranges_add(set, 1, 1), -KX_EEXIST);
	EXPECT_EQ(kho_page_ranges_remove(set, 7, 1), -KX_ENOENT);
	kx_u64 pfn = 0, nr = 0;
	EXPECT_EQ(kho_page_ranges_run(set, 0, &pfn, &nr), 0);
	EXPECT_EQ(pfn, 1u);
	EXPECT_EQ(nr, 1u);
	EXPECT_EQ(kho_page_ranges_run(set, 1, &pfn, &nr), -KX_ERANGE);
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
