// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace's configuration across kexec, described with kstate: for the
 * global trace instance and every named one, what its tracefs files
 * current_tracer, tracing_on, buffer_size_kb, trace_clock, set_event,
 * trace_options, set_event_pid, set_ftrace_filter and set_ftrace_notrace
 * hold.  This file describes it and saves it when the handover is
 * serialized; config_restore.c applies it in the next kernel.
 */
#define pr_fmt(fmt) "KHO ftrace: " fmt

#include <linux/ftrace.h>
#include <linux/kstate.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kernel/trace/trace.h"
#include "ftrace/config.h"
#include "ftrace/ftrace_internal.h"

/* The longest list handed over: a filter of some 40,000 functions. */
#define KHO_FTRACE_TEXT_MAX	SZ_1M
/* Options only the global instance shows (kernel/trace/trace.c). */
#define KHO_TOP_LEVEL_OPTIONS	(TRACE_ITER_PRINTK | TRACE_ITER_PRINTK_MSGONLY | TRACE_ITER_RECORD_CMD)

/* The core options, spelled as trace_options shows them. */
#undef C
#define C(a, b) b
const char *const kho_trace_options[] = { TRACE_FLAGS NULL };

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

const struct kstate_description kho_ftrace_config_desc = {
	.name = "ftrace-config",
	.version_id = 1,
	.min_version_id = 1,
	.fields = kho_ftrace_config_fields,
	.pre_save = kho_ftrace_config_save,
	.post_save = kho_ftrace_config_saved,
};

