/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kexec HandOver (KHO): hand state and memory to the next kernel.
 *
 * Two ways to use it, both backed by the same core:
 *
 * The notifier model.  A subsystem registers a notifier.  When the operator
 * writes 1 to /sys/kernel/kho/active, every notifier gets KEXEC_KHO_DUMP
 * with a &struct kho_serialization: it writes its own node into the tree
 * (kho_ser_fdt()) and preserves the memory the node refers to.  Writing 0,
 * or a failing notifier, sends KEXEC_KHO_ABORT to those that succeeded.
 * In the next kernel, kho_get_fdt() gives the tree until kho_put_fdt(); the
 * subsystem finds its node by compatible string and restores the memory it
 * wants.
 *
 * The mainline-compatible API: kho_preserve_folio(), kho_add_subtree() and
 * friends, with mainline's names and behaviour.  kho_add_subtree() and
 * kho_retrieve_subtree() take either era's arguments, so that code written
 * for 6.16-7.0 or for 7.1 and later builds unchanged
 * (Documentation/kho/api.rst).
 *
 * Everything from the previous kernel is untrusted: the core validates the
 * tree and the memory map before handing any of it out, and restore calls
 * return NULL for anything that was not preserved, or was restored already.
 */
#ifndef _LINUX_KEXEC_HANDOVER_H
#define _LINUX_KEXEC_HANDOVER_H

#include <linux/args.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/types.h>

struct folio;
struct notifier_block;
struct page;
struct kho_vmalloc;

/* Notifier events. */
enum kho_event {
	KEXEC_KHO_DUMP = 0,	/* serialize: write your node, preserve memory */
	KEXEC_KHO_ABORT = 1,	/* undo what DUMP did */
};

struct kho_serialization;

#ifdef CONFIG_KEXEC_HANDOVER

bool kho_is_enabled(void);
bool is_kho_boot(void);

int register_kho_notifier(struct notifier_block *nb);
int unregister_kho_notifier(struct notifier_block *nb);
void *kho_ser_fdt(struct kho_serialization *ser);

int kho_preserve_folio(struct folio *folio);
void kho_unpreserve_folio(struct folio *folio);
int kho_preserve_pages(struct page *page, unsigned int nr_pages);
void kho_unpreserve_pages(struct page *page, unsigned int nr_pages);
int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *preservation);
void kho_unpreserve_vmalloc(struct kho_vmalloc *preservation);

void *kho_alloc_preserve(size_t size);
void kho_unpreserve_free(void *mem);
void kho_restore_free(void *mem);

int kho_add_subtree_fdt(const char *name, void *fdt);
int kho_add_subtree_blob(const char *name, void *blob, size_t size);
void kho_remove_subtree(void *fdt);
int kho_retrieve_subtree_fdt(const char *name, phys_addr_t *phys);
int kho_retrieve_subtree_blob(const char *name, phys_addr_t *phys, size_t *size);

const void *kho_get_fdt(void);
void kho_put_fdt(const void *fdt);
struct folio *kho_restore_folio(phys_addr_t phys);
struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr_pages);
void *kho_restore_vmalloc(const struct kho_vmalloc *preservation);

#else /* !CONFIG_KEXEC_HANDOVER */

static inline bool kho_is_enabled(void) { return false; }
static inline bool is_kho_boot(void) { return false; }
static inline int register_kho_notifier(struct notifier_block *nb) { return -EOPNOTSUPP; }
static inline int unregister_kho_notifier(struct notifier_block *nb) { return -EOPNOTSUPP; }
static inline void *kho_ser_fdt(struct kho_serialization *ser) { return NULL; }
static inline int kho_preserve_folio(struct folio *folio) { return -EOPNOTSUPP; }
static inline void kho_unpreserve_folio(struct folio *folio) { }
static inline int kho_preserve_pages(struct page *page, unsigned int nr) { return -EOPNOTSUPP; }
static inline void kho_unpreserve_pages(struct page *page, unsigned int nr) { }
static inline int kho_preserve_vmalloc(void *ptr, struct kho_vmalloc *p) { return -EOPNOTSUPP; }
static inline void kho_unpreserve_vmalloc(struct kho_vmalloc *p) { }
static inline void *kho_alloc_preserve(size_t size) { return ERR_PTR(-EOPNOTSUPP); }
static inline void kho_unpreserve_free(void *mem) { }
static inline void kho_restore_free(void *mem) { }
static inline int kho_add_subtree_fdt(const char *name, void *fdt) { return -EOPNOTSUPP; }
static inline int kho_add_subtree_blob(const char *name, void *blob, size_t size)
{
	return -EOPNOTSUPP;
}
static inline void kho_remove_subtree(void *fdt) { }
static inline int kho_retrieve_subtree_fdt(const char *name, phys_addr_t *phys)
{
	return -EOPNOTSUPP;
}
static inline int kho_retrieve_subtree_blob(const char *name, phys_addr_t *phys, size_t *size)
{
	return -EOPNOTSUPP;
}
static inline const void *kho_get_fdt(void) { return NULL; }
static inline void kho_put_fdt(const void *fdt) { }
static inline struct folio *kho_restore_folio(phys_addr_t phys) { return NULL; }
static inline struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr) { return NULL; }
static inline void *kho_restore_vmalloc(const struct kho_vmalloc *p) { return NULL; }

#endif /* CONFIG_KEXEC_HANDOVER */

/*
 * kho_add_subtree(name, fdt) and kho_retrieve_subtree(name, &phys), as in
 * 6.16-7.0, or kho_add_subtree(name, blob, size) and
 * kho_retrieve_subtree(name, &phys, &size), as since 7.1: the number of
 * arguments picks the function.
 */
#define __kho_add_subtree_2		kho_add_subtree_fdt
#define __kho_add_subtree_3		kho_add_subtree_blob
#define __kho_retrieve_subtree_2	kho_retrieve_subtree_fdt
#define __kho_retrieve_subtree_3	kho_retrieve_subtree_blob
#define kho_add_subtree(...) \
	CONCATENATE(__kho_add_subtree_, COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__)
#define kho_retrieve_subtree(...) \
	CONCATENATE(__kho_retrieve_subtree_, COUNT_ARGS(__VA_ARGS__))(__VA_ARGS__)

#endif /* _LINUX_KEXEC_HANDOVER_H */
