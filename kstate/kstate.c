// SPDX-License-Identifier: GPL-2.0
/*
 * kstate: the kernel's side of the engine (engine.cpp, stream.cpp).
 *
 * The engine owns the registry, the stream's format and every check of the
 * previous kernel's stream; this file owns the lock, the KHO notifier and
 * the kernel image, memory.c the memory fields hand over.  Saving runs in the KHO notifier, under
 * kstate_lock; the callbacks it makes (pre_save, needed, custom save ...)
 * must not call kstate.  Restoring checks and claims a state under
 * kstate_lock, then fills the object without it, so a post_load may
 * restore another object.  The previous kernel's stream is read in place:
 * every reader holds the tree (kho_get_fdt()), and finishing the handover
 * waits for it, then frees the stream and all unclaimed memory.  The
 * index of the stream goes once the handover is finished and the last
 * restore that was filling an object is done with it.
 */
#define pr_fmt(fmt) "kstate: " fmt

#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <asm/io.h>
#include <asm/sections.h>

#include "kho/incoming.h"
#include "kstate/engine.h"
#include "kstate/memory.h"

static DEFINE_MUTEX(kstate_lock);
static struct kstate_engine *kstate_engine;	/* created at core_initcall */
static bool kstate_frozen;			/* saved: from DUMP until ABORT */
static struct task_struct *kstate_saver;	/* runs the save callbacks */
static bool kstate_loaded;			/* the previous kernel's stream is indexed */
static unsigned int kstate_appliers;		/* restores filling an object unlocked */
static bool kstate_finished;			/* the handover is: unload when unused */

static int kstate_new_chunk(kx_u64 min_size, void **addr, kx_u64 *phys, kx_u64 *size)
{
	unsigned int order = get_order(min_size);
	struct folio *folio;
	int err;

	if (order > MAX_PAGE_ORDER)
		return -E2BIG;
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, order);
	if (!folio)
		return -ENOMEM;
	err = kho_preserve_folio(folio);
	if (err) {
		folio_put(folio);
		return err;
	}
	*addr = folio_address(folio);
	*phys = PFN_PHYS(folio_pfn(folio));
	*size = folio_size(folio);
	return 0;
}

static void kstate_free_chunk(void *addr)
{
	struct folio *folio = virt_to_folio(addr);

	kho_unpreserve_folio(folio);
	folio_put(folio);
}

static int kstate_address_offset(const void *addr, kx_u64 *offset)
{
	unsigned long a = (unsigned long)addr;

	if (a < (unsigned long)_text || a >= (unsigned long)_end)
		return -EINVAL;
	*offset = a - (unsigned long)_text;
	return 0;
}

static const void *kstate_map_chunk(kx_u64 phys, kx_u64 *size)
{
	int order = kho_in_restorable_order(phys);

	if (order < 0)
		return NULL;
	*size = PAGE_SIZE << order;
	return phys_to_virt(phys);
}

static void *kstate_address_at(kx_u64 offset)
{
	return offset < (unsigned long)(_end - _text) ? _text + offset : NULL;
}

static void kstate_dropped(const char *what, kx_u64 where, const char *why)
{
	pr_warn("previous kernel's stream: dropped %s %#llx: %s\n", what, where, why);
}

static const struct kstate_ops kstate_ops = {
	.new_chunk = kstate_new_chunk,
	.free_chunk = kstate_free_chunk,
	.preserve_mem = kstate_preserve_mem,
	.unpreserve_mem = kstate_unpreserve_mem,
	.address_offset = kstate_address_offset,
	.map_chunk = kstate_map_chunk,
	.mem_restorable = kstate_mem_restorable,
	.restore_mem = kstate_restore_mem,
	.release_mem = kstate_release_mem,
	.address_at = kstate_address_at,
	.dropped = kstate_dropped,
};

