// SPDX-License-Identifier: GPL-2.0
/*
 * kho_bench: preserve a benchmark workload for scripts/bench-kho.sh.
 *
 *   percent=P   order-0 pages spread uniformly at random over a span of
 *               span_mb MiB (allocated contiguously), P% of them preserved
 *   mixed=1     folios of random order 0-10, span_mb / 2 MiB in total
 *   single=N    one contiguous range of N pages
 *   random=N    N order-0 folios preserved one call each, in random order,
 *               timed; their addresses go over in a preserved vmalloc area
 *               (subtree "kho-bench"), and the next kernel loaded with
 *               restore_random=1 restores them in another random order,
 *               timed: "kho_bench: random N: preserve|restore X ns per
 *               call, touch Y", Y the cost of reading each struct page
 *   probe_busy=1  check that preserving and adding a subtree fail with
 *               -EBUSY while the handover is active (then fail to load)
 *
 * Pages not preserved are freed again.  Apart from random=, nothing is
 * restored: those workloads measure activation, the next kernel's boot and
 * its reservation of the preserved memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/random.h>

static unsigned int percent;
module_param(percent, uint, 0444);
static bool mixed;
module_param(mixed, bool, 0444);
static unsigned long single;
module_param(single, ulong, 0444);
static unsigned int span_mb = 1024;
module_param(span_mb, uint, 0444);
static bool probe_busy;
module_param(probe_busy, bool, 0444);
static unsigned long random_nr;
module_param_named(random, random_nr, ulong, 0444);
static bool restore_random;
module_param(restore_random, bool, 0444);
/* Spans start above the kernel and the low allocations: arm64's RAM starts at 1 GiB. */
static unsigned long base_mb = IS_ENABLED(CONFIG_ARM64) ? 2048 : 4096;
module_param(base_mb, ulong, 0444);

/* @nr contiguous pages from base_mb up, in 64 MiB steps, below 32 GiB. */
static struct page *alloc_span(unsigned long nr)
{
	unsigned long pfn = base_mb << (20 - PAGE_SHIFT);

	for (; pfn + nr <= (SZ_32G >> PAGE_SHIFT); pfn += SZ_64M >> PAGE_SHIFT)
		if (pfn_valid(pfn) && pfn_valid(pfn + nr - 1) &&
		    !alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE, GFP_KERNEL | __GFP_NOWARN))
			return pfn_to_page(pfn);
	pr_err("no %lu free contiguous pages above %lu MiB\n", nr, base_mb);
	return NULL;
}

static int preserve_span(void)
{
	unsigned long nr = (unsigned long)span_mb << (20 - PAGE_SHIFT), i, run = 0, kept = 0;
	struct page *base = alloc_span(nr);
	int err = 0;

	if (!base)
		return -ENOMEM;
	for (i = 0; i <= nr; i++) {
		bool keep = i < nr && get_random_u32_below(100) < percent;

		if (keep) {
			run++;
			continue;
		}
		if (run && !err)
			err = kho_preserve_pages(base + i - run, run);
		kept += run;
		run = 0;
		if (i < nr)
			__free_page(base + i);
	}
	pr_info("preserved %lu of %lu pages (%u%%): %d\n", kept, nr, percent, err);
	return err;
}

static int preserve_mixed(void)
{
	unsigned long want = (unsigned long)span_mb << (20 - PAGE_SHIFT) >> 1, got = 0, n = 0;
	int err = 0;

	while (got < want && !err) {
		struct folio *folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN,
						  get_random_u32_below(11));

		if (!folio)
			continue;
		err = kho_preserve_folio(folio);
		got += folio_nr_pages(folio);
		n++;
	}
	pr_info("preserved %lu folios, %lu pages: %d\n", n, got, err);
	return err;
}

static int preserve_single(void)
{
	struct page *base = alloc_span(single);
	int err;

	if (!base)
		return -ENOMEM;
	err = kho_preserve_pages(base, single);
	pr_info("preserved one range of %lu pages: %d\n", single, err);
	return err;
}

/* swap() evaluates its arguments twice: the random index is drawn first. */
static void shuffle(u64 *a, unsigned long n)
{
	for (unsigned long i = n - 1; i > 0; i--) {
		unsigned long j = get_random_u32_below(i + 1);

		swap(a[i], a[j]);
	}
}

/* The addresses travel in a preserved vmalloc area that a subtree names. */
static struct kho_vmalloc list_preservation;

/*
 * The memory floor of one call: a read of each page's struct page in the
 * order the calls take them (the calls need that much), timed on a second
 * pass so that a small set is as warm as it is when the calls run.
 */
static u64 touch_ns(const u64 *pfns, unsigned long n)
{
	u64 t0 = 0;

	for (int pass = 0; pass < 2; pass++) {
		t0 = ktime_get_ns();
		for (unsigned long i = 0; i < n; i++)
			READ_ONCE(pfn_to_page(pfns[i])->flags);
	}
	return (ktime_get_ns() - t0) / n;
}

/* Undo preserve_random(): @preserved of the @allocated folios were preserved. */
static void release_random(u64 *pfns, unsigned long allocated, unsigned long preserved)
{
	for (unsigned long i = 0; i < allocated; i++) {
		if (i < preserved)
			kho_unpreserve_folio(pfn_folio(pfns[i]));
		folio_put(pfn_folio(pfns[i]));
	}
	vfree(pfns);
}

