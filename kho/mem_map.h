/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the preserved-memory map (mem_map.hpp): the outgoing
 * kernel's record of preserved folios, and a walk over the folio heads of
 * the map from the previous kernel, checking every field.  Includes
 * nothing from the kernel.
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

/**
 * kho_preserved_nr_pages() - pages recorded, all orders together
 * @mem: the record
 *
 * Return: the number of pages.
 */
kx_u64 kho_preserved_nr_pages(const struct kho_preserved *mem);

/* Storage for the reservation walk's address-ordered reader (8 KiB). */
struct kho_memmap_sorted {
	kx_u64 opaque[1024];
};

/* What a walk over the folio heads of a map asks the booting kernel. */
struct kho_head_ops {
	bool (*exists)(kx_u64 pfn);			/* a page frame of this boot */
	bool (*visit)(kx_u64 head, unsigned int order);	/* true stops the walk */
};

/**
 * kho_memmap_for_each_head() - visit the folio heads a map names in a range
 * @map: the previous kernel's map, as the reservation walk accepted it
 * @size: its size in bytes
 * @page_shift: PAGE_SHIFT of the reading kernel
 * @pfn: first page frame of the range
 * @nr_pages: length of the range; 0 for all of the map
 * @ops: the booting kernel's side
 *
 * A run whose first or last page frame does not exist is skipped whole:
 * the reservation dropped it.  The map is read again with every check.
 *
 * Return: true if @ops->visit stopped the walk; false at the end, or on a
 * malformed map.
 */
bool kho_memmap_for_each_head(const void *map, kx_u64 size, unsigned int page_shift,
			      kx_u64 pfn, kx_u64 nr_pages, const struct kho_head_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* KHO_MEM_MAP_H */
