// SPDX-License-Identifier: GPL-2.0
/*
 * The incoming handover: what the previous kernel left for this one.
 *
 * Nothing from the previous kernel is trusted.  The descriptor is checked
 * when the arch glue finds it (before memory exists); the scratch areas
 * against this boot's RAM at the first memblock allocation; the tree and
 * the memory map when memory is set up; every preserved range against boot
 * RAM, scratch, the kernel and every other reservation (reserve.cpp).  A
 * problem is logged once, naming it, and only that part is dropped: memory
 * that is not reserved simply stays free.
 *
 * A preserved folio that was reserved is restorable: its head page is
 * reserved and carries KHO_PAGE_MARK | order in page->private until a
 * consumer restores it (the mark goes) or the handover is finished, which
 * frees every folio still marked.  Restores cost nothing per page beyond
 * the page itself, and a page is handed out at most once.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/capability.h>
#include <linux/crash_dump.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/kobject.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pageblock-flags.h>
#include <linux/sched/clock.h>
#include <linux/sysfs.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <kho/abi/memmap.h>
#include "mm/internal.h"
#include "kho_internal.h"
#include "descriptor.h"
#include "handover_tree.h"
#include "mem_map.h"
#include "reserve.h"

#define KHO_MAX_DROPPED		8
#define KHO_MAX_CLUSTER_GAP	SZ_4M
/* page->private of a restorable folio's head page: "KHOP", then the order. */
#define KHO_PAGE_MARK		0x4b484f5000000000UL
#define KHO_PAGE_ORDER_MASK	0xffUL

static struct {
	bool valid;			/* a handover is being used */
	bool finished;			/* kho_in_lock */
	atomic_t fdt_users;		/* kho_get_fdt() without kho_put_fdt() */
	struct kho_handover_desc desc;
	const void *fdt;
	const void *memmap;		/* inline in the tree, or a segment */
	size_t memmap_size;
} kho_in;

static DEFINE_MUTEX(kho_in_lock);
static unsigned int kho_finish_timeout;	/* seconds; 0: wait for the operator */
static void kho_in_finish(void);
static void kho_in_finish_work(struct work_struct *work) { kho_in_finish(); }
static DECLARE_DELAYED_WORK(kho_finish_dwork, kho_in_finish_work);

static int __init kho_finish_timeout_param(char *arg)
{
	return kstrtouint(arg, 0, &kho_finish_timeout);
}
early_param("kho_finish_timeout", kho_finish_timeout_param);
static struct kobject *kho_fw_kobj;
static bool kho_debug_reservations __initdata;

static int __init kho_debug_reservations_param(char *arg)
{
	kho_debug_reservations = true;
	return 0;
}
early_param("kho_debug_reservations", kho_debug_reservations_param);

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

static void __init_memblock kho_in_free_handover_pages(void)
{
	const struct kho_handover_desc *d = &kho_in.desc;

	memblock_phys_free(d->fdt.addr, PAGE_ALIGN(d->fdt.size));
	if (d->memmap.size)
		memblock_phys_free(d->memmap.addr, PAGE_ALIGN(d->memmap.size));
}

/* Early, from the arch glue: no memory map yet, so shape checks only. */
void __init kho_in_populate(const void *payload, size_t len)
{
	struct kho_handover_desc *d = &kho_in.desc;
	const char *why;

	if (kho_descriptor_check(payload, len, PAGE_SIZE, pageblock_nr_pages << PAGE_SHIFT, d,
				 &why)) {
		pr_err("handover: descriptor: %s; ignored\n", why);
		return;
	}
	/* Both sit in scratch, where early allocations go: keep them off. */
	if (memblock_reserve(d->fdt.addr, PAGE_ALIGN(d->fdt.size)) ||
	    (d->memmap.size && memblock_reserve(d->memmap.addr, PAGE_ALIGN(d->memmap.size)))) {
		pr_err("handover: cannot reserve the tree and memory map; ignored\n");
		kho_in_free_handover_pages();
		return;
	}
	kho_in.valid = true;
	kho_scratch_adopt(d->scratch, d->nr_scratch);
	pr_info("handover: found, %u scratch areas, tree at %#llx\n", d->nr_scratch, d->fdt.addr);
}

static void __init_memblock kho_in_drop_all(const char *why)
{
	pr_err("handover: %s; ignoring the handover\n", why);
	kho_in_free_handover_pages();
	kho_in.valid = false;
}

/*
 * The first memblock allocation of a KHO boot, with this boot's RAM known
 * (after mem= and memmap=): every inherited scratch area must be RAM, or
 * the previous kernel described another machine.
 */
