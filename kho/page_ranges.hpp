// SPDX-License-Identifier: GPL-2.0
// A set of page frame numbers (or folio indices), cut into the chunks of
// KHO_MEMMAP_CHUNK indices the handover format uses.  A chunk is empty, full
// (no storage), or a 4 KiB bitmap.  Chunks hang off a 64-ary radix tree
// keyed by chunk number that grows in height on demand, like the kernel's
// xarray; a slot at any height may also be full, so a huge contiguous range
// costs a few tree nodes whatever its size.
//
// An operation does a bounded amount of work per tree level (nine levels at
// most), whatever the size of the set: a million pages preserved in random
// order cost a million calls of the same cost.  It allocates all it needs
// before it changes anything, so a failure leaves the set as it was.
#pragma once

#include <kx/result.hpp>
#include <kx/types.hpp>
#include <kx/utility.hpp>

namespace kho {

using kx::Result;
using kx::u64;
using kx::usize;

struct PageRun {
	u64 pfn;
	u64 nr_pages;

	constexpr u64 end() const { return pfn + nr_pages; }
	constexpr bool operator==(const PageRun&) const = default;
};

class RunCursor;

class PageRanges {
public:
	constexpr PageRanges() = default;
	KX_NONCOPYABLE(PageRanges);
	~PageRanges() { clear(); }

	// Adds [pfn, pfn + nr_pages).  -EINVAL for an empty or wrapping run,
	// -EEXIST if any page is already in the set, -ENOMEM; on error the set
	// is unchanged.
	Result<void> add(u64 pfn, u64 nr_pages);
	// Removes [pfn, pfn + nr_pages), all of which must be in the set
	// (-ENOENT otherwise; the set is unchanged).  Never fails for want of
	// memory: splitting a full chunk or subtree takes storage that cannot
	// fail (kx::nofail).
	Result<void> remove(u64 pfn, u64 nr_pages);
	bool contains(u64 pfn) const { return intersects(pfn, pfn); }
	// Whether any page in [first, last] is in the set.
	bool intersects(u64 first, u64 last) const;

	void clear();

	RunCursor runs() const;
	u64 nr_pages() const { return nr_pages_; }
	bool empty() const { return nr_pages_ == 0; }

private:
	friend class RunCursor;
	struct Node;
	struct Bitmap;
	struct Storage;
	class Reserve;

	// Empty, full, or the storage below: a Node, or for a chunk a Bitmap.
	class Slot {
	public:
		Slot() = default;
		static constexpr Slot empty_slot() { return Slot(kEmpty); }
		static constexpr Slot full_slot() { return Slot(kFull); }
		static Slot of(Node* node) { return Slot(reinterpret_cast<usize>(node)); }
		static Slot of(Bitmap* bitmap) { return Slot(reinterpret_cast<usize>(bitmap)); }

		constexpr bool is_empty() const { return bits_ == kEmpty; }
		constexpr bool is_full() const { return bits_ == kFull; }
		constexpr bool has_storage() const { return bits_ > kFull; }
		Node* node() const { return reinterpret_cast<Node*>(bits_); }
		Bitmap* bitmap() const { return reinterpret_cast<Bitmap*>(bits_); }

	private:
		static constexpr usize kEmpty = 0, kFull = 1;
		constexpr explicit Slot(usize bits) : bits_(bits) {}
		usize bits_;
	};

	enum class Presence { any, all };
	// Present indices [first, last] within one full slot or one bitmap.
	struct Segment {
		u64 first, last;
	};
	// The bitmap a search ended in, with the first index of its chunk: the
	// next search in the same chunk need not descend the tree.
	struct Leaf {
		const Bitmap* bitmap = nullptr;
		u64 lo = 0;
	};

	Result<void> grow_to_cover(u64 last);
	void shrink();
	Result<void> update(u64 first, u64 last, bool add);
	void update_below(Slot& slot, unsigned level, u64 lo, u64 first, u64 last, bool add,
			  Reserve& reserve);
	void update_chunk(Node& node, unsigned i, u64 first, u64 last, bool add, Reserve& reserve);
	void count_storage(Slot slot, unsigned level, u64 lo, u64 first, u64 last,
			   Storage& need) const;
	bool test(Presence presence, u64 first, u64 last) const;
	bool test_below(Slot slot, unsigned level, u64 lo, u64 first, u64 last,
			Presence presence) const;
	// The first stretch of present indices at or after @from.
	bool find(u64 from, Segment& out, Leaf& leaf) const;
	bool find_below(Slot slot, unsigned level, u64 lo, u64 from, Segment& out, Leaf& leaf) const;
	static void free_below(Slot slot, unsigned level);

	// The root covers indices [0, 2^(15 + 6 * height_)).
	Slot root_ = Slot::empty_slot();
	unsigned height_ = 1;
	u64 nr_pages_ = 0;
};

// Reads a set as ascending, maximal runs: adjacent pages always share one
// run, across chunk boundaries too.  Valid while the set is not changed.
class RunCursor {
public:
	explicit RunCursor(const PageRanges& set);

	// The next run: true, or false at the end.
	bool next(PageRun& run);

private:
	const PageRanges* set_;
	PageRanges::Segment ahead_;  // the first stretch not returned yet
	bool has_ahead_;
	PageRanges::Leaf leaf_;
};

inline RunCursor PageRanges::runs() const
{
	return RunCursor(*this);
}

// Walks the runs: O(runs).
u64 count_runs(RunCursor runs);

// How a set of runs could be written down for the next kernel.  The size is
// what the next kernel must read and reserve before it can allocate.
class Encoding {
public:
	virtual const char* name() const = 0;
	virtual u64 size_bytes(RunCursor runs) const = 0;

protected:
	// Not virtual: encodings are stateless constants, never deleted
	// through the interface, so no destructor needs to run at all.
	~Encoding() = default;
};

// The seed's "mem" property: a (start, size) pair of u64 per run.
class RangeListEncoding final : public Encoding {
public:
	const char* name() const override { return "range-list"; }
	u64 size_bytes(RunCursor runs) const override;
};

// Mainline-style: one bit per page from the first to the last page.
class BitmapEncoding final : public Encoding {
public:
	const char* name() const override { return "bitmap"; }
	u64 size_bytes(RunCursor runs) const override;
};

}  // namespace kho
