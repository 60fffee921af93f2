/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO preserved-memory map, format version 1.
 *
 * The outgoing kernel records every page it preserves; the incoming kernel
 * must reserve them all before it allocates anything.  This is the wire
 * format between the two: a header followed by blocks, native endian,
 * every field naturally aligned, blocks 8-byte aligned.
 *
 * Pages are recorded per folio order: an order-k folio at pfn P is index
 * P >> k of order k.  Each block covers indices of one order:
 *
 *  KHO_MEMMAP_EXTENT  one contiguous run of any length:
 *                     u64 length follows the block header.
 *  KHO_MEMMAP_RUNS    runs inside one chunk of KHO_MEMMAP_CHUNK indices
 *                     starting at @base (chunk-aligned): @count pairs of
 *                     u16 (offset, length - 1), ascending and disjoint.
 *  KHO_MEMMAP_BITMAP  a bitmap of @count bits, bit i = index @base + i;
 *                     @count <= KHO_MEMMAP_CHUNK, the block stays inside
 *                     one chunk.  Padded to a multiple of 64 bits.
 *
 * Blocks of one order are in ascending index order and never overlap.
 * The encoder picks, per chunk, whichever of runs or bitmap is smaller, so
 * the map is never much larger than the better of a plain range list and a
 * plain bitmap, and a single range of any size takes 56 bytes.
 *
 * See Documentation/kho/format.rst for the schema.
 */
#ifndef KHO_ABI_MEMMAP_H
#define KHO_ABI_MEMMAP_H

#define KHO_MEMMAP_MAGIC	0x4d4f484bU	/* "KHOM" */
#define KHO_MEMMAP_VERSION	1
#define KHO_MEMMAP_CHUNK	32768		/* indices per RUNS/BITMAP chunk */
#define KHO_MEMMAP_MAX_ORDER	20

enum kho_memmap_kind {
	KHO_MEMMAP_EXTENT = 1,
	KHO_MEMMAP_RUNS = 2,
	KHO_MEMMAP_BITMAP = 3,
};

struct kho_memmap_header {
	unsigned int magic;		/* KHO_MEMMAP_MAGIC */
	unsigned int version;		/* KHO_MEMMAP_VERSION */
	unsigned int page_shift;	/* of the kernel that wrote it */
	unsigned int nr_blocks;
	unsigned long long size;	/* bytes, header included */
	unsigned long long nr_pages;	/* total pages preserved */
};

struct kho_memmap_block {
	unsigned long long base;	/* first index (pfn >> order) */
	unsigned char order;
	unsigned char kind;		/* enum kho_memmap_kind */
	unsigned short reserved;	/* zero */
	unsigned int count;		/* runs, or bits; 0 for EXTENT */
};

struct kho_memmap_run {
	unsigned short offset;		/* from the block's base */
	unsigned short length_minus_1;
};

#ifdef __cplusplus
static_assert(sizeof(struct kho_memmap_header) == 32, "ABI");
static_assert(sizeof(struct kho_memmap_block) == 16, "ABI");
static_assert(sizeof(struct kho_memmap_run) == 4, "ABI");
#else
_Static_assert(sizeof(struct kho_memmap_header) == 32, "ABI");
_Static_assert(sizeof(struct kho_memmap_block) == 16, "ABI");
_Static_assert(sizeof(struct kho_memmap_run) == 4, "ABI");
#endif

#endif /* KHO_ABI_MEMMAP_H */
