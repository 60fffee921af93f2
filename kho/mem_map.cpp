// SPDX-License-Identifier: GPL-2.0
#include "kho/mem_map.hpp"
#include "kho/mem_map.h"

namespace kho {

using kx::Errno;

namespace {

constexpr u64 kChunk = KHO_MEMMAP_CHUNK;
constexpr u64 kHeaderSize = sizeof(kho_memmap_header);
constexpr u64 kBlockSize = sizeof(kho_memmap_block);

constexpr u64 align8(u64 n) { return (n + 7) & ~u64{7}; }
constexpr u64 runs_payload(u64 nr_runs) { return align8(nr_runs * sizeof(kho_memmap_run)); }
constexpr u64 bitmap_payload(u64 nr_bits) { return (nr_bits + 63) / 64 * 8; }

// Cuts the runs of one order into blocks: runs of at least a chunk become
// EXTENT blocks; shorter ones are grouped by chunk into RUNS or BITMAP
// blocks, whichever is smaller.  A run crossing a chunk boundary is split.
class BlockCutter {
public:
	explicit BlockCutter(RunCursor runs) : runs_(runs) { load(); }

	struct Block {
		kho_memmap_block header;
		u64 extent_length;  // EXTENT only
		// RUNS/BITMAP: the pieces, as a cutter positioned at the block.
		u64 nr_pieces;
	};

	bool done() const { return done_; }

	// Describes the next block without consuming it.
	Block peek(unsigned order) const
	{
		Block b{};
		b.header.order = static_cast<u8>(order);
		if (left_ >= kChunk) {
			b.header.base = start_;
			b.header.kind = KHO_MEMMAP_EXTENT;
			b.extent_length = left_;
			return b;
		}
		BlockCutter scan = *this;
		const u64 chunk_base = start_ & ~(kChunk - 1);
		const u64 first = start_;
		u64 last_end = start_;
		while (scan.in_chunk(chunk_base)) {
			u64 len = scan.piece_length(chunk_base);
			last_end = scan.start_ + len;
			scan.consume(len);
			b.nr_pieces++;
		}
		const u64 bits = last_end - first;
		if (bitmap_payload(bits) < runs_payload(b.nr_pieces)) {
			b.header.kind = KHO_MEMMAP_BITMAP;
			b.header.base = first;
			b.header.count = static_cast<u32>(bits);
		} else {
			b.header.kind = KHO_MEMMAP_RUNS;
			b.header.base = chunk_base;
			b.header.count = static_cast<u32>(b.nr_pieces);
		}
		return b;
	}

	static u64 size_of(const Block& b)
	{
		switch (b.header.kind) {
		case KHO_MEMMAP_EXTENT: return kBlockSize + sizeof(u64);
		case KHO_MEMMAP_RUNS: return kBlockSize + runs_payload(b.header.count);
		default: return kBlockSize + bitmap_payload(b.header.count);
		}
	}

	// Writes @b's payload to @out (unless null) and moves past the block.
	void emit(const Block& b, u8* out)
	{
		if (b.header.kind == KHO_MEMMAP_EXTENT) {
			if (out)
				__builtin_memcpy(out, &b.extent_length, sizeof(u64));
			consume(left_);
			return;
		}
		const u64 chunk_base = start_ & ~(kChunk - 1);
		if (out)
			__builtin_memset(out, 0, size_of(b) - kBlockSize);
		for (u64 n = 0; n < b.nr_pieces; n++) {
			u64 len = piece_length(chunk_base);
			if (out && b.header.kind == KHO_MEMMAP_RUNS) {
				kho_memmap_run r = {static_cast<unsigned short>(start_ - chunk_base),
						    static_cast<unsigned short>(len - 1)};
				__builtin_memcpy(out + n * sizeof(r), &r, sizeof(r));
			} else if (out) {
				for (u64 bit = start_ - b.header.base; bit < start_ - b.header.base + len; bit++)
					out[bit / 8] |= static_cast<u8>(1u << (bit % 8));
			}
			consume(len);
		}
	}

private:
	bool in_chunk(u64 chunk_base) const
	{
		return !done() && left_ < kChunk && start_ < chunk_base + kChunk;
	}
	u64 piece_length(u64 chunk_base) const { return kx::min(left_, chunk_base + kChunk - start_); }
	void consume(u64 len)
	{
		start_ += len;
		left_ -= len;
		if (left_ == 0)
			load();
	}
	void load()
	{
		PageRun run;
		done_ = !runs_.next(run);
		if (!done_) {
			start_ = run.pfn;
			left_ = run.nr_pages;
		}
	}

