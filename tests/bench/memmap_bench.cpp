// SPDX-License-Identifier: GPL-2.0
// Preserved-memory metadata size and speed, on the host, with the very
// encoder and reader the kernel runs.  Prints a Markdown table.
//
// Workload: order-0 pages spread uniformly at random over a 1 GiB span at
// several densities, plus a mixed-order case (folios of order 0-10 filling
// about half the span).  For each: the map this project hands over, next
// to the same set as a range list (16 bytes per run, the seed's "mem"
// property) and as one bit per page of span (mainline-style bitmaps), all
// rounded up to pages; the target; and encode/decode times.
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "kho/mem_map.hpp"

using kho::MemMapReader;
using kho::PreservedMemory;
using kx::u64;

namespace {

constexpr u64 kPage = 4096, kSpanPages = (u64{1} << 30) / kPage;
constexpr u64 round_page(u64 n) { return (n + kPage - 1) / kPage * kPage; }

double micros_since(std::chrono::steady_clock::time_point t0)
{
	return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

struct Row {
	const char* name;
	PreservedMemory mem;
};

void report(const char* name, const PreservedMemory& mem)
{
	const kho::RangeListEncoding as_list;
	const kho::BitmapEncoding as_bitmap;
	u64 runs = 0, list = 0, bitmap = 0, chunks = 0;
	for (unsigned k = 0; k <= kho::kMaxOrder; k++) {
		if (mem.order(k).empty())
			continue;
		list += as_list.size_bytes(mem.order(k).runs());
		bitmap += as_bitmap.size_bytes(mem.order(k).runs());
		kho::RunCursor cursor = mem.order(k).runs();
		kho::PageRun run, lowest, highest;
		cursor.next(lowest);
		highest = lowest;
		for (runs++; cursor.next(run); runs++)
			highest = run;
		u64 first = (lowest.pfn << k) / KHO_MEMMAP_CHUNK, last = ((highest.end() << k) - 1) / KHO_MEMMAP_CHUNK;
		chunks += last - first + 1;
	}
	auto t0 = std::chrono::steady_clock::now();
	std::vector<kx::u8> map(mem.encoded_size());
	auto written = mem.encode({map.data(), map.size()}, 12);
	double encode_us = micros_since(t0);
	t0 = std::chrono::steady_clock::now();
	auto decoded = MemMapReader::validate({map.data(), map.size()}, 12);
	double decode_us = micros_since(t0);
	if (written.is_error() || decoded.is_error()) {
		std::printf("| %s | encode/decode failed |\n", name);
		return;
	}
	u64 ours = round_page(map.size());
	u64 best = std::min(round_page(list), round_page(bitmap));
	u64 target = static_cast<u64>(1.03 * static_cast<double>(std::min(list, bitmap))) + kPage * chunks;
	std::printf("| %-12s | %8llu | %7llu | %9llu | %9llu | %9llu | %9llu | %5.2f | %s | %8.0f | %8.0f |\n",
		    name, static_cast<unsigned long long>(mem.nr_pages()),
		    static_cast<unsigned long long>(runs), static_cast<unsigned long long>(map.size()),
		    static_cast<unsigned long long>(ours), static_cast<unsigned long long>(round_page(list)),
		    static_cast<unsigned long long>(round_page(bitmap)),
		    static_cast<double>(ours) / static_cast<double>(best), ours <= target ? "yes" : "NO ",
		    encode_us, decode_us);
}

// Cost of reading a single range back, by its size: the reader's work
// depends on the metadata, not on the bytes preserved.
double read_single_range_us(u64 pages)
{
	PreservedMemory mem;
	(void)mem.preserve_pages(1 << 20, pages);
	std::vector<kx::u8> map(mem.encoded_size());
	(void)mem.encode({map.data(), map.size()}, 12);
	auto t0 = std::chrono::steady_clock::now();
	for (int i = 0; i < 100000; i++)
		(void)MemMapReader::validate({map.data(), map.size()}, 12);
	return micros_since(t0) / 100000;
}

}  // namespace

int main()
{
	std::printf("| workload     |    pages |    runs | map bytes | ours (pg) | list (pg) | bitmap(pg)| vs best | target | enc us | dec us |\n");
	std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
	for (int percent : {1, 10, 50, 90, 100}) {
		std::mt19937_64 rng(percent);
		PreservedMemory mem;
		for (u64 p = 0; p < kSpanPages; p++)
			if (static_cast<int>(rng() % 100) < percent)
				(void)mem.preserve_pages((u64{1} << 20) + p, 1);
		char name[16];
		std::snprintf(name, sizeof(name), "%d%% order-0", percent);
		report(name, mem);
	}
	std::mt19937_64 rng(42);
	PreservedMemory mixed;
	for (u64 filled = 0; filled < kSpanPages / 2;) {
		unsigned order = rng() % 11;
		u64 pfn = ((u64{1} << 20) + rng() % kSpanPages) & ~((u64{1} << order) - 1);
		if (mixed.preserve(pfn, order).is_ok())
			filled += u64{1} << order;
	}
	report("mixed 0-10", mixed);

	double small = read_single_range_us(1000), large = read_single_range_us(1000000);
	std::printf("\nReading back one range: 1k pages %.3f us, 1M pages %.3f us (ratio %.2f)\n", small,
		    large, large / small);
	return 0;
}
