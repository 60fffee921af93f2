// SPDX-License-Identifier: GPL-2.0
// The extern "C" face of PageRanges: C callers hold an opaque handle, and
// every Result becomes 0 or a negative errno here, at the boundary.
#include "kho/page_ranges.h"
#include "kho/page_ranges.hpp"

using kho::PageRanges;
using kho::RunCursor;

struct kho_page_ranges {
	PageRanges set;
};

static_assert(sizeof(RunCursor) <= sizeof(kho_page_ranges_cursor));
static_assert(alignof(RunCursor) <= alignof(kho_page_ranges_cursor));

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

}  // extern "C"
