// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace's configuration across kexec, restored (config.c saves it): at
 * core_initcall, just before the buffers take the previous kernel's
 * records (incoming.c), so that the new kernel goes on tracing as the old
 * one did, next to them.
 *
 * Restoring goes in the order that keeps records: tracing off; clock,
 * sizes and tracer only where the buffer is empty (each would reset or
 * cut it); the function filters before the tracer (a function tracer
 * without its filter traces every function); options, events, pids; and
 * tracing_on once the records are in place.  What this kernel does not
 * take (an unknown option, an event of a module not loaded, a function it
 * lacks) is reported in one line and skipped; the rest still applies.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/ftrace.h>
#include <linux/kexec_handover.h>
#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kernel/trace/trace.h"
#include "ftrace/config.h"
#include "ftrace/format.h"
#include "ftrace/ftrace_internal.h"

/* The next non-empty line of the text at *@at, cut out in place; NULL after the last. */
static char *kho_ftrace_next_line(char **at)
{
	char *line;

	while ((line = strsep(at, "\n")))
		if (*line)
			return line;
	return NULL;
}

/* How many refusals of one instance are named in the log; the rest are counted. */
#define KHO_FTRACE_NAMED_SKIPS	16

/* One instance being configured. */
struct kho_ftrace_restore {
	struct trace_array *tr;
	const char *name;
	unsigned int skipped;
};

/* Reports what this kernel does not take, in one line, and counts it. */
static __printf(2, 3) void kho_ftrace_skip(struct kho_ftrace_restore *r, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (r->skipped++ >= KHO_FTRACE_NAMED_SKIPS)
		return;
	va_start(args, fmt);
	vaf = (struct va_format){ .fmt = fmt, .va = &args };
	pr_warn("instance %s: %pV; skipped\n", r->name, &vaf);
	va_end(args);
}

/* A CPU's buffer: resized only if it holds no records; a ring of that size is kept. */
static void kho_ftrace_apply_size(struct kho_ftrace_restore *r, int cpu, u64 kb)
{
	struct trace_buffer *buffer = r->tr->array_buffer.buffer;
	unsigned long bytes = ring_buffer_subbuf_size_get(buffer) - KHO_FTRACE_PAGE_HEADER_SIZE;

	if (kb > (u64)totalram_pages() << PAGE_SHIFT >> 12)
		kho_ftrace_skip(r, "cpu %d: buffer_size_kb %llu is over a quarter of RAM", cpu, kb);
	else if (DIV_ROUND_UP(kb << 10, bytes) == ring_buffer_size(buffer, cpu) / bytes)
		return;
	else if (ring_buffer_entries_cpu(buffer, cpu) || ring_buffer_overrun_cpu(buffer, cpu))
		kho_ftrace_skip(r, "cpu %d: holds records; buffer_size_kb %llu", cpu, kb);
	else if (tracing_resize_ring_buffer(r->tr, kb << 10, cpu) < 0)
		kho_ftrace_skip(r, "cpu %d: cannot resize to %llu KiB", cpu, kb);
}

static void kho_ftrace_apply_sizes(struct kho_ftrace_restore *r,
				   struct kho_ftrace_instance_config *cfg)
{
	char *at = cfg->cpu_kb.buf, *line;
	unsigned int cpu;
	u32 *kb;

	if (!cfg->buffer_kb)
		return;
	kb = kcalloc(nr_cpu_ids, sizeof(*kb), GFP_KERNEL);
	if (!kb) {
		kho_ftrace_skip(r, "out of memory for the buffer sizes");
		return;
	}
	for_each_tracing_cpu(cpu)
		kb[cpu] = cfg->buffer_kb;
	while ((line = kho_ftrace_next_line(&at))) {
		u32 size;

		if (sscanf(line, "%u %u", &cpu, &size) == 2 && cpu < nr_cpu_ids &&
		    cpumask_test_cpu(cpu, tracing_buffer_mask))
			kb[cpu] = size;
		else
			kho_ftrace_skip(r, "buffer_size_kb of cpu \"%s\": no such CPU here", line);
	}
	for_each_tracing_cpu(cpu)
		kho_ftrace_apply_size(r, cpu, kb[cpu]);
	kfree(kb);
}

