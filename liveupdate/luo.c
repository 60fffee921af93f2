// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update: /dev/liveupdate, its sessions, and the file handlers.
 *
 * The engine (sessions.cpp) keeps the sessions, writes their table into the
 * handover and checks the previous kernel's; this file owns the lock, the
 * device, the session files, the handlers and the KHO notifier.
 *
 * Sessions to preserve are created on /dev/liveupdate and filled with
 * files; activating the handover (KEXEC_KHO_DUMP) freezes every file and
 * writes the table; deactivating (KEXEC_KHO_ABORT) thaws them.  While the
 * handover is active nothing is added or created (-EBUSY), and a session
 * closed meanwhile is let go only at deactivation, as the table lists it.
 *
 * In the next kernel the previous kernel's sessions are indexed at boot;
 * each is retrieved once by name, and its files by token; finishing or
 * closing the session gives back what was not retrieved.  Once the
 * handover is finished (/sys/firmware/kho/finish), KHO has freed whatever
 * was not retrieved, and the sessions not retrieved are forgotten.
 *
 * Locks: the KHO notifier runs with the kexec lock; luo_lock nests inside
 * it, and KHO's preserve calls (kho_mem_lock) inside luo_lock.  Handler
 * callbacks run under luo_lock.  Files are put (fput) outside it, as
 * putting a session file takes it.
 */
#define pr_fmt(fmt) "liveupdate: " fmt

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/liveupdate.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include <kho/abi/liveupdate.h>

#include "kho/handover_tree.h"
#include "kho/test_knobs.h"
#include "liveupdate/engine.h"

static DEFINE_MUTEX(luo_lock);
static struct luo_engine *luo_engine;		/* created at init, if enabled */
static LIST_HEAD(luo_handlers);
static bool luo_frozen;				/* from DUMP until ABORT */
static void *luo_table;				/* the table, while frozen */
static struct kho_vmalloc luo_table_kho;
static atomic_t luo_device_open = ATOMIC_INIT(0);

static bool luo_param;

static int __init liveupdate_param(char *arg)
{
	return kstrtobool(arg, &luo_param);
}
early_param("liveupdate", liveupdate_param);

/**
 * liveupdate_enabled() - whether files can be preserved across kexec
 *
 * Return: true with liveupdate=on on a kernel that can hand over (KHO).
 */
bool liveupdate_enabled(void)
{
	return luo_param && kho_is_enabled();
}
EXPORT_SYMBOL_GPL(liveupdate_enabled);

static struct liveupdate_file_handler *luo_handler_for(const char *compatible)
{
	struct liveupdate_file_handler *h;

	list_for_each_entry(h, &luo_handlers, list)
		if (!strncmp(h->compatible, compatible, LIVEUPDATE_HNDL_COMPAT_LENGTH))
			return h;
	return NULL;
}

/**
 * liveupdate_register_file_handler() - let Live Update preserve a kind of file
 * @handler: its callbacks and compatible string; stays valid until
 *	unregistered
 *
 * Context: process context; not from a handler's callback.
 * Return: 0; -EINVAL for a missing callback or a compatible string that
 * is empty or too long; -EEXIST if one is registered under that string;
 * -EOPNOTSUPP without liveupdate=on.
 */
int liveupdate_register_file_handler(struct liveupdate_file_handler *handler)
{
	const struct liveupdate_file_ops *ops = handler->ops;
	size_t len = strnlen(handler->compatible, LIVEUPDATE_HNDL_COMPAT_LENGTH);

	if (!liveupdate_enabled())
		return -EOPNOTSUPP;
	if (!ops || !ops->can_preserve || !ops->preserve || !ops->unpreserve || !ops->freeze ||
	    !ops->unfreeze || !ops->retrieve || !ops->finish || !len ||
	    len == LIVEUPDATE_HNDL_COMPAT_LENGTH)
		return -EINVAL;
	guard(mutex)(&luo_lock);
	if (luo_handler_for(handler->compatible))
		return -EEXIST;
	list_add_tail(&handler->list, &luo_handlers);
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_register_file_handler);

