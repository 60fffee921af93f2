/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kstate: declarative descriptions of kernel state, saved across kexec
 * through KHO and restored in the next kernel.
 *
 * A subsystem describes a structure once, as a table of fields, and
 * registers the objects it wants kept.  When the handover is serialized
 * (echo 1 > /sys/kernel/kho/active) each registered object is saved with
 * its description's name, version and layout; memory named by a
 * KSTATE_FOLIO(), KSTATE_PAGES() or KSTATE_VMALLOC() field is handed over
 * by reference.  In the next kernel
 * kstate_restore() fills an object from the saved state of the same name
 * and instance, in any order, until the handover is finished.
 *
 * Both kernels must describe the same layout.  Each description has a
 * fingerprint over its name and every field's name, kind, size, offset and
 * version range; a saved state whose version is this kernel's but whose
 * fingerprint is not is refused, naming the first field that differs.
 * Other versions are accepted in [min_version_id, version_id], field by
 * field (see Documentation/kstate/index.rst).
 *
 * Everything saved is untrusted in the next kernel: the reader checks
 * every size, count and offset before an object is touched.
 *
 * The structures are in <kstate/description.h>, which the C++ engine
 * (kstate/) reads too.
 */
#ifndef _LINUX_KSTATE_H
#define _LINUX_KSTATE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

#include <kstate/description.h>

#define __KSTATE_FIELD(_field, _type, _kind, _size, ...)			\
	{								\
		.name = #_field,					\
		.kind = (_kind),					\
		.offset = offsetof(_type, _field),			\
		.size = (_size),					\
		__VA_ARGS__						\
	}

/*
 * Fields of an object of type @type.  Each macro takes, last, optional
 * per-field versions: KSTATE_SIMPLE(x, struct foo, KSTATE_SINCE(2)).
 */

/* The bytes of @field (a plain type, or a fixed array of one). */
#define KSTATE_SIMPLE(field, type, ...)					\
	__KSTATE_FIELD(field, type, KS_SIMPLE, sizeof_field(type, field), __VA_ARGS__)

/* The object the pointer @field points at, by value. */
#define KSTATE_POINTER(field, type, ...)				\
	__KSTATE_FIELD(field, type, KS_POINTER, sizeof(*((type *)0)->field), __VA_ARGS__)

/* An embedded struct, described by @sub_desc. */
#define KSTATE_STRUCT(field, type, sub_desc, ...)			\
	__KSTATE_FIELD(field, type, KS_STRUCT, sizeof_field(type, field),	\
		       .desc = &(sub_desc), __VA_ARGS__)

#define __KSTATE_NR(type, field)					\
	(sizeof_field(type, field) / sizeof(((type *)0)->field[0]))

/* Every element of the fixed array @field. */
#define KSTATE_ARRAY(field, type, ...)					\
	__KSTATE_FIELD(field, type, KS_ARRAY, sizeof(((type *)0)->field[0]),	\
		       .count = __KSTATE_NR(type, field), __VA_ARGS__)

/* The first @count_field (a u32 of the object) elements of the array @field. */
#define KSTATE_ARRAY_COUNTED(field, type, count_field, ...)		\
	__KSTATE_FIELD(field, type, KS_ARRAY, sizeof(((type *)0)->field[0]),	\
		       .count = __KSTATE_NR(type, field),		\
		       .flags = KS_F_COUNT_FIELD,			\
		       .count_offset = offsetof(type, count_field) +	\
			       BUILD_BUG_ON_ZERO(sizeof_field(type, count_field) != sizeof(u32)), \
		       __VA_ARGS__)

/* The pointees of every element of the fixed array of pointers @field. */
#define KSTATE_ARRAY_OF_POINTERS(field, type, ...)			\
	__KSTATE_FIELD(field, type, KS_ARRAY, sizeof(*((type *)0)->field[0]),	\
		       .count = __KSTATE_NR(type, field), .flags = KS_F_POINTERS, __VA_ARGS__)

/* ... of its first @fn(obj) elements. */
#define KSTATE_ARRAY_OF_POINTERS_COUNTED(field, type, fn, ...)		\
	__KSTATE_FIELD(field, type, KS_ARRAY, sizeof(*((type *)0)->field[0]),	\
		       .count = __KSTATE_NR(type, field),		\
		       .flags = KS_F_POINTERS | KS_F_COUNT_FN, .count_fn = (fn), __VA_ARGS__)

/*
 * Bytes @save_fn produces from @field and @restore_fn puts back; both are
 * given the field's address (container_of() reaches the object).
 */
#define KSTATE_CUSTOM(field, type, save_fn, restore_fn, ...)		\
	__KSTATE_FIELD(field, type, KS_CUSTOM, sizeof_field(type, field),	\
		       .save = (save_fn), .restore = (restore_fn), __VA_ARGS__)

/* A struct folio * field: the folio is handed over by reference. */
#define KSTATE_FOLIO(field, type, ...)					\
	__KSTATE_FIELD(field, type, KS_FOLIO, sizeof_field(type, field), __VA_ARGS__)

/*
 * A struct page * field: the run of order-0 pages it starts, @count_field
 * (a u32 of the object) long, handed over by reference; restore sets both.
 */
#define KSTATE_PAGES(field, type, count_field, ...)			\
	__KSTATE_FIELD(field, type, KS_PAGES, sizeof_field(type, field),	\
		       .flags = KS_F_COUNT_FIELD,			\
		       .count_offset = offsetof(type, count_field) +	\
			       BUILD_BUG_ON_ZERO(sizeof_field(type, count_field) != sizeof(u32)), \
		       __VA_ARGS__)

/* A pointer to vmalloc()ed memory: mapped again in the next kernel, by reference. */
#define KSTATE_VMALLOC(field, type, ...)				\
	__KSTATE_FIELD(field, type, KS_VMALLOC, sizeof_field(type, field), __VA_ARGS__)

/* A pointer into the kernel image, saved relative to _text. */
#define KSTATE_ADDRESS(field, type, ...)				\
	__KSTATE_FIELD(field, type, KS_ADDRESS, sizeof_field(type, field), __VA_ARGS__)

/*
 * Elements of an array described by @sub_desc, each saved as an embedded
 * struct: KSTATE_ARRAY(items, struct foo, KSTATE_DESC(item_desc)).  With
 * KSTATE_ARRAY_OF_POINTERS() the pointees are.
 */
#define KSTATE_DESC(sub_desc)	.desc = &(sub_desc)

/* Per-field versions: carried from version @v on ... */
#define KSTATE_SINCE(v)		.version_min = (v)
/* ... and up to, not including, version @v. */
#define KSTATE_UNTIL(v)		.version_max = (v)

/*
 * A field dropped from the structure in version @until keeps its place in
 * the table, without storage, so that states of older versions still read:
 * its @size bytes are skipped.
 */
#define KSTATE_DROPPED(_name, _size, since, until)			\
	{ .name = #_name, .kind = KS_SIMPLE, .flags = KS_F_UNUSED, .size = (_size), \
	  .version_min = (since), .version_max = (until) }

#define KSTATE_END_OF_LIST()	{ .kind = KS_END }

int kstate_register(const struct kstate_description *desc, void *obj, u64 instance_id);
void kstate_unregister(const struct kstate_description *desc, void *obj, u64 instance_id);
int kstate_restore(const struct kstate_description *desc, void *obj, u64 instance_id);

#endif /* _LINUX_KSTATE_H */
