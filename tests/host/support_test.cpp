// SPDX-License-Identifier: GPL-2.0
// The freestanding support library: Result/TRY and the fallible Vector.
#include <gtest/gtest.h>

#include <kx/result.hpp>
#include <kx/vector.hpp>

#include "kx_env_host.h"

using kx::Errno;
using kx::Result;
using kx::Vector;

namespace {

Result<int> parse_digit(char c)
{
	if (c < '0' || c > '9')
		return Errno::inval;
	return c - '0';
}

Result<int> add_digits(char a, char b)
{
	int x = TRY(parse_digit(a));
	int y = TRY(parse_digit(b));
	return x + y;
}

Result<void> check_digit(char c)
{
	TRY(parse_digit(c));
	return {};
}

TEST(Result, TryPropagatesTheFirstError)
{
	auto ok = add_digits('3', '4');
	ASSERT_TRUE(ok.is_ok());
	EXPECT_EQ(ok.value(), 7);
	auto bad = add_digits('3', 'x');
	ASSERT_TRUE(bad.is_error());
	EXPECT_EQ(bad.error().code(), Errno::inval);
	EXPECT_EQ(kx::to_errno(check_digit('x')), -KX_EINVAL);
	EXPECT_EQ(kx::to_errno(check_digit('1')), 0);
}

struct Tracked {
	static inline int live = 0;
	int value;
	explicit Tracked(int v) : value(v) { live++; }
	Tracked(Tracked&& other) : value(other.value) { live++; }
	Tracked& operator=(Tracked&& other) = default;
	~Tracked() { live--; }
};

TEST(Vector, InsertKeepsOrderAndDestroysEverything)
{
	{
		Vector<Tracked> v;
		for (int i = 0; i < 100; i += 2)
			ASSERT_TRUE(v.try_append(Tracked(i)).is_ok());
		for (int i = 1; i < 100; i += 2)
			ASSERT_TRUE(v.try_insert(static_cast<kx::usize>(i), Tracked(i)).is_ok());
		ASSERT_EQ(v.size(), 100u);
		for (int i = 0; i < 100; i++)
			EXPECT_EQ(v[static_cast<kx::usize>(i)].value, i);
		v.erase(0);
		EXPECT_EQ(v[0].value, 1);
		EXPECT_EQ(Tracked::live, 99);
		EXPECT_EQ(v.try_insert(200, Tracked(0)).error().code(), Errno::range);
	}
	EXPECT_EQ(Tracked::live, 0);
}

TEST(Vector, FailedGrowthLeavesContentsIntact)
{
	Vector<int> v;
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(v.try_append(int{i}).is_ok());
	ASSERT_EQ(v.capacity(), v.size());
	{
		kx_host::FailAllocationAfter fail(0);
		EXPECT_EQ(v.try_append(4).error().code(), Errno::nomem);
	}
	ASSERT_EQ(v.size(), 4u);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(v[static_cast<kx::usize>(i)], i);
	EXPECT_TRUE(v.try_append(4).is_ok());
}

}  // namespace