/**
 * liveupdate_unregister_file_handler() - undo liveupdate_register_file_handler()
 * @handler: as registered
 *
 * A preserved file holds its handler's module, so a module's handler has no
 * files when the module goes.  The previous kernel's files of this kind
 * that are not retrieved yet wait for a handler of the same compatible.
 *
 * Context: process context; not from a handler's callback.
 * Return: 0, or -ENOENT if it is not registered.
 */
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *handler)
{
	guard(mutex)(&luo_lock);
	if (luo_handler_for(handler->compatible) != handler)
		return -ENOENT;
	list_del(&handler->list);
	return 0;
}
EXPORT_SYMBOL_GPL(liveupdate_unregister_file_handler);

static struct liveupdate_file_op_args luo_args(struct luo_file_ref *f)
{
	return (struct liveupdate_file_op_args) {
		.handler = (struct liveupdate_file_handler *)f->handler,
		.retrieved = f->taken,
		.file = f->file,
		.serialized_data = f->data,
		.private_data = f->private_data,
	};
}

/* Undoes a preserve: the file leaves its session. */
static void luo_unpreserve(struct luo_file_ref *f)
{
	struct liveupdate_file_op_args args = luo_args(f);

	args.handler->ops->unpreserve(&args);
	module_put(args.handler->ops->owner);
}

/*
 * Done with a file of the previous kernel's: finish() it, unless the
 * handover is finished (KHO freed what it had) or no handler knows it.
 */
static void luo_finish_file(struct luo_file_ref *f)
{
	struct liveupdate_file_handler *h = f->taken ? (void *)f->handler :
					    luo_handler_for(f->compatible);
	struct liveupdate_file_op_args args = luo_args(f);

	if (h && !f->refused && (f->taken || is_kho_boot())) {
		args.handler = h;
		h->ops->finish(&args);
	}
	if (f->taken)
		module_put(h->ops->owner);
}

/*
 * Lets go of every file of @s: unpreserves a session to preserve, finishes
 * one of the previous kernel's.  Putting a file here is safe: its release
 * runs later, when this task returns to user space.
 */
static void luo_session_empty(struct luo_session *s)
{
	bool retrieved = luo_session_retrieved(s);
	size_t i;

	lockdep_assert_held(&luo_lock);
	for (i = 0; i < luo_session_nr_files(s); i++) {
		struct luo_file_ref *f = luo_session_file(s, i);

		if (retrieved)
			luo_finish_file(f);
		else
			luo_unpreserve(f);
		if (f->file)
			fput(f->file);
	}
	luo_session_clear(s);
}

static int luo_session_release(struct inode *inode, struct file *file)
{
	struct luo_session *s = file->private_data;

	if (!s)
		return 0;
	guard(mutex)(&luo_lock);
	if (luo_frozen && !luo_session_retrieved(s)) {
		luo_session_mark_closed(s);	/* the table lists it: thawing frees it */
		return 0;
	}
	luo_session_empty(s);
	luo_engine_remove_session(luo_engine, s);
	return 0;
}

/*
 * copy_struct_from_user() for an ioctl argument: at least @min bytes (its
 * last required field), at most anything whose extra bytes are zero.
 */
static int luo_copy_in(void *karg, size_t ksize, size_t min, unsigned long arg)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize < min)
		return -EINVAL;
	return copy_struct_from_user(karg, ksize, (void __user *)arg, usize);
}

static int luo_copy_out(unsigned long arg, const void *karg, size_t ksize)
{
	return copy_to_user((void __user *)arg, karg, ksize) ? -EFAULT : 0;
}

/* Finds the handler for @file and preserves it under @token in @s. */
static int luo_preserve_fd(struct luo_session *s, struct file *file, u64 token)
{
	struct liveupdate_file_op_args args = { .file = file };
	struct luo_file_ref ref = { .token = token, .file = file };
	struct liveupdate_file_handler *h;
	int err;

	lockdep_assert_held(&luo_lock);
	if (luo_frozen)
		return -EBUSY;
	if (luo_session_retrieved(s))
		return -EINVAL;
	if (luo_session_find(s, token))
		return -EEXIST;
	list_for_each_entry(h, &luo_handlers, list)
		if (h->ops->can_preserve(h, file))
			break;
	if (list_entry_is_head(h, &luo_handlers, list) || !try_module_get(h->ops->owner))
		return -ENOENT;
	args.handler = h;
	err = h->ops->preserve(&args);
	if (err) {
		module_put(h->ops->owner);
		return err;
	}
	ref.handler = h;
	ref.data = args.serialized_data;
	ref.private_data = args.private_data;
	strscpy_pad(ref.compatible, h->compatible);
	err = luo_session_add_file(s, &ref);
	if (err) {
		h->ops->unpreserve(&args);
		module_put(h->ops->owner);
	}
	return err;
}

