/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the handover tree (handover_tree.hpp): its writer, for
 * activation, and its reader, for the next kernel.  Includes nothing.
 */
#ifndef KHO_HANDOVER_TREE_H
#define KHO_HANDOVER_TREE_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_preserved;

/* A subtree for the tree, as kho_add_subtree() was given it. */
struct kho_subtree {
	struct kho_subtree *next;
	const char *name;
	kx_u64 phys;
	kx_u64 size;	/* of the blob: given, or the FDT's total size */
};

/**
 * kho_tree_begin() - begin the outgoing tree, up to the notifiers' nodes
 * @fdt: the buffer
 * @max: its size
 *
 * The tree is left in libfdt's sequential-write mode, its root node open.
 *
 * Return: 0, -ENOSPC if @max is too small, or -EINVAL.
 */
int kho_tree_begin(void *fdt, kx_size_t max);

/**
 * kho_tree_seal() - finish the tree once the notifiers wrote their nodes
 * @fdt: as kho_tree_begin() left it
 * @max: its buffer's size
 * @subtrees: the subtrees, each a node with its address
 * @mem: the record of preserved memory, or NULL
 * @page_shift: PAGE_SHIFT
 * @memmap: set to the memory map, from kx_alloc(), or NULL when there is
 *	none or it is small enough to ride in the tree
 * @memmap_size: set to the map's size, wherever it is
 *
 * Return: 0, -ENOSPC if the tree outgrows @max, -ENOMEM, or -EINVAL.
 */
int kho_tree_seal(void *fdt, kx_size_t max, const struct kho_subtree *subtrees,
		  const struct kho_preserved *mem, unsigned int page_shift, void **memmap,
		  kx_size_t *memmap_size);

/**
 * kho_tree_node_compatible() - whether a node of the previous kernel's tree
 *	lists a compatible string
 * @fdt: the tree, as kho_tree_check() accepted it
 * @node: the node's offset
 * @compatible: the string
 *
 * The bounded form of fdt_node_check_compatible() (which reads a byte past
 * a list whose last entry is as long as @compatible), for C readers of the
 * tree.
 *
 * Return: 1 if the node's "compatible" list holds @compatible, else 0.
 */
int kho_tree_node_compatible(const void *fdt, int node, const char *compatible);

/**
 * kho_tree_check() - check the tree from the previous kernel
 * @tree: the tree
 * @size: bytes available at @tree
 * @memmap_segment: nonzero if the descriptor names a memory-map segment
 * @inline_map: set to the inline memory map, or NULL
 * @inline_len: set to its length
 * @why: on error, set to a few words naming the problem
 *
 * Return: 0, or -EINVAL.
 */
int kho_tree_check(const void *tree, kx_size_t size, int memmap_segment,
		   const void **inline_map, kx_size_t *inline_len, const char **why);

/**
 * kho_tree_find_subtree() - where a subtree of the previous kernel is
 * @tree: the tree, as kho_tree_check() accepted it
 * @size: its size
 * @name: the name the previous kernel gave kho_add_subtree()
 * @phys: set to the subtree's physical address
 * @blob_size: set to its size, or 0 if the tree does not record one
 *
 * Return: 0, or -ENOENT if there is no such subtree.
 */
int kho_tree_find_subtree(const void *tree, kx_size_t size, const char *name, kx_u64 *phys,
			  kx_u64 *blob_size);

#ifdef __cplusplus
}
#endif

#endif /* KHO_HANDOVER_TREE_H */
