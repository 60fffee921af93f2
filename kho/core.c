// SPDX-License-Identifier: GPL-2.0
/*
 * The outgoing handover: preserved memory, handover notifiers, subtrees,
 * the tree, and /sys/kernel/kho.
 *
 * States (Documentation/kho/concurrency.rst has the diagram and the rules):
 *
 *   idle --(write 1: DUMP)--> serializing --(every step ok)--> active
 *     ^                           |                              |
 *     +--(a step fails: ABORT)----+                              |
 *     +--(write 0: serializing again while ABORT runs)-----------+
 *
 * In idle and serializing, memory can be preserved and unpreserved and
 * subtrees added and removed; in active the record is frozen (-EBUSY).
 * Notifiers run only in serializing, with kho_state_lock held; nothing a
 * notifier may call takes that lock, and (un)registering a notifier
 * outside idle fails at once with -EBUSY.
 *
 * Lock order: kexec lock -> kho_state_lock -> kho_mem_lock.
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
#include "kho_internal.h"
#include "mem_map.h"

#define KHO_DT_MAX_DEFAULT	SZ_1M
#define KHO_INLINE_MEMMAP_MAX	64	/* bytes: a few ranges ride in the tree */

enum kho_state { KHO_IDLE, KHO_SERIALIZING, KHO_ACTIVE };

struct kho_serialization {
	void *fdt;
};

struct kho_subtree {
	struct list_head list;
	const char *name;
	void *fdt;
};

static DEFINE_MUTEX(kho_state_lock);
static DEFINE_MUTEX(kho_mem_lock);
static RAW_NOTIFIER_HEAD(kho_notifiers);	/* kho_state_lock */
static LIST_HEAD(kho_subtrees);			/* kho_mem_lock */

static struct {
	enum kho_state state;		/* written under both locks */
	struct kho_preserved *mem;	/* kho_mem_lock */
	size_t dt_max;			/* kho_state_lock */
	/* Valid while active; written under kho_state_lock. */
	void *fdt;
	void *memmap;			/* NULL if inline in the tree */
	size_t memmap_size;
} kho_out = {
	.dt_max = KHO_DT_MAX_DEFAULT,
};

static struct kobject *kho_kobj;
static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count);
static BIN_ATTR_ADMIN_RO(dt, 0);

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

static void kho_set_state(enum kho_state state)
{
	lockdep_assert_held(&kho_state_lock);
	guard(mutex)(&kho_mem_lock);
	WRITE_ONCE(kho_out.state, state);
}

/*
 * Notifiers can only be added or removed in idle.  From a notifier (the
 * state is serializing then) this fails at once, without waiting for
 * kho_state_lock, which the caller of the notifier holds.
 */
static int kho_change_notifiers(struct notifier_block *nb, bool add)
{
	if (READ_ONCE(kho_out.state) != KHO_IDLE)
		return -EBUSY;
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
	return add ? raw_notifier_chain_register(&kho_notifiers, nb)
		   : raw_notifier_chain_unregister(&kho_notifiers, nb);
}

/**
 * register_kho_notifier() - get KEXEC_KHO_DUMP and KEXEC_KHO_ABORT events
 * @nb: notifier; its callback gets a &struct kho_serialization as data
 *
 * The callback runs with the handover serializing: it may preserve and
 * unpreserve memory and add or remove subtrees, but not (un)register
 * notifiers.
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

/* Memory the next kernel can see and that is not scratch. */
static int kho_check_preservable(unsigned long pfn, unsigned long nr_pages)
{
	phys_addr_t addr = PFN_PHYS(pfn), size = PFN_PHYS(nr_pages);

	if (addr < KHO_LOW_WINDOW)
		return -EINVAL;
	if (kho_in_scratch(addr, size)) {
		pr_warn("refusing to preserve [%pa+%pa]: inside scratch\n", &addr, &size);
		return -EINVAL;
	}
	if (!kho_boot_memory(addr, size)) {
		pr_warn("refusing to preserve [%pa+%pa]: not in the boot memory map\n", &addr, &size);
		return -EINVAL;
	}
	return 0;
}

static struct kho_preserved *kho_record(void)
{
	lockdep_assert_held(&kho_mem_lock);
	if (!kho_out.mem)
		kho_out.mem = kho_preserved_create();
	return kho_out.mem;
}

