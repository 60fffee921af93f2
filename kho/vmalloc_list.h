/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the writer and the reader of a preserved vmalloc area's
 * page list (vmalloc_list.hpp, include/kho/abi/vmalloc.h).  Includes
 * nothing.
 */
#ifndef KHO_VMALLOC_LIST_H
#define KHO_VMALLOC_LIST_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_vmalloc;
struct kho_vmalloc_chunk;

struct kho_vmalloc_writer_ops {
	/* A zeroed chunk page, preserved, and its physical address: 0, or an errno. */
	int (*new_chunk)(struct kho_vmalloc_chunk **chunk, kx_u64 *phys);
	/* Give back a chunk from new_chunk(): unpreserve and free it. */
	void (*free_chunk)(struct kho_vmalloc_chunk *chunk);
	/* Preserve page @i of the area @ctx: 0 and its physical address, or an errno. */
	int (*preserve_page)(void *ctx, unsigned int i, kx_u64 *phys);
	/* Undo preserve_page() for the page at @phys. */
	void (*unpreserve_page)(kx_u64 phys);
	/* The chunk at @phys, which this kernel wrote. */
	struct kho_vmalloc_chunk *(*chunk_at)(kx_u64 phys);
};

/**
 * kho_vmalloc_list_write() - preserve an area's pages and list them
 * @nr_pages: pages in the area, at least 1
 * @ops: the kernel's side
 * @ctx: passed to @ops->preserve_page
 * @area: filled in on success
 *
 * On failure, everything preserved or allocated is given back.
 *
 * Return: 0, -EINVAL for no pages, or an error of @ops.
 */
int kho_vmalloc_list_write(unsigned int nr_pages, const struct kho_vmalloc_writer_ops *ops,
			   void *ctx, struct kho_vmalloc *area);

/**
 * kho_vmalloc_list_drop() - undo kho_vmalloc_list_write()
 * @area: as it filled it in; its first chunk is cleared
 * @ops: as given to it
 */
void kho_vmalloc_list_drop(struct kho_vmalloc *area, const struct kho_vmalloc_writer_ops *ops);

struct kho_vmalloc_list_ops {
	/* The chunk at @phys, mapped, if it is a restorable order-0 page; else NULL. */
	const struct kho_vmalloc_chunk *(*chunk)(kx_u64 phys);
	/* Whether the page at @phys is a restorable order-0 page. */
	int (*restorable)(kx_u64 phys);
};

/**
 * kho_vmalloc_list_size() - check a preserved vmalloc area's description
 * @area: the previous kernel's struct kho_vmalloc, untrusted
 * @max_pages: the largest area to accept (this boot's RAM)
 * @nr_pages: set to the area's pages
 * @entries: set to the entries kho_vmalloc_list_read() fills: the pages,
 *	then at most as many chunks as they need
 * @why: on error, a few words naming the problem
 *
 * Return: 0, or -EINVAL.
 */
int kho_vmalloc_list_size(const struct kho_vmalloc *area, kx_u64 max_pages,
			  unsigned int *nr_pages, kx_u64 *entries, const char **why);

/**
 * kho_vmalloc_list_read() - read a preserved vmalloc area's chunk list
 * @area: the previous kernel's struct kho_vmalloc, untrusted
 * @max_pages: as for kho_vmalloc_list_size()
 * @ops: the booting kernel's view of its pages
 * @phys: filled with the area's pages in order, then its chunks
 * @entries: the room in @phys, from kho_vmalloc_list_size()
 * @nr_chunks: set to the number of chunks
 * @why: on error, a few words naming the problem
 *
 * Reads in place and takes nothing.  Every chunk and every listed page must
 * be restorable, the list must hold exactly the pages @area claims, and
 * only its last chunk may end early.  A page listed twice is not detected
 * here: taking the pages all at once refuses it.
 *
 * Return: 0, or -EINVAL.
 */
int kho_vmalloc_list_read(const struct kho_vmalloc *area, kx_u64 max_pages,
			  const struct kho_vmalloc_list_ops *ops, kx_u64 *phys, kx_u64 entries,
			  unsigned int *nr_chunks, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* KHO_VMALLOC_LIST_H */
