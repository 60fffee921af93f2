// SPDX-License-Identifier: GPL-2.0
/*
 * kho_test: hands random data over across kexec and checks it came back.
 *
 * On load it first restores what the previous kernel's kho_test left (if
 * this is a KHO boot): every folio, its order and its checksum.  Then it
 * preserves a new set for the next kernel: folios of random orders (up to
 * 4 MiB) with random contents, a table describing them, and a subtree
 * "kho-test" pointing at the table.  It also registers a notifier that
 * writes a "kho-test-notifier" node with the generation number and, while
 * serializing, adds a second subtree "kho-test-dump" and checks what a
 * notifier may and may not call.
 *
 * fail_sweep=1 (a kernel with CONFIG_FAULT_INJECTION): each restore is
 * first tried with its k-th allocation failing, k = 1, 2, ... until it no
 * longer allocates that often; every failed try must take nothing, so the
 * last one gets everything.  hold_fdt_ms=N keeps the previous kernel's tree
 * for N ms (a finish written meanwhile must wait).
 *
 * Results go to the log as "kho_test: PASS ..." / "kho_test: FAIL ...".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define MAX_FOLIOS	64
/* Folios up to 4 MiB: order 10 with 4 KiB pages, order 6 with 64 KiB ones. */
#define MAX_ORDER_TESTED (22 - PAGE_SHIFT)
#define VMALLOC_BYTES	(96 * 1024)
/*
 * Areas: a restore sweep takes a fresh one when a fallback absorbed a
 * failure.  With kmemleak, 5 to 8 of kho_restore_vmalloc()'s 12 points
 * are absorbed (its own metadata falls back to a pool), so more areas
 * than points.
 */
#define VMALLOC_AREAS	16

static unsigned int nr_folios = 24;
module_param(nr_folios, uint, 0444);
MODULE_PARM_DESC(nr_folios, "folios to preserve (at most 64)");

static bool list_folios;
module_param(list_folios, bool, 0444);
MODULE_PARM_DESC(list_folios, "log where each preserved folio is");

static unsigned long min_phys, max_phys = ULONG_MAX;
module_param(min_phys, ulong, 0444);
MODULE_PARM_DESC(min_phys, "place the first folio at or above this address (for offline tests)");
module_param(max_phys, ulong, 0444);
MODULE_PARM_DESC(max_phys, "... and below this one");

static unsigned int notifier_blob;
module_param(notifier_blob, uint, 0644);
MODULE_PARM_DESC(notifier_blob, "bytes of filler the notifier adds to its node (to test dt_max)");

static bool fail_sweep;
module_param(fail_sweep, bool, 0444);
MODULE_PARM_DESC(fail_sweep, "try every restore with each of its allocations failing first");

static unsigned int hold_fdt_ms;
module_param(hold_fdt_ms, uint, 0444);
MODULE_PARM_DESC(hold_fdt_ms, "hold the previous kernel's tree this long at load");

static bool damage_vmalloc;
module_param(damage_vmalloc, bool, 0644);
MODULE_PARM_DESC(damage_vmalloc, "hand over the last vmalloc area claiming a page more than it lists (a hostile case)");
static bool vmalloc_damaged;

/* DUMP and ABORT events seen: a failed activation must balance them. */
static unsigned int dumps, aborts;
module_param(dumps, uint, 0444);
module_param(aborts, uint, 0444);

struct folio_record {
	u64 phys;
	u32 order;
	u32 crc;
};

struct test_table {
	u32 magic;
	u32 generation;
	u32 count;
	u32 crc;		/* of records[] */
	u32 vmalloc_crc[VMALLOC_AREAS];
	struct kho_vmalloc vmalloc[VMALLOC_AREAS];
	struct folio_record records[MAX_FOLIOS];
};
#define TABLE_MAGIC 0x6b74737e

static struct folio *folios[MAX_FOLIOS];
static struct folio *table_folio, *fdt_folio, *dump_folio;
static bool table_preserved, fdt_preserved, subtree_added, dump_preserved;
static bool vmalloc_preserved[VMALLOC_AREAS];
/* A tree a notifier adds and removes again while serializing. */
static u8 dump_fdt[256] __aligned(8);
static void *vbuf[VMALLOC_AREAS];
static u32 generation = 1;

/*
 * Whether freed folios of @order stay on a per-CPU list, out of MemFree:
 * the page allocator's pcp_allowed_order(), which keeps the PMD order too
 * with THP.
 */
static bool kho_test_pcp_order(unsigned int order)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	if (order == HPAGE_PMD_ORDER)
		return true;
