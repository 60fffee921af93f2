// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace's configuration across kexec, described with kstate: for the
 * global trace instance and every named one, what its tracefs files
 * current_tracer, tracing_on, buffer_size_kb, trace_clock, set_event,
 * trace_options, set_event_pid, set_ftrace_filter and set_ftrace_notrace
 * hold.  Saved when the handover is serialized; restored at core_initcall,
 * just before the buffers take the previous kernel's records (incoming.c),
 * so that the new kernel goes on tracing as the old one did, next to them.
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

/* Instances whose configuration is handed over; the others are named in the log. */
#define KHO_FTRACE_CONFIG_MAX	64
/* The longest list handed over: a filter of some 40,000 functions. */
#define KHO_FTRACE_TEXT_MAX	SZ_1M
/* Options only the global instance shows (kernel/trace/trace.c). */
#define KHO_TOP_LEVEL_OPTIONS	(TRACE_ITER_PRINTK | TRACE_ITER_PRINTK_MSGONLY | TRACE_ITER_RECORD_CMD)

struct kho_ftrace_config {
	u32 nr;
	struct kho_ftrace_instance_config instances[KHO_FTRACE_CONFIG_MAX];
};

/* The core options, spelled as trace_options shows them. */
#undef C
#define C(a, b) b
static const char *const kho_trace_options[] = { TRACE_FLAGS NULL };

/**
 * kho_ftrace_text_add() - append printf-formatted text
 * @t: the text; grown as needed, up to %KHO_FTRACE_TEXT_MAX
 * @fmt: the format
 *
 * Return: 0, -E2BIG past the limit, or -ENOMEM.
 */
int kho_ftrace_text_add(struct kho_ftrace_text *t, const char *fmt, ...)
{
	va_list args;
	u32 need;
	int n;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (t->len + n > KHO_FTRACE_TEXT_MAX)
		return -E2BIG;
	need = t->len + n + 1;
	if (need > t->size) {
		u32 size = max3(need, 2 * t->size, 256U);
		char *buf = krealloc(t->buf, size, GFP_KERNEL);

		if (!buf)
			return -ENOMEM;
		t->buf = buf;
		t->size = size;
	}
	va_start(args, fmt);
	vsnprintf(t->buf + t->len, t->size - t->len, fmt, args);
	va_end(args);
	t->len += n;
	return 0;
}

static void kho_ftrace_text_free(struct kho_ftrace_text *t)
{
	kvfree(t->buf);
	*t = (struct kho_ftrace_text){};
}

/* The next non-empty line of the text at *@at, cut out in place; NULL after the last. */
static char *kho_ftrace_next_line(char **at)
{
	char *line;

	while ((line = strsep(at, "\n")))
		if (*line)
			return line;
	return NULL;
}

static long kho_ftrace_text_save(void *field, void *buf, unsigned long len)
{
	const struct kho_ftrace_text *t = field;

	if (buf && t->len <= len)
		memcpy(buf, t->buf, t->len);
	return t->len;
}

/* @buf is the previous kernel's: bounded here, NUL-terminated in the copy. */
static int kho_ftrace_text_restore(void *field, const void *buf, unsigned long len)
{
	struct kho_ftrace_text *t = field;

	if (len > KHO_FTRACE_TEXT_MAX)
		return -E2BIG;
	t->buf = kvmalloc(len + 1, GFP_KERNEL);
	if (!t->buf)
		return -ENOMEM;
	memcpy(t->buf, buf, len);
	t->buf[len] = '\0';
	t->len = len;
	t->size = len + 1;
	return 0;
}

#define KHO_FTRACE_TEXT(field)							\
	KSTATE_CUSTOM(field, struct kho_ftrace_instance_config,			\
		      kho_ftrace_text_save, kho_ftrace_text_restore)

