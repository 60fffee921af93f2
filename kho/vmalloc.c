// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc areas across kexec: every page of the area is preserved, and so
 * are chunk pages listing their physical addresses (struct kho_vmalloc).
 * The next kernel restores the pages and maps them again; the result is an
 * ordinary vmalloc area that vfree() releases.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/io.h>
#include <linux/kasan.h>
#include <linux/kexec_handover.h>
#include <linux/kho/abi/kexec_handover.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mm/internal.h"
#include "incoming.h"
#include "vmalloc_list.h"

/*
 * The list is written and read in vmalloc_list.cpp.  A chunk is the first
 * 4 KiB of a page on every page size: the format does not change with it.
 */
static_assert(sizeof(struct kho_vmalloc_chunk) <= PAGE_SIZE);

static int kho_vmalloc_new_chunk(struct kho_vmalloc_chunk **chunk, kx_u64 *phys)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	int err;

	if (!page)
		return -ENOMEM;
	err = kho_preserve_pages(page, 1);
	if (err) {
		__free_page(page);
		return err;
	}
	*chunk = page_address(page);
	*phys = page_to_phys(page);
	return 0;
}

static void kho_vmalloc_free_chunk(struct kho_vmalloc_chunk *chunk)
{
	kho_unpreserve_pages(virt_to_page(chunk), 1);
	free_page((unsigned long)chunk);
}

static int kho_vmalloc_preserve_page(void *vm, unsigned int i, kx_u64 *phys)
{
	struct page *page = ((struct vm_struct *)vm)->pages[i];

	*phys = page_to_phys(page);
	return kho_preserve_pages(page, 1);
}

static void kho_vmalloc_unpreserve_page(kx_u64 phys)
{
	kho_unpreserve_pages(pfn_to_page(PHYS_PFN(phys)), 1);
}

static struct kho_vmalloc_chunk *kho_vmalloc_own_chunk(kx_u64 phys)
{
	return phys_to_virt(phys);
}

static const struct kho_vmalloc_writer_ops kho_vmalloc_writer_ops = {
	.new_chunk = kho_vmalloc_new_chunk,
	.free_chunk = kho_vmalloc_free_chunk,
	.preserve_page = kho_vmalloc_preserve_page,
	.unpreserve_page = kho_vmalloc_unpreserve_page,
	.chunk_at = kho_vmalloc_own_chunk,
};

/**
 * kho_preserve_vmalloc() - hand a vmalloc area over to the next kernel
 * @ptr: start of an area from vmalloc() and friends (order-0 pages)
 * @preservation: filled in; store it somewhere the next kernel finds
 *
 * Return: 0; -EINVAL if @ptr is not the start of a page-backed vmalloc
 * area; -EOPNOTSUPP for huge-page mappings; or an error of
 * kho_preserve_pages().
 */
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation)
{
	struct vm_struct *vm = find_vm_area(ptr);

	if (!vm || vm->addr != ptr || !vm->pages || !vm->nr_pages)
		return -EINVAL;
	if (is_vm_area_hugepages(ptr))
		return -EOPNOTSUPP;
	return kho_vmalloc_list_write(vm->nr_pages, &kho_vmalloc_writer_ops, vm, preservation);
}
EXPORT_SYMBOL_GPL(kho_preserve_vmalloc);

/**
 * kho_unpreserve_vmalloc() - undo kho_preserve_vmalloc()
 * @preservation: as filled in by kho_preserve_vmalloc()
 */
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation)
{
	kho_vmalloc_list_drop(preservation, &kho_vmalloc_writer_ops);
}
EXPORT_SYMBOL_GPL(kho_unpreserve_vmalloc);

static const struct kho_vmalloc_chunk *kho_vmalloc_chunk_at(kx_u64 phys)
{
	return kho_in_restorable_order(phys) == 0 ? phys_to_virt(phys) : NULL;
}

static int kho_vmalloc_page_restorable(kx_u64 phys)
{
	return kho_in_restorable_order(phys) == 0;
}

static const struct kho_vmalloc_list_ops kho_vmalloc_list_ops = {
	.chunk = kho_vmalloc_chunk_at,
	.restorable = kho_vmalloc_page_restorable,
};

/**
 * kho_restore_vmalloc() - map again a vmalloc area from the previous kernel
 * @preservation: the previous kernel's struct kho_vmalloc; untrusted
 *
 * All or nothing: on failure no page is taken, so a later call can try
 * again.
 *
 * Return: the new mapping, to be released with vfree(); NULL if the
 * description is malformed, any page was not preserved, or memory is short.
 */
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation)
{
	unsigned int total, nr_chunks, i;
	struct vm_struct *area = NULL;
	struct page **pages = NULL;
	kx_u64 *phys, entries;
	const char *why;

	if (kho_vmalloc_list_size(preservation, totalram_pages(), &total, &entries, &why)) {
		pr_err("restore: %s\n", why);
		return NULL;
	}
	/* The pages, then their chunks. */
	phys = kvmalloc_array(entries, sizeof(*phys), GFP_KERNEL);
	if (!phys)
		return NULL;
	if (kho_vmalloc_list_read(preservation, totalram_pages(), &kho_vmalloc_list_ops, phys,
				  entries, &nr_chunks, &why)) {
		pr_err("restore: %s\n", why);
		goto fail;
	}
	pages = kvmalloc_array(total, sizeof(*pages), GFP_KERNEL);
	area = get_vm_area(total * PAGE_SIZE, VM_ALLOC);
	if (!pages || !area)
		goto fail;
	for (i = 0; i < total; i++)
		pages[i] = pfn_to_page(PHYS_PFN(phys[i]));
	if (vmap_pages_range_noflush((unsigned long)area->addr,
				     (unsigned long)area->addr + total * PAGE_SIZE,
				     PAGE_KERNEL, pages, PAGE_SHIFT))
		goto fail;
	/* Nothing can fail after this but a page someone restored meanwhile. */
	if (!kho_in_take_pages(phys, total + nr_chunks)) {
		pr_err("restore: vmalloc area of %u pages: pages were taken meanwhile\n", total);
		goto fail;
	}
	for (i = 0; i < nr_chunks; i++)
		__free_page(pfn_to_page(PHYS_PFN(phys[total + i])));
	kvfree(phys);
	flush_cache_vmap((unsigned long)area->addr, (unsigned long)area->addr + total * PAGE_SIZE);
	area->pages = pages;
	area->nr_pages = total;
	/* As vmalloc() does once a VM_ALLOC area is mapped. */
	return kasan_unpoison_vmalloc(area->addr, total * PAGE_SIZE, KASAN_VMALLOC_PROT_NORMAL);
fail:
	if (area)
		free_vm_area(area);
	kvfree(pages);
	kvfree(phys);
	return NULL;
}
EXPORT_SYMBOL_GPL(kho_restore_vmalloc);
