// SPDX-License-Identifier: GPL-2.0
// The writer and the reader of a preserved vmalloc area's page list
// (kho/vmalloc_list.cpp): what is written reads back, a failed write gives
// everything back, and every rejection by its reason, through the C++ and
// the C interface.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "kho/vmalloc_list.h"
#include "kho/vmalloc_list.hpp"

namespace {

using kx::u64;

constexpr u64 kPage = 4096;
constexpr unsigned kSlots = KHO_VMALLOC_CHUNK_SLOTS;
constexpr u64 kMaxPages = 1 << 20;

// The previous kernel's pages as the reader sees them: chunks, and which
// pages are restorable.  The ops take no context, as in the kernel.
struct Memory {
	std::map<u64, std::unique_ptr<kho_vmalloc_chunk>> chunks;
	std::set<u64> restorable;
};
Memory* memory;

const kho_vmalloc_chunk* chunk_at(kx_u64 phys)
{
	auto it = memory->chunks.find(phys);
	return it != memory->chunks.end() && memory->restorable.count(phys) ? it->second.get()
									    : nullptr;
}

int page_restorable(kx_u64 phys) { return memory->restorable.count(phys) != 0; }

constexpr kho_vmalloc_list_ops kOps = {chunk_at, page_restorable};

// The writer's side of the same memory: chunks from 2 GiB up, page i at
// 1 GiB + i pages; "preserved" is "restorable" to the reader.  The
// fail_in-th call of new_chunk or preserve_page fails (0: none).
int fail_in;

bool fails() { return fail_in && --fail_in == 0; }

int new_chunk(kho_vmalloc_chunk** chunk, kx_u64* phys)
{
	if (fails())
		return -KX_ENOMEM;
	*phys = (u64{2} << 30) + memory->chunks.size() * kPage;
	while (memory->chunks.count(*phys))
		*phys += kPage;
	auto owned = std::make_unique<kho_vmalloc_chunk>();
	*owned = {};
	*chunk = owned.get();
	memory->chunks[*phys] = std::move(owned);
	memory->restorable.insert(*phys);
	return 0;
}

void free_chunk(kho_vmalloc_chunk* chunk)
{
	for (auto it = memory->chunks.begin(); it != memory->chunks.end(); ++it) {
		if (it->second.get() == chunk) {
			EXPECT_EQ(memory->restorable.erase(it->first), 1u);
			memory->chunks.erase(it);
			return;
		}
	}
	ADD_FAILURE() << "freed a chunk it never allocated";
}

int preserve_page(void* ctx, unsigned i, kx_u64* phys)
{
	EXPECT_EQ(ctx, &fail_in);
	if (fails())
		return -KX_EBUSY;
	*phys = (u64{1} << 30) + i * kPage;
	EXPECT_TRUE(memory->restorable.insert(*phys).second) << "preserved twice";
	return 0;
}

void unpreserve_page(kx_u64 phys) { EXPECT_EQ(memory->restorable.erase(phys), 1u); }

kho_vmalloc_chunk* own_chunk(kx_u64 phys) { return memory->chunks.at(phys).get(); }

constexpr kho_vmalloc_writer_ops kWriter = {new_chunk, free_chunk, preserve_page, unpreserve_page,
					    own_chunk};

class VmallocList : public ::testing::Test {
protected:
	void SetUp() override { memory = &mem_; }
	void TearDown() override { memory = nullptr; }

	// As kho_preserve_vmalloc() writes it: @nr pages from 1 GiB up, in
	// chunks from 2 GiB up, all restorable.
	kho_vmalloc write(unsigned nr)
	{
		kho_vmalloc area = {};
		area.total_pages = nr;
		kho_vmalloc_chunk* prev = nullptr;
		for (unsigned i = 0; i < nr; i++) {
			if (i % kSlots == 0) {
				const u64 phys = (u64{2} << 30) + mem_.chunks.size() * kPage;
				auto chunk = std::make_unique<kho_vmalloc_chunk>();
				*chunk = {};
				(prev ? prev->next : area.first.phys) = phys;
				prev = chunk.get();
				mem_.chunks[phys] = std::move(chunk);
				mem_.restorable.insert(phys);
			}
			prev->phys[i % kSlots] = page(i);
			mem_.restorable.insert(page(i));
		}
		return area;
	}
	static u64 page(unsigned i) { return (u64{1} << 30) + i * kPage; }
	kho_vmalloc_chunk& chunk(unsigned n)
	{
		auto it = mem_.chunks.begin();
		std::advance(it, n);
		return *it->second;
	}

