/* SPDX-License-Identifier: GPL-2.0 */
/* C interface to the incoming tree's reader (handover_tree.hpp). */
#ifndef KHO_HANDOVER_TREE_H
#define KHO_HANDOVER_TREE_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

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
 *
 * Return: 0, or -ENOENT if there is no such subtree.
 */
int kho_tree_find_subtree(const void *tree, kx_size_t size, const char *name, kx_u64 *phys);

#ifdef __cplusplus
}
#endif

#endif /* KHO_HANDOVER_TREE_H */
