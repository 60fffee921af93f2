/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer's side of the ftrace handover, included at the end of
 * kernel/trace/ring_buffer.c (scripts/hooks/0008-ring-buffer-kho.patch)
 * because it walks and rebuilds struct ring_buffer_per_cpu, which is
 * private to that file.  Only data pages cross a kexec; the buffer_page
 * structs around them are rebuilt here.  The BUILD_BUG_ONs pin the on-page
 * format the handover relies on (include/kho/abi/ftrace.h).
 */
#include "../../kho/ftrace/ftrace_internal.h"

static void rb_kho_check_layout(void)
{
	BUILD_BUG_ON(offsetof(struct buffer_data_page, time_stamp) != 0);
	BUILD_BUG_ON(offsetof(struct buffer_data_page, commit) != 8);
	BUILD_BUG_ON(BUF_PAGE_HDR_SIZE != 16);
	BUILD_BUG_ON(RB_EVNT_HDR_SIZE != 4);
	BUILD_BUG_ON(RINGBUF_TYPE_DATA_TYPE_LEN_MAX != 28);
	BUILD_BUG_ON(RINGBUF_TYPE_PADDING != 29);
	BUILD_BUG_ON(RINGBUF_TYPE_TIME_EXTEND != 30);
	BUILD_BUG_ON(RINGBUF_TYPE_TIME_STAMP != 31);
	BUILD_BUG_ON(TS_SHIFT != 27);
	BUILD_BUG_ON(TS_MSB != 0xf8ULL << 56);
	BUILD_BUG_ON((u32)RB_MISSED_EVENTS != 1U << 31 || RB_MISSED_STORED != 1U << 30);
}

unsigned int rb_kho_subbuf_order(struct trace_buffer *buffer)
{
	return buffer->subbuf_order;
}

u64 (*rb_kho_clock(struct trace_buffer *buffer))(void)
{
	return buffer->clock;
}

/* Sub-buffers of @cpu, the reader page included; 0 if it has no buffer. */
unsigned long rb_kho_nr_subbufs(struct trace_buffer *buffer, int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, buffer->cpumask))
		return 0;
	return buffer->buffers[cpu]->nr_pages + 1;
}

/* Every sub-buffer of @cpu, in no particular order; @fn must not sleep. */
int rb_kho_for_each_subbuf(struct trace_buffer *buffer, int cpu,
			   int (*fn)(void *ctx, void *data), void *ctx)
{
	struct ring_buffer_per_cpu *cpu_buffer;
	struct buffer_page *bpage, *head;
	int err;

	if (!rb_kho_nr_subbufs(buffer, cpu))
		return -ENODEV;
	cpu_buffer = buffer->buffers[cpu];
	/* A resize holds the mutex for as long as it changes the page set. */
	guard(mutex)(&buffer->mutex);
	guard(raw_spinlock_irqsave)(&cpu_buffer->reader_lock);
	err = fn(ctx, cpu_buffer->reader_page->page);
	head = bpage = list_entry(cpu_buffer->pages, struct buffer_page, list);
	do {
		err = err ?: fn(ctx, bpage->page);
		rb_inc_page(&bpage);
	} while (bpage != head);
	return err;
}

/*
 * At kexec time, writers stopped: the sub-buffers holding unread events,
 * oldest first.  The reader page comes first if it has unread events, with
 * the bytes already read in @reader_read.
 */
int rb_kho_for_each_unread(struct trace_buffer *buffer, int cpu,
			   int (*fn)(void *ctx, void *data), void *ctx,
			   unsigned int *reader_read, bool *first_is_reader)
{
	struct ring_buffer_per_cpu *cpu_buffer;
	struct buffer_page *reader, *bpage;
	unsigned long n;
	int err = 0;

	if (!rb_kho_nr_subbufs(buffer, cpu))
		return -ENODEV;
	cpu_buffer = buffer->buffers[cpu];
	guard(raw_spinlock_irqsave)(&cpu_buffer->reader_lock);
	arch_spin_lock(&cpu_buffer->lock);
	reader = cpu_buffer->reader_page;
	*first_is_reader = reader->read < rb_page_size(reader);
	*reader_read = *first_is_reader ? reader->read : 0;
	if (*first_is_reader)
		err = fn(ctx, reader->page);
	if (reader != cpu_buffer->commit_page) {
		bpage = rb_set_head_page(cpu_buffer);
		for (n = 0; !err && bpage && n < cpu_buffer->nr_pages; n++) {
			if (rb_page_size(bpage))
				err = fn(ctx, bpage->page);
			if (bpage == cpu_buffer->commit_page)
				break;
			rb_inc_page(&bpage);
		}
	}
	arch_spin_unlock(&cpu_buffer->lock);
	return err;
}

