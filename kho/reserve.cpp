// SPDX-License-Identifier: GPL-2.0
// The reservation walk (reserve.h): runs in address order, one run of
// lookahead, so that both runs of an overlap are seen as bad; the booting
// kernel's memory is read beside them in the same order.
#include "kho/reserve.h"

#include "kho/mem_map.hpp"

namespace kho {

using kx::Errno;
using kx::Result;

namespace {

kho_run as_run(const PreservedRun& r) { return {r.pfn, r.nr_pages, r.order}; }

// One sorted list of regions (RAM, or reservations) in pages, read by
// index through the ops and followed by a cursor.  The region found last is
// kept: queries near each other ask the ops nothing, queries at rising
// addresses a step or two.  When the list changes (the walk's own
// reservations, behind the cursor), the cursor finds its place again.
class RegionCursor {
public:
	enum class Pages { Inside, Touched };  // which pages a region counts

	RegionCursor(bool (*region)(kx_size_t, kho_phys_range*), unsigned page_shift, Pages pages)
		: region_(region), shift_(page_shift), pages_(pages) {}

	struct Pfns {
		kx::u64 start, end;
	};

	// Whether one region holds all of [@start, @end).
	bool covers(kx::u64 start, kx::u64 end) { return seek(start) && at_.start <= start && end <= at_.end; }
	// Whether some region has a page in [@start, @end).
	bool touches(kx::u64 start, kx::u64 end) { return seek(start) && at_.start < end; }
	// After covers() held: the region that holds the query.
	Pfns holder() const { return at_; }
	// After touches() did not: the pages around the query that no region has.
	Pfns untouched() const { return {prev_end_, found_ ? at_.start : ~kx::u64{0}}; }
	// The list changed: what the cursor holds may be stale.
	void changed() { fresh_ = false; }

private:
	bool load(kx::usize i, Pfns& pfns) const
	{
		kho_phys_range r;
		if (!region_(i, &r))
			return false;
		const kx::u64 mask = (kx::u64{1} << shift_) - 1, end = r.addr + r.size;
		pfns = pages_ == Pages::Inside
			? Pfns{(r.addr + mask) >> shift_, end >> shift_}
			: Pfns{r.addr >> shift_, (end >> shift_) + !!(end & mask)};
		return true;
	}

	// The first region ending after @pfn, into at_: false if none.  Ends
	// rise with the index; every region before i_ ends by prev_end_.
	bool seek(kx::u64 pfn)
	{
		if (fresh_ && prev_end_ <= pfn && (!found_ || pfn < at_.end))
			return found_;
		Pfns before{};
		while (i_ && (!load(i_ - 1, before) || before.end > pfn))
			i_--;
		prev_end_ = i_ ? before.end : 0;
		found_ = false;
		while (load(i_, at_)) {
			if (at_.end > pfn) {
				found_ = true;
				break;
			}
			prev_end_ = at_.end;
			i_++;
		}
		fresh_ = true;
		return found_;
	}

	bool (*const region_)(kx_size_t, kho_phys_range*);
	const unsigned shift_;
	const Pages pages_;
	kx::usize i_ = 0;
	Pfns at_{};
	kx::u64 prev_end_ = 0;
	bool found_ = false, fresh_ = false;
};

// The booting kernel's memory, asked about in address order.  Runs and
// gaps come a few pages apart, so the pages last found clear (in one RAM
// region, touching no reservation or keep-out range) answer most questions
// without asking the lists.
class BootMemory {
public:
	BootMemory(const kho_reserve_policy& policy, const kho_reserve_ops& ops)
		: policy_(policy),
		  ram_(ops.ram, policy.page_shift, RegionCursor::Pages::Inside),
		  reserved_(ops.reserved, policy.page_shift, RegionCursor::Pages::Touched) {}

	// Why @run cannot be reserved, or nullptr.  Inline even at -Os (the
	// kernel's tinyconfig): it is asked twice for every run.
	[[gnu::always_inline]] const char* problem(const kho_run& run)
	{
		const kx::u64 max_pfn = ~kx::u64{0} >> policy_.page_shift;
		if (run.nr_pages > max_pfn || run.pfn > max_pfn - run.nr_pages)
			return "beyond the physical address space";
		const kx::u64 end = run.pfn + run.nr_pages;
		return in_clear(run.pfn, end) ? nullptr : problem_outside_clear(run.pfn, end);
	}

