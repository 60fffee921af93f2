// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for restoring ftrace's configuration (ftrace/config.c) on a
 * real trace instance: what this kernel does not know is skipped, one
 * line each, and everything else still applies.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/trace.h>

#include "kernel/trace/trace.h"
#include "ftrace/config.h"
#include "ftrace/ftrace_internal.h"

#define KUNIT_INSTANCE "kho-kunit-config"

static bool event_enabled(struct trace_array *tr, const char *system, const char *name)
{
	struct trace_event_file *file;

	guard(mutex)(&event_mutex);
	list_for_each_entry(file, &tr->events, list)
		if (!strcmp(file->event_call->class->system, system) &&
		    !strcmp(trace_event_name(file->event_call), name))
			return file->flags & EVENT_FILE_FL_ENABLED;
	return false;
}

static bool pid_filtered(struct trace_array *tr, unsigned int pid)
{
	guard(mutex)(&event_mutex);
	return trace_pid_list_is_set(rcu_dereference_protected(tr->filtered_pids,
							       lockdep_is_held(&event_mutex)), pid);
}

static void set_text(struct kunit *test, struct kho_ftrace_text *t, const char *text)
{
	KUNIT_ASSERT_EQ(test, kho_ftrace_text_add(t, "%s", text), 0);
}

/* An unknown option, event and pid are skipped; the known ones apply. */
static void unknown_items_skipped_rest_applied(struct kunit *test)
{
	struct kho_ftrace_instance_config cfg = { .name = KUNIT_INSTANCE, .clock = "global",
						  .tracing_on = 1 };
	struct trace_array *tr = trace_array_get_by_name(KUNIT_INSTANCE, NULL);

	KUNIT_ASSERT_NOT_NULL(test, tr);
	KUNIT_EXPECT_FALSE(test, tr->trace_flags & TRACE_ITER_SYM_OFFSET);
	KUNIT_EXPECT_TRUE(test, tr->trace_flags & TRACE_ITER_IRQ_INFO);
	set_text(test, &cfg.options, "sym-offset\nno-such-option\nnoirq-info\n");
	set_text(test, &cfg.events, "sched:sched_process_exec\nno_such_system:no_such_event\n");
	set_text(test, &cfg.event_pids, "5\n4294967295\n7\n");

	/* The option, the event and the pid beyond any pid_max. */
	KUNIT_EXPECT_EQ(test, kho_ftrace_config_apply(tr, &cfg), 3u);
	KUNIT_EXPECT_TRUE(test, tr->trace_flags & TRACE_ITER_SYM_OFFSET);
	KUNIT_EXPECT_FALSE(test, tr->trace_flags & TRACE_ITER_IRQ_INFO);
	KUNIT_EXPECT_STREQ(test, kho_ftrace_clock(tr), "global");
	KUNIT_EXPECT_TRUE(test, event_enabled(tr, "sched", "sched_process_exec"));
	KUNIT_EXPECT_TRUE(test, pid_filtered(tr, 5));
	KUNIT_EXPECT_TRUE(test, pid_filtered(tr, 7));
	KUNIT_EXPECT_FALSE(test, pid_filtered(tr, 6));
	/* Tracing starts only once the handed-over records are in place. */
	KUNIT_EXPECT_FALSE(test, tracer_tracing_is_on(tr));

	kho_ftrace_config_free(&cfg);
	trace_array_put(tr);
	KUNIT_EXPECT_EQ(test, trace_array_destroy(tr), 0);
}

/* A filtered function tracer none of whose functions exist is not started. */
static void tracer_without_its_functions_not_started(struct kunit *test)
{
	struct kho_ftrace_instance_config cfg = { .name = KUNIT_INSTANCE, .tracer = "function",
						  .clock = "local" };
	struct trace_array *tr;

	if (!IS_ENABLED(CONFIG_DYNAMIC_FTRACE))
		kunit_skip(test, "no function filters without CONFIG_DYNAMIC_FTRACE");
	tr = trace_array_get_by_name(KUNIT_INSTANCE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, tr);
	set_text(test, &cfg.ftrace_filter, "no_such_function_anywhere\n");
	KUNIT_EXPECT_EQ(test, kho_ftrace_config_apply(tr, &cfg), 2u);
	KUNIT_EXPECT_STREQ(test, tr->current_trace->name, "nop");

	kho_ftrace_config_free(&cfg);
	trace_array_put(tr);
	KUNIT_EXPECT_EQ(test, trace_array_destroy(tr), 0);
}

static struct kunit_case kho_ftrace_config_cases[] = {
	KUNIT_CASE(unknown_items_skipped_rest_applied),
	KUNIT_CASE(tracer_without_its_functions_not_started),
	{}
};

static struct kunit_suite kho_ftrace_config_suite = {
	.name = "kho_ftrace_config",
	.test_cases = kho_ftrace_config_cases,
};
kunit_test_suite(kho_ftrace_config_suite);
