/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by arch/x86/boot/compressed/kaslr.c (scripts/hooks/0006).
 *
 * On a KHO boot the decompressor may place the kernel only inside scratch,
 * and never over the handover segments (the tree and the memory map) that
 * the previous kernel put there: everything outside scratch may be
 * preserved memory.  The scratch areas replace the e820 and EFI maps for
 * this choice.  Returns true if a KHO descriptor was found.
 */
#include <kho/abi/handover.h>

static bool kho_kaslr_piece(u64 start, u64 end, unsigned long minimum,
			    unsigned long image_size)
{
	struct mem_vector region = { start, end - start };

	return end > start && process_mem_region(&region, minimum, image_size);
}

static bool process_kho_entries(unsigned long minimum, unsigned long image_size)
{
	const struct kho_handover_desc *d = NULL;
	struct kho_phys_range hole[2];
	struct setup_data *sd;
	u64 pa, cur, end;
	unsigned int i, h;

	for (pa = boot_params_ptr->hdr.setup_data; pa; pa = sd->next) {
		sd = (struct setup_data *)pa;
		if (sd->type == KHO_SETUP_DATA_TYPE && sd->len == sizeof(*d)) {
			d = (const void *)sd->data;
			break;
		}
	}
	if (!d || d->magic != KHO_DESC_MAGIC || d->version != KHO_DESC_VERSION ||
	    d->nr_scratch > KHO_MAX_SCRATCH)
		return false;

	/* The two holes, in ascending order, rounded out to pages. */
	hole[0] = d->fdt;
	hole[1] = d->memmap;
	if (hole[1].addr < hole[0].addr) {
		hole[0] = d->memmap;
		hole[1] = d->fdt;
	}
	for (i = 0; i < d->nr_scratch; i++) {
		cur = d->scratch[i].addr;
		end = cur + d->scratch[i].size;
		for (h = 0; h < 2; h++) {
			u64 hs = hole[h].addr & ~0xfffULL;
			u64 he = (hole[h].addr + hole[h].size + 0xfff) & ~0xfffULL;

			if (!hole[h].size || he <= cur || hs >= end)
				continue;
			if (kho_kaslr_piece(cur, hs, minimum, image_size))
				return true;
			cur = he > cur ? he : cur;
		}
		if (cur < end && kho_kaslr_piece(cur, end, minimum, image_size))
			return true;
	}
	return true;
}
