/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C face through which the KUnit suites (and the host tests of the C
 * boundary) drive C++ that the kernel itself reaches otherwise: the
 * page-range set (page_ranges.hpp) and the reading side of the
 * preserved-memory map (mem_map.hpp).  Built only with them; includes
 * nothing from the kernel.
 */
#ifndef KHO_KUNIT_CXX_FACE_H
#define KHO_KUNIT_CXX_FACE_H

#include "kx_env.h"
#include "kho/mem_map.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_page_ranges;

/* The ways a set can be written for the next kernel (see Encoding). */
enum kho_encoding {
	KHO_ENCODING_RANGE_LIST,
	KHO_ENCODING_BITMAP,
	KHO_ENCODING_NR,
};

/**
 * kho_page_ranges_create() - allocate an empty page-range set
 *
 * Return: the set, or NULL when memory is short.
 */
struct kho_page_ranges *kho_page_ranges_create(void);

/**
 * kho_page_ranges_destroy() - free a set and every run it holds
 * @ranges: the set; NULL is a no-op
 */
void kho_page_ranges_destroy(struct kho_page_ranges *ranges);

/**
 * kho_page_ranges_add() - add pages to a set, merging with neighbours
 * @ranges: the set
 * @pfn: first page frame number
 * @nr_pages: number of pages
 *
 * Return: 0; -EINVAL for an empty or wrapping run; -EEXIST if any of the
 * pages is already in the set; -ENOMEM.  On error the set is unchanged.
 */
int kho_page_ranges_add(struct kho_page_ranges *ranges, kx_u64 pfn, kx_u64 nr_pages);

/**
 * kho_page_ranges_remove() - remove pages, all of which must be in the set
 * @ranges: the set
 * @pfn: first page frame number
 * @nr_pages: number of pages
 *
 * Return: 0; -EINVAL for an empty or wrapping run; -ENOENT if any of the
 * pages is not in the set; -ENOMEM if a full chunk had to be split.  On
 * error the set is unchanged.
 */
int kho_page_ranges_remove(struct kho_page_ranges *ranges, kx_u64 pfn, kx_u64 nr_pages);

/**
 * kho_page_ranges_contains() - whether a page is in the set
 * @ranges: the set
 * @pfn: page frame number
 *
 * Return: 1 if it is, 0 if not.
 */
int kho_page_ranges_contains(const struct kho_page_ranges *ranges, kx_u64 pfn);

/**
 * kho_page_ranges_nr_runs() - number of disjoint runs in the set
 * @ranges: the set
 *
 * Walks the set: O(runs).
 *
 * Return: the number of runs; adjacent pages always share one run.
 */
kx_size_t kho_page_ranges_nr_runs(const struct kho_page_ranges *ranges);

/*
 * Reads a set's runs in ascending order, each maximal.  Lives on the
 * caller's stack; valid while the set is not changed.
 */
struct kho_page_ranges_cursor {
	kx_u64 opaque[6];
};

/**
 * kho_page_ranges_cursor_start() - begin reading a set's runs
 * @cur: cursor to set up
 * @ranges: the set
 */
void kho_page_ranges_cursor_start(struct kho_page_ranges_cursor *cur,
				  const struct kho_page_ranges *ranges);

/**
 * kho_page_ranges_cursor_next() - read the next run, in ascending order
 * @cur: the cursor
 * @pfn: set to the run's first page frame number
 * @nr_pages: set to the run's length in pages
 *
 * Return: 1 for a run, 0 past the last one.
 */
int kho_page_ranges_cursor_next(struct kho_page_ranges_cursor *cur, kx_u64 *pfn,
				kx_u64 *nr_pages);

/**
 * kho_page_ranges_encoded_size() - bytes the set takes in an encoding
 * @ranges: the set
 * @encoding: one of &enum kho_encoding
 *
 * Return: the size in bytes, or 0 for an unknown @encoding.
 */
kx_u64 kho_page_ranges_encoded_size(const struct kho_page_ranges *ranges,
				    enum kho_encoding encoding);

/**
 * kho_preserved_destroy() - free a record from kho_preserved_create()
 * @mem: the record; NULL is a no-op
 */
void kho_preserved_destroy(struct kho_preserved *mem);

/*
 * Reads the record one folio order at a time: ascending, maximal runs.
 * Lives on the caller's stack; valid while the record is not changed.
 */
struct kho_preserved_cursor {
	kx_u64 opaque[7];
};

/**
 * kho_preserved_cursor_start() - begin reading the runs of one order
 * @cur: cursor to set up
 * @mem: the record
 * @order: folio order
 *
 * Return: 0, or -EINVAL if @order is above KHO_MEMMAP_MAX_ORDER (then
 * @cur is not set up).
 */
int kho_preserved_cursor_start(struct kho_preserved_cursor *cur, const struct kho_preserved *mem,
			       unsigned int order);

/**
 * kho_preserved_cursor_next() - read the next run of the cursor's order
 * @cur: the cursor
 * @pfn: set to the run's first page frame number
 * @nr_pages: set to its length in pages
 *
 * Return: 1 for a run, 0 past the last one.
 */
int kho_preserved_cursor_next(struct kho_preserved_cursor *cur, kx_u64 *pfn, kx_u64 *nr_pages);

/* Reads a map; lives on the caller's stack. */
struct kho_memmap_cursor {
	kx_u64 opaque[36];
};

/**
 * kho_memmap_cursor_start() - begin reading an untrusted map
 * @cur: cursor to set up
 * @map: the map
 * @size: its size in bytes, as the previous kernel claimed it
 * @page_shift: PAGE_SHIFT of the reading kernel
 *
 * Return: 0, or -EINVAL for a bad header.
 */
int kho_memmap_cursor_start(struct kho_memmap_cursor *cur, const void *map, kx_u64 size,
			    unsigned int page_shift);

/**
 * kho_memmap_cursor_next() - read the next run of preserved pages
 * @cur: the cursor
 * @pfn: set to the run's first page frame number
 * @nr_pages: set to its length in pages
 * @order: set to the folio order of its pages
 *
 * Return: 1 for a run, 0 at the end of a valid map, -EINVAL (for good)
 * once the map is found malformed.
 */
int kho_memmap_cursor_next(struct kho_memmap_cursor *cur, kx_u64 *pfn, kx_u64 *nr_pages,
			   unsigned int *order);

#ifdef __cplusplus
}
#endif

#endif /* KHO_KUNIT_CXX_FACE_H */
