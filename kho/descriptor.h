/* SPDX-License-Identifier: GPL-2.0 */
/* C interface to the descriptor check (descriptor.hpp).  Includes nothing. */
#ifndef KHO_DESCRIPTOR_H
#define KHO_DESCRIPTOR_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kho_handover_desc;

/**
 * kho_descriptor_check() - check the descriptor the previous kernel left
 * @payload: the boot protocol entry's payload
 * @len: its length as the previous kernel gave it
 * @page_shift: PAGE_SHIFT
 * @scratch_align: alignment every scratch area must have (a pageblock)
 * @desc: set to the descriptor when it is well formed
 * @why: on error, set to a few words naming the problem
 *
 * Only shape: magic and version, the writer's page size (this kernel's),
 * the scratch areas (aligned, in order, disjoint), the tree and the memory
 * map (page-aligned, bounded, each in one scratch area, apart).  Whether
 * the areas are RAM is checked later.
 *
 * Return: 0, or -EINVAL.
 */
int kho_descriptor_check(const void *payload, kx_size_t len, unsigned int page_shift,
			 kx_u64 scratch_align, struct kho_handover_desc *desc, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* KHO_DESCRIPTOR_H */