/* The previous kernel's file under @token, as a new reference in @filep. */
static int luo_retrieve_fd(struct luo_session *s, u64 token, struct file **filep)
{
	struct liveupdate_file_op_args args = {};
	struct liveupdate_file_handler *h;
	struct luo_file_ref *f;
	int err;

	lockdep_assert_held(&luo_lock);
	if (!luo_session_retrieved(s))
		return -EINVAL;
	f = luo_session_find(s, token);
	if (!f)
		return -ENOENT;
	if (f->refused)
		return -EINVAL;
	if (!f->taken) {
		if (!is_kho_boot())
			return -ENOENT;		/* the handover is finished: its memory is gone */
		h = luo_handler_for(f->compatible);
		if (!h || !try_module_get(h->ops->owner))
			return -ENOENT;
		args.handler = h;
		args.serialized_data = f->data;
		err = h->ops->retrieve(&args);
		if (err) {
			/* Damaged, said the handler: KHO frees it at finish. */
			f->refused = err == -EINVAL;
			module_put(h->ops->owner);
			return err;
		}
		f->handler = h;
		f->file = args.file;
		f->taken = 1;
	}
	*filep = get_file(f->file);
	return 0;
}

static long luo_session_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct luo_session *s = file->private_data;
	union {
		struct liveupdate_session_preserve_fd preserve;
		struct liveupdate_session_retrieve_fd retrieve;
		struct liveupdate_session_finish finish;
		struct liveupdate_session_get_name name;
	} u;
	struct file *target;
	int err, fd;

	switch (cmd) {
	case LIVEUPDATE_SESSION_PRESERVE_FD:
		err = luo_copy_in(&u.preserve, sizeof(u.preserve),
				  offsetofend(typeof(u.preserve), token), arg);
		if (err)
			return err;
		target = fget(u.preserve.fd);
		if (!target)
			return -EBADF;
		scoped_guard(mutex, &luo_lock)
			err = luo_preserve_fd(s, target, u.preserve.token);
		if (err)
			fput(target);
		return err;

	case LIVEUPDATE_SESSION_RETRIEVE_FD:
		err = luo_copy_in(&u.retrieve, sizeof(u.retrieve),
				  offsetofend(typeof(u.retrieve), token), arg);
		if (err)
			return err;
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0)
			return fd;
		scoped_guard(mutex, &luo_lock)
			err = luo_retrieve_fd(s, u.retrieve.token, &target);
		if (!err) {
			u.retrieve.fd = fd;
			err = luo_copy_out(arg, &u.retrieve, sizeof(u.retrieve));
			if (err)
				fput(target);
		}
		if (err) {
			put_unused_fd(fd);
			return err;
		}
		fd_install(fd, target);
		return 0;

	case LIVEUPDATE_SESSION_FINISH:
		err = luo_copy_in(&u.finish, sizeof(u.finish),
				  offsetofend(typeof(u.finish), reserved), arg);
		if (err)
			return err;
		if (u.finish.reserved)
			return -EINVAL;
		scoped_guard(mutex, &luo_lock) {
			if (!luo_session_retrieved(s))
				return -EINVAL;
			luo_session_empty(s);
		}
		return 0;

	case LIVEUPDATE_SESSION_GET_NAME:
		err = luo_copy_in(&u.name, sizeof(u.name), offsetofend(typeof(u.name), reserved), arg);
		if (err)
			return err;
		if (u.name.reserved)
			return -EINVAL;
		memcpy(u.name.name, luo_session_name(s), sizeof(u.name.name));
		return luo_copy_out(arg, &u.name, sizeof(u.name));
	}
	return -ENOTTY;
}

