/* SPDX-License-Identifier: GPL-2.0 */
/* The host build's stand-in for the kernel's <linux/container_of.h>. */
#ifndef KHO_HOST_SHIM_CONTAINER_OF_H
#define KHO_HOST_SHIM_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
