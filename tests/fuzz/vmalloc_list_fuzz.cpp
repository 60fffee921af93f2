// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: the reader of a preserved vmalloc area's page list.
// The input is the struct kho_vmalloc (16 bytes), a mask of which of the
// first 64 pages are restorable (8 bytes), then the contents of the chunk
// pages at 4, 8, 12 and 16 KiB (zero past the input).  Whatever is accepted
// must be a list the format allows; the C interface must agree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kho/vmalloc_list.h"
#include "kho/vmalloc_list.hpp"

namespace {

using kx::u64;

constexpr u64 kPage = 4096;
constexpr unsigned kChunks = 4;  // at pages 1..kChunks
constexpr unsigned kSlots = KHO_VMALLOC_CHUNK_SLOTS;
constexpr u64 kMaxPages = 2048;
constexpr u64 kMaxEntries = kMaxPages + (kMaxPages + kSlots - 1) / kSlots;

kho_vmalloc_chunk chunks[kChunks];
u64 restorable_mask;

void check(bool ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "accepted vmalloc list breaks: %s\n", what);
		abort();
	}
}

int page_restorable(kx_u64 phys)
{
	return phys % kPage == 0 && phys / kPage < 64 && (restorable_mask >> (phys / kPage) & 1);
}

const kho_vmalloc_chunk* chunk_at(kx_u64 phys)
{
	const u64 k = phys / kPage;
	return page_restorable(phys) && k >= 1 && k <= kChunks ? &chunks[k - 1] : nullptr;
}

constexpr kho_vmalloc_list_ops kOps = {chunk_at, page_restorable};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	kho_vmalloc area;
	if (size < sizeof(area) + sizeof(restorable_mask))
		return 0;
	memcpy(&area, data, sizeof(area));
	memcpy(&restorable_mask, data + sizeof(area), sizeof(restorable_mask));
	data += sizeof(area) + sizeof(restorable_mask);
	size -= sizeof(area) + sizeof(restorable_mask);
	memset(chunks, 0, sizeof(chunks));
	memcpy(chunks, data, size < sizeof(chunks) ? size : sizeof(chunks));

	static u64 out[kMaxEntries], c_out[kMaxEntries];
	auto chunks_read = kho::read_vmalloc_list(area, kMaxPages, kOps, {out, kMaxEntries});
	const char* why = chunks_read.is_ok() ? nullptr : chunks_read.error().reason();
	const char* c_why = "unset";
	unsigned c_chunks = 0;
	const int rc = kho_vmalloc_list_read(&area, kMaxPages, &kOps, c_out, kMaxEntries, &c_chunks,
					     &c_why);
	check(c_why == why, "the C interface gives the same reason");
	if (chunks_read.is_error()) {
		check(why != nullptr && rc == -KX_EINVAL, "refusal has a reason");
		return 0;
	}
	check(why == nullptr && rc == 0, "acceptance has no reason");
	const u64 pages = area.total_pages, nr_chunks = chunks_read.value();
	check(c_chunks == nr_chunks && !memcmp(out, c_out, (pages + nr_chunks) * sizeof(u64)),
	      "the C interface reads the same list");
	check(!area.flags && !area.order && pages >= 1 && pages <= kMaxPages, "description");
	check(nr_chunks == (pages + kSlots - 1) / kSlots, "chunks full but the last");
	check(out[pages] == area.first.phys, "the first chunk is the one named");
	for (u64 i = 0; i < pages + nr_chunks; i++)
		check(page_restorable(out[i]), "every page and chunk restorable");
	for (u64 c = 0; c < nr_chunks; c++)
		check(chunk_at(out[pages + c]) != nullptr, "every chunk a chunk");
	return 0;
}
