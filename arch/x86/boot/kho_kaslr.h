/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In arch/x86/boot/compressed/kaslr.c (hook 0006): on a KHO boot the kernel
 * lands in scratch, off the tree and the memory map there; anything else
 * may be preserved memory.  A descriptor that is malformed, or whose
 * scratch is not e820 RAM, is not used (the kernel proper drops it too).
 */
#include <kho/abi/handover.h>

static const struct kho_handover_desc *kho_kaslr_descriptor(void)
{
	const struct kho_handover_desc *d = NULL;
	struct setup_data *sd;

	for (u64 pa = boot_params_ptr->hdr.setup_data; pa && !d; pa = sd->next) {
		sd = (struct setup_data *)pa;
		if (sd->type == KHO_SETUP_DATA_TYPE && sd->len == sizeof(*d))
			d = (const void *)sd->data;
	}
	if (!d || d->magic != KHO_DESC_MAGIC || d->version != KHO_DESC_VERSION ||
	    d->page_shift != PAGE_SHIFT ||
	    !d->nr_scratch || d->nr_scratch > KHO_MAX_SCRATCH || d->fdt.addr + d->fdt.size < d->fdt.addr ||
	    d->memmap.addr + d->memmap.size < d->memmap.addr)
		return NULL;
	for (unsigned int i = 0; i < d->nr_scratch; i++) {
		u64 start = d->scratch[i].addr, end = start + d->scratch[i].size;
		bool ram = false;

		for (int j = 0; j < boot_params_ptr->e820_entries; j++) {
			const struct boot_e820_entry *e = &boot_params_ptr->e820_table[j];

			ram |= e->type == E820_TYPE_RAM && start >= e->addr &&
			       end <= e->addr + e->size && e->addr + e->size >= e->addr;
		}
		if (end <= start || !ram)
			return NULL;
	}
	return d;
}

/* The scratch areas less the two holes, instead of the EFI or e820 map: true if used. */
static bool process_kho_entries(unsigned long minimum, unsigned long image_size)
{
	const struct kho_handover_desc *d = kho_kaslr_descriptor();
	struct kho_phys_range hole[2];

	if (!d)
		return false;
	hole[0] = d->memmap.addr < d->fdt.addr ? d->memmap : d->fdt;
	hole[1] = d->memmap.addr < d->fdt.addr ? d->fdt : d->memmap;
	for (unsigned int i = 0; i < d->nr_scratch; i++) {
		u64 cur = d->scratch[i].addr, end = cur + d->scratch[i].size;

		/* The pieces before, between and after the holes, rounded out to pages. */
		for (int h = 0; h < 3; h++) {
			u64 hs = h < 2 ? hole[h].addr & ~0xfffULL : end;
			u64 he = h < 2 ? (hole[h].addr + hole[h].size + 0xfff) & ~0xfffULL : end;
			u64 stop = hs < end ? hs : end;
			struct mem_vector piece = { cur, stop - cur };

			if (h < 2 && !hole[h].size)
				continue;
			if (stop > cur && process_mem_region(&piece, minimum, image_size))
				return true;
			cur = he > cur ? he : cur;
		}
	}
	return true;
}
