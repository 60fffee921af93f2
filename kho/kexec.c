// SPDX-License-Identifier: GPL-2.0
/*
 * kexec integration.  An image loaded with kexec_file_load() while the
 * handover is active carries the tree and the memory map as two more
 * segments (covered by the purgatory digest like every other), and all its
 * segments are placed inside scratch: the next kernel boots there and must
 * not land on preserved memory.  Crash images never carry a handover and
 * keep their crashkernel placement.  kexec_load(), whose segments user
 * space assembles, is refused while active.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/kexec.h>
#include <linux/kho_hooks.h>
#include <linux/mm.h>

#include "kho_internal.h"

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
	struct kho_outgoing out;
	phys_addr_t fdt, memmap = 0;
	int err;

	if (image->type == KEXEC_TYPE_CRASH)
		return 0;
	kho_note_image_load();
	if (!kho_out_get(&out))
		return 0;
	err = kho_add_segment(image, out.fdt, out.fdt_size, &fdt);
	if (!err && out.memmap)
		err = kho_add_segment(image, out.memmap, out.memmap_size, &memmap);
	if (err) {
		pr_err("kexec: no room in scratch for the handover segments (%d)\n", err);
		return err;
	}
	kho_out_attach(image, fdt, memmap);
	return 0;
}

/* kexec_add_buffer(): the segments of an image carrying a handover go to scratch. */
void kho_kexec_constrain(struct kexec_buf *kbuf)
{
	struct kho_outgoing out;
	const struct kho_phys_range *main_area;

	if (kbuf->image->type == KEXEC_TYPE_CRASH || !kho_out_get(&out) || !kho_scratch.nr)
		return;
	/* The largest area: the main one. */
	main_area = &kho_scratch.area[0];
	for (unsigned int i = 1; i < kho_scratch.nr; i++)
		if (kho_scratch.area[i].size > main_area->size)
			main_area = &kho_scratch.area[i];
	kbuf->buf_min = max_t(unsigned long, kbuf->buf_min, main_area->addr);
	kbuf->buf_max = min_t(unsigned long, kbuf->buf_max,
			      main_area->addr + main_area->size - 1);
}

/* kexec_load(): refused while active, with a reason; unloading is fine. */
int kho_kexec_load_check(unsigned long nr_segments, unsigned long flags)
{
	struct kho_outgoing out;

	if ((flags & KEXEC_ON_CRASH) || !nr_segments)
		return 0;
	kho_note_image_load();
	if (!kho_out_get(&out))
		return 0;
	if (flags & KEXEC_PRESERVE_CONTEXT)
		pr_warn("kexec_load: preserve-context images cannot carry a handover; deactivate KHO first\n");
	else
		pr_warn("kexec_load: user-space loaded images cannot carry a handover; use kexec_file_load (kexec -s) or deactivate KHO\n");
	return -EBUSY;
}