/* Returns how many of the functions @t names this kernel has; reports the others. */
static unsigned int kho_ftrace_apply_functions(struct kho_ftrace_restore *r,
					       struct kho_ftrace_text *t, bool notrace_list)
{
	unsigned int found = 0;
#ifdef CONFIG_DYNAMIC_FTRACE
	struct ftrace_ops *ops = r->tr->ops;
	char *at = t->buf, *line;

	while (ops && (line = kho_ftrace_next_line(&at))) {
		char *fn = strsep(&line, " ");	/* "name [module]" */
		int err = notrace_list ? ftrace_set_notrace(ops, fn, strlen(fn), 0) :
					 ftrace_set_filter(ops, fn, strlen(fn), 0);

		if (!err)
			found++;
		else
			kho_ftrace_skip(r, "%s: function %s not here (%d)",
					notrace_list ? "set_ftrace_notrace" : "set_ftrace_filter",
					fn, err);
	}
#endif
	return found;
}

/* The tracer, unless that would trace every function or reset records. */
static void kho_ftrace_apply_tracer(struct kho_ftrace_restore *r,
				    const struct kho_ftrace_instance_config *cfg, unsigned int functions)
{
	const char *now = r->tr->current_trace->name;
	int err;

	if (!*cfg->tracer || !strcmp(now, cfg->tracer))
		return;
	if (cfg->ftrace_filter.len && !functions)
		kho_ftrace_skip(r, "no function of set_ftrace_filter is here: tracer %s not started",
				cfg->tracer);
	else if (kho_ftrace_has_records(r->tr))
		kho_ftrace_skip(r, "has records here: kept tracer %s, not %s", now, cfg->tracer);
	else if ((err = tracing_set_tracer(r->tr, cfg->tracer)))
		kho_ftrace_skip(r, "tracer %s not taken here (%d)", cfg->tracer, err);
}

/* Whether option @line ("name" or "noname") has that value in @tr already. */
static bool kho_ftrace_option_is(struct trace_array *tr, const char *line)
{
	bool on = strncmp(line, "no", 2);
	const char *name = on ? line : line + 2;
	struct tracer_flags *flags;
	int i;

	guard(mutex)(&trace_types_lock);
	i = match_string(kho_trace_options, -1, name);
	if (i >= 0)
		return !!(tr->trace_flags & BIT(i)) == on;
	flags = tr->current_trace->flags;
	for (i = 0; flags && flags->opts && flags->opts[i].name; i++)
		if (!strcmp(flags->opts[i].name, name))
			return !!(flags->val & flags->opts[i].bit) == on;
	return false;
}

/* Each option of @t that differs here. */
static void kho_ftrace_apply_options(struct kho_ftrace_restore *r, struct kho_ftrace_text *t)
{
	char *at = t->buf, *line;
	int err;

	while ((line = kho_ftrace_next_line(&at))) {
		/* Only changes: some options refuse any write (nop's test_nop_refuse). */
		if (kho_ftrace_option_is(r->tr, line))
			continue;
		err = trace_set_options(r->tr, line);
		if (err)
			kho_ftrace_skip(r, "option %s %s here", line,
					err == -EINVAL ? "unknown or refused" : "failed");
	}
}

static void kho_ftrace_apply_events(struct kho_ftrace_restore *r, struct kho_ftrace_text *t)
{
	char *at = t->buf, *line, *event;
	int err;

	while ((line = kho_ftrace_next_line(&at))) {
		event = strchr(line, ':');
		if (event)
			*event++ = '\0';
		err = event ? trace_array_set_clr_event(r->tr, line, event, true) : -EINVAL;
		if (err)
			kho_ftrace_skip(r, "event %s:%s not here (%d)", line, event ?: "", err);
	}
}

