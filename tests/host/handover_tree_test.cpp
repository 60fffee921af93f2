// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <libfdt.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kho/handover_tree.h"
#include "kho/handover_tree.hpp"
#include "kunit/cxx_face.h"
#include "kho/mem_map.hpp"

namespace {

struct TreeSpec {
	const char* compatible = "linux-6.12-kho-v1";
	std::vector<kx::u8> inline_map;
	int subtree_fdt_len = 8;  // 0: no "fdt" property
	std::vector<kx::u8> blob_size;  // the "blob-size" property's bytes, if any
	bool notifier_node = true;
};

std::vector<kx::u8> u64_bytes(kx::u64 value)
{
	std::vector<kx::u8> bytes(sizeof(value));
	std::memcpy(bytes.data(), &value, sizeof(value));
	return bytes;
}

std::vector<kx::u8> build(const TreeSpec& spec)
{
	std::vector<kx::u8> buf(4096);
	void* fdt = buf.data();
	EXPECT_EQ(fdt_create(fdt, buf.size()), 0);
	EXPECT_EQ(fdt_finish_reservemap(fdt), 0);
	EXPECT_EQ(fdt_begin_node(fdt, ""), 0);
	EXPECT_EQ(fdt_property_string(fdt, "compatible", spec.compatible), 0);
	if (!spec.inline_map.empty()) {
		EXPECT_EQ(fdt_property(fdt, "preserved-memory-map", spec.inline_map.data(),
				       static_cast<int>(spec.inline_map.size())), 0);
	}
	if (spec.notifier_node) {
		EXPECT_EQ(fdt_begin_node(fdt, "ftrace"), 0);
		EXPECT_EQ(fdt_property_string(fdt, "compatible", "ftrace-v1"), 0);
		EXPECT_EQ(fdt_end_node(fdt), 0);
	}
	EXPECT_EQ(fdt_begin_node(fdt, "kho-test"), 0);
	const kx::u8 phys[16] = {0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc};
	if (spec.subtree_fdt_len) {
		EXPECT_EQ(fdt_property(fdt, "fdt", phys, spec.subtree_fdt_len), 0);
	}
	if (!spec.blob_size.empty()) {
		EXPECT_EQ(fdt_property(fdt, "blob-size", spec.blob_size.data(),
				       static_cast<int>(spec.blob_size.size())), 0);
	}
	EXPECT_EQ(fdt_end_node(fdt), 0);
	EXPECT_EQ(fdt_end_node(fdt), 0);
	EXPECT_EQ(fdt_finish(fdt), 0);
	buf.resize(fdt_totalsize(fdt));
	return buf;
}

kx::Result<kho::TreeView> check(const std::vector<kx::u8>& t, const char*& why, bool segment = false)
{
	auto view = kho::check_tree({t.data(), t.size()}, segment);
	why = view.is_ok() ? nullptr : view.error().reason();
	return view;
}

TEST(HandoverTree, AcceptsAWellFormedTree)
{
	TreeSpec spec;
	spec.inline_map = {1, 2, 3, 4};
	const char* why = "unset";
	auto t = build(spec);
	auto view = check(t, why);
	ASSERT_TRUE(view.is_ok()) << why;
	EXPECT_EQ(view.value().inline_memmap.size(), 4u);
	EXPECT_EQ(why, nullptr);
}

TEST(HandoverTree, IgnoresAForeignFormat)
{
	TreeSpec spec;
	spec.compatible = "kho-v1";  // mainline's
	const char* why;
	auto t = build(spec);
	EXPECT_TRUE(check(t, why).is_error());
	EXPECT_STREQ(why, "root compatible is not \"linux-6.12-kho-v1\"");
}

TEST(HandoverTree, RefusesTwoMemoryMaps)
{
	TreeSpec spec;
	spec.inline_map = {1};
	const char* why;
	auto t = build(spec);
	EXPECT_TRUE(check(t, why, true).is_error());
	EXPECT_STREQ(why, "memory map both inline and in a segment");
}

TEST(HandoverTree, RefusesAMalformedSubtreeReference)
{
	TreeSpec spec;
	spec.subtree_fdt_len = 4;
	const char* why;
	auto t = build(spec);
	EXPECT_TRUE(check(t, why).is_error());
	EXPECT_STREQ(why, "malformed subsystem node");
}

// "blob-size": 8 bytes, not zero, not wrapping the address, never alone.
TEST(HandoverTree, RefusesAMalformedBlobSize)
{
	const std::vector<std::vector<kx::u8>> bad_sizes = {
		{1, 0, 0, 0}, u64_bytes(0), u64_bytes(~0ull - 0x1000)};
	for (const auto& size : bad_sizes) {
		TreeSpec spec;
		spec.blob_size = size;
		const char* why;
		auto t = build(spec);
		EXPECT_TRUE(check(t, why).is_error());
		EXPECT_STREQ(why, "malformed subsystem node");
		EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "kho-test").error(),
			  kx::Errno::noent);
	}
	TreeSpec alone;
	alone.subtree_fdt_len = 0;
	alone.blob_size = u64_bytes(4096);
	const char* why;
	EXPECT_TRUE(check(build(alone), why).is_error());
	EXPECT_STREQ(why, "malformed subsystem node");
}

