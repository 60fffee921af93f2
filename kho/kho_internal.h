/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the C shims of the handover core.  Not a public API. */
#ifndef KHO_INTERNAL_H
#define KHO_INTERNAL_H

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/security.h>
#include <linux/types.h>
#include <kho/abi/handover.h>

/*
 * Physical addresses (the trees, scratch_phys): for an opener with
 * CAP_SYS_ADMIN, and never under confidentiality lockdown, checked on every
 * read, like /proc/kcore (whose lockdown reason this borrows).
 */
static inline int kho_may_read_addresses(const struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return security_locked_down(LOCKDOWN_KCORE);
}

/* The memblock search kho_memblock_find() confines to scratch. */
typedef phys_addr_t (*kho_memblock_finder_t)(phys_addr_t start, phys_addr_t end,
					     phys_addr_t size, phys_addr_t align,
					     int nid, enum memblock_flags flags);

struct kimage;
struct kobject;

/* scratch.c: the areas the next kernel boots in. */
struct kho_scratch_set {
	struct kho_phys_range area[KHO_MAX_SCRATCH];
	unsigned int nr;
	bool inherited;		/* from the previous kernel (a KHO boot) */
};
extern struct kho_scratch_set kho_scratch;
bool kho_in_scratch(phys_addr_t addr, phys_addr_t size);
bool kho_in_scratch_covers(phys_addr_t addr, phys_addr_t size);
phys_addr_t kho_scratch_total(void);
const struct kho_phys_range *kho_main_scratch(void);
void kho_scratch_adopt(const struct kho_phys_range *area, unsigned int nr);
void kho_scratch_forget(void);
phys_addr_t kho_scratch_find(phys_addr_t size, phys_addr_t align, phys_addr_t start,
			     phys_addr_t end, int nid, enum memblock_flags flags,
			     kho_memblock_finder_t find);
void kho_scratch_init(void);
bool kho_boot_memory(phys_addr_t addr, phys_addr_t size);
int kho_check_scratch_fits(size_t handover_bytes);
/* Addresses below this are never preserved (x86: the real-mode trampoline). */
#define KHO_LOW_WINDOW	(IS_ENABLED(CONFIG_X86) ? SZ_1M : 0)

/* core.c: the outgoing handover, frozen while active. */
struct kho_outgoing {
	const void *fdt;
	size_t fdt_size;
	size_t fdt_max;		/* its buffer */
	const void *memmap;	/* NULL when inlined into the tree */
	size_t memmap_size;
};
bool kho_out_get(struct kho_outgoing *out);
bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages);

/* kexec.c: the images loaded, under the kexec lock. */
bool kho_kexec_image_carries_handover(void);
bool kho_kexec_handover_desc(const struct kimage *image, struct kho_handover_desc *desc);

/* hotplug.c */
int kho_layout_generation(void);

/* incoming.c: the handover from the previous kernel; owns early boot. */
void kho_in_populate(const void *payload, size_t len);
bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages);
bool kho_in_restorable_page(phys_addr_t phys);
bool kho_in_take_pages(const phys_addr_t *phys, unsigned int nr);

/* test_knobs.c (CONFIG_KEXEC_HANDOVER_TEST_KNOBS): damage on purpose. */
#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
int kho_test_preserve_unchecked(unsigned long pfn, unsigned long nr_pages);
void kho_test_replace_memmap(void *map, size_t size);
void kho_test_damage_desc(const struct kimage *image, struct kho_handover_desc *desc);
unsigned long kho_test_damage_setup_data_len(void);
int kho_test_fail_reserve(void);
int kho_test_knobs_init(struct kobject *kho_kobj);
/* ftrace/outgoing.c: break one handed-over trace page at kexec time. */
int kho_ftrace_test_corrupt_arm(void);
#else
static inline void kho_test_damage_desc(const struct kimage *image,
					struct kho_handover_desc *desc) { }
static inline unsigned long kho_test_damage_setup_data_len(void) { return 0; }
static inline int kho_test_fail_reserve(void) { return 0; }
static inline int kho_test_knobs_init(struct kobject *kho_kobj) { return 0; }
#endif

#endif /* KHO_INTERNAL_H */
