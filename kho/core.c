// SPDX-License-Identifier: GPL-2.0
/*
 * The outgoing handover: handover notifiers, activation, /sys/kernel/kho.
 * What it hands over is recorded in record.c.
 *
 * out_state.cpp decides every state change (Documentation/kho/concurrency.rst
 * has the diagram); this file takes the locks and carries out the actions:
 * notifying, sealing the tree (handover_tree.cpp writes it and the map),
 * publishing and freeing them.  In idle, serializing and aborting, memory
 * can be preserved and unpreserved and subtrees added and removed; in
 * active the record is frozen (-EBUSY).
 *
 * Locks, in order: the kexec lock (state changes, the tree and the map) ->
 * kho_state_lock (the state, the notifier chain, dt_max) -> kho_mem_lock
 * (the record, the subtrees, the state as preserve calls see it).
 * Notifiers run with the kexec lock alone, so whatever they call may take
 * the others.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/capability.h>
#include <linux/kexec.h>
#include <linux/kexec_handover.h>
#include <linux/kobject.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include "kernel/kexec_internal.h"
#include "access.h"
#include "handover_tree.h"
#include "kexec.h"
#include "record.h"
#include "scratch.h"
#include "test_knobs.h"

#define KHO_DT_MAX_DEFAULT	SZ_1M

struct kho_serialization {
	void *fdt;
};

static DEFINE_MUTEX(kho_state_lock);
static RAW_NOTIFIER_HEAD(kho_notifiers);	/* changed under kho_state_lock in idle */

static struct {
	size_t dt_max;			/* kho_state_lock */
	/* Between activation and deactivation; the kexec lock. */
	void *fdt;
	void *memmap;			/* NULL if inline in the tree */
	size_t memmap_size;
	u64 activation_start;
} kho_out = {
	.dt_max = KHO_DT_MAX_DEFAULT,
};

static struct kobject *kho_kobj;
static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count);
static BIN_ATTR_ADMIN_RO(dt, 0);
static ssize_t memmap_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
			   char *buf, loff_t pos, size_t count);
static BIN_ATTR_ADMIN_RO(memmap, 0);

/* The map segment as a file beside dt (empty when the map rides in the tree). */
static int kho_publish_memmap(void)
{
	bin_attr_memmap.size = kho_out.memmap ? kho_out.memmap_size : 0;
	return sysfs_create_bin_file(kho_kobj, &bin_attr_memmap);
}

/**
 * kho_is_enabled() - whether this kernel can hand over to the next one
 *
 * Return: true when scratch exists (kho=on, kho_scratch= or a KHO boot).
 */
bool kho_is_enabled(void)
{
	return kho_scratch.nr > 0;
}
EXPORT_SYMBOL_GPL(kho_is_enabled);

/* The state changes under both locks (record.c takes kho_mem_lock). */
static int kho_out_change(enum kho_out_event event)
{
	guard(mutex)(&kho_state_lock);
	return kho_out_step(event);
}

static int kho_change_notifiers(struct notifier_block *nb, bool add)
{
	int err;

	guard(mutex)(&kho_state_lock);
	err = kho_out_step(KHO_OUT_CHANGE_NOTIFIERS);
	if (err)
		return err;
	return add ? raw_notifier_chain_register(&kho_notifiers, nb)
		   : raw_notifier_chain_unregister(&kho_notifiers, nb);
}

/**
 * register_kho_notifier() - get KEXEC_KHO_DUMP and KEXEC_KHO_ABORT events
 * @nb: notifier; its callback gets a &struct kho_serialization as data
 *
 * The callback runs with the handover serializing (DUMP) or aborting
 * (ABORT): it may preserve and unpreserve memory and add or remove
 * subtrees, but not (un)register notifiers.
 *
 * Return: 0, or -EBUSY unless the handover is idle.
 */
int register_kho_notifier(struct notifier_block *nb)
{
	return kho_change_notifiers(nb, true);
}
EXPORT_SYMBOL_GPL(register_kho_notifier);

/**
 * unregister_kho_notifier() - stop getting handover events
 * @nb: notifier registered with register_kho_notifier()
 *
 * Return: 0, -ENOENT if not registered, or -EBUSY unless the handover is
 * idle.
 */
int unregister_kho_notifier(struct notifier_block *nb)
{
	return kho_change_notifiers(nb, false);
}
EXPORT_SYMBOL_GPL(unregister_kho_notifier);

/**
 * kho_ser_fdt() - the tree a KEXEC_KHO_DUMP callback writes its node into
 * @ser: the callback's data argument
 *
 * The tree is in libfdt sequential-write mode: add one node with
 * fdt_begin_node(), a "compatible" property naming your format and
 * version, your properties, and fdt_end_node().
 *
 * Return: the tree.
 */
