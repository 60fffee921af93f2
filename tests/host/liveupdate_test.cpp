// SPDX-License-Identifier: GPL-2.0
// Live Update's engine (liveupdate/sessions.cpp, liveupdate/memfd_format.cpp)
// through its C interface, liveupdate/engine.h: the sessions to preserve
// and their files, the table they become and read back, every way the
// reader refuses the previous kernel's table or drops one of its sessions,
// every way it refuses a memfd record, and running out of memory at each
// allocation.  Every test of the engine ends with no block left allocated.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <kho/abi/liveupdate.h>
#include <kx/types.hpp>

#include "alloc_sweep.hpp"
#include "liveupdate/engine.h"

namespace {

using kx::u32;
using kx::u64;

// --- Building blocks ---

template <kx::usize N>
void set_string(char (&dst)[N], const char* s)
{
	std::memset(dst, 0, N);
	std::memcpy(dst, s, std::min(std::strlen(s), N));
}

luo_file_ref file_ref(u64 token, const char* compatible, u64 data)
{
	luo_file_ref ref = {};
	ref.token = token;
	ref.data = data;
	set_string(ref.compatible, compatible);
	return ref;
}

std::string name_of(const luo_session* s)
{
	return std::string(luo_session_name(s), strnlen(luo_session_name(s), LUO_NAME_BYTES));
}

// What the reader gave the callback for a dropped session.
struct Dropped {
	bool has_name;
	std::string name;
	kx::usize index;
	std::string why;

	bool operator==(const Dropped&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Dropped& d)
{
	return os << "{" << (d.has_name ? "\"" + d.name + "\"" : "NULL") << ", " << d.index << ", \""
		  << d.why << "\"}";
}

Dropped dropped_named(const char* name, kx::usize index, const char* why)
{
	return {true, name, index, why};
}

Dropped dropped_unnamed(kx::usize index, const char* why)
{
	return {false, "", index, why};
}

// The callback is a plain function, as in the kernel: it records here.
std::vector<Dropped>* drops;

void record_drop(const char* name, kx_size_t index, const char* why)
{
	ASSERT_NE(drops, nullptr);
	EXPECT_NE(why, nullptr);
	if (name) {
		EXPECT_LT(strnlen(name, LUO_NAME_BYTES), size_t{LUO_NAME_BYTES});
	}
	drops->push_back({name != nullptr, name ? name : "", index, why ? why : ""});
}

// A table as the previous kernel may have left it: built field by field,
// so that tests can damage any of them.  Counts follow the records unless
// a test sets them after sync().
struct RawTable {
	luo_table head = {LUO_TABLE_MAGIC, LUO_TABLE_FORMAT, 0, 0, 0};
	std::vector<luo_session_record> sessions;
	std::vector<luo_file_record> files;

	// A session of files with these @tokens, each "memfd-v1" with data
	// derived from its token, taking the next file records.
	RawTable& session(const char* name, std::vector<u64> tokens = {})
	{
		luo_session_record r = {};
		set_string(r.name, name);
		r.first_file = files.size();
		r.nr_files = tokens.size();
		sessions.push_back(r);
		for (u64 token : tokens) {
			luo_file_record f = {};
			f.token = token;
			set_string(f.compatible, LUO_MEMFD_COMPATIBLE);
			f.data = 0x100000 + token * 0x1000;
			files.push_back(f);
		}
		return sync();
	}

	RawTable& sync()
	{
		head.nr_sessions = sessions.size();
		head.nr_files = files.size();
		return *this;
	}

	kx::usize bytes() const
	{
		return sizeof(head) + sessions.size() * sizeof(luo_session_record) +
		       files.size() * sizeof(luo_file_record);
	}

	// The table in 8-byte aligned memory, as a vmalloc area would hold it.
	std::vector<u64> image() const
	{
		std::vector<u64> words((bytes() + 7) / 8);
		auto* p = reinterpret_cast<char*>(words.data());
		std::memcpy(p, &head, sizeof(head));
		p += sizeof(head);
		for (const luo_session_record& r : sessions) {
			std::memcpy(p, &r, sizeof(r));
			p += sizeof(r);
		}
		for (const luo_file_record& f : files) {
			std::memcpy(p, &f, sizeof(f));
			p += sizeof(f);
		}
		return words;
	}
};

// Three good sessions: "alpha" with two files, "beta" with three, "gamma"
// with none.
RawTable three_sessions()
{
	RawTable t;
	t.session("alpha", {1, 2}).session("beta", {10, 20, 30}).session("gamma");
	return t;
}

// --- The fixture: one engine, and proof that it leaks nothing ---

class LiveUpdate : public ::testing::Test {
protected:
	void SetUp() override
	{
		live_ = kx_live_allocations();
		e_ = luo_engine_create();
		ASSERT_NE(e_, nullptr);
		drops = &drops_;
	}

	void TearDown() override
	{
		drops = nullptr;
		for (luo_session* s : retrieved_)
			luo_engine_remove_session(e_, s);
		while (luo_engine_nr_sessions(e_))
			luo_engine_remove_session(e_, luo_engine_session(e_, 0));
		luo_engine_destroy(e_);
		EXPECT_EQ(kx_live_allocations(), live_) << "the engine leaked";
	}

	luo_session* create(const char* name)
	{
		luo_session* s = nullptr;
		EXPECT_EQ(luo_engine_create_session(e_, name, &s), 0) << name;
		return s;
	}

	int create_error(const char* name)
	{
		luo_session* s = nullptr;
		const int err = luo_engine_create_session(e_, name, &s);
		if (!err)
			ADD_FAILURE() << "created a session named " << name;
		return err;
	}

	int retrieve(const char* name, luo_session** s)
	{
		*s = nullptr;
		const int err = luo_engine_retrieve_session(e_, name, s);
		if (!err)
			retrieved_.push_back(*s);
		return err;
	}

	luo_session* retrieve(const char* name)
	{
		luo_session* s;
		EXPECT_EQ(retrieve(name, &s), 0) << name;
		return s;
	}

	// Loads @words (@bytes of them) and returns what luo_engine_load()
	// did; drops_ has what it dropped.
	long load(const void* table, kx::usize bytes)
	{
		drops_.clear();
		why_ = "unset";
		return luo_engine_load(e_, table, bytes, record_drop, &why_);
	}

	long load(const RawTable& t)
	{
		const std::vector<u64> image = t.image();
		return load(image.data(), t.bytes());
	}

