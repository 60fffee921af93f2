/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kstate's description structures, in plain C types: the kernel API
 * (<linux/kstate.h>) and the C++ engine (kstate/, which includes no kernel
 * header) share this one definition.
 */
#ifndef KSTATE_DESCRIPTION_H
#define KSTATE_DESCRIPTION_H

/**
 * enum kstate_field_kind - how a field is saved
 * @KS_END: ends a description's field table
 * @KS_SIMPLE: the field's bytes (any plain type, or a fixed array of one)
 * @KS_POINTER: the object a pointer field points at, by value; the
 *	pointer must be set when saving and when restoring
 * @KS_STRUCT: an embedded struct with its own description
 * @KS_ARRAY: elements of a fixed array field, all of them or a count of
 *	them (from another field or a callback); with %KS_F_POINTERS the
 *	elements are pointers and their pointees are saved; with a @desc each
 *	element (or pointee) is saved as a struct of that description
 * @KS_CUSTOM: bytes produced and consumed by the field's callbacks
 * @KS_FOLIO: a &struct folio pointer: the folio is preserved through KHO
 *	and handed over by reference, never copied
 * @KS_ADDRESS: a pointer into the kernel image, saved relative to _text
 *	so that a different KASLR offset does not break it
 * @KS_PAGES: a &struct page pointer to a run of order-0 pages, as many as
 *	the u32 at @count_offset says: preserved through KHO and handed over
 *	by reference
 * @KS_VMALLOC: a pointer to vmalloc()ed memory: its pages are preserved
 *	through KHO and mapped again in the next kernel, never copied
 */
enum kstate_field_kind {
	KS_END = 0,
	KS_SIMPLE,
	KS_POINTER,
	KS_STRUCT,
	KS_ARRAY,
	KS_CUSTOM,
	KS_FOLIO,
	KS_ADDRESS,
	KS_PAGES,
	KS_VMALLOC,
};

/* Flags of a field. */
#define KS_F_POINTERS		0x1	/* KS_ARRAY: of pointers, pointees saved */
#define KS_F_COUNT_FIELD	0x2	/* KS_ARRAY, KS_PAGES: count is the u32 at count_offset */
#define KS_F_COUNT_FN		0x4	/* KS_ARRAY: count is count_fn(obj) */
#define KS_F_UNUSED		0x8	/* no storage: a dropped field's bytes, skipped */

struct kstate_description;

/**
 * struct kstate_field - one field of a description; use the KSTATE_*() macros
 * @name: the field's name, compared across kernels
 * @kind: &enum kstate_field_kind
 * @flags: KS_F_*
 * @offset: of the field in the object
 * @size: of the value, the pointee, or one array element
 * @count: %KS_ARRAY: the elements the field holds
 * @count_offset: %KS_F_COUNT_FIELD: offset of the u32 holding the count
 *	(of elements, or of pages)
 * @count_fn: %KS_F_COUNT_FN: returns the count
 * @desc: %KS_STRUCT: the embedded struct's description; %KS_ARRAY: the
 *	elements' description, if they are saved as structs (KSTATE_DESC())
 * @save: %KS_CUSTOM: given the field, writes at most @len bytes of it to
 *	@buf and returns how many it needs (as snprintf does; @buf is NULL
 *	when kstate measures), or a negative errno
 * @restore: %KS_CUSTOM: given the field, takes the @len bytes @save
 *	wrote; 0 or an errno
 * @version_min: first version that carries the field
 * @version_max: first version that no longer does; 0: still carried
 */
struct kstate_field {
	const char *name;
	unsigned int kind;
	unsigned int flags;
	unsigned long offset;
	unsigned long size;
	unsigned int count;
	unsigned long count_offset;
	unsigned int (*count_fn)(void *obj);
	const struct kstate_description *desc;
	long (*save)(void *field, void *buf, unsigned long len);
	int (*restore)(void *field, const void *buf, unsigned long len);
	unsigned int version_min;
	unsigned int version_max;
};

/**
 * struct kstate_description - how to save and restore one kind of object
 * @name: unique; the lookup key across kernels
 * @version_id: the version this kernel writes
 * @min_version_id: the oldest version it can read
 * @fields: ends with KSTATE_END_OF_LIST()
 * @subsections: optional, NULL-terminated; each is saved only when its
 *	@needed says so, and a restore refuses a subsection it does not know
 * @needed: for subsections: saved only if true
 * @pre_save: called before the object is saved; an error fails the save
 * @post_save: called after it was saved, or failed to be
 * @pre_load: called before the object is filled
 * @post_load: called after it was filled, with the version it was saved at
 */
struct kstate_description {
	const char *name;
	unsigned int version_id;
	unsigned int min_version_id;
	const struct kstate_field *fields;
	const struct kstate_description * const *subsections;
	bool (*needed)(void *obj);
	int (*pre_save)(void *obj);
	int (*post_save)(void *obj);
	int (*pre_load)(void *obj);
	int (*post_load)(void *obj, unsigned int version_id);
};

#endif /* KSTATE_DESCRIPTION_H */
