// SPDX-License-Identifier: GPL-2.0
// The kstate engine on the host: the registry, the stream writer and
// reader, every field kind, the version rules, fingerprints, and streams
// damaged on purpose.  The kernel's side (KHO, folios, the kernel image) is
// a fake that remembers what was preserved and claimed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "kstate/kstate.hpp"
#include "kho/libfdt_api.h"
#include "kstate_descs.h"
#include "kx_env_host.h"

struct folio {
	kx::u64 phys;
	unsigned int order;
	bool preserved;
	bool restored;
	bool released;
};

namespace {

using kx::u64;

struct FakeChunk {
	void* addr;
	u64 size;
};

// The kernel as the engine sees it.  Chunk "physical" addresses are their
// host addresses; folios (and pages, and vmalloc areas) live at made-up
// addresses.
struct FakeKernel {
	std::map<u64, FakeChunk> chunks;  // preserved, by phys
	std::vector<folio*> folios;
	char image[4096];
	std::vector<std::string> dropped;
	bool fail_chunks = false;
	unsigned int fail_restore_kind = KS_END;  // restore_mem() of this kind fails

	~FakeKernel()
	{
		for (auto& [phys, c] : chunks)
			free(c.addr);
	}
};

FakeKernel* kernel;

int fake_new_chunk(kx_u64 min_size, void** addr, kx_u64* phys, kx_u64* size)
{
	if (kernel->fail_chunks)
		return -KX_ENOMEM;
	u64 bytes = 4096;
	while (bytes < min_size)
		bytes *= 2;
	void* p = aligned_alloc(4096, bytes);
	memset(p, 0, bytes);
	*addr = p;
	*phys = reinterpret_cast<u64>(p);
	*size = bytes;
	kernel->chunks[*phys] = {p, bytes};
	return 0;
}

void fake_free_chunk(void* addr)
{
	kernel->chunks.erase(reinterpret_cast<u64>(addr));
	free(addr);
}

// Every memory kind is a fake folio: for KS_PAGES and KS_VMALLOC its
// "order" is how many pages it has.
int fake_preserve_mem(unsigned int kind, void* ptr, kx_u32 count, kstate_mem_ref* ref)
{
	auto* fo = static_cast<folio*>(ptr);
	if (fo->preserved || (kind == KS_PAGES && count != fo->order))
		return -KX_EBUSY;
	fo->preserved = true;
	*ref = {fo->phys, fo->order, 0};
	return 0;
}

void fake_unpreserve_mem(unsigned int, void* ptr, const kstate_mem_ref*)
{
	static_cast<folio*>(ptr)->preserved = false;
}

int fake_address_offset(const void* addr, kx_u64* offset)
{
	const char* p = static_cast<const char*>(addr);
	if (p < kernel->image || p >= kernel->image + sizeof(kernel->image))
		return -KX_EINVAL;
	*offset = static_cast<u64>(p - kernel->image);
	return 0;
}

const void* fake_map_chunk(kx_u64 phys, kx_u64* size)
{
	auto it = kernel->chunks.find(phys);
	if (it == kernel->chunks.end())
		return nullptr;
	*size = it->second.size;
	return it->second.addr;
}

folio* find_folio(u64 phys, unsigned int order)
{
	for (folio* f : kernel->folios)
		if (f->phys == phys && f->order == order && f->preserved && !f->restored)
			return f;
	return nullptr;
}

int fake_mem_restorable(unsigned int, const kstate_mem_ref* ref)
{
	return find_folio(ref->phys, ref->count) != nullptr;
}

void* fake_restore_mem(unsigned int kind, const kstate_mem_ref* ref)
{
	folio* f = find_folio(ref->phys, ref->count);
	if (!f || kind == kernel->fail_restore_kind)
		return nullptr;
	f->restored = true;
	return f;
}

void fake_release_mem(unsigned int, void* ptr, const kstate_mem_ref*)
{
	static_cast<folio*>(ptr)->released = true;
}

void* fake_address_at(kx_u64 offset)
{
	return offset < sizeof(kernel->image) ? kernel->image + offset : nullptr;
}

void fake_dropped(const char* what, kx_u64, const char* why)
{
	kernel->dropped.push_back(std::string(what) + ": " + why);
}

constexpr kstate_ops kOps = {
	fake_new_chunk,	     fake_free_chunk,	  fake_preserve_mem,
	fake_unpreserve_mem, fake_address_offset, fake_map_chunk,
	fake_mem_restorable, fake_restore_mem,	  fake_release_mem,
	fake_address_at,     fake_dropped,
};

// A sample object with every field set from @seed, and the storage its
// pointers point at.
struct Sample {
	ks_sample s{};
	ks_blob blob{};
	ks_inner pointees[3]{};
	folio fo{};

