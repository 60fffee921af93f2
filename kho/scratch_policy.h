/* SPDX-License-Identifier: GPL-2.0 */
/* Scratch sizing (scratch_policy.cpp): its C interface and types.  Includes nothing. */
#ifndef KHO_SCRATCH_POLICY_H
#define KHO_SCRATCH_POLICY_H

#include "kx_env.h"

#ifdef __cplusplus
extern "C" {
#endif

enum kho_scratch_kind {
	KHO_SCRATCH_AUTOMATIC,	/* the sizing formula */
	KHO_SCRATCH_BYTES,
	KHO_SCRATCH_PERCENT,	/* of RAM */
};

struct kho_scratch_request {
	enum kho_scratch_kind kind;
	kx_u64 value;
};

struct kho_memory_facts {
	kx_u64 ram_bytes;		/* usable RAM at boot */
	kx_u64 boot_alloc_bytes;	/* what this kernel's early boot allocated */
	kx_u64 page_size;
	kx_u64 struct_page_size;	/* sizeof(struct page) */
	kx_u64 align;			/* scratch granularity (pageblock) */
	kx_u64 shadow_shift;	/* KASAN: its shadow is RAM >> this at boot; 0 without */
};

/**
 * kho_scratch_parse() - parse the value of kho_scratch=
 * @text: "512M", "1G", "5%" ...
 * @req: set on success
 *
 * Return: 0, or -EINVAL.
 */
int kho_scratch_parse(const char *text, struct kho_scratch_request *req);

/**
 * kho_scratch_plan() - size the scratch area
 * @req: what was asked for
 * @facts: this machine's memory
 * @low: set to the size of the part below 4 GiB
 * @main: set to the size of the rest
 *
 * Return: 0, or -EINVAL when the request cannot be met.
 */
int kho_scratch_plan(const struct kho_scratch_request *req, const struct kho_memory_facts *facts,
		     kx_u64 *low, kx_u64 *main);

/**
 * kho_scratch_next_kernel_need() - scratch the next kernel needs at least
 * @facts: this machine's memory
 * @handover_bytes: size of the tree and memory map
 *
 * Return: bytes.
 */
kx_u64 kho_scratch_next_kernel_need(const struct kho_memory_facts *facts, kx_u64 handover_bytes);

#ifdef __cplusplus
}
#endif

#endif /* KHO_SCRATCH_POLICY_H */