TEST(HandoverTree, RefusesTruncatedOrGarbageInput)
{
	const char* why;
	auto t = build({});
	std::vector<kx::u8> cut(t.begin(), t.end() - 8);
	EXPECT_TRUE(check(cut, why).is_error());
	EXPECT_STREQ(why, "tree header invalid");
	std::vector<kx::u8> junk(256, 0xa5);
	EXPECT_TRUE(check(junk, why).is_error());
	std::vector<kx::u8> tiny(8, 0);
	EXPECT_TRUE(check(tiny, why).is_error());
}

// Before version 16, libfdt moves a property's value of 8 bytes or more
// to the next 8-byte boundary, past the bounds it checked: the fuzzer made
// such a tree read beyond its end (tests/fuzz/corpus/tree/).
TEST(HandoverTree, RefusesVersionsBefore17)
{
	for (const kx::u8 version : {16, 13}) {
		auto t = build({});
		t[23] = version;  // the header's big-endian version, at byte 20
		const char* why;
		EXPECT_TRUE(check(t, why).is_error());
		EXPECT_STREQ(why, "tree header invalid");
	}
}

std::vector<kx::u8> with_root_compatible(std::string_view bytes)
{
	auto t = build({});
	t.resize(t.size() + 128);
	EXPECT_EQ(fdt_open_into(t.data(), t.data(), static_cast<int>(t.size())), 0);
	EXPECT_EQ(fdt_setprop(t.data(), 0, "compatible", bytes.data(), static_cast<int>(bytes.size())), 0);
	EXPECT_EQ(fdt_pack(t.data()), 0);
	t.resize(fdt_totalsize(t.data()));
	return t;
}

// Entry by entry, within the property's bytes: libfdt's
// fdt_node_check_compatible() compares one byte more than a last entry as
// long as the string wanted holds.
TEST(HandoverTree, ReadsACompatibleListEntryByEntry)
{
	using namespace std::string_view_literals;
	const struct {
		std::string_view list;
		bool ours;
	} cases[] = {
		{"linux-6.12-kho-v1\0"sv, true},
		{"vendor,kho\0linux-6.12-kho-v1\0"sv, true},
		{"linux-6.12-kho-v\0"sv, false},
		{"x\0linux-6.12-kho-v\0"sv, false},
		{"linux-6.12-kho-v12\0"sv, false},
		{"linux-6.12-kho-v1"sv, false},  // not terminated
		{""sv, false},
	};
	for (const auto& c : cases) {
		auto t = with_root_compatible(c.list);
		EXPECT_EQ(kho::node_compatible(t.data(), 0, "linux-6.12-kho-v1"), c.ours)
			<< std::string(c.list.data(), c.list.size());
	}
}

TEST(HandoverTree, FindsASubtreeByName)
{
	TreeSpec spec;
	spec.blob_size = u64_bytes(0x3000);
	auto t = build(spec);
	const char* why;
	ASSERT_TRUE(check(t, why).is_ok()) << why;
	auto found = kho::find_subtree({t.data(), t.size()}, "kho-test");
	ASSERT_TRUE(found.is_ok());
	kx::u64 want;
	const kx::u8 bytes[8] = {0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc};
	std::memcpy(&want, bytes, sizeof(want));
	EXPECT_EQ(found.value().phys, want);
	EXPECT_EQ(found.value().size, 0x3000u);
	kx_u64 phys = 0, size = 0;
	EXPECT_EQ(kho_tree_find_subtree(t.data(), t.size(), "kho-test", &phys, &size), 0);
	EXPECT_EQ(phys, want);
	EXPECT_EQ(size, 0x3000u);
}