	// The walk reserved memory: the list of reservations changed.
	void reservations_changed()
	{
		reserved_.changed();
		clear_ = {};
	}

	// Whether the pages between two good runs are free RAM.
	bool gap_is_free(kx::u64 pfn, kx::u64 nr_pages)
	{
		const kx::u64 end = pfn + nr_pages;
		if (in_clear(pfn, end))
			return true;
		if (kept_out(pfn, end) || !ram_.covers(pfn, end) || reserved_.touches(pfn, end))
			return false;
		learn_clear(pfn, end);
		return true;
	}

private:
	bool in_clear(kx::u64 start, kx::u64 end) const { return clear_.start <= start && end <= clear_.end; }

	const char* problem_outside_clear(kx::u64 start, kx::u64 end)
	{
		if (const char* why = kept_out(start, end))
			return why;
		if (!ram_.covers(start, end))
			return "not in boot RAM";
		if (reserved_.touches(start, end))
			return "overlaps firmware or boot data";
		learn_clear(start, end);
		return nullptr;
	}

	// [@start, @end) was just found clear: so are the pages around it up
	// to the edges of its RAM region, the reservations and keep-out ranges.
	void learn_clear(kx::u64 start, kx::u64 end)
	{
		const RegionCursor::Pfns ram = ram_.holder(), free = reserved_.untouched();
		clear_ = {kx::max(ram.start, free.start), kx::min(ram.end, free.end)};
		for (unsigned i = 0; i < policy_.nr_keep_out; i++) {
			const RegionCursor::Pfns k = pages_of(policy_.keep_out[i]);
			if (k.start == k.end)
				continue;
			if (k.end <= start)
				clear_.start = kx::max(clear_.start, k.end);
			else if (k.start >= end)
				clear_.end = kx::min(clear_.end, k.start);
		}
	}

	// The pages keep-out range @k touches; none if it has no size.
	RegionCursor::Pfns pages_of(const kho_keep_out& k) const
	{
		if (!k.range.size)
			return {};
		const unsigned shift = policy_.page_shift;
		return {k.range.addr >> shift, ((k.range.addr + k.range.size - 1) >> shift) + 1};
	}

	const char* kept_out(kx::u64 start, kx::u64 end) const
	{
		for (unsigned i = 0; i < policy_.nr_keep_out; i++) {
			const RegionCursor::Pfns k = pages_of(policy_.keep_out[i]);
			if (k.start < k.end && k.start < end && start < k.end)
				return policy_.keep_out[i].why;
		}
		return nullptr;
	}

	const kho_reserve_policy& policy_;
	RegionCursor ram_, reserved_;
	RegionCursor::Pfns clear_{};  // empty until something is found clear
};

// Feeds the runs of a valid map in address order, saying of each whether
// it overlaps another run and, if that is the next one, which.
class OverlapScan {
public:
	explicit OverlapScan(SortedMemMapReader& reader) : reader_(reader) {}

	struct Item {
		PreservedRun run;
		bool overlaps;          // any other run
		bool reported;          // already named in the line of the run before
		const PreservedRun* next_overlapping;
	};

	// Inline even at -Os: a call per run costs more than its body.
	[[gnu::always_inline]] Result<bool> next(Item& item)
	{
		if (!primed_) {
			have_next_ = TRY(reader_.next(next_));
			primed_ = true;
		}
		if (!have_next_)
			return false;
		item.run = next_;
		item.reported = next_reported_;
		have_next_ = TRY(reader_.next(next_));
		const bool before = item.run.pfn < max_end_;
		const bool after = have_next_ && next_.pfn < item.run.pfn + item.run.nr_pages;
		item.overlaps = before || after;
		item.next_overlapping = after ? &next_ : nullptr;
		next_reported_ = after;
		if (item.run.pfn + item.run.nr_pages > max_end_)
			max_end_ = item.run.pfn + item.run.nr_pages;
		return true;
	}

private:
	SortedMemMapReader& reader_;
	PreservedRun next_{};
	bool primed_ = false, have_next_ = false, next_reported_ = false;
	kx::u64 max_end_ = 0;
};

class Walk {
public:
	Walk(const kho_reserve_policy& policy, const kho_reserve_ops& ops, kho_reserve_result& result)
		: ops_(ops), memory_(policy, ops), gap_max_(policy.gap_max_pages), result_(result) {}

