/* SPDX-License-Identifier: GPL-2.0 */
/* kstate's memory by reference (memory.c): the memory ops of struct kstate_ops. */
#ifndef KSTATE_MEMORY_H
#define KSTATE_MEMORY_H

#include "kstate/engine.h"

int kstate_preserve_mem(unsigned int kind, void *ptr, kx_u32 count, struct kstate_mem_ref *ref);
void kstate_unpreserve_mem(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref);
int kstate_mem_restorable(unsigned int kind, const struct kstate_mem_ref *ref);
void *kstate_restore_mem(unsigned int kind, const struct kstate_mem_ref *ref);
void kstate_release_mem(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref);

#endif /* KSTATE_MEMORY_H */