	RunCursor runs_;
	bool done_ = false;
	u64 start_ = 0, left_ = 0;
};

}  // namespace

bool PreservedMemory::overlaps(u64 pfn, u64 nr_pages) const
{
	const u64 last = pfn + nr_pages - 1;
	for (u32 orders = nonempty_; orders; orders &= orders - 1) {
		const unsigned k = static_cast<unsigned>(__builtin_ctz(orders));
		if (orders_[k].intersects(pfn >> k, last >> k))
			return true;
	}
	return false;
}

void PreservedMemory::note_order(unsigned k)
{
	if (orders_[k].empty())
		nonempty_ &= ~(u32{1} << k);
	else
		nonempty_ |= u32{1} << k;
}

Result<void> PreservedMemory::preserve(u64 pfn, unsigned order)
{
	if (order > kMaxOrder || (pfn & ((u64{1} << order) - 1)) || (pfn >> (64 - kMaxOrder - 1)))
		return Errno::inval;
	if (overlaps(pfn, u64{1} << order))
		return Errno::exist;
	TRY(orders_[order].add(pfn >> order, 1));
	note_order(order);
	return {};
}

Result<void> PreservedMemory::unpreserve(u64 pfn, unsigned order)
{
	if (order > kMaxOrder || (pfn & ((u64{1} << order) - 1)))
		return Errno::inval;
	TRY(orders_[order].remove(pfn >> order, 1));
	note_order(order);
	return {};
}

Result<void> PreservedMemory::preserve_pages(u64 pfn, u64 nr_pages)
{
	if (nr_pages == 0 || pfn + nr_pages < pfn || ((pfn + nr_pages) >> (64 - kMaxOrder - 1)))
		return Errno::inval;
	if (overlaps(pfn, nr_pages))
		return Errno::exist;
	TRY(orders_[0].add(pfn, nr_pages));
	note_order(0);
	return {};
}

Result<void> PreservedMemory::unpreserve_pages(u64 pfn, u64 nr_pages)
{
	TRY(orders_[0].remove(pfn, nr_pages));
	note_order(0);
	return {};
}

bool PreservedMemory::is_preserved(u64 pfn, unsigned order) const
{
	if (order > kMaxOrder || (pfn & ((u64{1} << order) - 1)))
		return false;
	return orders_[order].contains(pfn >> order);
}

u64 PreservedMemory::nr_pages() const
{
	u64 total = 0;
	for (unsigned k = 0; k <= kMaxOrder; k++)
		total += orders_[k].nr_pages() << k;
	return total;
}

void PreservedMemory::clear()
{
	for (PageRanges& set : orders_)
		set.clear();
	nonempty_ = 0;
}

u64 PreservedMemory::encoded_size() const
{
	u64 size = kHeaderSize;
	for (unsigned k = 0; k <= kMaxOrder; k++) {
		BlockCutter cut(orders_[k].runs());
		while (!cut.done()) {
			auto b = cut.peek(k);
			size += BlockCutter::size_of(b);
			cut.emit(b, nullptr);
		}
	}
	return size;
}

Result<u64> PreservedMemory::encode(Span<u8> out, unsigned page_shift) const
{
	kho_memmap_header header = {KHO_MEMMAP_MAGIC, KHO_MEMMAP_VERSION, page_shift, 0, 0, nr_pages()};
	u64 at = kHeaderSize;

	for (unsigned k = 0; k <= kMaxOrder; k++) {
		BlockCutter cut(orders_[k].runs());
		while (!cut.done()) {
			auto b = cut.peek(k);
			const u64 size = BlockCutter::size_of(b);
			if (at + size > out.size())
				return Errno::nospc;
			__builtin_memcpy(out.data() + at, &b.header, kBlockSize);
			cut.emit(b, out.data() + at + kBlockSize);
			at += size;
			header.nr_blocks++;
		}
	}
	if (out.size() < kHeaderSize)
		return Errno::nospc;
	header.size = at;
	__builtin_memcpy(out.data(), &header, kHeaderSize);
	return at;
}

}  // namespace kho