	void fill(unsigned seed)
	{
		s.id = seed;
		for (unsigned i = 0; i < 4; i++)
			s.words[i] = seed * 1000ull + i;
		s.inner = {seed + 1, seed * 7ull};
		for (unsigned i = 0; i < sizeof(blob.bytes); i++)
			blob.bytes[i] = static_cast<unsigned char>(seed + i);
		s.nr_items = 5;
		for (unsigned i = 0; i < 8; i++)
			s.items[i] = i < 5 ? seed + 100 + i : 0;
		for (unsigned i = 0; i < 3; i++)
			pointees[i] = {seed + 10 + i, seed * 3ull + i};
		s.nr_notes = 6;
		memcpy(s.notes, "notes!", 6);
		fo = {0x100000ull * (seed + 1), 2, false, false, false};
		s.folio = &fo;
		s.addr = kernel->image + 100 + seed;
		s.extra = 0;
		s.sub_on = 1;
		s.sub_value = seed + 5;
		link();
	}
	// The pointers, without values: what a consumer sets up before restoring.
	void link()
	{
		s.blob = &blob;
		for (unsigned i = 0; i < 3; i++)
			s.ptrs[i] = &pointees[i];
	}
};

class KstateTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		kernel = &fake;
		out = kstate_engine_create();
		in = kstate_engine_create();
		ASSERT_TRUE(out && in);
		live = kx_live_allocations();
	}
	void TearDown() override
	{
		kstate_engine_drop_saved(out, &kOps);
		kstate_engine_destroy(out);
		kstate_engine_destroy(in);
		kernel = nullptr;
	}

	int reg(const kstate_description& d, void* obj, u64 id)
	{
		const char* why;
		return kstate_engine_register(out, &d, obj, id, &why);
	}

	// Serializes @out into a tree, as activation does; 0 or the save's error.
	int save()
	{
		fdt.assign(1 << 16, 0);
		EXPECT_EQ(fdt_create(fdt.data(), static_cast<int>(fdt.size())), 0);
		EXPECT_EQ(fdt_finish_reservemap(fdt.data()), 0);
		EXPECT_EQ(fdt_begin_node(fdt.data(), ""), 0);
		const char *who, *why;
		const int err = kstate_engine_save(out, fdt.data(), &kOps, &who, &why);
		EXPECT_EQ(fdt_end_node(fdt.data()), 0);
		EXPECT_EQ(fdt_finish(fdt.data()), 0);
		if (err)
			last_why = why;
		return err;
	}

	// The next kernel: index the stream.
	long load() { return kstate_engine_load(in, fdt.data(), &kOps, &load_why); }
	const char* load_why = nullptr;

	// @a, filled from @seed, saved with @d as instance 1 and indexed.
	void hand_over(Sample& a, const kstate_description& d, unsigned seed)
	{
		a.fill(seed);
		kernel->folios = {&a.fo};
		ASSERT_EQ(reg(d, &a.s, 1), 0);
		ASSERT_EQ(save(), 0);
		ASSERT_EQ(load(), 1);
	}

	int restore(const kstate_description& d, void* obj, u64 id)
	{
		int err = kstate_engine_claim(in, &d, obj, id, &kOps, &refusal);
		if (err >= 0)
			err = kstate_engine_apply(in, err, &d, obj, &kOps, &refusal);
		if (err == -KX_EPROTO)
			refused_field = std::string(refusal.field ? refusal.field : "", refusal.field_len);
		return err;
	}

	FakeKernel fake;
	kstate_engine* out = nullptr;
	kstate_engine* in = nullptr;
	long live = 0;
	std::vector<char> fdt;
	kstate_refusal refusal{};
	std::string refused_field;
	std::string last_why;
};

