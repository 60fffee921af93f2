// SPDX-License-Identifier: GPL-2.0
/*
 * Scratch: the memory a kernel started by KHO boots in.
 *
 * The first kernel reserves scratch early from memblock (kho_scratch=, or
 * kho=on and a size from the formula in scratch_policy.hpp): a part below
 * 4 GiB and a main area.  It never preserves memory inside scratch, and it
 * loads the next kernel into it.  The next kernel allocates only from
 * scratch until every preserved range is reserved, then gives scratch to
 * the page allocator as MIGRATE_CMA pageblocks: movable allocations only,
 * so nothing that must be handed over can land there.  Every later kernel
 * reuses the same areas unchanged.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/cma.h>
#include <linux/crash_dump.h>
#include <linux/kasan.h>
#include <linux/init.h>
#include <linux/kho_hooks.h>
#include <linux/kmemleak.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/page-isolation.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mm/internal.h"
#include "scratch.h"
#include "scratch_policy.h"

#ifdef CONFIG_KASAN_GENERIC
#define KHO_KASAN_SHADOW_SHIFT	KASAN_SHADOW_SCALE_SHIFT
#else
#define KHO_KASAN_SHADOW_SHIFT	0
#endif

struct kho_scratch_set kho_scratch;
bool kho_scratch_only;

static bool kho_enable __initdata;
static struct kho_scratch_request kho_request __initdata;
static bool kho_requested __initdata;

static int __init kho_param(char *arg)
{
	return kstrtobool(arg, &kho_enable);
}
early_param("kho", kho_param);

static int __init kho_scratch_param(char *arg)
{
	if (kho_scratch_parse(arg, &kho_request)) {
		pr_err("kho_scratch=%s: expected a size (512M) or a share of RAM (5%%)\n", arg);
		return -EINVAL;
	}
	kho_requested = true;
	kho_enable = true;
	return 0;
}
early_param("kho_scratch", kho_scratch_param);

bool kho_in_scratch(phys_addr_t addr, phys_addr_t size)
{
	unsigned int i;

	for (i = 0; i < kho_scratch.nr; i++) {
		const struct kho_phys_range *a = &kho_scratch.area[i];

		if (addr < a->addr + a->size && a->addr < addr + size)
			return true;
	}
	return false;
}

phys_addr_t kho_scratch_total(void)
{
	phys_addr_t total = 0;
	unsigned int i;

	for (i = 0; i < kho_scratch.nr; i++)
		total += kho_scratch.area[i].size;
	return total;
}

/* The largest area: the main one, where kexec places the next kernel. */
const struct kho_phys_range *kho_main_scratch(void)
{
	const struct kho_phys_range *main_area = &kho_scratch.area[0];

	for (unsigned int i = 1; i < kho_scratch.nr; i++)
		if (kho_scratch.area[i].size > main_area->size)
			main_area = &kho_scratch.area[i];
	return main_area;
}

/*
 * Whether the scratch areas together cover [@addr, @addr + @size): memblock
 * merges neighbouring reservations, so one region may span two areas.
 */
bool kho_in_scratch_covers(phys_addr_t addr, phys_addr_t size)
{
	phys_addr_t at = addr, end = addr + size;

	/* Areas are sorted and disjoint. */
	for (unsigned int i = 0; i < kho_scratch.nr && at < end; i++)
		if (kho_scratch.area[i].addr <= at &&
		    at < kho_scratch.area[i].addr + kho_scratch.area[i].size)
			at = kho_scratch.area[i].addr + kho_scratch.area[i].size;
	return at >= end;
}

/* A KHO boot: take the previous kernel's areas and allocate only there. */
void __init kho_scratch_adopt(const struct kho_phys_range *area, unsigned int nr)
{
	memcpy(kho_scratch.area, area, nr * sizeof(*area));
	kho_scratch.nr = nr;
	kho_scratch.inherited = true;
	kho_scratch_only = true;
}

/* The handover was dropped before scratch was used: a first boot after all. */
void __init_memblock kho_scratch_forget(void)
{
	kho_scratch.nr = 0;
	kho_scratch.inherited = false;
	kho_scratch_only = false;
}

/*
 * memblock_find_in_range_node() in scratch-only mode: try each scratch area
 * (and the low window) clamped to [start, end), top-down or bottom-up as
 * memblock itself would.
 */
phys_addr_t __init_memblock kho_scratch_find(phys_addr_t size, phys_addr_t align,
					     phys_addr_t start, phys_addr_t end, int nid,
					     enum memblock_flags flags, kho_memblock_finder_t find)
{
	struct kho_phys_range windows[KHO_MAX_SCRATCH + 1];
	unsigned int nr = 0, i;
	bool bottom_up = memblock_bottom_up();

