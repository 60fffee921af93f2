// SPDX-License-Identifier: GPL-2.0
// The preserved-memory map: what the outgoing kernel records, per folio
// order, and its wire format (include/kho/abi/memmap.h) with a validating,
// allocation-free reader for the incoming kernel.
#pragma once

#include <kho/abi/memmap.h>
#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>

#include "kho/page_ranges.hpp"

namespace kho {

using kx::Span;
using kx::u8;
using kx::u32;

inline constexpr unsigned kMaxOrder = KHO_MEMMAP_MAX_ORDER;

// Preserved folios, one index set per order.  A page belongs to at most
// one preserved folio: overlapping preservations are refused.
class PreservedMemory {
public:
	// Preserves the 2^order pages at @pfn (aligned to the order).
	// -EINVAL if misaligned or order too large, -EEXIST if any page is
	// already preserved, -ENOMEM.
	Result<void> preserve(u64 pfn, unsigned order);
	// Undoes preserve(); -ENOENT if that folio was not preserved.  Never
	// -ENOMEM: an owner can always take back what it handed over.
	Result<void> unpreserve(u64 pfn, unsigned order);
	// Preserves @nr_pages order-0 pages at @pfn.
	Result<void> preserve_pages(u64 pfn, u64 nr_pages);
	// Undoes preserve_pages() (or part of it); never -ENOMEM either.
	Result<void> unpreserve_pages(u64 pfn, u64 nr_pages);
	bool is_preserved(u64 pfn, unsigned order) const;
	// Whether any page of [pfn, pfn + nr_pages) is preserved.
	bool overlaps(u64 pfn, u64 nr_pages) const;

	const PageRanges& order(unsigned k) const { return orders_[k]; }
	u64 nr_pages() const;
	bool empty() const { return nonempty_ == 0; }
	void clear();

	// Bytes encode() will write.
	u64 encoded_size() const;
	// Writes the map for a kernel with pages of 2^page_shift bytes.
	// -ENOSPC if @out is smaller than encoded_size().
	Result<u64> encode(Span<u8> out, unsigned page_shift) const;

private:
	void note_order(unsigned k);

	PageRanges orders_[kMaxOrder + 1];
	// Bit k set while order k holds anything: lookups skip empty orders.
	u32 nonempty_ = 0;
	static_assert(kMaxOrder < 32);
};

// One run of preserved pages read back from a map.
struct PreservedRun {
	u64 pfn;
	u64 nr_pages;
	unsigned order;
};

// Walks a map from an untrusted source.  Every field is checked before it
// is used; a reader that returned an error has stopped for good.  It never
// allocates, so it runs in early boot.
class MemMapReader {
public:
	// @only_order: return runs of that folio order only (others are still
	// read and checked); -1 for all.
	MemMapReader(Span<const u8> map, unsigned page_shift, int only_order = -1)
		: map_(map), page_shift_(page_shift), only_order_(only_order) {}

	// Checks the header; must succeed before next().
	Result<void> start();
	// The next run: true, or false at the end of a valid map.  Runs come
	// out maximal within a block and in ascending order per folio order.
	Result<bool> next(PreservedRun& run);
	// Walks the whole map: the number of runs of a valid map.  Inline: the
	// kernel reads maps in address order (SortedMemMapReader), so only
	// the host tests and fuzzers call this.
	static Result<u64> validate(Span<const u8> map, unsigned page_shift)
	{
		MemMapReader reader(map, page_shift);
		PreservedRun run;
		u64 runs = 0;
		TRY(reader.start());
		while (TRY(reader.next(run)))
			runs++;
		return runs;
	}

	u64 declared_pages() const { return declared_pages_; }
	u64 seen_pages() const { return seen_pages_; }

private:
	Result<void> open_block();
	template <typename T> bool read(u64 at, T& out) const;
	u64 bitmap_word(u64 i) const;
	u64 find_bit(u64 i, bool set) const;

	Span<const u8> map_;
	unsigned page_shift_;
	int only_order_;
	u64 declared_pages_ = 0;
	u64 seen_pages_ = 0;
	u32 blocks_left_ = 0;
	u64 offset_ = 0;        // next unread byte
	u64 block_end_ = 0;     // end of the current block's payload
	bool in_block_ = false;
	bool started_ = false;
	bool failed_ = false;
	// The current block.
	kho_memmap_block block_{};
	u32 item_ = 0;          // next run or bit
	// Per order, the end of what was read so far: the ordering check.
	u64 order_end_[kMaxOrder + 1] = {};
	int last_order_ = -1;
};

// The runs of a map in ascending address order, all orders merged: what
// the incoming kernel needs to reserve preserved memory in few, large
// memblock regions.  One reader per order, merged; allocation-free.  It
// checks the whole map as MemMapReader does, but an error can come after
// some runs: the map is valid once next() has returned false.
class SortedMemMapReader {
public:
	SortedMemMapReader(Span<const u8> map, unsigned page_shift);
	KX_NONCOPYABLE(SortedMemMapReader);
	~SortedMemMapReader() = default;

	// The next run by address: true, or false at the end.
	Result<bool> next(PreservedRun& run);

private:
	Result<void> refill(unsigned order);

	struct Lane {
		MemMapReader reader;
		PreservedRun head;
	};
	// Lanes are built in place: MemMapReader has no default constructor.
	union {
		Lane lanes_[kMaxOrder + 1];
	};
	static_assert(kMaxOrder < 32);
	u32 with_head_ = 0;  // bit k: lane k holds its next run
	bool started_ = false;
};

}  // namespace kho

// The record behind the C interface's struct kho_preserved (mem_map.h).
struct kho_preserved {
	kho::PreservedMemory mem;
};
