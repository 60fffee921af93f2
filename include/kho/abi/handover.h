/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO for Linux 6.12: how the handover reaches the next kernel.
 *
 * The handover is a flattened device tree (the "tree") plus a
 * preserved-memory map (memmap.h) and the scratch areas the next kernel
 * boots in.  The root node of the tree is:
 *
 *   / {
 *	compatible = "linux-6.12-kho-v1";
 *	<subsystem> { compatible = "<subsystem>-v<N>"; ... };   one per user
 *	<name> { fdt = <u64 phys>; };      mainline-style subtrees
 *   };
 *
 * The compatible string of each node is its versioning contract; a kernel
 * that does not know a string ignores that node.  Documentation/kho/format.rst
 * has the full schema.
 *
 * On x86 the locations travel in one setup_data entry of type
 * KHO_SETUP_DATA_TYPE whose payload is struct kho_handover_desc.  The type
 * is outside the range mainline assigns (mainline's SETUP_KEXEC_KHO is 10,
 * with a different payload), so a kernel without this code skips it.
 */
#ifndef KHO_ABI_HANDOVER_H
#define KHO_ABI_HANDOVER_H

#define KHO_ROOT_COMPATIBLE	"linux-6.12-kho-v1"
#define KHO_SETUP_DATA_TYPE	0x4b484f31	/* "1OHK": never a mainline type */
#define KHO_DESC_MAGIC		0x4b484f44	/* "KHOD" */
#define KHO_DESC_VERSION	1
#define KHO_MAX_SCRATCH		4

struct kho_phys_range {
	unsigned long long addr;
	unsigned long long size;
};

/* Where the handover is: fixed size, so it can ride inline in setup_data. */
struct kho_handover_desc {
	unsigned int magic;		/* KHO_DESC_MAGIC */
	unsigned int version;		/* KHO_DESC_VERSION */
	unsigned int nr_scratch;	/* used entries of @scratch */
	unsigned int reserved;		/* zero */
	struct kho_phys_range fdt;	/* the tree */
	struct kho_phys_range memmap;	/* the preserved-memory map */
	struct kho_phys_range scratch[KHO_MAX_SCRATCH];
};

#ifdef __cplusplus
static_assert(sizeof(struct kho_handover_desc) == 16 + 2 * 16 + KHO_MAX_SCRATCH * 16, "ABI");
#else
_Static_assert(sizeof(struct kho_handover_desc) == 16 + 2 * 16 + KHO_MAX_SCRATCH * 16, "ABI");
#endif

#endif /* KHO_ABI_HANDOVER_H */
