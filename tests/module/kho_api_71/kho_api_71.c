// SPDX-License-Identifier: GPL-2.0
/*
 * kho_api_71: a KHO user written the way mainline 7.1 code is, built
 * unchanged against this project (tests/e2e/rootfs/scenarios/kho-api.sh).
 *
 * Outgoing: a plain C struct (not a device tree) in memory from
 * kho_alloc_preserve(), handed over with kho_add_subtree(name, blob, size);
 * it names a preserved vmalloc area and a spare buffer the next kernel
 * does not want.  A buffer allocated and given back at once
 * (kho_unpreserve_free()) must not reach the next kernel.
 * Incoming: kho_retrieve_subtree(name, &phys, &size), the size checked
 * before the blob is used, the area restored, the spare freed with
 * kho_restore_free().  Results: "kho_api_71: PASS|FAIL ..." lines.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#define SUBTREE		"kho-api-71"
#define BLOB_MAGIC	0x6b686f37316170ULL	/* "pa17ohk" */
#define AREA_PAGES	5

struct kho_api_71_blob {
	u64 magic;
	struct kho_vmalloc area;
	u64 spare;		/* physical address of an unwanted buffer */
	u64 given_back;		/* physical address of one unpreserved at once */
};

static struct kho_api_71_blob *blob;
static void *area, *spare;
/* Held, so that no other preserved allocation can land on it. */
static struct folio *given_back_held;
static bool area_preserved, subtree_added;

static u32 *words(void *mem) { return mem; }

static int hand_over(void)
{
	void *given_back;
	int err;

	blob = kho_alloc_preserve(sizeof(*blob));
	spare = kho_alloc_preserve(3 * PAGE_SIZE);
	given_back = kho_alloc_preserve(PAGE_SIZE);
	if (IS_ERR(blob) || IS_ERR(spare) || IS_ERR(given_back)) {
		err = PTR_ERR(IS_ERR(blob) ? blob : IS_ERR(spare) ? spare : given_back);
		if (!IS_ERR(given_back))
			kho_unpreserve_free(given_back);
		return err;
	}
	blob->magic = BLOB_MAGIC;
	blob->spare = virt_to_phys(spare);
	blob->given_back = virt_to_phys(given_back);
	given_back_held = virt_to_folio(given_back);
	folio_get(given_back_held);
	kho_unpreserve_free(given_back);

	area = vmalloc(AREA_PAGES * PAGE_SIZE);
	if (!area)
		return -ENOMEM;
	for (unsigned int i = 0; i < AREA_PAGES * PAGE_SIZE / sizeof(u32); i++)
		words(area)[i] = i ^ 0x71;
	err = kho_preserve_vmalloc(area, &blob->area);
	if (err)
		return err;
	area_preserved = true;
	/* The era's form: any blob, its size given. */
	err = kho_add_subtree(SUBTREE, blob, sizeof(*blob));
	subtree_added = !err;
	return err;
}

static void check_area(const struct kho_api_71_blob *in)
{
	void *restored = kho_restore_vmalloc(&in->area);
	bool intact = restored;

	for (unsigned int i = 0; intact && i < AREA_PAGES * PAGE_SIZE / sizeof(u32); i++)
		intact = words(restored)[i] == (i ^ 0x71);
	if (intact)
		pr_info("PASS the %d-page vmalloc area named in the blob came back intact\n",
			AREA_PAGES);
	else
		pr_err("FAIL the vmalloc area named in the blob is missing or changed\n");
	vfree(restored);
}

static void take_back(void)
{
	const struct kho_api_71_blob *in;
	struct folio *folio;
	phys_addr_t phys;
	size_t size;

	if (kho_retrieve_subtree(SUBTREE, &phys, &size)) {
		pr_err("FAIL subtree " SUBTREE " not found\n");
		return;
	}
	/* From the previous kernel: the size is checked before the blob is read. */
	if (size != sizeof(*in)) {
		pr_err("FAIL blob of %zu bytes, expected %zu\n", size, sizeof(*in));
		return;
	}
	folio = kho_restore_folio(phys);
	in = folio ? folio_address(folio) : NULL;
	if (!in || in->magic != BLOB_MAGIC) {
		pr_err("FAIL the blob is missing or not ours\n");
		goto out;
	}
	pr_info("PASS kho_retrieve_subtree(name, &phys, &size) found a %zu-byte blob\n", size);
	check_area(in);

	kho_restore_free(phys_to_virt(in->spare));
	if (kho_restore_folio(in->spare))
		pr_err("FAIL the spare buffer is still restorable after kho_restore_free()\n");
	else
		pr_info("PASS kho_restore_free() took the spare buffer\n");
	if (kho_restore_folio(in->given_back))
		pr_err("FAIL a buffer given back with kho_unpreserve_free() was handed over\n");
	else
		pr_info("PASS kho_unpreserve_free() kept its buffer out of the handover\n");
out:
	if (folio)
		folio_put(folio);
}

/* Unloading while the handover is active is a caller's bug: KHO WARNs. */
static void let_go(void)
{
	if (subtree_added)
		kho_remove_subtree(blob);
	if (area_preserved)
		kho_unpreserve_vmalloc(&blob->area);
	vfree(area);
	if (!IS_ERR_OR_NULL(spare))
		kho_unpreserve_free(spare);
	if (!IS_ERR_OR_NULL(blob))
		kho_unpreserve_free(blob);
	if (given_back_held)
		folio_put(given_back_held);
}

static int __init kho_api_71_init(void)
{
	int err;

	if (is_kho_boot()) {
		take_back();
		return 0;
	}
	err = hand_over();
	if (err) {
		pr_err("FAIL handing over: %d\n", err);
		let_go();
		return err;
	}
	pr_info("PASS subtree " SUBTREE " added, %zu bytes\n", sizeof(*blob));
	return 0;
}

static void __exit kho_api_71_exit(void)
{
	let_go();
}

module_init(kho_api_71_init);
module_exit(kho_api_71_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KHO as mainline 7.1 code uses it");