	// The whole table refused: -EINVAL and its reason, nothing dropped one
	// by one, nothing indexed.
	const char* why_refused(const RawTable& t) { return why_refused(t, t.bytes()); }

	const char* why_refused(const RawTable& t, kx::usize bytes)
	{
		std::vector<u64> image = t.image();
		image.resize((std::max(bytes, t.bytes()) + 7) / 8);
		const long n = load(image.data(), bytes);
		EXPECT_EQ(n, -KX_EINVAL);
		EXPECT_TRUE(drops_.empty());
		EXPECT_EQ(luo_engine_unretrieved(e_), 0u);
		return n == -KX_EINVAL ? why_ : "(accepted)";
	}

	// The sessions to preserve, written as luo.c writes them: into zeroed
	// pages, which may be more than the table needs.
	std::vector<u64> write_table(kx::usize* bytes, kx::usize page = 4096)
	{
		*bytes = luo_engine_table_size(e_);
		const kx::usize padded = (*bytes + page - 1) / page * page;
		std::vector<u64> words(padded / 8);
		luo_engine_write_table(e_, words.data(), *bytes);
		*bytes = padded;
		return words;
	}

	luo_engine* e_ = nullptr;
	std::vector<luo_session*> retrieved_;
	std::vector<Dropped> drops_;
	const char* why_ = nullptr;
	long live_ = 0;
};

// --- Sessions to preserve ---

TEST_F(LiveUpdate, ASessionIsNamedByANonEmptyStringOfAtMost63Bytes)
{
	EXPECT_EQ(create_error(""), -KX_EINVAL);
	char unterminated[LUO_NAME_BYTES];
	std::memset(unterminated, 'x', sizeof(unterminated));
	luo_session* s = nullptr;
	EXPECT_EQ(luo_engine_create_session(e_, unterminated, &s), -KX_EINVAL);
	EXPECT_EQ(luo_engine_nr_sessions(e_), 0u);

	const std::string longest(LUO_NAME_BYTES - 1, 'y');
	luo_session* longest_s = create(longest.c_str());
	ASSERT_NE(longest_s, nullptr);
	EXPECT_EQ(name_of(longest_s), longest);
	luo_session* one = create("a");
	ASSERT_NE(one, nullptr);
	EXPECT_EQ(name_of(one), "a");
	EXPECT_EQ(luo_engine_nr_sessions(e_), 2u);
}

TEST_F(LiveUpdate, ASessionNameIsZeroPaddedWhateverFollowsItsNul)
{
	char name[LUO_NAME_BYTES];
	std::memset(name, 0x5a, sizeof(name));
	std::memcpy(name, "vm-42", 6);
	luo_session* s = create(name);
	ASSERT_NE(s, nullptr);
	char want[LUO_NAME_BYTES] = "vm-42";
	EXPECT_EQ(std::memcmp(luo_session_name(s), want, LUO_NAME_BYTES), 0);
}

TEST_F(LiveUpdate, TwoSessionsToPreserveCannotShareAName)
{
	ASSERT_NE(create("vm"), nullptr);
	EXPECT_EQ(create_error("vm"), -KX_EEXIST);
	// The name ends at its NUL: what follows does not make it another.
	EXPECT_EQ(create_error("vm\0other"), -KX_EEXIST);
	EXPECT_NE(create("vm2"), nullptr);
	EXPECT_EQ(luo_engine_nr_sessions(e_), 2u);
}

TEST_F(LiveUpdate, ARemovedSessionsNameCanBeUsedAgain)
{
	luo_session* s = create("vm");
	ASSERT_NE(s, nullptr);
	luo_engine_remove_session(e_, s);
	EXPECT_EQ(luo_engine_nr_sessions(e_), 0u);
	EXPECT_NE(create("vm"), nullptr);
}

TEST_F(LiveUpdate, AtMostLuoMaxSessionsArePreserved)
{
	for (int i = 0; i < LUO_MAX_SESSIONS; i++)
		ASSERT_NE(create(("s" + std::to_string(i)).c_str()), nullptr) << i;
	EXPECT_EQ(create_error("one-too-many"), -KX_ENOSPC);
	// A name in use is still that, however full.
	EXPECT_EQ(create_error("s7"), -KX_EEXIST);
	EXPECT_EQ(luo_engine_nr_sessions(e_), size_t{LUO_MAX_SESSIONS});
	luo_engine_remove_session(e_, luo_engine_session(e_, 100));
	EXPECT_NE(create("one-too-many"), nullptr);
}

TEST_F(LiveUpdate, SessionsToPreserveAreListedInCreationOrder)
{
	const char* names[] = {"c", "a", "b"};
	for (const char* name : names)
		ASSERT_NE(create(name), nullptr);
	ASSERT_EQ(luo_engine_nr_sessions(e_), 3u);
	for (size_t i = 0; i < 3; i++) {
		EXPECT_EQ(name_of(luo_engine_session(e_, i)), names[i]);
		EXPECT_FALSE(luo_session_retrieved(luo_engine_session(e_, i)));
		EXPECT_FALSE(luo_session_closed(luo_engine_session(e_, i)));
	}
	luo_session_mark_closed(luo_engine_session(e_, 1));
	EXPECT_TRUE(luo_session_closed(luo_engine_session(e_, 1)));
	EXPECT_FALSE(luo_session_closed(luo_engine_session(e_, 0)));
}

// --- Files of a session ---

TEST_F(LiveUpdate, FilesAreKeptSortedByTokenAndFoundByIt)
{
	luo_session* s = create("vm");
	ASSERT_NE(s, nullptr);
	int handler;
	for (u64 token : {50ull, 7ull, ~0ull, 0ull, 23ull}) {
		luo_file_ref ref = file_ref(token, "memfd-v1", token * 3);
		ref.file = &handler;
		ref.handler = &handler;
		ASSERT_EQ(luo_session_add_file(s, &ref), 0) << token;
	}
	const u64 sorted[] = {0, 7, 23, 50, ~0ull};
	ASSERT_EQ(luo_session_nr_files(s), 5u);
	for (size_t i = 0; i < 5; i++) {
		const luo_file_ref* f = luo_session_file(s, i);
		EXPECT_EQ(f->token, sorted[i]);
		EXPECT_EQ(f->data, sorted[i] * 3);
		EXPECT_EQ(f->file, &handler);
		EXPECT_STREQ(f->compatible, "memfd-v1");
	}
	for (u64 token : sorted) {
		luo_file_ref* f = luo_session_find(s, token);
		ASSERT_NE(f, nullptr) << token;
		EXPECT_EQ(f->token, token);
	}
	for (u64 token : {1ull, 22ull, 24ull, ~0ull - 1})
		EXPECT_EQ(luo_session_find(s, token), nullptr) << token;
}

TEST_F(LiveUpdate, AFileTokenIsUsedOncePerSession)
{
	luo_session* s = create("vm");
	luo_session* other = create("other");
	ASSERT_TRUE(s && other);
	luo_file_ref ref = file_ref(5, "memfd-v1", 1);
	ASSERT_EQ(luo_session_add_file(s, &ref), 0);
	ref.data = 2;
	EXPECT_EQ(luo_session_add_file(s, &ref), -KX_EEXIST);
	ASSERT_EQ(luo_session_nr_files(s), 1u);
	EXPECT_EQ(luo_session_find(s, 5)->data, 1u);
	// Tokens are per session.
	EXPECT_EQ(luo_session_add_file(other, &ref), 0);
}

TEST_F(LiveUpdate, ASessionHoldsAtMostLuoMaxFiles)
{
	luo_session* s = create("vm");
	ASSERT_NE(s, nullptr);
	for (u64 i = 0; i < LUO_MAX_FILES; i++) {
		const luo_file_ref ref = file_ref(LUO_MAX_FILES - i, "memfd-v1", i);
		ASSERT_EQ(luo_session_add_file(s, &ref), 0) << i;
	}
	const luo_file_ref more = file_ref(LUO_MAX_FILES + 1, "memfd-v1", 0);
	EXPECT_EQ(luo_session_add_file(s, &more), -KX_ENOSPC);
	const luo_file_ref dup = file_ref(1, "memfd-v1", 0);
	EXPECT_EQ(luo_session_add_file(s, &dup), -KX_EEXIST);
	EXPECT_EQ(luo_session_nr_files(s), size_t{LUO_MAX_FILES});
	for (u64 i = 0; i < LUO_MAX_FILES; i++)
		ASSERT_EQ(luo_session_file(s, i)->token, i + 1);
}

TEST_F(LiveUpdate, ClearingASessionRemovesEveryFile)
{
	luo_session* s = create("vm");
	ASSERT_NE(s, nullptr);
	for (u64 token : {3ull, 1ull, 2ull}) {
		const luo_file_ref ref = file_ref(token, "memfd-v1", 0);
		ASSERT_EQ(luo_session_add_file(s, &ref), 0);
	}
	luo_session_clear(s);
	EXPECT_EQ(luo_session_nr_files(s), 0u);
	EXPECT_EQ(luo_session_find(s, 2), nullptr);
	const luo_file_ref again = file_ref(2, "memfd-v1", 0);
	EXPECT_EQ(luo_session_add_file(s, &again), 0);
	EXPECT_EQ(luo_session_nr_files(s), 1u);
}

// --- The table: written, then read back by the next kernel ---

TEST_F(LiveUpdate, TheTableTakesAHeaderARecordPerSessionAndPerFile)
{
	EXPECT_EQ(luo_engine_table_size(e_), sizeof(luo_table));
	luo_session* a = create("a");
	create("b");
	ASSERT_NE(a, nullptr);
	for (u64 token : {1ull, 2ull}) {
		const luo_file_ref ref = file_ref(token, "memfd-v1", 0);
		ASSERT_EQ(luo_session_add_file(a, &ref), 0);
	}
	EXPECT_EQ(luo_engine_table_size(e_),
		  sizeof(luo_table) + 2 * sizeof(luo_session_record) + 2 * sizeof(luo_file_record));
}

TEST_F(LiveUpdate, WhatIsWrittenIsWhatTheNextKernelRetrieves)
{
	// name, then (token, compatible, data) per file
	struct Want {
		const char* name;
		std::vector<luo_file_ref> files;
	};
	const std::string longest_name(LUO_NAME_BYTES - 1, 'n');
	const std::string longest_compatible(LUO_COMPATIBLE_BYTES - 1, 'c');
	const std::vector<Want> want = {
		{"vm-1", {file_ref(0, "memfd-v1", 0x1234000), file_ref(1, "memfd-v1", 0x5678000),
			  file_ref(~0ull, "memfd-v1", ~0ull)}},
		{"empty", {}},
		{longest_name.c_str(), {file_ref(42, longest_compatible.c_str(), 7)}},
		{"vm-2", {file_ref(9, "other-v3", 1), file_ref(100, "memfd-v1", 0)}},
	};
	int file;
	for (const Want& w : want) {
		luo_session* s = create(w.name);
		ASSERT_NE(s, nullptr);
		// Added in reverse: the table has them by token anyway.
		for (size_t i = w.files.size(); i--;) {
			luo_file_ref ref = w.files[i];
			ref.file = &file;
			ref.handler = &file;
			ref.private_data = &file;
			ref.frozen = 1;
			ASSERT_EQ(luo_session_add_file(s, &ref), 0);
		}
	}
	kx::usize bytes;
	const std::vector<u64> table = write_table(&bytes);
	const auto* head = reinterpret_cast<const luo_table*>(table.data());
	EXPECT_EQ(head->magic, LUO_TABLE_MAGIC);
	EXPECT_EQ(head->format, unsigned{LUO_TABLE_FORMAT});
	EXPECT_EQ(head->nr_sessions, 4u);
	EXPECT_EQ(head->nr_files, 6u);
	EXPECT_EQ(head->reserved, 0u);

	// The next kernel: same engine code, a fresh engine.
	luo_engine* next = luo_engine_create();
	ASSERT_NE(next, nullptr);
	std::swap(next, e_);
	EXPECT_EQ(load(table.data(), bytes), 4);
	EXPECT_EQ(why_, nullptr);
	EXPECT_TRUE(drops_.empty());
	EXPECT_EQ(luo_engine_unretrieved(e_), 4u);
	EXPECT_EQ(luo_engine_nr_sessions(e_), 0u) << "retrieved sessions are not to preserve";

	for (const Want& w : want) {
		luo_session* s = retrieve(w.name);
		ASSERT_NE(s, nullptr) << w.name;
		EXPECT_TRUE(luo_session_retrieved(s));
		EXPECT_FALSE(luo_session_closed(s));
		EXPECT_EQ(name_of(s), w.name);
		ASSERT_EQ(luo_session_nr_files(s), w.files.size()) << w.name;
		for (size_t i = 0; i < w.files.size(); i++) {
			const luo_file_ref* f = luo_session_file(s, i);
			EXPECT_EQ(f->token, w.files[i].token);
			EXPECT_EQ(f->data, w.files[i].data);
			EXPECT_EQ(std::memcmp(f->compatible, w.files[i].compatible, LUO_COMPATIBLE_BYTES), 0);
			// Nothing of the previous kernel's but what the table says.
			EXPECT_EQ(f->file, nullptr);
			EXPECT_EQ(f->handler, nullptr);
			EXPECT_EQ(f->private_data, nullptr);
			EXPECT_EQ(f->taken, 0u);
			EXPECT_EQ(f->frozen, 0u);
			EXPECT_EQ(luo_session_find(s, w.files[i].token), f);
		}
		luo_session* again;
		EXPECT_EQ(retrieve(w.name, &again), -KX_ENOENT) << "retrieved twice: " << w.name;
	}
	EXPECT_EQ(luo_engine_unretrieved(e_), 0u);

	std::swap(next, e_);
	while (luo_engine_nr_sessions(next))
		luo_engine_remove_session(next, luo_engine_session(next, 0));
	for (luo_session* s : retrieved_)
		luo_engine_remove_session(next, s);
	retrieved_.clear();
	luo_engine_destroy(next);
}

TEST_F(LiveUpdate, TheTableReadsBackFromExactlyItsOwnBytes)
{
	for (const char* name : {"a", "b"}) {
		luo_session* s = create(name);
		ASSERT_NE(s, nullptr);
		const luo_file_ref ref = file_ref(1, "memfd-v1", 2);
		ASSERT_EQ(luo_session_add_file(s, &ref), 0);
	}
	const kx::usize bytes = luo_engine_table_size(e_);
	std::vector<u64> table(bytes / 8);
	luo_engine_write_table(e_, table.data(), bytes);
	while (luo_engine_nr_sessions(e_))
		luo_engine_remove_session(e_, luo_engine_session(e_, 0));
	EXPECT_EQ(load(table.data(), bytes), 2);
	luo_engine_unload(e_);
	EXPECT_EQ(load(table.data(), bytes - 1), -KX_EINVAL);
	EXPECT_STREQ(why_, "table larger than its memory");
}

TEST_F(LiveUpdate, NoSessionsWriteAnEmptyTable)
{
	kx::usize bytes;
	const std::vector<u64> table = write_table(&bytes);
	EXPECT_EQ(load(table.data(), sizeof(luo_table)), 0);
	EXPECT_EQ(why_, nullptr);
	EXPECT_EQ(luo_engine_unretrieved(e_), 0u);
}

TEST_F(LiveUpdate, RetrievingNeedsAPreviousKernelsSessionOfThatName)
{
	luo_session* s;
	EXPECT_EQ(retrieve("alpha", &s), -KX_ENOENT);  // nothing loaded
	ASSERT_EQ(load(three_sessions()), 3);
	EXPECT_EQ(retrieve("delta", &s), -KX_ENOENT);
	EXPECT_EQ(retrieve("alph", &s), -KX_ENOENT);
	EXPECT_EQ(retrieve("alpha", &s), 0);
	EXPECT_EQ(retrieve("alpha", &s), -KX_ENOENT);
	EXPECT_EQ(luo_engine_unretrieved(e_), 2u);
}

TEST_F(LiveUpdate, RetrievedAndPreservedSessionsHaveTheirOwnNames)
{
	ASSERT_EQ(load(three_sessions()), 3);
	luo_session* preserved = create("alpha");  // not the previous kernel's
	ASSERT_NE(preserved, nullptr);
	luo_session* retrieved = retrieve("alpha");
	ASSERT_NE(retrieved, nullptr);
	EXPECT_NE(preserved, retrieved);
	EXPECT_EQ(luo_session_nr_files(preserved), 0u);
	EXPECT_EQ(luo_session_nr_files(retrieved), 2u);
	// Removing the retrieved one leaves the one to preserve.
	luo_engine_remove_session(e_, retrieved);
	retrieved_.clear();
	ASSERT_EQ(luo_engine_nr_sessions(e_), 1u);
	EXPECT_EQ(luo_engine_session(e_, 0), preserved);
}

TEST_F(LiveUpdate, UnloadingForgetsTheSessionsNotRetrieved)
{
	ASSERT_EQ(load(three_sessions()), 3);
	luo_session* beta = retrieve("beta");
	ASSERT_NE(beta, nullptr);
	luo_engine_unload(e_);
	EXPECT_EQ(luo_engine_unretrieved(e_), 0u);
	luo_session* s;
	EXPECT_EQ(retrieve("alpha", &s), -KX_ENOENT);
	EXPECT_EQ(retrieve("gamma", &s), -KX_ENOENT);
	// The one retrieved before stays the caller's.
	EXPECT_EQ(luo_session_nr_files(beta), 3u);
	EXPECT_EQ(luo_session_find(beta, 20)->data, 0x100000u + 20 * 0x1000);
	// And a table can be loaded again.
	EXPECT_EQ(load(three_sessions()), 3);
}

TEST_F(LiveUpdate, UnloadingGivesEveryBlockBack)
{
	const long before = kx_live_allocations();
	ASSERT_EQ(load(three_sessions()), 3);
	EXPECT_GT(kx_live_allocations(), before);
	luo_engine_unload(e_);
	EXPECT_EQ(kx_live_allocations(), before);
}

TEST_F(LiveUpdate, DestroyingTheEngineFreesTheSessionsNotRetrieved)
{
	ASSERT_EQ(load(three_sessions()), 3);
	// TearDown destroys the engine and counts the blocks.
}

// --- The previous kernel's table refused whole ---

TEST_F(LiveUpdate, RefusesATableWithAnotherMagic)
{
	RawTable t = three_sessions();
	t.head.magic = LUO_MEMFD_MAGIC;
	EXPECT_STREQ(why_refused(t), "not a session table");
}

TEST_F(LiveUpdate, RefusesATableShorterThanItsHeader)
{
	RawTable t;
	EXPECT_STREQ(why_refused(t, sizeof(luo_table) - 1), "not a session table");
	EXPECT_STREQ(why_refused(t, 0), "not a session table");
}

TEST_F(LiveUpdate, RefusesATableOfAnUnknownFormat)
{
	RawTable t = three_sessions();
	t.head.format = LUO_TABLE_FORMAT + 1;
	EXPECT_STREQ(why_refused(t), "unknown table format");
	t.head.format = 0;
	EXPECT_STREQ(why_refused(t), "unknown table format");
}

TEST_F(LiveUpdate, RefusesATableWithReservedBytesSet)
{
	RawTable t = three_sessions();
	t.head.reserved = u64{1} << 63;
	EXPECT_STREQ(why_refused(t), "unknown table format");
}

TEST_F(LiveUpdate, RefusesATableOfMoreThanLuoMaxSessions)
{
	RawTable t;
	for (int i = 0; i <= LUO_MAX_SESSIONS; i++)
		t.session(("s" + std::to_string(i)).c_str());
	EXPECT_STREQ(why_refused(t), "too many sessions");
	// One fewer is a table.
	t.sessions.pop_back();
	t.sync();
	EXPECT_EQ(load(t), LUO_MAX_SESSIONS);
	EXPECT_TRUE(drops_.empty());
}

TEST_F(LiveUpdate, RefusesMoreSessionsThanItsMemoryHolds)
{
	RawTable t = three_sessions();
	EXPECT_STREQ(why_refused(t, sizeof(luo_table) + 2 * sizeof(luo_session_record)),
		     "table larger than its memory");
	t.head.nr_sessions = 4;
	EXPECT_STREQ(why_refused(t), "table larger than its memory");
	t.head.nr_sessions = LUO_MAX_SESSIONS;
	EXPECT_STREQ(why_refused(t), "table larger than its memory");
}

TEST_F(LiveUpdate, RefusesMoreFilesThanItsMemoryHolds)
{
	RawTable t = three_sessions();
	EXPECT_STREQ(why_refused(t, t.bytes() - 1), "table larger than its memory");
	t.head.nr_files = 6;
	EXPECT_STREQ(why_refused(t), "table larger than its memory");
	t.head.nr_files = ~0u;
	EXPECT_STREQ(why_refused(t), "table larger than its memory");
}

TEST_F(LiveUpdate, RefusesSessionsWhoseFilesOverlap)
{
	RawTable t = three_sessions();
	t.sessions[1].first_file = 1;  // alpha has 0..1
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
}

TEST_F(LiveUpdate, RefusesSessionsWhoseFilesLeaveAGap)
{
	RawTable t = three_sessions();
	t.sessions[1].first_file = 3;
	t.sessions[1].nr_files = 2;
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
}

TEST_F(LiveUpdate, RefusesAFirstSessionNotStartingAtTheFirstFile)
{
	RawTable t;
	t.session("a", {1}).session("b", {1});
	t.sessions[0].first_file = 1;
	t.sessions[1].first_file = 2;
	t.files.push_back(t.files[0]);
	t.sync();
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
}

TEST_F(LiveUpdate, RefusesFilesNoSessionTakes)
{
	RawTable t = three_sessions();
	t.files.push_back(t.files[0]);
	t.sync();
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
}

TEST_F(LiveUpdate, RefusesASessionTakingFilesBeyondTheTable)
{
	RawTable t = three_sessions();
	t.sessions[2].nr_files = 1;
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
	t.sessions[2].nr_files = ~0u;
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
	t.sessions[2].nr_files = 0;
	t.sessions[2].first_file = ~0u;
	EXPECT_STREQ(why_refused(t), "sessions' files overlap or leave gaps");
}

// --- A damaged session of the previous kernel dropped alone ---

TEST_F(LiveUpdate, DropsASessionWhoseNameIsNotTerminated)
{
	RawTable t = three_sessions();
	std::memset(t.sessions[1].name, 'b', LUO_NAME_BYTES);
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(why_, nullptr);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_unnamed(1, "malformed name (empty, unterminated or not zero-padded)")});
	EXPECT_EQ(luo_session_nr_files(retrieve("alpha")), 2u);
	EXPECT_EQ(luo_session_nr_files(retrieve("gamma")), 0u);
}

