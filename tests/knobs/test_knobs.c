// SPDX-License-Identifier: GPL-2.0
/*
 * Test knobs (CONFIG_KEXEC_HANDOVER_TEST_KNOBS, never for production):
 * damage the outgoing handover on purpose, one way per kexec, so the
 * end-to-end tests can prove the next kernel distrusts it.  Write one word
 * to /sys/kernel/kho/test/corrupt:
 *
 *   before activation (the record):
 *     bad-range           a page at 1 TiB, beyond any test guest's RAM
 *     range-over-kernel   every scratch area, where the next kernel's
 *                         image will be
 *   while active (the tree and the map):
 *     tree-magic          the tree's magic number
 *     compatible          the root compatible becomes mainline's "kho-v1"
 *     memmap-magic        the memory map's magic number
 *     memmap-version      the memory map's format version
 *     memmap-count        the count of the map's first run or bitmap block
 *     overlap-orders      an order-0 page inside a folio of higher order
 *     ftrace-nr-pages     the first trace CPU node claims 2^31 - 1 pages
 *     ftrace-lengths      the first instance's subbuf-order is 2 bytes
 *   as the image is loaded (the descriptor):
 *     tree-truncated      the descriptor gives the tree 64 bytes
 *     desc-magic          the descriptor's magic number
 *     desc-version        the descriptor's version
 *     setup-data-length   the setup_data entry is 8 bytes short
 *     scratch-beyond-ram  one more scratch area, at 1 TiB
 *     scratch-over-kernel the main scratch area loses the whole pageblocks
 *                         inside the loaded kernel, which then overlaps
 *                         scratch only in part (boot the next kernel with
 *                         nokaslr)
 *   at kexec time:
 *     ftrace-page         a trace page's commit beyond its end
 *
 * Read /sys/kernel/kho/test/preserved for the pages preserved now.  Boot
 * with kho_test_fail_reserve=N to make the N-th reservation of preserved
 * memory fail.  The files are root's, need CAP_SYS_ADMIN, and are refused
 * under kexec lockdown.  They are in sysfs, not debugfs: debugfs refuses
 * any writable file under lockdown before its owner could say why.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/capability.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kexec.h>
#include <linux/libfdt.h>
#include <linux/mm.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include <kho/abi/ftrace.h>
#include <kho/abi/memmap.h>
#include "kernel/kexec_internal.h"
#include "kho/record.h"
#include "kho/scratch.h"
#include "kho/test_knobs.h"
#include "kx_env.h"

/* The active handover, to damage on purpose. */
struct kho_damage {
	void *fdt;
	size_t fdt_max;
	void *memmap;		/* NULL when inlined into the tree */
	size_t memmap_size;
};

static const char *const kho_desc_damages[] = {
	"tree-truncated", "desc-magic", "desc-version", "setup-data-length",
	"scratch-beyond-ram", "scratch-over-kernel",
};
static const char *kho_desc_damage;

static unsigned int kho_fail_reserve __initdata;

static int __init kho_fail_reserve_param(char *arg)
{
	return kstrtouint(arg, 0, &kho_fail_reserve);
}
early_param("kho_test_fail_reserve", kho_fail_reserve_param);

int __init kho_test_fail_reserve(void)
{
	if (!kho_fail_reserve || --kho_fail_reserve)
		return 0;
	pr_warn("test knob: failing a reservation of preserved memory on purpose\n");
	return -ENOMEM;
}

/* "setup-data-length": bytes cut from the descriptor's carrier, setup_data or /chosen. */
unsigned long kho_test_damage_desc_len(void)
{
	const char *what = READ_ONCE(kho_desc_damage);

	return what && !strcmp(what, "setup-data-length") ? 8 : 0;
}

/* The kernel segment: the one with room to decompress beyond its bytes. */
static const struct kexec_segment *kho_kernel_segment(const struct kimage *image)
{
	const struct kexec_segment *best = NULL;

	for (unsigned long i = 0; i < image->nr_segments; i++) {
		const struct kexec_segment *s = &image->segment[i];

		if (!best || s->memsz - s->bufsz > best->memsz - best->bufsz)
			best = s;
	}
	return best;
}

