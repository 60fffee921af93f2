// SPDX-License-Identifier: GPL-2.0
// The reservation walk (kho/reserve.cpp) on the host, with ops as cheap as
// the kernel's: a 4 GiB machine's RAM and a few dozen reservations in
// arrays, page->private as an array, a memblock-like reservation list.
// The workload is the blackout's: order-0 pages at 1, 50 and 100% of a
// 1 GiB span.  Prints the time per run, so that changes to the walk and
// the ordered reader can be compared without booting a kernel.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "kho/mem_map.hpp"
#include "kho/reserve.h"

using kx::u64;

namespace {

constexpr unsigned kPageShift = 12;
constexpr u64 kSpanPages = (u64{1} << 30) >> kPageShift;
constexpr u64 kSpanBase = ((u64{17} << 28)) >> kPageShift;  // in high RAM, at 4.25 GiB

struct Machine {
	std::vector<kho_phys_range> ram, reserved;
	std::vector<kho_phys_range> gaps;
	size_t nr_gaps = 0;
	std::vector<u64> page_private;  // from pfn 0
};

Machine machine;

bool op_region(const std::vector<kho_phys_range>& list, kx_size_t i, kho_phys_range* region)
{
	if (i >= list.size())
		return false;
	*region = list[i];
	return true;
}
bool op_ram(kx_size_t i, kho_phys_range* region) { return op_region(machine.ram, i, region); }
bool op_reserved(kx_size_t i, kho_phys_range* region) { return op_region(machine.reserved, i, region); }
void op_gap_room(kx_u64 nr) { machine.gaps.assign(nr, {}); }
int op_add_gap(kx_u64 pfn, kx_u64 nr_pages)
{
	if (machine.nr_gaps == machine.gaps.size())
		return -KX_ENOSPC;
	machine.gaps[machine.nr_gaps++] = {pfn << kPageShift, nr_pages << kPageShift};
	return 0;
}
void op_forget_gaps(kx_size_t keep) { machine.nr_gaps = keep; }
int op_reserve(kx_u64 pfn, kx_u64 nr_pages)
{
	const kho_phys_range r = {pfn << kPageShift, nr_pages << kPageShift};
	auto at = std::lower_bound(machine.reserved.begin(), machine.reserved.end(), r,
				   [](const kho_phys_range& a, const kho_phys_range& b) { return a.addr < b.addr; });
	machine.reserved.insert(at, r);
	return 0;
}
void op_mark(const kho_run* run)
{
	for (u64 pfn = run->pfn; pfn < run->pfn + run->nr_pages; pfn += u64{1} << run->order)
		machine.page_private[pfn] = 0x4b484f5000000000ULL | run->order;
}
void op_unmark(kx_u64 pfn, kx_u64 nr_pages)
{
	for (u64 end = pfn + nr_pages; pfn < end; pfn++)
		machine.page_private[pfn] = 0;
}
void op_dropped(const kho_run*, const kho_run*, const char*) {}

constexpr kho_reserve_ops kOps = {
	.ram = op_ram,
	.reserved = op_reserved,
	.gap_room = op_gap_room,
	.add_gap = op_add_gap,
	.forget_gaps = op_forget_gaps,
	.reserve = op_reserve,
	.mark = op_mark,
	.unmark = op_unmark,
	.dropped = op_dropped,
};

void reset_machine()
{
	machine.ram = {{0x1000, 0x9e000}, {0x100000, 0x7fee0000}, {u64{1} << 32, u64{1} << 31}};
	machine.reserved.clear();
	// Firmware, the kernel, early allocations: a few dozen, all in scratch
	// or low memory, none in the span.
	for (u64 i = 0; i < 40; i++)
		machine.reserved.push_back({0x1000000 + i * 0x200000, 0x1000});
	machine.nr_gaps = 0;
	machine.gaps.clear();
}

// Returns the time per run in ns, and the runs.
double bench(unsigned percent, int rounds, u64& runs_out)
{
	std::mt19937_64 rng(percent);
	kho::PreservedMemory mem;
	for (u64 p = 0; p < kSpanPages; p++)
		if (static_cast<unsigned>(rng() % 100) < percent)
			(void)mem.preserve_pages(kSpanBase + p, 1);
	std::vector<kx::u8> map(mem.encoded_size());
	(void)mem.encode({map.data(), map.size()}, kPageShift);

	machine.page_private.assign(kSpanBase + kSpanPages, 0);
	const kho_keep_out keep_out[] = {
		{{0, 0x100000}, "below the low window"},
		{{0x1000000, 0x2000000}, "overlaps this kernel's image"},
		{{0x20000000, 0x20000000}, "overlaps scratch"},
	};
	const kho_reserve_policy policy = {kPageShift, keep_out, 3, 8, (u64{4} << 20) >> kPageShift};
	static kho_memmap_sorted reader;
	kho_reserve_result result{};
	double best = 1e30;
	for (int r = 0; r < rounds; r++) {
		reset_machine();
		const char* why;
		auto t0 = std::chrono::steady_clock::now();
		const int rc = kho_reserve_preserved(map.data(), map.size(), &policy, &kOps, &reader, &result, &why);
		const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
		if (rc || result.dropped) {
			std::printf("walk failed: %d %s, %llu dropped\n", rc, rc ? why : "",
				    static_cast<unsigned long long>(result.dropped));
			return 0;
		}
		best = std::min(best, ns);
	}
	runs_out = result.runs;
	return best / static_cast<double>(result.runs);
}

}  // namespace

int main(int argc, char** argv)
{
	const int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
	const int only = argc > 2 ? std::atoi(argv[2]) : -1;  // one workload, for a profiler
	std::printf("| workload (order-0, 1 GiB) |   runs | ns per run (best of %d) |\n", rounds);
	std::printf("|---|---:|---:|\n");
	for (unsigned percent : {1, 50, 100}) {
		if (only >= 0 && percent != static_cast<unsigned>(only))
			continue;
		u64 runs = 0;
		const double ns = bench(percent, rounds, runs);
		std::printf("| %3u%% | %6llu | %8.1f |\n", percent, static_cast<unsigned long long>(runs), ns);
	}
	return 0;
}
