/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KHO for Linux 6.12: how the handover reaches the next kernel: a tree, a
 * preserved-memory map (memmap.h) and the scratch areas it boots in.  Their
 * places ride in one descriptor: on x86 a setup_data entry, outside
 * mainline's types (its SETUP_KEXEC_KHO is 10); on arm64 a property of the
 * device tree's /chosen, not mainline's linux,kho-fdt and linux,kho-scratch.
 * Documentation/kho/format.rst has the schema.
 */
#ifndef KHO_ABI_HANDOVER_H
#define KHO_ABI_HANDOVER_H

#define KHO_ROOT_COMPATIBLE	"linux-6.12-kho-v1"
#define KHO_SETUP_DATA_TYPE	0x4b484f31	/* "1OHK": never a mainline type */
#define KHO_CHOSEN_PROPERTY	"linux,kho-6.12-handover"	/* the descriptor's bytes */
#define KHO_DESC_MAGIC		0x4b484f44	/* "KHOD" */
#define KHO_DESC_VERSION	2	/* 2: page_shift where 1 had zero */
#define KHO_MAX_SCRATCH		4

struct kho_phys_range {
	unsigned long long addr;
	unsigned long long size;
};

/* Where the handover is: 112 bytes, little-endian, inline in setup_data or /chosen. */
struct kho_handover_desc {
	unsigned int magic;		/* KHO_DESC_MAGIC */
	unsigned int version;		/* KHO_DESC_VERSION */
	unsigned int nr_scratch;	/* used entries of @scratch */
	unsigned int page_shift;	/* the writer's: 12, 14 or 16 */
	struct kho_phys_range fdt;	/* the tree */
	struct kho_phys_range memmap;	/* the preserved-memory map */
	struct kho_phys_range scratch[KHO_MAX_SCRATCH];
};

#endif /* KHO_ABI_HANDOVER_H */
