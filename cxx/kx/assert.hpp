// SPDX-License-Identifier: GPL-2.0
// KX_ASSERT: an invariant of this code, never a check of its input (input
// is refused with an Error).  Broken, it stops everything: a panic in the
// kernel, as BUG_ON() does, and abort() on the host.
#pragma once

#include "kx_env.h"

#define KX_STRINGIFY_(x) #x
#define KX_STRINGIFY(x) KX_STRINGIFY_(x)

#define KX_ASSERT(cond)                                                                   \
	do {                                                                              \
		if (__builtin_expect(!(cond), 0))                                         \
			kx_panic("assertion failed: " #cond " at " __FILE__              \
				 ":" KX_STRINGIFY(__LINE__));                             \
	} while (0)