static int preserve_random(void)
{
	struct page *fdt_page;
	void *list_fdt;
	unsigned long i;
	u64 *pfns, t0, ns = 0, touch = 0;
	int err = 0;

	pfns = vzalloc(array_size(random_nr, sizeof(*pfns)));
	if (!pfns)
		return -ENOMEM;
	for (i = 0; i < random_nr; i++) {
		struct folio *folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, 0);

		if (!folio) {
			pr_err("out of memory after %lu folios\n", i);
			release_random(pfns, i, 0);
			return -ENOMEM;
		}
		pfns[i] = folio_pfn(folio);
	}
	/*
	 * A first round, preserved and given back untimed, pays for what
	 * only the first calls pay: QEMU translating the code, cold caches.
	 */
	for (int round = 0; round < 2 && !err; round++) {
		if (round)
			for (i = 0; i < random_nr; i++)
				kho_unpreserve_folio(pfn_folio(pfns[i]));
		shuffle(pfns, random_nr);
		touch = touch_ns(pfns, random_nr);
		t0 = ktime_get_ns();
		for (i = 0; i < random_nr && !err; i++)
			err = kho_preserve_folio(pfn_folio(pfns[i]));
		ns = ktime_get_ns() - t0;
	}
	if (err) {
		pr_err("random %lu: call %lu (pfn %#llx) failed: %d\n", random_nr, i - 1, pfns[i - 1], err);
		release_random(pfns, random_nr, i - 1);
		return err;
	}
	pr_info("random %lu: preserve %llu ns per call, touch %llu: %d\n", random_nr,
		ns / random_nr, touch, err);

	fdt_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!fdt_page)
		return -ENOMEM;
	list_fdt = page_address(fdt_page);
	err = kho_preserve_vmalloc(pfns, &list_preservation);
	err = err ?: fdt_create(list_fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(list_fdt);
	err = err ?: fdt_begin_node(list_fdt, "");
	err = err ?: fdt_property(list_fdt, "list", &list_preservation, sizeof(list_preservation));
	err = err ?: fdt_end_node(list_fdt);
	err = err ?: fdt_finish(list_fdt);
	err = err ?: kho_preserve_pages(fdt_page, 1);
	return err ?: kho_add_subtree("kho-bench", list_fdt);
}

static int restore_random_list(void)
{
	const struct kho_vmalloc *list;
	phys_addr_t phys;
	unsigned long i, n, warm, missing = 0;
	struct page *page;
	u64 *pfns, t0 = 0, ns, touch;
	int len;

	if (kho_retrieve_subtree("kho-bench", &phys) || !(page = kho_restore_pages(phys, 1)))
		return -ENOENT;
	list = fdt_getprop(page_address(page), 0, "list", &len);
	pfns = list && len == sizeof(*list) ? kho_restore_vmalloc(list) : NULL;
	n = pfns ? list->total_pages * PAGE_SIZE / sizeof(*pfns) : 0;
	__free_page(page);
	if (!pfns)
		return -ENOENT;
	for (n = min(n, random_nr ?: n); n && !pfns[n - 1]; n--)
		;
	if (!n) {
		vfree(pfns);
		return -ENOENT;
	}
	shuffle(pfns, n);
	/* The first eighth untimed: QEMU translates the code on first use. */
	warm = n / 8;
	touch = touch_ns(pfns + warm, n - warm);
	for (i = 0; i < n; i++) {
		struct folio *folio;

		if (i == warm)
			t0 = ktime_get_ns();
		folio = kho_restore_folio(PFN_PHYS(pfns[i]));
		missing += !folio;
		pfns[i] = folio ? (unsigned long)folio : 0;
	}
	ns = ktime_get_ns() - t0;
	pr_info("random %lu: restore %llu ns per call, touch %llu, %lu missing\n", n,
		ns / (n - warm), touch, missing);
	for (i = 0; i < n; i++)
		if (pfns[i])
			folio_put((struct folio *)(unsigned long)pfns[i]);
	vfree(pfns);
	return 0;
}

static int check_busy(void)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, 0);
	int preserve, subtree;

	if (!folio)
		return -ENOMEM;
	preserve = kho_preserve_folio(folio);
	subtree = kho_add_subtree("kho-bench-probe", folio_address(folio), folio_size(folio));
	if (!preserve)
		kho_unpreserve_folio(folio);
	if (!subtree)
		kho_remove_subtree(folio_address(folio));
	folio_put(folio);
	if (preserve == -EBUSY && subtree == -EBUSY)
		pr_info("PASS busy: preserve and add_subtree refused while active\n");
	else
		pr_err("FAIL busy: preserve %d, add_subtree %d\n", preserve, subtree);
	return -EBUSY;
}

static int __init kho_bench_init(void)
{
	if (probe_busy)
		return check_busy();
	if (restore_random)
		return restore_random_list();
	if (random_nr)
		return preserve_random();
	if (single)
		return preserve_single();
	if (mixed)
		return preserve_mixed();
	return percent ? preserve_span() : 0;
}
module_init(kho_bench_init);
MODULE_DESCRIPTION("KHO benchmark workloads");
MODULE_LICENSE("GPL");
