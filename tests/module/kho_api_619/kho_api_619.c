// SPDX-License-Identifier: GPL-2.0
/*
 * kho_api_619: a KHO user written the way mainline 6.16-7.0 code is, built
 * unchanged against this project (tests/e2e/rootfs/scenarios/kho-api.sh).
 *
 * Outgoing (a boot without a handover): preserves three pages and an
 * order-2 folio, describes them in a device tree of its own in memory from
 * kho_alloc_preserve(), and adds it with kho_add_subtree(name, fdt).
 * Incoming: kho_retrieve_subtree(name, &phys), finds its nodes by path
 * (fdt_path_offset(), one of the libfdt calls 6.12 does not export), and
 * takes back and checks what they name.  Results: "kho_api_619: PASS|FAIL
 * ..." lines.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>

#define SUBTREE		"kho-api-619"
#define COMPATIBLE	"kho-api-619-v1"
#define NR_PAGES	3
#define FOLIO_ORDER	2

static struct page *pages;
static struct folio *folio;
static void *fdt;
static bool pages_preserved, folio_preserved, subtree_added;

/* Page @i of a run, filled so that a page moved or mixed up shows. */
static void fill(void *mem, unsigned long size, u64 seed)
{
	u64 *word = mem;

	for (unsigned long i = 0; i < size / sizeof(*word); i++)
		word[i] = seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

static bool filled(const void *mem, unsigned long size, u64 seed)
{
	const u64 *word = mem;

	for (unsigned long i = 0; i < size / sizeof(*word); i++)
		if (word[i] != (seed ^ (i * 0x9e3779b97f4a7c15ULL)))
			return false;
	return true;
}

static int write_tree(phys_addr_t pages_at, phys_addr_t folio_at)
{
	u32 nr = NR_PAGES;
	int err;

	err = fdt_create(fdt, PAGE_SIZE);
	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", COMPATIBLE);
	err = err ?: fdt_begin_node(fdt, "memory");
	err = err ?: fdt_begin_node(fdt, "pages");
	err = err ?: fdt_property(fdt, "phys", &pages_at, sizeof(pages_at));
	err = err ?: fdt_property_u32(fdt, "nr-pages", nr);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_begin_node(fdt, "folio");
	err = err ?: fdt_property(fdt, "phys", &folio_at, sizeof(folio_at));
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	err = err ?: fdt_end_node(fdt);
	return err ?: fdt_finish(fdt);
}

static int hand_over(void)
{
	int err;

	fdt = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(fdt)) {
		err = PTR_ERR(fdt);
		fdt = NULL;
		return err;
	}
	pages = alloc_pages(GFP_KERNEL, get_order(NR_PAGES * PAGE_SIZE));
	folio = folio_alloc(GFP_KERNEL, FOLIO_ORDER);
	if (!pages || !folio)
		return -ENOMEM;
	fill(page_address(pages), NR_PAGES * PAGE_SIZE, 619);
	fill(folio_address(folio), folio_size(folio), 6190);
	err = kho_preserve_pages(pages, NR_PAGES);
	if (err)
		return err;
	pages_preserved = true;
	err = kho_preserve_folio(folio);
	if (err)
		return err;
	folio_preserved = true;
	if (write_tree(page_to_phys(pages), PFN_PHYS(folio_pfn(folio))))
		return -EINVAL;
	/* The era's form: a finished device tree, its size read from it. */
	err = kho_add_subtree(SUBTREE, fdt);
	subtree_added = !err;
	return err;
}

static int refuses_what_is_not_a_tree(void)
{
	void *blob = kho_alloc_preserve(PAGE_SIZE);
	int err;

	if (IS_ERR(blob))
		return PTR_ERR(blob);
	err = kho_add_subtree(SUBTREE "-zeroes", blob);
	kho_unpreserve_free(blob);
	return err == -EINVAL ? 0 : -EPROTO;
}

static phys_addr_t phys_at(const void *tree, const char *path)
{
	int node = fdt_path_offset(tree, path), len;
	const void *prop = node >= 0 ? fdt_getprop(tree, node, "phys", &len) : NULL;
	u64 phys;

	if (!prop || len != sizeof(phys))
		return 0;
	memcpy(&phys, prop, sizeof(phys));
	return phys;
}

static void take_back(void)
{
	struct folio *tree_folio, *restored_folio;
	struct page *restored_pages;
	phys_addr_t phys;
	const void *tree;

	if (kho_retrieve_subtree(SUBTREE, &phys)) {
		pr_err("FAIL subtree " SUBTREE " not found\n");
		return;
	}
	tree_folio = kho_restore_folio(phys);
	tree = tree_folio ? folio_address(tree_folio) : NULL;
	if (!tree || fdt_check_header(tree) || fdt_totalsize(tree) > folio_size(tree_folio) ||
	    fdt_node_check_compatible(tree, 0, COMPATIBLE)) {
		pr_err("FAIL the subtree is not our tree\n");
		goto out;
	}
	pr_info("PASS kho_retrieve_subtree(name, &phys) found the tree\n");

	restored_pages = kho_restore_pages(phys_at(tree, "/memory/pages"), NR_PAGES);
	if (restored_pages && filled(page_address(restored_pages), NR_PAGES * PAGE_SIZE, 619))
		pr_info("PASS pages at /memory/pages (fdt_path_offset) came back intact\n");
	else
		pr_err("FAIL pages at /memory/pages missing or changed\n");
	if (restored_pages)
		for (int i = 0; i < NR_PAGES; i++)
			__free_page(restored_pages + i);

	restored_folio = kho_restore_folio(phys_at(tree, "/memory/folio"));
	if (restored_folio && folio_order(restored_folio) == FOLIO_ORDER &&
	    filled(folio_address(restored_folio), folio_size(restored_folio), 6190))
		pr_info("PASS the order-%d folio at /memory/folio came back intact\n", FOLIO_ORDER);
	else
		pr_err("FAIL the folio at /memory/folio missing or changed\n");
	if (restored_folio)
		folio_put(restored_folio);
out:
	if (tree_folio)
		folio_put(tree_folio);
}

/* Unloading while the handover is active is a caller's bug: KHO WARNs. */
static void let_go(void)
{
	if (folio_preserved)
		kho_unpreserve_folio(folio);
	if (folio)
		folio_put(folio);
	if (pages_preserved)
		kho_unpreserve_pages(pages, NR_PAGES);
	if (pages)
		__free_pages(pages, get_order(NR_PAGES * PAGE_SIZE));
	if (subtree_added)
		kho_remove_subtree(fdt);
	if (fdt)
		kho_unpreserve_free(fdt);
}

static int __init kho_api_619_init(void)
{
	int err;

	if (is_kho_boot()) {
		take_back();
		return 0;
	}
	err = refuses_what_is_not_a_tree();
	if (err)
		pr_err("FAIL kho_add_subtree(name, fdt) took memory that is not a tree: %d\n", err);
	else
		pr_info("PASS kho_add_subtree(name, fdt) refuses memory that is not a tree\n");
	err = hand_over();
	if (err) {
		pr_err("FAIL handing over: %d\n", err);
		let_go();
		return err;
	}
	pr_info("PASS subtree " SUBTREE " added\n");
	return 0;
}

static void __exit kho_api_619_exit(void)
{
	let_go();
}

module_init(kho_api_619_init);
module_exit(kho_api_619_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KHO as mainline 6.16-7.0 code uses it");