/* As on_each_cpu() in set_event_pid's write: the filter applies to what runs now. */
static void kho_ftrace_ignore_current(void *data)
{
	struct trace_array *tr = data;

	this_cpu_write(tr->array_buffer.data->ignore_pid,
		       trace_ignore_this_task(rcu_dereference_protected(tr->filtered_pids,
								mutex_is_locked(&event_mutex)),
					      rcu_dereference_protected(tr->filtered_no_pids,
								mutex_is_locked(&event_mutex)),
					      current));
}

/* set_event_pid, as its write does it; only where no pid filter is set yet. */
static void kho_ftrace_apply_pids(struct kho_ftrace_restore *r, struct kho_ftrace_text *t)
{
	struct trace_array *tr = r->tr;
	struct trace_event_file *file;
	struct trace_pid_list *pids;
	char *at = t->buf, *line;
	unsigned int pid;

	if (!t->len)
		return;
	pids = trace_pid_list_alloc();
	if (!pids) {
		kho_ftrace_skip(r, "out of memory for set_event_pid");
		return;
	}
	while ((line = kho_ftrace_next_line(&at)))
		if (kstrtouint(line, 10, &pid) || trace_pid_list_set(pids, pid))
			kho_ftrace_skip(r, "set_event_pid: pid %s not valid here", line);
	guard(mutex)(&event_mutex);
	if (rcu_access_pointer(tr->filtered_pids)) {
		kho_ftrace_skip(r, "set_event_pid: set already");
		trace_pid_list_free(pids);
		return;
	}
	rcu_assign_pointer(tr->filtered_pids, pids);
	list_for_each_entry(file, &tr->events, list)
		set_bit(EVENT_FILE_FL_PID_FILTER_BIT, &file->flags);
	if (!rcu_access_pointer(tr->filtered_no_pids))
		register_pid_events(tr);
	on_each_cpu(kho_ftrace_ignore_current, tr, 1);
}

/**
 * kho_ftrace_config_apply() - configure an instance as the previous kernel had it
 * @tr: the instance; its tracing is off when this returns
 * @cfg: its restored configuration; its texts are cut into lines
 *
 * Everything this kernel takes is applied, but tracing_on: the caller
 * turns tracing on once the handed-over records are in place.  Each thing
 * this kernel does not take is reported in one line (the first
 * %KHO_FTRACE_NAMED_SKIPS of them) and skipped.
 *
 * Return: how many things were skipped.
 */
unsigned int kho_ftrace_config_apply(struct trace_array *tr, struct kho_ftrace_instance_config *cfg)
{
	struct kho_ftrace_restore r = { tr, *cfg->name ? cfg->name : "global" };
	unsigned int functions;

	/* No record of this kernel's goes before the handed-over ones. */
	tracer_tracing_off(tr);
	if (cfg->buffer_kb && tracing_update_buffers(tr) < 0)
		kho_ftrace_skip(&r, "cannot expand its buffers");
	if (kho_ftrace_set_clock(tr, r.name, cfg->clock) < 0)
		r.skipped++;	/* named by kho_ftrace_set_clock() */
	kho_ftrace_apply_sizes(&r, cfg);
	functions = kho_ftrace_apply_functions(&r, &cfg->ftrace_filter, false);
	kho_ftrace_apply_functions(&r, &cfg->ftrace_notrace, true);
	kho_ftrace_apply_tracer(&r, cfg, functions);
	kho_ftrace_apply_options(&r, &cfg->options);
	/* A tracer's options go with it; a line above said why it is not there. */
	if (!strcmp(tr->current_trace->name, cfg->tracer))
		kho_ftrace_apply_options(&r, &cfg->tracer_options);
	kho_ftrace_apply_events(&r, &cfg->events);
	kho_ftrace_apply_pids(&r, &cfg->event_pids);
	return r.skipped;
}

