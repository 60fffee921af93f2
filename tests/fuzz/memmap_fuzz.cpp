// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the incoming-side reader of the preserved-memory map
// must accept or reject any byte string without reading out of bounds, and
// whatever it accepts must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "kho/mem_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	kho::MemMapReader reader({data, size}, 12);
	kho::PreservedRun run;
	kx::u64 pages = 0;
	for (bool started = reader.start().is_ok(); started;) {
		auto more = reader.next(run);
		if (more.is_error() || !more.value())
			break;
		// A run is non-empty, aligned to its order, and does not wrap.
		if (run.nr_pages == 0 || run.pfn + run.nr_pages < run.pfn ||
		    (run.pfn & ((kx::u64{1} << run.order) - 1)))
			abort();
		pages += run.nr_pages;
		if (pages > reader.declared_pages())
			abort();
	}
	// In address order, all orders merged, the same map is valid or not
	// alike, and its runs come out ascending by address within each order
	// and add up to the same pages.
	const auto valid = kho::MemMapReader::validate({data, size}, 12);
	kho::SortedMemMapReader sorted({data, size}, 12);
	kx::u64 total = 0, runs = 0, last[kho::kMaxOrder + 1] = {};
	bool sorted_valid = false;
	for (kx::u64 last_pfn = 0;;) {
		auto more = sorted.next(run);
		if (more.is_error())
			break;
		if (!more.value()) {
			sorted_valid = true;
			break;
		}
		if (run.pfn < last_pfn || run.pfn < last[run.order])
			abort();
		last_pfn = run.pfn;
		last[run.order] = run.pfn + run.nr_pages;
		total += run.nr_pages;
		runs++;
	}
	if (sorted_valid != valid.is_ok())
		abort();
	if (sorted_valid && (runs != valid.value() || total != reader.declared_pages()))
		abort();
	return 0;
}