static int kho_change_preserved(unsigned long pfn, unsigned long nr, unsigned int order, bool add)
{
	struct kho_preserved *mem;
	int err;

	if (!kho_is_enabled())
		return -EOPNOTSUPP;
	if (add) {
		err = kho_check_preservable(pfn, nr << order);
		if (err)
			return err;
	}
	guard(mutex)(&kho_mem_lock);
	if (kho_out.state == KHO_ACTIVE)
		return -EBUSY;
	mem = kho_record();
	if (!mem)
		return -ENOMEM;
	if (order || nr == 1)
		return add ? kho_preserved_add(mem, pfn, order) : kho_preserved_remove(mem, pfn, order);
	return add ? kho_preserved_add_pages(mem, pfn, nr) : kho_preserved_remove_pages(mem, pfn, nr);
}

/**
 * kho_preserve_folio() - hand a folio over to the next kernel
 * @folio: the folio; it must not be split or freed until unpreserved
 *
 * The next kernel gets it back with kho_restore_folio() at the same
 * physical address and order.
 *
 * Return: 0; -EBUSY while the handover is active; -EEXIST if any page of
 * it is already preserved; -EINVAL for scratch or hot-added memory;
 * -ENOMEM; -EOPNOTSUPP without KHO.
 */
int kho_preserve_folio(struct folio *folio)
{
	return kho_change_preserved(folio_pfn(folio), 1, folio_order(folio), true);
}
EXPORT_SYMBOL_GPL(kho_preserve_folio);

/**
 * kho_unpreserve_folio() - undo kho_preserve_folio()
 * @folio: the folio
 *
 * Not while the handover is active: the tree already lists it (WARNs).
 */
void kho_unpreserve_folio(struct folio *folio)
{
	WARN_ON_ONCE(kho_change_preserved(folio_pfn(folio), 1, folio_order(folio), false));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_folio);

/**
 * kho_preserve_pages() - hand @nr_pages order-0 pages over
 * @page: first page
 * @nr_pages: number of physically contiguous pages
 *
 * Return: as kho_preserve_folio().
 */
int kho_preserve_pages(struct page *page, unsigned int nr_pages)
{
	if (!nr_pages)
		return -EINVAL;
	return kho_change_preserved(page_to_pfn(page), nr_pages, 0, true);
}
EXPORT_SYMBOL_GPL(kho_preserve_pages);

/**
 * kho_unpreserve_pages() - undo kho_preserve_pages()
 * @page: first page
 * @nr_pages: number of pages
 *
 * Not while the handover is active (WARNs).
 */
void kho_unpreserve_pages(struct page *page, unsigned int nr_pages)
{
	WARN_ON_ONCE(kho_change_preserved(page_to_pfn(page), nr_pages, 0, false));
}
EXPORT_SYMBOL_GPL(kho_unpreserve_pages);

/**
 * kho_add_subtree() - hand over a flattened device tree of your own
 * @name: its node name in the root tree; unique
 * @fdt: the tree, one page in a preserved folio or pages of your own
 *
 * The root tree gets a node @name with a u64 "fdt" property holding the
 * physical address of @fdt; the next kernel finds it with
 * kho_retrieve_subtree().  @fdt itself must be preserved by the caller.
 * Allowed from a KEXEC_KHO_DUMP notifier.
 *
 * Return: 0; -EBUSY while active; -EEXIST for a duplicate name; -ENOMEM.
 */
int kho_add_subtree(const char *name, void *fdt)
{
	struct kho_subtree *sub, *it;

	guard(mutex)(&kho_mem_lock);
	if (kho_out.state == KHO_ACTIVE)
		return -EBUSY;
	list_for_each_entry(it, &kho_subtrees, list)
		if (!strcmp(it->name, name))
			return -EEXIST;
	sub = kzalloc(sizeof(*sub), GFP_KERNEL);
	if (!sub)
		return -ENOMEM;
	sub->name = kstrdup(name, GFP_KERNEL);
	if (!sub->name) {
		kfree(sub);
		return -ENOMEM;
	}
	sub->fdt = fdt;
	list_add_tail(&sub->list, &kho_subtrees);
	return 0;
}
EXPORT_SYMBOL_GPL(kho_add_subtree);

/**
 * kho_remove_subtree() - undo kho_add_subtree()
 * @fdt: the tree passed to kho_add_subtree()
 *
 * Allowed from a notifier; not while the handover is active (WARNs).
 */