static void __init_memblock kho_in_check_scratch(void)
{
	const struct kho_handover_desc *d = &kho_in.desc;
	char why[96];

	for (unsigned int i = 0; i < d->nr_scratch; i++) {
		if (memblock_is_region_memory(d->scratch[i].addr, d->scratch[i].size))
			continue;
		snprintf(why, sizeof(why), "scratch area %u [%#llx+%#llx] is not in this boot's RAM",
			 i, d->scratch[i].addr, d->scratch[i].size);
		kho_in_drop_all(why);
		kho_scratch_forget();
		return;
	}
}

/* The tree and the memory map, once the direct map exists. */
static bool __init kho_in_check_tree(void)
{
	const struct kho_handover_desc *d = &kho_in.desc;
	const void *fdt = phys_to_virt(d->fdt.addr);
	const void *inline_map;
	const char *why;
	size_t len;

	if (!memblock_is_region_memory(d->fdt.addr, PAGE_ALIGN(d->fdt.size)) ||
	    (d->memmap.size && !memblock_is_region_memory(d->memmap.addr, PAGE_ALIGN(d->memmap.size)))) {
		kho_in_drop_all("tree or memory map outside boot RAM");
		return false;
	}
	if (kho_tree_check(fdt, d->fdt.size, d->memmap.size != 0, &inline_map, &len, &why)) {
		kho_in_drop_all(why);
		return false;
	}
	kho_in.fdt = fdt;
	if (inline_map) {
		kho_in.memmap = inline_map;
		kho_in.memmap_size = len;
	} else if (d->memmap.size) {
		kho_in.memmap = phys_to_virt(d->memmap.addr);
		kho_in.memmap_size = d->memmap.size;
	}
	return true;
}

/* Debug (kho_debug_reservations): nothing was reserved outside scratch yet. */
static void __init kho_in_check_reservations(void)
{
	phys_addr_t start, end;
	unsigned int bad = 0, n = 0;
	u64 i;

	for_each_reserved_mem_range(i, &start, &end) {
		bool ok = end <= KHO_LOW_WINDOW || kho_in_scratch_covers(start, end - start) ||
			  !memblock_is_region_memory(start, end - start);

		n++;
		if (!ok) {
			pr_err("debug: reservation [%pa-%pa] lies outside scratch\n", &start, &end);
			bad++;
		}
	}
	pr_info("debug: %u early reservations checked, %u outside scratch\n", n, bad);
}

/* ---- The reservation walk's side (reserve.h) ---- */

static struct kho_memmap_sorted kho_sorted __initdata;
static struct kho_phys_range *kho_gaps __initdata;
static unsigned long kho_nr_gaps __initdata, kho_max_gaps __initdata;

static bool __init kho_in_region(const struct memblock_type *type, kx_size_t i,
				 struct kho_phys_range *region)
{
	if (i >= type->cnt)
		return false;
	*region = (struct kho_phys_range){ type->regions[i].base, type->regions[i].size };
	return true;
}

static bool __init kho_in_ram(kx_size_t i, struct kho_phys_range *region)
{
	return kho_in_region(&memblock.memory, i, region);
}

static bool __init kho_in_reserved(kx_size_t i, struct kho_phys_range *region)
{
	return kho_in_region(&memblock.reserved, i, region);
}

/* The gap table: freed when the page allocator runs; without it, no gaps. */
static void __init kho_in_gap_room(kx_u64 nr)
{
	kho_gaps = memblock_alloc(array_size(nr, sizeof(*kho_gaps)), SMP_CACHE_BYTES);
	kho_max_gaps = kho_gaps ? nr : 0;
}

static int __init kho_in_add_gap(kx_u64 pfn, kx_u64 nr_pages)
{
	if (kho_nr_gaps == kho_max_gaps)
		return -ENOSPC;
	kho_gaps[kho_nr_gaps++] = (struct kho_phys_range){ PFN_PHYS(pfn), PFN_PHYS(nr_pages) };
	return 0;
}

static void __init kho_in_forget_gaps(kx_size_t keep)
{
	kho_nr_gaps = keep;
}

static int __init kho_in_reserve_pages(kx_u64 pfn, kx_u64 nr_pages)
{
	return kho_test_fail_reserve() ?: memblock_reserve(PFN_PHYS(pfn), PFN_PHYS(nr_pages));
}

static void __init kho_in_mark(const struct kho_run *run)
{
	for (kx_u64 pfn = run->pfn; pfn < run->pfn + run->nr_pages; pfn += 1UL << run->order)
		set_page_private(pfn_to_page(pfn), KHO_PAGE_MARK | run->order);
}

