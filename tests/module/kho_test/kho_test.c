// SPDX-License-Identifier: GPL-2.0
/*
 * kho_test: hands random data over across kexec and checks it came back.
 *
 * On load it first restores what the previous kernel's kho_test left (if
 * this is a KHO boot): every folio, its order and its checksum.  Then it
 * preserves a new set for the next kernel: folios of random orders (up to
 * 10) with random contents, a table describing them, and a subtree
 * "kho-test" pointing at the table.  It also registers a notifier that
 * writes a "kho-test-notifier" node with the generation number.
 *
 * Results go to the log as "kho_test: PASS ..." / "kho_test: FAIL ...".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define MAX_FOLIOS	64
#define MAX_ORDER_TESTED 10
#define VMALLOC_BYTES	(96 * 1024)

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
	u32 vmalloc_crc;
	struct kho_vmalloc vmalloc;
	struct folio_record records[MAX_FOLIOS];
};
#define TABLE_MAGIC 0x6b74737e

static struct folio *folios[MAX_FOLIOS];
static struct folio *table_folio, *fdt_folio;
static bool table_preserved, fdt_preserved, subtree_added, vmalloc_preserved;
static void *vbuf;
static u32 generation = 1;

static u32 folio_crc(struct folio *folio)
{
	return crc32_le(~0, folio_address(folio), folio_size(folio));
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
	bool ok_vmalloc = false;
	void *vbuf_prev;
	int len;

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
	vbuf_prev = kho_restore_vmalloc(&t->vmalloc);
	if (!vbuf_prev)
		pr_err("FAIL restore: vmalloc area missing\n");
	else if (crc32_le(~0, vbuf_prev, VMALLOC_BYTES) != t->vmalloc_crc)
		pr_err("FAIL restore: vmalloc area checksum\n");
	else
		ok_vmalloc = true;
	vfree(vbuf_prev);
	for (i = 0; i < t->count; i++) {
		const struct folio_record *r = &t->records[i];
		struct folio *f = kho_restore_folio(r->phys);

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
		/* Orders above the per-CPU lists' go straight back to MemFree. */
		if (folio_order(f) > PAGE_ALLOC_COSTLY_ORDER) {
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
	if (ok == t->count && ok_vmalloc)
		pr_info("PASS restore: generation %u got %u folios and a vmalloc area back, all checksums match\n",
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
	if (vbuf) {
		struct test_table *t = folio_address(table_folio);

		if (vmalloc_preserved)
			kho_unpreserve_vmalloc(&t->vmalloc);
		vfree(vbuf);
		vbuf = NULL;
	}
	if (table_folio) {
		if (table_preserved)
			kho_unpreserve_folio(table_folio);
		folio_put(table_folio);
		table_folio = NULL;
	}
	table_preserved = fdt_preserved = subtree_added = vmalloc_preserved = false;
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

static int preserve_next(void)
{
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
	for (i = 0; i < t->count; i++) {
		unsigned int order = get_random_u32_below(MAX_ORDER_TESTED + 1);

		folios[i] = min_phys && !i ? alloc_placed_folio() : folio_alloc(GFP_KERNEL, order);
		if (min_phys && !i)
			order = 0;
		if (!folios[i])
			return -ENOMEM;
		get_random_bytes(folio_address(folios[i]), folio_size(folios[i]));
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
	vbuf = vmalloc(VMALLOC_BYTES);
	if (!vbuf)
		return -ENOMEM;
	get_random_bytes(vbuf, VMALLOC_BYTES);
	t->vmalloc_crc = crc32_le(~0, vbuf, VMALLOC_BYTES);
	err = kho_preserve_vmalloc(vbuf, &t->vmalloc);
	if (err)
		return err;
	vmalloc_preserved = true;
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
	return err;
}

static int kho_test_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	void *fdt;
	int err;

	/* Stay loaded while the handover refers to our memory. */
	if (event == KEXEC_KHO_ABORT) {
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
	return NOTIFY_DONE;
}

static struct notifier_block kho_test_nb = { .notifier_call = kho_test_notify };

static void check_notifier_node(void)
{
	const void *fdt = kho_get_fdt();
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
