/* SPDX-License-Identifier: GPL-2.0 */
/* The host build's stand-in for the kernel's <linux/types.h>, for C test files. */
#ifndef KHO_HOST_SHIM_TYPES_H
#define KHO_HOST_SHIM_TYPES_H
#include <stdbool.h>
typedef unsigned int u32;
typedef unsigned long long u64;
#endif