/**
 * kstate_register() - save an object when the handover is serialized
 * @desc: how to save it; must stay valid until kstate_unregister()
 * @obj: the object; it may change until the handover is serialized
 * @instance_id: tells objects of one description apart
 *
 * Context: process context; not from a kstate callback.
 * Return: 0; -EINVAL for a malformed description (logged); -EEXIST if
 * (@desc->name, @instance_id) is registered already; -EBUSY while the
 * handover is serialized (until it is deactivated); -EDEADLK from a save
 * callback; -ENOMEM; -ENODEV if kstate failed to start.
 */
int kstate_register(const struct kstate_description *desc, void *obj, u64 instance_id)
{
	const char *why;
	int err;

	if (!kstate_engine)
		return -ENODEV;
	if (kstate_saver == current)
		return -EDEADLK;
	guard(mutex)(&kstate_lock);
	if (kstate_frozen)
		return -EBUSY;
	err = kstate_engine_register(kstate_engine, desc, obj, instance_id, &why);
	if (err == -EINVAL)
		pr_err("%s: not registered: %s\n", desc->name ?: "(no name)", why);
	return err;
}
EXPORT_SYMBOL_GPL(kstate_register);

/**
 * kstate_unregister() - stop saving an object
 * @desc: as given to kstate_register()
 * @obj: as given to kstate_register()
 * @instance_id: as given to kstate_register()
 *
 * A state saved already stays in the handover until it is deactivated.
 * Anything that was not registered is ignored.
 *
 * Context: process context; not from a kstate callback.
 */
void kstate_unregister(const struct kstate_description *desc, void *obj, u64 instance_id)
{
	if (!kstate_engine || WARN_ON_ONCE(kstate_saver == current))
		return;
	guard(mutex)(&kstate_lock);
	kstate_engine_unregister(kstate_engine, desc, obj, instance_id);
}
EXPORT_SYMBOL_GPL(kstate_unregister);

/* Indexes the previous kernel's stream once; @fdt is held. */
static void kstate_load(const void *fdt)
{
	const char *why;
	long n;

	lockdep_assert_held(&kstate_lock);
	if (kstate_loaded)
		return;
	n = kstate_engine_load(kstate_engine, fdt, &kstate_ops, &why);
	if (n >= 0)
		pr_info("%ld saved states from the previous kernel\n", n);
	else if (n != -ENOENT)
		pr_warn("previous kernel's stream ignored: %s (%ld)\n", why, n);
	kstate_loaded = n != -ENOMEM;
}

/* Forgets the stream once the handover is finished and no restore reads it. */
static void kstate_unload_if_finished(void)
{
	lockdep_assert_held(&kstate_lock);
	if (!kstate_finished || kstate_appliers || !kstate_loaded)
		return;
	if (kstate_engine_unclaimed(kstate_engine))
		pr_info("%zu saved states were not restored\n",
			kstate_engine_unclaimed(kstate_engine));
	kstate_engine_unload(kstate_engine);
	kstate_loaded = false;
}

/**
 * kstate_restore() - fill an object from the previous kernel's saved state
 * @desc: how it was saved: the same name, a version in
 *	[@desc->min_version_id, @desc->version_id], the same layout
 * @obj: the object; its pointer fields must point at storage already
 * @instance_id: as the previous kernel registered it
 *
 * Can be called at any time, in any order, until the handover is finished.
 * Each saved state is restored at most once.  A refused state is logged in
 * one line naming the description and the first field that differs, and
 * stays for a reader with the right description; @obj is then untouched.
 * A restore that fails later (a callback's error) consumes the state and
 * may leave @obj partly filled, but gives back every folio it took.
 *
 * Context: process context.
 * Return: 0; -ENOENT if nothing (or nothing unclaimed) was saved under
 * (@desc->name, @instance_id), or there is no handover; -EPROTO if the
 * state is refused; -EINVAL for a malformed @desc; -EBUSY if a folio it
 * names was taken meanwhile; an error of @desc's callbacks.
 */
