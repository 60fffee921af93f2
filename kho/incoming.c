// SPDX-License-Identifier: GPL-2.0
/*
 * The incoming handover in early boot: what the previous kernel left for
 * this one is found, checked and reserved before any allocation can land
 * on it.
 *
 * Nothing from the previous kernel is trusted.  The descriptor is checked
 * when the arch glue finds it (before memory exists); the scratch areas
 * against this boot's RAM at the first memblock allocation; the tree and
 * the memory map when memory is set up; every preserved range against boot
 * RAM, scratch, the kernel and every other reservation (reserve.cpp).  A
 * problem is logged once, naming it, and only that part is dropped: memory
 * that is not reserved simply stays free.  A preserved folio that was
 * reserved is marked restorable (restore.c).
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/crash_dump.h>
#include <linux/efi.h>
#include <linux/io.h>
#include <linux/kho_hooks.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/pageblock-flags.h>
#include <linux/sched/clock.h>

#include "mm/internal.h"
#include "descriptor.h"
#include "handover_tree.h"
#include "incoming.h"
#include "reserve.h"
#include "scratch.h"
#include "test_knobs.h"

#define KHO_MAX_DROPPED		8
#define KHO_MAX_CLUSTER_GAP	SZ_4M
struct kho_incoming kho_in;
static bool kho_debug_reservations __initdata;

static int __init kho_debug_reservations_param(char *arg)
{
	kho_debug_reservations = true;
	return 0;
}
early_param("kho_debug_reservations", kho_debug_reservations_param);

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

	if (kho_descriptor_check(payload, len, PAGE_SHIFT, pageblock_nr_pages << PAGE_SHIFT, d,
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
 * Whether RAM covers [@addr, @addr + @size), across regions that differ
 * only in flags (memblock_is_region_memory() wants one region): arm64's
 * map_mem() makes the kernel image NOMAP for a moment, and allocates page
 * tables meanwhile.
 */
static bool __init_memblock kho_in_ram_covers(phys_addr_t addr, phys_addr_t size)
{
	struct memblock_region *r;
	phys_addr_t covered = addr;

	for_each_mem_region(r) {
		if (r->base > covered)
			break;
		covered = max(covered, r->base + r->size);
		if (covered >= addr + size)
			return true;
	}
	return false;
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
		if (kho_in_ram_covers(d->scratch[i].addr, d->scratch[i].size))
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

	if (!kho_in_ram_covers(d->fdt.addr, PAGE_ALIGN(d->fdt.size)) ||
	    (d->memmap.size && !kho_in_ram_covers(d->memmap.addr, PAGE_ALIGN(d->memmap.size)))) {
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

/*
 * Firmware's: on a UEFI boot, memory the EFI map does not give as
 * conventional.  The stub's copy of that map and the memory attribute and
 * memreserve tables are there, where the first boot's firmware put them,
 * and every kernel reserves them: no kernel preserves pages there.
 */
static bool __init kho_in_firmware_owned(phys_addr_t start, phys_addr_t end)
{
	int type;

	if (!IS_ENABLED(CONFIG_EFI) || !efi_enabled(EFI_MEMMAP))
		return false;
	type = efi_mem_type(start);
	return type >= 0 && type != EFI_CONVENTIONAL_MEMORY && efi_mem_type(end - 1) == type;
}

/* Debug (kho_debug_reservations): nothing was reserved outside scratch yet. */
static void __init kho_in_check_reservations(void)
{
	phys_addr_t start, end;
	unsigned int bad = 0, n = 0;
	u64 i;

	for_each_reserved_mem_range(i, &start, &end) {
		bool ok = end <= KHO_LOW_WINDOW || kho_in_scratch_covers(start, end - start) ||
			  !kho_in_ram_covers(start, end - start) ||
			  kho_in_firmware_owned(start, end);

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
	char took[32] = "";
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
	/* arm64's sched_clock starts in time_init(): until then there is no clock. */
	if (start)
		snprintf(took, sizeof(took), " in %llu us", (local_clock() - start) / NSEC_PER_USEC);
	pr_info("handover: %llu preserved pages in %llu ranges reserved as %llu regions%s\n",
		res.pages, res.runs - res.dropped, res.regions, took);
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
