// SPDX-License-Identifier: GPL-2.0
/*
 * A KHO user of mainline's API (Documentation/kho/porting.rst): keep the
 * state in memory from kho_alloc_preserve() and name it with
 * kho_add_subtree(name, blob, size) at load time; it goes over at the
 * next kexec as it is then.  In the next kernel, kho_retrieve_subtree()
 * gives its address and size, checked before anything is read.
 *
 * The state: a generation count and a line of text.  Load the module in
 * each kernel.  Not to be unloaded while the handover is active (KHO
 * refuses the unpreserve with a WARN).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/mm.h>
#include <linux/module.h>

#define SUBTREE		"sample-kho-subtree"
#define STATE_MAGIC	0x53424b48	/* "HKBS", with the version below */
#define STATE_VERSION	1

struct sample_state {
	u32 magic;
	u32 version;		/* a layout change bumps it */
	u64 generation;
	char text[48];
};

static struct sample_state *state;

/* What the previous kernel left, if anything; its memory is freed after. */
static u64 previous_generation(void)
{
	const struct sample_state *old;
	struct folio *folio;
	phys_addr_t phys;
	size_t size;
	u64 gen = 0;

	if (kho_retrieve_subtree(SUBTREE, &phys, &size))
		return 0;
	folio = kho_restore_folio(phys);
	old = folio ? folio_address(folio) : NULL;
	/* The previous kernel's word: its size first, then its contents. */
	if (!old || size != sizeof(*old) || size > folio_size(folio) ||
	    old->magic != STATE_MAGIC || old->version != STATE_VERSION) {
		pr_warn("subtree " SUBTREE " malformed or of another version; ignored\n");
	} else {
		gen = old->generation;
		pr_info("generation %llu handed over: %.*s\n", gen,
			(int)strnlen(old->text, sizeof(old->text)), old->text);
	}
	if (folio)
		folio_put(folio);
	return gen;
}

static int __init sample_init(void)
{
	u64 gen = previous_generation();
	int err;

	state = kho_alloc_preserve(sizeof(*state));
	if (IS_ERR(state))
		return PTR_ERR(state);
	state->magic = STATE_MAGIC;
	state->version = STATE_VERSION;
	state->generation = gen + 1;
	snprintf(state->text, sizeof(state->text), "written in generation %llu",
		 state->generation);
	err = kho_add_subtree(SUBTREE, state, sizeof(*state));
	if (err)
		kho_unpreserve_free(state);
	return err;
}

static void __exit sample_exit(void)
{
	kho_remove_subtree(state);
	kho_unpreserve_free(state);
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample: state handed over as a KHO subtree");
