/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where tests/knobs/test_knobs.c (CONFIG_KEXEC_HANDOVER_TEST_KNOBS) damages
 * the handover on purpose; without the knobs, every hook is a no-op.  Not
 * a public API.
 */
#ifndef KHO_TEST_KNOBS_H
#define KHO_TEST_KNOBS_H

#include <linux/types.h>

struct kho_handover_desc;
struct kimage;
struct kobject;

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
int kho_test_preserve_unchecked(unsigned long pfn, unsigned long nr_pages);
void kho_test_replace_memmap(void *map, size_t size);
void kho_test_damage_desc(const struct kimage *image, struct kho_handover_desc *desc);
unsigned long kho_test_damage_desc_len(void);
int kho_test_fail_reserve(void);
int kho_test_knobs_init(struct kobject *kho_kobj);
/* ftrace/outgoing.c: break one handed-over trace page at kexec time. */
int kho_ftrace_test_corrupt_arm(void);
/* liveupdate/luo.c: damage the handed-over sessions, while active. */
#ifdef CONFIG_LIVEUPDATE
int luo_test_damage(const char *what);
#else
static inline int luo_test_damage(const char *what) { return -EINVAL; }
#endif
#else
static inline void kho_test_damage_desc(const struct kimage *image,
					struct kho_handover_desc *desc) { }
static inline unsigned long kho_test_damage_desc_len(void) { return 0; }
static inline int kho_test_fail_reserve(void) { return 0; }
static inline int kho_test_knobs_init(struct kobject *kho_kobj) { return 0; }
#endif

#endif /* KHO_TEST_KNOBS_H */