TEST_F(LiveUpdate, DropsASessionWithGarbageAfterItsNameNul)
{
	RawTable t = three_sessions();
	t.sessions[0].name[LUO_NAME_BYTES - 1] = 'x';  // "alpha\0...x"
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_unnamed(0, "malformed name (empty, unterminated or not zero-padded)")});
	luo_session* s;
	EXPECT_EQ(retrieve("alpha", &s), -KX_ENOENT);
	EXPECT_EQ(luo_session_nr_files(retrieve("beta")), 3u);
	EXPECT_NE(retrieve("gamma"), nullptr);
}

TEST_F(LiveUpdate, DropsASessionWithAnEmptyName)
{
	RawTable t = three_sessions();
	std::memset(t.sessions[2].name, 0, LUO_NAME_BYTES);
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_unnamed(2, "malformed name (empty, unterminated or not zero-padded)")});
}

TEST_F(LiveUpdate, DropsASessionWhoseFileCompatibleIsNotTerminated)
{
	RawTable t = three_sessions();
	std::memset(t.files[3].compatible, 'c', LUO_COMPATIBLE_BYTES);  // beta's second
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("beta", 1,
							     "a file's handler name malformed (empty, unterminated or not zero-padded)")});
	luo_session* s;
	EXPECT_EQ(retrieve("beta", &s), -KX_ENOENT);
	EXPECT_EQ(luo_session_nr_files(retrieve("alpha")), 2u);
	EXPECT_NE(retrieve("gamma"), nullptr);
}