// A tree written before sizes were recorded: the size is unknown, not refused.
TEST(HandoverTree, FindsASubtreeWithoutASize)
{
	auto t = build({});
	const char* why;
	ASSERT_TRUE(check(t, why).is_ok()) << why;
	auto found = kho::find_subtree({t.data(), t.size()}, "kho-test");
	ASSERT_TRUE(found.is_ok());
	EXPECT_EQ(found.value().size, 0u);
}

TEST(HandoverTree, FindsNoSubtreeThatIsNotThere)
{
	auto t = build({});
	// A node without an "fdt" property, and no node at all.
	EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "ftrace").error(), kx::Errno::noent);
	EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "kho-tes").error(), kx::Errno::noent);
	kx_u64 phys = 1, size = 1;
	EXPECT_EQ(kho_tree_find_subtree(t.data(), t.size(), "nothing", &phys, &size), -KX_ENOENT);
	EXPECT_EQ(phys, 1u);
	EXPECT_EQ(size, 1u);
}

TEST(HandoverTree, FindsNoSubtreeInAMalformedReferenceOrTree)
{
	TreeSpec spec;
	spec.subtree_fdt_len = 4;
	auto t = build(spec);
	EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "kho-test").error(), kx::Errno::noent);
	auto good = build({});
	EXPECT_EQ(kho::find_subtree({good.data(), good.size() - 8}, "kho-test").error(),
		  kx::Errno::noent);
	std::vector<kx::u8> junk(256, 0xa5);
	EXPECT_EQ(kho::find_subtree({junk.data(), junk.size()}, "kho-test").error(),
		  kx::Errno::noent);
}

// The writer and the reader, one layout: what begin_tree() and seal_tree()
// write, with a notifier's node between them, check_tree(), find_subtree()
// and the map reader give back.
struct Written {
	std::vector<kx::u8> tree;
	std::vector<kx::u8> segment;  // the map, unless it rides in the tree
};

Written write(const kho::PreservedMemory* mem, const kho_subtree* subtrees, size_t max = 4096)
{
	Written w;
	w.tree.resize(max);
	kx::Span<kx::u8> buf{w.tree.data(), w.tree.size()};
	EXPECT_TRUE(kho::begin_tree(buf).is_ok());
	void* fdt = w.tree.data();
	EXPECT_EQ(fdt_begin_node(fdt, "ftrace"), 0);
	EXPECT_EQ(fdt_property_string(fdt, "compatible", "ftrace-v1"), 0);
	EXPECT_EQ(fdt_end_node(fdt), 0);
	auto sealed = kho::seal_tree(buf, subtrees, mem, 12);
	EXPECT_TRUE(sealed.is_ok());
	if (sealed.is_error())
		return w;
	w.tree.resize(fdt_totalsize(fdt));
	if (sealed.value().segment) {
		w.segment.assign(sealed.value().segment, sealed.value().segment + sealed.value().size);
		kx_free(sealed.value().segment);
	}
	return w;
}

std::vector<kho::PreservedRun> runs_of(kx::Span<const kx::u8> map)
{
	std::vector<kho::PreservedRun> runs;
	kho::MemMapReader reader(map, 12);
	EXPECT_TRUE(reader.start().is_ok());
	kho::PreservedRun run;
	for (;;) {
		auto more = reader.next(run);
		EXPECT_TRUE(more.is_ok());
		if (more.is_error() || !more.value())
			return runs;
		runs.push_back(run);
	}
}

void expect_runs(const std::vector<kho::PreservedRun>& runs,
		 const std::vector<kho::PreservedRun>& want)
{
	ASSERT_EQ(runs.size(), want.size());
	for (size_t i = 0; i < runs.size(); i++) {
		EXPECT_EQ(runs[i].pfn, want[i].pfn);
		EXPECT_EQ(runs[i].nr_pages, want[i].nr_pages);
		EXPECT_EQ(runs[i].order, want[i].order);
	}
}