static const struct file_operations luo_session_fops = {
	.owner = THIS_MODULE,
	.release = luo_session_release,
	.unlocked_ioctl = luo_session_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* CREATE_SESSION and RETRIEVE_SESSION: a session as a new file descriptor. */
static long luo_session_fd(unsigned long arg, bool retrieve)
{
	struct liveupdate_ioctl_create_session u;	/* the two are alike */
	struct luo_session *s = NULL;
	struct file *file;
	int err, fd;

	BUILD_BUG_ON(sizeof(u) != sizeof(struct liveupdate_ioctl_retrieve_session));
	err = luo_copy_in(&u, sizeof(u), sizeof(u), arg);
	if (err)
		return err;
	if (!memchr(u.name, 0, sizeof(u.name)))
		return -EINVAL;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	/* A file without a session first: putting it is then a no-op. */
	file = anon_inode_getfile("[liveupdate_session]", &luo_session_fops, NULL, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	scoped_guard(mutex, &luo_lock) {
		if (retrieve && !is_kho_boot())
			luo_engine_unload(luo_engine);	/* KHO freed them */
		if (retrieve)
			err = luo_engine_retrieve_session(luo_engine, (char *)u.name, &s);
		else
			err = luo_frozen ? -EBUSY :
			      luo_engine_create_session(luo_engine, (char *)u.name, &s);
	}
	if (!err) {
		file->private_data = s;
		u.fd = fd;
		err = luo_copy_out(arg, &u, sizeof(u));
	}
	if (err) {
		fput(file);
		put_unused_fd(fd);
		return err;
	}
	fd_install(fd, file);
	return 0;
}

static long luo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case LIVEUPDATE_IOCTL_CREATE_SESSION:
		return luo_session_fd(arg, false);
	case LIVEUPDATE_IOCTL_RETRIEVE_SESSION:
		return luo_session_fd(arg, true);
	}
	return -ENOTTY;
}

static int luo_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&luo_device_open, 0, 1))
		return -EBUSY;
	return 0;
}

static int luo_release(struct inode *inode, struct file *file)
{
	atomic_set(&luo_device_open, 0);
	return 0;
}

static const struct file_operations luo_fops = {
	.owner = THIS_MODULE,
	.open = luo_open,
	.release = luo_release,
	.unlocked_ioctl = luo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice luo_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "liveupdate",
	.fops = &luo_fops,
	.mode = 0600,
};

/* Calls @fn on every file of every session to preserve, until one fails. */
static int luo_for_each_file(int (*fn)(struct luo_file_ref *f))
{
	size_t i, j;
	int err;

	for (i = 0; i < luo_engine_nr_sessions(luo_engine); i++) {
		struct luo_session *s = luo_engine_session(luo_engine, i);

		for (j = 0; j < luo_session_nr_files(s); j++) {
			err = fn(luo_session_file(s, j));
			if (err)
				return err;
		}
	}
	return 0;
}

static int luo_freeze_file(struct luo_file_ref *f)
{
	struct liveupdate_file_op_args args = luo_args(f);
	int err;

	err = args.handler->ops->freeze(&args);
	if (err)
		return err;
	f->data = args.serialized_data;
	f->private_data = args.private_data;
	f->frozen = 1;
	return 0;
}

static int luo_unfreeze_file(struct luo_file_ref *f)
{
	struct liveupdate_file_op_args args = luo_args(f);

	if (f->frozen) {
		args.handler->ops->unfreeze(&args);
		f->private_data = args.private_data;
		f->frozen = 0;
	}
	return 0;
}

/* Thaws every file and lets go of the sessions closed while frozen. */
static void luo_thaw(void)
{
	struct luo_session *s;
	size_t i = 0;

	lockdep_assert_held(&luo_lock);
	if (luo_table) {
		kho_unpreserve_vmalloc(&luo_table_kho);
		vfree(luo_table);
		luo_table = NULL;
	}
	luo_for_each_file(luo_unfreeze_file);
	luo_frozen = false;
	while (i < luo_engine_nr_sessions(luo_engine)) {
		s = luo_engine_session(luo_engine, i);
		if (!luo_session_closed(s)) {
			i++;
			continue;
		}
		luo_session_empty(s);
		luo_engine_remove_session(luo_engine, s);
	}
}

static int luo_write_node(void *fdt)
{
	size_t bytes = luo_engine_table_size(luo_engine);
	int err;

	luo_table = vzalloc(bytes);
	if (!luo_table)
		return -ENOMEM;
	luo_engine_write_table(luo_engine, luo_table, bytes);
	err = kho_preserve_vmalloc(luo_table, &luo_table_kho);
	if (err) {
		vfree(luo_table);
		luo_table = NULL;
		return err;
	}
	err = fdt_begin_node(fdt, LUO_NODE_NAME);
	err = err ?: fdt_property_string(fdt, "compatible", LUO_COMPATIBLE);
	err = err ?: fdt_property(fdt, LUO_TABLE_PROP, &luo_table_kho, sizeof(luo_table_kho));
	err = err ?: fdt_end_node(fdt);
	return err ? -ENOSPC : 0;
}