TEST_F(LiveUpdate, DropsASessionWhoseFileCompatibleHasGarbageOrIsEmpty)
{
	RawTable t = three_sessions();
	t.files[0].compatible[LUO_COMPATIBLE_BYTES - 1] = 1;	// alpha's first
	std::memset(t.files[4].compatible, 0, LUO_COMPATIBLE_BYTES);  // beta's last
	EXPECT_EQ(load(t), 1);
	const std::vector<Dropped> want = {
		dropped_named("alpha", 0, "a file's handler name malformed (empty, unterminated or not zero-padded)"),
		dropped_named("beta", 1, "a file's handler name malformed (empty, unterminated or not zero-padded)"),
	};
	EXPECT_EQ(drops_, want);
	EXPECT_NE(retrieve("gamma"), nullptr);
}

TEST_F(LiveUpdate, DropsASessionWhoseTokensDoNotIncrease)
{
	RawTable t = three_sessions();
	t.files[4].token = 20;	// beta: 10, 20, 20
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("beta", 1,
							     "file tokens not in increasing order")});
	luo_engine_unload(e_);

	t = three_sessions();
	t.files[0].token = 3;  // alpha: 3, 2
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("alpha", 0,
							     "file tokens not in increasing order")});
	EXPECT_NE(retrieve("beta"), nullptr);
	EXPECT_NE(retrieve("gamma"), nullptr);
}

