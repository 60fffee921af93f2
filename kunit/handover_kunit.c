// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the handover's input checks, inside the kernel: scratch
 * sizing from kho_scratch=, and the tree check on trees built with the
 * kernel's own libfdt.
 */
#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include <kho/abi/handover.h>
#include "kho/handover_tree.h"
#include "kho/scratch_policy.h"

static void scratch_param_and_plan(struct kunit *test)
{
	struct kho_memory_facts facts = {
		.ram_bytes = SZ_1G, .boot_alloc_bytes = SZ_32M, .page_size = PAGE_SIZE,
		.struct_page_size = sizeof(struct page), .align = SZ_2M,
	};
	struct kho_scratch_request req;
	kx_u64 low, main;

	KUNIT_ASSERT_EQ(test, kho_scratch_parse("192M", &req), 0);
	KUNIT_ASSERT_EQ(test, kho_scratch_plan(&req, &facts, &low, &main), 0);
	KUNIT_EXPECT_EQ(test, low + main, (kx_u64)SZ_128M + SZ_64M);
	KUNIT_EXPECT_EQ(test, low, (kx_u64)SZ_16M + SZ_8M);
	KUNIT_EXPECT_EQ(test, kho_scratch_parse("5%", &req), 0);
	KUNIT_EXPECT_EQ(test, kho_scratch_parse("60%", &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_scratch_parse("12X", &req), -EINVAL);
	req.kind = 1;
	req.value = SZ_2G;	/* more than RAM */
	KUNIT_EXPECT_EQ(test, kho_scratch_plan(&req, &facts, &low, &main), -EINVAL);
}

static void *build_tree(struct kunit *test, const char *compatible, int fdt_len)
{
	void *fdt = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u8 phys[16] = {};

	KUNIT_ASSERT_NOT_NULL(test, fdt);
	KUNIT_ASSERT_EQ(test, fdt_create(fdt, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish_reservemap(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, ""), 0);
	KUNIT_ASSERT_EQ(test, fdt_property_string(fdt, "compatible", compatible), 0);
	KUNIT_ASSERT_EQ(test, fdt_begin_node(fdt, "sub"), 0);
	KUNIT_ASSERT_EQ(test, fdt_property(fdt, "fdt", phys, fdt_len), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_end_node(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_finish(fdt), 0);
	return fdt;
}

static void tree_check_accepts_ours_only(struct kunit *test)
{
	const void *map;
	kx_size_t len;
	const char *why;
	void *fdt;

	fdt = build_tree(test, KHO_ROOT_COMPATIBLE, 8);
	KUNIT_EXPECT_EQ(test, kho_tree_check(fdt, PAGE_SIZE, 0, &map, &len, &why), 0);
	KUNIT_EXPECT_NULL(test, map);

	fdt = build_tree(test, "kho-v1", 8);
	KUNIT_EXPECT_EQ(test, kho_tree_check(fdt, PAGE_SIZE, 0, &map, &len, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "root compatible is not \"" KHO_ROOT_COMPATIBLE "\"");

	fdt = build_tree(test, KHO_ROOT_COMPATIBLE, 4);
	KUNIT_EXPECT_EQ(test, kho_tree_check(fdt, PAGE_SIZE, 0, &map, &len, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "malformed subsystem node");

	KUNIT_EXPECT_EQ(test, kho_tree_check(fdt, 16, 0, &map, &len, &why), -EINVAL);
	KUNIT_EXPECT_STREQ(test, why, "tree header invalid");
}

static struct kunit_case kho_handover_cases[] = {
	KUNIT_CASE(scratch_param_and_plan),
	KUNIT_CASE(tree_check_accepts_ours_only),
	{}
};

static struct kunit_suite kho_handover_suite = {
	.name = "kho_handover",
	.test_cases = kho_handover_cases,
};
kunit_test_suite(kho_handover_suite);