int kstate_restore(const struct kstate_description *desc, void *obj, u64 instance_id)
{
	struct kstate_refusal refusal = {};
	const void *fdt;
	int err = -ENOENT;

	if (!kstate_engine)
		return -ENODEV;
	if (kstate_saver == current)
		return -EDEADLK;
	fdt = kho_get_fdt();
	if (!fdt) {
		scoped_guard(mutex, &kstate_lock) {
			kstate_finished = true;
			kstate_unload_if_finished();
		}
		/* A malformed description is a bug: say so with or without a handover. */
		err = kstate_engine_check(desc, &refusal.why);
		if (err)
			pr_err("%s: cannot restore: %s\n", desc->name ?: "(no name)", refusal.why);
		return err ?: -ENOENT;
	}
	scoped_guard(mutex, &kstate_lock) {
		kstate_load(fdt);
		if (kstate_loaded)
			err = kstate_engine_claim(kstate_engine, desc, obj, instance_id,
						  &kstate_ops, &refusal);
		kstate_appliers += err >= 0;
	}
	/* Claimed: no one else reads it, and the stream stays while @fdt is held. */
	if (err >= 0) {
		err = kstate_engine_apply(kstate_engine, err, desc, obj, &kstate_ops, &refusal);
		scoped_guard(mutex, &kstate_lock) {
			kstate_appliers--;
			kstate_unload_if_finished();
		}
	}
	kho_put_fdt(fdt);

	if (err == -EPROTO && refusal.field)
		pr_warn("%s/%llu refused: %s: field '%.*s' (saved at version %u)\n", desc->name,
			instance_id, refusal.why, refusal.field_len, refusal.field, refusal.version);
	else if (err == -EPROTO)
		pr_warn("%s/%llu refused: %s (saved at version %u)\n", desc->name, instance_id,
			refusal.why, refusal.version);
	else if (err == -EINVAL && refusal.why)
		pr_err("%s: cannot restore: %s\n", desc->name ?: "(no name)", refusal.why);
	return err;
}
EXPORT_SYMBOL_GPL(kstate_restore);

static int kstate_save(void *fdt)
{
	const char *who, *why;
	kx_u64 bytes, chunks;
	int err;

	guard(mutex)(&kstate_lock);
	if (kstate_frozen)	/* saved already, and not given back */
		return -EBUSY;
	kstate_saver = current;
	err = kstate_engine_save(kstate_engine, fdt, &kstate_ops, &who, &why);
	kstate_saver = NULL;
	if (err) {
		pr_err("not saved: %s%s%s\n", who ?: "", who ? ": " : "", why);
		return err;
	}
	kstate_frozen = true;
	kstate_engine_saved_size(kstate_engine, &bytes, &chunks);
	pr_info("saved %zu objects: %llu bytes in %llu chunks\n",
		kstate_engine_registered(kstate_engine), bytes, chunks);
	return 0;
}

static int kstate_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	switch (event) {
	case KEXEC_KHO_DUMP:
		return notifier_from_errno(kstate_save(kho_ser_fdt(data)));
	case KEXEC_KHO_ABORT:
		scoped_guard(mutex, &kstate_lock) {
			kstate_engine_drop_saved(kstate_engine, &kstate_ops);
			kstate_frozen = false;
		}
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

static struct notifier_block kstate_nb = { .notifier_call = kstate_notify };

static int __init kstate_init(void)
{
	const void *fdt;
	int err;

	kstate_engine = kstate_engine_create();
	if (!kstate_engine)
		return -ENOMEM;
	err = register_kho_notifier(&kstate_nb);
	if (err) {
		pr_err("not started: %d\n", err);
		kstate_engine_destroy(kstate_engine);
		kstate_engine = NULL;
		return err;
	}
	/* Report the previous kernel's stream, and any damage, at boot. */
	fdt = kho_get_fdt();
	if (fdt) {
		scoped_guard(mutex, &kstate_lock)
			kstate_load(fdt);
		kho_put_fdt(fdt);
	}
	return 0;
}
core_initcall(kstate_init);
