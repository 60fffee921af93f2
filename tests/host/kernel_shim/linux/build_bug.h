/* SPDX-License-Identifier: GPL-2.0 */
/* The host build's stand-in for the kernel's <linux/build_bug.h>. */
#ifndef KHO_HOST_SHIM_BUILD_BUG_H
#define KHO_HOST_SHIM_BUILD_BUG_H
#define BUILD_BUG_ON_ZERO(e) ((int)(sizeof(struct { int:(-!!(e)); })))
#endif
