// SPDX-License-Identifier: GPL-2.0
#include "kho/page_ranges.hpp"

#include <kho/abi/memmap.h>
#include <kx/new.hpp>

namespace kho {

using kx::Errno;
using kx::u16;

namespace {

constexpr unsigned kChunkShift = 15;
constexpr u64 kChunkBits = u64{1} << kChunkShift;
static_assert(kChunkBits == KHO_MEMMAP_CHUNK);
constexpr unsigned kFanoutShift = 6;
constexpr unsigned kFanout = 1u << kFanoutShift;
// A root at this height covers every u64 index.
constexpr unsigned kMaxHeight = 9;
static_assert(kChunkShift + kFanoutShift * kMaxHeight >= 64);

// A slot at @level covers 2^shift_of(level) indices: a chunk at level 0.
constexpr unsigned shift_of(unsigned level) { return kChunkShift + kFanoutShift * level; }

// The last index the level-@level slot starting at @lo covers.
constexpr u64 slot_last(u64 lo, unsigned level)
{
	return shift_of(level) >= 64 ? ~u64{0} : lo + ((u64{1} << shift_of(level)) - 1);
}

constexpr bool covers_slot(u64 lo, unsigned level, u64 first, u64 last)
{
	return first <= lo && slot_last(lo, level) <= last;
}

// Calls @visit(i, child_lo, child_first, child_last) for each child of the
// level-@level slot at @lo that [first, last] reaches, the range clipped to
// the child, in ascending order; stops early when @visit returns false.
// Returns whether every call returned true.
template <typename Visit>
bool for_each_child(unsigned level, u64 lo, u64 first, u64 last, Visit visit)
{
	const unsigned shift = shift_of(level - 1);
	const unsigned from = static_cast<unsigned>((kx::max(first, lo) - lo) >> shift);
	const unsigned to = static_cast<unsigned>((kx::min(last, slot_last(lo, level)) - lo) >> shift);
	for (unsigned i = from; i <= to; i++) {
		const u64 child_lo = lo + (u64{i} << shift);
		if (!visit(i, child_lo, kx::max(first, child_lo),
			   kx::min(last, slot_last(child_lo, level - 1))))
			return false;
	}
	return true;
}

}  // namespace

struct PageRanges::Bitmap {
	static constexpr unsigned kWords = kChunkBits / 64;
	u64 words[kWords];  // nothing else: exactly a page, no slab waste
	static_assert(sizeof(words) == 4096);

	// Bits [a, b] of word @w.
	static u64 mask(u64 w, u64 a, u64 b)
	{
		const u64 lo = w == a / 64 ? a % 64 : 0, hi = w == b / 64 ? b % 64 : 63;
		return (~u64{0} >> (63 - hi)) & (~u64{0} << lo);
	}
	void assign(u64 a, u64 b, bool value)
	{
		for (u64 w = a / 64; w <= b / 64; w++)
			words[w] = value ? words[w] | mask(w, a, b) : words[w] & ~mask(w, a, b);
	}
	bool any(u64 a, u64 b) const
	{
		for (u64 w = a / 64; w <= b / 64; w++)
			if (words[w] & mask(w, a, b))
				return true;
		return false;
	}
	bool all(u64 a, u64 b) const
	{
		for (u64 w = a / 64; w <= b / 64; w++)
			if ((words[w] & mask(w, a, b)) != mask(w, a, b))
				return false;
		return true;
	}
	// The first stretch of set bits at or after index @from, in the chunk
	// that starts at index @lo.
	bool find(u64 lo, u64 from, Segment& out) const
	{
		const u64 first = next(from - lo, true);
		if (first == kChunkBits)
			return false;
		out = {lo + first, lo + next(first, false) - 1};
		return true;
	}
	// The first bit at or after @a that is @value, or kChunkBits.
	u64 next(u64 a, bool value) const
	{
		const u64 flip = value ? 0 : ~u64{0};
		u64 w = a / 64, bits = (words[w] ^ flip) & (~u64{0} << (a % 64));
		while (!bits) {
			if (++w == kWords)
				return kChunkBits;
			bits = words[w] ^ flip;
		}
		return w * 64 + static_cast<u64>(__builtin_ctzll(bits));
	}
};

struct PageRanges::Node {
	Slot slots[kFanout];
	u16 ones[kFanout];  // at height 1: the set bits of each Bitmap slot
	kx::u8 nr_present;  // slots not empty
	kx::u8 nr_full;