	if (KHO_LOW_WINDOW)
		windows[nr++] = (struct kho_phys_range){ 0, KHO_LOW_WINDOW };
	for (i = 0; i < kho_scratch.nr; i++)
		windows[nr++] = kho_scratch.area[i];

	for (i = 0; i < nr; i++) {
		/* Areas are kept in ascending order. */
		const struct kho_phys_range *w = &windows[bottom_up ? i : nr - 1 - i];
		phys_addr_t lo = max_t(phys_addr_t, start, w->addr);
		phys_addr_t hi = min_t(phys_addr_t, end, w->addr + w->size);
		phys_addr_t found;

		if (lo >= hi)
			continue;
		found = find(lo, hi, size, align, nid, flags);
		if (found)
			return found;
	}
	return 0;
}

/* Ascending, with touching areas merged: the order the descriptor requires. */
static void __init kho_sort_areas(void)
{
	unsigned int i, j;

	for (i = 1; i < kho_scratch.nr; i++)
		for (j = i; j > 0 && kho_scratch.area[j - 1].addr > kho_scratch.area[j].addr; j--)
			swap(kho_scratch.area[j - 1], kho_scratch.area[j]);
	for (i = 1, j = 0; i < kho_scratch.nr; i++) {
		struct kho_phys_range *last = &kho_scratch.area[j];

		if (last->addr + last->size == kho_scratch.area[i].addr)
			last->size += kho_scratch.area[i].size;
		else
			kho_scratch.area[++j] = kho_scratch.area[i];
	}
	kho_scratch.nr = j + 1;
}

/*
 * @size bytes of scratch below @limit, as few areas as memblock's free
 * ranges allow: where the kernel image (placed by KASLR) and the early
 * allocations split RAM, the largest free range can be smaller than the
 * request, so each try that fails is halved until it fits.
 */
static bool __init kho_reserve_areas(phys_addr_t size, phys_addr_t limit)
{
	phys_addr_t piece = size;

	while (size) {
		phys_addr_t addr;

		if (kho_scratch.nr == KHO_MAX_SCRATCH || piece < CMA_MIN_ALIGNMENT_BYTES)
			return false;
		addr = memblock_phys_alloc_range(piece, CMA_MIN_ALIGNMENT_BYTES, 0, limit);
		if (!addr) {
			piece = round_down(piece / 2, CMA_MIN_ALIGNMENT_BYTES);
			continue;
		}
		kho_scratch.area[kho_scratch.nr++] = (struct kho_phys_range){ addr, piece };
		size -= piece;
		piece = min(piece, size);
	}
	return true;
}

/* First boot: reserve scratch before memblock hands memory to the buddy. */
static void __init kho_reserve_scratch(void)
{
	struct kho_memory_facts facts = {
		.ram_bytes = memblock_phys_mem_size(),
		.boot_alloc_bytes = memblock_reserved_size(),
		.page_size = PAGE_SIZE,
		.struct_page_size = sizeof(struct page),
		.align = CMA_MIN_ALIGNMENT_BYTES,
	};
	kx_u64 low, main;

	if (kho_scratch_plan(&kho_request, &facts, &low, &main)) {
		pr_err("scratch: cannot size %s scratch for %llu MiB of RAM; KHO disabled\n",
		       kho_requested ? "the requested" : "automatic", facts.ram_bytes >> 20);
		return;
	}
	if (!kho_reserve_areas(low, SZ_4G) ||
	    !kho_reserve_areas(main, MEMBLOCK_ALLOC_ACCESSIBLE)) {
		while (kho_scratch.nr--)
			memblock_phys_free(kho_scratch.area[kho_scratch.nr].addr,
					   kho_scratch.area[kho_scratch.nr].size);
		kho_scratch.nr = 0;
		pr_err("scratch: cannot reserve %llu MiB in at most %u areas; KHO disabled\n",
		       (low + main) >> 20, KHO_MAX_SCRATCH);
		return;
	}
	/*
	 * As mm/cma.c does: the areas go to the page allocator, so kmemleak
	 * must not scan them as one block (slow, and it would see references
	 * in whatever the pages hold later).
	 */
	for (unsigned int i = 0; i < kho_scratch.nr; i++)
		kmemleak_ignore_phys(kho_scratch.area[i].addr);
	kho_sort_areas();
	pr_info("scratch: %llu MiB reserved in %u area%s (%llu MiB below 4 GiB)\n",
		(low + main) >> 20, kho_scratch.nr, kho_scratch.nr == 1 ? "" : "s", low >> 20);
}