namespace kho {

template <typename T>
bool MemMapReader::read(u64 at, T& out) const
{
	if (at > map_.size() || map_.size() - at < sizeof(T))
		return false;
	__builtin_memcpy(&out, map_.data() + at, sizeof(T));
	return true;
}

Result<void> MemMapReader::start()
{
	kho_memmap_header h;
	failed_ = true;
	if (!read(0, h) || h.magic != KHO_MEMMAP_MAGIC)
		return Errno::inval;
	if (h.version != KHO_MEMMAP_VERSION || h.page_shift != page_shift_)
		return Errno::inval;
	if (h.size != map_.size())
		return Errno::inval;
	declared_pages_ = h.nr_pages;
	blocks_left_ = h.nr_blocks;
	offset_ = kHeaderSize;
	started_ = true;
	failed_ = false;
	return {};
}

// Reads and checks the next block header and the shape of its payload.
Result<void> MemMapReader::open_block()
{
	kho_memmap_block& b = block_;
	if (!read(offset_, b))
		return Errno::inval;
	offset_ += kBlockSize;
	if (b.order > kMaxOrder || b.reserved != 0)
		return Errno::inval;
	// Blocks are sorted by order, then by index, and never overlap.  A
	// RUNS block's base is its chunk's; its runs are checked one by one.
	if (b.order < last_order_)
		return Errno::inval;
	if (b.kind != KHO_MEMMAP_RUNS && b.base < order_end_[b.order])
		return Errno::inval;

	u64 payload, end;
	switch (b.kind) {
	case KHO_MEMMAP_EXTENT: {
		u64 length;
		if (b.count != 0 || !read(offset_, length) || length == 0)
			return Errno::inval;
		payload = sizeof(u64);
		end = b.base + length;
		if (end < b.base)
			return Errno::inval;
		break;
	}
	case KHO_MEMMAP_RUNS:
		if (b.base % kChunk || b.count == 0 || b.count > kChunk / 2)
			return Errno::inval;
		payload = runs_payload(b.count);
		end = b.base + kChunk;  // refined as runs are read
		break;
	case KHO_MEMMAP_BITMAP:
		if (b.count == 0 || b.count > kChunk || b.base % kChunk + b.count > kChunk)
			return Errno::inval;
		payload = bitmap_payload(b.count);
		end = b.base + b.count;
		break;
	default:
		return Errno::inval;
	}
	if (b.base + kChunk < b.base || map_.size() - offset_ < payload)
		return Errno::inval;
	// Every page frame must be representable: (end << order) fits.
	if (end > (~u64{0} >> (b.order + 1)))
		return Errno::inval;
	block_end_ = offset_ + payload;
	item_ = 0;
	in_block_ = true;
	last_order_ = b.order;
	if (b.kind != KHO_MEMMAP_RUNS)
		order_end_[b.order] = end;
	return {};
}

// Word @i of the open bitmap block: bit n of the block is bit n % 64 of
// word n / 64, as the bytes are laid out on a little-endian machine.
// No bounds check: open_block() found the whole payload, in whole words,
// inside the map.  This and find_bit() are inline even at -Os (the
// kernel's tinyconfig): each run of a bitmap block calls them twice.
[[gnu::always_inline]] inline u64 MemMapReader::bitmap_word(u64 i) const
{
	static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	u64 word;
	__builtin_memcpy(&word, map_.data() + offset_ + i * sizeof(u64), sizeof(word));
	return word;
}

// The first bit from @i on that is @set, or the block's count.
[[gnu::always_inline]] inline u64 MemMapReader::find_bit(u64 i, bool set) const
{
	const u64 count = block_.count;
	while (i < count) {
		const u64 word = (set ? bitmap_word(i / 64) : ~bitmap_word(i / 64)) & (~u64{0} << (i % 64));
		if (word)
			return kx::min(count, i / 64 * 64 + __builtin_ctzll(word));
		i = (i / 64 + 1) * 64;
	}
	return count;
}

Result<bool> MemMapReader::next(PreservedRun& run)
{
	if (!started_ || failed_)
		return Errno::inval;
	failed_ = true;  // cleared again on every successful exit

	for (;;) {
		if (!in_block_) {
			if (blocks_left_ == 0) {
				if (offset_ != map_.size() ||
				    (only_order_ < 0 && seen_pages_ != declared_pages_))
					return Errno::inval;
				failed_ = false;
				return false;
			}
			blocks_left_--;
			TRY(open_block());
			// A filtered reader skips other orders' payloads: the
			// map was validated whole before (SortedMemMapReader).
			if (only_order_ >= 0 && block_.order != only_order_) {
				offset_ = block_end_;
				in_block_ = false;
				continue;
			}
		}
		const kho_memmap_block& b = block_;
		u64 first = 0, count = 0;

		if (b.kind == KHO_MEMMAP_EXTENT) {
			if (item_ == 0) {
				read(offset_, count);
				first = b.base;
				item_ = 1;
			}
		} else if (b.kind == KHO_MEMMAP_RUNS) {
			if (item_ < b.count) {
				kho_memmap_run r;
				read(offset_ + item_ * sizeof(r), r);
				first = b.base + r.offset;
				count = u64{r.length_minus_1} + 1;
				// Ascending, disjoint, not adjacent (else merged),
				// inside the chunk.
				if (r.offset + count > kChunk)
					return Errno::inval;
				if (first < order_end_[b.order] ||
				    (item_ > 0 && first == order_end_[b.order]))
					return Errno::inval;
				order_end_[b.order] = first + count;
				item_++;
			} else if (b.count * sizeof(kho_memmap_run) < runs_payload(b.count)) {
				// The padding must be zero.
				u32 pad = 0;
				read(offset_ + b.count * sizeof(kho_memmap_run), pad);
				if (pad != 0)
					return Errno::inval;
			}
		} else {
			// Next maximal run of set bits from bit item_.
			const u64 set = find_bit(item_, true);
			if (set < b.count) {
				const u64 clear = find_bit(set, false);
				first = b.base + set;
				count = clear - set;
				item_ = static_cast<u32>(clear);
			} else if (b.count % 64 && bitmap_word((b.count - 1) / 64) >> (b.count % 64)) {
				return Errno::inval;  // bits past count, in the padding
			}
		}

		if (count == 0) {
			offset_ = block_end_;
			in_block_ = false;
			continue;
		}

		const u64 pages = count << b.order;
		if (seen_pages_ + pages < seen_pages_ || seen_pages_ + pages > declared_pages_)
			return Errno::inval;
		seen_pages_ += pages;
		run = {first << b.order, pages, b.order};
		failed_ = false;
		return true;
	}
}

SortedMemMapReader::SortedMemMapReader(Span<const u8> map, unsigned page_shift)
{
	for (unsigned k = 0; k <= kMaxOrder; k++)
		new (&lanes_[k]) Lane{MemMapReader(map, page_shift, static_cast<int>(k)), {}};
}

Result<void> SortedMemMapReader::refill(unsigned order)
{
	Lane& lane = lanes_[order];
	if (TRY(lane.reader.next(lane.head)))
		with_head_ |= u32{1} << order;
	else
		with_head_ &= ~(u32{1} << order);
	return {};
}

Result<bool> SortedMemMapReader::next(PreservedRun& run)
{
	if (!started_) {
		for (unsigned k = 0; k <= kMaxOrder; k++) {
			TRY(lanes_[k].reader.start());
			TRY(refill(k));
		}
		started_ = true;
	}
	if (!with_head_) {
		// Each lane checked its own order's pages; the total is theirs.
		u64 seen = 0;
		for (const Lane& lane : lanes_)
			if (__builtin_add_overflow(seen, lane.reader.seen_pages(), &seen))
				return Errno::inval;
		if (seen != lanes_[0].reader.declared_pages())
			return Errno::inval;
		return false;
	}
	unsigned best = __builtin_ctz(with_head_);
	for (u32 rest = with_head_ & (with_head_ - 1); rest; rest &= rest - 1) {
		const unsigned k = __builtin_ctz(rest);
		if (lanes_[k].head.pfn < lanes_[best].head.pfn)
			best = k;
	}
	Lane& lane = lanes_[best];
	run = lane.head;
	if (!TRY(lane.reader.next(lane.head)))
		with_head_ &= ~(u32{1} << best);
	return true;
}

}  // namespace kho

