// SPDX-License-Identifier: GPL-2.0
// The C face the KUnit suites drive the C++ through (cxx_face.h): C callers
// hold opaque handles, and every Result becomes 0 or a negative errno here.
#include "kunit/cxx_face.h"
#include "kho/mem_map.hpp"
#include "kho/page_ranges.hpp"

using kho::MemMapReader;
using kho::PageRanges;
using kho::RunCursor;

struct kho_page_ranges {
	PageRanges set;
};

static_assert(sizeof(RunCursor) <= sizeof(kho_page_ranges_cursor));
static_assert(alignof(RunCursor) <= alignof(kho_page_ranges_cursor));

namespace {

struct PreservedCursor {
	RunCursor runs;
	unsigned order;
};

}  // namespace

static_assert(sizeof(PreservedCursor) <= sizeof(kho_preserved_cursor));
static_assert(alignof(PreservedCursor) <= alignof(kho_preserved_cursor));
static_assert(sizeof(MemMapReader) <= sizeof(kho_memmap_cursor));
static_assert(alignof(MemMapReader) <= alignof(kho_memmap_cursor));

namespace {

constinit const kho::RangeListEncoding range_list;
constinit const kho::BitmapEncoding bitmap;
// Indexed by enum kho_encoding.
constinit const kho::Encoding* const encodings[] = {&range_list, &bitmap};
static_assert(KHO_ENCODING_RANGE_LIST == 0 && KHO_ENCODING_BITMAP == 1 &&
	      sizeof(encodings) / sizeof(encodings[0]) == KHO_ENCODING_NR);

}  // namespace

extern "C" {

kho_page_ranges* kho_page_ranges_create(void)
{
	return new (std::nothrow) kho_page_ranges;
}

void kho_page_ranges_destroy(kho_page_ranges* ranges)
{
	delete ranges;
}

int kho_page_ranges_add(kho_page_ranges* ranges, kx_u64 pfn, kx_u64 nr_pages)
{
	return kx::to_errno(ranges->set.add(pfn, nr_pages));
}

int kho_page_ranges_remove(kho_page_ranges* ranges, kx_u64 pfn, kx_u64 nr_pages)
{
	return kx::to_errno(ranges->set.remove(pfn, nr_pages));
}

int kho_page_ranges_contains(const kho_page_ranges* ranges, kx_u64 pfn)
{
	return ranges->set.contains(pfn);
}

kx_size_t kho_page_ranges_nr_runs(const kho_page_ranges* ranges)
{
	return kho::count_runs(ranges->set.runs());
}

void kho_page_ranges_cursor_start(kho_page_ranges_cursor* cur, const kho_page_ranges* ranges)
{
	new (cur->opaque) RunCursor(ranges->set.runs());
}

int kho_page_ranges_cursor_next(kho_page_ranges_cursor* cur, kx_u64* pfn, kx_u64* nr_pages)
{
	kho::PageRun run;
	if (!reinterpret_cast<RunCursor*>(cur->opaque)->next(run))
		return 0;
	*pfn = run.pfn;
	*nr_pages = run.nr_pages;
	return 1;
}

kx_u64 kho_page_ranges_encoded_size(const kho_page_ranges* ranges, kho_encoding encoding)
{
	if (static_cast<unsigned>(encoding) >= KHO_ENCODING_NR)
		return 0;
	return encodings[encoding]->size_bytes(ranges->set.runs());
}

void kho_preserved_destroy(kho_preserved* mem)
{
	delete mem;
}

int kho_preserved_cursor_start(kho_preserved_cursor* cur, const kho_preserved* mem,
			       unsigned int order)
{
	if (order > kho::kMaxOrder)
		return -KX_EINVAL;
	new (cur->opaque) PreservedCursor{mem->mem.order(order).runs(), order};
	return 0;
}

int kho_preserved_cursor_next(kho_preserved_cursor* cur, kx_u64* pfn, kx_u64* nr_pages)
{
	auto& cursor = *reinterpret_cast<PreservedCursor*>(cur->opaque);
	kho::PageRun run;
	if (!cursor.runs.next(run))
		return 0;
	*pfn = run.pfn << cursor.order;
	*nr_pages = run.nr_pages << cursor.order;
	return 1;
}

int kho_memmap_cursor_start(kho_memmap_cursor* cur, const void* map, kx_u64 size,
			    unsigned int page_shift)
{
	auto* reader = new (cur->opaque)
		MemMapReader({static_cast<const kx::u8*>(map), size}, page_shift);
	return kx::to_errno(reader->start());
}

int kho_memmap_cursor_next(kho_memmap_cursor* cur, kx_u64* pfn, kx_u64* nr_pages,
			   unsigned int* order)
{
	kho::PreservedRun run;
	auto more = reinterpret_cast<MemMapReader*>(cur->opaque)->next(run);
	if (more.is_error())
		return more.error().to_errno();
	if (more.value()) {
		*pfn = run.pfn;
		*nr_pages = run.nr_pages;
		*order = run.order;
	}
	return more.value();
}

}  // extern "C"
