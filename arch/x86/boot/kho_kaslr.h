/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included by arch/x86/boot/compressed/kaslr.c (scripts/hooks/0006).
 *
 * On a KHO boot the decompressor may place the kernel only inside scratch,
 * and never over the handover segments (the tree and the memory map) that
 * the previous kernel put there: everything outside scratch may be
 * preserved memory.  The scratch areas replace the e820 and EFI maps for
 * this choice.  A descriptor that is malformed, or whose areas are not RAM
 * in the boot memory map, is not used: the kernel proper drops such a
 * handover too.  Returns true if a usable KHO descriptor was found.
 */
#include <kho/abi/handover.h>

/* One RAM entry of the boot e820 map holds [start, end). */
static bool kho_kaslr_in_ram(u64 start, u64 end)
{
	for (int i = 0; i < boot_params_ptr->e820_entries; i++) {
		const struct boot_e820_entry *e = &boot_params_ptr->e820_table[i];

		if (e->type == E820_TYPE_RAM && start >= e->addr && end <= e->addr + e->size &&
		    e->addr + e->size >= e->addr)
			return true;
	}
	return false;
}

static const struct kho_handover_desc *kho_kaslr_descriptor(void)
{
	const struct kho_handover_desc *d = NULL;
	struct setup_data *sd;
	u64 pa;

	for (pa = boot_params_ptr->hdr.setup_data; pa && !d; pa = sd->next) {
		sd = (struct setup_data *)pa;
		if (sd->type == KHO_SETUP_DATA_TYPE && sd->len == sizeof(*d))
			d = (const void *)sd->data;
	}
	if (!d || d->magic != KHO_DESC_MAGIC || d->version != KHO_DESC_VERSION ||
	    !d->nr_scratch || d->nr_scratch > KHO_MAX_SCRATCH)
		return NULL;
	for (unsigned int i = 0; i < d->nr_scratch; i++) {
		u64 start = d->scratch[i].addr, end = start + d->scratch[i].size;

		if (end <= start || !kho_kaslr_in_ram(start, end))
			return NULL;
	}
	if (d->fdt.addr + d->fdt.size < d->fdt.addr ||
	    d->memmap.addr + d->memmap.size < d->memmap.addr)
		return NULL;
	return d;
}

static bool kho_kaslr_piece(u64 start, u64 end, unsigned long minimum,
			    unsigned long image_size)
{
	struct mem_vector region = { start, end - start };

	return end > start && process_mem_region(&region, minimum, image_size);
}

static bool process_kho_entries(unsigned long minimum, unsigned long image_size)
{
	const struct kho_handover_desc *d = kho_kaslr_descriptor();
	struct kho_phys_range hole[2];
	u64 cur, end;
	unsigned int i, h;

	if (!d)
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
