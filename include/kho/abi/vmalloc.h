/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A preserved vmalloc area (kho_preserve_vmalloc()), as the next kernel
 * finds it.
 *
 * The owner stores struct kho_vmalloc where its next kernel finds it (a
 * property of its subtree).  It names the first chunk: a page holding the
 * physical address of the next chunk (0 ends the list), then the physical
 * addresses of the area's pages in order, ended by a zero or by the end of
 * the page.  Only the last chunk ends early.  The chunks and the pages are
 * preserved order-0 pages; the chunks are freed once the area is restored.
 *
 * Plain C types only: the next kernel's C++ reader includes this too.
 * See Documentation/kho/format.rst.
 */
#ifndef KHO_ABI_VMALLOC_H
#define KHO_ABI_VMALLOC_H

#define KHO_VMALLOC_CHUNK_BYTES	4096
#define KHO_VMALLOC_CHUNK_SLOTS	(KHO_VMALLOC_CHUNK_BYTES / 8 - 1)

struct kho_vmalloc_chunk {
	unsigned long long next;	/* physical address of the next chunk */
	unsigned long long phys[KHO_VMALLOC_CHUNK_SLOTS];
};

struct kho_vmalloc {
	union {				/* mainline's DECLARE_KHOSER_PTR() */
		unsigned long long phys;
		struct kho_vmalloc_chunk *ptr;
	} first;
	unsigned int total_pages;
	unsigned short flags;		/* zero */
	unsigned short order;		/* of the area's pages: zero */
};

#endif /* KHO_ABI_VMALLOC_H */
