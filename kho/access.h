/* SPDX-License-Identifier: GPL-2.0 */
/* Who may read the physical addresses KHO's sysfs files show.  Not a public API. */
#ifndef KHO_ACCESS_H
#define KHO_ACCESS_H

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/security.h>

/*
 * Physical addresses (the trees, scratch_phys): for an opener with
 * CAP_SYS_ADMIN, and never under confidentiality lockdown, checked on every
 * read, like /proc/kcore (whose lockdown reason this borrows).
 */
static inline int kho_may_read_addresses(const struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	return security_locked_down(LOCKDOWN_KCORE);
}

#endif /* KHO_ACCESS_H */
