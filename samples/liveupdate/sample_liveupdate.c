// SPDX-License-Identifier: GPL-2.0
/*
 * A Live Update file handler (Documentation/kho/porting.rst): files of
 * /dev/liveupdate_sample, each a page a program reads and writes, survive
 * a kexec when the program preserves them in a /dev/liveupdate session.
 *
 * freeze() hands the page over with KHO when the handover is serialized,
 * its physical address the file's u64; in the next kernel retrieve() makes
 * a new file around the page, and finish() frees a page nobody retrieved.
 * Load the module in each kernel, before retrieving.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>

static const struct file_operations sample_fops;

static ssize_t sample_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	return simple_read_from_buffer(buf, len, pos, folio_address(file->private_data),
				       PAGE_SIZE);
}

static ssize_t sample_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	return simple_write_to_buffer(folio_address(file->private_data), PAGE_SIZE, pos, buf,
				      len);
}

static int sample_open(struct inode *inode, struct file *file)
{
	struct folio *page = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);

	if (!page)
		return -ENOMEM;
	file->private_data = page;
	return 0;
}

static int sample_release(struct inode *inode, struct file *file)
{
	folio_put(file->private_data);
	return 0;
}

static const struct file_operations sample_fops = {
	.owner = THIS_MODULE,
	.open = sample_open,
	.release = sample_release,
	.read = sample_read,
	.write = sample_write,
	.llseek = default_llseek,
};

static struct miscdevice sample_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "liveupdate_sample",
	.fops = &sample_fops,
	.mode = 0600,
};

static bool sample_can_preserve(struct liveupdate_file_handler *handler, struct file *file)
{
	return file->f_op == &sample_fops;
}

/* Nothing to take at PRESERVE_FD: the page goes over as it is at freeze. */
static int sample_preserve(struct liveupdate_file_op_args *args)
{
	return 0;
}

static void sample_unpreserve(struct liveupdate_file_op_args *args)
{
}

static int sample_freeze(struct liveupdate_file_op_args *args)
{
	struct folio *page = args->file->private_data;
	int err = kho_preserve_folio(page);

	if (!err)
		args->serialized_data = PFN_PHYS(folio_pfn(page));
	return err;
}

static void sample_unfreeze(struct liveupdate_file_op_args *args)
{
	kho_unpreserve_folio(args->file->private_data);
}

/* @serialized_data is the previous kernel's: only KHO can say it is a page. */
static int sample_retrieve(struct liveupdate_file_op_args *args)
{
	struct folio *page = kho_restore_folio(args->serialized_data);
	struct file *file;

	if (!page || folio_order(page)) {
		pr_warn("no page handed over at %#llx\n", args->serialized_data);
		if (page)
			folio_put(page);
		return -EINVAL;
	}
	file = anon_inode_getfile("[liveupdate_sample]", &sample_fops, page, O_RDWR);
	if (IS_ERR(file)) {
		folio_put(page);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	args->file = file;
	return 0;
}

static void sample_finish(struct liveupdate_file_op_args *args)
{
	struct folio *page;

	if (args->retrieved)
		return;
	page = kho_restore_folio(args->serialized_data);
	if (page)
		folio_put(page);
}

static const struct liveupdate_file_ops sample_ops = {
	.can_preserve = sample_can_preserve,
	.preserve = sample_preserve,
	.unpreserve = sample_unpreserve,
	.freeze = sample_freeze,
	.unfreeze = sample_unfreeze,
	.retrieve = sample_retrieve,
	.finish = sample_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler sample_handler = {
	.ops = &sample_ops,
	.compatible = "liveupdate-sample-v1",
};

static int __init sample_init(void)
{
	int err = misc_register(&sample_dev);

	if (err)
		return err;
	err = liveupdate_register_file_handler(&sample_handler);
	if (err)
		misc_deregister(&sample_dev);
	return err;
}

static void __exit sample_exit(void)
{
	liveupdate_unregister_file_handler(&sample_handler);
	misc_deregister(&sample_dev);
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample: a Live Update file handler");
