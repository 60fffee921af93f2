/* SPDX-License-Identifier: GPL-2.0 */
/* scratch.c: the areas the next kernel boots in.  Not a public API. */
#ifndef KHO_SCRATCH_H
#define KHO_SCRATCH_H

#include <linux/memblock.h>
#include <linux/types.h>
#include <kho/abi/handover.h>

struct kho_scratch_set {
	struct kho_phys_range area[KHO_MAX_SCRATCH];
	unsigned int nr;
	bool inherited;		/* from the previous kernel (a KHO boot) */
};
extern struct kho_scratch_set kho_scratch;

/* The memblock search kho_memblock_find() confines to scratch. */
typedef phys_addr_t (*kho_memblock_finder_t)(phys_addr_t start, phys_addr_t end,
					     phys_addr_t size, phys_addr_t align,
					     int nid, enum memblock_flags flags);

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

#endif /* KHO_SCRATCH_H */
