// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update's memfd handler ("memfd-v1"): an anonymous shmem file's
 * folios go to the next kernel in place, never copied.
 *
 * Preserving a memfd freezes its size: Live Update adds F_SEAL_GROW and
 * F_SEAL_SHRINK for as long as the file is in a session, on top of the
 * program's own seals, which are what the next kernel restores.  The pages
 * stay writable.  Activating the handover (freeze) takes a reference on
 * every folio of the page cache, swapping in what is in swap and moving
 * out of scratch what the page cache put there, and hands each over at its
 * order, so holes stay holes and huge folios stay huge;
 * its record (struct luo_memfd) says where they go.  A hole written after
 * the activation is not handed over: the next kernel sees a hole there.
 *
 * In the next kernel, retrieve() checks the record with the C++ reader
 * (memfd_format.cpp), creates a new memfd of the same size and puts each
 * folio into its page cache (shmem_insert_folio(), mm/shmem.c).  finish()
 * of a file never retrieved gives its folios back.
 */
#define pr_fmt(fmt) "liveupdate: memfd: " fmt

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/liveupdate.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>
#include <kho/abi/liveupdate.h>

#include "liveupdate/engine.h"

#define MEMFD_LUO_SIZE_SEALS	(F_SEAL_GROW | F_SEAL_SHRINK)

/* The memfds in a session: one session, one token each. */
static DEFINE_XARRAY(memfd_luo_inodes);

/* A preserved memfd: the seals added, and what freeze() handed over. */
struct memfd_luo {
	unsigned int added_seals;
	struct folio *record;		/* struct luo_memfd */
	struct luo_memfd_folio *list;	/* vmalloc */
	struct folio **folios;
	unsigned long nr_folios;
};

static bool memfd_luo_can_preserve(struct liveupdate_file_handler *handler, struct file *file)
{
	/* shmem_file_setup()'s files are never linked: memfd, not tmpfs. */
	return shmem_file(file) && !file_inode(file)->i_nlink;
}

static int memfd_luo_preserve(struct liveupdate_file_op_args *args)
{
	struct inode *inode = file_inode(args->file);
	struct shmem_inode_info *info = SHMEM_I(inode);
	struct memfd_luo *m;
	int err;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	err = xa_insert(&memfd_luo_inodes, (unsigned long)inode, m, GFP_KERNEL);
	if (err) {
		kfree(m);
		return err;	/* -EBUSY: preserved already */
	}
	inode_lock(inode);
	m->added_seals = MEMFD_LUO_SIZE_SEALS & ~info->seals;
	info->seals |= m->added_seals;
	inode_unlock(inode);
	args->private_data = m;
	return 0;
}

static void memfd_luo_unpreserve(struct liveupdate_file_op_args *args)
{
	struct inode *inode = file_inode(args->file);
	struct memfd_luo *m = args->private_data;

	inode_lock(inode);
	SHMEM_I(inode)->seals &= ~m->added_seals;
	inode_unlock(inode);
	xa_erase(&memfd_luo_inodes, (unsigned long)inode);
	kfree(m);
}

/*
 * The last page of the file: fallocate(FALLOC_FL_KEEP_SIZE) may have put
 * folios beyond it, which are not the file's data and are not handed over.
 * Only for a file of at least one byte.
 */
static pgoff_t memfd_luo_last_index(struct inode *inode)
{
	return (i_size_read(inode) - 1) >> PAGE_SHIFT;
}

/* Brings back from swap whatever of the file is there; the inode is locked. */
static int memfd_luo_swap_in(struct inode *inode)
{
	XA_STATE(xas, &inode->i_mapping->i_pages, 0);
	struct folio *folio;
	void *entry;
	int err;

	if (!READ_ONCE(SHMEM_I(inode)->swapped))
		return 0;
	rcu_read_lock();
	xas_for_each(&xas, entry, memfd_luo_last_index(inode)) {
		if (xas_retry(&xas, entry) || !xa_is_value(entry))
			continue;
		xas_pause(&xas);
		rcu_read_unlock();
		err = shmem_get_folio(inode, xas.xa_index, 0, &folio, SGP_READ);
		if (err)
			return err;
		if (folio) {
			folio_unlock(folio);
			folio_put(folio);
		}
		rcu_read_lock();
	}
	rcu_read_unlock();
	return 0;
}