/* kexec.c, as @image is loaded: the descriptor damage armed, if any. */
void kho_test_damage_desc(const struct kimage *image, struct kho_handover_desc *desc)
{
	const char *what = READ_ONCE(kho_desc_damage);
	struct kho_phys_range *main_area = &desc->scratch[kho_main_scratch() - kho_scratch.area];

	if (!what)
		return;
	if (!strcmp(what, "tree-truncated")) {
		desc->fdt.size = 64;
	} else if (!strcmp(what, "desc-magic")) {
		desc->magic ^= 0xff;
	} else if (!strcmp(what, "desc-version")) {
		desc->version++;
	} else if (!strcmp(what, "scratch-beyond-ram") && desc->nr_scratch < KHO_MAX_SCRATCH) {
		/* One more, last, so the areas stay in order. */
		desc->scratch[desc->nr_scratch++] = (struct kho_phys_range){ SZ_1T, main_area->size };
	} else if (!strcmp(what, "scratch-over-kernel") && desc->nr_scratch < KHO_MAX_SCRATCH) {
		const struct kexec_segment *k = kho_kernel_segment(image);
		u64 align = pageblock_nr_pages << PAGE_SHIFT;
		/* The whole pageblocks inside the kernel: no other segment is there. */
		u64 cut = ALIGN(k->mem, align), resume = ALIGN_DOWN(k->mem + k->memsz, align);
		u64 start = main_area->addr, end = start + main_area->size;
		struct kho_phys_range *last = &desc->scratch[desc->nr_scratch];

		if (cut >= resume || cut < start || resume >= end) {
			pr_warn("test knob: no whole pageblock of the main scratch area is inside the kernel segment [%#lx+%#zx)\n",
				k->mem, k->memsz);
			return;
		}
		if (cut > start) {
			/* Areas stay sorted: the upper part goes right after. */
			memmove(main_area + 2, main_area + 1, (void *)last - (void *)(main_area + 1));
			desc->nr_scratch++;
			main_area->size = cut - start;
			main_area++;
		}
		*main_area = (struct kho_phys_range){ resume, end - resume };
		pr_warn("test knob: scratch [%#llx-%#llx) loses [%#llx-%#llx), inside the kernel segment [%#lx+%#zx)\n",
			start, end, cut, resume, k->mem, k->memsz);
	}
	pr_warn("test knob: handover descriptor damaged on purpose (%s)\n", what);
}

/* The map's blocks, in place (include/kho/abi/memmap.h): the one at @at. */
static struct kho_memmap_block *kho_block(void *map, size_t at)
{
	return map + at;
}

static size_t kho_block_size(const struct kho_memmap_block *b)
{
	switch (b->kind) {
	case KHO_MEMMAP_EXTENT:
		return sizeof(*b) + sizeof(u64);
	case KHO_MEMMAP_RUNS:
		return sizeof(*b) + ALIGN(b->count * sizeof(struct kho_memmap_run), 8);
	default:
		return sizeof(*b) + DIV_ROUND_UP(b->count, 64) * 8;
	}
}

/* Offsets of every block, at most @max; returns how many there are. */
static unsigned int kho_blocks(void *map, size_t *at, unsigned int max)
{
	const struct kho_memmap_header *h = map;
	size_t off = sizeof(*h);
	unsigned int n;

	for (n = 0; n < h->nr_blocks && n < max; n++) {
		at[n] = off;
		off += kho_block_size(kho_block(map, off));
	}
	return n;
}

/* The first index a block holds, and one past its last. */
static u64 kho_block_first(const struct kho_memmap_block *b)
{
	const void *payload = b + 1;

	if (b->kind == KHO_MEMMAP_RUNS)
		return b->base + ((const struct kho_memmap_run *)payload)->offset;
	if (b->kind == KHO_MEMMAP_BITMAP)
		return b->base + find_first_bit(payload, b->count);
	return b->base;
}

static u64 kho_block_end(const struct kho_memmap_block *b)
{
	const struct kho_memmap_run *last = (const void *)(b + 1) + (b->count - 1) * sizeof(*last);

	if (b->kind == KHO_MEMMAP_RUNS)
		return b->base + last->offset + last->length_minus_1 + 1;
	if (b->kind == KHO_MEMMAP_BITMAP)
		return b->base + b->count;
	return b->base + *(const u64 *)(b + 1);
}

#define KHO_TEST_MAX_BLOCKS	256

/*
 * Where an order-0 page at @pfn can go as a block of its own: after the
 * last order-0 block that starts at or below it, if that one ends at or
 * below it (blocks of an order stay ascending).  0 if it cannot.
 */
static size_t kho_order0_slot(void *map, const size_t *at, unsigned int n, u64 pfn)
{
	size_t insert = sizeof(struct kho_memmap_header);

	for (unsigned int j = 0; j < n; j++) {
		const struct kho_memmap_block *o = kho_block(map, at[j]);

		if (o->order || o->base > pfn)
			continue;
		if (kho_block_end(o) > pfn)
			return 0;
		insert = at[j] + kho_block_size(o);
	}
	return insert;
}

/*
 * Replaces the @old_len bytes at @off of a copy of the map with @len bytes
 * from @bytes; the map then holds one page and @new_blocks blocks more.
 */