void expect_same(const Sample& a, const Sample& b, bool with_subsection = true)
{
	EXPECT_EQ(a.s.id, b.s.id);
	EXPECT_EQ(0, memcmp(a.s.words, b.s.words, sizeof(a.s.words)));
	EXPECT_EQ(a.s.inner.a, b.s.inner.a);
	EXPECT_EQ(a.s.inner.b, b.s.inner.b);
	EXPECT_EQ(0, memcmp(&a.blob, &b.blob, sizeof(a.blob)));
	EXPECT_EQ(a.s.nr_items, b.s.nr_items);
	EXPECT_EQ(0, memcmp(a.s.items, b.s.items, sizeof(a.s.items)));
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_EQ(a.pointees[i].a, b.pointees[i].a);
		EXPECT_EQ(a.pointees[i].b, b.pointees[i].b);
	}
	EXPECT_EQ(a.s.nr_notes, b.s.nr_notes);
	EXPECT_EQ(0, memcmp(a.s.notes, b.s.notes, a.s.nr_notes));
	EXPECT_EQ(a.s.addr, b.s.addr);
	if (with_subsection) {
		EXPECT_EQ(a.s.sub_value, b.s.sub_value);
	}
}

TEST_F(KstateTest, EveryFieldKindRoundTrips)
{
	Sample a, b;
	ASSERT_NO_FATAL_FAILURE(hand_over(a, ks_sample_v1, 7));
	EXPECT_TRUE(a.fo.preserved);

	b.link();
	ASSERT_EQ(restore(ks_sample_v1, &b.s, 1), 0);
	expect_same(a, b);
	// The folio came back by reference, claimed once.
	EXPECT_EQ(b.s.folio, &a.fo);
	EXPECT_TRUE(a.fo.restored);
	EXPECT_EQ(kstate_engine_unclaimed(in), 0u);
	// Nothing is used twice.
	EXPECT_EQ(restore(ks_sample_v1, &b.s, 1), -KX_ENOENT);
}

TEST_F(KstateTest, FailedRestoreGivesItsFoliosBack)
{
	Sample a, b;
	ASSERT_NO_FATAL_FAILURE(hand_over(a, ks_sample_v1, 8));
	b.link();
	EXPECT_EQ(restore(ks_sample_post_load_fails, &b.s, 1), -EIO);
	EXPECT_TRUE(a.fo.restored);
	EXPECT_TRUE(a.fo.released);
	EXPECT_EQ(b.s.folio, nullptr);
}

// A folio, a run of pages and a vmalloc area, each by reference; the
// page count comes back with the pages.
class KstateMemoryTest : public KstateTest {
protected:
	folio fo{0x200000, 2, false, false, false}, pages{0x300000, 5, false, false, false},
		area{0x400000, 3, false, false, false};
	ks_memory a{&fo, reinterpret_cast<page*>(&pages), 5, &area};

	void hand_over_memory()
	{
		kernel->folios = {&fo, &pages, &area};
		ASSERT_EQ(reg(ks_memory_desc, &a, 1), 0);
		ASSERT_EQ(save(), 0);
		ASSERT_EQ(load(), 1);
	}
};

TEST_F(KstateMemoryTest, EveryKindByReference)
{
	ASSERT_NO_FATAL_FAILURE(hand_over_memory());
	EXPECT_TRUE(fo.preserved && pages.preserved && area.preserved);

	ks_memory b{};
	ASSERT_EQ(restore(ks_memory_desc, &b, 1), 0);
	EXPECT_EQ(b.folio, &fo);
	EXPECT_EQ(b.pages, reinterpret_cast<page*>(&pages));
	EXPECT_EQ(b.nr_pages, 5u);
	EXPECT_EQ(b.area, &area);
	EXPECT_TRUE(fo.restored && pages.restored && area.restored);
}

TEST_F(KstateMemoryTest, PagesWithoutACountAreNotSaved)
{
	a.nr_pages = 0;
	kernel->folios = {&fo, &pages, &area};
	ASSERT_EQ(reg(ks_memory_desc, &a, 1), 0);
	EXPECT_EQ(save(), -KX_EINVAL);
	EXPECT_EQ(last_why, std::string("a pages field counts no pages"));
	// What the save took before the refusal is given back.
	EXPECT_FALSE(fo.preserved || pages.preserved || area.preserved);
}