namespace {

using kho::MemMapReader;
using kho::PreservedRun;

kx::Result<bool> for_each_head(MemMapReader& reader, kx::u64 first, kx::u64 end,
			       const kho_head_ops& ops)
{
	PreservedRun run;
	TRY(reader.start());
	while (TRY(reader.next(run))) {
		const kx::u64 run_end = run.pfn + run.nr_pages;
		if (run_end <= first || run.pfn >= end || !ops.exists(run.pfn) || !ops.exists(run_end - 1))
			continue;
		// The head of the folio that holds the range's first page.
		kx::u64 head = first > run.pfn ? run.pfn + ((first - run.pfn) >> run.order << run.order)
					       : run.pfn;
		for (; head < kx::min(run_end, end); head += kx::u64{1} << run.order)
			if (ops.visit(head, run.order))
				return true;
	}
	return false;
}

}  // namespace

extern "C" {

kho_preserved* kho_preserved_create(void)
{
	return new (std::nothrow) kho_preserved;
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

kx_u64 kho_preserved_nr_pages(const kho_preserved* mem)
{
	return mem->mem.nr_pages();
}

bool kho_memmap_for_each_head(const void* map, kx_u64 size, unsigned int page_shift,
			      kx_u64 pfn, kx_u64 nr_pages, const kho_head_ops* ops)
{
	MemMapReader reader({static_cast<const kx::u8*>(map), size}, page_shift);
	kx::u64 end;
	if (!nr_pages || __builtin_add_overflow(pfn, nr_pages, &end))
		end = ~kx::u64{0};
	auto stopped = for_each_head(reader, pfn, end, *ops);
	return stopped.is_ok() && stopped.value();
}

}  // extern "C"
