// SPDX-License-Identifier: GPL-2.0
// A fake booting kernel for the reservation walk (kho/reserve.h), shared by
// tests/host/reserve_test.cpp and tests/fuzz/reserve_fuzz.cpp: a model of
// RAM, scratch and reserved memory, a gap table of fixed capacity, a
// reserve() that can be told to fail chosen calls, and recorders for every
// op.  Like memblock, the list of reservations the walk reads grows (and
// merges) with each reservation it makes.  violations() then checks a finished walk against an oracle computed
// from the map alone: an empty string, or what went wrong.
//
// Pages are kept as interval sets, never one by one, so runs of billions
// of pages cost nothing.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "kho/mem_map.hpp"
#include "kho/reserve.h"

namespace reserve_fake {

using kx::u64;
using kx::u8;

// Disjoint, non-adjacent [start, end) intervals: a canonical form, so two
// sets holding the same pages compare equal.
class IntervalSet {
public:
	bool intersects(u64 s, u64 e) const
	{
		if (s >= e)
			return false;
		auto it = m_.lower_bound(e);
		if (it == m_.begin())
			return false;
		return std::prev(it)->second > s;
	}
	bool covers(u64 s, u64 e) const
	{
		if (s >= e)
			return true;
		auto it = m_.upper_bound(s);
		if (it == m_.begin())
			return false;
		return std::prev(it)->second >= e;
	}
	void add(u64 s, u64 e)
	{
		if (s >= e)
			return;
		auto it = m_.upper_bound(s);
		if (it != m_.begin() && std::prev(it)->second >= s) {
			--it;
			s = it->first;
			e = std::max(e, it->second);
			it = m_.erase(it);
		}
		while (it != m_.end() && it->first <= e) {
			e = std::max(e, it->second);
			it = m_.erase(it);
		}
		m_[s] = e;
	}
	void remove(u64 s, u64 e)
	{
		if (s >= e)
			return;
		auto it = m_.lower_bound(s);
		if (it != m_.begin() && std::prev(it)->second > s)
			--it;
		std::vector<std::pair<u64, u64>> keep;
		while (it != m_.end() && it->first < e) {
			if (it->first < s)
				keep.push_back({it->first, s});
			if (it->second > e)
				keep.push_back({e, it->second});
			it = m_.erase(it);
		}
		for (auto& [a, b] : keep)
			m_[a] = b;
	}
	u64 total() const
	{
		u64 n = 0;
		for (auto& [s, e] : m_)
			n += e - s;
		return n;
	}
	bool empty() const { return m_.empty(); }
	const std::map<u64, u64>& intervals() const { return m_; }
	bool operator==(const IntervalSet& o) const { return m_ == o.m_; }

private:
	std::map<u64, u64> m_;
};

struct Range {
	u64 start, end;  // pfns, [start, end)
	bool operator==(const Range& o) const { return start == o.start && end == o.end; }
};

struct Dropped {
	kho_run run;
	bool has_other;
	kho_run other;
	std::string why;
};

inline std::string str(const kho_run& r)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "[%#llx+%#llx o%u]", (unsigned long long)r.pfn,
		 (unsigned long long)r.nr_pages, r.order);
	return buf;
}

inline std::string str(u64 s, u64 e)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "[%#llx-%#llx)", (unsigned long long)s, (unsigned long long)e);
	return buf;
}

constexpr const char* kBeyond = "beyond the physical address space";
constexpr const char* kNotRam = "not in boot RAM";
constexpr const char* kInScratch = "overlaps scratch";
constexpr const char* kOverReserved = "overlaps firmware or boot data";

struct FakeKernel {
	// --- The model ---
	IntervalSet ram, scratch, reserved;
	std::vector<kho_keep_out> keep_out;  // besides scratch, which walk() adds
	size_t gap_capacity = ~size_t{0};  // what gap_room() can get at most
	std::set<unsigned> fail_reserve;  // which reserve() calls fail, from 1
	int reserve_errno = -KX_ENOMEM;