TEST_F(KstateMemoryTest, UnpreservedMemoryIsRefusedByField)
{
	ASSERT_NO_FATAL_FAILURE(hand_over_memory());
	kernel->folios = {&fo, &area};	// the pages are not the previous kernel's
	ks_memory b{};
	EXPECT_EQ(restore(ks_memory_desc, &b, 1), -KX_EPROTO);
	EXPECT_EQ(refused_field, "pages");
	EXPECT_EQ(b.folio, nullptr);
	EXPECT_FALSE(fo.restored);
}

TEST_F(KstateMemoryTest, AreaFailingLateGivesEverythingBack)
{
	ASSERT_NO_FATAL_FAILURE(hand_over_memory());
	kernel->fail_restore_kind = KS_VMALLOC;	// its page list turns out damaged
	ks_memory b{};
	EXPECT_EQ(restore(ks_memory_desc, &b, 1), -KX_EBUSY);
	EXPECT_TRUE(fo.released && pages.released);
	EXPECT_FALSE(area.restored);
	EXPECT_EQ(b.folio, nullptr);
	EXPECT_EQ(b.pages, nullptr);
}

TEST_F(KstateTest, RestoresInAnyOrderByInstance)
{
	Sample a[3], b[3];
	for (unsigned i = 0; i < 3; i++) {
		a[i].fill(i * 10);
		kernel->folios.push_back(&a[i].fo);
		ASSERT_EQ(reg(ks_sample_v1, &a[i].s, i), 0);
	}
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 3);
	for (unsigned i : {2u, 0u, 1u}) {
		b[i].link();
		ASSERT_EQ(restore(ks_sample_v1, &b[i].s, i), 0);
		expect_same(a[i], b[i]);
	}
	EXPECT_EQ(restore(ks_sample_v1, &b[0].s, 9), -KX_ENOENT);
}

// Each chunk numbers its own descriptions: a state in a later chunk must
// find its embedded structs' descriptions in that chunk.
TEST_F(KstateTest, NestedStatesInLaterChunks)
{
	std::vector<Sample> a(2500), b(2500);
	for (unsigned i = 0; i < a.size(); i++) {
		a[i].fill(i);
		a[i].s.folio = nullptr;	 // the fake's folio lookup is linear
		ASSERT_EQ(reg(ks_structs_desc, &a[i].s, i), 0);
		ASSERT_EQ(reg(ks_sample_v1, &a[i].s, i), 0);
	}
	ASSERT_EQ(save(), 0);
	u64 bytes, chunks;
	kstate_engine_saved_size(out, &bytes, &chunks);
	ASSERT_GE(chunks, 3u);
	ASSERT_EQ(load(), 5000);
	for (unsigned i = 0; i < b.size(); i++) {
		b[i].link();
		ASSERT_EQ(restore(ks_sample_v1, &b[i].s, i), 0) << i << ": " << refused_field;
		ASSERT_EQ(restore(ks_structs_desc, &b[i].s, i), 0) << i;
		expect_same(a[i], b[i]);
	}
}

TEST_F(KstateTest, RegistryRefusesDuplicatesAndMalformedDescriptions)
{
	Sample a;
	a.fill(1);
	ASSERT_EQ(reg(ks_sample_v1, &a.s, 1), 0);
	EXPECT_EQ(reg(ks_sample_v2, &a.s, 1), -KX_EEXIST);  // same name and instance
	EXPECT_EQ(reg(ks_sample_v1, &a.s, 2), 0);
	EXPECT_EQ(reg(ks_bad_count_desc, &a.s, 1), -KX_EINVAL);
	EXPECT_EQ(kstate_engine_registered(out), 2u);
	kstate_engine_unregister(out, &ks_sample_v1, &a.s, 1);
	kstate_engine_unregister(out, &ks_sample_v1, &a.s, 1);  // a no-op
	EXPECT_EQ(kstate_engine_registered(out), 1u);
	EXPECT_EQ(reg(ks_sample_v1, &a.s, 1), 0);
}