	// The reason for refusing @area, or nullptr with @got filled.  The C
	// interface must agree.
	const char* why_rejected(const kho_vmalloc& area, std::vector<u64>* got = nullptr,
				 unsigned* nr_chunks = nullptr)
	{
		auto size = kho::check_vmalloc(area, kMaxPages);
		const char* why = size.is_ok() ? nullptr : size.error().reason();
		unsigned c_pages = 0;
		kx_u64 c_entries = 0;
		const char* c_why = "unset";
		EXPECT_EQ(kho_vmalloc_list_size(&area, kMaxPages, &c_pages, &c_entries, &c_why),
			  size.is_ok() ? 0 : -KX_EINVAL);
		EXPECT_EQ(c_why, why);
		if (size.is_error())
			return why;
		EXPECT_EQ(c_pages, size.value().nr_pages);
		EXPECT_EQ(c_entries, size.value().entries);

		std::vector<u64> out(size.value().entries, ~u64{0});
		auto chunks = kho::read_vmalloc_list(area, kMaxPages, kOps, {out.data(), out.size()});
		why = chunks.is_ok() ? nullptr : chunks.error().reason();
		std::vector<u64> c_out(out.size());
		unsigned c_chunks = 0;
		EXPECT_EQ(kho_vmalloc_list_read(&area, kMaxPages, &kOps, c_out.data(), c_out.size(),
						&c_chunks, &c_why),
			  chunks.is_ok() ? 0 : -KX_EINVAL);
		EXPECT_EQ(c_why, why);
		if (chunks.is_error())
			return why;
		EXPECT_EQ(c_chunks, chunks.value());
		out.resize(size.value().nr_pages + chunks.value());
		c_out.resize(out.size());
		EXPECT_EQ(c_out, out);
		if (got)
			*got = out;
		if (nr_chunks)
			*nr_chunks = chunks.value();
		return nullptr;
	}

