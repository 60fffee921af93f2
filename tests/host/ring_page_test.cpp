// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "ftrace/ring_page.hpp"

namespace {

// Builds a sub-buffer the way the 6.12 ring buffer writes one.
class PageBuilder {
public:
	explicit PageBuilder(size_t size = 4096, uint64_t ts = 1000) : page_(size, 0)
	{
		std::memcpy(page_.data(), &ts, 8);
	}
	PageBuilder& data(uint32_t delta, uint32_t payload)  // small event
	{
		put(((payload + 3) / 4) | delta << 5);
		at_ += (payload + 3) / 4 * 4;
		return *this;
	}
	PageBuilder& big(uint32_t delta, uint32_t payload)  // type_len 0
	{
		put(0 | delta << 5);
		put(payload + 4);
		at_ += payload;
		return *this;
	}
	PageBuilder& extend(uint64_t delta)
	{
		put(30 | static_cast<uint32_t>(delta & ((1u << 27) - 1)) << 5);
		put(static_cast<uint32_t>(delta >> 27));
		return *this;
	}
	PageBuilder& stamp(uint64_t abs)
	{
		put(31 | static_cast<uint32_t>(abs & ((1u << 27) - 1)) << 5);
		put(static_cast<uint32_t>(abs >> 27));
		return *this;
	}
	std::vector<kx::u8> done(uint64_t flags = 0)
	{
		uint64_t commit = at_ | flags;
		std::memcpy(page_.data() + 8, &commit, 8);
		return page_;
	}

private:
	void put(uint32_t v)
	{
		std::memcpy(page_.data() + 16 + at_, &v, 4);
		at_ += 4;
	}
	std::vector<kx::u8> page_;
	size_t at_ = 0;
};

kx::Result<kho_ftrace_page_info> check(const std::vector<kx::u8>& p, const char*& why)
{
	auto sum = ftrace::check_page({p.data(), p.size()});
	why = sum.is_ok() ? nullptr : sum.error().reason();
	return sum;
}

TEST(RingPage, ReadsEventsAndTime)
{
	const char* why;
	auto p = PageBuilder().data(5, 12).big(7, 200).extend(1u << 28).data(1, 4).done();
	auto sum = check(p, why);
	ASSERT_TRUE(sum.is_ok()) << why;
	EXPECT_EQ(sum.value().events, 3u);
	EXPECT_EQ(sum.value().last_ts, 1000u + 5 + 7 + (1u << 28) + 1);
	EXPECT_FALSE(sum.value().missed_events);
}

TEST(RingPage, AbsoluteStampsMayNotGoBack)
{
	const char* why;
	EXPECT_TRUE(check(PageBuilder().data(1, 4).stamp(5000).data(1, 4).done(), why).is_ok());
	EXPECT_TRUE(check(PageBuilder().data(1, 4).stamp(500).done(), why).is_error());
	EXPECT_STREQ(why, "absolute time stamp goes backwards");
}

TEST(RingPage, CommitMustFitThePage)
{
	const char* why;
	auto p = PageBuilder().data(1, 4).done();
	uint64_t commit = 5000;
	std::memcpy(p.data() + 8, &commit, 8);
	EXPECT_TRUE(check(p, why).is_error());
	EXPECT_STREQ(why, "commit beyond the page");
	commit = 6;  // not a multiple of 4
	std::memcpy(p.data() + 8, &commit, 8);
	EXPECT_TRUE(check(p, why).is_error());
}

TEST(RingPage, EventsMustFitTheCommit)
{
	const char* why;
	auto p = PageBuilder().big(1, 100).done();
	uint32_t huge = 4000;
	std::memcpy(p.data() + 20, &huge, 4);  // the big event's length word
	EXPECT_TRUE(check(p, why).is_error());
	EXPECT_STREQ(why, "event beyond the commit");
}

TEST(RingPage, MissedEventFlagsAreUnderstood)
{
	const char* why;
	auto sum = check(PageBuilder().data(1, 4).done(1ull << 31 | 1ull << 30), why);
	ASSERT_TRUE(sum.is_ok()) << why;
	EXPECT_TRUE(sum.value().missed_events);
	EXPECT_EQ(sum.value().bytes, 8u);
}

TEST(RingPage, PaddingEndsThePage)
{
	const char* why;
	// One event, then a null padding event: the rest of the commit is
	// padding and is not parsed.
	auto p = PageBuilder().data(1, 4).done();
	uint64_t commit = 64;
	uint32_t pad = 29;  // type_len PADDING, time_delta 0
	std::memcpy(p.data() + 16 + 8, &pad, 4);
	std::memcpy(p.data() + 8, &commit, 8);
	auto sum = check(p, why);
	ASSERT_TRUE(sum.is_ok()) << why;
	EXPECT_EQ(sum.value().events, 1u);
}

TEST(RingPage, ReadOffsetMustBeAnEventBoundary)
{
	auto p = PageBuilder().data(5, 8).data(3, 8).done();
	auto sum = ftrace::check_page({p.data(), p.size()}, {12, 8});
	ASSERT_TRUE(sum.is_ok()) << sum.error().reason();
	EXPECT_EQ(sum.value().events, 1u);
	EXPECT_EQ(sum.value().read_ts, 1005u);
	EXPECT_STREQ(ftrace::check_page({p.data(), p.size()}, {8, 0}).error().reason(),
		     "read offset inside an event");
	EXPECT_STREQ(ftrace::check_page({p.data(), p.size()}, {28, 0}).error().reason(),
		     "read offset beyond the commit");
	// Records shorter than the trace_entry header cannot be remapped.
	EXPECT_STREQ(ftrace::check_page({p.data(), p.size()}, {0, 12}).error().reason(),
		     "event shorter than its record header");
}

TEST(RingPage, RewriteRemapsTypesAndMovesEveryStamp)
{
	const char* why;
	auto p = PageBuilder().data(5, 8).stamp(1u << 20).big(2, 40).done();
	uint16_t type = 7;
	std::memcpy(p.data() + 20, &type, 2);      // first event's payload
	std::memcpy(p.data() + 16 + 12 + 8 + 8, &type, 2);  // big event's payload
	ASSERT_TRUE(check(p, why).is_ok()) << why;
	const uint64_t shift = 0 - uint64_t{5000000};
	// The remap sees each payload whole, and may change it.
	ftrace::rewrite_page({p.data(), p.size()}, shift,
			     [](void*, kx::u32 old, void* payload, kx::u32 size) -> kx::u32 {
				     static_cast<uint8_t*>(payload)[size - 1] = 0xab;
				     return old + 100;
			     }, nullptr);
	auto sum = check(p, why);
	ASSERT_TRUE(sum.is_ok()) << why;
	// Time moved by the shift, absolute stamp included: still monotonic.
	EXPECT_EQ(sum.value().last_ts, (uint64_t{1} << 20) + 2 + shift);
	std::memcpy(&type, p.data() + 20, 2);
	EXPECT_EQ(type, 107);
	std::memcpy(&type, p.data() + 16 + 12 + 8 + 8, 2);
	EXPECT_EQ(type, 107);
	EXPECT_EQ(p[20 + 8 - 1], 0xab);
	EXPECT_EQ(p[16 + 12 + 8 + 8 + 40 - 1], 0xab);
}

}  // namespace