TEST_F(KstateTest, ManyObjectsRegisterAndUnregister)
{
	std::vector<ks_pair32> objs(5000);
	for (unsigned i = 0; i < objs.size(); i++)
		ASSERT_EQ(reg(ks_pair32_desc, &objs[i], i), 0);
	for (unsigned i = 0; i < objs.size(); i += 2)
		kstate_engine_unregister(out, &ks_pair32_desc, &objs[i], i);
	EXPECT_EQ(kstate_engine_registered(out), objs.size() / 2);
	for (unsigned i = 0; i < objs.size(); i++)
		objs[i] = {i, i * 2};
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), static_cast<long>(objs.size() / 2));
	for (unsigned i = 0; i < objs.size(); i++) {
		ks_pair32 got{};
		ASSERT_EQ(restore(ks_pair32_desc, &got, i), i % 2 ? 0 : -KX_ENOENT) << i;
		if (i % 2) {
			EXPECT_EQ(got.y, i * 2);
		}
	}
}

TEST_F(KstateTest, NewerVersionReadsOlderAndKeepsNewFieldsDefault)
{
	Sample a, b;
	ASSERT_NO_FATAL_FAILURE(hand_over(a, ks_sample_v1, 3));
	b.link();
	b.s.extra = 0xdefa;
	ASSERT_EQ(restore(ks_sample_v2, &b.s, 1), 0);
	expect_same(a, b);
	EXPECT_EQ(b.s.extra, 0xdefau);
}

TEST_F(KstateTest, TooOldIsRefusedAndLeftForTheRightReader)
{
	Sample a, b;
	ASSERT_NO_FATAL_FAILURE(hand_over(a, ks_sample_v1, 4));
	b.link();
	b.s.id = 0x5a5a;
	EXPECT_EQ(restore(ks_sample_v2_only, &b.s, 1), -KX_EPROTO);
	EXPECT_STREQ(refusal.why, "saved by a version older than min_version_id");
	EXPECT_EQ(refusal.version, 1u);
	EXPECT_EQ(b.s.id, 0x5a5au);  // untouched
	EXPECT_FALSE(a.fo.restored);
	ASSERT_EQ(restore(ks_sample_v1, &b.s, 1), 0);
	expect_same(a, b);
}

TEST_F(KstateTest, TooNewIsRefused)
{
	Sample a, b;
	ASSERT_NO_FATAL_FAILURE(hand_over(a, ks_sample_v2, 4));
	b.link();
	EXPECT_EQ(restore(ks_sample_v1, &b.s, 1), -KX_EPROTO);
	EXPECT_STREQ(refusal.why, "saved by a newer version than this kernel reads");
}

TEST_F(KstateTest, LayoutChangedWithoutVersionBumpNamesTheField)
{
	ks_pair32 a{1, 2};
	ks_pair64 b{};
	ASSERT_EQ(reg(ks_pair32_desc, &a, 0), 0);
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 1);
	EXPECT_EQ(restore(ks_pair64_desc, &b, 0), -KX_EPROTO);
	EXPECT_STREQ(refusal.why, "layout changed without a version change");
	EXPECT_EQ(refused_field, "x");
	ks_pair32 c{};
	ASSERT_EQ(restore(ks_pair32_desc, &c, 0), 0);
	EXPECT_EQ(c.x, 1u);
	EXPECT_EQ(c.y, 2u);
}

TEST_F(KstateTest, DroppedFieldIsSkipped)
{
	ks_old a{1, 2, 3};
	ks_new b{};
	ASSERT_EQ(reg(ks_old_desc, &a, 0), 0);
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 1);
	ASSERT_EQ(restore(ks_new_desc, &b, 0), 0);
	EXPECT_EQ(b.a, 1u);
	EXPECT_EQ(b.c, 3u);
}