static void __init kho_in_unmark(kx_u64 pfn, kx_u64 nr_pages)
{
	for (kx_u64 end = pfn + nr_pages; pfn < end; pfn++)
		if ((page_private(pfn_to_page(pfn)) & ~KHO_PAGE_ORDER_MASK) == KHO_PAGE_MARK)
			set_page_private(pfn_to_page(pfn), 0);
}

static void __init kho_in_dropped(const struct kho_run *run, const struct kho_run *other,
				  const char *why)
{
	phys_addr_t addr = PFN_PHYS(run->pfn), size = PFN_PHYS(run->nr_pages);

	if (other) {
		phys_addr_t o_addr = PFN_PHYS(other->pfn), o_size = PFN_PHYS(other->nr_pages);

		pr_err("handover: preserved ranges [%pa+%pa] (order %u) and [%pa+%pa] (order %u) overlap; both dropped\n",
		       &addr, &size, run->order, &o_addr, &o_size, other->order);
		return;
	}
	pr_err("handover: preserved range [%pa+%pa] %s; dropped\n", &addr, &size, why);
}

static const struct kho_reserve_ops kho_in_reserve_ops __initconst = {
	.ram = kho_in_ram,
	.reserved = kho_in_reserved,
	.gap_room = kho_in_gap_room,
	.add_gap = kho_in_add_gap,
	.forget_gaps = kho_in_forget_gaps,
	.reserve = kho_in_reserve_pages,
	.mark = kho_in_mark,
	.unmark = kho_in_unmark,
	.dropped = kho_in_dropped,
};

/* Reserve every valid preserved range in few regions; drop bad ones. */
static void __init kho_in_reserve(void)
{
	struct kho_keep_out keep_out[2 + KHO_MAX_SCRATCH] = {
		{ { 0, KHO_LOW_WINDOW }, "below the low window" },
		{ { __pa_symbol(_text), __pa_symbol(_end) - __pa_symbol(_text) },
		  "overlaps this kernel's image" },
	};
	struct kho_reserve_policy policy = {
		.page_shift = PAGE_SHIFT,
		.keep_out = keep_out,
		.nr_keep_out = 2 + kho_scratch.nr,
		.max_dropped = KHO_MAX_DROPPED,
		.gap_max_pages = PHYS_PFN(KHO_MAX_CLUSTER_GAP),
	};
	struct kho_reserve_result res;
	u64 start = local_clock();
	const char *why;

	for (unsigned int i = 0; i < kho_scratch.nr; i++)
		keep_out[2 + i] = (struct kho_keep_out){ kho_scratch.area[i], "overlaps scratch" };

	if (!kho_in.memmap)
		return;
	if (kho_reserve_preserved(kho_in.memmap, kho_in.memmap_size, &policy, &kho_in_reserve_ops,
				  &kho_sorted, &res, &why)) {
		kho_in_drop_all(why);
		return;
	}
	pr_info("handover: %llu preserved pages in %llu ranges reserved as %llu regions in %llu us\n",
		res.pages, res.runs - res.dropped, res.regions, (local_clock() - start) / NSEC_PER_USEC);
}

static void kho_free_range(phys_addr_t addr, phys_addr_t size)
{
	for (unsigned long pfn = PHYS_PFN(addr); pfn < PHYS_PFN(addr + size); pfn++)
		free_reserved_page(pfn_to_page(pfn));
}

/*
 * As memblock_free_all() frees boot memory: aligned blocks of up to
 * MAX_PAGE_ORDER at once, not page by page (a scattered 1 GiB handover
 * leaves a few hundred thousand gap pages, on the blackout's path).
 */
static void __init kho_free_gap(phys_addr_t addr, phys_addr_t size)
{
	unsigned long pfn = PHYS_PFN(addr), end = PHYS_PFN(addr + size);

	while (pfn < end) {
		unsigned int order = __ffs(pfn | BIT(MAX_PAGE_ORDER));

		while (pfn + (1UL << order) > end)
			order--;
		__free_pages_core(pfn_to_page(pfn), order, MEMINIT_EARLY);
		totalram_pages_add(1UL << order);
		pfn += 1UL << order;
	}
}

/* The page allocator runs: give the gaps between preserved runs back. */
static int __init kho_in_free_gaps(void)
{
	unsigned long freed = 0;

	for (unsigned long i = 0; i < kho_nr_gaps; i++) {
		kho_free_gap(kho_gaps[i].addr, kho_gaps[i].size);
		freed += PHYS_PFN(kho_gaps[i].size);
	}
	if (kho_gaps)
		memblock_free_late(__pa(kho_gaps), kho_max_gaps * sizeof(*kho_gaps));
	kho_gaps = NULL;
	if (freed)
		pr_info("handover: %lu pages between preserved runs freed\n", freed);
	return 0;
}
core_initcall(kho_in_free_gaps);

