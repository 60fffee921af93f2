// SPDX-License-Identifier: GPL-2.0
/*
 * The incoming handover: what the previous kernel left for this one.
 *
 * Nothing from the previous kernel is trusted.  The descriptor is checked
 * when the arch glue finds it (before memory exists); the tree and the
 * memory map when memory is set up; every preserved range against boot
 * RAM, scratch, the kernel and every other reservation.  A problem is
 * logged once, naming it, and only that part is dropped: memory that is not
 * reserved simply stays free.  Preserved memory stays reserved until a
 * consumer restores it or the handover is finished (/sys/firmware/kho/
 * finish), which frees whatever was not restored.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/cma.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kobject.h>
#include <linux/libfdt.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <linux/sysfs.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>

#include <kho/abi/memmap.h>
#include "mm/internal.h"
#include "kho_internal.h"
#include "handover_tree.h"
#include "mem_map.h"

#define KHO_FDT_MAX		SZ_64M
#define KHO_MEMMAP_MAX		SZ_1G
#define KHO_MAX_DROPPED		8

static struct {
	bool valid;			/* a handover is being used */
	bool finished;
	struct kho_handover_desc desc;
	const void *fdt;
	const void *memmap;		/* inline in the tree, or a segment */
	size_t memmap_size;
	struct kho_phys_range dropped[KHO_MAX_DROPPED];
	unsigned int nr_dropped;
	struct kho_preserved *left;	/* preserved and not yet restored */
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
 * Return: true if a valid handover was found and not yet finished.
 */
bool is_kho_boot(void)
{
	return READ_ONCE(kho_in.valid);
}
EXPORT_SYMBOL_GPL(is_kho_boot);

static bool kho_range_ok(const struct kho_phys_range *r, phys_addr_t align, u64 max)
{
	return r->size && r->size <= max && IS_ALIGNED(r->addr | r->size, align) &&
	       r->addr + r->size > r->addr;
}

static bool kho_inside(const struct kho_phys_range *inner, const struct kho_phys_range *outer)
{
	return inner->addr >= outer->addr &&
	       inner->addr + inner->size <= outer->addr + outer->size;
}

static bool kho_in_one_scratch_area(const struct kho_phys_range *r, const struct kho_handover_desc *d)
{
	for (unsigned int i = 0; i < d->nr_scratch; i++)
		if (kho_inside(r, &d->scratch[i]))
			return true;
	return false;
}

/*
 * Whether the scratch areas together cover @r: memblock merges neighbouring
 * reservations, so one region may span two adjacent areas.
 */
static bool kho_in_scratch_covers(const struct kho_phys_range *r, const struct kho_handover_desc *d)
{
	u64 at = r->addr, end = r->addr + r->size;

	/* Areas are sorted and disjoint (checked in kho_in_populate()). */
	for (unsigned int i = 0; i < d->nr_scratch && at < end; i++)
		if (d->scratch[i].addr <= at && at < d->scratch[i].addr + d->scratch[i].size)
			at = d->scratch[i].addr + d->scratch[i].size;
	return at >= end;
}