TEST_F(KstateTest, SubsectionOnlyWhenNeededAndUnknownOnesRefused)
{
	Sample a, b;
	a.fill(5);
	kernel->folios = {&a.fo};
	a.s.sub_on = 0;
	ASSERT_EQ(reg(ks_sample_v1, &a.s, 1), 0);
	a.s.sub_on = 1;
	Sample c;
	c.fill(6);
	kernel->folios.push_back(&c.fo);
	ASSERT_EQ(reg(ks_sample_v1, &c.s, 2), 0);
	c.s.sub_on = 1;
	a.s.sub_on = 0;
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 2);

	b.link();
	b.s.sub_value = 77;
	ASSERT_EQ(restore(ks_sample_no_subs, &b.s, 1), 0);  // nothing to refuse
	EXPECT_EQ(b.s.sub_value, 77u);
	EXPECT_EQ(restore(ks_sample_no_subs, &b.s, 2), -KX_EPROTO);
	EXPECT_STREQ(refusal.why, "a subsection this kernel does not know");
	EXPECT_EQ(refused_field, "ks_sample.sub");
	ASSERT_EQ(restore(ks_sample_v1, &b.s, 2), 0);
	EXPECT_EQ(b.s.sub_value, c.s.sub_value);
}

TEST_F(KstateTest, RecordLargerThanAChunkGetsItsOwn)
{
	auto big = std::make_unique<ks_big>();
	auto got = std::make_unique<ks_big>();
	for (unsigned i = 0; i < sizeof(big->bytes); i++)
		big->bytes[i] = static_cast<unsigned char>(i * 31);
	ks_pair32 small{9, 8};
	ASSERT_EQ(reg(ks_pair32_desc, &small, 0), 0);
	ASSERT_EQ(reg(ks_big_desc, big.get(), 0), 0);
	ASSERT_EQ(save(), 0);
	u64 bytes, chunks;
	kstate_engine_saved_size(out, &bytes, &chunks);
	EXPECT_EQ(chunks, 2u);
	EXPECT_GT(bytes, sizeof(big->bytes));
	ASSERT_EQ(load(), 2);
	ASSERT_EQ(restore(ks_big_desc, got.get(), 0), 0);
	EXPECT_EQ(0, memcmp(big->bytes, got->bytes, sizeof(got->bytes)));
}

TEST_F(KstateTest, SaveFailureGivesEverythingBack)
{
	Sample a;
	a.fill(1);
	a.s.blob = nullptr;  // a pointer field must be set
	kernel->folios = {&a.fo};
	ASSERT_EQ(reg(ks_sample_v1, &a.s, 1), 0);
	EXPECT_EQ(save(), -KX_EINVAL);
	EXPECT_EQ(last_why, "a pointer field is NULL");
	EXPECT_TRUE(kernel->chunks.empty());
	EXPECT_FALSE(a.fo.preserved);

	a.link();
	kernel->fail_chunks = true;
	EXPECT_EQ(save(), -KX_ENOMEM);
	EXPECT_FALSE(a.fo.preserved);
}

TEST_F(KstateTest, SaveUnderAllocationFailureLeaksNothing)
{
	std::vector<ks_pair32> objs(300);
	for (unsigned i = 0; i < objs.size(); i++)
		ASSERT_EQ(reg(ks_pair32_desc, &objs[i], i), 0);
	const long before = kx_live_allocations();
	for (long n = 0;; n++) {
		kx_host::FailAllocationAfter fail(n);
		const int err = save();
		if (!kx_host::injected_failure_happened()) {
			ASSERT_EQ(err, 0);
			break;
		}
		EXPECT_EQ(err, -KX_ENOMEM);
		EXPECT_TRUE(kernel->chunks.empty());
		EXPECT_EQ(kx_live_allocations(), before);
	}
}

// --- The previous kernel's stream is untrusted ---

class KstateHostileTest : public KstateTest {
protected:
	// Saves one sample and returns its chunk's bytes for damaging.
	unsigned char* saved_chunk(u64* size)
	{
		a.fill(2);
		kernel->folios = {&a.fo};
		EXPECT_EQ(reg(ks_sample_v1, &a.s, 1), 0);
		EXPECT_EQ(save(), 0);
		EXPECT_EQ(kernel->chunks.size(), 1u);
		*size = reinterpret_cast<const kstate_chunk*>(kernel->chunks.begin()->second.addr)->used;
		return static_cast<unsigned char*>(kernel->chunks.begin()->second.addr);
	}
	Sample a;
};

