// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace across kexec, incoming, at core_initcall: each instance of the
 * previous kernel is found or created, every sub-buffer is checked
 * (ring_page.cpp), its time stamps moved to "before the kexec" (negative)
 * and its event types re-mapped to shadow events (records.c); then its
 * CPU's ring buffer adopts the pages without copying.  The instances are
 * configured first, tracing off (config.c), and tracing starts last.
 *
 * The nodes and the positions block are read by C++ (node.cpp) and reach
 * this file checked; this file owns the kernel objects.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/kexec_handover.h>
#include <linux/kho_hooks.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kernel/trace/trace.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"

/* The instance that takes records of @name (NULL: global), or NULL. */
static struct trace_array *kho_ftrace_target(const char *name)
{
	struct trace_array *tr;

	if (!name)
		return top_trace_array();
	tr = trace_array_get_by_name(name, NULL);
	if (tr)
		trace_array_put(tr);	/* the user may remove it later */
	else
		pr_err("instance %s: cannot create it; its records are dropped\n", name);
	return tr;
}

/**
 * kho_ftrace_has_records() - whether an instance's buffer holds records
 * @tr: the instance
 *
 * Return: true if a new clock or tracer, which reset the buffer, would lose some.
 */
bool kho_ftrace_has_records(struct trace_array *tr)
{
	return ring_buffer_entries(tr->array_buffer.buffer) ||
	       ring_buffer_overruns(tr->array_buffer.buffer);
}

/**
 * kho_ftrace_set_clock() - set an instance's trace_clock, if that keeps its records
 * @tr: the instance
 * @name: its name, for the log
 * @clock: the clock the previous kernel had
 *
 * A new clock resets the buffer: never over records, reported in one line.
 *
 * Return: 0 if @tr has @clock now, else -EBUSY or -EINVAL (unknown here).
 */
int kho_ftrace_set_clock(struct trace_array *tr, const char *name, const char *clock)
{
	if (!strcmp(kho_ftrace_clock(tr), clock))
		return 0;
	if (kho_ftrace_has_records(tr)) {
		pr_warn("instance %s: has records here; kept its clock, not %s\n", name, clock);
		return -EBUSY;
	}
	if (tracing_set_clock(tr, clock)) {
		pr_warn("instance %s: clock %s unknown here; kept its own\n", name, clock);
		return -EINVAL;
	}
	return 0;
}

/* A read-only instance of its own for records of @cpu that cannot go to @tr. */
static struct trace_array *kho_ftrace_view(struct trace_array *tr, const char *instance,
					   int cpu, const char *because)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%sprev-cpu%d", tr->name ?: "", tr->name ? "-" : "", cpu);
	tr = kho_ftrace_target(name);
	if (tr)
		pr_info("instance %s: records of cpu %d, %s, are in instance %s, cpu 0\n",
			instance, cpu, because, name);
	return tr;
}

/*
 * @cpu of @tr takes @pages in place of its own: @nr_data with records
 * (the first one partly @read, at @read_ts), then the empty ones (whose
 * commit is reset).
 */
static int kho_ftrace_adopt(struct trace_array *tr, int cpu, unsigned int order,
			    const struct ring_buffer_kho_page *pages, unsigned int nr,
			    unsigned int nr_data, unsigned int read, u64 read_ts)
{
	struct trace_buffer *buffer = tr->array_buffer.buffer;
	/* The writer goes on at the first empty page, or at one of this kernel's. */
	unsigned int tail = max(nr_data, 1U), ring = max3(2U, nr - 1, tail), i;
	int err;

	/* Never resize one this kernel wrote to. */
	if (ring_buffer_entries_cpu(buffer, cpu) || ring_buffer_overrun_cpu(buffer, cpu) ||
	    ring_buffer_read_events_cpu(buffer, cpu))
		return -EBUSY;
	if (order != ring_buffer_subbuf_order_get(buffer) &&
	    ring_buffer_subbuf_order_set(buffer, order))
		return -EINVAL;
	err = ring_buffer_resize(buffer, ring * (ring_buffer_subbuf_size_get(buffer) -
					       KHO_FTRACE_PAGE_HEADER_SIZE), cpu);
	if (err)
		return err;
	ring_buffer_record_disable_cpu(buffer, cpu);
	synchronize_rcu();
	/* Written to since the check above: keep this kernel's records. */
	if (ring_buffer_entries_cpu(buffer, cpu) || ring_buffer_overrun_cpu(buffer, cpu)) {
		ring_buffer_record_enable_cpu(buffer, cpu);
		return -EBUSY;
	}
	for (i = nr_data; i < nr; i++)
		WRITE_ONCE(((u64 *)pages[i].data)[1], 0);	/* commit: empty */
	ring_buffer_kho_adopt(buffer, cpu, pages, nr, tail, read, read_ts);
	ring_buffer_record_enable_cpu(buffer, cpu);
	tr->ring_buffer_expanded = true;
	per_cpu_ptr(tr->array_buffer.data, cpu)->entries = ring_buffer_size(buffer, cpu);
	return 0;
}

