// SPDX-License-Identifier: GPL-2.0
// The memfd handler's records from the previous kernel, checked before the
// handler (memfd.c) maps or restores anything they name.

#include <kx/result.hpp>

#include <kho/abi/liveupdate.h>
#include "liveupdate/engine.h"

using kx::Result;
using kx::u64;

static_assert(sizeof(luo_memfd) == 56 && sizeof(luo_memfd_folio) == 24);

namespace {

constexpr u64 kMaxFileBytes = u64{1} << 62;	// beyond any shmem file
constexpr unsigned kKnownFlags = LUO_MEMFD_FOLIO_DIRTY | LUO_MEMFD_FOLIO_UPTODATE;

Result<void> check(const luo_memfd& m, kx_u32 page_shift, u64 max_pages)
{
	if (m.magic != LUO_MEMFD_MAGIC)
		return kx::invalid("not a memfd record");
	if (m.format != LUO_MEMFD_FORMAT)
		return kx::invalid("unknown memfd format");
	if (m.page_shift != page_shift)
		return kx::invalid("written with another page size");
	if (m.size > kMaxFileBytes)
		return kx::invalid("size beyond any file");
	const u64 file_pages = (m.size + (u64{1} << page_shift) - 1) >> page_shift;
	if (m.nr_folios > file_pages || m.nr_folios > max_pages)
		return kx::invalid("more folios than the file or RAM has pages");
	const u64 list_pages = (m.nr_folios * sizeof(luo_memfd_folio) + (u64{1} << page_shift) - 1)
			       >> page_shift;
	if (m.folios.total_pages != list_pages || m.folios.flags || m.folios.order)
		return kx::invalid("folio list of the wrong size");
	if (m.nr_folios && !m.folios.first.phys)
		return kx::invalid("folio list missing");
	return {};
}

Result<void> check_folios(const luo_memfd& m, const luo_memfd_folio* f, u64 n,
			  kx_u32 max_order)
{
	const u64 file_pages = (m.size + (u64{1} << m.page_shift) - 1) >> m.page_shift;
	u64 next = 0;  // the first index the next folio may start at
	for (u64 i = 0; i < n; i++) {
		if (f[i].order > max_order)
			return kx::invalid("a folio larger than the largest order");
		const u64 pages = u64{1} << f[i].order;
		if (f[i].index < next)
			return kx::invalid("folios out of order or overlapping");
		if (f[i].index & (pages - 1))
			return kx::invalid("a folio not aligned to its order in the file");
		// It starts inside the file; a huge folio may reach past its end,
		// as shmem's do (huge=always, or a split that failed at truncation).
		if (f[i].index >= file_pages)
			return kx::invalid("a folio beyond the file's size");
		if (f[i].phys & ((pages << m.page_shift) - 1))
			return kx::invalid("a folio's address not aligned to its size");
		if (f[i].flags & ~kKnownFlags)
			return kx::invalid("a folio with unknown flags");
		next = f[i].index + pages;
	}
	return {};
}

}  // namespace

extern "C" {

int luo_memfd_check(const luo_memfd* m, kx_u32 page_shift, kx_u64 max_pages, const char** why)
{
	return kx::to_errno(check(*m, page_shift, max_pages), why);
}

int luo_memfd_check_folios(const luo_memfd* m, const luo_memfd_folio* folios, kx_u64 n,
			   kx_u32 max_order, const char** why)
{
	return kx::to_errno(check_folios(*m, folios, n, max_order), why);
}

}  // extern "C"