	Memory mem_;
};

TEST_F(VmallocList, ReadsEveryShapeAsWritten)
{
	for (unsigned nr : {1u, 2u, kSlots - 1, kSlots, kSlots + 1, 3 * kSlots, 3 * kSlots + 7}) {
		mem_ = {};
		std::vector<u64> got;
		unsigned nr_chunks = 0;
		ASSERT_EQ(why_rejected(write(nr), &got, &nr_chunks), nullptr) << nr;
		const unsigned want_chunks = (nr + kSlots - 1) / kSlots;
		ASSERT_EQ(nr_chunks, want_chunks);
		ASSERT_EQ(got.size(), nr + want_chunks);
		for (unsigned i = 0; i < nr; i++)
			EXPECT_EQ(got[i], page(i));
		for (unsigned c = 0; c < want_chunks; c++)
			EXPECT_EQ(got[nr + c], (u64{2} << 30) + c * kPage);
	}
}

TEST_F(VmallocList, ReadsBackWhatItWrites)
{
	for (unsigned nr : {1u, kSlots - 1, kSlots, kSlots + 1, 3 * kSlots + 7}) {
		mem_ = {};
		fail_in = 0;
		kho_vmalloc area;
		std::memset(&area, 0xa5, sizeof(area));
		ASSERT_EQ(kho_vmalloc_list_write(nr, &kWriter, &fail_in, &area), 0);
		EXPECT_EQ(area.total_pages, nr);
		EXPECT_EQ(area.flags, 0);
		EXPECT_EQ(area.order, 0);
		std::vector<u64> got;
		unsigned nr_chunks = 0;
		ASSERT_EQ(why_rejected(area, &got, &nr_chunks), nullptr) << nr;
		EXPECT_EQ(nr_chunks, (nr + kSlots - 1) / kSlots);
		EXPECT_EQ(nr_chunks, mem_.chunks.size());
		for (unsigned i = 0; i < nr; i++)
			EXPECT_EQ(got[i], page(i));
		kho_vmalloc_list_drop(&area, &kWriter);
		EXPECT_EQ(area.first.phys, 0u);
		EXPECT_TRUE(mem_.chunks.empty());
		EXPECT_TRUE(mem_.restorable.empty());
	}
}

TEST_F(VmallocList, WriteGivesEverythingBackOnEveryFailure)
{
	const unsigned nr = 2 * kSlots + 3;
	const unsigned calls = nr + 3;  // a preserve per page, a chunk per 511
	for (unsigned k = 1; k <= calls; k++) {
		mem_ = {};
		fail_in = static_cast<int>(k);
		kho_vmalloc area = {};
		const int err = kho_vmalloc_list_write(nr, &kWriter, &fail_in, &area);
		EXPECT_TRUE(err == -KX_ENOMEM || err == -KX_EBUSY) << k;
		EXPECT_TRUE(mem_.chunks.empty()) << k;
		EXPECT_TRUE(mem_.restorable.empty()) << k;
	}
	mem_ = {};
	fail_in = 0;
	kho_vmalloc area = {};
	EXPECT_EQ(kho_vmalloc_list_write(0, &kWriter, &fail_in, &area), -KX_EINVAL);
	EXPECT_TRUE(mem_.chunks.empty());
}

TEST_F(VmallocList, RefusesFlagsAndOrder)
{
	kho_vmalloc area = write(3);
	area.flags = 1;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: flags or order not understood");
	area.flags = 0;
	area.order = 1;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: flags or order not understood");
}

TEST_F(VmallocList, RefusesSizeOutOfRange)
{
	kho_vmalloc area = write(3);
	area.total_pages = 0;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: size out of range");
	area.total_pages = kMaxPages + 1;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: size out of range");
	area.total_pages = ~0u;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: size out of range");
}

TEST_F(VmallocList, RefusesAChunkThatIsNotPreserved)
{
	kho_vmalloc area = write(kSlots + 1);
	mem_.restorable.erase(area.first.phys);
	EXPECT_STREQ(why_rejected(area), "vmalloc area: a chunk is not a preserved page");
	area.first.phys = 12345;  // no chunk there at all
	EXPECT_STREQ(why_rejected(area), "vmalloc area: a chunk is not a preserved page");
}

TEST_F(VmallocList, RefusesAPageThatIsNotPreserved)
{
	kho_vmalloc area = write(kSlots + 1);
	mem_.restorable.erase(page(kSlots));  // in the second chunk
	EXPECT_STREQ(why_rejected(area), "vmalloc area: a listed page is not preserved");
}

TEST_F(VmallocList, RefusesMoreOrFewerPagesThanClaimed)
{
	kho_vmalloc area = write(10);
	area.total_pages = 9;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: more pages listed than it claims");
	area.total_pages = 11;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: fewer pages listed than it claims");
	area.total_pages = 10;
	area.first.phys = 0;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: fewer pages listed than it claims");
}

TEST_F(VmallocList, RefusesMoreChunksThanThePagesNeed)
{
	// A loop: the last chunk names the first again.
	kho_vmalloc area = write(2 * kSlots);
	chunk(1).next = area.first.phys;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: more chunks than its pages need");
}

TEST_F(VmallocList, RefusesAChunkEndingEarlyThatIsNotTheLast)
{
	kho_vmalloc area = write(kSlots + 2);
	// Move the first chunk's last page to the second chunk's free slot.
	chunk(1).phys[2] = chunk(0).phys[kSlots - 1];
	chunk(0).phys[kSlots - 1] = 0;
	EXPECT_STREQ(why_rejected(area), "vmalloc area: a chunk ends early but is not the last");
}

TEST_F(VmallocList, RefusesTooLittleRoom)
{
	kho_vmalloc area = write(4);
	std::vector<u64> out(4);  // no room for the chunk
	auto chunks = kho::read_vmalloc_list(area, kMaxPages, kOps, {out.data(), out.size()});
	ASSERT_TRUE(chunks.is_error());
	EXPECT_STREQ(chunks.error().reason(), "vmalloc area: no room for its list");
}

}  // namespace
