/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the handover page-range set (page_ranges.hpp).  Used by
 * the C shims and the KUnit suites; includes nothing from the kernel.
 */
#ifndef KHO_PAGE_RANGES_H
#define KHO_PAGE_RANGES_H

#include "kx_env.h"

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

#ifdef __cplusplus
}
#endif

#endif /* KHO_PAGE_RANGES_H */
