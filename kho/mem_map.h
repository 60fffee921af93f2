/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the preserved-memory map (mem_map.hpp): the outgoing
 * kernel's record of preserved folios, and a cursor that reads a map from
 * the previous kernel, checking every field.  Includes nothing from the
 * kernel.
 */
#ifndef KHO_MEM_MAP_H
#define KHO_MEM_MAP_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_preserved;

/**
 * kho_preserved_create() - allocate an empty record of preserved folios
 *
 * Return: the record, or NULL when memory is short.
 */
struct kho_preserved *kho_preserved_create(void);

/**
 * kho_preserved_destroy() - free a record
 * @mem: the record; NULL is a no-op
 */
void kho_preserved_destroy(struct kho_preserved *mem);

/**
 * kho_preserved_add() - record a folio of 2^@order pages at @pfn
 * @mem: the record
 * @pfn: first page frame number, aligned to the order
 * @order: folio order, at most KHO_MEMMAP_MAX_ORDER
 *
 * Return: 0; -EINVAL if misaligned or the order is too large; -EEXIST if
 * any of its pages is already recorded; -ENOMEM.
 */
int kho_preserved_add(struct kho_preserved *mem, kx_u64 pfn, unsigned int order);

/**
 * kho_preserved_remove() - forget a folio recorded by kho_preserved_add()
 * @mem: the record
 * @pfn: first page frame number
 * @order: folio order
 *
 * Return: 0, -EINVAL, or -ENOENT if that folio was not recorded.
 */
int kho_preserved_remove(struct kho_preserved *mem, kx_u64 pfn, unsigned int order);

/**
 * kho_preserved_add_pages() - record @nr_pages order-0 pages at @pfn
 * @mem: the record
 * @pfn: first page frame number
 * @nr_pages: number of pages
 *
 * Return: as kho_preserved_add().
 */
int kho_preserved_add_pages(struct kho_preserved *mem, kx_u64 pfn, kx_u64 nr_pages);

/**
 * kho_preserved_remove_pages() - forget pages from kho_preserved_add_pages()
 * @mem: the record
 * @pfn: first page frame number
 * @nr_pages: number of pages
 *
 * Return: 0, -EINVAL, -ENOENT, or -ENOMEM when a run had to be split.
 */
int kho_preserved_remove_pages(struct kho_preserved *mem, kx_u64 pfn, kx_u64 nr_pages);

/**
 * kho_preserved_intersects() - whether any of some pages is recorded
 * @mem: the record
 * @pfn: first page frame number
 * @nr_pages: number of pages
 *
 * Return: 1 if any page of the range is recorded, at any order, else 0.
 */
int kho_preserved_intersects(const struct kho_preserved *mem, kx_u64 pfn, kx_u64 nr_pages);

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

/**
 * kho_preserved_nr_pages() - pages recorded, all orders together
 * @mem: the record
 *
 * Return: the number of pages.
 */
kx_u64 kho_preserved_nr_pages(const struct kho_preserved *mem);

/* Reads a map; lives on the caller's stack, so it works in early boot. */
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

/* Storage for the reservation walk's address-ordered reader (8 KiB). */
struct kho_memmap_sorted {
	kx_u64 opaque[1024];
};

#ifdef __cplusplus
}
#endif

#endif /* KHO_MEM_MAP_H */