	void init(Slot fill)
	{
		for (Slot& slot : slots)
			slot = fill;
		nr_present = fill.is_empty() ? 0 : kFanout;
		nr_full = fill.is_full() ? kFanout : 0;
	}
	void set(unsigned i, Slot slot)
	{
		nr_present = static_cast<kx::u8>(nr_present - !slots[i].is_empty() + !slot.is_empty());
		nr_full = static_cast<kx::u8>(nr_full - slots[i].is_full() + slot.is_full());
		slots[i] = slot;
	}
};

struct PageRanges::Storage {
	usize nodes = 0, bitmaps = 0;
};

// The nodes and bitmaps an update takes, allocated before it changes
// anything; what is left over is freed.  An update of one range only
// descends into the slots it covers in part, at most two per level (those
// holding its ends), so the need is bounded.
class PageRanges::Reserve {
public:
	Reserve() = default;
	KX_NONCOPYABLE(Reserve);
	~Reserve()
	{
		while (nr_nodes_)
			delete nodes_[--nr_nodes_];
		while (nr_bitmaps_)
			delete bitmaps_[--nr_bitmaps_];
	}

	// With @must, nothing can fail: removing pages must always work,
	// or an owner could not take back memory it handed over.
	bool fill(const Storage& need, bool must)
	{
		for (; nr_nodes_ < need.nodes; nr_nodes_++)
			if (!(nodes_[nr_nodes_] = must ? new (kx::nofail) Node : new (std::nothrow) Node))
				return false;
		for (; nr_bitmaps_ < need.bitmaps; nr_bitmaps_++)
			if (!(bitmaps_[nr_bitmaps_] = must ? new (kx::nofail) Bitmap
							 : new (std::nothrow) Bitmap))
				return false;
		return true;
	}
	// Storage standing for @fill, an empty or full slot.
	Node* take_node(Slot fill)
	{
		Node* node = nodes_[--nr_nodes_];
		node->init(fill);
		return node;
	}
	Bitmap* take_bitmap(Slot fill)
	{
		Bitmap* bitmap = bitmaps_[--nr_bitmaps_];
		__builtin_memset(bitmap->words, fill.is_full() ? 0xff : 0, sizeof(bitmap->words));
		return bitmap;
	}

private:
	Node* nodes_[2 * kMaxHeight];
	usize nr_nodes_ = 0;
	Bitmap* bitmaps_[2];
	usize nr_bitmaps_ = 0;
};

bool PageRanges::intersects(u64 first, u64 last) const
{
	return test(Presence::any, first, last);
}

Result<void> PageRanges::add(u64 pfn, u64 nr_pages)
{
	if (nr_pages == 0 || pfn + nr_pages < pfn)
		return Errno::inval;
	const u64 last = pfn + nr_pages - 1;
	if (intersects(pfn, last))
		return Errno::exist;
	return update(pfn, last, true);
}

Result<void> PageRanges::remove(u64 pfn, u64 nr_pages)
{
	if (nr_pages == 0 || pfn + nr_pages < pfn)
		return Errno::inval;
	const u64 last = pfn + nr_pages - 1;
	if (!test(Presence::all, pfn, last))
		return Errno::noent;
	return update(pfn, last, false);
}

void PageRanges::clear()
{
	free_below(root_, height_);
	root_ = Slot::empty_slot();
	height_ = 1;
	nr_pages_ = 0;
}

void PageRanges::free_below(Slot slot, unsigned level)
{
	if (!slot.has_storage())
		return;
	if (level == 0) {
		delete slot.bitmap();
		return;
	}
	for (Slot child : slot.node()->slots)
		free_below(child, level - 1);
	delete slot.node();
}

// Raises the root until it covers @last; the old root becomes the first
// child of each new one.
Result<void> PageRanges::grow_to_cover(u64 last)
{
	while (slot_last(0, height_) < last) {
		if (!root_.is_empty()) {
			Node* node = new (std::nothrow) Node;
			if (!node) {
				shrink();
				return Errno::nomem;
			}
			node->init(Slot::empty_slot());
			node->set(0, root_);
			root_ = Slot::of(node);
		}
		height_++;
	}
	return {};
}

// Lowers the root while only its first child is used.  Every operation
// leaves the tree this way, so this also undoes a growth exactly.
void PageRanges::shrink()
{
	while (height_ > 1 && root_.has_storage() && root_.node()->nr_present == 1 &&
	       !root_.node()->slots[0].is_empty()) {
		Node* node = root_.node();
		root_ = node->slots[0];
		delete node;
		height_--;
	}
	if (root_.is_empty())
		height_ = 1;
}

// Adds or removes [first, last], which add() and remove() checked: every
// slot the range covers whole is empty (add) or full (remove, as a slot
// whose indices are all present is always full).
Result<void> PageRanges::update(u64 first, u64 last, bool add)
{
	if (add)
		TRY(grow_to_cover(last));
	Storage need;
	count_storage(root_, height_, 0, first, last, need);
	Reserve reserve;
	if (!reserve.fill(need, !add)) {
		shrink();
		return Errno::nomem;
	}
	update_below(root_, height_, 0, first, last, add, reserve);
	const u64 count = last - first + 1;
	nr_pages_ = add ? nr_pages_ + count : nr_pages_ - count;
	shrink();
	return {};
}

// What update_below() will take: a node or bitmap for every slot the range
// covers in part that has no storage yet.  A slot without storage stands
// for children just like itself.
void PageRanges::count_storage(Slot slot, unsigned level, u64 lo, u64 first, u64 last,
			       Storage& need) const
{
	if (covers_slot(lo, level, first, last))
		return;
	if (level == 0) {
		need.bitmaps += !slot.has_storage();
		return;
	}
	need.nodes += !slot.has_storage();
	for_each_child(level, lo, first, last, [&](unsigned i, u64 child_lo, u64 child_first, u64 child_last) {
		count_storage(slot.has_storage() ? slot.node()->slots[i] : slot, level - 1, child_lo,
			      child_first, child_last, need);
		return true;
	});
}

void PageRanges::update_below(Slot& slot, unsigned level, u64 lo, u64 first, u64 last, bool add,
			      Reserve& reserve)
{
	if (covers_slot(lo, level, first, last)) {
		slot = add ? Slot::full_slot() : Slot::empty_slot();
		return;
	}
	if (!slot.has_storage())
		slot = Slot::of(reserve.take_node(slot));
	Node& node = *slot.node();
	for_each_child(level, lo, first, last, [&](unsigned i, u64 child_lo, u64 child_first, u64 child_last) {
		if (level == 1) {
			update_chunk(node, i, child_first - child_lo, child_last - child_lo, add, reserve);
		} else {
			Slot child = node.slots[i];
			update_below(child, level - 1, child_lo, child_first, child_last, add, reserve);
			node.set(i, child);
		}
		return true;
	});
	if (node.nr_full == kFanout || node.nr_present == 0) {
		slot = node.nr_full ? Slot::full_slot() : Slot::empty_slot();
		delete &node;
	}
}

// Sets or clears bits [first, last] of chunk @i of a height-1 node.
void PageRanges::update_chunk(Node& node, unsigned i, u64 first, u64 last, bool add, Reserve& reserve)
{
	if (first == 0 && last == kChunkBits - 1) {
		node.set(i, add ? Slot::full_slot() : Slot::empty_slot());
		return;
	}
	if (!node.slots[i].has_storage()) {
		node.ones[i] = static_cast<u16>(node.slots[i].is_full() ? kChunkBits : 0);
		node.set(i, Slot::of(reserve.take_bitmap(node.slots[i])));
	}
	Bitmap* bitmap = node.slots[i].bitmap();
	bitmap->assign(first, last, add);
	const u64 count = last - first + 1;
	node.ones[i] = static_cast<u16>(add ? node.ones[i] + count : node.ones[i] - count);
	if (node.ones[i] == 0 || node.ones[i] == kChunkBits) {
		node.set(i, node.ones[i] ? Slot::full_slot() : Slot::empty_slot());
		delete bitmap;
	}
}

// Whether any or every index of [first, last] is present.
bool PageRanges::test(Presence presence, u64 first, u64 last) const
{
	const u64 top = slot_last(0, height_);
	if (first > last || first > top)
		return false;
	if (last > top) {
		if (presence == Presence::all)
			return false;
		last = top;
	}
	return test_below(root_, height_, 0, first, last, presence);
}

bool PageRanges::test_below(Slot slot, unsigned level, u64 lo, u64 first, u64 last,
			    Presence presence) const
{
	if (!slot.has_storage())
		return slot.is_full();
	// Storage is never empty, and never wholly present (that is a full slot).
	if (covers_slot(lo, level, first, last))
		return presence == Presence::any;
	if (level == 0) {
		const Bitmap& bitmap = *slot.bitmap();
		return presence == Presence::any ? bitmap.any(first - lo, last - lo)
						 : bitmap.all(first - lo, last - lo);
	}
	// Visits children until one decides the answer.
	const bool undecided = for_each_child(level, lo, first, last,
		[&](unsigned i, u64 child_lo, u64 child_first, u64 child_last) {
			const bool hit = test_below(slot.node()->slots[i], level - 1, child_lo,
						    child_first, child_last, presence);
			return presence == Presence::any ? !hit : hit;
		});
	return presence == Presence::any ? !undecided : undecided;
}

bool PageRanges::find(u64 from, Segment& out, Leaf& leaf) const
{
	if (leaf.bitmap && from - leaf.lo < kChunkBits) {
		if (leaf.bitmap->find(leaf.lo, from, out))
			return true;
		from = leaf.lo + kChunkBits;
		if (from == 0)  // that was the last chunk there is
			return false;
	}
	return from <= slot_last(0, height_) && find_below(root_, height_, 0, from, out, leaf);
}

bool PageRanges::find_below(Slot slot, unsigned level, u64 lo, u64 from, Segment& out,
			    Leaf& leaf) const
{
	if (slot.is_empty())
		return false;
	if (slot.is_full()) {
		out = {from, slot_last(lo, level)};
		return true;
	}
	if (level == 0) {
		leaf = {slot.bitmap(), lo};
		return slot.bitmap()->find(lo, from, out);
	}
	return !for_each_child(level, lo, from, slot_last(lo, level),
		[&](unsigned i, u64 child_lo, u64 child_from, u64) {
			return !find_below(slot.node()->slots[i], level - 1, child_lo, child_from, out, leaf);
		});
}

RunCursor::RunCursor(const PageRanges& set) : set_(&set)
{
	has_ahead_ = set.find(0, ahead_, leaf_);
}

bool RunCursor::next(PageRun& run)
{
	if (!has_ahead_)
		return false;
	const u64 first = ahead_.first;
	u64 last = ahead_.last;
	// Joins the stretches that follow without a gap, in the next chunk or
	// subtree.  Index ~0 is never present (add() refuses a wrapping run),
	// so last + 1 does not wrap.
	while ((has_ahead_ = set_->find(last + 1, ahead_, leaf_)) && ahead_.first == last + 1)
		last = ahead_.last;
	run = {first, last - first + 1};
	return true;
}

u64 count_runs(RunCursor runs)
{
	u64 nr_runs = 0;
	for (PageRun run; runs.next(run);)
		nr_runs++;
	return nr_runs;
}

u64 RangeListEncoding::size_bytes(RunCursor runs) const
{
	return count_runs(runs) * 2 * sizeof(u64);
}

u64 BitmapEncoding::size_bytes(RunCursor runs) const
{
	PageRun first, last;
	if (!runs.next(first))
		return 0;
	last = first;
	for (PageRun run; runs.next(run);)
		last = run;
	const u64 span_pages = last.end() - first.pfn;
	return (span_pages + 63) / 64 * sizeof(u64);
}

}  // namespace kho
