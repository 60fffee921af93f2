/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types that cross the kexec boundary, with the names mainline KHO (Linux
 * v6.19) gives them, so code written for mainline compiles unchanged.
 * The layout of what these point to is this project's (Documentation/kho/
 * format.rst), not mainline's: the two kernels must both run this code.
 */
#ifndef _LINUX_KHO_ABI_KEXEC_HANDOVER_H
#define _LINUX_KHO_ABI_KEXEC_HANDOVER_H

#include <linux/io.h>
#include <linux/types.h>

/* The properties of a kho_add_subtree() node: the subtree's address and size. */
#define PROP_SUB_FDT "fdt"
#define PROP_SUB_BLOB_SIZE "blob-size"

/* A pointer stored as the physical address the next kernel sees. */
#define DECLARE_KHOSER_PTR(name, type)	\
	union {				\
		phys_addr_t phys;	\
		type ptr;		\
	} name
#define KHOSER_STORE_PTR(dest, val)					\
	({								\
		typeof(val) v = val;					\
		typecheck(typeof((dest).ptr), v);			\
		(dest).phys = v ? virt_to_phys(v) : 0;			\
	})
#define KHOSER_LOAD_PTR(src)						\
	({								\
		typeof(src) s = src;					\
		(typeof((s).ptr))((s).phys ? phys_to_virt((s).phys) : NULL); \
	})

/* struct kho_vmalloc, the description of a preserved vmalloc area. */
#include <kho/abi/vmalloc.h>

#endif /* _LINUX_KHO_ABI_KEXEC_HANDOVER_H */