void kho_remove_subtree(void *fdt)
{
	struct kho_subtree *sub;

	guard(mutex)(&kho_mem_lock);
	if (WARN_ON_ONCE(kho_out.state == KHO_ACTIVE))
		return;
	list_for_each_entry(sub, &kho_subtrees, list) {
		if (sub->fdt == fdt) {
			list_del(&sub->list);
			kfree(sub->name);
			kfree(sub);
			return;
		}
	}
}
EXPORT_SYMBOL_GPL(kho_remove_subtree);

static int kho_fdt_err(int fdt_err)
{
	return fdt_err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

static void kho_free_output(void)
{
	kvfree(kho_out.fdt);
	kvfree(kho_out.memmap);
	kho_out.fdt = NULL;
	kho_out.memmap = NULL;
	kho_out.memmap_size = 0;
}

/* The tree up to the point where notifiers add their nodes. */
static int kho_tree_begin(void *fdt)
{
	int err = fdt_create(fdt, kho_out.dt_max);

	err = err ?: fdt_finish_reservemap(fdt);
	err = err ?: fdt_begin_node(fdt, "");
	err = err ?: fdt_property_string(fdt, "compatible", KHO_ROOT_COMPATIBLE);
	return err ? kho_fdt_err(err) : 0;
}

/*
 * After the notifiers: the subtrees go into the tree, the record is frozen
 * (active) and encoded, in one critical section, so a subtree or a folio
 * is either in this handover or refused with -EBUSY.
 */
static int kho_freeze(void *fdt)
{
	struct kho_subtree *sub;
	long long written = 0;
	size_t size;
	int err = 0;

	guard(mutex)(&kho_mem_lock);
	list_for_each_entry(sub, &kho_subtrees, list) {
		u64 phys = virt_to_phys(sub->fdt);

		err = fdt_begin_node(fdt, sub->name);
		err = err ?: fdt_property(fdt, "fdt", &phys, sizeof(phys));
		err = err ?: fdt_end_node(fdt);
		if (err)
			return kho_fdt_err(err);
	}
	WRITE_ONCE(kho_out.state, KHO_ACTIVE);
	size = kho_out.mem ? kho_preserved_encoded_size(kho_out.mem) : 0;
	if (!size)
		return 0;
	kho_out.memmap = kvmalloc(size, GFP_KERNEL);
	if (!kho_out.memmap)
		return -ENOMEM;
	written = kho_preserved_encode(kho_out.mem, kho_out.memmap, size, PAGE_SHIFT);
	if (written < 0)
		return written;
	kho_out.memmap_size = written;
	return 0;
}

/* Closes the tree; a small memory map moves into it. */
static int kho_tree_finish(void *fdt)
{
	int err = fdt_end_node(fdt);

	err = err ?: fdt_finish(fdt);
	if (!err && kho_out.memmap && kho_out.memmap_size <= KHO_INLINE_MEMMAP_MAX) {
		/*
		 * A root property must precede the subnodes, which the
		 * sequential writer has emitted by now: insert it.
		 */
		err = fdt_open_into(fdt, fdt, kho_out.dt_max);
		err = err ?: fdt_setprop(fdt, 0, "preserved-memory-map", kho_out.memmap,
					 kho_out.memmap_size);
		err = err ?: fdt_pack(fdt);
		if (!err) {
			kvfree(kho_out.memmap);
			kho_out.memmap = NULL;
		}
	}
	return err ? kho_fdt_err(err) : 0;
}

static int kho_activate(void)
{
	struct kho_serialization ser;
	u64 start = local_clock();
	int err;

	if (!kho_is_enabled())
		return -ENOMEM;	/* no scratch: nowhere to boot the next kernel */
	if (!IS_ENABLED(CONFIG_X86)) {
		pr_err("activation: no boot glue to pass a handover on this architecture yet\n");
		return -EOPNOTSUPP;
	}
	ser.fdt = kho_out.fdt = kvzalloc(kho_out.dt_max, GFP_KERNEL);
	if (!ser.fdt)
		return -ENOMEM;
	err = kho_tree_begin(ser.fdt);
	if (err)
		goto out_idle;

	kho_set_state(KHO_SERIALIZING);
	/* Those that got DUMP before one failed get ABORT from here. */
	err = notifier_to_errno(raw_notifier_call_chain_robust(&kho_notifiers, KEXEC_KHO_DUMP,
							       KEXEC_KHO_ABORT, &ser));
	if (err) {
		pr_err("activation: a handover notifier failed (%d)\n", err);
		goto out_idle;
	}
	err = kho_freeze(ser.fdt);
	err = err ?: kho_tree_finish(ser.fdt);
	err = err ?: kho_check_scratch_fits(fdt_totalsize(ser.fdt) + kho_out.memmap_size);
	if (!err) {
		bin_attr_dt.size = fdt_totalsize(ser.fdt);
		err = sysfs_create_bin_file(kho_kobj, &bin_attr_dt);
	}
	if (err) {
		/* Serializing again first, so the ABORT handlers can unpreserve. */
		kho_set_state(KHO_SERIALIZING);
		raw_notifier_call_chain(&kho_notifiers, KEXEC_KHO_ABORT, &ser);
		goto out_idle;
	}
	pr_info("active: tree %u bytes, memory map %zu bytes%s, %llu pages preserved, in %llu us\n",
		fdt_totalsize(ser.fdt), kho_out.memmap_size,
		kho_out.memmap_size && !kho_out.memmap ? " (in the tree)" : "",
		kho_out.mem ? kho_preserved_nr_pages(kho_out.mem) : 0,
		(local_clock() - start) / NSEC_PER_USEC);
	return 0;

out_idle:
	kho_set_state(KHO_IDLE);
	kho_free_output();
	return err;
}

static int kho_deactivate(void)
{
	struct kho_serialization ser = { .fdt = kho_out.fdt };

	if (kho_kexec_image_carries_handover()) {
		pr_warn("deactivation refused: the loaded kexec image carries the handover; unload it first\n");
		return -EBUSY;
	}
	/* Waits for readers of dt, which take none of the locks held here. */
	sysfs_remove_bin_file(kho_kobj, &bin_attr_dt);
	kho_set_state(KHO_SERIALIZING);
	raw_notifier_call_chain(&kho_notifiers, KEXEC_KHO_ABORT, &ser);
	kho_set_state(KHO_IDLE);
	kho_free_output();
	pr_info("deactivated\n");
	return 0;
}

static ssize_t active_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(kho_out.state) == KHO_ACTIVE);
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
	scoped_guard(mutex, &kho_state_lock) {
		if (want == (kho_out.state == KHO_ACTIVE))
			err = 0;
		else
			err = want ? kho_activate() : kho_deactivate();
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

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtoull(buf, 0, &size) || size < PAGE_SIZE || size > SZ_1G)
		return -EINVAL;
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
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