TEST_F(LiveUpdate, DropsTheSecondSessionOfAName)
{
	RawTable t = three_sessions();
	t.session("alpha", {99});
	EXPECT_EQ(load(t), 3);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("alpha", 3, "a second session of that name")});
	luo_session* alpha = retrieve("alpha");
	ASSERT_NE(alpha, nullptr);
	EXPECT_EQ(luo_session_nr_files(alpha), 2u) << "the first one stays";
	EXPECT_EQ(luo_session_find(alpha, 99), nullptr);
	luo_session* s;
	EXPECT_EQ(retrieve("alpha", &s), -KX_ENOENT);
}

TEST_F(LiveUpdate, ASessionDroppedForItsFilesDoesNotHideAnotherOfItsName)
{
	RawTable t = three_sessions();
	t.session("alpha", {99});
	t.files[1].token = 1;  // the first alpha: 1, 1
	EXPECT_EQ(load(t), 3);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("alpha", 0,
							     "file tokens not in increasing order")});
	luo_session* alpha = retrieve("alpha");
	ASSERT_NE(alpha, nullptr);
	ASSERT_EQ(luo_session_nr_files(alpha), 1u);
	EXPECT_EQ(luo_session_file(alpha, 0)->token, 99u);
}

TEST_F(LiveUpdate, DropsASessionOfMoreThanLuoMaxFiles)
{
	RawTable t;
	std::vector<u64> tokens(LUO_MAX_FILES + 1);
	for (size_t i = 0; i < tokens.size(); i++)
		tokens[i] = i;
	t.session("first", {5}).session("huge", tokens).session("last", {7});
	EXPECT_EQ(load(t), 2);
	EXPECT_EQ(drops_, std::vector<Dropped>{dropped_named("huge", 1, "too many files")});
	EXPECT_NE(retrieve("first"), nullptr);
	EXPECT_NE(retrieve("last"), nullptr);
	luo_engine_unload(e_);

	// LUO_MAX_FILES exactly is a session.
	t = {};
	tokens.pop_back();
	t.session("huge", tokens);
	EXPECT_EQ(load(t), 1);
	EXPECT_TRUE(drops_.empty());
	EXPECT_EQ(luo_session_nr_files(retrieve("huge")), size_t{LUO_MAX_FILES});
}

