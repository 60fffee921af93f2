// SPDX-License-Identifier: GPL-2.0
/*
 * Restoring what the previous kernel preserved, and finishing the handover.
 *
 * A preserved folio that was reserved in early boot (incoming.c) is
 * restorable: its head page is reserved and carries KHO_PAGE_MARK | order
 * in page->private until a consumer restores it (the mark goes) or the
 * handover is finished, which frees every folio still marked.  Restores
 * cost nothing per page beyond the page itself, and a page is handed out
 * at most once: kho_in_lock orders every restore against finishing.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/capability.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "mm/internal.h"
#include "access.h"
#include "handover_tree.h"
#include "incoming.h"
#include "mem_map.h"

static DEFINE_MUTEX(kho_in_lock);
static unsigned int kho_finish_timeout;	/* seconds; 0: wait for the operator */
static void kho_in_finish(void);
static void kho_in_finish_work(struct work_struct *work) { kho_in_finish(); }
static DECLARE_DELAYED_WORK(kho_finish_dwork, kho_in_finish_work);
static struct kobject *kho_fw_kobj;

static int __init kho_finish_timeout_param(char *arg)
{
	return kstrtouint(arg, 0, &kho_finish_timeout);
}
early_param("kho_finish_timeout", kho_finish_timeout_param);

/**
 * is_kho_boot() - whether this kernel uses a handover from the previous one
 *
 * Return: true if a valid handover was found and is not finished yet:
 * until then, kho_get_fdt() and the restore calls find what it holds.
 */
bool is_kho_boot(void)
{
	return READ_ONCE(kho_in.valid) && !READ_ONCE(kho_in.finished);
}
EXPORT_SYMBOL_GPL(is_kho_boot);

static void kho_free_range(phys_addr_t addr, phys_addr_t size)
{
	for (unsigned long pfn = PHYS_PFN(addr); pfn < PHYS_PFN(addr + size); pfn++)
		free_reserved_page(pfn_to_page(pfn));
}

/* The order of the folio at @pfn if it carries the restorable mark, or -1. */
static int kho_marked_order(unsigned long pfn)
{
	struct page *page;
	unsigned long mark;

	if (!pfn_valid(pfn))
		return -1;
	page = pfn_to_page(pfn);
	mark = page_private(page);
	if (!PageReserved(page) || (mark & ~KHO_PAGE_ORDER_MASK) != KHO_PAGE_MARK)
		return -1;
	return mark & KHO_PAGE_ORDER_MASK;
}

static bool kho_pfn_exists(kx_u64 pfn)
{
	return pfn_valid(pfn);
}

/* ... and only until the handover is finished. */
static int kho_restorable_order(unsigned long pfn)
{
	lockdep_assert_held(&kho_in_lock);
	return kho_in.valid && !kho_in.finished ? kho_marked_order(pfn) : -1;
}

static struct page *kho_page(phys_addr_t phys)
{
	return pfn_to_page(PHYS_PFN(phys));
}

/* Turn preserved, reserved pages into ordinary allocated ones. */
static void kho_init_restored(struct page *page, unsigned long nr, unsigned int order)
{
	set_page_private(page, 0);
	for (unsigned long i = 0; i < nr; i++) {
		ClearPageReserved(page + i);
		set_page_count(page + i, order && i ? 0 : 1);
	}
	if (order)
		prep_compound_page(page, order);
	adjust_managed_page_count(page, nr);
}

/**
 * kho_restore_folio() - take back a folio preserved by the previous kernel
 * @phys: its physical address
 *
 * Return: the folio, with its preserved order and a reference count of 1,
 * counted in MemTotal; NULL if nothing was preserved at @phys, it was
 * restored already, or the handover is finished.
 */
struct folio *kho_restore_folio(phys_addr_t phys)
{
	unsigned long pfn = PHYS_PFN(phys);
	int order;

	if (!PAGE_ALIGNED(phys))
		return NULL;
	guard(mutex)(&kho_in_lock);
	order = kho_restorable_order(pfn);
	if (order < 0)
		return NULL;
	kho_init_restored(pfn_to_page(pfn), 1UL << order, order);
	return pfn_folio(pfn);
}
EXPORT_SYMBOL_GPL(kho_restore_folio);

/**
 * kho_restore_free() - free memory the previous kernel preserved, unused
 * @mem: its address in this kernel (phys_to_virt() of what was recorded);
 *	NULL is a no-op
 *
 * For memory from kho_alloc_preserve() the next kernel does not want.
 * Memory that is not restorable (never preserved, already restored, or
 * the handover finished) is left alone, with one line.
 */
void kho_restore_free(void *mem)
{
	phys_addr_t phys;
	struct folio *folio;

	if (!mem)
		return;
	phys = virt_to_phys(mem);
	folio = kho_restore_folio(phys);
	if (!folio) {
		pr_warn("restore_free: nothing restorable at %pa\n", &phys);
		return;
	}
	folio_put(folio);
}
EXPORT_SYMBOL_GPL(kho_restore_free);

