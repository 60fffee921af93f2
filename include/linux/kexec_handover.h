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
 * The mainline-compatible API (as of Linux v6.19): kho_preserve_folio(),
 * kho_add_subtree() and friends, with the same names and behaviour.
 *
 * Everything from the previous kernel is untrusted: the core validates the
 * tree and the memory map before handing any of it out, and restore calls
 * return NULL for anything that was not preserved, or was restored already.
 */
#ifndef _LINUX_KEXEC_HANDOVER_H
#define _LINUX_KEXEC_HANDOVER_H

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

int kho_add_subtree(const char *name, void *fdt);
void kho_remove_subtree(void *fdt);
int kho_retrieve_subtree(const char *name, phys_addr_t *phys);

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
static inline int kho_add_subtree(const char *name, void *fdt) { return -EOPNOTSUPP; }
static inline void kho_remove_subtree(void *fdt) { }
static inline int kho_retrieve_subtree(const char *name, phys_addr_t *phys) { return -EOPNOTSUPP; }
static inline const void *kho_get_fdt(void) { return NULL; }
static inline void kho_put_fdt(const void *fdt) { }
static inline struct folio *kho_restore_folio(phys_addr_t phys) { return NULL; }
static inline struct page *kho_restore_pages(phys_addr_t phys, unsigned int nr) { return NULL; }
static inline void *kho_restore_vmalloc(const struct kho_vmalloc *p) { return NULL; }

#endif /* CONFIG_KEXEC_HANDOVER */

#endif /* _LINUX_KEXEC_HANDOVER_H */