TEST_F(LiveUpdate, DropsEachDamagedSessionByItsIndex)
{
	RawTable t;
	t.session("ok-0", {1}).session("dup", {1}).session("dup", {2}).session("bad", {2, 1});
	t.session("ok-4").session("name");
	std::memset(t.sessions[5].name + 4, 'z', LUO_NAME_BYTES - 4);
	EXPECT_EQ(load(t), 3);
	const std::vector<Dropped> want = {
		dropped_named("dup", 2, "a second session of that name"),
		dropped_named("bad", 3, "file tokens not in increasing order"),
		dropped_unnamed(5, "malformed name (empty, unterminated or not zero-padded)"),
	};
	EXPECT_EQ(drops_, want);
	EXPECT_EQ(luo_engine_unretrieved(e_), 3u);
	EXPECT_EQ(luo_session_file(retrieve("dup"), 0)->token, 1u);
}

// --- The previous kernel's memfd records ---

constexpr unsigned kShift = 12;
constexpr u64 kPage = u64{1} << kShift;
constexpr u64 kRamPages = u64{1} << 20;
constexpr unsigned kMaxOrder = 10;
constexpr unsigned kBothFlags = LUO_MEMFD_FOLIO_DIRTY | LUO_MEMFD_FOLIO_UPTODATE;

// A record of a file of @size bytes with @nr_folios folios, its list
// where a preserved vmalloc area of the right size would be.
luo_memfd memfd(u64 size, u64 nr_folios, unsigned shift = kShift)
{
	luo_memfd m;
	std::memset(&m, 0, sizeof(m));
	m.magic = LUO_MEMFD_MAGIC;
	m.format = LUO_MEMFD_FORMAT;
	m.size = size;
	m.pos = 12345;
	m.seals = 0xf;
	m.page_shift = shift;
	m.nr_folios = nr_folios;
	m.folios.total_pages = (nr_folios * sizeof(luo_memfd_folio) + (u64{1} << shift) - 1) >> shift;
	m.folios.first.phys = nr_folios ? 0x7000 : 0;
	return m;
}

// A folio at @index (pages) of 2^@order pages, its address aligned to its size.
luo_memfd_folio folio(u64 index, unsigned order, unsigned flags = kBothFlags, unsigned shift = kShift)
{
	return {(u64{1} << 40) + (index << shift), index, order, flags};
}

const char* why_record_refused(const luo_memfd& m, u64 max_pages = kRamPages,
			       unsigned shift = kShift)
{
	const char* why = "unset";
	const int rc = luo_memfd_check(&m, shift, max_pages, &why);
	if (rc == 0) {
		EXPECT_EQ(why, nullptr);
		return nullptr;
	}
	EXPECT_EQ(rc, -KX_EINVAL);
	EXPECT_NE(why, nullptr);
	return why ? why : "(null why)";
}

// The reason for refusing a file of @size bytes holding @folios, whose
// record itself must be good.
const char* why_folios_refused(u64 size, const std::vector<luo_memfd_folio>& folios,
			       unsigned max_order = kMaxOrder, unsigned shift = kShift)
{
	const luo_memfd m = memfd(size, folios.size(), shift);
	EXPECT_STREQ(why_record_refused(m, kRamPages, shift), nullptr);
	const char* why = "unset";
	const int rc = luo_memfd_check_folios(&m, folios.data(), folios.size(), max_order, &why);
	if (rc == 0) {
		EXPECT_EQ(why, nullptr);
		return nullptr;
	}
	EXPECT_EQ(rc, -KX_EINVAL);
	EXPECT_NE(why, nullptr);
	return why ? why : "(null why)";
}

TEST(LiveUpdateMemfd, AcceptsAnEmptyFile)
{
	EXPECT_STREQ(why_record_refused(memfd(0, 0)), nullptr);
	EXPECT_STREQ(why_folios_refused(0, {}), nullptr);
	// A sparse file: size, no folio.
	EXPECT_STREQ(why_folios_refused(u64{1} << 40, {}), nullptr);
}