#endif
	return order <= PAGE_ALLOC_COSTLY_ORDER;
}

static u32 folio_crc(struct folio *folio)
{
	return crc32_le(~0, folio_address(folio), folio_size(folio));
}

/*
 * @restore of @args[0], with its k-th allocation failing, for k = 1, 2, ...
 * until it makes fewer than k allocations: every failed try must take
 * nothing, so the last try, which nothing failed, gets it.  When a failure
 * was absorbed (an optional allocation, a fallback) the restore succeeds
 * anyway; the sweep goes on with the next of @args, so every point is
 * tried.  Fills @got[i] for the @args it used; without fail_sweep, one
 * plain restore of @args[0].
 */
static unsigned int restore_swept(void *(*restore)(const void *arg), const void *const *args,
				  unsigned int nr, void **got, const char *what)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int k, left, used = 0, absorbed = 0;

	for (k = 1; fail_sweep && used < nr; k++) {
		WRITE_ONCE(current->fail_nth, k);
		got[used] = restore(args[used]);
		left = READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		if (left) {
			pr_info("PASS fail_sweep: %s: %u allocation points, each failed once without effect, %u absorbed\n",
				what, k - 1, absorbed);
			return used + 1;
		}
		if (got[used]) {
			absorbed++;
			used++;
		}
	}
	if (fail_sweep) {
		pr_err("FAIL fail_sweep: %s: more absorbed failures than objects to restore\n", what);
		return used;
	}
#else
	if (fail_sweep)
		pr_err("FAIL fail_sweep: this kernel has no CONFIG_FAULT_INJECTION\n");
#endif
	got[0] = restore(args[0]);
	return 1;
}

static void *restore_vmalloc(const void *preservation)
{
	return kho_restore_vmalloc(preservation);
}

static void *restore_folio(const void *phys)
{
	return kho_restore_folio(*(const u64 *)phys);
}

static void restore_previous(void)
{
	const struct test_table *t;
	struct folio *tf, *ff;
	phys_addr_t fdt_phys;
	const u64 *table;
	const void *fdt;
	unsigned long big_pages = 0, big_back = 0;
	unsigned int i, ok = 0;
	unsigned int ok_vmalloc = 0;
	const void *varg[VMALLOC_AREAS];
	void *vbuf_prev[VMALLOC_AREAS];
	int len;

	pr_info("is_kho_boot() %s\n", is_kho_boot() ? "true" : "false");
	if (kho_retrieve_subtree("kho-test", &fdt_phys)) {
		pr_info("no kho-test subtree: generation 1\n");
		return;
	}
	ff = kho_restore_folio(fdt_phys);
	if (!ff) {
		pr_err("FAIL restore: the subtree page was not preserved\n");
		return;
	}
	fdt = folio_address(ff);
	table = fdt_getprop(fdt, 0, "table", &len);
	if (fdt_check_header(fdt) || fdt_node_check_compatible(fdt, 0, "kho-test-v1") ||
	    !table || len != sizeof(*table)) {
		pr_err("FAIL restore: subtree malformed\n");
		goto out;
	}
	tf = kho_restore_folio(*table);
	if (!tf) {
		pr_err("FAIL restore: table folio not preserved\n");
		goto out;
	}
	t = folio_address(tf);
	if (t->magic != TABLE_MAGIC || t->count > MAX_FOLIOS ||
	    t->crc != crc32_le(~0, (void *)t->records, t->count * sizeof(t->records[0]))) {
		pr_err("FAIL restore: table corrupted\n");
		folio_put(tf);
		goto out;
	}
	generation = t->generation + 1;
	for (i = 0; i < VMALLOC_AREAS; i++)
		varg[i] = &t->vmalloc[i];
	i = restore_swept(restore_vmalloc, varg, VMALLOC_AREAS, vbuf_prev, "kho_restore_vmalloc");
	for (; i < VMALLOC_AREAS; i++)
		vbuf_prev[i] = kho_restore_vmalloc(&t->vmalloc[i]);
	for (i = 0; i < VMALLOC_AREAS; i++) {
		if (!vbuf_prev[i])
			pr_err("FAIL restore: vmalloc area %u missing\n", i);
		else if (crc32_le(~0, vbuf_prev[i], VMALLOC_BYTES) != t->vmalloc_crc[i])
			pr_err("FAIL restore: vmalloc area %u checksum\n", i);
		else
			ok_vmalloc++;
		vfree(vbuf_prev[i]);
	}
	for (i = 0; i < t->count; i++) {
		const struct folio_record *r = &t->records[i];
		const void *arg = &r->phys;
		struct folio *f;

		if (i)
			f = kho_restore_folio(r->phys);
		else
			restore_swept(restore_folio, &arg, 1, (void **)&f, "kho_restore_folio");

		if (!f) {
			pr_err("FAIL restore: folio %u at %#llx missing\n", i, r->phys);
			continue;
		}
		if (folio_order(f) != r->order || folio_ref_count(f) != 1 ||
		    PageReserved(&f->page) || folio_crc(f) != r->crc) {
			pr_err("FAIL restore: folio %u at %#llx: order %u/%u refs %d crc %s\n", i,
			       r->phys, folio_order(f), r->order, folio_ref_count(f),
			       folio_crc(f) == r->crc ? "ok" : "BAD");
		} else {
			ok++;
		}
		/* Orders the per-CPU lists do not keep go straight back to MemFree. */
		if (!kho_test_pcp_order(folio_order(f))) {
			unsigned long before = global_zone_page_state(NR_FREE_PAGES);

			big_pages += folio_nr_pages(f);
			folio_put(f);
			big_back += global_zone_page_state(NR_FREE_PAGES) - before;
			continue;
		}
		folio_put(f);
	}
	/* 64 pages of slack for whatever else the system allocates meanwhile. */
	if (big_pages && big_back + 64 >= big_pages)
		pr_info("PASS folio_put: %lu pages of restored large folios back in MemFree\n",
			big_pages);
	else if (big_pages)
		pr_err("FAIL folio_put: %lu of %lu pages came back\n", big_back, big_pages);
	if (kho_restore_folio(t->records[0].phys))
		pr_err("FAIL restore: a folio was restored twice\n");
	if (ok == t->count && ok_vmalloc == VMALLOC_AREAS)
		pr_info("PASS restore: generation %u got %u folios and the vmalloc areas back, all checksums match\n",
			generation, ok);
	folio_put(tf);
out:
	folio_put(ff);
}