/* Early, from the arch glue: no memory map yet, so shape checks only. */
int __init kho_in_populate(const struct kho_handover_desc *d)
{
	struct kho_phys_range fdt_pages;
	unsigned int i;

	if (d->magic != KHO_DESC_MAGIC || d->version != KHO_DESC_VERSION || d->reserved) {
		pr_err("handover: descriptor magic %#x version %u not understood; ignored\n",
		       d->magic, d->version);
		return -EINVAL;
	}
	if (!d->nr_scratch || d->nr_scratch > KHO_MAX_SCRATCH) {
		pr_err("handover: %u scratch areas; ignored\n", d->nr_scratch);
		return -EINVAL;
	}
	for (i = 0; i < d->nr_scratch; i++) {
		if (!kho_range_ok(&d->scratch[i], CMA_MIN_ALIGNMENT_BYTES, U64_MAX) ||
		    (i && d->scratch[i].addr < d->scratch[i - 1].addr + d->scratch[i - 1].size)) {
			pr_err("handover: scratch area %u [%#llx+%#llx] malformed; ignored\n",
			       i, d->scratch[i].addr, d->scratch[i].size);
			return -EINVAL;
		}
	}
	fdt_pages = (struct kho_phys_range){ d->fdt.addr, PAGE_ALIGN(d->fdt.size) };
	if (!kho_range_ok(&fdt_pages, PAGE_SIZE, KHO_FDT_MAX) || !kho_in_one_scratch_area(&fdt_pages, d)) {
		pr_err("handover: tree [%#llx+%#llx] is not a page-aligned range in scratch; ignored\n",
		       d->fdt.addr, d->fdt.size);
		return -EINVAL;
	}
	if (d->memmap.size || d->memmap.addr) {
		struct kho_phys_range map_pages = { d->memmap.addr, PAGE_ALIGN(d->memmap.size) };

		if (!kho_range_ok(&map_pages, PAGE_SIZE, KHO_MEMMAP_MAX) ||
		    !kho_in_one_scratch_area(&map_pages, d) ||
		    (map_pages.addr < fdt_pages.addr + fdt_pages.size &&
		     fdt_pages.addr < map_pages.addr + map_pages.size)) {
			pr_err("handover: memory map [%#llx+%#llx] is not a page-aligned range in scratch; ignored\n",
			       d->memmap.addr, d->memmap.size);
			return -EINVAL;
		}
		memblock_reserve(map_pages.addr, map_pages.size);
	}
	/* Both sit in scratch, where early allocations go: keep them off. */
	memblock_reserve(fdt_pages.addr, fdt_pages.size);
	kho_in.desc = *d;
	kho_in.valid = true;
	kho_scratch_adopt(d->scratch, d->nr_scratch);
	pr_info("handover: found, %u scratch areas, tree at %#llx\n", d->nr_scratch, d->fdt.addr);
	return 0;
}

static void __init kho_in_drop_all(const char *why)
{
	const struct kho_handover_desc *d = &kho_in.desc;

	pr_err("handover: %s; ignoring the handover\n", why);
	memblock_phys_free(d->fdt.addr, PAGE_ALIGN(d->fdt.size));
	if (d->memmap.size)
		memblock_phys_free(d->memmap.addr, PAGE_ALIGN(d->memmap.size));
	kho_in.valid = false;
}

