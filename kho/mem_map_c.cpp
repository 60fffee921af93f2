// SPDX-License-Identifier: GPL-2.0
// The extern "C" face of the preserved-memory map.
#include "kho/mem_map.h"
#include "kho/mem_map.hpp"

using kho::MemMapReader;
using kho::PreservedMemory;

namespace {

struct PreservedCursor {
	kho::RunCursor runs;
	unsigned order;
};

}  // namespace

static_assert(sizeof(PreservedCursor) <= sizeof(kho_preserved_cursor));
static_assert(alignof(PreservedCursor) <= alignof(kho_preserved_cursor));

static_assert(sizeof(MemMapReader) <= sizeof(kho_memmap_cursor));
static_assert(alignof(MemMapReader) <= alignof(kho_memmap_cursor));


static MemMapReader& reader_of(kho_memmap_cursor* cur)
{
	return *reinterpret_cast<MemMapReader*>(cur->opaque);
}

static kx::Result<bool> next_run(auto& reader, kx_u64* pfn, kx_u64* nr_pages, unsigned int* order)
{
	kho::PreservedRun run;
	bool more = TRY(reader.next(run));
	if (more) {
		*pfn = run.pfn;
		*nr_pages = run.nr_pages;
		*order = run.order;
	}
	return more;
}

static int as_int(kx::Result<bool> more)
{
	return more.is_error() ? more.error().to_errno() : more.value();
}

extern "C" {

kho_preserved* kho_preserved_create(void)
{
	return new (std::nothrow) kho_preserved;
}

void kho_preserved_destroy(kho_preserved* mem)
{
	delete mem;
}

int kho_preserved_add(kho_preserved* mem, kx_u64 pfn, unsigned int order)
{
	return kx::to_errno(mem->mem.preserve(pfn, order));
}

int kho_preserved_remove(kho_preserved* mem, kx_u64 pfn, unsigned int order)
{
	return kx::to_errno(mem->mem.unpreserve(pfn, order));
}

int kho_preserved_add_pages(kho_preserved* mem, kx_u64 pfn, kx_u64 nr_pages)
{
	return kx::to_errno(mem->mem.preserve_pages(pfn, nr_pages));
}

int kho_preserved_remove_pages(kho_preserved* mem, kx_u64 pfn, kx_u64 nr_pages)
{
	return kx::to_errno(mem->mem.unpreserve_pages(pfn, nr_pages));
}

int kho_preserved_intersects(const kho_preserved* mem, kx_u64 pfn, kx_u64 nr_pages)
{
	return nr_pages && pfn + nr_pages > pfn && mem->mem.overlaps(pfn, nr_pages);
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

kx_u64 kho_preserved_nr_pages(const kho_preserved* mem)
{
	return mem->mem.nr_pages();
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
	return as_int(next_run(reader_of(cur), pfn, nr_pages, order));
}

}  // extern "C"
