/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kexec.c: what the loaded images carry, under the kexec lock; hotplug.c:
 * the memory layout they were loaded against.  Not a public API.
 */
#ifndef KHO_KEXEC_H
#define KHO_KEXEC_H

#include <linux/types.h>
#include <kho/abi/handover.h>

struct kimage;

bool kho_kexec_image_carries_handover(void);
bool kho_kexec_handover_desc(const struct kimage *image, struct kho_handover_desc *desc);
int kho_layout_generation(void);

#endif /* KHO_KEXEC_H */