/* Restores, checks and attaches one CPU's pages; gives back what it does not use. */
static void kho_ftrace_restore_cpu(const void *fdt, int node,
				   const char *instance, struct trace_array *tr, unsigned int order,
				   const void *positions, size_t positions_size)
{
	struct kho_ftrace_cpu_in in;
	struct ring_buffer_kho_page *pages = NULL;
	unsigned int nr, read = 0, n_data = 0, n_empty = 0, i;
	bool *used = NULL;
	const char *why;
	u64 read_ts = 0;
	int err, cpu;

	if (kho_ftrace_cpu_read(fdt, node, positions, positions_size, max_pfn, &in, &why)) {
		pr_err("instance %s: cpu node %s: %s; dropped\n", instance,
		       kho_ftrace_node_name(fdt, node), why);
		return;
	}
	cpu = in.node.cpu;
	nr = in.node.nr_pages;
	pages = kvcalloc(nr, sizeof(*pages), GFP_KERNEL);
	used = kvcalloc(nr, sizeof(*used), GFP_KERNEL);
	if (!pages || !used) {
		pr_err("instance %s cpu %d: out of memory; its records are dropped\n", instance, cpu);
		goto out;
	}

	/* Pages with records from the front of @pages, oldest first; empty ones from the back. */
	for (i = 0; i < in.view.nr_valid + nr; i++) {
		u32 idx = i < in.view.nr_valid ? in.order[i] : i - in.view.nr_valid;
		u64 phys = PFN_PHYS(in.pfns[idx]);
		struct folio *folio;
		struct kho_ftrace_page_info info = {};

		if (i >= in.view.nr_valid && used[idx])
			continue;
		used[idx] = true;
		folio = kho_restore_folio(phys);
		if (!folio) {
			pr_err("instance %s cpu %d: page %#llx was not preserved; dropped\n",
			       instance, cpu, phys);
			continue;
		}
		if (folio_order(folio) != order) {
			pr_err("instance %s cpu %d: page %#llx has order %u, not %u; dropped\n",
			       instance, cpu, phys, folio_order(folio), order);
			folio_put(folio);
			continue;
		}
		if (i < in.view.nr_valid) {
			if (kho_ftrace_page_check(folio_address(folio), folio_size(folio),
						  !i && in.view.first_is_reader ? in.view.reader_read : 0,
						  &info, &why)) {
				pr_err("instance %s cpu %d: page %#llx dropped: %s\n", instance, cpu,
				       phys, why);
				folio_put(folio);
				continue;
			}
			kho_ftrace_page_rewrite(folio_address(folio), folio_size(folio),
						-in.view.kexec_clock, kho_ftrace_remap, NULL);
		}
		if (!info.events) {
			pages[nr - ++n_empty] = (struct ring_buffer_kho_page){ folio_address(folio) };
			continue;
		}
		/* The first listed page, partly read, is still the reader page. */
		if (!i && in.view.first_is_reader) {
			read = in.view.reader_read;
			read_ts = info.read_ts - in.view.kexec_clock;
		}
		pages[n_data++] = (struct ring_buffer_kho_page){ folio_address(folio), info.events,
								 info.bytes };
	}
	if (!n_data && !n_empty)
		goto out;
	memmove(&pages[n_data], &pages[nr - n_empty], n_empty * sizeof(*pages));

	/* A CPU this kernel does not have, or one it wrote to already: a view of its own. */
	err = -ENODEV;
	if (cpu < nr_cpu_ids && cpu_possible(cpu) && kho_ftrace_nr_subbufs(tr->array_buffer.buffer, cpu))
		err = kho_ftrace_adopt(tr, cpu, order, pages, n_data + n_empty, n_data, read, read_ts);
	if (err == -ENODEV || err == -EBUSY) {
		tr = kho_ftrace_view(tr, instance, cpu, err == -EBUSY ? "in use here" : "absent here");
		cpu = 0;
		err = tr ? kho_ftrace_adopt(tr, cpu, order, pages, n_data + n_empty, n_data, read,
					    read_ts) : -ENOMEM;
	}
	if (err) {
		pr_err("instance %s cpu %d: cannot attach its pages (%d); dropped\n",
		       instance, cpu, err);
		for (i = 0; i < n_data + n_empty; i++)
			folio_put(virt_to_folio(pages[i].data));
		goto out;
	}
	pr_info("instance %s cpu %d: %u pages with %s records attached, %u free\n", instance, cpu,
		n_data, "previous-kernel", n_empty);
out:
	kho_ftrace_cpu_in_free(&in);
	kvfree(pages);
	kvfree(used);
}