TEST(HandoverTreeRoundTrip, SubtreesAndASmallMapInTheTree)
{
	kho::PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x1000, 3).is_ok());
	kho_subtree second = {nullptr, "kho-test-dump", 0x2345000, 100};
	kho_subtree first = {&second, "kho-test", 0x1234000, 0x4000};

	Written w = write(&mem, &first);
	EXPECT_TRUE(w.segment.empty());
	auto view = kho::check_tree({w.tree.data(), w.tree.size()}, false);
	ASSERT_TRUE(view.is_ok()) << view.error().reason();
	for (const kho_subtree* sub = &first; sub; sub = sub->next) {
		auto found = kho::find_subtree({w.tree.data(), w.tree.size()}, sub->name);
		ASSERT_TRUE(found.is_ok()) << sub->name;
		EXPECT_EQ(found.value().phys, sub->phys);
		EXPECT_EQ(found.value().size, sub->size);
	}
	EXPECT_EQ(fdt_node_check_compatible(w.tree.data(), fdt_subnode_offset(w.tree.data(), 0, "ftrace"),
					    "ftrace-v1"), 0);
	expect_runs(runs_of(view.value().inline_memmap), {{0x1000, 3, 0}});
}

TEST(HandoverTreeRoundTrip, ALargerMapInASegment)
{
	kho::PreservedMemory mem;
	ASSERT_TRUE(mem.preserve_pages(0x1000, 3).is_ok());
	ASSERT_TRUE(mem.preserve(0x4000, 4).is_ok());
	ASSERT_TRUE(mem.preserve(0x8000, 9).is_ok());

	Written w = write(&mem, nullptr);
	ASSERT_FALSE(w.segment.empty());
	auto view = kho::check_tree({w.tree.data(), w.tree.size()}, true);
	ASSERT_TRUE(view.is_ok()) << view.error().reason();
	EXPECT_TRUE(view.value().inline_memmap.empty());
	auto runs = runs_of({w.segment.data(), w.segment.size()});
	expect_runs(runs, {{0x1000, 3, 0}, {0x4000, 16, 4}, {0x8000, 512, 9}});
}

TEST(HandoverTreeRoundTrip, NoRecordNoMap)
{
	Written w = write(nullptr, nullptr);
	EXPECT_TRUE(w.segment.empty());
	auto view = kho::check_tree({w.tree.data(), w.tree.size()}, false);
	ASSERT_TRUE(view.is_ok());
	EXPECT_TRUE(view.value().inline_memmap.empty());
}

TEST(HandoverTreeRoundTrip, ATreeTooSmallSaysNoSpace)
{
	std::vector<kx::u8> buf(96);
	EXPECT_EQ(kho_tree_begin(buf.data(), buf.size()), -KX_ENOSPC);
	buf.resize(160);
	ASSERT_EQ(kho_tree_begin(buf.data(), buf.size()), 0);
	kho_subtree sub = {nullptr, "a-subtree-whose-name-is-long-enough-to-overflow", 0x1000, 1};
	void* map = &buf;
	kx_size_t map_size = 1;
	EXPECT_EQ(kho_tree_seal(buf.data(), buf.size(), &sub, nullptr, 12, &map, &map_size),
		  -KX_ENOSPC);
	EXPECT_EQ(map, &buf);  // untouched
}

TEST(HandoverTreeRoundTrip, TheCFaceHandsOverTheSegment)
{
	kho_preserved* mem = kho_preserved_create();
	ASSERT_NE(mem, nullptr);
	ASSERT_EQ(kho_preserved_add_pages(mem, 0x1000, 3), 0);
	ASSERT_EQ(kho_preserved_add(mem, 0x4000, 4), 0);
	std::vector<kx::u8> buf(4096);
	ASSERT_EQ(kho_tree_begin(buf.data(), buf.size()), 0);
	void* map = nullptr;
	kx_size_t map_size = 0;
	ASSERT_EQ(kho_tree_seal(buf.data(), buf.size(), nullptr, mem, 12, &map, &map_size), 0);
	ASSERT_NE(map, nullptr);
	expect_runs(runs_of({static_cast<const kx::u8*>(map), map_size}),
		    {{0x1000, 3, 0}, {0x4000, 16, 4}});
	kx_free(map);
	kho_preserved_destroy(mem);
}

}  // namespace
