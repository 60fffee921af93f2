// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <libfdt.h>

#include <cstring>
#include <string>
#include <vector>

#include "kho/handover_tree.h"
#include "kho/handover_tree.hpp"

namespace {

struct TreeSpec {
	const char* compatible = "linux-6.12-kho-v1";
	std::vector<kx::u8> inline_map;
	int subtree_fdt_len = 8;
	bool notifier_node = true;
};

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
	EXPECT_EQ(fdt_property(fdt, "fdt", phys, spec.subtree_fdt_len), 0);
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

TEST(HandoverTree, FindsASubtreeByName)
{
	auto t = build({});
	auto found = kho::find_subtree({t.data(), t.size()}, "kho-test");
	ASSERT_TRUE(found.is_ok());
	kx::u64 want;
	const kx::u8 bytes[8] = {0x00, 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc};
	std::memcpy(&want, bytes, sizeof(want));
	EXPECT_EQ(found.value(), want);
	kx_u64 phys = 0;
	EXPECT_EQ(kho_tree_find_subtree(t.data(), t.size(), "kho-test", &phys), 0);
	EXPECT_EQ(phys, want);
}

TEST(HandoverTree, FindsNoSubtreeThatIsNotThere)
{
	auto t = build({});
	// A node without an "fdt" property, and no node at all.
	EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "ftrace").error(), kx::Errno::noent);
	EXPECT_EQ(kho::find_subtree({t.data(), t.size()}, "kho-tes").error(), kx::Errno::noent);
	kx_u64 phys = 1;
	EXPECT_EQ(kho_tree_find_subtree(t.data(), t.size(), "nothing", &phys), -KX_ENOENT);
	EXPECT_EQ(phys, 1u);
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

}  // namespace