static const struct kstate_field kho_ftrace_instance_fields[] = {
	KSTATE_SIMPLE(name, struct kho_ftrace_instance_config),
	KSTATE_SIMPLE(tracer, struct kho_ftrace_instance_config),
	KSTATE_SIMPLE(clock, struct kho_ftrace_instance_config),
	KSTATE_SIMPLE(tracing_on, struct kho_ftrace_instance_config),
	KSTATE_SIMPLE(buffer_kb, struct kho_ftrace_instance_config),
	KHO_FTRACE_TEXT(cpu_kb),
	KHO_FTRACE_TEXT(events),
	KHO_FTRACE_TEXT(options),
	KHO_FTRACE_TEXT(tracer_options),
	KHO_FTRACE_TEXT(event_pids),
	KHO_FTRACE_TEXT(ftrace_filter),
	KHO_FTRACE_TEXT(ftrace_notrace),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description kho_ftrace_instance_desc = {
	.name = "ftrace-instance",
	.version_id = 1,
	.min_version_id = 1,
	.fields = kho_ftrace_instance_fields,
};

/* Saving: what the instance's tracefs files would show. */

static int kho_ftrace_read_options(struct trace_array *tr, struct kho_ftrace_instance_config *cfg)
{
	struct tracer_flags *flags = tr->current_trace->flags;
	bool global = tr->flags & TRACE_ARRAY_FL_GLOBAL;
	int i, err = 0;

	lockdep_assert_held(&trace_types_lock);
	for (i = 0; !err && kho_trace_options[i]; i++)
		if (global || !(BIT(i) & KHO_TOP_LEVEL_OPTIONS))
			err = kho_ftrace_text_add(&cfg->options, "%s%s\n",
						  tr->trace_flags & BIT(i) ? "" : "no",
						  kho_trace_options[i]);
	for (i = 0; !err && flags && flags->opts && flags->opts[i].name; i++)
		err = kho_ftrace_text_add(&cfg->tracer_options, "%s%s\n",
					  flags->val & flags->opts[i].bit ? "" : "no",
					  flags->opts[i].name);
	return err;
}

static int kho_ftrace_read_events(struct trace_array *tr, struct kho_ftrace_instance_config *cfg)
{
	struct trace_event_file *file;
	struct trace_pid_list *pids;
	unsigned int pid;
	bool more;
	int err = 0;

	guard(mutex)(&event_mutex);
	list_for_each_entry(file, &tr->events, list) {
		struct trace_event_call *call = file->event_call;

		/* As set_event lists them; one a trigger enabled is not the user's. */
		if (!(file->flags & EVENT_FILE_FL_ENABLED) || (file->flags & EVENT_FILE_FL_SOFT_MODE) ||
		    (call->flags & TRACE_EVENT_FL_IGNORE_ENABLE))
			continue;
		err = kho_ftrace_text_add(&cfg->events, "%s:%s\n", call->class->system,
					  trace_event_name(call));
		if (err)
			return err;
	}
	pids = rcu_dereference_protected(tr->filtered_pids, lockdep_is_held(&event_mutex));
	for (more = pids && trace_pid_list_first(pids, &pid) >= 0; more && !err;
	     more = trace_pid_list_next(pids, pid + 1, &pid) >= 0)
		err = kho_ftrace_text_add(&cfg->event_pids, "%u\n", pid);
	return err;
}

#ifdef CONFIG_DYNAMIC_FTRACE
static int kho_ftrace_read_hash(struct ftrace_hash *hash, struct kho_ftrace_text *t)
{
	struct ftrace_func_entry *entry;
	unsigned long i;
	int err;

	for (i = 0; hash && i < BIT(hash->size_bits); i++)
		hlist_for_each_entry(entry, &hash->buckets[i], hlist) {
			err = kho_ftrace_text_add(t, "%ps\n", (void *)entry->ip);
			if (err)
				return err;
		}
	return 0;
}

static int kho_ftrace_read_functions(struct trace_array *tr, struct kho_ftrace_instance_config *cfg)
{
	/* Set up when its filter is first opened or set. */
	struct ftrace_ops_hash *hash = tr->ops ? READ_ONCE(tr->ops->func_hash) : NULL;
	int err;

	if (!hash)
		return 0;
	guard(mutex)(&hash->regex_lock);
	err = kho_ftrace_read_hash(rcu_dereference_protected(hash->filter_hash,
				   lockdep_is_held(&hash->regex_lock)), &cfg->ftrace_filter);
	/* Without its filter the tracer would trace every function. */
	if (err == -E2BIG) {
		pr_warn("instance %s: set_ftrace_filter is over %u bytes: neither it nor tracer %s is handed over\n",
			tr->name ?: "global", KHO_FTRACE_TEXT_MAX, cfg->tracer);
		kho_ftrace_text_free(&cfg->ftrace_filter);
		cfg->tracer[0] = '\0';
		err = 0;
	}
	err = err ?: kho_ftrace_read_hash(rcu_dereference_protected(hash->notrace_hash,
					  lockdep_is_held(&hash->regex_lock)), &cfg->ftrace_notrace);
	if (err == -E2BIG) {
		pr_warn("instance %s: set_ftrace_notrace is over %u bytes: not handed over\n",
			tr->name ?: "global", KHO_FTRACE_TEXT_MAX);
		kho_ftrace_text_free(&cfg->ftrace_notrace);
		err = 0;
	}
	return err;
}
#else
static int kho_ftrace_read_functions(struct trace_array *tr, struct kho_ftrace_instance_config *cfg)
{
	return 0;
}
#endif

/* Each item under the lock its tracefs file takes; @cfg->tr is referenced. */
static int kho_ftrace_config_read(struct kho_ftrace_instance_config *cfg)
{
	struct trace_array *tr = cfg->tr;
	bool first = true;
	int cpu, err = 0;

	scoped_guard(mutex, &trace_types_lock) {
		if (strscpy(cfg->tracer, tr->current_trace->name) < 0) {
			pr_warn("instance %s: tracer %s: name too long; not handed over\n",
				tr->name ?: "global", tr->current_trace->name);
			cfg->tracer[0] = '\0';
		}
		strscpy(cfg->clock, kho_ftrace_clock(tr));
		cfg->tracing_on = tracer_tracing_is_on(tr);
		/* 0: never expanded, as this kernel boots; buffer_size_kb shows "(expanded: ...)". */
		for_each_tracing_cpu(cpu) {
			unsigned long kb = per_cpu_ptr(tr->array_buffer.data, cpu)->entries >> 10;

			if (!tr->ring_buffer_expanded)
				break;
			if (first)
				cfg->buffer_kb = kb;
			else if (kb != cfg->buffer_kb)
				err = err ?: kho_ftrace_text_add(&cfg->cpu_kb, "%d %lu\n", cpu, kb);
			first = false;
		}
		err = err ?: kho_ftrace_read_options(tr, cfg);
	}
	err = err ?: kho_ftrace_read_events(tr, cfg);
	return err ?: kho_ftrace_read_functions(tr, cfg);
}

/**
 * kho_ftrace_config_free() - free what a configuration holds
 * @cfg: saved or restored; left empty
 */
void kho_ftrace_config_free(struct kho_ftrace_instance_config *cfg)
{
	struct kho_ftrace_text *texts[] = { &cfg->cpu_kb, &cfg->events, &cfg->options,
					    &cfg->tracer_options, &cfg->event_pids,
					    &cfg->ftrace_filter, &cfg->ftrace_notrace };
	int i;

	for (i = 0; i < ARRAY_SIZE(texts); i++)
		kho_ftrace_text_free(texts[i]);
	if (cfg->tr)
		trace_array_put(cfg->tr);
	memset(cfg, 0, sizeof(*cfg));
}

static int kho_ftrace_config_saved(void *obj)
{
	struct kho_ftrace_config *config = obj;
	u32 i;

	for (i = 0; i < config->nr; i++)
		kho_ftrace_config_free(&config->instances[i]);
	config->nr = 0;
	return 0;
}

static int kho_ftrace_config_save(void *obj)
{
	struct kho_ftrace_config *config = obj;
	struct trace_array *tr;
	int err = 0;
	u32 i;

	scoped_guard(mutex, &trace_types_lock)
		list_for_each_entry(tr, &ftrace_trace_arrays, list) {
			struct kho_ftrace_instance_config *cfg;

			if (config->nr == KHO_FTRACE_CONFIG_MAX) {
				pr_warn("instance %s: over %d instances; its configuration is not handed over\n",
					tr->name ?: "global", KHO_FTRACE_CONFIG_MAX);
				continue;
			}
			cfg = &config->instances[config->nr];
			if (strscpy(cfg->name, tr->name ?: "") < 0) {
				pr_warn("instance %s: name too long; its configuration is not handed over\n",
					tr->name);
				continue;
			}
			tr->ref++;	/* trace_array_get() without the lock we hold */
			cfg->tr = tr;
			config->nr++;
		}
	for (i = 0; !err && i < config->nr; i++)
		err = kho_ftrace_config_read(&config->instances[i]);
	if (err)
		kho_ftrace_config_saved(config);	/* kstate calls it only after a save */
	return err;
}

static const struct kstate_field kho_ftrace_config_fields[] = {
	KSTATE_ARRAY_COUNTED(instances, struct kho_ftrace_config, nr,
			     KSTATE_DESC(kho_ftrace_instance_desc)),
	KSTATE_END_OF_LIST(),
};

static const struct kstate_description kho_ftrace_config_desc = {
	.name = "ftrace-config",
	.version_id = 1,
	.min_version_id = 1,
	.fields = kho_ftrace_config_fields,
	.pre_save = kho_ftrace_config_save,
	.post_save = kho_ftrace_config_saved,
};

/* Restoring. */

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