TEST_F(KstateHostileTest, BadChunkHeaderDropsTheChunk)
{
	u64 used;
	unsigned char* chunk = saved_chunk(&used);
	chunk[0] ^= 1;
	EXPECT_EQ(load(), 0);
	ASSERT_EQ(kernel->dropped.size(), 1u);
	EXPECT_EQ(kernel->dropped[0], "chunk: a chunk has a bad magic or format");
}

TEST_F(KstateHostileTest, UnpreservedChunkIsDropped)
{
	u64 used;
	saved_chunk(&used);
	auto node = kernel->chunks.begin();
	kernel->chunks.erase(node);  // the fake frees nothing: the test owns it now
	EXPECT_EQ(load(), 0);
	ASSERT_EQ(kernel->dropped.size(), 1u);
	EXPECT_EQ(kernel->dropped[0], "chunk: not a preserved folio");
}

TEST_F(KstateHostileTest, EveryByteFlippedIsRefusedOrHarmless)
{
	u64 used;
	unsigned char* chunk = saved_chunk(&used);
	std::vector<unsigned char> pristine(chunk, chunk + used);
	for (u64 i = 0; i < used; i++) {
		for (unsigned char flip : {0x01, 0x80, 0xff}) {
			memcpy(chunk, pristine.data(), used);
			chunk[i] ^= flip;
			a.fo.restored = false;
			kstate_engine_unload(in);
			load();
			Sample b;
			b.link();
			const int err = restore(ks_sample_v1, &b.s, 1);
			// Refused, gone, or a callback's own refusal (a note too long).
			EXPECT_TRUE(err == 0 || err == -KX_ENOENT || err == -KX_EPROTO ||
				    err == -KX_EINVAL) << i << " " << err;
			if (err == 0) {  // then whatever was decoded fit its field
				EXPECT_LE(b.s.nr_items, 8u);
				EXPECT_LE(b.s.nr_notes, 32u);
			}
		}
	}
}

TEST_F(KstateHostileTest, TruncatedDataIsRefused)
{
	u64 used;
	unsigned char* chunk = saved_chunk(&used);
	auto* h = reinterpret_cast<kstate_chunk*>(chunk);
	// Cut the chunk short one record boundary at a time, down to nothing.
	for (u64 cut = used - 8; cut >= sizeof(kstate_chunk); cut -= 8) {
		h->used = cut;
		kstate_engine_unload(in);
		load();
		Sample b;
		b.link();
		EXPECT_EQ(restore(ks_sample_v1, &b.s, 1), -KX_ENOENT);
	}
}

// The field record named @name in the chunk's first description that has it.
kstate_field_record* find_field(unsigned char* chunk, const char* name)
{
	const auto* h = reinterpret_cast<const kstate_chunk*>(chunk);
	for (u64 at = sizeof(kstate_chunk); at < h->used;) {
		auto* rec = reinterpret_cast<kstate_record*>(chunk + at);
		if (rec->kind == KSTATE_RECORD_DESC) {
			auto* d = reinterpret_cast<kstate_desc_record*>(rec + 1);
			unsigned char* p = reinterpret_cast<unsigned char*>(d + 1) + ((d->name_len + 7) & ~7u);
			for (unsigned i = 0; i < d->nr_fields; i++) {
				auto* f = reinterpret_cast<kstate_field_record*>(p);
				const char* n = reinterpret_cast<const char*>(f + 1);
				if (f->name_len == strlen(name) && !memcmp(n, name, f->name_len))
					return f;
				p += sizeof(*f) + ((f->name_len + 7) & ~7u);
			}
		}
		at += rec->size;
	}
	return nullptr;
}

TEST_F(KstateHostileTest, DescriptionNamingItselfDropsTheChunk)
{
	u64 used;
	unsigned char* chunk = saved_chunk(&used);
	kstate_field_record* inner = find_field(chunk, "inner");
	ASSERT_NE(inner, nullptr);
	inner->desc = 2;  // ks_sample itself: after ks_inner (0) and its subsection (1)
	EXPECT_EQ(load(), 0);
	ASSERT_EQ(kernel->dropped.size(), 1u);
	EXPECT_EQ(kernel->dropped[0], "chunk: a field names a description not before it");
}

