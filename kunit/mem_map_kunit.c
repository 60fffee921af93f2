// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the preserved-memory map: what the outgoing kernel
 * writes, the incoming kernel reads back exactly, and a damaged map is
 * refused without being trusted.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include <kho/abi/memmap.h>
#include "kho/mem_map.h"

struct run {
	u64 pfn, nr;
	unsigned int order;
};

static void *encode(struct kunit *test, struct kho_preserved *mem, long long *size)
{
	u64 want = kho_preserved_encoded_size(mem);
	void *buf = kunit_kzalloc(test, want, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	*size = kho_preserved_encode(mem, buf, want, PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, *size, (long long)want);
	return buf;
}

static void folios_and_pages_read_back_in_order(struct kunit *test)
{
	struct kho_preserved *mem = kho_preserved_create();
	const struct run want[] = {
		{ 0x1000, 100, 0 }, { 0x2000, 8, 3 }, { 0x2010, 8, 3 }, { 0x40000, 1024, 10 },
	};
	struct kho_memmap_cursor cur;
	long long size;
	u64 pfn, nr;
	unsigned int order, i;
	void *map;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, kho_preserved_add_pages(mem, 0x1000, 100), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x2000, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x2010, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x40000, 10), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x2008, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_remove(mem, 0x2008, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x1010, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, kho_preserved_nr_pages(mem), 100 + 16 + 1024);
	map = encode(test, mem, &size);

	KUNIT_ASSERT_EQ(test, kho_memmap_cursor_start(&cur, map, size, PAGE_SHIFT), 0);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		KUNIT_ASSERT_EQ(test, kho_memmap_cursor_next(&cur, &pfn, &nr, &order), 1);
		KUNIT_EXPECT_EQ(test, pfn, want[i].pfn);
		KUNIT_EXPECT_EQ(test, nr, want[i].nr);
		KUNIT_EXPECT_EQ(test, order, want[i].order);
	}
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_next(&cur, &pfn, &nr, &order), 0);
	kho_preserved_destroy(mem);
}

static void damaged_maps_are_refused(struct kunit *test)
{
	struct kho_preserved *mem = kho_preserved_create();
	struct kho_memmap_cursor cur;
	struct kho_memmap_header *h;
	long long size;
	u64 pfn, nr;
	unsigned int order;
	u8 *map;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_EQ(test, kho_preserved_add_pages(mem, 0x5000, 3), 0);
	map = encode(test, mem, &size);
	h = (void *)map;

	/* Wrong page size: a map written for another kernel. */
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_start(&cur, map, size, PAGE_SHIFT + 1), -EINVAL);
	/* Truncated. */
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_start(&cur, map, size - 8, PAGE_SHIFT), -EINVAL);
	/* More pages than declared: refused at the first run, for good. */
	h->nr_pages = 2;
	KUNIT_ASSERT_EQ(test, kho_memmap_cursor_start(&cur, map, size, PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_next(&cur, &pfn, &nr, &order), -EINVAL);
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_next(&cur, &pfn, &nr, &order), -EINVAL);
	/* An unknown block kind. */
	h->nr_pages = 3;
	map[sizeof(*h) + 9] = 0x7f;
	KUNIT_ASSERT_EQ(test, kho_memmap_cursor_start(&cur, map, size, PAGE_SHIFT), 0);
	KUNIT_EXPECT_EQ(test, kho_memmap_cursor_next(&cur, &pfn, &nr, &order), -EINVAL);
	kho_preserved_destroy(mem);
}

static struct kunit_case kho_mem_map_cases[] = {
	KUNIT_CASE(folios_and_pages_read_back_in_order),
	KUNIT_CASE(damaged_maps_are_refused),
	{}
};

static struct kunit_suite kho_mem_map_suite = {
	.name = "kho_mem_map",
	.test_cases = kho_mem_map_cases,
};
kunit_test_suite(kho_mem_map_suite);
