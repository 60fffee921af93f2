// SPDX-License-Identifier: GPL-2.0
/*
 * A kstate user (Documentation/kho/porting.rst): describe the structure
 * once, register the object, and kstate saves it when the handover is
 * serialized; in the next kernel kstate_restore() fills a new object from
 * it, every field checked against the same description first.  No format
 * code of our own: the description is the format, its version the
 * contract.
 *
 * The state: a generation count, a line of text, and a page handed over
 * by reference (KSTATE_FOLIO).  Load the module in each kernel.  Not to be
 * unloaded while the handover is active: the saved state names the page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/module.h>

struct sample_state {
	u64 generation;
	char text[48];
	struct folio *page;	/* a page of our own, not copied */
};

static const struct kstate_field sample_fields[] = {
	KSTATE_SIMPLE(generation, struct sample_state),
	KSTATE_SIMPLE(text, struct sample_state),
	KSTATE_FOLIO(page, struct sample_state),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description sample_desc = {
	.name = "sample_kstate",
	.version_id = 1,
	.min_version_id = 1,
	.fields = sample_fields,
};

static struct sample_state state;

static int __init sample_init(void)
{
	int err = kstate_restore(&sample_desc, &state, 0);
	const char *page_text;

	if (!err) {
		/* Restored field by field, but the bytes are the previous kernel's. */
		page_text = folio_address(state.page);
		pr_info("generation %llu handed over: %.*s, page says: %.*s\n", state.generation,
			(int)strnlen(state.text, sizeof(state.text)), state.text,
			(int)strnlen(page_text, PAGE_SIZE), page_text);
	} else if (err != -ENOENT) {
		pr_warn("previous state refused: %d\n", err);
	}
	if (err) {
		state.generation = 0;
		state.page = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
		if (!state.page)
			return -ENOMEM;
	}
	state.generation++;
	snprintf(state.text, sizeof(state.text), "written in generation %llu", state.generation);
	snprintf(folio_address(state.page), PAGE_SIZE, "page of generation %llu",
		 state.generation);
	err = kstate_register(&sample_desc, &state, 0);
	if (err)
		folio_put(state.page);
	return err;
}

static void __exit sample_exit(void)
{
	kstate_unregister(&sample_desc, &state, 0);
	folio_put(state.page);
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample: state described for kstate");
