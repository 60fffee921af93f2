// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the handover page-range set.  The set is C++ (a template
 * vector, virtual encodings, non-throwing new/delete) called through its
 * extern "C" interface, so these cases also prove the C++ runtime works
 * inside the kernel.
 */
#include <kunit/test.h>

#include "cxx_face.h"

struct run {
	u64 pfn, nr;
};

static struct kho_page_ranges *new_set(struct kunit *test)
{
	struct kho_page_ranges *set = kho_page_ranges_create();

	KUNIT_ASSERT_NOT_NULL(test, set);
	return set;
}

static void expect_runs(struct kunit *test, struct kho_page_ranges *set,
			const struct run *want, size_t n)
{
	struct kho_page_ranges_cursor cur;
	u64 pfn, nr;
	size_t i;

	KUNIT_EXPECT_EQ(test, kho_page_ranges_nr_runs(set), n);
	kho_page_ranges_cursor_start(&cur, set);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_EQ(test, kho_page_ranges_cursor_next(&cur, &pfn, &nr), 1);
		KUNIT_EXPECT_EQ_MSG(test, pfn, want[i].pfn, "run %zu", i);
		KUNIT_EXPECT_EQ_MSG(test, nr, want[i].nr, "run %zu", i);
	}
	KUNIT_EXPECT_EQ(test, kho_page_ranges_cursor_next(&cur, &pfn, &nr), 0);
}

static void adjacent_pages_become_one_run(struct kunit *test)
{
	struct kho_page_ranges *set = new_set(test);
	const struct run want[] = { { 100, 4 } };

	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 101, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 103, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 100, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 102, 1), 0);
	expect_runs(test, set, want, ARRAY_SIZE(want));
	kho_page_ranges_destroy(set);
}

static void overlap_is_refused_and_changes_nothing(struct kunit *test)
{
	struct kho_page_ranges *set = new_set(test);
	const struct run want[] = { { 10, 10 } };

	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 10, 10), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 19, 2), -EEXIST);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 5, 6), -EEXIST);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 12, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 12, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, U64_MAX, 2), -EINVAL);
	expect_runs(test, set, want, ARRAY_SIZE(want));
	kho_page_ranges_destroy(set);
}

static void removing_the_middle_splits_a_run(struct kunit *test)
{
	struct kho_page_ranges *set = new_set(test);
	const struct run want[] = { { 0, 3 }, { 5, 4 } };

	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 0, 10), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_remove(set, 3, 2), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_remove(set, 9, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_remove(set, 2, 4), -ENOENT);
	expect_runs(test, set, want, ARRAY_SIZE(want));
	KUNIT_EXPECT_TRUE(test, kho_page_ranges_contains(set, 2));
	KUNIT_EXPECT_FALSE(test, kho_page_ranges_contains(set, 3));
	kho_page_ranges_destroy(set);
}

/* Each encoding is a virtual Encoding; the size comes through the vtable. */
static void encodings_report_their_sizes(struct kunit *test)
{
	struct kho_page_ranges *set = new_set(test);

	/* Two runs spanning 1024 pages: 2 x 16 bytes, or 1024 bits. */
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 4096, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 4096 + 1023, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_encoded_size(set, KHO_ENCODING_RANGE_LIST), 32);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_encoded_size(set, KHO_ENCODING_BITMAP), 128);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_encoded_size(set, KHO_ENCODING_NR), 0);
	kho_page_ranges_destroy(set);
}

/* Thousands of scattered runs fill a bitmap; destroy frees every block. */
static void nothrow_new_and_delete_balance(struct kunit *test)
{
	long before = kx_live_allocations();
	struct kho_page_ranges *set = new_set(test);
	u64 pfn;

	for (pfn = 0; pfn < 8192; pfn += 2)
		KUNIT_ASSERT_EQ(test, kho_page_ranges_add(set, pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_nr_runs(set), 4096);
	for (pfn = 1; pfn < 8192; pfn += 2)
		KUNIT_ASSERT_EQ(test, kho_page_ranges_add(set, pfn, 1), 0);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_nr_runs(set), 1);
	KUNIT_EXPECT_GT(test, kx_live_allocations(), before);
	kho_page_ranges_destroy(set);
	KUNIT_EXPECT_EQ(test, kx_live_allocations(), before);
}

/*
 * 32768 pages make a chunk: one that fills up gives its 4 KiB bitmap back,
 * and a run of a billion pages costs a few tree nodes, never one per chunk.
 */
static void full_chunks_need_no_bitmap(struct kunit *test)
{
	const struct run split[] = { { 0, 40000 }, { 40001, 1000000000 - 40001 } };
	long before = kx_live_allocations();
	struct kho_page_ranges *set = new_set(test);
	long with_node;
	u64 pfn;

	for (pfn = 32768 + 1; pfn < 2 * 32768; pfn++)
		KUNIT_ASSERT_EQ(test, kho_page_ranges_add(set, pfn, 1), 0);
	with_node = kx_live_allocations();
	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 32768, 1), 0);
	KUNIT_EXPECT_EQ(test, kx_live_allocations(), with_node - 1);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_remove(set, 32768, 32768), 0);
	KUNIT_EXPECT_EQ(test, kx_live_allocations(), before + 1);

	KUNIT_EXPECT_EQ(test, kho_page_ranges_add(set, 0, 1000000000), 0);
	KUNIT_EXPECT_LE(test, kx_live_allocations() - before, 8);
	KUNIT_EXPECT_EQ(test, kho_page_ranges_remove(set, 40000, 1), 0);
	expect_runs(test, set, split, ARRAY_SIZE(split));
	KUNIT_EXPECT_LE(test, kx_live_allocations() - before, 12);
	kho_page_ranges_destroy(set);
	KUNIT_EXPECT_EQ(test, kx_live_allocations(), before);
}

static struct kunit_case kho_page_ranges_cases[] = {
	KUNIT_CASE(adjacent_pages_become_one_run),
	KUNIT_CASE(overlap_is_refused_and_changes_nothing),
	KUNIT_CASE(removing_the_middle_splits_a_run),
	KUNIT_CASE(encodings_report_their_sizes),
	KUNIT_CASE(nothrow_new_and_delete_balance),
	KUNIT_CASE(full_chunks_need_no_bitmap),
	{}
};

static struct kunit_suite kho_page_ranges_suite = {
	.name = "kho_page_ranges",
	.test_cases = kho_page_ranges_cases,
};
kunit_test_suite(kho_page_ranges_suite);

MODULE_DESCRIPTION("KUnit tests for the KHO page-range set");
MODULE_LICENSE("GPL");
