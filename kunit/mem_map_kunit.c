// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the preserved-memory map: what the outgoing kernel
 * writes, the incoming kernel reads back exactly, and a damaged map is
 * refused without being trusted.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <kho/abi/memmap.h>
#include "kho/handover_tree.h"
#include "cxx_face.h"

struct run {
	u64 pfn, nr;
	unsigned int order;
};

/*
 * The map as activation writes it (kho_tree_seal()), in a segment or in
 * the tree; returned from kx_alloc(), for kx_free().
 */
static void *encode(struct kunit *test, struct kho_preserved *mem, long long *size)
{
	void *fdt = kunit_kzalloc(test, SZ_4K, GFP_KERNEL), *map = NULL;
	const void *inline_map;
	kx_size_t len, inline_len;
	const char *why;

	KUNIT_ASSERT_NOT_NULL(test, fdt);
	KUNIT_ASSERT_EQ(test, kho_tree_begin(fdt, SZ_4K), 0);
	KUNIT_ASSERT_EQ(test, kho_tree_seal(fdt, SZ_4K, NULL, mem, PAGE_SHIFT, &map, &len), 0);
	KUNIT_ASSERT_EQ(test, kho_tree_check(fdt, SZ_4K, !!map, &inline_map, &inline_len, &why), 0);
	if (!map) {
		KUNIT_ASSERT_EQ(test, inline_len, len);
		map = kx_alloc(len);
		KUNIT_ASSERT_NOT_NULL(test, map);
		memcpy(map, inline_map, len);
	}
	*size = len;
	return map;
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
	kx_free(map);
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
	kx_free(map);
	kho_preserved_destroy(mem);
}

/* The record reads back per order, in pages, through an on-stack cursor. */
static void record_reads_back_per_order(struct kunit *test)
{
	struct kho_preserved *mem = kho_preserved_create();
	struct kho_preserved_cursor cur;
	u64 pfn, nr;

	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_EXPECT_EQ(test, kho_preserved_add_pages(mem, 0x10000, 40000), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x40000, 9), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_add(mem, 0x40200, 9), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_remove_pages(mem, 0x10000 + 100, 1), 0);

	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_start(&cur, mem, 0), 0);
	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 1);
	KUNIT_EXPECT_EQ(test, pfn, 0x10000);
	KUNIT_EXPECT_EQ(test, nr, 100);
	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 1);
	KUNIT_EXPECT_EQ(test, pfn, 0x10000 + 101);
	KUNIT_EXPECT_EQ(test, nr, 40000 - 101);
	KUNIT_EXPECT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 0);

	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_start(&cur, mem, 9), 0);
	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 1);
	KUNIT_EXPECT_EQ(test, pfn, 0x40000);
	KUNIT_EXPECT_EQ(test, nr, 1024);
	KUNIT_EXPECT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 0);

	KUNIT_ASSERT_EQ(test, kho_preserved_cursor_start(&cur, mem, 3), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_cursor_next(&cur, &pfn, &nr), 0);
	KUNIT_EXPECT_EQ(test, kho_preserved_cursor_start(&cur, mem, KHO_MEMMAP_MAX_ORDER + 1),
			-EINVAL);
	kho_preserved_destroy(mem);
}

/*
 * A million runs (every other page): the record, its map and the reader's
 * walk all work in the kernel, whatever sizes the C++ core asks for (its
 * allocations are kvmalloc()ed: a kmalloc() of more than 4 MiB fails).
 */
static void a_million_runs(struct kunit *test)
{
	const u64 runs = 1 << 20, base = 1 << 20;
	struct kho_preserved *mem = kho_preserved_create();
	struct kho_memmap_cursor cur;
	u64 pfn, nr, seen = 0, i;
	unsigned int order;
	void *big, *map;
	long long size;

	big = kx_alloc(8 << 20);
	KUNIT_EXPECT_NOT_NULL(test, big);
	kx_free(big);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	for (i = 0; i < runs; i++)
		if (kho_preserved_add_pages(mem, base + 2 * i, 1))
			break;
	KUNIT_ASSERT_EQ(test, i, runs);
	map = encode(test, mem, &size);
	KUNIT_ASSERT_EQ(test, kho_memmap_cursor_start(&cur, map, size, PAGE_SHIFT), 0);
	while (kho_memmap_cursor_next(&cur, &pfn, &nr, &order) > 0) {
		KUNIT_ASSERT_EQ(test, pfn, base + 2 * seen);
		KUNIT_ASSERT_EQ(test, nr, 1);
		seen++;
	}
	KUNIT_EXPECT_EQ(test, seen, runs);
	kx_free(map);
	kho_preserved_destroy(mem);
}

static struct kunit_case kho_mem_map_cases[] = {
	KUNIT_CASE(folios_and_pages_read_back_in_order),
	KUNIT_CASE(damaged_maps_are_refused),
	KUNIT_CASE(record_reads_back_per_order),
	KUNIT_CASE(a_million_runs),
	{}
};

static struct kunit_suite kho_mem_map_suite = {
	.name = "kho_mem_map",
	.test_cases = kho_mem_map_cases,
};
kunit_test_suite(kho_mem_map_suite);
