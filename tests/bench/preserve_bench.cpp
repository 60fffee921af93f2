// SPDX-License-Identifier: GPL-2.0
// Cost of recording preserved pages, on the host, with the very code the
// kernel runs under kho_mem_lock.  Prints a Markdown table.
//
// For 1k, 100k and 1M order-0 pages, preserved one call at a time in random
// order (a permutation of a contiguous span, then pages scattered over a
// span four times larger) and unpreserved in another random order: time per
// call, heap bytes held once all are preserved, and each time against the
// 1k row.  std::set<u64>::insert of the same pfns in the same order, timed
// in the same run, is the O(log n) reference: its growth is this machine's
// own cache effect.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "kho/mem_map.hpp"

using kho::PreservedMemory;
using kx::u64;

namespace {

constexpr u64 kBase = u64{1} << 20;  // 4 GiB in 4 KiB pages
constexpr u64 kTotalCalls = 4000000; // per size: repeat small sets

using Clock = std::chrono::steady_clock;

double ns_per_call(Clock::time_point t0, Clock::time_point t1, u64 calls)
{
	return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(calls);
}

// The core allocates with non-throwing new only (the kernel's kx_alloc).
// While the code under test runs alone, every block allocated and freed is
// counted, at the size malloc really holds for it.
bool counting = false;
long long counted_bytes = 0;

void count(void* ptr, int sign)
{
	if (ptr && counting)
		counted_bytes += sign * static_cast<long long>(malloc_usable_size(ptr));
}

struct Measure {
	double preserve_ns = 1e30, unpreserve_ns = 1e30, set_ns = 1e30;
	u64 bytes = 0;
	bool failed = false;
};

// Best of several rounds: the first round also pays for page faults.
Measure measure(const std::vector<u64>& pfns, std::mt19937_64& rng)
{
	Measure m;
	std::vector<u64> unorder = pfns;
	const u64 rounds = std::max<u64>(3, kTotalCalls / pfns.size());
	for (u64 round = 0; round < rounds; round++) {
		std::shuffle(unorder.begin(), unorder.end(), rng);
		{
			PreservedMemory mem;
			counted_bytes = 0;
			counting = true;
			auto t0 = Clock::now();
			for (u64 pfn : pfns)
				m.failed |= mem.preserve(pfn, 0).is_error();
			auto t1 = Clock::now();
			counting = false;
			m.bytes = static_cast<u64>(counted_bytes);
			for (u64 pfn : unorder)
				m.failed |= mem.unpreserve(pfn, 0).is_error();
			auto t2 = Clock::now();
			m.failed |= !mem.empty();
			m.preserve_ns = std::min(m.preserve_ns, ns_per_call(t0, t1, pfns.size()));
			m.unpreserve_ns = std::min(m.unpreserve_ns, ns_per_call(t1, t2, pfns.size()));
		}
		std::set<u64> set;
		auto t0 = Clock::now();
		for (u64 pfn : pfns)
			set.insert(pfn);
		m.set_ns = std::min(m.set_ns, ns_per_call(t0, Clock::now(), pfns.size()));
	}
	return m;
}

}  // namespace

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
	void* ptr = std::malloc(size);
	count(ptr, 1);
	return ptr;
}
void operator delete(void* ptr) noexcept
{
	count(ptr, -1);
	std::free(ptr);
}
void operator delete(void* ptr, std::size_t) noexcept
{
	count(ptr, -1);
	std::free(ptr);
}

int main()
{
	std::printf("| pages in random order | calls | preserve ns | x 1k | unpreserve ns | x 1k | "
		    "metadata bytes | bytes/page | std::set insert ns | x 1k |\n");
	std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	bool failed = false;
	for (u64 spread : {1, 4}) {
		Measure first;
		for (u64 n : {u64{1000}, u64{100000}, u64{1000000}}) {
			std::mt19937_64 rng(n * spread);
			std::vector<u64> pfns(n * spread);
			std::iota(pfns.begin(), pfns.end(), kBase);
			std::shuffle(pfns.begin(), pfns.end(), rng);
			pfns.resize(n);
			const Measure m = measure(pfns, rng);
			if (n == 1000)
				first = m;
			failed |= m.failed;
			std::printf("| %s over %llux span | %llu | %.1f | %.2f | %.1f | %.2f | %llu | %.2f | "
				    "%.1f | %.2f |\n",
				    spread == 1 ? "permuted" : "scattered", static_cast<unsigned long long>(spread),
				    static_cast<unsigned long long>(n), m.preserve_ns,
				    m.preserve_ns / first.preserve_ns, m.unpreserve_ns,
				    m.unpreserve_ns / first.unpreserve_ns, static_cast<unsigned long long>(m.bytes),
				    static_cast<double>(m.bytes) / static_cast<double>(n), m.set_ns,
				    m.set_ns / first.set_ns);
		}
	}
	if (failed)
		std::printf("\nFAILED: a preserve or unpreserve returned an error\n");
	return failed;
}