	Result<void> run(SortedMemMapReader& reader)
	{
		OverlapScan scan(reader);
		OverlapScan::Item item;
		while (TRY(scan.next(item))) {
			const kho_run run = as_run(item.run);
			if (item.overlaps) {
				if (item.next_overlapping) {
					const kho_run other = as_run(*item.next_overlapping);
					ops_.dropped(&run, &other, "overlap");
				} else if (!item.reported) {
					ops_.dropped(&run, nullptr, "overlaps another preserved range");
				}
				result_.dropped++;
			} else if (const char* why = memory_.problem(run)) {
				ops_.dropped(&run, nullptr, why);
				result_.dropped++;
			} else {
				accept(run);
			}
		}
		flush();
		return {};
	}

private:
	void accept(const kho_run& run)
	{
		const kx::u64 gap = run.pfn - cluster_end_;
		const bool joins = cluster_pages_ && gap <= gap_max_ &&
				   (!gap || (memory_.gap_is_free(cluster_end_, gap) &&
					     !ops_.add_gap(cluster_end_, gap)));
		if (joins && gap)
			gaps_added_++;
		if (!joins) {
			flush();
			cluster_start_ = run.pfn;
		}
		ops_.mark(&run);
		cluster_end_ = run.pfn + run.nr_pages;
		cluster_pages_ += run.nr_pages;
		cluster_runs_++;
	}

	void flush()
	{
		if (!cluster_pages_)
			return;
		const kx::u64 span = cluster_end_ - cluster_start_;
		const int err = ops_.reserve(cluster_start_, span);
		memory_.reservations_changed();
		if (err) {
			const kho_run cluster = {cluster_start_, span, 0};
			ops_.unmark(cluster_start_, span);
			ops_.forget_gaps(gaps_kept_);
			gaps_added_ = gaps_kept_;
			ops_.dropped(&cluster, nullptr, "cannot be reserved");
			result_.dropped += cluster_runs_;
		} else {
			result_.pages += cluster_pages_;
			result_.regions++;
		}
		gaps_kept_ = gaps_added_;
		cluster_pages_ = cluster_runs_ = 0;
	}

	const kho_reserve_ops& ops_;
	BootMemory memory_;
	const kx::u64 gap_max_;
	kho_reserve_result& result_;
	kx::u64 cluster_start_ = 0, cluster_end_ = 0, cluster_pages_ = 0, cluster_runs_ = 0;
	kx::usize gaps_added_ = 0, gaps_kept_ = 0;
};

// The runs, and how many are bad, counted without acting: the walk acts
// only if the whole map is valid and few runs are bad.
struct Census {
	kx::u64 runs = 0, bad = 0;
};

Result<Census> take_census(SortedMemMapReader& reader, const kho_reserve_policy& policy,
			   const kho_reserve_ops& ops)
{
	BootMemory memory(policy, ops);
	OverlapScan scan(reader);
	OverlapScan::Item item;
	Census census;
	while (TRY(scan.next(item))) {
		const kho_run run = as_run(item.run);
		census.runs++;
		census.bad += item.overlaps || memory.problem(run);
	}
	return census;
}

}  // namespace

}  // namespace kho

extern "C" int kho_reserve_preserved(const void* map, kx_u64 size,
				     const kho_reserve_policy* policy, const kho_reserve_ops* ops,
				     kho_memmap_sorted* reader, kho_reserve_result* result,
				     const char** why)
{
	const kx::Span<const kx::u8> bytes{static_cast<const kx::u8*>(map), size};
	static_assert(sizeof(kho::SortedMemMapReader) <= sizeof(kho_memmap_sorted));

	*result = {};
	*why = "preserved-memory map malformed";
	auto census = kho::take_census(
		*new (reader->opaque) kho::SortedMemMapReader(bytes, policy->page_shift), *policy, *ops);
	if (census.is_error())
		return census.error().to_errno();
	*why = "too many preserved ranges are invalid";
	if (census.value().bad > policy->max_dropped)
		return -KX_EINVAL;
	result->runs = census.value().runs;
	if (result->runs > 1)
		ops->gap_room(result->runs - 1);

	*why = "preserved-memory map malformed";
	kho::Walk walk(*policy, *ops, *result);
	auto done = walk.run(*new (reader->opaque) kho::SortedMemMapReader(bytes, policy->page_shift));
	if (done.is_error())
		return done.error().to_errno();
	*why = nullptr;
	return 0;
}