/* Names and the tracer's name are the previous kernel's: terminated, and a name no path. */
static const char *kho_ftrace_config_check(const struct kho_ftrace_instance_config *cfg)
{
	if (strnlen(cfg->name, sizeof(cfg->name)) == sizeof(cfg->name) ||
	    strnlen(cfg->tracer, sizeof(cfg->tracer)) == sizeof(cfg->tracer) ||
	    strnlen(cfg->clock, sizeof(cfg->clock)) == sizeof(cfg->clock))
		return "a name is not terminated";
	if (strchr(cfg->name, '/') || !strcmp(cfg->name, ".") || !strcmp(cfg->name, ".."))
		return "the instance name is not a directory name";
	return NULL;
}

/* Registered: saved at each handover; between restore and start, the restored one. */
static struct kho_ftrace_config *kho_ftrace_config;

/**
 * kho_ftrace_config_restore() - configure the instances as the previous kernel had them
 *
 * Before their buffers take the previous kernel's records (incoming.c):
 * a new tracer or clock would reset them after.  Tracing stays off in
 * every instance configured until kho_ftrace_config_start().
 */
void __init kho_ftrace_config_restore(void)
{
	struct kho_ftrace_config *config;
	const char *why;
	unsigned int skipped;
	u32 i;
	int err;

	if (!kho_is_enabled())
		return;
	config = kvzalloc(sizeof(*config), GFP_KERNEL);
	if (!config) {
		pr_err("out of memory: the configuration is neither restored nor handed over\n");
		return;
	}
	kho_ftrace_config = config;
	err = kstate_restore(&kho_ftrace_config_desc, config, 0);
	if (err && err != -ENOENT && err != -EPROTO)	/* kstate names a refusal itself */
		pr_err("configuration not restored (%d)\n", err);
	for (i = 0; !err && i < config->nr; i++) {
		struct kho_ftrace_instance_config *cfg = &config->instances[i];

		why = kho_ftrace_config_check(cfg);
		if (why) {
			pr_err("configuration %u: %s; dropped\n", i, why);
			continue;
		}
		cfg->tr = *cfg->name ? trace_array_get_by_name(cfg->name, NULL) : top_trace_array();
		if (!cfg->tr) {
			pr_err("instance %s: cannot create it; its configuration is dropped\n", cfg->name);
			continue;
		}
		if (!*cfg->name)
			trace_array_get(cfg->tr);	/* as the named ones are held */
		skipped = kho_ftrace_config_apply(cfg->tr, cfg);
		pr_info("instance %s: configuration restored (tracer %s, tracing %s), %u item%s skipped%s\n",
			*cfg->name ? cfg->name : "global", cfg->tr->current_trace->name,
			cfg->tracing_on ? "on" : "off", skipped, skipped == 1 ? "" : "s",
			skipped > KHO_FTRACE_NAMED_SKIPS ? " (the first ones named above)" : "");
	}
	if (err)
		config->nr = 0;
}

/**
 * kho_ftrace_config_start() - turn tracing on where it was, and keep the configuration
 *
 * After the handed-over records are in place.  From here on the
 * configuration is saved at each handover.
 */
void __init kho_ftrace_config_start(void)
{
	struct kho_ftrace_config *config = kho_ftrace_config;
	u32 i;
	int err;

	if (!config)
		return;
	for (i = 0; i < config->nr; i++)
		if (config->instances[i].tr && config->instances[i].tracing_on)
			tracer_tracing_on(config->instances[i].tr);
	/* A restore that failed half-way may hold texts past config->nr. */
	for (i = 0; i < KHO_FTRACE_CONFIG_MAX; i++)
		kho_ftrace_config_free(&config->instances[i]);
	config->nr = 0;
	err = kstate_register(&kho_ftrace_config_desc, config, 0);
	if (err)
		pr_err("cannot register the configuration (%d): it will not be handed over\n", err);
}