TEST(LiveUpdateMemfd, AcceptsFoliosWithHolesBetween)
{
	EXPECT_STREQ(why_folios_refused(64 * kPage, {folio(0, 0), folio(1, 0, 0), folio(4, 2),
						      folio(16, 4, LUO_MEMFD_FOLIO_DIRTY),
						      folio(63, 0, LUO_MEMFD_FOLIO_UPTODATE)}),
		     nullptr);
}

TEST(LiveUpdateMemfd, AcceptsAFolioCoveringAPartialLastPage)
{
	EXPECT_STREQ(why_folios_refused(4 * kPage + 1, {folio(0, 2), folio(4, 0)}), nullptr);
}

TEST(LiveUpdateMemfd, AcceptsAnAlignedHugeFolioStraddlingTheEnd)
{
	// shmem's huge folios reach past i_size (huge=always, or a split that
	// failed at truncation), and the handler hands them over as they are.
	EXPECT_STREQ(why_folios_refused(6 * kPage - 100, {folio(0, 2), folio(4, 2)}), nullptr);
	EXPECT_STREQ(why_folios_refused(5 * kPage, {folio(0, 9)}, 9), nullptr);
	EXPECT_STREQ(why_folios_refused(1, {folio(0, kMaxOrder)}), nullptr);
}

TEST(LiveUpdateMemfd, AcceptsTheLargestOrderAndFile)
{
	EXPECT_STREQ(why_folios_refused(u64{1} << 62, {folio(0, kMaxOrder), folio(u64{1} << 49, 0)}),
		     nullptr);
}

TEST(LiveUpdateMemfd, AcceptsAnotherPageSizeOfItsOwn)
{
	EXPECT_STREQ(why_folios_refused(3 << 16, {folio(0, 1, kBothFlags, 16), folio(2, 0, kBothFlags, 16)},
					kMaxOrder, 16),
		     nullptr);
}

TEST(LiveUpdateMemfd, AcceptsAsManyFoliosAsTheFileHasPages)
{
	std::vector<luo_memfd_folio> folios;
	for (u64 i = 0; i < 200; i++)
		folios.push_back(folio(i, 0));
	// 200 folios take two pages of list.
	EXPECT_EQ(memfd(200 * kPage, 200).folios.total_pages, 2u);
	EXPECT_STREQ(why_folios_refused(200 * kPage, folios), nullptr);
}

TEST(LiveUpdateMemfd, RefusesAnotherMagic)
{
	luo_memfd m = memfd(kPage, 1);
	m.magic = LUO_TABLE_MAGIC;
	EXPECT_STREQ(why_record_refused(m), "not a memfd record");
}

TEST(LiveUpdateMemfd, RefusesAnUnknownFormat)
{
	luo_memfd m = memfd(kPage, 1);
	m.format = LUO_MEMFD_FORMAT + 1;
	EXPECT_STREQ(why_record_refused(m), "unknown memfd format");
}

TEST(LiveUpdateMemfd, RefusesAnotherPageSize)
{
	EXPECT_STREQ(why_record_refused(memfd(kPage, 1, 16), kRamPages, 12),
		     "written with another page size");
	EXPECT_STREQ(why_record_refused(memfd(kPage, 1, 12), kRamPages, 16),
		     "written with another page size");
}

TEST(LiveUpdateMemfd, RefusesASizeBeyondAnyFile)
{
	EXPECT_STREQ(why_record_refused(memfd(u64{1} << 62, 0)), nullptr);
	EXPECT_STREQ(why_record_refused(memfd((u64{1} << 62) + 1, 0)), "size beyond any file");
	EXPECT_STREQ(why_record_refused(memfd(~u64{0}, 0)), "size beyond any file");
}

TEST(LiveUpdateMemfd, RefusesMoreFoliosThanTheFileHasPages)
{
	EXPECT_STREQ(why_record_refused(memfd(3 * kPage, 3)), nullptr);
	EXPECT_STREQ(why_record_refused(memfd(3 * kPage, 4)), "more folios than the file or RAM has pages");
	EXPECT_STREQ(why_record_refused(memfd(2 * kPage + 1, 3)), nullptr);
	EXPECT_STREQ(why_record_refused(memfd(0, 1)), "more folios than the file or RAM has pages");
}

TEST(LiveUpdateMemfd, RefusesMoreFoliosThanRamHasPages)
{
	EXPECT_STREQ(why_record_refused(memfd(u64{1} << 40, 1000), 1000), nullptr);
	EXPECT_STREQ(why_record_refused(memfd(u64{1} << 40, 1001), 1000),
		     "more folios than the file or RAM has pages");
	EXPECT_STREQ(why_record_refused(memfd(u64{1} << 62, u64{1} << 50)),
		     "more folios than the file or RAM has pages");
}

TEST(LiveUpdateMemfd, RefusesAFolioListOfTheWrongSize)
{
	luo_memfd m = memfd(1000 * kPage, 200);  // two pages of list
	m.folios.total_pages = 1;
	EXPECT_STREQ(why_record_refused(m), "folio list of the wrong size");
	m.folios.total_pages = 3;
	EXPECT_STREQ(why_record_refused(m), "folio list of the wrong size");
	m = memfd(1000 * kPage, 200);
	m.folios.flags = 1;
	EXPECT_STREQ(why_record_refused(m), "folio list of the wrong size");
	m = memfd(1000 * kPage, 200);
	m.folios.order = 1;
	EXPECT_STREQ(why_record_refused(m), "folio list of the wrong size");
	m = memfd(1000 * kPage, 0);
	m.folios.total_pages = 1;  // a list for no folio
	EXPECT_STREQ(why_record_refused(m), "folio list of the wrong size");
}

TEST(LiveUpdateMemfd, RefusesFoliosWithoutAList)
{
	luo_memfd m = memfd(kPage, 1);
	m.folios.first.phys = 0;
	EXPECT_STREQ(why_record_refused(m), "folio list missing");
}

TEST(LiveUpdateMemfd, RefusesAFolioLargerThanTheLargestOrder)
{
	EXPECT_STREQ(why_folios_refused(u64{1} << 40, {folio(0, kMaxOrder + 1)}),
		     "a folio larger than the largest order");
	EXPECT_STREQ(why_folios_refused(u64{1} << 40, {folio(0, 0), folio(1 << 20, 63)}),
		     "a folio larger than the largest order");
}

TEST(LiveUpdateMemfd, RefusesFoliosOutOfOrder)
{
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(4, 0), folio(2, 0)}),
		     "folios out of order or overlapping");
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(3, 0), folio(3, 0)}),
		     "folios out of order or overlapping");
}

