/* SPDX-License-Identifier: GPL-2.0 */
/* record.c for core.c: the state and what the next kernel gets. */
#ifndef KHO_RECORD_H
#define KHO_RECORD_H

#include "out_state.h"

/*
 * The transition @event makes (out_state.cpp), under kho_mem_lock: its
 * action, or -errno.  Events that change the state come from core.c,
 * under kho_state_lock.
 */
int kho_out_step(enum kho_out_event event);
enum kho_out_state kho_out_state(void);

/* Once active: the subtrees and the memory map written (kho_tree_seal()). */
int kho_record_seal(void *fdt, size_t max, void **memmap, size_t *memmap_size);
u64 kho_record_nr_pages(void);

#endif /* KHO_RECORD_H */