static struct buffer_page *rb_kho_bpage(struct ring_buffer_per_cpu *cpu_buffer, void *data)
{
	struct buffer_page *bpage;

	bpage = kzalloc_node(ALIGN(sizeof(*bpage), cache_line_size()), GFP_KERNEL,
			     cpu_to_node(cpu_buffer->cpu));
	if (!bpage)
		return NULL;
	rb_check_bpage(cpu_buffer, bpage);
	INIT_LIST_HEAD(&bpage->list);
	bpage->order = cpu_buffer->buffer->subbuf_order;
	bpage->page = data;
	return bpage;
}

/* Nothing was ever written here: this kernel's pages can make way. */
static bool rb_kho_unused(struct ring_buffer_per_cpu *cpu_buffer)
{
	return !local_read(&cpu_buffer->entries) && !local_read(&cpu_buffer->overrun) &&
	       !rb_page_write(cpu_buffer->tail_page) && !rb_page_commit(cpu_buffer->reader_page);
}

/*
 * Links the prepared pages into the ring; the caller frees what is left on
 * the lists.  If this kernel never wrote to @cpu, its own ring pages go to
 * @discard and the old ones replace them, so the size stays what the
 * previous kernel had across any number of generations.
 */
static int rb_kho_splice(struct ring_buffer_per_cpu *cpu_buffer, struct list_head *data,
			 struct list_head *free, unsigned long added, struct list_head *discard,
			 struct buffer_page **rpage, const struct rb_kho_page *reader,
			 unsigned int reader_read, u64 read_ts, unsigned long entries,
			 unsigned long bytes, void **spare)
{
	struct buffer_page *bpage, *head;
	unsigned long removed = 0;

	guard(mutex)(&cpu_buffer->buffer->mutex);
	if (cpu_buffer->mapped || cpu_buffer->user_mapped)
		return -EBUSY;
	atomic_inc(&cpu_buffer->record_disabled);
	synchronize_rcu();
	scoped_guard(raw_spinlock_irqsave, &cpu_buffer->reader_lock) {
		arch_spin_lock(&cpu_buffer->lock);
		if (*rpage) {
			struct buffer_page *r = cpu_buffer->reader_page;

			if (!r->read && !rb_page_commit(r)) {
				/* Ours is unused: read on where the old kernel stopped. */
				*spare = r->page;
				r->page = (*rpage)->page;
				r->read = reader_read;
				local_set(&r->write, reader->bytes);
				local_set(&r->entries, reader->events);
				cpu_buffer->read_stamp = read_ts;
			} else {
				/* The read offset is lost: its read records show again. */
				list_add(&(*rpage)->list, data);
				added++;
				*rpage = NULL;
			}
			entries += reader->events;
			bytes += reader->bytes - reader_read;
		}
		head = rb_set_head_page(cpu_buffer);
		rb_head_page_deactivate(cpu_buffer);
		if (rb_kho_unused(cpu_buffer) && !list_empty(free)) {
			LIST_HEAD(ring);

			/* A real list head in the ring turns it into a list: ours. */
			list_add_tail(discard, cpu_buffer->pages);
			removed = cpu_buffer->nr_pages;
			/* The new ring: old data pages, then the old free ones. */
			bpage = list_first_entry(free, struct buffer_page, list);
			cpu_buffer->tail_page = cpu_buffer->commit_page = bpage;
			if (!*spare && !list_is_singular(free)) {
				/* An old free page becomes the reader page, too. */
				struct buffer_page *r = list_last_entry(free, struct buffer_page, list);

				list_move(&r->list, discard);
				swap(r->page, cpu_buffer->reader_page->page);
				added--;
			}
			list_splice_tail_init(data, &ring);
			list_splice_tail_init(free, &ring);
			cpu_buffer->head_page = list_first_entry(&ring, struct buffer_page, list);
			list_del(&ring);
		} else {
			if (!list_empty(data)) {
				bpage = list_first_entry(data, struct buffer_page, list);
				list_splice_tail_init(data, &head->list);
				cpu_buffer->head_page = bpage;
			}
			list_splice_init(free, &cpu_buffer->tail_page->list);
		}
		cpu_buffer->pages = &cpu_buffer->head_page->list;
		cpu_buffer->nr_pages += added - removed;
		cpu_buffer->cnt++;
		rb_head_page_activate(cpu_buffer);
		local_add(entries, &cpu_buffer->entries);
		local_add(bytes, &cpu_buffer->entries_bytes);
		arch_spin_unlock(&cpu_buffer->lock);
	}
	atomic_dec(&cpu_buffer->record_disabled);
	return 0;
}

