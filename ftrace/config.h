/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftrace's configuration as kstate describes it (config.c): one
 * struct kho_ftrace_instance_config per trace instance.  Lists are text,
 * one item per line, spelled as the tracefs file of the same name shows
 * them.  Between config.c, config_restore.c and the KUnit suite.
 */
#ifndef KHO_FTRACE_CONFIG_H
#define KHO_FTRACE_CONFIG_H

#include <linux/types.h>

struct trace_array;

/* Text a custom kstate field saves and restores; NUL-terminated in memory. */
struct kho_ftrace_text {
	char *buf;
	u32 len;	/* without the NUL */
	u32 size;	/* allocated */
};

/**
 * struct kho_ftrace_instance_config - one trace instance's configuration
 * @name: the instance's name; empty for the global instance
 * @tracer: current_tracer
 * @clock: trace_clock
 * @tracing_on: tracing_on
 * @buffer_kb: buffer_size_kb of the first CPU
 * @cpu_kb: "CPU KB" for each CPU whose buffer_size_kb differs
 * @events: set_event: "system:event"
 * @options: trace_options: "name" or "noname", of the core options
 * @tracer_options: trace_options of @tracer's own options
 * @event_pids: set_event_pid
 * @ftrace_filter: set_ftrace_filter: function names
 * @ftrace_notrace: set_ftrace_notrace: function names
 * @tr: while saving, the instance (referenced); not saved
 */
struct kho_ftrace_instance_config {
	char name[64];
	char tracer[32];
	char clock[16];
	u32 tracing_on;
	u32 buffer_kb;
	struct kho_ftrace_text cpu_kb;
	struct kho_ftrace_text events;
	struct kho_ftrace_text options;
	struct kho_ftrace_text tracer_options;
	struct kho_ftrace_text event_pids;
	struct kho_ftrace_text ftrace_filter;
	struct kho_ftrace_text ftrace_notrace;
	struct trace_array *tr;
};

/* Instances whose configuration is handed over; the others are named in the log. */
#define KHO_FTRACE_CONFIG_MAX	64

/* The object kstate saves: "ftrace-config", instance 0. */
struct kho_ftrace_config {
	u32 nr;
	struct kho_ftrace_instance_config instances[KHO_FTRACE_CONFIG_MAX];
};

struct kstate_description;
extern const struct kstate_description kho_ftrace_config_desc;
/* The core options, spelled as trace_options shows them; NULL-terminated. */
extern const char *const kho_trace_options[];

int kho_ftrace_text_add(struct kho_ftrace_text *t, const char *fmt, ...) __printf(2, 3);
unsigned int kho_ftrace_config_apply(struct trace_array *tr, struct kho_ftrace_instance_config *cfg);
void kho_ftrace_config_free(struct kho_ftrace_instance_config *cfg);

#endif /* KHO_FTRACE_CONFIG_H */
