// SPDX-License-Identifier: GPL-2.0
/*
 * A KHO user of the notifier model (Documentation/kho/porting.rst): when
 * the operator activates the handover, write a node of our own into the
 * handover tree and preserve the page it names; in the next kernel, find
 * the node by name, check it, take the page back.
 *
 * The state: a generation count and a page of text, handed on at every
 * kexec.  Load the module in each kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>

#define NODE		"sample-kho-notifier"
#define COMPATIBLE	"sample-kho-notifier-v1"	/* the format's version */

static u64 generation;
static struct folio *text;	/* a page of text, NUL-terminated */

static int sample_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	u64 phys = PFN_PHYS(folio_pfn(text));
	void *fdt;
	int err;

	switch (event) {
	case KEXEC_KHO_DUMP:
		err = kho_preserve_folio(text);
		if (err)
			return notifier_from_errno(err);
		fdt = kho_ser_fdt(data);
		err = fdt_begin_node(fdt, NODE);
		err = err ?: fdt_property_string(fdt, "compatible", COMPATIBLE);
		err = err ?: fdt_property(fdt, "generation", &generation, sizeof(generation));
		err = err ?: fdt_property(fdt, "text", &phys, sizeof(phys));
		err = err ?: fdt_end_node(fdt);
		if (err) {
			kho_unpreserve_folio(text);
			return notifier_from_errno(-ENOSPC);
		}
		/* The page is the next kernel's now: no unloading until ABORT. */
		__module_get(THIS_MODULE);
		return NOTIFY_OK;
	case KEXEC_KHO_ABORT:
		kho_unpreserve_folio(text);
		module_put(THIS_MODULE);
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

static struct notifier_block sample_nb = { .notifier_call = sample_notify };

/* A u64 property, or false: the tree is the previous kernel's, untrusted. */
static bool read_u64(const void *fdt, int node, const char *name, u64 *value)
{
	int len;
	const void *prop = fdt_getprop(fdt, node, name, &len);

	if (!prop || len != sizeof(*value))
		return false;
	memcpy(value, prop, sizeof(*value));
	return true;
}

/* The previous kernel's state, if it left us any: its text page becomes ours. */
static void take_over(void)
{
	const void *fdt = kho_get_fdt();
	struct folio *folio;
	u64 gen, phys;
	int node;

	if (!fdt)
		return;
	node = fdt_subnode_offset(fdt, 0, NODE);
	if (node < 0 || fdt_node_check_compatible(fdt, node, COMPATIBLE) ||
	    !read_u64(fdt, node, "generation", &gen) || !read_u64(fdt, node, "text", &phys)) {
		kho_put_fdt(fdt);
		if (node >= 0)
			pr_warn("node " NODE " malformed or of another version; ignored\n");
		return;
	}
	kho_put_fdt(fdt);
	folio = kho_restore_folio(phys);
	if (!folio || folio_order(folio)) {
		pr_warn("text page at %#llx not handed over; ignored\n", phys);
		if (folio)
			folio_put(folio);
		return;
	}
	folio_put(text);
	text = folio;
	generation = gen;
	((char *)folio_address(text))[PAGE_SIZE - 1] = '\0';
	pr_info("generation %llu handed over: %s\n", generation, (char *)folio_address(text));
}

static int __init sample_init(void)
{
	int err;

	text = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (!text)
		return -ENOMEM;
	take_over();
	generation++;
	snprintf(folio_address(text), PAGE_SIZE, "written in generation %llu", generation);
	err = register_kho_notifier(&sample_nb);
	if (err)
		folio_put(text);
	return err;
}

static void __exit sample_exit(void)
{
	unregister_kho_notifier(&sample_nb);
	folio_put(text);
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample: a KHO notifier handing a page over");