static void kho_ftrace_restore_instance(const void *fdt, int node,
					const void *positions, size_t positions_size)
{
	struct kho_ftrace_instance_node in;
	struct trace_array *tr;
	const char *why, *name;
	int sub;

	if (kho_ftrace_instance_node_check(fdt, node, &in, &why)) {
		pr_err("instance node %s: %s; dropped\n", kho_ftrace_node_name(fdt, node), why);
		return;
	}
	name = *in.name ? in.name : "global";
	tr = kho_ftrace_target(*in.name ? in.name : NULL);
	if (!tr)
		return;
	if (!*in.name && tracing_update_buffers(tr))
		pr_warn("global instance: cannot expand; previous records still attached\n");
	kho_ftrace_set_clock(tr, name, in.clock);
	kho_ftrace_for_each_node(fdt, node, KHO_FTRACE_CPU_COMPATIBLE, sub)
		kho_ftrace_restore_cpu(fdt, sub, name, tr, in.subbuf_order, positions,
				       positions_size);
}

/**
 * kho_ftrace_restore() - take back the previous kernel's trace buffers
 *
 * Runs once every CPU the kernel boots with is up (their buffers exist) and
 * the built-in events are registered.  Drops, with a log line, whatever
 * fails a check; KHO's finish gives back the memory of anything not taken.
 */
static void __init kho_ftrace_restore(void)
{
	struct kho_ftrace_positions_view view;
	struct kho_ftrace_root_node root;
	const void *fdt = kho_get_fdt();
	struct folio *folio = NULL;
	const char *why;
	int err, sub;

	if (!fdt)
		return;
	err = kho_ftrace_root_node_find(fdt, &root, &why);
	if (err) {
		if (err != -ENOENT)
			pr_err("%s; previous trace records dropped\n", why);
		goto out;
	}
	folio = kho_restore_folio(root.positions_phys);
	if (!folio || folio_size(folio) < root.positions_size) {
		pr_err("positions block missing; previous trace records dropped\n");
		goto out;
	}
	if (kho_ftrace_positions_check(folio_address(folio), root.positions_size, &view, &why)) {
		pr_err("%s; previous trace records dropped\n", why);
		goto out;
	}

	if (kho_ftrace_records_begin(&root, &view)) {
		pr_err("out of memory; previous trace records dropped\n");
		goto out;
	}
	kho_ftrace_for_each_node(fdt, root.node, KHO_FTRACE_INSTANCE_COMPATIBLE, sub)
		kho_ftrace_restore_instance(fdt, sub, folio_address(folio), root.positions_size);
out:
	kho_ftrace_records_end();
	if (folio)
		folio_put(folio);
	kho_put_fdt(fdt);
}

static int __init kho_ftrace_in_init(void)
{
	/* The record and event formats ring_page.cpp reads. */
	BUILD_BUG_ON(sizeof(struct trace_entry) != 8 ||
		     offsetof(struct trace_entry, type) != 0 ||
		     sizeof_field(struct trace_entry, type) != 2);
	BUILD_BUG_ON(offsetof(struct ring_buffer_event, array) != 4 ||
		     RINGBUF_TYPE_DATA_TYPE_LEN_MAX != 28 || RINGBUF_TYPE_PADDING != 29 ||
		     RINGBUF_TYPE_TIME_EXTEND != 30 || RINGBUF_TYPE_TIME_STAMP != 31);
	kho_ftrace_config_restore();
	kho_ftrace_restore();
	kho_ftrace_config_start();
	return 0;
}
core_initcall(kho_ftrace_in_init);
