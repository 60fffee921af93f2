/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update: files that survive a kexec (/dev/liveupdate), and the
 * handlers that know how to preserve each kind of file.
 *
 * A handler registers for one kind of file under a compatible string (its
 * format's name and version, "memfd-v1").  When a program preserves a file,
 * the first handler whose can_preserve() accepts it gets it:
 *
 *   preserve()    the program asked (LIVEUPDATE_SESSION_PRESERVE_FD): check
 *                 the file, take what it needs; @serialized_data may be set
 *   freeze()      the handover is serialized (/sys/kernel/kho/active): hand
 *                 the file's memory over with KHO and set @serialized_data,
 *                 the u64 the next kernel's retrieve() gets
 *   unfreeze()    the handover was deactivated: undo freeze()
 *   unpreserve()  the file leaves its session (closed before the kexec)
 *
 * and in the next kernel, for a file of the previous kernel's session:
 *
 *   retrieve()    the program asked (LIVEUPDATE_SESSION_RETRIEVE_FD): make
 *                 a new file from @serialized_data, set @file; -EINVAL
 *                 says the data is damaged (log why): the file is dropped,
 *                 and what it held is freed when the handover is finished
 *   finish()      the session is finished or closed; @retrieved says
 *                 whether retrieve() succeeded.  A file never retrieved
 *                 gives its memory back here.
 *
 * @serialized_data comes from the previous kernel: distrust it.  The
 * callbacks run in process context under Live Update's lock: they must not
 * call liveupdate_*() functions.  The same shape as mainline's (6.19).
 */
#ifndef _LINUX_LIVEUPDATE_H
#define _LINUX_LIVEUPDATE_H

#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/liveupdate.h>

#define LIVEUPDATE_HNDL_COMPAT_LENGTH	48

struct file;
struct module;
struct liveupdate_file_handler;

/**
 * struct liveupdate_file_op_args - what a file handler's callback works on
 * @handler: the handler called
 * @retrieved: for finish(): whether retrieve() succeeded
 * @file: the file (preserve, freeze, unfreeze, unpreserve; out of retrieve)
 * @serialized_data: the file's u64 in the handover
 * @private_data: the handler's own, from preserve() to unpreserve()
 */
struct liveupdate_file_op_args {
	struct liveupdate_file_handler *handler;
	bool retrieved;
	struct file *file;
	u64 serialized_data;
	void *private_data;
};

/**
 * struct liveupdate_file_ops - a file handler's callbacks
 * @can_preserve: whether this handler takes @file
 * @preserve: take @file into a session; 0 or an errno for the program
 * @unpreserve: undo preserve()
 * @freeze: hand the file over; 0 or an errno, which aborts the activation
 * @unfreeze: undo freeze()
 * @retrieve: the file again, in the next kernel; 0 or an errno
 * @finish: done with the previous kernel's file
 * @owner: the module the callbacks are in
 */
struct liveupdate_file_ops {
	bool (*can_preserve)(struct liveupdate_file_handler *handler, struct file *file);
	int (*preserve)(struct liveupdate_file_op_args *args);
	void (*unpreserve)(struct liveupdate_file_op_args *args);
	int (*freeze)(struct liveupdate_file_op_args *args);
	void (*unfreeze)(struct liveupdate_file_op_args *args);
	int (*retrieve)(struct liveupdate_file_op_args *args);
	void (*finish)(struct liveupdate_file_op_args *args);
	struct module *owner;
};

/**
 * struct liveupdate_file_handler - a kind of file Live Update can preserve
 * @ops: its callbacks; every one is required
 * @compatible: its format's name and version; the next kernel hands the
 *	file to the handler registered under the same string
 * @list: Live Update's
 */
struct liveupdate_file_handler {
	const struct liveupdate_file_ops *ops;
	const char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	struct list_head list;
};

#ifdef CONFIG_LIVEUPDATE

bool liveupdate_enabled(void);
int liveupdate_register_file_handler(struct liveupdate_file_handler *handler);
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *handler);

#else

static inline bool liveupdate_enabled(void) { return false; }
static inline int liveupdate_register_file_handler(struct liveupdate_file_handler *h)
{
	return -EOPNOTSUPP;
}
static inline int liveupdate_unregister_file_handler(struct liveupdate_file_handler *h)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_LIVEUPDATE */

#endif /* _LINUX_LIVEUPDATE_H */