	// --- The recorders ---
	unsigned memory_queries = 0, reserve_calls = 0;
	std::vector<u64> gap_room_calls;
	size_t gap_room = 0;  // what gap_room() got
	unsigned page_shift = 12;
	std::vector<kho_phys_range> ram_list, reserved_list;  // as ram()/reserved() give them
	IntervalSet reserved_now;  // reserved, and what the walk reserved
	std::vector<Range> add_gap_calls;
	std::vector<size_t> forget_calls;
	std::vector<Range> gaps;  // the gap table as it stands
	std::vector<Range> reserved_ok, reserve_failed;
	std::vector<kho_run> marks;
	std::vector<Range> unmarks;
	IntervalSet marked;
	std::vector<Dropped> dropped;
	std::vector<std::string> errors;  // contract breaches seen as they happen

	// The model's answers, without recording anything.
	const char* kept_out(u64 s, u64 e) const
	{
		for (const kho_keep_out& k : keep_out) {
			const u64 first = k.range.addr >> page_shift;
			const u64 last = (k.range.addr + k.range.size - 1) >> page_shift;
			if (k.range.size && first < e && s <= last)
				return k.why;
		}
		return scratch.intersects(s, e) ? kInScratch : nullptr;
	}
	const char* problem_of(u64 s, u64 e) const
	{
		if (e < s || e > ~u64{0} >> page_shift)
			return kBeyond;
		if (const char* why = kept_out(s, e))
			return why;
		if (e == s || !ram.covers(s, e))
			return kNotRam;
		if (reserved.intersects(s, e))
			return kOverReserved;
		return nullptr;
	}
	bool gap_is_ok(u64 s, u64 e) const
	{
		return s < e && !kept_out(s, e) && ram.covers(s, e) && !reserved.intersects(s, e);
	}
	// Whether the walk did anything but ask questions.
	bool acted() const
	{
		return reserve_calls || !marks.empty() || !unmarks.empty() || !dropped.empty() ||
		       !add_gap_calls.empty() || !forget_calls.empty() || !gap_room_calls.empty();
	}
};

inline FakeKernel*& current()
{
	static FakeKernel* k;
	return k;
}

inline std::vector<kho_phys_range> bytes_of(const IntervalSet& set, unsigned page_shift)
{
	std::vector<kho_phys_range> out;
	for (auto& [s, e] : set.intervals())
		out.push_back({s << page_shift, (e - s) << page_shift});
	return out;
}

inline bool nth(const std::vector<kho_phys_range>& list, kx_size_t i, kho_phys_range* region)
{
	if (i >= list.size())
		return false;
	*region = list[i];
	return true;
}

inline bool op_ram(kx_size_t i, kho_phys_range* region)
{
	FakeKernel& k = *current();
	k.memory_queries++;
	return nth(k.ram_list, i, region);
}

inline bool op_reserved(kx_size_t i, kho_phys_range* region)
{
	FakeKernel& k = *current();
	k.memory_queries++;
	return nth(k.reserved_list, i, region);
}

inline void op_gap_room(kx_u64 nr)
{
	FakeKernel& k = *current();
	k.gap_room_calls.push_back(nr);
	if (!k.add_gap_calls.empty())
		k.errors.push_back("gap_room() after add_gap()");
	k.gap_room = std::min<u64>(nr, k.gap_capacity);
}

inline int op_add_gap(kx_u64 pfn, kx_u64 nr_pages)
{
	FakeKernel& k = *current();
	k.add_gap_calls.push_back({pfn, pfn + nr_pages});
	if (!k.gap_is_ok(pfn, pfn + nr_pages))
		k.errors.push_back("add_gap of a gap that is not free RAM: " + str(pfn, pfn + nr_pages));
	if (k.gaps.size() >= k.gap_room)
		return -KX_ENOSPC;
	k.gaps.push_back({pfn, pfn + nr_pages});
	return 0;
}

inline void op_forget_gaps(kx_size_t keep)
{
	FakeKernel& k = *current();
	k.forget_calls.push_back(keep);
	if (keep > k.gaps.size()) {
		k.errors.push_back("forget_gaps beyond the table");
		return;
	}
	// Called for a cluster that failed just now: what goes is inside it,
	// what stays is before it.
	if (k.reserve_failed.empty()) {
		k.errors.push_back("forget_gaps without a failed reservation");
	} else {
		const Range f = k.reserve_failed.back();
		for (size_t i = 0; i < k.gaps.size(); i++) {
			const Range g = k.gaps[i];
			if (i < keep && g.end > f.start)
				k.errors.push_back("forget_gaps keeps a gap of the failed cluster");
			if (i >= keep && (g.start < f.start || g.end > f.end))
				k.errors.push_back("forget_gaps drops a gap outside the failed cluster");
		}
	}
	k.gaps.resize(keep);
}

