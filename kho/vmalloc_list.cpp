// SPDX-License-Identifier: GPL-2.0
#include "kho/vmalloc_list.hpp"

namespace kho {

using kx::Errno;
using kx::u32;
using kx::u64;

namespace {

constexpr u32 kSlots = KHO_VMALLOC_CHUNK_SLOTS;

static_assert(sizeof(kho_vmalloc_chunk) == KHO_VMALLOC_CHUNK_BYTES);
static_assert(sizeof(kho_vmalloc) == 16);

}  // namespace

void drop_vmalloc_list(kho_vmalloc& area, const kho_vmalloc_writer_ops& ops)
{
	for (u64 next = area.first.phys; next;) {
		kho_vmalloc_chunk* chunk = ops.chunk_at(next);
		next = chunk->next;
		for (u32 i = 0; i < kSlots && chunk->phys[i]; i++)
			ops.unpreserve_page(chunk->phys[i]);
		ops.free_chunk(chunk);
	}
	area.first.phys = 0;
}

kx::Result<void> write_vmalloc_list(u32 nr_pages, const kho_vmalloc_writer_ops& ops, void* ctx,
				    kho_vmalloc& area)
{
	if (!nr_pages)
		return Errno::inval;
	area = {};
	kho_vmalloc_chunk* chunk = nullptr;
	for (u32 i = 0, slot = kSlots; i < nr_pages; i++, slot++) {
		u64 phys;
		if (slot == kSlots) {
			kho_vmalloc_chunk* next;
			if (const int err = ops.new_chunk(&next, &phys)) {
				drop_vmalloc_list(area, ops);
				return kx::Error::from_errno(err);
			}
			(chunk ? chunk->next : area.first.phys) = phys;
			chunk = next;
			slot = 0;
		}
		if (const int err = ops.preserve_page(ctx, i, &phys)) {
			drop_vmalloc_list(area, ops);
			return kx::Error::from_errno(err);
		}
		chunk->phys[slot] = phys;
	}
	area.total_pages = nr_pages;
	return {};
}

kx::Result<VmallocListSize> check_vmalloc(const kho_vmalloc& area, u64 max_pages)
{
	if (area.flags || area.order)
		return kx::invalid("vmalloc area: flags or order not understood");
	if (!area.total_pages || area.total_pages > max_pages)
		return kx::invalid("vmalloc area: size out of range");
	const u64 pages = area.total_pages;
	return VmallocListSize{area.total_pages, pages + (pages + kSlots - 1) / kSlots};
}

kx::Result<u32> read_vmalloc_list(const kho_vmalloc& area, u64 max_pages,
				  const kho_vmalloc_list_ops& ops, kx::Span<u64> out)
{
	const VmallocListSize size = TRY(check_vmalloc(area, max_pages));
	const u64 max_chunks = size.entries - size.nr_pages;
	if (out.size() < size.entries)
		return kx::invalid("vmalloc area: no room for its list");
	u64 nr_pages = 0;
	u32 nr_chunks = 0;
	bool ended_early = false;
	for (u64 next = area.first.phys; next;) {
		if (nr_chunks == max_chunks)
			return kx::invalid("vmalloc area: more chunks than its pages need");
		if (ended_early)
			return kx::invalid("vmalloc area: a chunk ends early but is not the last");
		const kho_vmalloc_chunk* chunk = ops.chunk(next);
		if (!chunk)
			return kx::invalid("vmalloc area: a chunk is not a preserved page");
		out[size.nr_pages + nr_chunks++] = next;
		u32 i = 0;
		for (; i < kSlots && chunk->phys[i]; i++) {
			if (nr_pages == size.nr_pages)
				return kx::invalid("vmalloc area: more pages listed than it claims");
			if (!ops.restorable(chunk->phys[i]))
				return kx::invalid("vmalloc area: a listed page is not preserved");
			out[nr_pages++] = chunk->phys[i];
		}
		ended_early = i < kSlots;
		next = chunk->next;
	}
	if (nr_pages != size.nr_pages)
		return kx::invalid("vmalloc area: fewer pages listed than it claims");
	return nr_chunks;
}

}  // namespace kho

extern "C" int kho_vmalloc_list_write(unsigned int nr_pages, const kho_vmalloc_writer_ops* ops,
				      void* ctx, kho_vmalloc* area)
{
	return kx::to_errno(kho::write_vmalloc_list(nr_pages, *ops, ctx, *area));
}

extern "C" void kho_vmalloc_list_drop(kho_vmalloc* area, const kho_vmalloc_writer_ops* ops)
{
	kho::drop_vmalloc_list(*area, *ops);
}

extern "C" int kho_vmalloc_list_size(const kho_vmalloc* area, kx_u64 max_pages,
				     unsigned int* nr_pages, kx_u64* entries, const char** why)
{
	auto size = kho::check_vmalloc(*area, max_pages);
	if (size.is_ok()) {
		*nr_pages = size.value().nr_pages;
		*entries = size.value().entries;
	}
	return kx::to_errno(size, why);
}

extern "C" int kho_vmalloc_list_read(const kho_vmalloc* area, kx_u64 max_pages,
				     const kho_vmalloc_list_ops* ops, kx_u64* phys,
				     kx_u64 entries, unsigned int* nr_chunks, const char** why)
{
	return kx::to_errno(kho::read_vmalloc_list(*area, max_pages, *ops, {phys, entries}),
			    nr_chunks, why);
}
