/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kstate stream, as the next kernel finds it.
 *
 * The handover tree has a node "kstate" (compatible "kstate-v1") whose
 * property "chunks" lists the physical addresses (u64 each) of the stream's
 * chunks.  A chunk is one preserved folio: a struct kstate_chunk, then
 * records, each a struct kstate_record followed by its body, 8-byte
 * aligned.  Two kinds of record:
 *
 *  - a description: struct kstate_desc_record, its name, its fields (each
 *    a struct kstate_field_record and the field's name), then the indices
 *    of its subsections' descriptions (u32 each).  Descriptions are
 *    numbered in stream order from 0; a description refers only to
 *    descriptions before it.
 *  - a state: struct kstate_state_record, then the object's data.
 *
 * Names are not NUL-terminated and are padded to 8 bytes.  The data of an
 * object is its description's fields carried at its version, in table
 * order, packed (no padding), then its subsections:
 *
 *   KS_SIMPLE, KS_POINTER   the value: size bytes
 *   KS_STRUCT               the embedded struct's data, recursively
 *   KS_ARRAY                u32 n, then n elements of size bytes, or of
 *                           their description's data if the field has one
 *   KS_CUSTOM               u32 n, then the n bytes the callback wrote
 *   KS_FOLIO                u64 physical address (0: none), u32 order
 *   KS_ADDRESS              u64 offset from _text; ~0: NULL
 *   KS_PAGES                u64 physical address of the first (0: none), u32 pages
 *   KS_VMALLOC              u64 physical address of the first chunk of its
 *                           page list (struct kho_vmalloc, 0: none), u32
 *                           pages, u32 flags | order << 16
 *   subsections             u32 n, then n times: u32 description, u32
 *                           bytes, and that many bytes of its data
 *
 * All integers native-endian: both kernels run on the same machine.
 * Plain C types only: the C++ reader and writer include this.
 * See Documentation/kstate/format.rst.
 */
#ifndef KHO_ABI_KSTATE_H
#define KHO_ABI_KSTATE_H

#define KSTATE_NODE_NAME	"kstate"
#define KSTATE_COMPATIBLE	"kstate-v1"
#define KSTATE_CHUNKS_PROP	"chunks"

#define KSTATE_CHUNK_MAGIC	0x4b53544bu	/* "KSTK" */
#define KSTATE_FORMAT		1

/* Record kinds. */
#define KSTATE_RECORD_DESC	1
#define KSTATE_RECORD_STATE	2

/* A description index that names none. */
#define KSTATE_NO_DESC		0xffffffffu
/* KS_ADDRESS of a NULL pointer. */
#define KSTATE_NULL_ADDRESS	0xffffffffffffffffull

struct kstate_chunk {
	unsigned int magic;
	unsigned int format;
	unsigned long long size;	/* of the folio */
	unsigned long long used;	/* bytes from the chunk's start */
	unsigned long long reserved;	/* zero */
};

struct kstate_record {
	unsigned int kind;		/* KSTATE_RECORD_* */
	unsigned int reserved;		/* zero */
	unsigned long long size;	/* with this header, a multiple of 8 */
};

struct kstate_desc_record {
	unsigned long long fingerprint;
	unsigned int version_id;
	unsigned int name_len;
	unsigned int nr_fields;
	unsigned int nr_subsections;
};

struct kstate_field_record {
	unsigned int kind;		/* enum kstate_field_kind */
	unsigned int flags;		/* KS_F_* */
	unsigned int offset;
	unsigned int size;
	unsigned int count;
	unsigned int version_min;
	unsigned int version_max;
	unsigned int desc;		/* KS_STRUCT, KS_ARRAY of structs: the description; else KSTATE_NO_DESC */
	unsigned int name_len;
	unsigned int reserved;		/* zero */
};

struct kstate_state_record {
	unsigned long long instance_id;
	unsigned int desc;
	unsigned int reserved;		/* zero */
	unsigned long long data_size;
};

#endif /* KHO_ABI_KSTATE_H */