inline int op_reserve(kx_u64 pfn, kx_u64 nr_pages)
{
	FakeKernel& k = *current();
	const unsigned call = ++k.reserve_calls;
	if (!nr_pages || pfn + nr_pages < pfn) {
		k.errors.push_back("reserve of an empty or wrapping range");
		return -KX_EINVAL;
	}
	if (k.fail_reserve.count(call)) {
		k.reserve_failed.push_back({pfn, pfn + nr_pages});
		return k.reserve_errno;
	}
	k.reserved_ok.push_back({pfn, pfn + nr_pages});
	k.reserved_now.add(pfn, pfn + nr_pages);
	k.reserved_list = bytes_of(k.reserved_now, k.page_shift);
	return 0;
}

inline void op_mark(const kho_run* run)
{
	FakeKernel& k = *current();
	const u64 s = run->pfn, e = run->pfn + run->nr_pages;
	k.marks.push_back(*run);
	if (run->order > KHO_MEMMAP_MAX_ORDER || (s | run->nr_pages) & ((u64{1} << run->order) - 1))
		k.errors.push_back("mark of a run not made of whole folios: " + str(*run));
	if (k.marked.intersects(s, e))
		k.errors.push_back("page marked twice, in " + str(*run));
	k.marked.add(s, e);
}

inline void op_unmark(kx_u64 pfn, kx_u64 nr_pages)
{
	FakeKernel& k = *current();
	k.unmarks.push_back({pfn, pfn + nr_pages});
	k.marked.remove(pfn, pfn + nr_pages);
}

inline void op_dropped(const kho_run* run, const kho_run* other, const char* why)
{
	FakeKernel& k = *current();
	Dropped d{*run, other != nullptr, other ? *other : kho_run{}, why ? why : "(null)"};
	if (!why)
		k.errors.push_back("dropped() without a reason");
	k.dropped.push_back(d);
}

inline constexpr kho_reserve_ops kOps = {
	.ram = op_ram,
	.reserved = op_reserved,
	.gap_room = op_gap_room,
	.add_gap = op_add_gap,
	.forget_gaps = op_forget_gaps,
	.reserve = op_reserve,
	.mark = op_mark,
	.unmark = op_unmark,
	.dropped = op_dropped,
};

struct Outcome {
	int rc;
	const char* why;
	kho_reserve_result result;
};

// Runs the walk over @map with @k as the booting kernel.
inline Outcome walk(FakeKernel& k, const u8* map, size_t size, unsigned page_shift,
		    u64 max_dropped, u64 gap_max)
{
	auto storage = std::make_unique<kho_memmap_sorted>();
	std::memset(storage.get(), 0xa5, sizeof(*storage));
	Outcome o;
	std::memset(&o.result, 0xa5, sizeof(o.result));
	o.why = "unset";
	k.page_shift = page_shift;
	k.ram_list = bytes_of(k.ram, page_shift);
	k.reserved_now = k.reserved;
	k.reserved_list = bytes_of(k.reserved, page_shift);
	std::vector<kho_keep_out> keep_out = k.keep_out;
	for (const kho_phys_range& r : bytes_of(k.scratch, page_shift))
		keep_out.push_back({r, kInScratch});
	const kho_reserve_policy policy = {page_shift, keep_out.data(),
					   static_cast<unsigned>(keep_out.size()), max_dropped,
					   gap_max};
	current() = &k;
	o.rc = kho_reserve_preserved(map, size, &policy, &kOps, storage.get(), &o.result, &o.why);
	current() = nullptr;
	return o;
}

constexpr const char* kMalformed = "preserved-memory map malformed";
constexpr const char* kTooMany = "too many preserved ranges are invalid";
constexpr const char* kCannotReserve = "cannot be reserved";
constexpr const char* kOverlap = "overlap";
constexpr const char* kOverlapsAnother = "overlaps another preserved range";

