/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C interface to the kstate engine (engine.cpp, stream.cpp): the registry
 * of objects to save, the writer of the stream and the reader of the
 * previous kernel's.  The engine takes no lock: kstate.c serializes every
 * call.  Includes nothing but <linux/kstate.h>'s plain structures.
 */
#ifndef KSTATE_ENGINE_H
#define KSTATE_ENGINE_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kstate_description;
struct kstate_engine;

/*
 * Where memory a field hands over by reference is (KS_FOLIO, KS_PAGES,
 * KS_VMALLOC): the folio, the first page, or the first chunk of a vmalloc
 * area's page list; its order, or how many pages; a vmalloc preservation's
 * flags and order (flags | order << 16).
 */
struct kstate_mem_ref {
	kx_u64 phys;
	kx_u32 count;
	kx_u32 extra;
};

/* The kernel's side: KHO, the memory fields name and the kernel image. */
struct kstate_ops {
	/*
	 * Saving.  A zeroed chunk of at least @min_size bytes, preserved:
	 * its address, physical address and size; 0 or an errno.
	 */
	int (*new_chunk)(kx_u64 min_size, void **addr, kx_u64 *phys, kx_u64 *size);
	/* Unpreserve and free a chunk new_chunk() gave. */
	void (*free_chunk)(void *addr);
	/*
	 * Preserve the memory a field of @kind names, holding a reference:
	 * @ptr, and for KS_PAGES @count pages.  0 with where it is, or an errno.
	 */
	int (*preserve_mem)(unsigned int kind, void *ptr, kx_u32 count, struct kstate_mem_ref *ref);
	void (*unpreserve_mem)(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref);
	/* @addr's offset from _text: 0, or -EINVAL outside the kernel image. */
	int (*address_offset)(const void *addr, kx_u64 *offset);

	/* Restoring.  The preserved, unclaimed folio at @phys, mapped, and its size; or NULL. */
	const void *(*map_chunk)(kx_u64 phys, kx_u64 *size);
	/*
	 * Whether the memory @ref names for a field of @kind is preserved and
	 * unclaimed.  For KS_VMALLOC only its first chunk is checked here:
	 * restore_mem() reads the rest, all or nothing.
	 */
	int (*mem_restorable)(unsigned int kind, const struct kstate_mem_ref *ref);
	/* Claim it: the folio, the first page or the new mapping; NULL if that fails. */
	void *(*restore_mem)(unsigned int kind, const struct kstate_mem_ref *ref);
	/* Give back what restore_mem() claimed (a restore that failed later). */
	void (*release_mem)(unsigned int kind, void *ptr, const struct kstate_mem_ref *ref);
	/* The address at @offset from _text, or NULL outside the kernel image. */
	void *(*address_at)(kx_u64 offset);
	/* One line about the stream: @what (a chunk, a record) was dropped, and @why. */
	void (*dropped)(const char *what, kx_u64 where, const char *why);
};

/* Why a saved state was refused, for kstate_restore()'s one line. */
struct kstate_refusal {
	const char *why;		/* static text */
	const char *field;		/* the field at fault, or NULL */
	unsigned int field_len;
	unsigned int version;		/* the saved state's version */
};

/* Whether kstate can save and restore with @desc: 0, or -EINVAL and why. */
int kstate_engine_check(const struct kstate_description *desc, const char **why);

/* An empty engine, or NULL without memory. */
struct kstate_engine *kstate_engine_create(void);
/* Frees everything the engine holds; a saved stream must be dropped first. */
void kstate_engine_destroy(struct kstate_engine *engine);

/*
 * Adds @obj to what is saved.  -EINVAL for a malformed description (@why
 * says how), -EEXIST if (@desc->name, @instance_id) is registered already,
 * -ENOMEM.
 */
int kstate_engine_register(struct kstate_engine *engine, const struct kstate_description *desc,
			   void *obj, kx_u64 instance_id, const char **why);
/* Removes what kstate_engine_register() added; anything else is a no-op. */
void kstate_engine_unregister(struct kstate_engine *engine, const struct kstate_description *desc,
			      void *obj, kx_u64 instance_id);
/* The number of registered objects. */
kx_size_t kstate_engine_registered(const struct kstate_engine *engine);

/*
 * Saves every registered object into new chunks and adds the "kstate" node
 * to @fdt, a tree in libfdt's sequential-write mode.  On error nothing is
 * kept; @who names the description at fault, @why says what went wrong.
 */
int kstate_engine_save(struct kstate_engine *engine, void *fdt, const struct kstate_ops *ops,
		       const char **who, const char **why);
/* Gives back what the last save kept: chunks and memory, unpreserved. */
void kstate_engine_drop_saved(struct kstate_engine *engine, const struct kstate_ops *ops);
/* Bytes of stream the last save wrote, and chunks it used. */
void kstate_engine_saved_size(const struct kstate_engine *engine, kx_u64 *bytes, kx_u64 *chunks);

/*
 * Indexes the previous kernel's stream from its tree (@fdt, checked
 * already).  Damage costs the chunk or the record it is in, reported
 * through @ops->dropped; the rest stays.  Return: the number of states
 * indexed, or -ENOENT without a "kstate" node, -EINVAL for a malformed
 * node (@why says how), -ENOMEM.
 */
long kstate_engine_load(struct kstate_engine *engine, const void *fdt, const struct kstate_ops *ops,
			const char **why);
/*
 * Restoring is two calls: claim, under the caller's lock, checks the saved
 * state of (@desc->name, @instance_id) whole against @desc and takes it;
 * apply fills @obj and runs @desc's callbacks, and may run unlocked, as
 * long as the stream's memory stays (the caller holds the tree) and the
 * engine is not unloaded.
 *
 * Return of claim: the state's number for apply; -ENOENT if nothing (or
 * nothing unclaimed) was saved under that key; -EPROTO if the state is
 * refused (@refusal says why), which leaves it in place; -EINVAL for a
 * malformed @desc.  Of apply: 0, or an error of a callback or of a folio.
 */
int kstate_engine_claim(struct kstate_engine *engine, const struct kstate_description *desc,
			void *obj, kx_u64 instance_id, const struct kstate_ops *ops,
			struct kstate_refusal *refusal);
int kstate_engine_apply(struct kstate_engine *engine, int state,
			const struct kstate_description *desc, void *obj,
			const struct kstate_ops *ops, struct kstate_refusal *refusal);
/* Forgets the previous kernel's stream: its memory is about to go. */
void kstate_engine_unload(struct kstate_engine *engine);
/* Saved states indexed and not yet claimed. */
kx_size_t kstate_engine_unclaimed(const struct kstate_engine *engine);

#ifdef __cplusplus
}
#endif

#endif /* KSTATE_ENGINE_H */