static void __init kho_for_each_pageblock(void (*fn)(struct page *page))
{
	unsigned int i;

	for (i = 0; i < kho_scratch.nr; i++) {
		unsigned long pfn = PHYS_PFN(kho_scratch.area[i].addr);
		unsigned long end = PHYS_PFN(kho_scratch.area[i].addr + kho_scratch.area[i].size);

		for (; pfn < end; pfn += pageblock_nr_pages)
			fn(pfn_to_page(pfn));
	}
}

static void __init kho_mark_pageblock_cma(struct page *page)
{
	set_pageblock_migratetype(page, MIGRATE_CMA);
	page_zone(page)->cma_pages += pageblock_nr_pages;
}

/*
 * A KHO boot, before memblock_free_all(): scratch pageblocks become
 * MIGRATE_CMA, so the pages freed into them serve movable allocations only.
 */
static void __init kho_scratch_mark_cma(void)
{
	kho_for_each_pageblock(kho_mark_pageblock_cma);
	kho_scratch_only = false;
}

/*
 * When memory is set up, after the handover's own reservations: a first
 * boot reserves scratch if asked to; a KHO boot keeps what it inherited.
 */
void __init kho_scratch_init(void)
{
	if (is_kdump_kernel()) {
		if (kho_enable || kho_scratch.inherited)
			pr_info("not used in a crash kernel\n");
		return;
	}
	if (kho_scratch.inherited) {
		if (kho_requested)
			pr_info("scratch: keeping the %llu MiB inherited from the previous kernel; kho_scratch= ignored\n",
				(u64)kho_scratch_total() >> 20);
		kho_scratch_mark_cma();
	} else if (kho_enable) {
		kho_reserve_scratch();
	}
}

/* RAM present at boot: the next kernel cannot see hot-added memory. */
static struct kho_phys_range *kho_boot_ram;
static unsigned int kho_nr_boot_ram;

bool kho_boot_memory(phys_addr_t addr, phys_addr_t size)
{
	unsigned int i;

	for (i = 0; i < kho_nr_boot_ram; i++)
		if (addr >= kho_boot_ram[i].addr &&
		    addr + size <= kho_boot_ram[i].addr + kho_boot_ram[i].size)
			return true;
	return false;
}

int kho_check_scratch_fits(size_t handover_bytes)
{
	struct kho_memory_facts facts = {
		.page_size = PAGE_SIZE,
		.struct_page_size = sizeof(struct page),
		/* The next kernel is likely built like this one. */
		.shadow_shift = KHO_KASAN_SHADOW_SHIFT,
	};
	kx_u64 need;
	unsigned int i;

	for (i = 0; i < kho_nr_boot_ram; i++)
		facts.ram_bytes += kho_boot_ram[i].size;
	need = kho_scratch_next_kernel_need(&facts, handover_bytes);
	if (need > kho_scratch_total()) {
		pr_err("activation: the next kernel needs %llu MiB of scratch, there are %llu MiB\n",
		       need >> 20, (u64)kho_scratch_total() >> 20);
		return -ENOSPC;
	}
	return 0;
}

static int __init kho_snapshot_boot_ram(void)
{
	phys_addr_t start, end;
	unsigned int i = 0;
	u64 n;

	if (!kho_scratch.nr)
		return 0;
	for_each_mem_range(n, &start, &end)
		i++;
	kho_boot_ram = kcalloc(i, sizeof(*kho_boot_ram), GFP_KERNEL);
	if (!kho_boot_ram)
		return -ENOMEM;
	for_each_mem_range(n, &start, &end)
		kho_boot_ram[kho_nr_boot_ram++] = (struct kho_phys_range){ start, end - start };
	return 0;
}
/* Before memblock is discarded; after memory is final. */
core_initcall(kho_snapshot_boot_ram);

/*
 * First boot: hand the reserved scratch to the buddy as CMA pageblocks.
 * Either way, CmaTotal counts scratch from here, as for a CMA area: after
 * mem_init() has reported the reserved memory, in which it is not.
 */
static int __init kho_release_scratch(void)
{
	if (!kho_scratch.nr)
		return 0;
	if (!kho_scratch.inherited) {
		kho_for_each_pageblock(init_cma_reserved_pageblock);
		/*
		 * Where memblock outlives boot (arm64), kexec_file looks for
		 * room in its free ranges: the next kernel's segments go here.
		 */
		if (IS_ENABLED(CONFIG_ARCH_KEEP_MEMBLOCK))
			for (unsigned int i = 0; i < kho_scratch.nr; i++)
				memblock_phys_free(kho_scratch.area[i].addr, kho_scratch.area[i].size);
	}
	totalcma_pages += PHYS_PFN(kho_scratch_total());
	return 0;
}
core_initcall(kho_release_scratch);
