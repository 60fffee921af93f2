// SPDX-License-Identifier: GPL-2.0
/*
 * What the next kernel gets: preserved memory and subtrees, recorded while
 * the handover is not active (out_state.cpp decides), under kho_mem_lock,
 * which also guards the state as these calls see it.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "handover_tree.h"
#include "mem_map.h"
#include "record.h"
#include "scratch.h"
#include "test_knobs.h"

static DEFINE_MUTEX(kho_mem_lock);

static struct {
	enum kho_out_state state;	/* written under kho_state_lock too */
	struct kho_preserved *mem;
	struct kho_subtree *subtrees;
} kho_rec;

int kho_out_step(enum kho_out_event event)
{
	enum kho_out_state next;
	int action;

	guard(mutex)(&kho_mem_lock);
	action = kho_out_next(kho_rec.state, event, &next);
	if (action >= 0 && next != kho_rec.state)
		WRITE_ONCE(kho_rec.state, next);
	return action;
}

enum kho_out_state kho_out_state(void)
{
	return READ_ONCE(kho_rec.state);
}

/* Active: nothing changes the record or the subtrees, read without the lock. */
int kho_record_seal(void *fdt, size_t max, void **memmap, size_t *memmap_size)
{
	if (WARN_ON_ONCE(kho_out_state() != KHO_OUT_ACTIVE))
		return -EBUSY;
	return kho_tree_seal(fdt, max, kho_rec.subtrees, kho_rec.mem, PAGE_SHIFT, memmap,
			     memmap_size);
}

u64 kho_record_nr_pages(void)
{
	guard(mutex)(&kho_mem_lock);
	return kho_rec.mem ? kho_preserved_nr_pages(kho_rec.mem) : 0;
}

bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages)
{
	guard(mutex)(&kho_mem_lock);
	return kho_rec.mem && kho_preserved_intersects(kho_rec.mem, pfn, nr_pages);
}

/* Under kho_mem_lock: 0 if the state lets the record and the subtrees change. */
static int kho_record_open(void)
{
	enum kho_out_state unchanged;

	lockdep_assert_held(&kho_mem_lock);
	return kho_out_next(kho_rec.state, KHO_OUT_CHANGE_RECORD, &unchanged);
}

/* Under kho_mem_lock. */
static struct kho_preserved *kho_record(void)
{
	if (!kho_rec.mem)
		kho_rec.mem = kho_preserved_create();
	return kho_rec.mem;
}

/* Memory the next kernel can see and that is not scratch. */
static int kho_check_preservable(unsigned long pfn, unsigned long nr_pages)
{
	phys_addr_t addr = PFN_PHYS(pfn), size = PFN_PHYS(nr_pages);

	if (addr < KHO_LOW_WINDOW)
		return -EINVAL;
	if (kho_in_scratch(addr, size)) {
		pr_warn("refusing to preserve [%pa+%pa]: inside scratch\n", &addr, &size);
		return -EINVAL;
	}
	if (!kho_boot_memory(addr, size)) {
		pr_warn("refusing to preserve [%pa+%pa]: not in the boot memory map\n", &addr, &size);
		return -EINVAL;
	}
	return 0;
}

static int kho_change_preserved(unsigned long pfn, unsigned long nr, unsigned int order, bool add)
{
	struct kho_preserved *mem;
	int err;

	if (!kho_is_enabled())
		return -EOPNOTSUPP;
	if (add) {
		err = kho_check_preservable(pfn, nr << order);
		if (err)
			return err;
	}
	guard(mutex)(&kho_mem_lock);
	err = kho_record_open();
	if (err)
		return err;
	mem = kho_record();
	if (!mem)
		return -ENOMEM;
	if (order || nr == 1)
		return add ? kho_preserved_add(mem, pfn, order) : kho_preserved_remove(mem, pfn, order);
	return add ? kho_preserved_add_pages(mem, pfn, nr) : kho_preserved_remove_pages(mem, pfn, nr);
}

/**
 * kho_preserve_folio() - hand a folio over to the next kernel
 * @folio: the folio; it must not be split or freed until unpreserved
 *
 * The next kernel gets it back with kho_restore_folio() at the same
 * physical address and order.
 *
 * Return: 0; -EBUSY while the handover is active; -EEXIST if any page of
 * it is already preserved; -EINVAL for scratch or hot-added memory;
 * -ENOMEM; -EOPNOTSUPP without KHO.
 */
