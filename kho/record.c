// SPDX-License-Identifier: GPL-2.0
/*
 * What the next kernel gets: preserved memory and subtrees, recorded while
 * the handover is not active (out_state.cpp decides), under kho_mem_lock,
 * which also guards the state as these calls see it.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
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
 * kho_alloc_preserve() - allocate zeroed memory and preserve it
 * @size: bytes wanted; rounded up to a power-of-two number of pages
 *
 * One folio, for state that is handed over whole: the next kernel takes
 * it back with kho_restore_folio() or frees it with kho_restore_free().
 *
 * Return: its address, or an ERR_PTR(): -EINVAL for 0 bytes, -E2BIG beyond
 * the largest folio, -ENOMEM, or what kho_preserve_folio() says.
 */
void *kho_alloc_preserve(size_t size)
{
	struct folio *folio;
	unsigned int order;
	int err;

	if (!size)
		return ERR_PTR(-EINVAL);
	order = get_order(size);
	if (order > MAX_PAGE_ORDER)
		return ERR_PTR(-E2BIG);
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	err = kho_preserve_folio(folio);
	if (err) {
		folio_put(folio);
		return ERR_PTR(err);
	}
	return folio_address(folio);
}
EXPORT_SYMBOL_GPL(kho_alloc_preserve);

/**
 * kho_unpreserve_free() - undo kho_alloc_preserve()
 * @mem: what it returned; NULL is a no-op
 *
 * Not while the handover is active (WARNs, and then frees nothing: the
 * tree already lists the memory).
 */
void kho_unpreserve_free(void *mem)
{
	struct folio *folio;

	if (!mem)
		return;
	folio = virt_to_folio(mem);
	if (WARN_ON_ONCE(kho_change_preserved(folio_pfn(folio), 1, folio_order(folio), false)))
		return;
	folio_put(folio);
}
EXPORT_SYMBOL_GPL(kho_unpreserve_free);

/**
 * kho_add_subtree_blob() - hand over a blob of your own, by name
 * @name: its node name in the root tree; unique
 * @blob: the blob, in memory the caller preserves
 * @size: its size in bytes
 *
 * Mainline's form since 7.1, ``kho_add_subtree(name, blob, size)``.  The
 * root tree gets a node @name with the blob's physical address ("fdt") and
 * @size ("blob-size"); the next kernel finds both with
 * kho_retrieve_subtree().  The blob need not be a device tree.  Allowed
 * from a KEXEC_KHO_DUMP notifier.
 *
 * Return: 0; -EINVAL for an empty blob; -EBUSY while active; -EEXIST for a
 * duplicate name; -ENOMEM.
 */
int kho_add_subtree_blob(const char *name, void *blob, size_t size)
{
	struct kho_subtree *sub, **end;
	int err;

	if (!size)
		return -EINVAL;
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
	sub->phys = virt_to_phys(blob);
	sub->size = size;
	*end = sub;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_add_subtree_blob);

/**
 * kho_add_subtree_fdt() - hand over a flattened device tree of your own
 * @name: its node name in the root tree; unique
 * @fdt: the finished tree, in memory the caller preserves
 *
 * Mainline's form from 6.16 to 7.0, ``kho_add_subtree(name, fdt)``:
 * kho_add_subtree_blob() with the tree's total size.
 *
 * Return: as kho_add_subtree_blob(); -EINVAL if @fdt is not a tree.
 */
int kho_add_subtree_fdt(const char *name, void *fdt)
{
	if (fdt_check_header(fdt))
		return -EINVAL;
	return kho_add_subtree_blob(name, fdt, fdt_totalsize(fdt));
}
EXPORT_SYMBOL_GPL(kho_add_subtree_fdt);

/**
 * kho_remove_subtree() - undo kho_add_subtree(), in either form
 * @fdt: the blob or tree passed to it
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
