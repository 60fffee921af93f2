/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between the C shims of the handover core.  Not a public API. */
#ifndef KHO_INTERNAL_H
#define KHO_INTERNAL_H

#include <linux/security.h>
#include <linux/types.h>
#include <kho/abi/handover.h>

/*
 * Physical addresses and the tree stay hidden under confidentiality
 * lockdown, like /proc/kcore (whose lockdown reason this borrows).
 */
static inline bool kho_confidential(void)
{
	return security_locked_down(LOCKDOWN_KCORE) != 0;
}

struct kimage;

/* scratch.c: the areas the next kernel boots in. */
struct kho_scratch_set {
	struct kho_phys_range area[KHO_MAX_SCRATCH];
	unsigned int nr;
	bool inherited;		/* from the previous kernel (a KHO boot) */
};
extern struct kho_scratch_set kho_scratch;
bool kho_in_scratch(phys_addr_t addr, phys_addr_t size);
phys_addr_t kho_scratch_total(void);
void kho_scratch_adopt(const struct kho_phys_range *area, unsigned int nr);
void kho_scratch_mark_cma(void);
bool kho_boot_memory(phys_addr_t addr, phys_addr_t size);
int kho_check_scratch_fits(size_t handover_bytes);
/* Addresses below this are never preserved (x86: the real-mode trampoline). */
#define KHO_LOW_WINDOW	(IS_ENABLED(CONFIG_X86) ? SZ_1M : 0)

/* core.c: the outgoing handover, frozen while active. */
struct kho_outgoing {
	const void *fdt;
	size_t fdt_size;
	const void *memmap;	/* NULL when inlined into the tree */
	size_t memmap_size;
};
bool kho_out_get(struct kho_outgoing *out);
void kho_out_attach(struct kimage *image, phys_addr_t fdt, phys_addr_t memmap);
bool kho_out_attached(struct kimage *image, struct kho_handover_desc *desc);
bool kho_out_preserves(unsigned long pfn, unsigned long nr_pages);
int kho_test_corrupt(const char *what);
/* ftrace/handover.c: break one handed-over trace page at kexec time. */
int kho_ftrace_test_corrupt_arm(void);

/* hotplug.c */
void kho_note_image_load(void);

/* incoming.c: the handover from the previous kernel. */
int kho_in_populate(const struct kho_handover_desc *desc);
void kho_in_memory_init(void);
bool kho_in_preserves(unsigned long pfn, unsigned long nr_pages);

#endif /* KHO_INTERNAL_H */
