// SPDX-License-Identifier: GPL-2.0
/*
 * kstate: the memory fields hand over by reference, through KHO -- a folio
 * (KSTATE_FOLIO()), a run of pages (KSTATE_PAGES()), a vmalloc area
 * (KSTATE_VMALLOC()).  The engine keeps where each is (struct
 * kstate_mem_ref) and checks the previous kernel's before it asks for the
 * memory; KHO's restore functions check again and claim it, all or none.
 *
 * A saved folio holds a reference: giving it back (ABORT) calls folio
 * functions on it.  Pages and vmalloc areas are given back by their
 * physical addresses and KHO's own page list, never through the owner's
 * structures, so an owner that frees them early cannot make that touch
 * freed memory; as with KHO's own functions, memory freed while handed
 * over reaches the next kernel with whatever it then holds.
 */
#include <linux/kexec_handover.h>
#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>

#include <kho/abi/vmalloc.h>
#include "kho/incoming.h"
#include "kstate/memory.h"

static struct kho_vmalloc kstate_vmalloc_of(const struct kstate_mem_ref *ref)
{
	return (struct kho_vmalloc){ .first.phys = ref->phys, .total_pages = ref->count,
				     .flags = ref->extra & 0xffff, .order = ref->extra >> 16 };
}

int kstate_preserve_mem(unsigned int kind, void *ptr, kx_u32 count, struct kstate_mem_ref *ref)
{
	struct kho_vmalloc area;
	int err;

	switch (kind) {
	case KS_FOLIO:
		err = kho_preserve_folio(ptr);
		if (err)
			return err;
		folio_get(ptr);
		*ref = (struct kstate_mem_ref){ PFN_PHYS(folio_pfn(ptr)), folio_order(ptr) };
		return 0;
	case KS_PAGES:
		err = kho_preserve_pages(ptr, count);
		if (err)
			return err;
		*ref = (struct kstate_mem_ref){ PFN_PHYS(page_to_pfn((struct page *)ptr)), count };
		return 0;
	case KS_VMALLOC:
		err = kho_preserve_vmalloc(ptr, &area);
		if (err)
			return err;
		*ref = (struct kstate_mem_ref){ area.first.phys, area.total_pages,
						area.flags | (u32)area.order << 16 };
		return 0;
	}
	return -EINVAL;
}

void kstate_unpreserve_mem(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref)
{
	struct kho_vmalloc area;

	switch (kind) {
	case KS_FOLIO:
		kho_unpreserve_folio(ptr);
		folio_put(ptr);
		break;
	case KS_PAGES:
		kho_unpreserve_pages(ptr, ref->count);
		break;
	case KS_VMALLOC:
		area = kstate_vmalloc_of(ref);
		kho_unpreserve_vmalloc(&area);
		break;
	}
}

/* Whether each of @nr pages from @phys is a preserved, unclaimed order-0 page. */
static bool kstate_pages_restorable(kx_u64 phys, kx_u32 nr)
{
	kx_u32 i;

	if (nr > totalram_pages())
		return false;
	for (i = 0; i < nr; i++)
		if (kho_in_restorable_order(phys + (kx_u64)i * PAGE_SIZE) != 0)
			return false;
	return true;
}

int kstate_mem_restorable(unsigned int kind, const struct kstate_mem_ref *ref)
{
	switch (kind) {
	case KS_FOLIO:
		return kho_in_restorable_order(ref->phys) == (int)ref->count;
	case KS_PAGES:
		return kstate_pages_restorable(ref->phys, ref->count);
	case KS_VMALLOC:
		/* kho_restore_vmalloc() reads the rest of the list, all or nothing. */
		return !ref->extra && ref->count <= totalram_pages() &&
		       kho_in_restorable_order(ref->phys) == 0;
	}
	return 0;
}

void *kstate_restore_mem(unsigned int kind, const struct kstate_mem_ref *ref)
{
	struct kho_vmalloc area;
	struct folio *folio;

	switch (kind) {
	case KS_FOLIO:
		folio = kho_restore_folio(ref->phys);
		if (folio && folio_order(folio) != ref->count) {
			folio_put(folio);	/* not what was checked: give it back */
			return NULL;
		}
		return folio;
	case KS_PAGES:
		return kho_restore_pages(ref->phys, ref->count);
	case KS_VMALLOC:
		area = kstate_vmalloc_of(ref);
		return kho_restore_vmalloc(&area);
	}
	return NULL;
}

void kstate_release_mem(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref)
{
	kx_u32 i;

	switch (kind) {
	case KS_FOLIO:
		folio_put(ptr);
		break;
	case KS_PAGES:
		for (i = 0; i < ref->count; i++)
			__free_page(nth_page((struct page *)ptr, i));
		break;
	case KS_VMALLOC:
		vfree(ptr);
		break;
	}
}