static int luo_freeze(void *fdt)
{
	int err;

	guard(mutex)(&luo_lock);
	luo_frozen = true;		/* with or without sessions: none is added now */
	if (!luo_engine_nr_sessions(luo_engine))
		return 0;
	err = luo_for_each_file(luo_freeze_file);
	err = err ?: luo_write_node(fdt);
	if (err) {
		pr_err("not handed over: %d\n", err);
		luo_thaw();
		return err;
	}
	pr_info("handed over %zu sessions\n", luo_engine_nr_sessions(luo_engine));
	return 0;
}

static int luo_notify(struct notifier_block *nb, unsigned long event, void *data)
{
	switch (event) {
	case KEXEC_KHO_DUMP:
		return notifier_from_errno(luo_freeze(kho_ser_fdt(data)));
	case KEXEC_KHO_ABORT:
		scoped_guard(mutex, &luo_lock)
			if (luo_frozen)
				luo_thaw();
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

static struct notifier_block luo_nb = { .notifier_call = luo_notify };

static void luo_dropped(const char *name, size_t index, const char *why)
{
	if (name)
		pr_warn("previous kernel's session '%s' dropped: %s\n", name, why);
	else
		pr_warn("previous kernel's session #%zu dropped: %s\n", index, why);
}

/* Indexes the previous kernel's sessions, if it handed any over. */
static void luo_load(void)
{
	const struct kho_vmalloc *kho;
	const void *fdt = kho_get_fdt();
	const char *why;
	void *table;
	int node, len;
	long n;

	if (!fdt)
		return;
	node = fdt_subnode_offset(fdt, 0, LUO_NODE_NAME);
	if (node < 0)
		goto out;
	kho = fdt_getprop(fdt, node, LUO_TABLE_PROP, &len);
	if (!kho_tree_node_compatible(fdt, node, LUO_COMPATIBLE) || !kho || len != sizeof(*kho)) {
		pr_warn("previous kernel's sessions dropped: not a %s node\n", LUO_COMPATIBLE);
		goto out;
	}
	table = kho_restore_vmalloc(kho);
	if (!table) {
		pr_warn("previous kernel's sessions dropped: table not preserved\n");
		goto out;
	}
	scoped_guard(mutex, &luo_lock)
		n = luo_engine_load(luo_engine, table, (size_t)kho->total_pages << PAGE_SHIFT,
				    luo_dropped, &why);
	vfree(table);
	if (n >= 0)
		pr_info("%ld sessions from the previous kernel\n", n);
	else
		pr_warn("previous kernel's sessions dropped: %s (%ld)\n", why ?: "", n);
out:
	kho_put_fdt(fdt);
}

#ifdef CONFIG_KEXEC_HANDOVER_TEST_KNOBS
/*
 * tests/knobs, while the handover is active: "luo-session-name" leaves the
 * first session's name without its NUL, "luo-memfd-magic" breaks the
 * memfd record of the last session's first file.
 */
int luo_test_damage(const char *what)
{
	struct luo_table *t = luo_table;
	struct luo_session_record *s;
	struct luo_file_record *f;

	guard(mutex)(&luo_lock);
	if (!t)
		return -ENOENT;
	s = (void *)(t + 1);
	f = (void *)(s + t->nr_sessions);
	if (!strcmp(what, "luo-session-name")) {
		memset(s[0].name, 'x', sizeof(s[0].name));
		return 0;
	}
	if (!strcmp(what, "luo-memfd-magic")) {
		s += t->nr_sessions - 1;
		if (!s->nr_files || strcmp(f[s->first_file].compatible, LUO_MEMFD_COMPATIBLE))
			return -ENOENT;
		((struct luo_memfd *)phys_to_virt(f[s->first_file].data))->magic ^= 0xff;
		return 0;
	}
	return -EINVAL;
}
#endif

static int __init luo_init(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;
	luo_engine = luo_engine_create();
	if (!luo_engine)
		return -ENOMEM;
	err = register_kho_notifier(&luo_nb);
	if (err)
		goto fail;
	err = misc_register(&luo_device);
	if (err) {
		unregister_kho_notifier(&luo_nb);
		goto fail;
	}
	luo_load();
	return 0;
fail:
	pr_err("not started: %d\n", err);
	luo_engine_destroy(luo_engine);
	luo_engine = NULL;
	return err;
}
device_initcall(luo_init);
