/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.c: the outgoing handover's state and what the next kernel gets,
 * for core.c; and for the rest of KHO, the frozen handover.
 */
#ifndef KHO_RECORD_H
#define KHO_RECORD_H

#include <linux/types.h>
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

/* core.c: the outgoing handover, frozen while active. */
struct kho_outgoing {
	const void *fdt;
	size_t fdt_size;
	size_t fdt_max;		/* its buffer */
	const void *memmap;	/* NULL when inlined into the tree */
	size_t memmap_size;
};
bool kho_out_get(struct kho_outgoing *out);
/* Whether a recorded folio lies in the range. */
bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages);

#endif /* KHO_RECORD_H */
