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
	if (reader.start().is_error())
		return 0;
	kho::PreservedRun run;
	kx::u64 pages = 0;
	for (;;) {
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
	// A valid map reads the same in address order: ascending, disjoint
	// within... every run accounted for.
	if (kho::MemMapReader::validate({data, size}, 12).is_ok()) {
		kho::SortedMemMapReader sorted({data, size}, 12);
		kx::u64 total = 0;
		for (;;) {
			auto more = sorted.next(run);
			if (more.is_error())
				abort();
			if (!more.value())
				break;
			total += run.nr_pages;
		}
		if (total != reader.declared_pages())
			abort();
	}
	return 0;
}
