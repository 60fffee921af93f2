/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment the freestanding C++ core runs in, as plain C.
 *
 * This header is the whole surface between the C++ core and its host: the
 * kernel implements it in kx_env.c, the host test build in
 * tests/host/kx_env_host.cpp.  It includes nothing, so it is safe to use
 * from C++ (which never sees a kernel header) and from C (which includes it
 * next to kernel headers).
 */
#ifndef KX_ENV_H
#define KX_ENV_H

#ifdef __cplusplus
extern "C" {
#define KX_NORETURN [[noreturn]]
#else
#define KX_NORETURN __attribute__((__noreturn__))
#endif

typedef __SIZE_TYPE__ kx_size_t;
typedef unsigned int kx_u32;
typedef unsigned long long kx_u64;

/*
 * errno values the core returns.  The kernel shim checks each against
 * <linux/errno.h> with BUILD_BUG_ON, so they cannot drift.
 */
#define KX_ENOENT	2
#define KX_E2BIG	7
#define KX_ENOMEM	12
#define KX_EBUSY	16
#define KX_EEXIST	17
#define KX_EINVAL	22
#define KX_ENOSPC	28
#define KX_ERANGE	34
#define KX_EPROTO	71
#define KX_EOVERFLOW	75

/* Sleeping allocation of @size bytes (GFP_KERNEL, any size).  NULL on failure. */
void *kx_alloc(kx_size_t size);
/*
 * An allocation that cannot fail (__GFP_NOFAIL: the allocator retries), for
 * undoing: unpreserving must not fail for want of memory.  At most a page
 * or two.
 */
void *kx_alloc_nofail(kx_size_t size);
/* Frees what kx_alloc() or kx_alloc_nofail() returned; NULL is a no-op. */
void kx_free(void *ptr);
/* Number of kx_alloc() blocks not yet freed: lets tests prove no leak. */
long kx_live_allocations(void);
/* A broken invariant of the C++ runtime itself (e.g. a pure virtual call). */
KX_NORETURN void kx_panic(const char *why);

#ifdef __cplusplus
}
#endif
#undef KX_NORETURN

#endif /* KX_ENV_H */