static int kho_memmap_splice(struct kho_damage *out, size_t off, size_t old_len,
			     const void *bytes, size_t len, unsigned int new_blocks)
{
	size_t size = out->memmap_size - old_len + len;
	struct kho_memmap_header *h;
	void *map;

	map = kx_alloc(size);	/* the core frees it with kx_free() */
	if (!map)
		return -ENOMEM;
	memcpy(map, out->memmap, off);
	memcpy(map + off, bytes, len);
	memcpy(map + off + len, out->memmap + off + old_len, out->memmap_size - off - old_len);
	h = map;
	h->nr_blocks += new_blocks;
	h->size = h->size - old_len + len;
	h->nr_pages++;
	kho_test_replace_memmap(map, size);
	return 0;
}

/* The order-0 RUNS block at @at with a run of the one page @pfn added. */
static int kho_add_run(struct kho_damage *out, size_t at, u64 pfn)
{
	const struct kho_memmap_block *o = kho_block(out->memmap, at);
	const struct kho_memmap_run *runs = (const void *)(o + 1);
	struct kho_memmap_run *to;
	struct kho_memmap_block *b;
	unsigned int i;
	int err;

	b = kzalloc(sizeof(*b) + ALIGN((o->count + 1) * sizeof(*to), 8), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	*b = *o;
	b->count++;
	to = (void *)(b + 1);
	for (i = 0; i < o->count && runs[i].offset < pfn - o->base; i++)
		to[i] = runs[i];
	to[i] = (struct kho_memmap_run){ .offset = pfn - o->base };
	memcpy(&to[i + 1], &runs[i], (o->count - i) * sizeof(*to));
	err = kho_memmap_splice(out, at, kho_block_size(o), b, kho_block_size(b), 0);
	kfree(b);
	return err;
}

/*
 * A copy of the map with one more order-0 page, inside the highest-order
 * folio (so a test module's, not the trace buffers'), and not at its head
 * so that the page touches no order-0 run: added to the order-0 block of
 * its chunk, or as a block of its own where there is none.
 */
static int kho_corrupt_overlap(struct kho_damage *out)
{
	struct {
		struct kho_memmap_block block;
		struct kho_memmap_run run;
		u32 pad;
	} add = { .block = { .order = 0, .kind = KHO_MEMMAP_RUNS, .count = 1 } };
	const struct kho_memmap_block *folio = NULL;
	struct kho_memmap_block *b;
	unsigned int n, i;
	size_t *at, slot;
	u64 pfn, chunk;
	int err;

	at = kcalloc(KHO_TEST_MAX_BLOCKS, sizeof(*at), GFP_KERNEL);
	if (!at)
		return -ENOMEM;
	n = kho_blocks(out->memmap, at, KHO_TEST_MAX_BLOCKS);
	for (i = 0; i < n; i++) {
		b = kho_block(out->memmap, at[i]);
		if (b->order >= 2 && (!folio || b->order > folio->order))
			folio = b;
	}
	err = -ENOENT;
	if (!folio)
		goto out;
	pfn = (kho_block_first(folio) << folio->order) + 1;
	chunk = ALIGN_DOWN(pfn, KHO_MEMMAP_CHUNK);
	for (i = 0; i < n; i++) {
		b = kho_block(out->memmap, at[i]);
		if (b->order || b->base != chunk)
			continue;
		if (b->kind == KHO_MEMMAP_RUNS) {
			err = kho_add_run(out, at[i], pfn);
		} else if (b->kind == KHO_MEMMAP_BITMAP && pfn - chunk < b->count) {
			__set_bit(pfn - chunk, (unsigned long *)(b + 1));
			((struct kho_memmap_header *)out->memmap)->nr_pages++;
			err = 0;
		}
		goto out;
	}
	slot = kho_order0_slot(out->memmap, at, n, pfn);
	if (slot) {
		add.block.base = chunk;
		add.run.offset = pfn - chunk;
		err = kho_memmap_splice(out, slot, 0, &add, sizeof(add), 1);
	}
out:
	kfree(at);
	return err;
}

/* Under the kexec lock, which activation holds from start to end. */
static int kho_corrupt_active(const char *what)
{
	const u32 huge = cpu_to_fdt32(0x7fffffff), small = 0;
	struct kho_outgoing active;
	struct kho_damage out;
	struct kho_memmap_header *h;
	int err, len, node;
	char *compat;

	if (!kho_out_get(&active))
		return -EBUSY;
	out = (struct kho_damage){ (void *)active.fdt, active.fdt_max, (void *)active.memmap,
				   active.memmap_size };
	h = out.memmap;
	if (!strcmp(what, "tree-magic")) {
		((u8 *)out.fdt)[0] ^= 0xff;
		return 0;
	}
	if (!strcmp(what, "compatible")) {
		compat = (char *)fdt_getprop(out.fdt, 0, "compatible", &len);
		if (!compat || len < sizeof("kho-v1"))
			return -EINVAL;
		memset(compat, 0, len);
		strscpy(compat, "kho-v1", len);
		return 0;
	}
	if (!strcmp(what, "ftrace-nr-pages")) {
		node = fdt_node_offset_by_compatible(out.fdt, -1, KHO_FTRACE_CPU_COMPATIBLE);
		if (node < 0)
			return -ENOENT;
		return fdt_setprop_inplace(out.fdt, node, "nr-pages", &huge, sizeof(huge)) ? -EINVAL : 0;
	}
	if (!strcmp(what, "ftrace-lengths")) {
		err = fdt_open_into(out.fdt, out.fdt, out.fdt_max);
		node = err ?: fdt_node_offset_by_compatible(out.fdt, -1, KHO_FTRACE_INSTANCE_COMPATIBLE);
		err = node < 0 ? node : fdt_setprop(out.fdt, node, "subbuf-order", &small, 2);
		err = fdt_pack(out.fdt) ?: err;
		return err ? -EINVAL : 0;
	}
	if (!strncmp(what, "luo-", 4))
		return luo_test_damage(what);
	if (strncmp(what, "memmap", 6) && strcmp(what, "overlap-orders"))
		return -EINVAL;
	if (!h)
		return -EINVAL;	/* the map is inline in the tree: too small to damage */
	if (!strcmp(what, "memmap-magic")) {
		h->magic ^= 0xff;
	} else if (!strcmp(what, "memmap-version")) {
		h->version++;
	} else if (!strcmp(what, "memmap-count")) {
		size_t at[1];

		if (!kho_blocks(out.memmap, at, 1) ||
		    kho_block(out.memmap, at[0])->kind == KHO_MEMMAP_EXTENT)
			return -ENOENT;
		kho_block(out.memmap, at[0])->count = 0x7fffffff;
	} else if (!strcmp(what, "overlap-orders")) {
		return kho_corrupt_overlap(&out);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int kho_corrupt(const char *what)
{
	if (!strcmp(what, "bad-range"))
		return kho_test_preserve_unchecked(PHYS_PFN(SZ_1T), 1);
	if (!strcmp(what, "range-over-kernel")) {
		/* Every area: the decompressor may choose any of them. */
		for (unsigned int i = 0; i < kho_scratch.nr; i++) {
			int err = kho_test_preserve_unchecked(PHYS_PFN(kho_scratch.area[i].addr),
							      PHYS_PFN(kho_scratch.area[i].size));
			if (err)
				return err;
		}
		return 0;
	}
	if (IS_ENABLED(CONFIG_KEXEC_HANDOVER_FTRACE) && !strcmp(what, "ftrace-page"))
		return kho_ftrace_test_corrupt_arm();
	for (unsigned int i = 0; i < ARRAY_SIZE(kho_desc_damages); i++) {
		if (!strcmp(what, kho_desc_damages[i])) {
			WRITE_ONCE(kho_desc_damage, kho_desc_damages[i]);
			return 0;
		}
	}
	return kho_corrupt_active(what);
}

/* Root with CAP_SYS_ADMIN, and no kexec lockdown: what kexec itself needs. */
static int kho_knob_allowed(void)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return security_locked_down(LOCKDOWN_KEXEC);
}

static ssize_t corrupt_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	char what[32];
	int err = kho_knob_allowed();

	if (err)
		return err;
	if (count >= sizeof(what))
		return -EINVAL;
	strscpy(what, buf, min(count + 1, sizeof(what)));
	if (!kexec_trylock())
		return -EBUSY;
	err = kho_corrupt(strim(what));
	kexec_unlock();
	if (err)
		return err;
	pr_warn("test knob: handover corrupted on purpose (%s)\n", strim(what));
	return count;
}
static struct kobj_attribute corrupt_attr = __ATTR_WO(corrupt);

static ssize_t preserved_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	int err = kho_knob_allowed();

	return err ?: sysfs_emit(buf, "%llu\n", kho_record_nr_pages());
}
static struct kobj_attribute preserved_attr = __ATTR_RO_MODE(preserved, 0400);

static struct attribute *kho_test_attrs[] = {
	&corrupt_attr.attr,
	&preserved_attr.attr,
	NULL,
};

static const struct attribute_group kho_test_group = {
	.name = "test",
	.attrs = kho_test_attrs,
};

/* From kho_out_init(): /sys/kernel/kho/test. */
int __init kho_test_knobs_init(struct kobject *kho_kobj)
{
	corrupt_attr.attr.mode = 0200;
	return sysfs_create_group(kho_kobj, &kho_test_group);
}
