// SPDX-License-Identifier: GPL-2.0
/*
 * The outgoing handover: preserved memory, handover notifiers, the tree,
 * and /sys/kernel/kho.
 *
 * States (Documentation/kho/concurrency.rst has the diagram):
 *
 *   idle --(write 1 to active)--> serializing --(all notifiers ok)--> active
 *     ^                                |                                |
 *     +------(a notifier fails)--------+                                |
 *     +------(write 0; no loaded image carries the tree)----------------+
 *
 * Preserving and adding subtrees work in idle and serializing, and fail
 * with -EBUSY once active: the memory map is frozen then.  Activation and
 * deactivation hold the kexec lock, so they never race kexec_file_load().
 *
 * Lock order: kexec lock -> kho_state_lock -> kho_mem_lock.
 */
#define pr_fmt(fmt) "kho: " fmt

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
	int err;
};

struct kho_subtree {
	struct list_head list;
	const char *name;
	void *fdt;
};

static DEFINE_MUTEX(kho_state_lock);
static DEFINE_MUTEX(kho_mem_lock);
static BLOCKING_NOTIFIER_HEAD(kho_notifiers);
static LIST_HEAD(kho_subtrees);

static struct {
	enum kho_state state;			/* kho_mem_lock for reads */
	struct kho_preserved *mem;		/* kho_mem_lock */
	size_t dt_max;				/* kho_state_lock */
	void *fdt;				/* valid while active */
	void *memmap;				/* valid while active, NULL if inline */
	size_t memmap_size;
	struct kimage *image;			/* the image carrying the tree */
	phys_addr_t image_fdt, image_memmap;	/* where it put them */
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

/**
 * register_kho_notifier() - get KEXEC_KHO_DUMP and KEXEC_KHO_ABORT events
 * @nb: notifier; its callback gets a &struct kho_serialization as data
 *
 * Return: 0, or -EBUSY while the handover is active.
 */
int register_kho_notifier(struct notifier_block *nb)
{
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
	return blocking_notifier_chain_register(&kho_notifiers, nb);
}
EXPORT_SYMBOL_GPL(register_kho_notifier);

/**
 * unregister_kho_notifier() - stop getting handover events
 * @nb: notifier registered with register_kho_notifier()
 *
 * Return: 0, -ENOENT if not registered, or -EBUSY while active.
 */
int unregister_kho_notifier(struct notifier_block *nb)
{
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
	return blocking_notifier_chain_unregister(&kho_notifiers, nb);
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

static int kho_record(unsigned long pfn, unsigned long nr, unsigned int order, bool add)
{
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
	if (!kho_out.mem) {
		kho_out.mem = kho_preserved_create();
		if (!kho_out.mem)
			return -ENOMEM;
	}
	if (order || nr == 1)
		return add ? kho_preserved_add(kho_out.mem, pfn, order)
			   : kho_preserved_remove(kho_out.mem, pfn, order);
	return add ? kho_preserved_add_pages(kho_out.mem, pfn, nr)
		   : kho_preserved_remove_pages(kho_out.mem, pfn, nr);
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
	return kho_record(folio_pfn(folio), 1, folio_order(folio), true);
}
EXPORT_SYMBOL_GPL(kho_preserve_folio);

/**
 * kho_unpreserve_folio() - undo kho_preserve_folio()
 * @folio: the folio
 */
void kho_unpreserve_folio(struct folio *folio)
{
	WARN_ON_ONCE(kho_record(folio_pfn(folio), 1, folio_order(folio), false));
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
	return kho_record(page_to_pfn(page), nr_pages, 0, true);
}
EXPORT_SYMBOL_GPL(kho_preserve_pages);

/**
 * kho_unpreserve_pages() - undo kho_preserve_pages()
 * @page: first page
 * @nr_pages: number of pages
 */
void kho_unpreserve_pages(struct page *page, unsigned int nr_pages)
{
	WARN_ON_ONCE(kho_record(page_to_pfn(page), nr_pages, 0, false));
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
 *
 * Return: 0; -EBUSY while active; -EEXIST for a duplicate name; -ENOMEM.
 */
int kho_add_subtree(const char *name, void *fdt)
{
	struct kho_subtree *sub, *it;

	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
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
 */
void kho_remove_subtree(void *fdt)
{
	struct kho_subtree *sub;

	guard(mutex)(&kho_state_lock);
	if (WARN_ON_ONCE(kho_out.state != KHO_IDLE))
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

static void kho_free_output(void)
{
	kvfree(kho_out.fdt);
	kvfree(kho_out.memmap);
	kho_out.fdt = NULL;
	kho_out.memmap = NULL;
	kho_out.memmap_size = 0;
}

static int kho_fdt_err(int fdt_err)
{
	return fdt_err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

/* Root node, notifier nodes and subtrees; then the memory map. */
static int kho_serialize(void)
{
	struct kho_serialization ser = {};
	struct kho_subtree *sub;
	long long written;
	size_t size;
	int err;

	ser.fdt = kvzalloc(kho_out.dt_max, GFP_KERNEL);
	if (!ser.fdt)
		return -ENOMEM;
	kho_out.fdt = ser.fdt;

	err = fdt_create(ser.fdt, kho_out.dt_max);
	err = err ?: fdt_finish_reservemap(ser.fdt);
	err = err ?: fdt_begin_node(ser.fdt, "");
	err = err ?: fdt_property_string(ser.fdt, "compatible", KHO_ROOT_COMPATIBLE);
	if (err)
		return kho_fdt_err(err);

	err = blocking_notifier_call_chain_robust(&kho_notifiers, KEXEC_KHO_DUMP,
						  KEXEC_KHO_ABORT, &ser);
	err = notifier_to_errno(err);
	if (err) {
		pr_err("activation: a handover notifier failed (%d)\n", err);
		return err;
	}

	list_for_each_entry(sub, &kho_subtrees, list) {
		u64 phys = virt_to_phys(sub->fdt);

		err = fdt_begin_node(ser.fdt, sub->name);
		err = err ?: fdt_property(ser.fdt, "fdt", &phys, sizeof(phys));
		err = err ?: fdt_end_node(ser.fdt);
		if (err)
			goto abort;
	}

	/* Notifiers are done: from here on the record is frozen. */
	mutex_lock(&kho_mem_lock);
	kho_out.state = KHO_ACTIVE;
	size = kho_out.mem ? kho_preserved_encoded_size(kho_out.mem) : 0;
	written = 0;
	if (size) {
		void *map = kvmalloc(size, GFP_KERNEL);

		written = map ? kho_preserved_encode(kho_out.mem, map, size, PAGE_SHIFT) : -ENOMEM;
		if (written < 0) {
			kvfree(map);
			map = NULL;
		}
		kho_out.memmap = map;
	}
	mutex_unlock(&kho_mem_lock);
	if (written < 0) {
		err = written;
		goto abort_errno;
	}
	err = fdt_end_node(ser.fdt);
	err = err ?: fdt_finish(ser.fdt);
	if (err)
		goto abort;
	if (size) {
		void *map = kho_out.memmap;

		kho_out.memmap_size = written;
		if (written <= KHO_INLINE_MEMMAP_MAX) {
			/*
			 * A root property must precede the subnodes, which the
			 * sequential writer has emitted by now: insert it.
			 */
			err = fdt_open_into(ser.fdt, ser.fdt, kho_out.dt_max);
			err = err ?: fdt_setprop(ser.fdt, 0, "preserved-memory-map", map, written);
			err = err ?: fdt_pack(ser.fdt);
			kvfree(map);
			kho_out.memmap = NULL;
			if (err)
				goto abort;
		}
	}
	err = kho_check_scratch_fits(fdt_totalsize(ser.fdt) + kho_out.memmap_size);
	if (err)
		goto abort_errno;
	return 0;

abort:
	err = kho_fdt_err(err);
abort_errno:
	/* Back from ACTIVE if it got there: ABORT handlers unpreserve. */
	scoped_guard(mutex, &kho_mem_lock)
		kho_out.state = KHO_SERIALIZING;
	blocking_notifier_call_chain(&kho_notifiers, KEXEC_KHO_ABORT, &ser);
	return err;
}

static int kho_activate(void)
{
	u64 start = local_clock();
	int err;

	if (!kho_is_enabled())
		return -ENOMEM;	/* no scratch: nowhere to boot the next kernel */
	if (!IS_ENABLED(CONFIG_X86)) {
		pr_err("activation: no boot glue to pass a handover on this architecture yet\n");
		return -EOPNOTSUPP;
	}

	mutex_lock(&kho_mem_lock);
	kho_out.state = KHO_SERIALIZING;
	mutex_unlock(&kho_mem_lock);

	err = kho_serialize();
	if (!err && !kho_confidential()) {
		struct kho_serialization ser = { .fdt = kho_out.fdt };

		bin_attr_dt.size = fdt_totalsize(kho_out.fdt);
		err = sysfs_create_bin_file(kho_kobj, &bin_attr_dt);
		if (err)
			blocking_notifier_call_chain(&kho_notifiers, KEXEC_KHO_ABORT, &ser);
	}

	mutex_lock(&kho_mem_lock);
	kho_out.state = err ? KHO_IDLE : KHO_ACTIVE;
	mutex_unlock(&kho_mem_lock);
	if (err)
		kho_free_output();
	else
		pr_info("active: tree %u bytes, memory map %zu bytes%s, %llu pages preserved, in %llu us\n",
			fdt_totalsize(kho_out.fdt), kho_out.memmap_size,
			kho_out.memmap_size && !kho_out.memmap ? " (in the tree)" : "",
			kho_out.mem ? kho_preserved_nr_pages(kho_out.mem) : 0,
			(local_clock() - start) / NSEC_PER_USEC);
	return err;
}

static int kho_deactivate(void)
{
	struct kho_serialization ser = { .fdt = kho_out.fdt };

	if (kexec_image && kexec_image == kho_out.image) {
		pr_warn("deactivation refused: the loaded kexec image carries the handover; unload it first\n");
		return -EBUSY;
	}
	sysfs_remove_bin_file(kho_kobj, &bin_attr_dt);
	/* Idle first: ABORT handlers unpreserve what their DUMP preserved. */
	mutex_lock(&kho_mem_lock);
	kho_out.state = KHO_IDLE;
	mutex_unlock(&kho_mem_lock);
	blocking_notifier_call_chain(&kho_notifiers, KEXEC_KHO_ABORT, &ser);
	kho_out.image = NULL;
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

	if (kstrtoull(buf, 0, &size) || size < PAGE_SIZE || size > SZ_1G)
		return -EINVAL;
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_IDLE)
		return -EBUSY;
	kho_out.dt_max = size;
	return count;
}
static struct kobj_attribute dt_max_attr = __ATTR_RW_MODE(dt_max, 0600);

static ssize_t kho_show_scratch(char *buf, bool phys)
{
	ssize_t len = 0;
	unsigned int i;

	for (i = 0; i < kho_scratch.nr; i++)
		len += sysfs_emit_at(buf, len, "0x%llx\n",
				     phys ? kho_scratch.area[i].addr : kho_scratch.area[i].size);
	return len;
}

static ssize_t scratch_phys_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return kho_show_scratch(buf, true);
}
static struct kobj_attribute scratch_phys_attr = __ATTR_RO_MODE(scratch_phys, 0400);

static ssize_t scratch_len_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return kho_show_scratch(buf, false);
}
static struct kobj_attribute scratch_len_attr = __ATTR_RO_MODE(scratch_len, 0400);

static ssize_t dt_read(struct file *file, struct kobject *kobj, struct bin_attribute *attr,
		       char *buf, loff_t pos, size_t count)
{
	guard(mutex)(&kho_state_lock);
	if (kho_out.state != KHO_ACTIVE)
		return -ENOENT;
	return memory_read_from_buffer(buf, count, &pos, kho_out.fdt, fdt_totalsize(kho_out.fdt));
}

static struct attribute *kho_attrs[] = {
	&active_attr.attr,
	&dt_max_attr.attr,
	&scratch_phys_attr.attr,
	&scratch_len_attr.attr,
	NULL,
};

static umode_t kho_attr_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	if (attr == &scratch_phys_attr.attr && kho_confidential())
		return 0;
	return attr->mode;
}

static const struct attribute_group kho_group = {
	.attrs = kho_attrs,
	.is_visible = kho_attr_visible,
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

void kho_out_attach(struct kimage *image, phys_addr_t fdt, phys_addr_t memmap)
{
	kho_out.image = image;
	kho_out.image_fdt = fdt;
	kho_out.image_memmap = memmap;
}

bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages)
{
	guard(mutex)(&kho_mem_lock);
	return kho_out.mem && kho_preserved_intersects(kho_out.mem, pfn, nr_pages);
}

/* For the arch glue: the descriptor of the handover @image carries. */
bool kho_out_attached(struct kimage *image, struct kho_handover_desc *desc)
{
	if (!image || image != kho_out.image)
		return false;
	memset(desc, 0, sizeof(*desc));
	desc->magic = KHO_DESC_MAGIC;
	desc->version = KHO_DESC_VERSION;
	desc->nr_scratch = kho_scratch.nr;
	memcpy(desc->scratch, kho_scratch.area, sizeof(desc->scratch));
	desc->fdt = (struct kho_phys_range){ kho_out.image_fdt, fdt_totalsize(kho_out.fdt) };
	if (kho_out.memmap)
		desc->memmap = (struct kho_phys_range){ kho_out.image_memmap, kho_out.memmap_size };
	return true;
}

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
/* test_knobs.c: damage the handover on purpose. */
int kho_test_corrupt(const char *what)
{
	guard(mutex)(&kho_state_lock);
	if (!strcmp(what, "bad-range")) {
		if (kho_out.state != KHO_IDLE)
			return -EBUSY;
		guard(mutex)(&kho_mem_lock);
		if (!kho_out.mem)
			kho_out.mem = kho_preserved_create();
		if (!kho_out.mem)
			return -ENOMEM;
		/* 1 TiB: beyond any test guest's RAM. */
		return kho_preserved_add_pages(kho_out.mem, PHYS_PFN(SZ_1T), 1);
	}
	if (kho_out.state != KHO_ACTIVE)
		return -EBUSY;
	if (!strcmp(what, "memmap") && kho_out.memmap) {
		((u8 *)kho_out.memmap)[0] ^= 0xff;
		return 0;
	}
	if (!strcmp(what, "compatible")) {
		int len;
		char *compat = (char *)fdt_getprop(kho_out.fdt, 0, "compatible", &len);

		if (!compat || len < sizeof("kho-v1"))
			return -EINVAL;
		memset(compat, 0, len);
		strscpy(compat, "kho-v1", len);
		return 0;
	}
	return -EINVAL;
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
	if (err)
		kobject_put(kho_kobj);
	return err;
}
late_initcall(kho_out_init);
