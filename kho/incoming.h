/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handover from the previous kernel, shared by the two halves that
 * use it: incoming.c (early boot: find, check, reserve) and restore.c
 * (after boot: restore, finish); and what the rest of KHO asks of them.
 * Not a public API.
 */
#ifndef KHO_INCOMING_H
#define KHO_INCOMING_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <kho/abi/handover.h>

/* page->private of a restorable folio's head page: "KHOP", then the order. */
#define KHO_PAGE_MARK		0x4b484f5000000000UL
#define KHO_PAGE_ORDER_MASK	0xffUL

struct kho_incoming {
	bool valid;			/* a handover is being used */
	bool finished;			/* restore.c's kho_in_lock */
	atomic_t fdt_users;		/* kho_get_fdt() without kho_put_fdt() */
	struct kho_handover_desc desc;	/* checked, and its sizes against the tree */
	const void *fdt;
	const void *memmap;		/* inline in the tree, or a segment */
	size_t memmap_size;
};
extern struct kho_incoming kho_in;

/* For the arch glue, early: the descriptor the previous kernel left. */
void kho_in_populate(const void *payload, size_t len);
/* For hotplug.c: whether a restorable folio lies in the range. */
bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages);
/*
 * For vmalloc.c and kstate: the order of the folio restorable now at @phys,
 * or -1; take listed pages, all or none.
 */
int kho_in_restorable_order(phys_addr_t phys);
bool kho_in_take_pages(const phys_addr_t *phys, unsigned int nr);

#endif /* KHO_INCOMING_H */
