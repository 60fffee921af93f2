// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the reservation walk (kho/reserve.h) with the fake
// booting kernel of tests/host/reserve_fake.hpp.  The input is a Config
// (the machine: RAM, scratch, firmware data, gap table, failing reserve()
// calls, limits), then either raw map bytes or, in structured mode, a list
// of extents made into a well-formed map whose orders may overlap each
// other.  Every walk must satisfy the oracle of reserve_fake::violations():
// the marked pages are exactly those of the runs that were reserved, each
// inside a successful reserve(), none marked twice, every bad run named.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tests/host/reserve_fake.hpp"

namespace {

using kx::u16;
using kx::u64;
using kx::u8;
using reserve_fake::Extent;
using reserve_fake::FakeKernel;

constexpr unsigned kShift = 12;

struct Config {
	u8 flags;          // bit 0: structured; bit 1: keep same-order overlaps
	u8 max_dropped;
	u8 gap_capacity;   // 255: unlimited
	u8 fail_mask;      // bit i: reserve() call i + 1 fails
	u16 gap_max;
	u16 ram[2][2];     // start, length, in 16-page units
	u16 scratch[2];    // start, length, in 16-page units
	u16 reserved[2][2];  // start in 16-page units, length in pages
};
static_assert(sizeof(Config) == 26, "the seeds' layout");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	Config c;
	std::memset(&c, 0, sizeof(c));
	std::memcpy(&c, data, std::min(size, sizeof(c)));
	const u8* rest = data + std::min(size, sizeof(c));
	const size_t rest_size = size - std::min(size, sizeof(c));

	FakeKernel k;
	for (auto& r : c.ram)
		k.ram.add(u64{r[0]} * 16, (u64{r[0]} + r[1]) * 16);
	k.scratch.add(u64{c.scratch[0]} * 16, (u64{c.scratch[0]} + c.scratch[1]) * 16);
	for (auto& r : c.reserved)
		k.reserved.add(u64{r[0]} * 16, u64{r[0]} * 16 + r[1]);
	k.gap_capacity = c.gap_capacity == 255 ? ~size_t{0} : c.gap_capacity;
	for (unsigned i = 0; i < 8; i++)
		if (c.fail_mask & (1u << i))
			k.fail_reserve.insert(i + 1);

	std::vector<u8> map;
	if (c.flags & 1) {
		// Extents: u8 order, u16 base, u16 length - 1; per order sorted,
		// and without same-order overlaps unless asked to keep them.
		std::vector<std::vector<Extent>> per_order(kho::kMaxOrder + 1);
		for (size_t at = 0; at + 5 <= rest_size && at < 5 * 1024; at += 5) {
			u16 base, len;
			std::memcpy(&base, rest + at + 1, 2);
			std::memcpy(&len, rest + at + 3, 2);
			const unsigned order = rest[at] % (kho::kMaxOrder + 1);
			per_order[order].push_back({order, base, u64{len} + 1});
		}
		std::vector<Extent> ex;
		for (auto& v : per_order) {
			std::stable_sort(v.begin(), v.end(),
					 [](const Extent& a, const Extent& b) { return a.base < b.base; });
			u64 end = 0;
			for (const Extent& e : v) {
				if (e.base < end && !(c.flags & 2))
					continue;
				ex.push_back(e);
				end = e.base + e.length;
			}
		}
		map = reserve_fake::extent_map(ex, kShift);
	} else {
		map.assign(rest, rest + rest_size);
	}

	const u64 gap_max = c.gap_max;
	const auto o = reserve_fake::walk(k, map.data(), map.size(), kShift, c.max_dropped, gap_max);
	const std::string bad =
		reserve_fake::violations(k, map.data(), map.size(), kShift, c.max_dropped, gap_max, o);
	if (!bad.empty()) {
		fprintf(stderr, "reservation walk breaks the oracle:\n%s", bad.c_str());
		abort();
	}
	return 0;
}