static void free_all(void)
{
	for (unsigned int i = 0; i < MAX_FOLIOS; i++) {
		if (folios[i]) {
			kho_unpreserve_folio(folios[i]);
			folio_put(folios[i]);
			folios[i] = NULL;
		}
	}
	if (fdt_folio) {
		if (subtree_added)
			kho_remove_subtree(folio_address(fdt_folio));
		if (fdt_preserved)
			kho_unpreserve_folio(fdt_folio);
		folio_put(fdt_folio);
		fdt_folio = NULL;
	}
	for (unsigned int i = 0; i < VMALLOC_AREAS; i++) {
		struct test_table *t = folio_address(table_folio);

		if (vmalloc_preserved[i])
			kho_unpreserve_vmalloc(&t->vmalloc[i]);
		vmalloc_preserved[i] = false;
		vfree(vbuf[i]);
		vbuf[i] = NULL;
	}
	if (table_folio) {
		if (table_preserved)
			kho_unpreserve_folio(table_folio);
		folio_put(table_folio);
		table_folio = NULL;
	}
	if (dump_folio) {
		if (dump_preserved)
			kho_unpreserve_folio(dump_folio);
		folio_put(dump_folio);
		dump_folio = NULL;
	}
	table_preserved = fdt_preserved = subtree_added = false;
	dump_preserved = false;
}

static bool in_window(struct folio *folio)
{
	u64 phys = (u64)folio_pfn(folio) << PAGE_SHIFT;

	return phys >= min_phys && phys < max_phys;
}

/* An order-0 folio in [min_phys, max_phys), from at most 1 GiB of tries. */
static struct folio *alloc_placed_folio(void)
{
	struct folio *folio, **low;
	unsigned int n = 0, i;

	low = kvcalloc(SZ_1G / PAGE_SIZE, sizeof(*low), GFP_KERNEL);
	if (!low)
		return NULL;
	while ((folio = folio_alloc(GFP_KERNEL, 0)) && !in_window(folio) &&
	       n < SZ_1G / PAGE_SIZE)
		low[n++] = folio;
	for (i = 0; i < n; i++)
		folio_put(low[i]);
	kvfree(low);
	return folio;
}

/* The subtree the notifier adds while serializing: ready, preserved. */
static int preserve_dump_subtree(void)
{
	void *fdt;
	int err;

	dump_folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (!dump_folio)
		return -ENOMEM;
	fdt = folio_address(dump_folio);
	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property(fdt, "compatible", "kho-test-dump-v1", sizeof("kho-test-dump-v1"));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err)
		return -EINVAL;
	err = fdt_create(dump_fdt, sizeof(dump_fdt));
	err = err ?: fdt_finish_reservemap(dump_fdt);
	err = err ?: fdt_begin_node(dump_fdt, "");
	err = err ?: fdt_end_node(dump_fdt);
	err = err ?: fdt_finish(dump_fdt);
	if (err)
		return -EINVAL;
	err = kho_preserve_folio(dump_folio);
	dump_preserved = !err;
	return err;
}

