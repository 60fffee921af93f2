// SPDX-License-Identifier: GPL-2.0
// libFuzzer target: random sequences of preserve, unpreserve, preserve_pages,
// unpreserve_pages, overlaps and is_preserved, over every folio order, run
// against a reference model; then the record is read back three ways (its
// own run cursor, MemMapReader, SortedMemMapReader) and must match it.
//
// The model keeps, per order, the preserved indices as disjoint, maximal
// intervals in a std::map: plain enough to trust, and unlike a set of single
// pages it lets an input preserve billions of pages, so full chunks and full
// subtrees, and their splits, are fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "kho/mem_map.hpp"

using kho::PreservedMemory;
using kx::u64;

namespace {

constexpr unsigned kOrders = kho::kMaxOrder + 1;
constexpr unsigned kPfnBits = 64 - kho::kMaxOrder - 1;  // what preserve accepts
constexpr unsigned kShift = 12;

void check(bool ok)
{
	if (!ok)
		abort();
}

// Disjoint, never adjacent index intervals of one order: first -> last.
using Intervals = std::map<u64, u64>;

bool any_in(const Intervals& s, u64 first, u64 last)
{
	auto it = s.upper_bound(last);
	return it != s.begin() && std::prev(it)->second >= first;
}

bool all_in(const Intervals& s, u64 first, u64 last)
{
	auto it = s.upper_bound(first);
	return it != s.begin() && std::prev(it)->second >= last;
}

void insert(Intervals& s, u64 first, u64 last)
{
	auto next = s.upper_bound(last);
	if (next != s.end() && next->first == last + 1) {
		last = next->second;
		next = s.erase(next);
	}
	if (next != s.begin() && std::prev(next)->second + 1 == first) {
		first = std::prev(next)->first;
		s.erase(std::prev(next));
	}
	s[first] = last;
}

void erase(Intervals& s, u64 first, u64 last)
{
	auto it = std::prev(s.upper_bound(first));
	const u64 lo = it->first, hi = it->second;
	s.erase(it);
	if (lo < first)
		s[lo] = first - 1;
	if (last < hi)
		s[last + 1] = hi;
}

struct Model {
	Intervals orders[kOrders];