/*
 * The hook in memblock's search for free memory, in scratch-only mode (a
 * KHO boot): the first allocation checks the inherited scratch areas
 * against this boot's RAM, which is known from here.
 */
phys_addr_t __init_memblock kho_memblock_find(phys_addr_t size, phys_addr_t align,
					      phys_addr_t start, phys_addr_t end, int nid,
					      enum memblock_flags flags,
					      kho_memblock_finder_t find)
{
	static bool checked __initdata_memblock;

	if (!checked) {
		checked = true;
		kho_in_check_scratch();
		if (!kho_scratch_only)
			return find(start, end, size, align, nid, flags);
	}
	return kho_scratch_find(size, align, start, end, nid, flags, find);
}

/* The handover's part of mm_core_init(): reserve what it preserved. */
static void __init kho_in_memory_init(void)
{
	phys_addr_t text = __pa_symbol(_text), end = __pa_symbol(_end);

	if (!kho_in.valid || is_kdump_kernel() || !kho_in_check_tree())
		return;
	/*
	 * The previous kernel loaded this one into scratch and the
	 * decompressor chose a place in scratch: if it is not there, the
	 * scratch areas do not describe this boot, and whatever this kernel
	 * was written over is dropped below ("overlaps this kernel's image").
	 */
	if (!kho_in_scratch_covers(text, end - text))
		pr_err("handover: this kernel's image [%pa-%pa] is not inside scratch\n", &text, &end);
	if (kho_debug_reservations)
		kho_in_check_reservations();
	kho_in_reserve();
}

/* The hook in mm_core_init(), before memblock hands memory to the buddy. */
void __init kho_memory_init(void)
{
	kho_in_memory_init();
	kho_scratch_init();
}

/* ---- Restoring ---- */

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

/* For vmalloc.c: whether the page at @phys is restorable now. */
bool kho_in_restorable_page(phys_addr_t phys)
{
	guard(mutex)(&kho_in_lock);
	return PAGE_ALIGNED(phys) && kho_restorable_order(PHYS_PFN(phys)) == 0;
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
 * kho_retrieve_subtree() - find a tree added with kho_add_subtree()
 * @name: the name it was added under
 * @phys: set to its physical address
 *
 * Return: 0; -ENOENT if there is no such subtree (or no handover).
 */
int kho_retrieve_subtree(const char *name, phys_addr_t *phys)
{
	const void *fdt = kho_get_fdt();
	kx_u64 found;
	int err;

	if (!fdt)
		return -ENOENT;
	err = kho_tree_find_subtree(fdt, kho_in.desc.fdt.size, name, &found);
	kho_put_fdt(fdt);
	if (!err)
		*phys = found;
	return err;
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree);

/*
 * Calls @fn on every marked folio head in [@pfn, @pfn + @nr) (all of the
 * map when @nr is 0), under kho_in_lock; stops when @fn returns true.
 * Runs the previous kernel dropped are skipped whole: only runs whose ends
 * are valid pages are looked into.
 */
static bool kho_in_for_each_restorable(unsigned long pfn, unsigned long nr,
				       bool (*fn)(unsigned long head, unsigned int order))
{
	struct kho_memmap_cursor cur;
	kx_u64 run_pfn, run_nr;
	unsigned int order;

	lockdep_assert_held(&kho_in_lock);
	if (!kho_in.memmap || kho_memmap_cursor_start(&cur, kho_in.memmap, kho_in.memmap_size, PAGE_SHIFT))
		return false;
	while (kho_memmap_cursor_next(&cur, &run_pfn, &run_nr, &order) > 0) {
		kx_u64 head = run_pfn, end = run_pfn + run_nr;

		if (nr) {
			if (run_pfn >= pfn + nr || end <= pfn)
				continue;
			if (pfn > run_pfn)
				head = run_pfn + (((pfn - run_pfn) >> order) << order);
			end = min_t(kx_u64, end, pfn + nr);
		}
		if (!pfn_valid(run_pfn) || !pfn_valid(run_pfn + run_nr - 1))
			continue;
		for (; head < end; head += 1UL << order)
			if (kho_marked_order(head) == order && fn(head, order))
				return true;
	}
	return false;
}

static bool kho_in_found(unsigned long head, unsigned int order)
{
	return true;
}

bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages)
{
	guard(mutex)(&kho_in_lock);
	return nr_pages && is_kho_boot() && kho_in_for_each_restorable(pfn, nr_pages, kho_in_found);
}

static kx_u64 kho_in_nr_freed;

static bool kho_in_free_folio(unsigned long head, unsigned int order)
{
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
