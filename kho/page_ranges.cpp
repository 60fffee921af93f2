// SPDX-License-Identifier: GPL-2.0
#include "kho/page_ranges.hpp"

namespace kho {

using kx::Errno;

usize PageRanges::first_ending_after(u64 pfn) const
{
	usize lo = 0, hi = runs_.size();

	while (lo < hi) {
		usize mid = lo + (hi - lo) / 2;
		if (runs_[mid].end() <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool PageRanges::contains(u64 pfn) const
{
	usize i = first_ending_after(pfn);
	return i < runs_.size() && runs_[i].pfn <= pfn;
}

bool PageRanges::intersects(u64 first, u64 last) const
{
	usize i = first_ending_after(first);
	return i < runs_.size() && runs_[i].pfn <= last;
}

u64 PageRanges::nr_pages() const
{
	u64 total = 0;
	for (const PageRun& run : runs_.span())
		total += run.nr_pages;
	return total;
}

Result<void> PageRanges::add(u64 pfn, u64 nr_pages)
{
	if (nr_pages == 0 || pfn + nr_pages < pfn)
		return Errno::inval;
	const u64 end = pfn + nr_pages;

	// Runs before @at end at or before @pfn; the run at @at is the first
	// that could overlap or follow.
	usize at = first_ending_after(pfn);
	if (at < runs_.size() && runs_[at].pfn < end)
		return Errno::exist;

	bool joins_prev = at > 0 && runs_[at - 1].end() == pfn;
	bool joins_next = at < runs_.size() && runs_[at].pfn == end;

	if (joins_prev && joins_next) {
		runs_[at - 1].nr_pages += nr_pages + runs_[at].nr_pages;
		runs_.erase(at);
	} else if (joins_prev) {
		runs_[at - 1].nr_pages += nr_pages;
	} else if (joins_next) {
		runs_[at].pfn = pfn;
		runs_[at].nr_pages += nr_pages;
	} else {
		TRY(runs_.try_insert(at, PageRun{pfn, nr_pages}));
	}
	return {};
}

Result<void> PageRanges::remove(u64 pfn, u64 nr_pages)
{
	if (nr_pages == 0 || pfn + nr_pages < pfn)
		return Errno::inval;
	const u64 end = pfn + nr_pages;

	usize at = first_ending_after(pfn);
	if (at == runs_.size() || runs_[at].pfn > pfn || runs_[at].end() < end)
		return Errno::noent;

	PageRun& run = runs_[at];
	const u64 run_end = run.end();
	if (run.pfn == pfn && run_end == end) {
		runs_.erase(at);
	} else if (run.pfn == pfn) {
		run.pfn = end;
		run.nr_pages = run_end - end;
	} else if (run_end == end) {
		run.nr_pages = pfn - run.pfn;
	} else {
		// A hole in the middle: the tail becomes a run of its own.
		TRY(runs_.try_insert(at + 1, PageRun{end, run_end - end}));
		runs_[at].nr_pages = pfn - runs_[at].pfn;
	}
	return {};
}

u64 RangeListEncoding::size_bytes(kx::Span<const PageRun> runs) const
{
	return runs.size() * 2 * sizeof(u64);
}

u64 BitmapEncoding::size_bytes(kx::Span<const PageRun> runs) const
{
	if (runs.empty())
		return 0;
	u64 span_pages = runs.back().end() - runs.front().pfn;
	return (span_pages + 63) / 64 * sizeof(u64);
}

}  // namespace kho