static int preserve_next(void)
{
	struct rnd_state fill;
	struct test_table *t;
	u64 table_phys;
	void *fdt;
	unsigned int i;
	int err;

	table_folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, get_order(sizeof(*t)));
	fdt_folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (!table_folio || !fdt_folio)
		return -ENOMEM;
	t = folio_address(table_folio);
	t->magic = TABLE_MAGIC;
	t->generation = generation;
	t->count = min(nr_folios, MAX_FOLIOS);
	/*
	 * Contents from a seeded prandom: get_random_bytes() (ChaCha) over
	 * tens of MiB takes most of a minute under TCG on arm64.
	 */
	prandom_seed_state(&fill, get_random_u64());
	for (i = 0; i < t->count; i++) {
		unsigned int order = get_random_u32_below(MAX_ORDER_TESTED + 1);

		folios[i] = min_phys && !i ? alloc_placed_folio() : folio_alloc(GFP_KERNEL, order);
		if (min_phys && !i)
			order = 0;
		if (!folios[i])
			return -ENOMEM;
		prandom_bytes_state(&fill, folio_address(folios[i]), folio_size(folios[i]));
		cond_resched();
		t->records[i] = (struct folio_record){
			folio_pfn(folios[i]) << PAGE_SHIFT, order, folio_crc(folios[i]) };
		err = kho_preserve_folio(folios[i]);
		if (err) {
			folio_put(folios[i]);
			folios[i] = NULL;
			return err;
		}
		if (list_folios)
			pr_info("folio %u at %#llx order %u\n", i, t->records[i].phys, order);
	}
	t->crc = crc32_le(~0, (void *)t->records, t->count * sizeof(t->records[0]));
	for (i = 0; i < VMALLOC_AREAS; i++) {
		vbuf[i] = vmalloc(VMALLOC_BYTES);
		if (!vbuf[i])
			return -ENOMEM;
		prandom_bytes_state(&fill, vbuf[i], VMALLOC_BYTES);
		t->vmalloc_crc[i] = crc32_le(~0, vbuf[i], VMALLOC_BYTES);
		err = kho_preserve_vmalloc(vbuf[i], &t->vmalloc[i]);
		if (err)
			return err;
		vmalloc_preserved[i] = true;
	}
	err = kho_preserve_folio(table_folio);
	if (err)
		return err;
	table_preserved = true;
	err = kho_preserve_folio(fdt_folio);
	if (err)
		return err;
	fdt_preserved = true;

	fdt = folio_address(fdt_folio);
	table_phys = folio_pfn(table_folio) << PAGE_SHIFT;
	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property(fdt, "compatible", "kho-test-v1", sizeof("kho-test-v1"));
	err = err ?: fdt_property(fdt, "table", &table_phys, sizeof(table_phys));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_finish(fdt);
	if (err)
		return -EINVAL;
	err = kho_add_subtree("kho-test", fdt);
	subtree_added = !err;
	return err ?: preserve_dump_subtree();
}

static struct notifier_block kho_test_nb;

/* While serializing: what a notifier may call works, the rest says EBUSY. */
static int kho_test_serializing_calls(void)
{
	void *fdt;
	int err;

	fdt = folio_address(dump_folio);
	err = kho_add_subtree("kho-test-scratchpad", dump_fdt);
	if (!err)
		kho_remove_subtree(dump_fdt);
	err = err ?: kho_add_subtree("kho-test-dump", fdt);
	if (err) {
		pr_err("FAIL notifier: subtrees while serializing: %d\n", err);
		return err;
	}
	if (register_kho_notifier(&kho_test_nb) != -EBUSY ||
	    unregister_kho_notifier(&kho_test_nb) != -EBUSY) {
		pr_err("FAIL notifier: (un)registering while serializing did not say EBUSY\n");
		kho_remove_subtree(fdt);
		return -EINVAL;
	}
	pr_info("PASS notifier: subtrees added and removed while serializing, (un)register EBUSY\n");
	return 0;
}

/* The next kernel must refuse that area alone, with one line, and take the rest. */
static void damage_last_vmalloc(bool damage)
{
	struct test_table *t = folio_address(table_folio);

	if (damage != vmalloc_damaged)
		t->vmalloc[VMALLOC_AREAS - 1].total_pages += damage ? 1 : -1;
	vmalloc_damaged = damage;
}