TEST(LiveUpdateMemfd, RefusesOverlappingFolios)
{
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(0, 2), folio(3, 0)}),
		     "folios out of order or overlapping");
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(8, 0), folio(8, 3)}),
		     "folios out of order or overlapping");
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(0, 2), folio(4, 0)}), nullptr);
}

TEST(LiveUpdateMemfd, RefusesAFolioNotAlignedToItsOrderInTheFile)
{
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(2, 2)}),
		     "a folio not aligned to its order in the file");
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(1, 1)}),
		     "a folio not aligned to its order in the file");
}

TEST(LiveUpdateMemfd, RefusesAFolioBeyondTheFile)
{
	EXPECT_STREQ(why_folios_refused(4 * kPage, {folio(4, 0)}), "a folio beyond the file's size");
	EXPECT_STREQ(why_folios_refused(4 * kPage + 1, {folio(0, 0), folio(8, 3)}),
		     "a folio beyond the file's size");
	EXPECT_STREQ(why_folios_refused(u64{1} << 62, {folio(~u64{0}, 0)}),
		     "a folio beyond the file's size");
	// A huge folio straddling the end leaves no room after it.
	EXPECT_STREQ(why_folios_refused(6 * kPage, {folio(4, 2), folio(8, 0)}),
		     "a folio beyond the file's size");
}

TEST(LiveUpdateMemfd, RefusesAFolioAddressNotAlignedToItsSize)
{
	std::vector<luo_memfd_folio> f = {folio(0, 0), folio(4, 2)};
	f[1].phys += kPage;
	EXPECT_STREQ(why_folios_refused(16 * kPage, f), "a folio's address not aligned to its size");
	f = {folio(0, 0)};
	f[0].phys += 8;
	EXPECT_STREQ(why_folios_refused(16 * kPage, f), "a folio's address not aligned to its size");
}

TEST(LiveUpdateMemfd, RefusesAFolioWithUnknownFlags)
{
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(0, 0, 0x4)}), "a folio with unknown flags");
	EXPECT_STREQ(why_folios_refused(16 * kPage, {folio(0, 0), folio(1, 0, kBothFlags | (1u << 31))}),
		     "a folio with unknown flags");
}

// --- Out of memory at every allocation (alloc_sweep.hpp) ---

std::vector<std::string> names_of(luo_engine* e)
{
	std::vector<std::string> names;
	for (size_t i = 0; i < luo_engine_nr_sessions(e); i++)
		names.push_back(name_of(luo_engine_session(e, i)));
	return names;
}

TEST(AllocSweep, LiveUpdateEngineCreate)
{
	EXPECT_EQ(sweep_allocation_failures(
			  "luo_engine_create",
			  [] {
				  luo_engine* e = luo_engine_create();
				  luo_engine_destroy(e);
				  return e ? 0 : -KX_ENOMEM;
			  },
			  [] { return 0; }),
		  1);
}

TEST(AllocSweep, LiveUpdateCreateSession)
{
	const long live = kx_live_allocations();
	luo_engine* e = luo_engine_create();
	ASSERT_NE(e, nullptr);
	long points = 0;
	for (int i = 0; i < 9 && !testing::Test::HasFailure(); i++) {
		const std::string name = "session-" + std::to_string(i);
		// The session, and the list's growth at 0, 4 and 8.
		const long want = i == 0 || i == 4 || i == 8 ? 2 : 1;
		EXPECT_EQ(sweep_allocation_failures(
				  "luo_engine_create_session",
				  [&] {
					  luo_session* s = nullptr;
					  return luo_engine_create_session(e, name.c_str(), &s);
				  },
				  [&] { return names_of(e); }),
			  want)
			<< name;
		points += want;
	}
	EXPECT_EQ(luo_engine_nr_sessions(e), 9u);
	while (luo_engine_nr_sessions(e))
		luo_engine_remove_session(e, luo_engine_session(e, 0));
	luo_engine_destroy(e);
	EXPECT_EQ(kx_live_allocations(), live);
}

TEST(AllocSweep, LiveUpdateAddFile)
{
	const long live = kx_live_allocations();
	luo_engine* e = luo_engine_create();
	luo_session* s = nullptr;
	ASSERT_EQ(luo_engine_create_session(e, "vm", &s), 0);
	auto tokens = [&] {
		std::vector<u64> t;
		for (size_t i = 0; i < luo_session_nr_files(s); i++)
			t.push_back(luo_session_file(s, i)->token);
		return t;
	};
	for (u64 token = 20; token-- && !testing::Test::HasFailure();) {
		const luo_file_ref ref = file_ref(token * 7 % 20, "memfd-v1", token);
		EXPECT_GE(sweep_allocation_failures("luo_session_add_file",
						    [&] { return luo_session_add_file(s, &ref); }, tokens),
			  0);
	}
	EXPECT_EQ(luo_session_nr_files(s), 20u);
	luo_engine_remove_session(e, s);
	luo_engine_destroy(e);
	EXPECT_EQ(kx_live_allocations(), live);
}

TEST(AllocSweep, LiveUpdateLoad)
{
	// Every kind of session: with files, without, dropped for its files,
	// a second of a name, one whose name is damaged.
	RawTable t = three_sessions();
	t.session("bad", {2, 1}).session("alpha", {5}).session("delta", {1, 2, 3});
	t.session("damaged");
	t.sessions.back().name[LUO_NAME_BYTES - 1] = 1;
	const std::vector<u64> image = t.image();

	const long live = kx_live_allocations();
	luo_engine* e = luo_engine_create();
	ASSERT_NE(e, nullptr);
	std::vector<Dropped> dropped;
	drops = &dropped;
	const long points = sweep_allocation_failures(
		"luo_engine_load",
		[&] {
			const char* why = "unset";
			dropped.clear();
			const long n = luo_engine_load(e, image.data(), t.bytes(), record_drop, &why);
			if (n < 0) {
				EXPECT_EQ(why, nullptr) << "-ENOMEM has no reason";
				return static_cast<int>(n);
			}
			EXPECT_EQ(n, 4);
			EXPECT_EQ(dropped.size(), 3u);
			luo_engine_unload(e);
			return 0;
		},
		[&] { return luo_engine_unretrieved(e); });
	drops = nullptr;
	// The list, then each session kept or dropped for its files and its files.
	EXPECT_EQ(points, 1 + 2 + 2 + 1 + 2 + 2 + 2);
	luo_engine_destroy(e);
	EXPECT_EQ(kx_live_allocations(), live);
}

}  // namespace