/* Gives back the folios freeze() took, from the last. */
static void memfd_luo_drop_folios(struct memfd_luo *m, bool preserved)
{
	while (m->nr_folios) {
		struct folio *folio = m->folios[--m->nr_folios];

		if (preserved)
			kho_unpreserve_folio(folio);
		folio_put(folio);
	}
	kvfree(m->folios);
	m->folios = NULL;
}

/* Moves the folio at [@pos, @end) to memory KHO can hand over, as a long-term pin does. */
static int memfd_luo_move_out(struct file *file, loff_t pos, loff_t end)
{
	struct folio *moved;
	pgoff_t offset;
	long n;

	while (pos < end) {
		n = memfd_pin_folios(file, pos, end - 1, &moved, 1, &offset);
		if (n < 0)
			return n;
		pos = folio_pos(moved) + folio_size(moved);
		unpin_folio(moved);
	}
	return 0;
}

/*
 * Scratch is MIGRATE_CMA: the page cache may have put folios there, which
 * KHO cannot hand over (the next kernel boots in scratch).  Move every
 * folio a long-term pin could not keep; the inode is locked.
 */
static int memfd_luo_move_unpinnable(struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	loff_t size = i_size_read(file_inode(file));
	struct { loff_t pos, end; } moves[PAGEVEC_SIZE];
	struct folio_batch fbatch;
	unsigned int i, nr;
	pgoff_t start = 0;
	int err;

	folio_batch_init(&fbatch);
	while (filemap_get_folios(mapping, &start, memfd_luo_last_index(file_inode(file)),
				  &fbatch)) {
		for (i = 0, nr = 0; i < folio_batch_count(&fbatch); i++) {
			struct folio *folio = fbatch.folios[i];

			if (folio_is_longterm_pinnable(folio))
				continue;
			moves[nr].pos = folio_pos(folio);
			moves[nr++].end = min_t(loff_t, folio_pos(folio) + folio_size(folio), size);
		}
		folio_batch_release(&fbatch);	/* a folio in use cannot move */
		for (i = 0; i < nr; i++) {
			err = memfd_luo_move_out(file, moves[i].pos, moves[i].end);
			if (err)
				return err;
		}
		cond_resched();
	}
	return 0;
}

/* Takes a reference on every folio in the page cache; the inode is locked. */
static int memfd_luo_take_folios(struct inode *inode, struct memfd_luo *m)
{
	/* Faults may still fill holes: take what is there now, and some room. */
	unsigned long room = READ_ONCE(inode->i_mapping->nrpages) + PAGEVEC_SIZE;
	struct folio_batch fbatch;
	pgoff_t start = 0;
	unsigned int i;

	m->folios = kvmalloc_array(room, sizeof(*m->folios), GFP_KERNEL);
	if (!m->folios)
		return -ENOMEM;
	folio_batch_init(&fbatch);
	while (filemap_get_folios(inode->i_mapping, &start, memfd_luo_last_index(inode), &fbatch)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			if (m->nr_folios == room || !folio_is_longterm_pinnable(fbatch.folios[i])) {
				folio_batch_release(&fbatch);
				return -EAGAIN;	/* faults filled holes, or into scratch */
			}
			m->folios[m->nr_folios++] = fbatch.folios[i];	/* its reference too */
		}
		folio_batch_reinit(&fbatch);
		cond_resched();
	}
	return 0;
}