/*
 * Takes order-0 pages all at once, or none: each must be restorable and
 * none listed twice (a page being taken carries KHO_PAGE_TAKING).
 */
#define KHO_PAGE_TAKING	(KHO_PAGE_MARK | KHO_PAGE_ORDER_MASK)

static bool kho_take_pages(phys_addr_t (*phys_of)(const void *ctx, unsigned int i),
			   const void *ctx, unsigned int nr)
{
	unsigned int i;

	lockdep_assert_held(&kho_in_lock);
	for (i = 0; i < nr; i++) {
		phys_addr_t phys = phys_of(ctx, i);

		if (!PAGE_ALIGNED(phys) || kho_restorable_order(PHYS_PFN(phys)) != 0)
			break;
		set_page_private(kho_page(phys), KHO_PAGE_TAKING);
	}
	if (i < nr) {
		while (i--)
			set_page_private(kho_page(phys_of(ctx, i)), KHO_PAGE_MARK);
		return false;
	}
	for (i = 0; i < nr; i++)
		kho_init_restored(kho_page(phys_of(ctx, i)), 1, 0);
	return true;
}

static phys_addr_t kho_nth_page(const void *first, unsigned int i)
{
	return *(const phys_addr_t *)first + PFN_PHYS(i);
}

/**
 * kho_restore_pages() - take back order-0 pages preserved by the previous kernel
 * @phys: physical address of the first page
 * @nr_pages: number of pages
 *
 * Return: the first page; each page has a reference count of 1.  NULL if
 * any of them was not preserved with kho_preserve_pages(), was restored
 * already, or the handover is finished; then none of them is taken.
 */
struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr_pages)
{
	if (!nr_pages)
		return NULL;
	guard(mutex)(&kho_in_lock);
	return kho_take_pages(kho_nth_page, &phys, nr_pages) ? kho_page(phys) : NULL;
}
EXPORT_SYMBOL_GPL(kho_restore_pages);

static phys_addr_t kho_listed_page(const void *list, unsigned int i)
{
	return ((const phys_addr_t *)list)[i];
}

/* For vmalloc.c: take the listed pages, all or none (see kho_take_pages()). */
bool kho_in_take_pages(const phys_addr_t *phys, unsigned int nr)
{
	guard(mutex)(&kho_in_lock);
	return kho_take_pages(kho_listed_page, phys, nr);
}

/* For vmalloc.c and kstate: the order of the folio restorable now at @phys, or -1. */
int kho_in_restorable_order(phys_addr_t phys)
{
	guard(mutex)(&kho_in_lock);
	return PAGE_ALIGNED(phys) ? kho_restorable_order(PHYS_PFN(phys)) : -1;
}

/**
 * kho_get_fdt() - the tree the previous kernel handed over
 *
 * Find your node by its compatible string; everything in it is untrusted.
 * The tree stays valid until kho_put_fdt(): finishing the handover waits
 * for every user to put it, so do not hold it for long, and never across
 * a write to /sys/firmware/kho/finish.
 *
 * Return: the tree, or NULL without a handover or once it is finished.
 */
const void *kho_get_fdt(void)
{
	guard(mutex)(&kho_in_lock);
	if (!kho_in.valid || kho_in.finished)
		return NULL;
	atomic_inc(&kho_in.fdt_users);
	return kho_in.fdt;
}
EXPORT_SYMBOL_GPL(kho_get_fdt);

/**
 * kho_put_fdt() - done with the tree from kho_get_fdt()
 * @fdt: what kho_get_fdt() returned; NULL is a no-op
 */
void kho_put_fdt(const void *fdt)
{
	if (fdt && atomic_dec_and_test(&kho_in.fdt_users))
		wake_up_var(&kho_in.fdt_users);
}
EXPORT_SYMBOL_GPL(kho_put_fdt);

/**
 * kho_retrieve_subtree_blob() - find a blob added with kho_add_subtree()
 * @name: the name it was added under
 * @phys: set to its physical address
 * @size: set to its size; 0 if the previous kernel recorded none
 *
 * Mainline's form since 7.1, ``kho_retrieve_subtree(name, &phys, &size)``.
 * Both values come from the previous kernel: take the memory back with
 * kho_restore_folio() or kho_restore_pages(), which check it, and check
 * @size against what you expect before using it.
 *
 * Return: 0; -ENOENT if there is no such subtree (or no handover).
 */
int kho_retrieve_subtree_blob(const char *name, phys_addr_t *phys, size_t *size)
{
	const void *fdt = kho_get_fdt();
	kx_u64 found_phys, found_size;
	int err;

	if (!fdt)
		return -ENOENT;
	err = kho_tree_find_subtree(fdt, kho_in.desc.fdt.size, name, &found_phys, &found_size);
	kho_put_fdt(fdt);
	if (err)
		return err;
	*phys = found_phys;
	if (size)
		*size = found_size;
	return 0;
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree_blob);