/* The file exists only while the tree does (see kho_deactivate()). */
static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count)
{
	int err = kho_may_read_addresses(file);

	if (err)
		return err;
	return memory_read_from_buffer(buf, count, &pos, kho_out.fdt, fdt_totalsize(kho_out.fdt));
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

/* For kexec.c, under the kexec lock: the frozen handover, if active. */
bool kho_out_get(struct kho_outgoing *out)
{
	if (READ_ONCE(kho_out.state) != KHO_ACTIVE)
		return false;
	out->fdt = kho_out.fdt;
	out->fdt_size = fdt_totalsize(kho_out.fdt);
	out->memmap = kho_out.memmap;
	out->memmap_size = kho_out.memmap ? kho_out.memmap_size : 0;
	return true;
}

bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages)
{
	guard(mutex)(&kho_mem_lock);
	return kho_out.mem && kho_preserved_intersects(kho_out.mem, pfn, nr_pages);
}

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
/* test_knobs.c, under the kexec lock: the active handover to damage. */
int kho_test_outgoing(struct kho_test_outgoing *out)
{
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_ACTIVE)
		return -EBUSY;
	out->fdt = kho_out.fdt;
	out->fdt_max = kho_out.dt_max;
	out->memmap = kho_out.memmap;
	out->memmap_size = kho_out.memmap_size;
	return 0;
}

/* test_knobs.c: record pages bypassing the checks a preserve makes. */
int kho_test_preserve_unchecked(unsigned long pfn, unsigned long nr_pages)
{
	struct kho_preserved *mem;

	guard(mutex)(&kho_mem_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
	mem = kho_record();
	return mem ? kho_preserved_add_pages(mem, pfn, nr_pages) : -ENOMEM;
}

/* test_knobs.c, while active: the map becomes @map, which the core frees. */
void kho_test_replace_memmap(void *map, size_t size)
{
	guard(mutex)(&kho_state_lock);
	kvfree(kho_out.memmap);
	kho_out.memmap = map;
	kho_out.memmap_size = size;
}

u64 kho_test_nr_preserved(void)
{
	guard(mutex)(&kho_mem_lock);
	return kho_out.mem ? kho_preserved_nr_pages(kho_out.mem) : 0;
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
