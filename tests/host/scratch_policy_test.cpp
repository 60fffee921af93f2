// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include "kho/scratch_policy.hpp"

using kx::Errno;
using kx::u64;

namespace {

constexpr u64 MiB = u64{1} << 20, GiB = u64{1} << 30;
constexpr kho_memory_facts kFacts = {8 * GiB, 300 * MiB, 4096, 64, 2 * MiB, 0};

TEST(ScratchParam, SizesAndShares)
{
	EXPECT_EQ(kho::parse_scratch_param("512M").value().value, 512 * MiB);
	EXPECT_EQ(kho::parse_scratch_param("1g").value().value, GiB);
	EXPECT_EQ(kho::parse_scratch_param("4096").value().value, 4096u);
	auto pct = kho::parse_scratch_param("5%").value();
	EXPECT_EQ(pct.kind, KHO_SCRATCH_PERCENT);
	EXPECT_EQ(pct.value, 5u);
}

TEST(ScratchParam, RejectsNonsense)
{
	for (const char* bad : {"", "0", "M", "12Q", "5%%", "51%", "1.5G", "-1M", "99999999999999999999",
				"17179869184T"})
		EXPECT_EQ(kho::parse_scratch_param(bad).error().code(), Errno::inval) << bad;
	EXPECT_TRUE(kho::parse_scratch_param(nullptr).is_error());
}

TEST(ScratchPlan, AutomaticCountsTheNextKernelsPageDescriptors)
{
	auto plan = kho::plan_scratch({}, kFacts).value();
	// 8 GiB of 4 KiB pages at 64 bytes each: 128 MiB, 1.56% of RAM.
	EXPECT_EQ(kho::memmap_bytes(kFacts), 128 * MiB);
	EXPECT_EQ(plan.total(), 128 * MiB + 2 * (300 - 128) * MiB + 64 * MiB);
	EXPECT_EQ(plan.low, 68 * MiB);  // an eighth of 536 MiB, rounded up to 2 MiB
	EXPECT_EQ(plan.total() % (2 * MiB), 0u);
}

TEST(ScratchPlan, ExplicitSizesAreRoundedAndSplit)
{
	auto plan = kho::plan_scratch({KHO_SCRATCH_BYTES, 511 * MiB}, kFacts).value();
	EXPECT_EQ(plan.total(), 512 * MiB);
	EXPECT_EQ(plan.low, 64 * MiB);
	auto pct = kho::plan_scratch({KHO_SCRATCH_PERCENT, 5}, kFacts).value();
	EXPECT_EQ(pct.total(), (8 * GiB / 100 * 5 + 2 * MiB - 1) / (2 * MiB) * (2 * MiB));
	EXPECT_EQ(kho::plan_scratch({KHO_SCRATCH_BYTES, 16 * GiB}, kFacts).error().code(),
		  Errno::inval);
}

TEST(ScratchPlan, EachPartIsAtLeastAPageblock)
{
	// 64 KiB pages: 512 MiB pageblocks.
	kho_memory_facts big = kFacts;
	big.page_size = 64 * 1024;
	big.align = 512 * MiB;
	auto plan = kho::plan_scratch({KHO_SCRATCH_BYTES, 192 * MiB}, big).value();
	EXPECT_EQ(plan.low, 512 * MiB);
	EXPECT_EQ(plan.main, 512 * MiB);
	big.ram_bytes = 1 * GiB;  // no room for two
	EXPECT_EQ(kho::plan_scratch({KHO_SCRATCH_BYTES, 192 * MiB}, big).error().code(),
		  Errno::inval);
	auto small = kho::plan_scratch({KHO_SCRATCH_BYTES, 1 * MiB}, kFacts).value();
	EXPECT_EQ(small.low, 2 * MiB);
	EXPECT_EQ(small.main, 2 * MiB);
}

TEST(ScratchPlan, NextKernelNeed)
{
	EXPECT_EQ(kho::next_kernel_need(kFacts, MiB), 128 * MiB + MiB + 32 * MiB);
	// A KASAN kernel's shadow, an eighth of RAM, comes from scratch too.
	kho_memory_facts kasan = kFacts;
	kasan.shadow_shift = 3;
	EXPECT_EQ(kho::next_kernel_need(kasan, MiB), 128 * MiB + 1 * GiB + MiB + 32 * MiB);
}

}  // namespace
