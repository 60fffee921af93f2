// SPDX-License-Identifier: GPL-2.0
// Every C++ operation of the core that allocates, run out of memory at each
// of its allocations in turn (alloc_sweep.hpp): an error value every time,
// no leak, the object unchanged and still working.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <kho/abi/memmap.h>
#include <kx/vector.hpp>

#include "alloc_sweep.hpp"
#include "ftrace/format.h"
#include "ftrace/format.hpp"
#include "kho/mem_map.hpp"
#include "kunit/cxx_face.h"
#include "kho/page_ranges.hpp"

using kho::PageRanges;
using kho::PageRun;
using kho::PreservedMemory;
using kx::u32;
using kx::u64;
using kx::u8;

namespace {

constexpr u64 kChunk = KHO_MEMMAP_CHUNK;

// --- PageRanges ---

std::pair<std::vector<PageRun>, u64> state_of(const PageRanges& set)
{
	std::vector<PageRun> runs;
	kho::RunCursor cursor = set.runs();
	for (PageRun run; cursor.next(run);)
		runs.push_back(run);
	return {runs, set.nr_pages()};
}

long sweep_add(const char* what, PageRanges& set, u64 pfn, u64 nr)
{
	return sweep_allocation_failures(
		what, [&] { return kx::to_errno(set.add(pfn, nr)); }, [&] { return state_of(set); });
}

long sweep_remove(const char* what, PageRanges& set, u64 pfn, u64 nr)
{
	return sweep_allocation_failures(
		what, [&] { return kx::to_errno(set.remove(pfn, nr)); }, [&] { return state_of(set); });
}

TEST(AllocSweep, PageRangesAdd)
{
	PageRanges set;
	// A node per level down to the chunk, and its bitmap.
	EXPECT_EQ(sweep_add("PageRanges::add, far up in an empty set", set, u64{1} << 40, 3), 6);
	PageRanges used;
	ASSERT_TRUE(used.add(5, 1).is_ok());
	// New roots above the old one, then the path to the new page.
	EXPECT_EQ(sweep_add("PageRanges::add, growing a used tree", used, (u64{1} << 40) + 7, 3), 9);
	// Both ends inside chunks of different subtrees.
	EXPECT_GE(sweep_add("PageRanges::add, two partial ends", used, 64 * kChunk - 3, 4096 * kChunk), 4);
	EXPECT_EQ(sweep_add("PageRanges::add, into an existing bitmap", used, 7, 2), 0);
	EXPECT_EQ(used.nr_pages(), 1 + 3 + 4096 * kChunk + 2);
}

// Removals take their storage from kx::nofail: no allocation point of
// theirs can fail, however large the split.
TEST(AllocSweep, PageRangesRemove)
{
	PageRanges set;
	ASSERT_TRUE(set.add(0, 3 * kChunk).is_ok());
	const long live = kx_live_allocations();
	EXPECT_EQ(sweep_remove("PageRanges::remove, splitting a full chunk", set, kChunk + 4, 2), 0);
	EXPECT_EQ(kx_live_allocations(), live + 1);  // the chunk's new bitmap
	PageRanges huge;
	ASSERT_TRUE(huge.add(0, u64{1} << 30).is_ok());
	// Both ends split full subtrees two levels up: two nodes and a bitmap each.
	EXPECT_EQ(sweep_remove("PageRanges::remove, splitting full subtrees at both ends", huge, 12345,
			       u64{1} << 29),
		  0);
	EXPECT_EQ(huge.nr_pages(), (u64{1} << 30) - (u64{1} << 29));
	EXPECT_EQ(sweep_remove("PageRanges::remove, emptying a bitmap", set, kChunk + 6, 1), 0);
}

// Every operation of a random workload, each swept: adds where there is
// room, and removals of a random piece of a run.
TEST(AllocSweep, PageRangesRandomWorkload)
{
	std::mt19937_64 rng(77);
	PageRanges set;
	long points = 0;
	for (int step = 0; step < 600 && !testing::Test::HasFailure(); step++) {
		const u64 pfn = (rng() % 4 == 0 ? u64{1} << (20 + rng() % 20) : 0) + rng() % (4 * kChunk);
		const u64 nr = rng() % 8 == 0 ? 1 + rng() % (2 * kChunk) : 1 + rng() % 32;
		if (rng() % 2 && !set.intersects(pfn, pfn + nr - 1)) {
			points += sweep_add("PageRanges::add, random", set, pfn, nr);
		} else if (!set.empty()) {
			const auto runs = state_of(set).first;
			const PageRun run = runs[rng() % runs.size()];
			const u64 skip = rng() % run.nr_pages;
			points += sweep_remove("PageRanges::remove, random", set, run.pfn + skip,
					       1 + rng() % (run.nr_pages - skip));
		}
	}
	std::printf("[ sweep    ] PageRanges random workload: %ld allocation points in all\n", points);
}

// --- PreservedMemory ---

std::pair<std::vector<u8>, u64> state_of(const PreservedMemory& mem)
{
	std::vector<u8> map(mem.encoded_size());
	EXPECT_TRUE(mem.encode({map.data(), map.size()}, 12).is_ok());
	return {map, mem.nr_pages()};
}

template <typename Op>
long sweep(const char* what, PreservedMemory& mem, Op op)
{
	return sweep_allocation_failures(
		what, [&] { return kx::to_errno(op()); }, [&] { return state_of(mem); });
}

TEST(AllocSweep, PreservedMemory)
{
	PreservedMemory mem;
	EXPECT_GT(sweep("PreservedMemory::preserve", mem, [&] { return mem.preserve(0x123400, 3); }), 0);
	EXPECT_GT(sweep("PreservedMemory::preserve, order 18", mem,
			[&] { return mem.preserve(u64{1} << 34, 18); }), 0);
	EXPECT_GT(sweep("PreservedMemory::preserve_pages", mem,
			[&] { return mem.preserve_pages(0x200000 - 5, 3 * kChunk + 10); }), 0);
	EXPECT_EQ(sweep("PreservedMemory::unpreserve, splitting", mem,
			[&] { return mem.unpreserve(0x200000 + kChunk + 17, 0); }), 0);
	EXPECT_EQ(sweep("PreservedMemory::unpreserve_pages, splitting", mem,
			[&] { return mem.unpreserve_pages(0x200000 + kChunk + 20, 2 * kChunk - 30); }), 0);
	EXPECT_EQ(sweep("PreservedMemory::unpreserve", mem, [&] { return mem.unpreserve(0x123400, 3); }), 0);
	EXPECT_TRUE(mem.is_preserved(u64{1} << 34, 18));
}

// Valid operations only: each must succeed once memory is there.
TEST(AllocSweep, PreservedMemoryRandomWorkload)
{
	std::mt19937_64 rng(11);
	PreservedMemory mem;
	std::vector<std::pair<u64, unsigned>> folios;
	std::vector<std::pair<u64, u64>> extents;
	long points = 0;
	for (int step = 0; step < 400 && !testing::Test::HasFailure(); step++) {
		const unsigned order = rng() % 4 == 0 ? rng() % 12 : 0;
		const u64 pfn = (0x100000 + rng() % (8 * kChunk)) & ~((u64{1} << order) - 1);
		const u64 nr = 1 + (rng() % 6 == 0 ? rng() % (3 * kChunk) : rng() % 40);
		switch (rng() % 4) {
		case 0:
			if (mem.overlaps(pfn, u64{1} << order))
				break;
			points += sweep("PreservedMemory::preserve, random", mem,
					[&] { return mem.preserve(pfn, order); });
			folios.push_back({pfn, order});
			break;
		case 1:
			if (mem.overlaps(pfn, nr))
				break;
			points += sweep("PreservedMemory::preserve_pages, random", mem,
					[&] { return mem.preserve_pages(pfn, nr); });
			extents.push_back({pfn, nr});
			break;
		case 2:
			if (folios.empty())
				break;
			std::swap(folios[rng() % folios.size()], folios.back());
			points += sweep("PreservedMemory::unpreserve, random", mem,
					[&] { return mem.unpreserve(folios.back().first, folios.back().second); });
			folios.pop_back();
			break;
		default: {
			if (extents.empty())
				break;
			// A piece of an extent: the rest stays as up to two extents.
			std::swap(extents[rng() % extents.size()], extents.back());
			const u64 first = extents.back().first, count = extents.back().second;
			extents.pop_back();
			const u64 skip = rng() % count, take = 1 + rng() % (count - skip);
			points += sweep("PreservedMemory::unpreserve_pages, random", mem,
					[&] { return mem.unpreserve_pages(first + skip, take); });
			if (skip)
				extents.push_back({first, skip});
			if (skip + take < count)
				extents.push_back({first + skip + take, count - skip - take});
		}
		}
	}
	std::printf("[ sweep    ] PreservedMemory random workload: %ld allocation points in all\n", points);
}

// --- kx::Vector ---

std::vector<int> contents(const kx::Vector<int>& v)
{
	return {v.span().begin(), v.span().end()};
}

TEST(AllocSweep, Vector)
{
	kx::Vector<int> v;
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(v.try_append(int{i}).is_ok());
	auto snapshot = [&] { return std::make_pair(contents(v), v.capacity()); };
	EXPECT_EQ(sweep_allocation_failures("Vector::try_reserve", [&] { return kx::to_errno(v.try_reserve(100)); },
					    snapshot),
		  1);
	for (int i = 0; v.size() < v.capacity(); i++)
		ASSERT_TRUE(v.try_append(int{i}).is_ok());
	EXPECT_EQ(sweep_allocation_failures("Vector::try_insert", [&] { return kx::to_errno(v.try_insert(2, 42)); },
					    snapshot),
		  1);
	EXPECT_EQ(v[2], 42);
	EXPECT_EQ(sweep_allocation_failures("Vector::try_make_room",
					    [&] { return kx::to_errno(v.try_make_room(1000)); }, snapshot),
		  1);
	EXPECT_GE(v.capacity(), v.size() + 1000);
}

// --- ftrace formats ---

std::vector<u8> encoded(const ftrace::EventTableBuilder& b)
{
	std::vector<u8> blob(b.encoded_size());
	EXPECT_TRUE(b.encode({blob.data(), blob.size()}).is_ok());
	return blob;
}

TEST(AllocSweep, FtraceEventTableBuilder)
{
	ftrace::EventTableBuilder b;
	auto snapshot = [&] { return encoded(b); };
	long points = 0;
	// Adds until every vector has grown several times.
	for (u32 i = 0; i < 40 && !testing::Test::HasFailure(); i++) {
		const std::string name = "event_" + std::to_string(i);
		points += sweep_allocation_failures(
			"EventTableBuilder::add_event",
			[&] { return kx::to_errno(b.add_event(100 + i, "sched", name.c_str())); }, snapshot);
		for (u32 f = 0; f < 3; f++) {
			const std::string field = "field_" + std::to_string(f);
			points += sweep_allocation_failures(
				"EventTableBuilder::add_field",
				[&] {
					return kx::to_errno(b.add_field({field.c_str(), "unsigned long", 8 + 8 * f, 8, false}));
				},
				snapshot);
		}
	}
	EXPECT_GT(points, 3);
	std::vector<u8> out(b.encoded_size());
	EXPECT_EQ(sweep_allocation_failures(
			  "EventTableBuilder::encode", [&] { return kx::to_errno(b.encode({out.data(), out.size()})); },
			  snapshot),
		  0);

	auto table = ftrace::EventTable::parse({out.data(), out.size()});
	ASSERT_TRUE(table.is_ok()) << table.error().reason();
	ftrace::EventTableBuilder next;
	auto next_snapshot = [&] { return encoded(next); };
	for (u32 i = 0; i < 40; i++)
		EXPECT_GE(sweep_allocation_failures(
				  "EventTableBuilder::add_copy",
				  [&] { return kx::to_errno(next.add_copy(table.value(), i, 500 + i)); }, next_snapshot),
			  0);
	// Empty: the builder has no event to add a field to, and stays empty.
	EXPECT_EQ(ftrace::EventTableBuilder().add_field({"f", "int", 8, 4, true}).error().code(), kx::Errno::inval);
}

TEST(AllocSweep, FtraceEventTableParse)
{
	ftrace::EventTableBuilder b;
	for (u32 i = 0; i < 5; i++) {
		ASSERT_TRUE(b.add_event(10 + i, "sys", "ev").is_ok());
		ASSERT_TRUE(b.add_field({"pid", "pid_t", 8, 4, true}).is_ok());
	}
	const std::vector<u8> blob = encoded(b);
	auto no_state = [] { return 0; };
	EXPECT_EQ(sweep_allocation_failures(
			  "EventTable::parse",
			  [&] {
				  auto t = ftrace::EventTable::parse({blob.data(), blob.size()});
				  EXPECT_TRUE(t.is_ok() || t.error().code() == kx::Errno::nomem)
					  << t.error().reason();
				  return kx::to_errno(t);
			  },
			  no_state),
		  2);
	EXPECT_EQ(sweep_allocation_failures(
			  "kho_ftrace_events_parse",
			  [&] {
				  const char* why = nullptr;
				  kho_ftrace_event_table* t = kho_ftrace_events_parse(blob.data(), blob.size(), &why);
				  if (!t)
					  return std::strcmp(why, "out of memory") ? -KX_EINVAL : -KX_ENOMEM;
				  kho_ftrace_events_free(t);
				  return 0;
			  },
			  no_state),
		  3);
}

TEST(AllocSweep, FtraceCpuRecord)
{
	std::vector<u8> slot(ftrace::cpu_record_size(8));
	const kho_ftrace_cpu_record rec = {KHO_FTRACE_CPU_MAGIC, 8, 2, 2, 0, 0, 5};
	std::memcpy(slot.data(), &rec, sizeof(rec));
	slot[sizeof(rec)] = 3;
	slot[sizeof(rec) + 2] = 1;
	std::vector<u32> order(8);
	EXPECT_EQ(sweep_allocation_failures(
			  "check_cpu_record",
			  [&] {
				  return kx::to_errno(ftrace::check_cpu_record({slot.data(), slot.size()}, 8,
									       {order.data(), order.size()}));
			  },
			  [] { return 0; }),
		  1);
	EXPECT_EQ(order[0], 3u);
	EXPECT_EQ(order[1], 1u);
}

// --- The C handles ---

TEST(AllocSweep, CreateFunctions)
{
	auto no_state = [] { return 0; };
	EXPECT_EQ(sweep_allocation_failures(
			  "kho_page_ranges_create",
			  [] {
				  kho_page_ranges* set = kho_page_ranges_create();
				  kho_page_ranges_destroy(set);
				  return set ? 0 : -KX_ENOMEM;
			  },
			  no_state),
		  1);
	EXPECT_EQ(sweep_allocation_failures(
			  "kho_preserved_create",
			  [] {
				  kho_preserved* mem = kho_preserved_create();
				  kho_preserved_destroy(mem);
				  return mem ? 0 : -KX_ENOMEM;
			  },
			  no_state),
		  1);
	EXPECT_EQ(sweep_allocation_failures(
			  "kho_ftrace_events_builder_create",
			  [] {
				  kho_ftrace_events_builder* b = kho_ftrace_events_builder_create();
				  kho_ftrace_events_builder_destroy(b);
				  return b ? 0 : -KX_ENOMEM;
			  },
			  no_state),
		  1);
}

}  // namespace