/**
 * kho_retrieve_subtree_fdt() - find a tree added with kho_add_subtree()
 * @name: the name it was added under
 * @phys: set to its physical address
 *
 * Mainline's form from 6.16 to 7.0, ``kho_retrieve_subtree(name, &phys)``.
 *
 * Return: as kho_retrieve_subtree_blob().
 */
int kho_retrieve_subtree_fdt(const char *name, phys_addr_t *phys)
{
	return kho_retrieve_subtree_blob(name, phys, NULL);
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree_fdt);

/*
 * Calls @visit on every folio head the map names in [@pfn, @pfn + @nr)
 * (all of it when @nr is 0), under kho_in_lock, until it returns true;
 * @visit looks for the mark, which tells what is still restorable.
 */
static bool kho_in_for_each_restorable(unsigned long pfn, unsigned long nr,
				       bool (*visit)(kx_u64 head, unsigned int order))
{
	struct kho_head_ops ops = { .exists = kho_pfn_exists, .visit = visit };

	lockdep_assert_held(&kho_in_lock);
	return kho_in.memmap &&
	       kho_memmap_for_each_head(kho_in.memmap, kho_in.memmap_size, PAGE_SHIFT, pfn, nr, &ops);
}

static bool kho_in_found(kx_u64 head, unsigned int order)
{
	return kho_marked_order(head) == order;
}

bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages)
{
	guard(mutex)(&kho_in_lock);
	return nr_pages && is_kho_boot() && kho_in_for_each_restorable(pfn, nr_pages, kho_in_found);
}

static kx_u64 kho_in_nr_freed;

static bool kho_in_free_folio(kx_u64 head, unsigned int order)
{
	if (kho_marked_order(head) != order)
		return false;
	set_page_private(pfn_to_page(head), 0);
	kho_free_range(PFN_PHYS(head), PFN_PHYS(1UL << order));
	kho_in_nr_freed += 1UL << order;
	return false;
}

static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count)
{
	int err = kho_may_read_addresses(file);

	if (err)
		return err;
	/* The file goes before the tree does (kho_in_finish()). */
	return memory_read_from_buffer(buf, count, &pos, kho_in.fdt, kho_in.desc.fdt.size);
}
static BIN_ATTR_ADMIN_RO(dt, 0);

/* Free whatever was not restored, and the handover itself. */
static void kho_in_finish(void)
{
	unsigned long free_before;

	scoped_guard(mutex, &kho_in_lock) {
		if (!kho_in.valid || kho_in.finished)
			return;
		kho_in.finished = true;		/* no restore or kho_get_fdt() from here */
	}
	wait_var_event(&kho_in.fdt_users, !atomic_read(&kho_in.fdt_users));
	/* Waits for readers of dt, which take no lock. */
	sysfs_remove_bin_file(kho_fw_kobj, &bin_attr_dt);

	drain_all_pages(NULL);
	free_before = global_zone_page_state(NR_FREE_PAGES);
	scoped_guard(mutex, &kho_in_lock) {
		kho_in_nr_freed = 0;
		kho_in_for_each_restorable(0, 0, kho_in_free_folio);
	}
	kho_free_range(kho_in.desc.fdt.addr, PAGE_ALIGN(kho_in.desc.fdt.size));
	if (kho_in.desc.memmap.size)
		kho_free_range(kho_in.desc.memmap.addr, PAGE_ALIGN(kho_in.desc.memmap.size));
	/* Out of the per-CPU lists, so MemFree shows what came back. */
	drain_all_pages(NULL);
	pr_info("finished: %llu unclaimed pages freed, MemFree %+ld kB\n", kho_in_nr_freed,
		((long)global_zone_page_state(NR_FREE_PAGES) - (long)free_before) << (PAGE_SHIFT - 10));
}

static ssize_t finish_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	bool yes;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtobool(buf, &yes) || !yes)
		return -EINVAL;
	kho_in_finish();
	return count;
}
static struct kobj_attribute finish_attr = __ATTR_WO(finish);

static int __init kho_in_sysfs_init(void)
{
	int err;

	if (!kho_in.valid)
		return 0;
	kho_fw_kobj = kobject_create_and_add("kho", firmware_kobj);
	if (!kho_fw_kobj)
		return -ENOMEM;
	finish_attr.attr.mode = 0200;
	bin_attr_dt.size = kho_in.desc.fdt.size;
	err = sysfs_create_file(kho_fw_kobj, &finish_attr.attr);
	err = err ?: sysfs_create_bin_file(kho_fw_kobj, &bin_attr_dt);
	if (kho_finish_timeout) {
		pr_info("handover: finishing in %u s (kho_finish_timeout)\n", kho_finish_timeout);
		schedule_delayed_work(&kho_finish_dwork, kho_finish_timeout * HZ);
	}
	return err;
}
late_initcall(kho_in_sysfs_init);