/* The tree and the memory map, once the direct map exists. */
static bool __init kho_in_check_tree(void)
{
	const struct kho_handover_desc *d = &kho_in.desc;
	const void *fdt = phys_to_virt(d->fdt.addr);
	const void *inline_map;
	const char *why;
	size_t len;
	int clen;

	if (!memblock_is_region_memory(d->fdt.addr, PAGE_ALIGN(d->fdt.size)) ||
	    (d->memmap.size && !memblock_is_region_memory(d->memmap.addr, PAGE_ALIGN(d->memmap.size)))) {
		kho_in_drop_all("tree or memory map outside boot RAM");
		return false;
	}
	if (kho_tree_check(fdt, d->fdt.size, d->memmap.size != 0, &inline_map, &len, &why)) {
		const char *compat = fdt_getprop(fdt, 0, "compatible", &clen);
		char msg[128];

		/* Name a foreign format: most likely another kernel's KHO. */
		if (!strcmp(why, "format not understood") && compat && clen > 0) {
			snprintf(msg, sizeof(msg), "root compatible \"%.*s\" is not \"%s\"",
				 min(clen, 48), compat, KHO_ROOT_COMPATIBLE);
			why = msg;
		}
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

static const char *__init kho_in_range_problem(phys_addr_t addr, phys_addr_t size)
{
	if (addr < KHO_LOW_WINDOW)
		return "below the low window";
	if (!memblock_is_region_memory(addr, size))
		return "not in boot RAM";
	if (kho_in_scratch(addr, size))
		return "overlaps scratch";
	if (memblock_is_region_reserved(addr, size))
		return "overlaps the kernel, firmware data or another preserved range";
	return NULL;
}

/* Debug (kho_debug_reservations): nothing was reserved outside scratch yet. */
static void __init kho_in_check_reservations(void)
{
	phys_addr_t start, end;
	unsigned int bad = 0, n = 0;
	u64 i;

	for_each_reserved_mem_range(i, &start, &end) {
		struct kho_phys_range r = { start, end - start };
		bool ok = end <= KHO_LOW_WINDOW || kho_in_scratch_covers(&r, &kho_in.desc) ||
			  !memblock_is_region_memory(start, end - start);

		n++;
		if (!ok) {
			pr_err("debug: reservation [%pa-%pa] lies outside scratch\n", &start, &end);
			bad++;
		}
	}
	pr_info("debug: %u early reservations checked, %u outside scratch\n", n, bad);
}

static bool kho_in_was_dropped(phys_addr_t addr, phys_addr_t size)
{
	for (unsigned int i = 0; i < min(kho_in.nr_dropped, KHO_MAX_DROPPED); i++)
		if (addr < kho_in.dropped[i].addr + kho_in.dropped[i].size &&
		    kho_in.dropped[i].addr < addr + size)
			return true;
	return false;
}

static void kho_free_range(phys_addr_t addr, phys_addr_t size)
{
	for (unsigned long pfn = PHYS_PFN(addr); pfn < PHYS_PFN(addr + size); pfn++)
		free_reserved_page(pfn_to_page(pfn));
}

/*
 * Free memory between preserved runs that was reserved with them, so that
 * memblock holds a few large regions instead of one per run (a million
 * scattered pages must not become a million regions).  Freed again once
 * the page allocator runs.
 */
#define KHO_MAX_CLUSTER_GAP	SZ_4M
static struct kho_phys_range *kho_gaps __initdata;
static unsigned long kho_nr_gaps __initdata, kho_max_gaps __initdata;
static struct kho_memmap_sorted kho_sorted __initdata;

/* A gap may be reserved with its neighbours if it is free RAM. */
static bool __init kho_gap_ok(phys_addr_t start, phys_addr_t end)
{
	return end - start <= KHO_MAX_CLUSTER_GAP && kho_nr_gaps < kho_max_gaps &&
	       memblock_is_region_memory(start, end - start) &&
	       !memblock_is_region_reserved(start, end - start) &&
	       !kho_in_scratch(start, end - start);
}

static void __init kho_in_drop(phys_addr_t addr, phys_addr_t size, const char *why)
{
	pr_err("handover: preserved range [%pa+%pa] %s; dropped\n", &addr, &size, why);
	if (kho_in.nr_dropped < KHO_MAX_DROPPED)
		kho_in.dropped[kho_in.nr_dropped] = (struct kho_phys_range){ addr, size };
	kho_in.nr_dropped++;
}

/*
 * Walk the runs in address order.  Bad runs are dropped (logged when
 * @reserve); good ones are reserved when @reserve, clustered across small
 * free gaps.  Returns the number of bad runs.
 */
static unsigned int __init kho_in_walk(bool reserve, kx_u64 *pages, kx_u64 *regions)
{
	phys_addr_t cluster = 0, cluster_end = 0, prev_end = 0;
	unsigned int bad = 0, order;
	kx_u64 pfn, nr;

	kho_memmap_sorted_start(&kho_sorted, kho_in.memmap, kho_in.memmap_size, PAGE_SHIFT);
	while (kho_memmap_sorted_next(&kho_sorted, &pfn, &nr, &order) > 0) {
		phys_addr_t addr = PFN_PHYS(pfn), size = PFN_PHYS(nr);
		const char *why = addr < prev_end ? "overlaps another preserved range"
						  : kho_in_range_problem(addr, size);

		if (why) {
			bad++;
			if (reserve)
				kho_in_drop(addr, size, why);
			continue;
		}
		prev_end = addr + size;
		if (!reserve)
			continue;
		if (cluster_end && kho_gap_ok(cluster_end, addr)) {
			if (addr > cluster_end)
				kho_gaps[kho_nr_gaps++] = (struct kho_phys_range){
					cluster_end, addr - cluster_end };
		} else {
			if (cluster_end)
				memblock_reserve(cluster, cluster_end - cluster);
			cluster = addr;
			(*regions)++;
		}
		cluster_end = addr + size;
		*pages += nr;
	}
	if (cluster_end)
		memblock_reserve(cluster, cluster_end - cluster);
	return bad;
}

/* Reserve every valid preserved range in few regions; drop bad ones. */
static void __init kho_in_reserve(void)
{
	struct kho_memmap_cursor cur;
	kx_u64 pfn, nr, pages = 0, runs = 0, regions = 0;
	u64 start = local_clock();
	unsigned int order, bad;
	int ret;

	if (!kho_in.memmap)
		return;
	/* Pass 1: the whole map is well formed, before touching anything. */
	ret = kho_memmap_cursor_start(&cur, kho_in.memmap, kho_in.memmap_size, PAGE_SHIFT);
	if (!ret)
		while ((ret = kho_memmap_cursor_next(&cur, &pfn, &nr, &order)) > 0)
			runs++;
	if (ret) {
		kho_in_drop_all("preserved-memory map malformed");
		return;
	}
	/* Pass 2: every run where it may be; too many bad ones drop it all. */
	bad = kho_in_walk(false, &pages, &regions);
	if (bad > KHO_MAX_DROPPED) {
		pr_err("handover: %u preserved ranges are invalid\n", bad);
		kho_in_drop_all("more than 8 preserved ranges are invalid");
		return;
	}
	/* Pass 3: reserve. */
	kho_max_gaps = runs;
	kho_gaps = memblock_alloc(runs * sizeof(*kho_gaps), SMP_CACHE_BYTES);
	if (!kho_gaps)
		kho_max_gaps = 0;	/* no clustering: one region per run */
	kho_in_walk(true, &pages, &regions);
	pr_info("handover: %llu preserved pages in %llu ranges reserved as %llu regions in %llu us\n",
		pages, runs - bad, regions, (local_clock() - start) / NSEC_PER_USEC);
}

/* The page allocator runs: give the gaps between preserved runs back. */
static int __init kho_in_free_gaps(void)
{
	unsigned long freed = 0;

	for (unsigned long i = 0; i < kho_nr_gaps; i++) {
		kho_free_range(kho_gaps[i].addr, kho_gaps[i].size);
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

/* mm_core_init(), before memblock hands memory to the buddy allocator. */
void __init kho_in_memory_init(void)
{
	if (!kho_in.valid || !kho_in_check_tree())
		return;
	if (kho_debug_reservations)
		kho_in_check_reservations();
	kho_in_reserve();
}


/* The record of what is left to restore, built on first use. */
static struct kho_preserved *kho_in_left(void)
{
	struct kho_memmap_cursor cur;
	kx_u64 pfn, nr;
	unsigned int order;
	int err = 0;

	lockdep_assert_held(&kho_in_lock);
	if (kho_in.left || !kho_in.valid || kho_in.finished)
		return kho_in.left;
	kho_in.left = kho_preserved_create();
	if (!kho_in.left || !kho_in.memmap)
		return kho_in.left;
	kho_memmap_cursor_start(&cur, kho_in.memmap, kho_in.memmap_size, PAGE_SHIFT);
	while (!err && kho_memmap_cursor_next(&cur, &pfn, &nr, &order) > 0) {
		if (kho_in_was_dropped(PFN_PHYS(pfn), PFN_PHYS(nr)))
			continue;
		if (order)
			for (kx_u64 p = pfn; !err && p < pfn + nr; p += 1UL << order)
				err = kho_preserved_add(kho_in.left, p, order);
		else
			err = kho_preserved_add_pages(kho_in.left, pfn, nr);
	}
	if (err) {
		pr_err("restore: cannot track preserved memory (%d); restores will fail\n", err);
		kho_preserved_destroy(kho_in.left);
		kho_in.left = NULL;
	}
	return kho_in.left;
}

/**
 * kho_get_fdt() - the tree the previous kernel handed over
 *
 * Find your node by its compatible string; everything in it is untrusted.
 *
 * Return: the tree, or NULL without a handover or once it is finished.
 */
const void *kho_get_fdt(void)
{
	guard(mutex)(&kho_in_lock);
	return kho_in.valid && !kho_in.finished ? kho_in.fdt : NULL;
}
EXPORT_SYMBOL_GPL(kho_get_fdt);

/* Turn preserved, reserved pages into ordinary allocated ones. */
static void kho_init_restored(struct page *page, unsigned long nr, unsigned int order)
{
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
	struct kho_preserved *left;
	unsigned int order;

	if (!PAGE_ALIGNED(phys))
		return NULL;
	guard(mutex)(&kho_in_lock);
	left = kho_in_left();
	if (!left)
		return NULL;
	for (order = 0; order <= KHO_MEMMAP_MAX_ORDER; order++) {
		if (kho_preserved_contains(left, pfn, order) &&
		    !kho_preserved_remove(left, pfn, order)) {
			kho_init_restored(pfn_to_page(pfn), 1UL << order, order);
			return pfn_folio(pfn);
		}
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(kho_restore_folio);

/**
 * kho_restore_pages() - take back order-0 pages preserved by the previous kernel
 * @phys: physical address of the first page
 * @nr_pages: number of pages
 *
 * Return: the first page; each page has a reference count of 1.  NULL if
 * any of them was not preserved with kho_preserve_pages(), was restored
 * already, or the handover is finished.
 */
struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr_pages)
{
	unsigned long pfn = PHYS_PFN(phys);
	struct kho_preserved *left;

	if (!PAGE_ALIGNED(phys) || !nr_pages)
		return NULL;
	guard(mutex)(&kho_in_lock);
	left = kho_in_left();
	if (!left || kho_preserved_remove_pages(left, pfn, nr_pages))
		return NULL;
	kho_init_restored(pfn_to_page(pfn), nr_pages, 0);
	return pfn_to_page(pfn);
}
EXPORT_SYMBOL_GPL(kho_restore_pages);

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
	const u64 *val;
	int node, len;

	if (!fdt)
		return -ENOENT;
	node = fdt_subnode_offset(fdt, 0, name);
	if (node < 0)
		return -ENOENT;
	val = fdt_getprop(fdt, node, "fdt", &len);
	if (!val || len != sizeof(*val))
		return -ENOENT;
	*phys = get_unaligned(val);
	return 0;
}
EXPORT_SYMBOL_GPL(kho_retrieve_subtree);

bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages)
{
	struct kho_preserved *left;

	guard(mutex)(&kho_in_lock);
	left = kho_in_left();
	return left && kho_preserved_intersects(left, pfn, nr_pages);
}


static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count)
{
	guard(mutex)(&kho_in_lock);
	if (!kho_in.valid || kho_in.finished)
		return -ENOENT;
	return memory_read_from_buffer(buf, count, &pos, kho_in.fdt, fdt_totalsize(kho_in.fdt));
}
static BIN_ATTR_ADMIN_RO(dt, 0);

/* Free whatever was not restored, and the handover itself. */
static void kho_in_finish(void)
{
	struct kho_preserved *left;
	kx_u64 pfn, nr, freed = 0;
	unsigned long free_before;

	drain_all_pages(NULL);
	free_before = global_zone_page_state(NR_FREE_PAGES);
	mutex_lock(&kho_in_lock);
	if (!kho_in.valid || kho_in.finished) {
		mutex_unlock(&kho_in_lock);
		return;
	}
	left = kho_in_left();
	/* What is left in the record is exactly what nobody restored. */
	for (unsigned int order = 0; left && order <= KHO_MEMMAP_MAX_ORDER; order++) {
		for (kx_size_t i = 0; !kho_preserved_run(left, order, i, &pfn, &nr); i++) {
			kho_free_range(PFN_PHYS(pfn), PFN_PHYS(nr));
			freed += nr;
		}
	}
	kho_in.finished = true;
	kho_preserved_destroy(left);
	kho_in.left = NULL;
	mutex_unlock(&kho_in_lock);

	sysfs_remove_bin_file(kho_fw_kobj, &bin_attr_dt);
	kho_free_range(kho_in.desc.fdt.addr, PAGE_ALIGN(kho_in.desc.fdt.size));
	if (kho_in.desc.memmap.size)
		kho_free_range(kho_in.desc.memmap.addr, PAGE_ALIGN(kho_in.desc.memmap.size));
	/* Out of the per-CPU lists, so MemFree shows what came back. */
	drain_all_pages(NULL);
	pr_info("finished: %llu unclaimed pages freed, MemFree %+ld kB\n", freed,
		((long)global_zone_page_state(NR_FREE_PAGES) - (long)free_before) << (PAGE_SHIFT - 10));
}

static ssize_t finish_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	bool yes;

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
	bin_attr_dt.size = fdt_totalsize(kho_in.fdt);
	err = sysfs_create_file(kho_fw_kobj, &finish_attr.attr);
	if (!err && !kho_confidential())
		err = sysfs_create_bin_file(kho_fw_kobj, &bin_attr_dt);
	if (kho_finish_timeout) {
		pr_info("handover: finishing in %u s (kho_finish_timeout)\n", kho_finish_timeout);
		schedule_delayed_work(&kho_finish_dwork, kho_finish_timeout * HZ);
	}
	return err;
}
late_initcall(kho_in_sysfs_init);