// Checks a finished walk against what the map and the model say it must
// have done.  Empty if all is well.
inline std::string violations(const FakeKernel& k, const u8* map, size_t size,
			      unsigned page_shift, u64 max_dropped, u64 gap_max, const Outcome& o)
{
	std::string out;
	auto fail = [&](const std::string& s) {
		if (out.size() < 4000)
			out += s + "\n";
	};
	for (auto& e : k.errors)
		fail(e);

	// The runs, read independently of the walk.
	std::vector<kho_run> runs;
	bool valid = false;
	{
		kho::MemMapReader reader({map, size}, page_shift);
		if (reader.start().is_ok()) {
			kho::PreservedRun r;
			for (;;) {
				auto more = reader.next(r);
				if (more.is_error())
					break;
				if (!more.value()) {
					valid = true;
					break;
				}
				runs.push_back({r.pfn, r.nr_pages, r.order});
			}
		}
	}
	auto expect_no_action = [&](const char* why) {
		if (o.rc != -KX_EINVAL)
			fail("rc " + std::to_string(o.rc) + ", expected -EINVAL");
		if (!o.why || strcmp(o.why, why))
			fail(std::string("why \"") + (o.why ? o.why : "(null)") + "\", expected \"" +
			     why + "\"");
		if (k.acted())
			fail("the walk acted although it failed");
		if (!k.marked.empty())
			fail("pages marked although the walk failed");
	};
	if (!valid) {
		expect_no_action(kMalformed);
		return out;
	}

	// Overlaps: sorted by address, a run overlaps another iff it starts
	// before the furthest end so far, or the next one starts before its end.
	const size_t n = runs.size();
	std::vector<size_t> by_addr(n);
	for (size_t i = 0; i < n; i++)
		by_addr[i] = i;
	std::sort(by_addr.begin(), by_addr.end(), [&](size_t a, size_t b) {
		return std::tie(runs[a].pfn, runs[a].order) < std::tie(runs[b].pfn, runs[b].order);
	});
	std::vector<bool> overlaps(n, false);
	u64 max_end = 0;
	for (size_t j = 0; j < n; j++) {
		const kho_run& r = runs[by_addr[j]];
		const u64 end = r.pfn + r.nr_pages;
		if (j && r.pfn < max_end)
			overlaps[by_addr[j]] = true;
		if (j + 1 < n && runs[by_addr[j + 1]].pfn < end)
			overlaps[by_addr[j]] = true;
		max_end = std::max(max_end, end);
	}
	std::vector<const char*> problem(n);
	u64 bad = 0;
	for (size_t i = 0; i < n; i++) {
		problem[i] = k.problem_of(runs[i].pfn, runs[i].pfn + runs[i].nr_pages);
		bad += overlaps[i] || problem[i];
	}
	if (bad > max_dropped) {
		expect_no_action(kTooMany);
		return out;
	}
	if (o.rc != 0)
		fail("rc " + std::to_string(o.rc) + " for a map with " + std::to_string(bad) +
		     " bad runs of at most " + std::to_string(max_dropped));
	if (k.gap_room_calls != (n > 1 ? std::vector<u64>{n - 1} : std::vector<u64>{}))
		fail("gap_room() not asked once for a gap between every two runs");
	if (o.why)
		fail(std::string("why set on success: ") + o.why);

	// Failed reservations: made of good runs and gaps, undone whole.
	IntervalSet failed;
	for (const Range& f : k.reserve_failed)
		failed.add(f.start, f.end);
	if (k.unmarks != k.reserve_failed)
		fail("unmark() calls are not exactly the failed reservations");
	for (const Range& f : k.reserve_failed) {
		if (k.marked.intersects(f.start, f.end))
			fail("marked page in the failed reservation " + str(f.start, f.end));
		for (const Range& g : k.gaps)
			if (g.start < f.end && f.start < g.end)
				fail("gap kept in the failed reservation " + str(f.start, f.end));
		const bool said = std::any_of(k.dropped.begin(), k.dropped.end(), [&](const Dropped& d) {
			return !d.has_other && d.why == kCannotReserve && d.run.pfn == f.start &&
			       d.run.nr_pages == f.end - f.start;
		});
		if (!said)
			fail("no \"cannot be reserved\" line for " + str(f.start, f.end));
	}
	if (k.forget_calls.size() != k.reserve_failed.size())
		fail("forget_gaps() not called once per failed reservation");

	// Which runs must be restorable now, and the marks they must leave.
	IntervalSet want_marked;
	std::set<std::tuple<u64, u64, unsigned>> good_runs;
	u64 kept = 0, kept_pages = 0;
	for (size_t i = 0; i < n; i++) {
		const kho_run& r = runs[i];
		const u64 end = r.pfn + r.nr_pages;
		if (overlaps[i] || problem[i]) {
			if (k.marked.intersects(r.pfn, end))
				fail("bad run marked: " + str(r));
			continue;
		}
		good_runs.insert({r.pfn, r.nr_pages, r.order});
		if (failed.intersects(r.pfn, end)) {
			if (!failed.covers(r.pfn, end))
				fail("good run partly in a failed reservation: " + str(r));
			continue;
		}
		want_marked.add(r.pfn, end);
		kept++;
		kept_pages += r.nr_pages;
	}
	if (!(k.marked == want_marked))
		fail("marked pages (" + std::to_string(k.marked.total()) +
		     ") are not the pages of the reserved runs (" +
		     std::to_string(want_marked.total()) + ")");
	for (const kho_run& m : k.marks)
		if (!good_runs.count({m.pfn, m.nr_pages, m.order}))
			fail("mark() of something that is not a good run: " + str(m));
	if (k.marks.size() != good_runs.size())
		fail("mark() calls " + std::to_string(k.marks.size()) + ", good runs " +
		     std::to_string(good_runs.size()));

	// Successful reservations: disjoint, ascending, each made of its runs
	// and the gaps between them, both ends on a run, nothing outside free
	// RAM.
	IntervalSet reserved_all, marked_or_gap = k.marked;
	for (const Range& g : k.gaps)
		marked_or_gap.add(g.start, g.end);
	u64 last_end = 0;
	for (size_t i = 0; i < k.reserved_ok.size(); i++) {
		const Range r = k.reserved_ok[i];
		if (i && r.start < last_end)
			fail("reservations overlap or go backwards: " + str(r.start, r.end));
		last_end = r.end;
		reserved_all.add(r.start, r.end);
		if (!k.marked.covers(r.start, r.start + 1) || !k.marked.covers(r.end - 1, r.end))
			fail("reservation does not begin and end on a run: " + str(r.start, r.end));
		if (!marked_or_gap.covers(r.start, r.end))
			fail("reservation of pages neither run nor remembered gap: " +
			     str(r.start, r.end));
		if (!k.ram.covers(r.start, r.end) || k.scratch.intersects(r.start, r.end) ||
		    k.reserved.intersects(r.start, r.end))
			fail("reservation outside free RAM: " + str(r.start, r.end));
	}
	IntervalSet marked_outside = k.marked;
	for (auto& [s, e] : reserved_all.intervals())
		marked_outside.remove(s, e);
	if (!marked_outside.empty())
		fail("marked pages outside every successful reservation");
	if (k.gaps.size() > k.gap_room)
		fail("more gaps than the table holds");
	for (const Range& g : k.gaps) {
		if (g.start >= g.end || g.end - g.start > gap_max)
			fail("gap empty or too large: " + str(g.start, g.end));
		if (!reserved_all.covers(g.start, g.end))
			fail("gap outside every reservation: " + str(g.start, g.end));
		if (k.marked.intersects(g.start, g.end))
			fail("gap over a marked page: " + str(g.start, g.end));
		if (!k.gap_is_ok(g.start, g.end))
			fail("gap the model refuses: " + str(g.start, g.end));
	}

	// The lines: every bad run named, with its reason; nothing good named
	// but by the cluster it failed with.
	auto is_run = [&](const kho_run& a, size_t i) {
		return a.pfn == runs[i].pfn && a.nr_pages == runs[i].nr_pages && a.order == runs[i].order;
	};
	std::map<std::tuple<u64, u64, unsigned>, size_t> index;
	for (size_t i = 0; i < n; i++)
		index[{runs[i].pfn, runs[i].nr_pages, runs[i].order}] = i;
	// Per run: own lines, lines naming it first of a pair, second of one.
	std::vector<unsigned> named(n, 0), first(n, 0), second(n, 0);
	for (const Dropped& d : k.dropped) {
		if (d.why == kCannotReserve && !d.has_other)
			continue;
		auto it = index.find({d.run.pfn, d.run.nr_pages, d.run.order});
		if (it == index.end()) {
			fail("dropped() names no run of the map: " + str(d.run));
			continue;
		}
		const size_t i = it->second;
		if (d.has_other) {
			auto jt = index.find({d.other.pfn, d.other.nr_pages, d.other.order});
			if (d.why != kOverlap || jt == index.end() || !overlaps[i] ||
			    !(d.other.pfn < d.run.pfn + d.run.nr_pages &&
			      d.run.pfn < d.other.pfn + d.other.nr_pages) ||
			    is_run(d.other, i)) {
				fail("bad overlap line: " + str(d.run) + " " + str(d.other) + " " + d.why);
				continue;
			}
			first[i]++;
			second[jt->second]++;
			continue;
		}
		named[i]++;
		if (overlaps[i]) {
			if (d.why != kOverlapsAnother)
				fail("overlapping run dropped as \"" + d.why + "\": " + str(d.run));
		} else if (!problem[i] || d.why != problem[i]) {
			fail("run dropped as \"" + d.why + "\": " + str(d.run));
		}
	}
	// An overlapping run is named once on its own line, or in one or two
	// pair lines (with the run before it, and with the run after it);
	// any other bad run on exactly one line of its own; a good one never.
	for (size_t i = 0; i < n; i++) {
		const unsigned pairs = first[i] + second[i];
		const bool ok = overlaps[i] ? (named[i] == 1 && !pairs) ||
						      (!named[i] && pairs && first[i] <= 1 && second[i] <= 1)
					    : problem[i] ? named[i] == 1 && !pairs : !named[i] && !pairs;
		if (!ok)
			fail("run named " + std::to_string(named[i]) + "+" + std::to_string(first[i]) +
			     "+" + std::to_string(second[i]) + " times: " + str(runs[i]));
	}

	// The counts.
	if (o.result.runs != n)
		fail("result.runs " + std::to_string(o.result.runs) + ", map has " + std::to_string(n));
	if (o.result.pages != kept_pages || o.result.pages != k.marked.total())
		fail("result.pages " + std::to_string(o.result.pages) + ", expected " +
		     std::to_string(kept_pages));
	if (o.result.regions != k.reserved_ok.size())
		fail("result.regions " + std::to_string(o.result.regions) + ", reservations " +
		     std::to_string(k.reserved_ok.size()));
	if (o.result.dropped != n - kept)
		fail("result.dropped " + std::to_string(o.result.dropped) + ", expected " +
		     std::to_string(n - kept));
	return out;
}