static int memfd_luo_write_record(struct file *file, struct memfd_luo *m, u64 *data)
{
	struct inode *inode = file_inode(file);
	struct luo_memfd *rec;
	unsigned long i;
	int err;

	for (i = 0; i < m->nr_folios; i++) {
		struct folio *folio = m->folios[i];

		err = kho_preserve_folio(folio);
		if (err) {
			while (i--)
				kho_unpreserve_folio(m->folios[i]);
			return err;
		}
	}
	err = -ENOMEM;
	m->record = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	if (m->nr_folios)
		m->list = vzalloc(array_size(m->nr_folios, sizeof(*m->list)));
	if (!m->record || (m->nr_folios && !m->list))
		goto fail;
	for (i = 0; i < m->nr_folios; i++) {
		struct folio *folio = m->folios[i];

		m->list[i] = (struct luo_memfd_folio) {
			.phys = PFN_PHYS(folio_pfn(folio)),
			.index = folio->index,
			.order = folio_order(folio),
			.flags = (folio_test_dirty(folio) ? LUO_MEMFD_FOLIO_DIRTY : 0) |
				 (folio_test_uptodate(folio) ? LUO_MEMFD_FOLIO_UPTODATE : 0),
		};
	}
	rec = folio_address(m->record);
	*rec = (struct luo_memfd) {
		.magic = LUO_MEMFD_MAGIC,
		.format = LUO_MEMFD_FORMAT,
		.size = i_size_read(inode),
		.pos = file->f_pos,
		.seals = SHMEM_I(inode)->seals & ~m->added_seals,
		.page_shift = PAGE_SHIFT,
		.nr_folios = m->nr_folios,
	};
	err = m->list ? kho_preserve_vmalloc(m->list, &rec->folios) : 0;
	if (err)
		goto fail;
	err = kho_preserve_folio(m->record);
	if (err) {
		if (m->list)
			kho_unpreserve_vmalloc(&rec->folios);
		goto fail;
	}
	*data = PFN_PHYS(folio_pfn(m->record));
	return 0;
fail:
	vfree(m->list);
	m->list = NULL;
	if (m->record)
		folio_put(m->record);
	m->record = NULL;
	for (i = 0; i < m->nr_folios; i++)
		kho_unpreserve_folio(m->folios[i]);
	return err;
}

static int memfd_luo_freeze(struct liveupdate_file_op_args *args)
{
	struct inode *inode = file_inode(args->file);
	struct memfd_luo *m = args->private_data;
	int err = 0;

	/* No write(), fallocate() or truncate() while the folios are taken. */
	inode_lock(inode);
	if (i_size_read(inode)) {	/* else there is no page to take */
		err = memfd_luo_swap_in(inode);
		err = err ?: memfd_luo_move_unpinnable(args->file);
		err = err ?: memfd_luo_take_folios(inode, m);
	}
	err = err ?: memfd_luo_write_record(args->file, m, &args->serialized_data);
	inode_unlock(inode);
	if (err) {
		memfd_luo_drop_folios(m, false);
		pr_err("not frozen: %d\n", err);
	}
	return err;
}

static void memfd_luo_unfreeze(struct liveupdate_file_op_args *args)
{
	struct memfd_luo *m = args->private_data;
	struct luo_memfd *rec = folio_address(m->record);

	if (m->list) {
		kho_unpreserve_vmalloc(&rec->folios);
		vfree(m->list);
		m->list = NULL;
	}
	kho_unpreserve_folio(m->record);
	folio_put(m->record);
	m->record = NULL;
	memfd_luo_drop_folios(m, true);
}

/*
 * The previous kernel's record at @data, checked, and its folio list
 * (NULL for an empty file; vfree() it).  The record's folio is in @record
 * (folio_put() it).  Logs what is wrong.
 */
