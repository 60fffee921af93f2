// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the handover's input checks, inside the kernel: scratch
 * sizing from kho_scratch=, the tree check on trees built with the
 * kernel's own libfdt, and (arm64) the descriptor in /chosen.
 */
#include <kunit/test.h>
#include <linux/kexec.h>
#include <linux/kho_hooks.h>
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

#ifdef CONFIG_ARM64
/*
 * The next kernel's tree is a copy of this kernel's: the handover this
 * kernel was booted with goes, and an image that carries none (here: one
 * KHO never saw loaded) gets none.
 */
static void chosen_never_passes_on_an_inherited_handover(struct kunit *test)
{
	struct kimage *image = kunit_kzalloc(test, sizeof(*image), GFP_KERNEL);
	void *fdt = kunit_kzalloc(test, SZ_4K, GFP_KERNEL);
	int chosen;

	KUNIT_ASSERT_NOT_NULL(test, image);
	KUNIT_ASSERT_NOT_NULL(test, fdt);
	KUNIT_ASSERT_EQ(test, fdt_create_empty_tree(fdt, SZ_4K), 0);
	chosen = fdt_add_subnode(fdt, 0, "chosen");
	KUNIT_ASSERT_GE(test, chosen, 0);
	KUNIT_ASSERT_EQ(test, fdt_setprop_string(fdt, chosen, KHO_CHOSEN_PROPERTY, "stale"), 0);

	KUNIT_EXPECT_EQ(test, kho_of_add_chosen(image, fdt, chosen), 0);
	KUNIT_EXPECT_NULL(test, fdt_getprop(fdt, chosen, KHO_CHOSEN_PROPERTY, NULL));
	/* Nothing to drop is no error either. */
	KUNIT_EXPECT_EQ(test, kho_of_add_chosen(image, fdt, chosen), 0);
}
#endif

static struct kunit_case kho_handover_cases[] = {
	KUNIT_CASE(scratch_param_and_plan),
	KUNIT_CASE(tree_check_accepts_ours_only),
#ifdef CONFIG_ARM64
	KUNIT_CASE(chosen_never_passes_on_an_inherited_handover),
#endif
	{}
};

static struct kunit_suite kho_handover_suite = {
	.name = "kho_handover",
	.test_cases = kho_handover_cases,
};
kunit_test_suite(kho_handover_suite);
