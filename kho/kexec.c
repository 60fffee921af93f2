// SPDX-License-Identifier: GPL-2.0
/*
 * kexec integration.  An image loaded with kexec_file_load() while the
 * handover is active carries the tree and the memory map as two more
 * segments (covered by the purgatory digest like every other), and all its
 * segments are placed inside scratch: the next kernel boots there and must
 * not land on preserved memory.  Crash images never carry a handover and
 * keep their crashkernel placement.  kexec_load(), whose segments user
 * space assembles, is refused while active.
 *
 * Each normal image gets a record when it is loaded: the memory layout
 * generation it was built for and, if it carries the handover, where its
 * segments are.  Only the loaded image's record is kept across loads: every
 * load (of any image type) starts by forgetting the others, which belong to
 * images unloaded, replaced or failed, whatever freed them.  So a record
 * never describes an image it was not made for, even one that got the
 * address of a freed one.  Everything here runs under the kexec lock.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/kexec.h>
#include <linux/kho_hooks.h>
#include <linux/mm.h>

#include "kexec.h"
#include "record.h"
#include "scratch.h"
#include "test_knobs.h"

/* At most the loaded image's and the one being loaded. */
static struct kho_image_record {
	struct kimage *image;
	int layout_gen;
	bool carries;			/* the handover */
	phys_addr_t fdt, memmap;	/* its handover segments */
} kho_images[2];

/* The record of @image; with NULL, a free record. */
static struct kho_image_record *kho_image_record(const struct kimage *image)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(kho_images); i++)
		if (kho_images[i].image == image)
			return &kho_images[i];
	return NULL;
}

/* A load begins: only the loaded image's record stays. */
static void kho_image_records_start_load(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(kho_images); i++)
		if (!kexec_image || kho_images[i].image != kexec_image)
			kho_images[i] = (struct kho_image_record){};
}

static struct kho_image_record *kho_image_record_new(struct kimage *image)
{
	struct kho_image_record *rec = kho_image_record(NULL);

	*rec = (struct kho_image_record){ .image = image, .layout_gen = kho_layout_generation() };
	return rec;
}

static int kho_add_segment(struct kimage *image, const void *buf, size_t size,
			   phys_addr_t *mem)
{
	struct kexec_buf kbuf = {
		.image = image,
		.buffer = (void *)buf,
		.bufsz = size,
		.memsz = PAGE_ALIGN(size),
		.buf_align = PAGE_SIZE,
		.buf_max = ULONG_MAX,
		.top_down = true,
	};
	int err = kexec_add_buffer(&kbuf);

	if (!err)
		*mem = kbuf.mem;
	return err;
}

/* kimage_file_prepare_segments(), before the arch loader. */
int kho_kexec_file_prepare(struct kimage *image)
{
	struct kho_image_record *rec;
	struct kho_outgoing out;
	int err;

	kho_image_records_start_load();
	if (image->type == KEXEC_TYPE_CRASH)
		return 0;
	rec = kho_image_record_new(image);
	if (!kho_out_get(&out))
		return 0;
	/* Carrying from here on, so its segments, these too, go to scratch. */
	rec->carries = true;
	err = kho_add_segment(image, out.fdt, out.fdt_size, &rec->fdt);
	if (!err && out.memmap)
		err = kho_add_segment(image, out.memmap, out.memmap_size, &rec->memmap);
	if (err)
		pr_err("kexec: no room in scratch for the handover segments (%d)\n", err);
	return err;
}

/* kexec_add_buffer(): the segments of an image carrying a handover go to scratch. */
void kho_kexec_constrain(struct kexec_buf *kbuf)
{
	const struct kho_image_record *rec = kho_image_record(kbuf->image);
	const struct kho_phys_range *main_area;

	if (!rec || !rec->carries || kbuf->image->type == KEXEC_TYPE_CRASH || !kho_scratch.nr)
		return;
	main_area = kho_main_scratch();
	kbuf->buf_min = max_t(unsigned long, kbuf->buf_min, main_area->addr);
	kbuf->buf_max = min_t(unsigned long, kbuf->buf_max,
			      main_area->addr + main_area->size - 1);
}

/* do_kexec_load(), once the image exists: refused while active, with a reason. */
int kho_kexec_load_check(struct kimage *image, unsigned long flags)
{
	struct kho_outgoing out;

	kho_image_records_start_load();
	if (image->type == KEXEC_TYPE_CRASH)
		return 0;
	if (kho_out_get(&out)) {
		if (flags & KEXEC_PRESERVE_CONTEXT)
			pr_warn("kexec_load: preserve-context images cannot carry a handover; deactivate KHO first\n");
		else
			pr_warn("kexec_load: user-space loaded images cannot carry a handover; use kexec_file_load (kexec -s) or deactivate KHO\n");
		return -EBUSY;
	}
	kho_image_record_new(image);
	return 0;
}

/* kernel_kexec(): the memory layout must be the one the image was built for. */
int kho_kexec_exec_check(struct kimage *image)
{
	const struct kho_image_record *rec = kho_image_record(image);

	if (image->type == KEXEC_TYPE_CRASH)
		return 0;
	if (WARN_ON_ONCE(!rec))
		return -EINVAL;
	if (rec->layout_gen == kho_layout_generation())
		return 0;
	pr_err("kexec: memory was hot-(un)plugged after the image was loaded; load it again\n");
	return -ESTALE;
}

/* For deactivation, under the kexec lock. */
bool kho_kexec_image_carries_handover(void)
{
	const struct kho_image_record *rec = kexec_image ? kho_image_record(kexec_image) : NULL;

	return rec && rec->carries;
}

/* For the arch glue, as @image is loaded: the descriptor it carries. */
bool kho_kexec_handover_desc(const struct kimage *image, struct kho_handover_desc *desc)
{
	const struct kho_image_record *rec = kho_image_record(image);
	struct kho_outgoing out;

	if (!rec || !rec->carries || image->type == KEXEC_TYPE_CRASH || !kho_out_get(&out))
		return false;
	memset(desc, 0, sizeof(*desc));
	desc->magic = KHO_DESC_MAGIC;
	desc->version = KHO_DESC_VERSION;
	desc->page_shift = PAGE_SHIFT;
	desc->nr_scratch = kho_scratch.nr;
	memcpy(desc->scratch, kho_scratch.area, sizeof(desc->scratch));
	desc->fdt = (struct kho_phys_range){ rec->fdt, out.fdt_size };
	if (out.memmap)
		desc->memmap = (struct kho_phys_range){ rec->memmap, out.memmap_size };
	kho_test_damage_desc(image, desc);
	return true;
}