static int memfd_luo_read(u64 data, struct folio **record, struct luo_memfd_folio **list)
{
	const struct luo_memfd *m;
	const char *why = "record not preserved";
	struct folio *folio = kho_restore_folio(data);

	*list = NULL;
	if (!folio || folio_order(folio))
		goto bad;
	m = folio_address(folio);
	if (luo_memfd_check(m, PAGE_SHIFT, get_num_physpages(), &why))
		goto bad;
	why = "folio list not preserved";
	if (m->nr_folios) {
		*list = kho_restore_vmalloc(&m->folios);
		if (!*list)
			goto bad;
	}
	if (luo_memfd_check_folios(m, *list, m->nr_folios, MAX_PAGE_ORDER, &why))
		goto bad;
	*record = folio;
	return 0;
bad:
	pr_warn("previous kernel's memfd %#llx dropped: %s\n", data, why);
	vfree(*list);
	*list = NULL;
	if (folio)
		folio_put(folio);
	return -EINVAL;
}

/* Gives back the folios of @list from @i on; they are not needed. */
static void memfd_luo_release(const struct luo_memfd_folio *list, u64 i, u64 n)
{
	for (; i < n; i++) {
		struct folio *folio = kho_restore_folio(list[i].phys);

		if (folio)
			folio_put(folio);
	}
}

static int memfd_luo_retrieve(struct liveupdate_file_op_args *args)
{
	struct luo_memfd_folio *list;
	const struct luo_memfd *m;
	struct folio *record;
	struct inode *inode;
	struct file *file;
	u64 i, n;
	int err;

	err = memfd_luo_read(args->serialized_data, &record, &list);
	if (err)
		return err;
	m = folio_address(record);
	n = m->nr_folios;
	file = shmem_file_setup("memfd:liveupdate", m->size, VM_NORESERVE);
	if (IS_ERR(file)) {
		err = PTR_ERR(file);
		goto out;
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	file->f_flags |= O_LARGEFILE;
	inode = file_inode(file);
	for (i = 0; i < n; i++) {
		struct folio *folio = kho_restore_folio(list[i].phys);

		if (!folio || folio_order(folio) != list[i].order) {
			pr_warn("previous kernel's memfd %#llx dropped: folio %#llx not preserved\n",
				args->serialized_data, list[i].phys);
			err = -EINVAL;
		} else {
			if (!(list[i].flags & LUO_MEMFD_FOLIO_UPTODATE))
				folio_zero_range(folio, 0, folio_size(folio));
			if (folio_test_large(folio))
				folio_set_large_rmappable(folio);	/* as the page cache's own */
			err = shmem_insert_folio(inode, folio, list[i].index);
		}
		if (folio)
			folio_put(folio);	/* the page cache holds it, or it is freed */
		if (err) {
			memfd_luo_release(list, i + 1, n);
			fput(file);
			goto out;
		}
	}
	SHMEM_I(inode)->seals = m->seals;
	file->f_pos = m->pos;
	args->file = file;
out:
	vfree(list);
	folio_put(record);
	return err;
}

static void memfd_luo_finish(struct liveupdate_file_op_args *args)
{
	struct luo_memfd_folio *list;
	struct folio *record;

	if (args->retrieved)
		return;
	if (memfd_luo_read(args->serialized_data, &record, &list))
		return;		/* what it names is freed when the handover is finished */
	memfd_luo_release(list, 0, ((struct luo_memfd *)folio_address(record))->nr_folios);
	vfree(list);
	folio_put(record);
}

static const struct liveupdate_file_ops memfd_luo_ops = {
	.can_preserve = memfd_luo_can_preserve,
	.preserve = memfd_luo_preserve,
	.unpreserve = memfd_luo_unpreserve,
	.freeze = memfd_luo_freeze,
	.unfreeze = memfd_luo_unfreeze,
	.retrieve = memfd_luo_retrieve,
	.finish = memfd_luo_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler memfd_luo_handler = {
	.ops = &memfd_luo_ops,
	.compatible = LUO_MEMFD_COMPATIBLE,
};

static int __init memfd_luo_init(void)
{
	int err;

	if (!liveupdate_enabled())
		return 0;
	err = liveupdate_register_file_handler(&memfd_luo_handler);
	if (err)
		pr_err("not registered: %d\n", err);
	return err;
}
late_initcall(memfd_luo_init);