/*
 * Re-attaches previous-kernel sub-buffers to @cpu without copying: @pages
 * (oldest first) go in front of the head, so they are read first; @empty
 * ones go after the tail, where the writer continues.  A partly read
 * @reader becomes the reader page, if this kernel's has not been used.
 * On success the data pages belong to the ring buffer; on error nothing
 * changed and they are still the caller's.
 */
int rb_kho_attach(struct trace_buffer *buffer, int cpu, const struct rb_kho_page *reader,
		  unsigned int reader_read, u64 read_ts, const struct rb_kho_page *pages,
		  unsigned int nr_pages, void *const *empty, unsigned int nr_empty)
{
	struct ring_buffer_per_cpu *cpu_buffer;
	struct buffer_page *bpage, *tmp, *rpage = NULL;
	unsigned long entries = 0, bytes = 0;
	void *spare = NULL;
	LIST_HEAD(data);
	LIST_HEAD(free);
	LIST_HEAD(discard);
	unsigned int i;
	int err = 0;

	rb_kho_check_layout();
	if (!rb_kho_nr_subbufs(buffer, cpu))
		return -ENODEV;
	cpu_buffer = buffer->buffers[cpu];
	for (i = 0; !err && i < nr_pages + nr_empty; i++) {
		bpage = rb_kho_bpage(cpu_buffer, i < nr_pages ? pages[i].data : empty[i - nr_pages]);
		if (!bpage) {
			err = -ENOMEM;
		} else if (i < nr_pages) {
			local_set(&bpage->write, pages[i].bytes);
			local_set(&bpage->entries, pages[i].events);
			entries += pages[i].events;
			bytes += pages[i].bytes;
			list_add_tail(&bpage->list, &data);
		} else {
			rb_init_data_page(bpage->page);
			list_add_tail(&bpage->list, &free);
		}
	}
	if (!err && reader) {
		rpage = rb_kho_bpage(cpu_buffer, reader->data);
		if (rpage) {
			local_set(&rpage->write, reader->bytes);
			local_set(&rpage->entries, reader->events);
		} else {
			err = -ENOMEM;
		}
	}
	err = err ?: rb_kho_splice(cpu_buffer, &data, &free, nr_pages + nr_empty, &discard, &rpage,
				   reader, reader_read, read_ts, entries, bytes, &spare);
	/* Whatever is still listed here was not attached: the structs only. */
	list_splice(&free, &data);
	list_for_each_entry_safe(bpage, tmp, &data, list)
		kfree(bpage);
	kfree(rpage);	/* its page went into our reader page, or it is in the ring */
	if (err)
		return err;
	/* This kernel's own pages the old ones replaced. */
	list_for_each_entry_safe(bpage, tmp, &discard, list) {
		list_del_init(&bpage->list);
		free_buffer_page(bpage);
	}
	rb_check_pages(cpu_buffer);
	if (spare)
		free_pages((unsigned long)spare, buffer->subbuf_order);
	return 0;
}