// --- Maps ---

// A map of EXTENT blocks, as given: nothing stops them overlapping, within
// an order (malformed) or across orders (well formed, and what the walk
// must catch).  @base and @length are in folios of @order.
struct Extent {
	unsigned order;
	u64 base;
	u64 length;
};

inline std::vector<u8> extent_map(std::vector<Extent> ex, unsigned page_shift = 12,
				  bool sort = true)
{
	if (sort)
		std::stable_sort(ex.begin(), ex.end(), [](const Extent& a, const Extent& b) {
			return std::tie(a.order, a.base) < std::tie(b.order, b.base);
		});
	std::vector<u8> out(sizeof(kho_memmap_header) + ex.size() * 24);
	kho_memmap_header h = {KHO_MEMMAP_MAGIC, KHO_MEMMAP_VERSION, page_shift,
			       static_cast<unsigned>(ex.size()), out.size(), 0};
	size_t at = sizeof(h);
	for (const Extent& e : ex) {
		kho_memmap_block b = {e.base, static_cast<unsigned char>(e.order), KHO_MEMMAP_EXTENT, 0,
				      0};
		std::memcpy(out.data() + at, &b, sizeof(b));
		std::memcpy(out.data() + at + sizeof(b), &e.length, sizeof(u64));
		at += 24;
		h.nr_pages += e.length << e.order;
	}
	std::memcpy(out.data(), &h, sizeof(h));
	return out;
}

}  // namespace reserve_fake