int kho_preserve_folio(struct folio *folio)
{
	return kho_change_preserved(folio_pfn(folio), 1, folio_order(folio), true);
}
EXPORT_SYMBOL_GPL(kho_preserve_folio);

/**
 * kho_unpreserve_folio() - undo kho_preserve_folio()
 * @folio: the folio
 *
 * Not while the handover is active: the tree already lists it (WARNs).
 */
void kho_unpreserve_folio(struct folio *folio)
{
	WARN_ON_ONCE(kho_change_preserved(folio_pfn(folio), 1, folio_order(folio), false));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_folio);

/**
 * kho_preserve_pages() - hand @nr_pages order-0 pages over
 * @page: first page
 * @nr_pages: number of physically contiguous pages
 *
 * Return: as kho_preserve_folio().
 */
int kho_preserve_pages(struct page *page, unsigned int nr_pages)
{
	if (!nr_pages)
		return -EINVAL;
	return kho_change_preserved(page_to_pfn(page), nr_pages, 0, true);
}
EXPORT_SYMBOL_GPL(kho_preserve_pages);

/**
 * kho_unpreserve_pages() - undo kho_preserve_pages()
 * @page: first page
 * @nr_pages: number of pages
 *
 * Not while the handover is active (WARNs).
 */
void kho_unpreserve_pages(struct page *page, unsigned int nr_pages)
{
	WARN_ON_ONCE(kho_change_preserved(page_to_pfn(page), nr_pages, 0, false));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_pages);

/**
 * kho_add_subtree() - hand over a flattened device tree of your own
 * @name: its node name in the root tree; unique
 * @fdt: the tree, one page in a preserved folio or pages of your own
 *
 * The root tree gets a node @name with a u64 "fdt" property holding the
 * physical address of @fdt; the next kernel finds it with
 * kho_retrieve_subtree().  @fdt itself must be preserved by the caller.
 * Allowed from a KEXEC_KHO_DUMP notifier.
 *
 * Return: 0; -EBUSY while active; -EEXIST for a duplicate name; -ENOMEM.
 */
int kho_add_subtree(const char *name, void *fdt)
{
	struct kho_subtree *sub, **end;
	int err;

	guard(mutex)(&kho_mem_lock);
	err = kho_record_open();
	if (err)
		return err;
	for (end = &kho_rec.subtrees; *end; end = &(*end)->next)
		if (!strcmp((*end)->name, name))
			return -EEXIST;
	sub = kzalloc(sizeof(*sub), GFP_KERNEL);
	if (sub)
		sub->name = kstrdup(name, GFP_KERNEL);
	if (!sub || !sub->name) {
		kfree(sub);
		return -ENOMEM;
	}
	sub->phys = virt_to_phys(fdt);
	*end = sub;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_add_subtree);

/**
 * kho_remove_subtree() - undo kho_add_subtree()
 * @fdt: the tree passed to kho_add_subtree()
 *
 * Allowed from a notifier; not while the handover is active (WARNs).
 */
void kho_remove_subtree(void *fdt)
{
	struct kho_subtree *sub, **it;

	guard(mutex)(&kho_mem_lock);
	if (WARN_ON_ONCE(kho_record_open()))
		return;
	for (it = &kho_rec.subtrees; (sub = *it); it = &sub->next) {
		if (sub->phys == virt_to_phys(fdt)) {
			*it = sub->next;
			kfree(sub->name);
			kfree(sub);
			return;
		}
	}
}
EXPORT_SYMBOL_GPL(kho_remove_subtree);

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
/* test_knobs.c: record pages bypassing the checks a preserve makes. */
int kho_test_preserve_unchecked(unsigned long pfn, unsigned long nr_pages)
{
	struct kho_preserved *mem;

	guard(mutex)(&kho_mem_lock);
	if (kho_rec.state != KHO_OUT_IDLE)
		return -EBUSY;
	mem = kho_record();
	return mem ? kho_preserved_add_pages(mem, pfn, nr_pages) : -ENOMEM;
}
#endif
