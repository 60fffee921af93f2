// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of the C++ environment (kx_env.h): allocation and panic.
 * The C++ core never decides GFP flags or touches kernel types itself.
 */
#define pr_fmt(fmt) "kho: " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/panic.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kx_env.h"

static atomic_long_t kx_live = ATOMIC_LONG_INIT(0);

static void __maybe_unused kx_env_build_checks(void)
{
	BUILD_BUG_ON(KX_ENOENT != ENOENT);
	BUILD_BUG_ON(KX_E2BIG != E2BIG);
	BUILD_BUG_ON(KX_ENOMEM != ENOMEM);
	BUILD_BUG_ON(KX_EBUSY != EBUSY);
	BUILD_BUG_ON(KX_EEXIST != EEXIST);
	BUILD_BUG_ON(KX_EINVAL != EINVAL);
	BUILD_BUG_ON(KX_ENOSPC != ENOSPC);
	BUILD_BUG_ON(KX_ERANGE != ERANGE);
	BUILD_BUG_ON(KX_EPROTO != EPROTO);
	BUILD_BUG_ON(KX_EOVERFLOW != EOVERFLOW);
	BUILD_BUG_ON(sizeof(kx_u64) != sizeof(u64));
	BUILD_BUG_ON(sizeof(kx_size_t) != sizeof(size_t));
}

/* Large vectors (a million runs) exceed what kmalloc() gives: kvmalloc. */
void *kx_alloc(kx_size_t size)
{
	void *ptr = kvmalloc(size, GFP_KERNEL);

	if (ptr)
		atomic_long_inc(&kx_live);
	return ptr;
}

void *kx_alloc_nofail(kx_size_t size)
{
	void *ptr = kmalloc(size, GFP_KERNEL | __GFP_NOFAIL);

	atomic_long_inc(&kx_live);
	return ptr;
}

void kx_free(void *ptr)
{
	if (ptr)
		atomic_long_dec(&kx_live);
	kvfree(ptr);
}

long kx_live_allocations(void)
{
	return atomic_long_read(&kx_live);
}

void kx_panic(const char *why)
{
	panic("kho: C++ runtime: %s\n", why);
}
