// SPDX-License-Identifier: GPL-2.0
// The set of physical pages a kernel hands over, kept as sorted, disjoint,
// maximally merged runs.  Adjacent runs are merged as they are added, so a
// million scattered pages that happen to be contiguous stay a single run and
// the next kernel reserves one memblock region for them, not a million.
#pragma once

#include <kx/result.hpp>
#include <kx/span.hpp>
#include <kx/types.hpp>
#include <kx/vector.hpp>

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

class PageRanges {
public:
	// Adds [pfn, pfn + nr_pages).  -EINVAL for an empty or wrapping run,
	// -EEXIST if any page is already in the set (the set is unchanged).
	Result<void> add(u64 pfn, u64 nr_pages);
	// Removes [pfn, pfn + nr_pages), which must lie inside one run
	// (-ENOENT otherwise).  Splitting a run may need memory (-ENOMEM).
	Result<void> remove(u64 pfn, u64 nr_pages);
	bool contains(u64 pfn) const;
	// Whether any page in [first, last] is in the set.
	bool intersects(u64 first, u64 last) const;

	void clear() { runs_.reset(); }

	kx::Span<const PageRun> runs() const { return runs_.span(); }
	u64 nr_pages() const;

private:
	// Index of the first run that ends after @pfn.
	usize first_ending_after(u64 pfn) const;

	kx::Vector<PageRun> runs_;
};

// How a set of runs could be written down for the next kernel.  The size is
// what the next kernel must read and reserve before it can allocate.
class Encoding {
public:
	virtual const char* name() const = 0;
	virtual u64 size_bytes(kx::Span<const PageRun> runs) const = 0;

protected:
	// Not virtual: encodings are stateless constants, never deleted
	// through the interface, so no destructor needs to run at all.
	~Encoding() = default;
};

// The seed's "mem" property: a (start, size) pair of u64 per run.
class RangeListEncoding final : public Encoding {
public:
	const char* name() const override { return "range-list"; }
	u64 size_bytes(kx::Span<const PageRun> runs) const override;
};

// Mainline-style: one bit per page from the first to the last page.
class BitmapEncoding final : public Encoding {
public:
	const char* name() const override { return "bitmap"; }
	u64 size_bytes(kx::Span<const PageRun> runs) const override;
};

}  // namespace kho
