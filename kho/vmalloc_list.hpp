// SPDX-License-Identifier: GPL-2.0
// The page list of a preserved vmalloc area (include/kho/abi/vmalloc.h):
// written by this kernel, and read by the next in place, in pages the
// previous kernel handed over, taking nothing.  To the reader every word of
// it is untrusted.
#pragma once

#include <kho/abi/vmalloc.h>
#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

#include "kho/vmalloc_list.h"

namespace kho {

// Preserves @nr_pages pages through @ops and lists them in chunks from
// @ops, filling @area; on failure gives everything back.
kx::Result<void> write_vmalloc_list(kx::u32 nr_pages, const kho_vmalloc_writer_ops& ops,
				    void* ctx, kho_vmalloc& area);
// Unpreserves every listed page and frees every chunk of a list this
// kernel wrote.
void drop_vmalloc_list(kho_vmalloc& area, const kho_vmalloc_writer_ops& ops);

struct VmallocListSize {
	kx::u32 nr_pages;
	kx::u64 entries;  // the pages, then at most the chunks that list them
};

// The description's own fields: no flags, order 0, 1..@max_pages pages.
// A refusal's reason names the problem.
kx::Result<VmallocListSize> check_vmalloc(const kho_vmalloc& area, kx::u64 max_pages);

// Fills @out (room for check_vmalloc()'s entries) with the pages in order,
// then the chunks; returns the number of chunks.
kx::Result<kx::u32> read_vmalloc_list(const kho_vmalloc& area, kx::u64 max_pages,
				      const kho_vmalloc_list_ops& ops, kx::Span<kx::u64> out);

}  // namespace kho