	bool overlaps(u64 pfn, u64 nr) const
	{
		for (unsigned k = 0; k < kOrders; k++)
			if (any_in(orders[k], pfn >> k, (pfn + nr - 1) >> k))
				return true;
		return false;
	}
	u64 nr_pages() const
	{
		u64 total = 0;
		for (unsigned k = 0; k < kOrders; k++)
			for (auto [first, last] : orders[k])
				total += (last - first + 1) << k;
		return total;
	}
};

class Input {
public:
	Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
	bool empty() const { return size_ == 0; }
	u64 take(unsigned bytes)
	{
		u64 v = 0;
		for (; bytes && size_; bytes--, size_--)
			v = v << 8 | *data_++;
		return v;
	}

private:
	const uint8_t* data_;
	size_t size_;
};

// Page numbers crowd into a few windows, the last at the top of what
// preserve accepts, or start where the last operation ended, so that
// operations meet, join and fill chunks and subtrees together.
u64 take_pfn(Input& in, u64 last_end)
{
	static constexpr u64 windows[] = {0, u64{1} << 20, u64{1} << 33,
					  (u64{1} << kPfnBits) - (u64{1} << 24)};
	const unsigned pick = static_cast<unsigned>(in.take(1) % 5);
	return pick < 4 ? windows[pick] + in.take(3) : last_end;
}

u64 take_count(Input& in)
{
	switch (in.take(1) % 4) {
	case 0: return in.take(1) % 64;
	case 1: return in.take(2);
	case 2: return in.take(3) * 4;                 // up to 64M pages
	default: return in.take(6) & ((u64{1} << 44) - 1);  // any size, some refused
	}
}

using Runs = std::vector<std::pair<u64, u64>>;  // index intervals

Runs runs_of(const Intervals& s)
{
	return {s.begin(), s.end()};
}

// Appends [first, last], merging with the previous interval when adjacent.
void append(Runs& runs, u64 first, u64 last)
{
	if (!runs.empty() && runs.back().second + 1 == first)
		runs.back().second = last;
	else
		runs.push_back({first, last});
}

void check_against(const PreservedMemory& mem, const Model& model)
{
	check(mem.nr_pages() == model.nr_pages());
	check(mem.empty() == (model.nr_pages() == 0));

	// The cursor: ascending, maximal runs of every order.
	for (unsigned k = 0; k < kOrders; k++) {
		Runs runs;
		kho::RunCursor cursor = mem.order(k).runs();
		for (kho::PageRun run; cursor.next(run);) {
			check(runs.empty() || runs.back().second + 1 < run.pfn);
			runs.push_back({run.pfn, run.pfn + run.nr_pages - 1});
		}
		check(runs == runs_of(model.orders[k]));
		u64 indices = 0;
		for (auto [first, last] : model.orders[k])
			indices += last - first + 1;
		check(mem.order(k).nr_pages() == indices);
	}

	// The wire format, through the incoming kernel's readers.
	std::vector<kx::u8> map(mem.encoded_size());
	auto written = mem.encode({map.data(), map.size()}, kShift);
	check(written.is_ok() && written.value() == map.size());
	kho::MemMapReader reader({map.data(), map.size()}, kShift);
	check(reader.start().is_ok());
	Runs read[kOrders];
	kho::PreservedRun run;
	for (;;) {
		auto more = reader.next(run);
		check(more.is_ok());
		if (!more.value())
			break;
		append(read[run.order], run.pfn >> run.order, ((run.pfn + run.nr_pages) >> run.order) - 1);
	}
	for (unsigned k = 0; k < kOrders; k++)
		check(read[k] == runs_of(model.orders[k]));

	kho::SortedMemMapReader sorted({map.data(), map.size()}, kShift);
	u64 end = 0, pages = 0;
	for (bool first = true;; first = false) {
		auto more = sorted.next(run);
		check(more.is_ok());
		if (!more.value())
			break;
		check(first || run.pfn >= end);
		check(all_in(model.orders[run.order], run.pfn >> run.order,
			     ((run.pfn + run.nr_pages) >> run.order) - 1));
		end = run.pfn + run.nr_pages;
		pages += run.nr_pages;
	}
	check(pages == model.nr_pages());
}

int errno_of(const kx::Result<void>& r)
{
	return kx::to_errno(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	Input in(data, size);
	PreservedMemory mem;
	Model model;
	u64 last_end = 0;

	while (!in.empty()) {
		const unsigned op = static_cast<unsigned>(in.take(1));
		// Mostly valid folios: an aligned pfn and an order in range.
		const unsigned order = static_cast<unsigned>(in.take(1) % 24);
		u64 pfn = take_pfn(in, last_end);
		if (!(op & 0x80) && order < kOrders)
			pfn &= ~((u64{1} << order) - 1);
		// Or somewhere preserved, with @left indices preserved from there
		// on: removals then mostly succeed, and remove whole chunks and
		// subtrees as often as they split them.
		const unsigned pages_order = op % 7 == 3 ? 0 : order;
		u64 left = 0;
		if ((op & 0x40) && order < kOrders && !model.orders[pages_order].empty()) {
			const Intervals& s = model.orders[pages_order];
			auto it = s.begin();
			std::advance(it, in.take(2) % s.size());
			const u64 index = it->first + in.take(6) % (it->second - it->first + 1);
			left = it->second - index + 1;
			pfn = index << pages_order;
		}
		const bool folio_ok = order < kOrders && !(pfn & ((u64{1} << order) - 1));

		u64 nr = u64{1} << kx::min(order, kho::kMaxOrder);
		switch (op % 7) {
		case 0: {  // preserve
			int want = 0;
			if (!folio_ok || pfn >> kPfnBits)
				want = -KX_EINVAL;
			else if (model.overlaps(pfn, u64{1} << order))
				want = -KX_EEXIST;
			check(errno_of(mem.preserve(pfn, order)) == want);
			if (!want)
				insert(model.orders[order], pfn >> order, pfn >> order);
			break;
		}
		case 1: {  // unpreserve
			int want = 0;
			if (!folio_ok)
				want = -KX_EINVAL;
			else if (!all_in(model.orders[order], pfn >> order, pfn >> order))
				want = -KX_ENOENT;
			check(errno_of(mem.unpreserve(pfn, order)) == want);
			if (!want)
				erase(model.orders[order], pfn >> order, pfn >> order);
			break;
		}
		case 2: {  // preserve_pages
			nr = take_count(in);
			int want = 0;
			if (nr == 0 || (pfn + nr) >> kPfnBits)
				want = -KX_EINVAL;
			else if (model.overlaps(pfn, nr))
				want = -KX_EEXIST;
			check(errno_of(mem.preserve_pages(pfn, nr)) == want);
			if (!want)
				insert(model.orders[0], pfn, pfn + nr - 1);
			break;
		}
		case 3: {  // unpreserve_pages
			nr = left && (op & 0x20) ? left - in.take(6) % left : take_count(in);
			int want = 0;
			if (nr == 0)
				want = -KX_EINVAL;
			else if (!all_in(model.orders[0], pfn, pfn + nr - 1))
				want = -KX_ENOENT;
			check(errno_of(mem.unpreserve_pages(pfn, nr)) == want);
			if (!want)
				erase(model.orders[0], pfn, pfn + nr - 1);
			break;
		}
		case 4: {  // overlaps
			nr = take_count(in);
			if (nr)
				check(mem.overlaps(pfn, nr) == model.overlaps(pfn, nr));
			break;
		}
		case 5:  // is_preserved
			check(mem.is_preserved(pfn, order) ==
			      (folio_ok && all_in(model.orders[order], pfn >> order, pfn >> order)));
			break;
		default:
			check_against(mem, model);
		}
		last_end = pfn + nr;
	}
	check_against(mem, model);
	return 0;
}