void *kho_ser_fdt(struct kho_serialization *ser)
{
	return ser->fdt;
}
EXPORT_SYMBOL_GPL(kho_ser_fdt);

static int kho_notify(unsigned long event)
{
	struct kho_serialization ser = { .fdt = kho_out.fdt };
	int err;

	if (event == KEXEC_KHO_ABORT)
		return notifier_to_errno(raw_notifier_call_chain(&kho_notifiers, event, &ser));
	/* Those that got DUMP before one failed get ABORT from here. */
	err = notifier_to_errno(raw_notifier_call_chain_robust(&kho_notifiers, KEXEC_KHO_DUMP,
							       KEXEC_KHO_ABORT, &ser));
	if (err)
		pr_err("activation: a handover notifier failed (%d)\n", err);
	return err;
}

/* KHO_OUT_DUMP: the tree begun, the notifiers write into it. */
static int kho_dump(void)
{
	int err;

	if (!kho_is_enabled())
		return -ENOMEM;	/* no scratch: nowhere to boot the next kernel */
	kho_out.activation_start = local_clock();
	kho_out.fdt = kvzalloc(kho_out.dt_max, GFP_KERNEL);
	if (!kho_out.fdt)
		return -ENOMEM;
	err = kho_tree_begin(kho_out.fdt, kho_out.dt_max);
	return err ?: kho_notify(KEXEC_KHO_DUMP);
}

/*
 * KHO_OUT_SEAL, once active: what was preserved or added before is in the
 * tree, what comes later is refused.  Then the tree is published.
 */
static int kho_seal(void)
{
	int err = kho_record_seal(kho_out.fdt, kho_out.dt_max, &kho_out.memmap,
				  &kho_out.memmap_size);

	err = err ?: kho_check_scratch_fits(fdt_totalsize(kho_out.fdt) + kho_out.memmap_size);
	if (err)
		return err;
	bin_attr_dt.size = fdt_totalsize(kho_out.fdt);
	err = sysfs_create_bin_file(kho_kobj, &bin_attr_dt);
	if (err)
		return err;
	err = kho_publish_memmap();
	if (err) {
		sysfs_remove_bin_file(kho_kobj, &bin_attr_dt);
		return err;
	}
	pr_info("active: tree %u bytes, memory map %zu bytes%s, %llu pages preserved, in %llu us\n",
		fdt_totalsize(kho_out.fdt), kho_out.memmap_size,
		kho_out.memmap_size && !kho_out.memmap ? " (in the tree)" : "",
		kho_record_nr_pages(),
		(local_clock() - kho_out.activation_start) / NSEC_PER_USEC);
	return 0;
}

/* KHO_OUT_ABORT: readers of dt are waited for; they take none of our locks. */
static void kho_abort(void)
{
	sysfs_remove_bin_file(kho_kobj, &bin_attr_memmap);
	sysfs_remove_bin_file(kho_kobj, &bin_attr_dt);
	kho_notify(KEXEC_KHO_ABORT);
}

/* KHO_OUT_FREE */
static void kho_free_output(void)
{
	kvfree(kho_out.fdt);
	kx_free(kho_out.memmap);
	kho_out.fdt = NULL;
	kho_out.memmap = NULL;
	kho_out.memmap_size = 0;
}

/*
 * Under the kexec lock: the actions @event leads to, one after another,
 * until the state rests.  Returns the first error.
 */
static int kho_out_run(enum kho_out_event event)
{
	int err = 0;

	for (;;) {
		int action = kho_out_change(event), result = 0;

		switch (action) {
		case KHO_OUT_DUMP:
			result = kho_dump();
			break;
		case KHO_OUT_SEAL:
			result = kho_seal();
			break;
		case KHO_OUT_ABORT:
			kho_abort();
			break;
		case KHO_OUT_FREE:
			kho_free_output();
			return err;
		default:
			WARN_ON_ONCE(action == -EINVAL);
			return err ?: action;	/* KHO_OUT_NONE, or refused */
		}
		err = err ?: result;
		event = result ? KHO_OUT_FAILED : KHO_OUT_DONE;
	}
}

static ssize_t active_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", kho_out_state() == KHO_OUT_ACTIVE);
}