static int kho_test_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	void *fdt;
	int err;

	/* Stay loaded while the handover refers to our memory. */
	if (event == KEXEC_KHO_ABORT) {
		aborts++;
		damage_last_vmalloc(false);
		kho_remove_subtree(folio_address(dump_folio));
		module_put(THIS_MODULE);
		return NOTIFY_DONE;
	}
	__module_get(THIS_MODULE);
	fdt = kho_ser_fdt(data);
	err = fdt_begin_node(fdt, "kho-test-notifier");
	err = err ?: fdt_property(fdt, "compatible", "kho-test-notifier-v1",
				  sizeof("kho-test-notifier-v1"));
	err = err ?: fdt_property(fdt, "generation", &generation, sizeof(generation));
	if (!err && notifier_blob) {
		void *blob = kvzalloc(notifier_blob, GFP_KERNEL);

		err = blob ? fdt_property(fdt, "filler", blob, notifier_blob) : -FDT_ERR_NOSPACE;
		kvfree(blob);
	}
	err = err ?: fdt_end_node(fdt);
	if (err) {
		module_put(THIS_MODULE);
		return notifier_from_errno(-ENOSPC);
	}
	err = kho_test_serializing_calls();
	if (err) {
		module_put(THIS_MODULE);
		return notifier_from_errno(err);
	}
	damage_last_vmalloc(damage_vmalloc);
	dumps++;
	return NOTIFY_DONE;
}

static struct notifier_block kho_test_nb = { .notifier_call = kho_test_notify };

static void check_notifier_node(void)
{
	const void *fdt = kho_get_fdt();
	phys_addr_t dump_phys;
	struct folio *dump;
	const u32 *gen;
	int node, len;

	if (!fdt)
		return;
	node = fdt_subnode_offset(fdt, 0, "kho-test-notifier");
	gen = node >= 0 ? fdt_getprop(fdt, node, "generation", &len) : NULL;
	if (!gen || len != sizeof(*gen) || fdt_node_check_compatible(fdt, node, "kho-test-notifier-v1"))
		pr_err("FAIL notifier: node missing or malformed\n");
	else
		pr_info("PASS notifier: node from generation %u\n", *gen);

	/* The subtree a notifier added while serializing. */
	dump = kho_retrieve_subtree("kho-test-dump", &dump_phys) ? NULL : kho_restore_folio(dump_phys);
	if (!dump || fdt_check_header(folio_address(dump)) ||
	    fdt_node_check_compatible(folio_address(dump), 0, "kho-test-dump-v1"))
		pr_err("FAIL notifier: the subtree added while serializing is missing\n");
	else
		pr_info("PASS notifier: the subtree added while serializing came through\n");
	if (dump)
		folio_put(dump);

	/* A finish written meanwhile waits for kho_put_fdt(). */
	if (hold_fdt_ms) {
		pr_info("holding the previous kernel's tree for %u ms\n", hold_fdt_ms);
		msleep(hold_fdt_ms);
		if (fdt_check_header(fdt) || fdt_node_check_compatible(fdt, 0, "linux-6.12-kho-v1"))
			pr_err("FAIL fdt: the tree changed while held\n");
		else
			pr_info("PASS fdt: still intact after %u ms\n", hold_fdt_ms);
	}
	kho_put_fdt(fdt);
}

static u64 highest_folio(void)
{
	u64 top = 0;

	for (unsigned int i = 0; i < MAX_FOLIOS && folios[i]; i++)
		top = max_t(u64, top, (u64)folio_pfn(folios[i]) << PAGE_SHIFT);
	return top;
}

static int __init kho_test_init(void)
{
	int err;

	if (!kho_is_enabled()) {
		pr_err("FAIL: KHO is not enabled (boot with kho_scratch=)\n");
		return -EOPNOTSUPP;
	}
	check_notifier_node();
	restore_previous();
	err = preserve_next();
	err = err ?: register_kho_notifier(&kho_test_nb);
	if (err) {
		pr_err("FAIL preserve: %d\n", err);
		free_all();
		return err;
	}
	pr_info("generation %u: %u folios preserved for the next kernel, the highest at %#llx\n",
		generation, min(nr_folios, MAX_FOLIOS), highest_folio());
	return 0;
}

static void __exit kho_test_exit(void)
{
	unregister_kho_notifier(&kho_test_nb);
	free_all();
}

module_init(kho_test_init);
module_exit(kho_test_exit);
MODULE_DESCRIPTION("End-to-end test of Kexec HandOver: folios across kexec");
MODULE_LICENSE("GPL");