TEST_F(KstateHostileTest, CountAboveTheArrayIsRefused)
{
	u64 used;
	unsigned char* chunk = saved_chunk(&used);
	// nr_items (5), then the array's own count (5), then items[0].
	const unsigned int want[] = {5, 5, a.s.items[0]};
	unsigned char* at = std::search(chunk, chunk + used, reinterpret_cast<const unsigned char*>(want),
					reinterpret_cast<const unsigned char*>(want) + sizeof(want));
	ASSERT_NE(at, chunk + used);
	const unsigned int nine = 9;
	memcpy(at + 4, &nine, 4);
	ASSERT_EQ(load(), 1);
	Sample b;
	b.link();
	EXPECT_EQ(restore(ks_sample_v1, &b.s, 1), -KX_EPROTO);
	EXPECT_STREQ(refusal.why, "an array holds more elements than this kernel's");
	EXPECT_EQ(refused_field, "items");
}

TEST_F(KstateTest, ArraysOfStructsByTheirDescription)
{
	Sample a, b;
	a.fill(4);
	a.s.nr_inners = 2;
	a.s.inners[0] = {1, 11};
	a.s.inners[1] = {2, 22};
	ASSERT_EQ(reg(ks_structs_desc, &a.s, 0), 0);
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 1);
	b.link();
	b.s.inners[2] = {9, 99};
	ASSERT_EQ(restore(ks_structs_desc, &b.s, 0), 0);
	EXPECT_EQ(b.s.nr_inners, 2u);
	EXPECT_EQ(b.s.inners[1].b, 22u);
	EXPECT_EQ(b.s.inners[2].a, 9u);  // past the count: untouched
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_EQ(b.pointees[i].a, a.pointees[i].a);
		EXPECT_EQ(b.pointees[i].b, a.pointees[i].b);
	}
}

TEST_F(KstateTest, ArrayOfPointersCountedByACallback)
{
	Sample a, b;
	a.fill(3);
	ASSERT_EQ(reg(ks_counted_desc, &a.s, 0), 0);
	ASSERT_EQ(save(), 0);
	ASSERT_EQ(load(), 1);
	b.link();
	b.pointees[2] = {99, 99};
	ASSERT_EQ(restore(ks_counted_desc, &b.s, 0), 0);
	EXPECT_EQ(b.pointees[0].a, a.pointees[0].a);
	EXPECT_EQ(b.pointees[1].b, a.pointees[1].b);
	EXPECT_EQ(b.pointees[2].a, 99u);
}

TEST_F(KstateHostileTest, MalformedNodeIsRefused)
{
	fdt.assign(4096, 0);
	ASSERT_EQ(fdt_create(fdt.data(), 4096), 0);
	ASSERT_EQ(fdt_finish_reservemap(fdt.data()), 0);
	ASSERT_EQ(fdt_begin_node(fdt.data(), ""), 0);
	ASSERT_EQ(fdt_begin_node(fdt.data(), KSTATE_NODE_NAME), 0);
	ASSERT_EQ(fdt_property(fdt.data(), "compatible", KSTATE_COMPATIBLE, sizeof(KSTATE_COMPATIBLE)), 0);
	ASSERT_EQ(fdt_property(fdt.data(), KSTATE_CHUNKS_PROP, "abc", 3), 0);
	ASSERT_EQ(fdt_end_node(fdt.data()), 0);
	ASSERT_EQ(fdt_end_node(fdt.data()), 0);
	ASSERT_EQ(fdt_finish(fdt.data()), 0);
	EXPECT_EQ(load(), -KX_EINVAL);
	EXPECT_STREQ(load_why, "the kstate node's chunk list is malformed");
}

TEST_F(KstateHostileTest, NoNodeIsNothingSaved)
{
	ASSERT_EQ(save(), 0);  // nothing registered: no node
	EXPECT_EQ(load(), -KX_ENOENT);
}

TEST(KstateDescription, FingerprintCoversLayoutNotVersionOfOtherFields)
{
	EXPECT_NE(kstate::fingerprint(ks_pair32_desc), kstate::fingerprint(ks_pair64_desc));
	EXPECT_NE(kstate::fingerprint(ks_sample_v1), kstate::fingerprint(ks_sample_v2));
	EXPECT_EQ(kstate::fingerprint(ks_sample_v1), kstate::fingerprint(ks_sample_no_subs));
}

}  // namespace