static ssize_t active_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	bool want;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtobool(buf, &want))
		return -EINVAL;
	/* Never while kexec_file_load() runs: the image must see one state. */
	if (!kexec_trylock())
		return -EBUSY;
	if (!want && kho_kexec_image_carries_handover()) {
		pr_warn("deactivation refused: the loaded kexec image carries the handover; unload it first\n");
		err = -EBUSY;
	} else {
		err = kho_out_run(want ? KHO_OUT_ACTIVATE : KHO_OUT_DEACTIVATE);
		if (!want && !err)
			pr_info("deactivated\n");
	}
	kexec_unlock();
	return err ?: count;
}
static struct kobj_attribute active_attr = __ATTR_RW_MODE(active, 0600);

static ssize_t dt_max_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%zx\n", READ_ONCE(kho_out.dt_max));
}

static ssize_t dt_max_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	unsigned long long size;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtoull(buf, 0, &size) || size < PAGE_SIZE || size > SZ_1G)
		return -EINVAL;
	guard(mutex)(&kho_state_lock);
	err = kho_out_step(KHO_OUT_SET_DT_MAX);
	if (err)
		return err;
	WRITE_ONCE(kho_out.dt_max, size);
	return count;
}
static struct kobj_attribute dt_max_attr = __ATTR_RW_MODE(dt_max, 0600);

static ssize_t scratch_len_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	ssize_t len = 0;

	for (unsigned int i = 0; i < kho_scratch.nr; i++)
		len += sysfs_emit_at(buf, len, "0x%llx\n", kho_scratch.area[i].size);
	return len;
}
static struct kobj_attribute scratch_len_attr = __ATTR_RO_MODE(scratch_len, 0400);

static ssize_t scratch_phys_read(struct file *file, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf, loff_t pos, size_t count)
{
	char text[KHO_MAX_SCRATCH * sizeof("0x0123456789abcdef\n")];
	size_t len = 0;
	int err = kho_may_read_addresses(file);

	if (err)
		return err;
	for (unsigned int i = 0; i < kho_scratch.nr; i++)
		len += scnprintf(text + len, sizeof(text) - len, "0x%llx\n", kho_scratch.area[i].addr);
	return memory_read_from_buffer(buf, count, &pos, text, len);
}
static BIN_ATTR_ADMIN_RO(scratch_phys, 0);

/* The file exists only while the tree does (see kho_abort()). */
static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count)
{
	int err = kho_may_read_addresses(file);

	if (err)
		return err;
	return memory_read_from_buffer(buf, count, &pos, kho_out.fdt, fdt_totalsize(kho_out.fdt));
}

/* Like dt: only while active; empty when the map is in the tree or absent. */
static ssize_t memmap_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
			   char *buf, loff_t pos, size_t count)
{
	int err = kho_may_read_addresses(file);

	if (err)
		return err;
	return memory_read_from_buffer(buf, count, &pos, kho_out.memmap,
				       kho_out.memmap ? kho_out.memmap_size : 0);
}

static struct attribute *kho_attrs[] = {
	&active_attr.attr,
	&dt_max_attr.attr,
	&scratch_len_attr.attr,
	NULL,
};

static struct bin_attribute *kho_bin_attrs[] = {
	&bin_attr_scratch_phys,
	NULL,
};

static const struct attribute_group kho_group = {
	.attrs = kho_attrs,
	.bin_attrs = kho_bin_attrs,
};

/* Under the kexec lock (kexec.c, test_knobs.c): the sealed handover, if active. */
bool kho_out_get(struct kho_outgoing *out)
{
	if (kho_out_state() != KHO_OUT_ACTIVE)
		return false;
	out->fdt = kho_out.fdt;
	out->fdt_size = fdt_totalsize(kho_out.fdt);
	out->fdt_max = kho_out.dt_max;
	out->memmap = kho_out.memmap;
	out->memmap_size = kho_out.memmap ? kho_out.memmap_size : 0;
	return true;
}

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
/*
 * test_knobs.c, under the kexec lock, while active: the map becomes @map
 * (kx_alloc()).  Its file goes and comes back, so that no reader is left
 * in the old map.
 */
void kho_test_replace_memmap(void *map, size_t size)
{
	sysfs_remove_bin_file(kho_kobj, &bin_attr_memmap);
	kx_free(kho_out.memmap);
	kho_out.memmap = map;
	kho_out.memmap_size = size;
	if (kho_publish_memmap())
		pr_warn("test: memmap file not published again\n");
}

#endif

/* Always there, so that activating without scratch says -ENOMEM. */
static int __init kho_out_init(void)
{
	int err;

	kho_kobj = kobject_create_and_add("kho", kernel_kobj);
	if (!kho_kobj)
		return -ENOMEM;
	err = sysfs_create_group(kho_kobj, &kho_group);
	err = err ?: kho_test_knobs_init(kho_kobj);
	if (err)
		kobject_put(kho_kobj);
	return err;
}
late_initcall(kho_out_init);
