# e2e-append: kho_scratch=128M trace_buf_size=128K
# e2e-qemu: -smp 2
# e2e-kernels: default debug 64k
# e2e-generations: 3
# ftrace's configuration across two kexecs, through kstate.  Generation 1
# configures the global instance (function tracer with a filter, a notrace
# list and a tracer option, core options, an event) and two named ones:
# "cfg" (its own clock, per-CPU buffer sizes that differ, events, an event
# pid filter) and "off" (tracing_on 0).  It also enables an event of a
# module that generation 2 does not load.  Generations 2 and 3 read every
# tracefs file back and find what generation 1 had, the module's event
# reported in one line and skipped, and tracing going on where it was on.

T=/sys/kernel/tracing

# Every configuration file of instance $1, in a stable order.
config_of() {
	local d=$1 f
	for f in current_tracer tracing_on trace_clock buffer_size_kb trace_options set_event_pid; do
		echo "== $f"; cat "$d/$f"
	done
	for f in "$d"/per_cpu/cpu*/buffer_size_kb; do
		echo "== $f"; cat "$f"
	done
	# The module's event is not in generation 2: compared on its own.
	echo "== set_event"; grep -v '^kho_event:' "$d/set_event" | sort
	for f in set_ftrace_filter set_ftrace_notrace; do
		echo "== $f"; sort "$d/$f"
	done
}

config_all() {
	config_of $T; config_of $T/instances/cfg; config_of $T/instances/off
}

# The configuration is generation 1's (its checksum was passed on).
same_config() {
	config_all >/tmp/config
	[ "$(md5sum </tmp/config | cut -d' ' -f1)" = "$(e2e_param e2e.config)" ] && return
	echo "configuration here:"; cat /tmp/config
	return 1
}

# buffer_size_kb of cfg's CPUs, as "cpu0,cpu1" (whole sub-buffers: 64 shows as 67).
cfg_sizes() {
	cat $T/instances/cfg/per_cpu/cpu0/buffer_size_kb $T/instances/cfg/per_cpu/cpu1/buffer_size_kb |
		paste -sd,
}

sizes_kept() {
	local have
	have=$(cfg_sizes)
	[ "$have" = "$(e2e_param e2e.cfgkb)" ] && [ "${have%,*}" != "${have#*,}" ] && return
	echo "buffer_size_kb of cfg's cpu0,cpu1: $have, not $(e2e_param e2e.cfgkb)"
	return 1
}

check_config() {
	local g=$1
	e2e_check "same-config-$g" same_config
	e2e_check "tracer-$g" grep -qx function $T/current_tracer
	e2e_check "filter-$g" sh -c "sort $T/set_ftrace_filter | tr '\n' ' ' | grep -qx 'do_nanosleep hrtimer_nanosleep '"
	e2e_check "notrace-$g" grep -qx hrtimer_nanosleep $T/set_ftrace_notrace
	e2e_check "tracer-option-$g" grep -qx func_stack_trace $T/trace_options
	e2e_check "core-options-$g" sh -c "grep -qx sym-offset $T/trace_options && grep -qx noirq-info $T/trace_options"
	e2e_check "global-event-$g" grep -qx sched:sched_process_exec $T/set_event
	e2e_check "instance-clock-$g" grep -q '\[mono\]' $T/instances/cfg/trace_clock
	e2e_check "instance-events-$g" sh -c "grep -qx sched:sched_process_fork $T/instances/cfg/set_event && grep -qx irq:irq_handler_entry $T/instances/cfg/set_event"
	e2e_check "per-cpu-size-$g" sizes_kept
	e2e_check "event-pids-$g" sh -c "[ \"\$(cat $T/instances/cfg/set_event_pid | tr '\n' ' ')\" = '1 4242 ' ]"
	e2e_check "tracing-off-$g" grep -qx 0 $T/instances/off/tracing_on
	e2e_check "tracing-on-$g" grep -qx 1 $T/tracing_on
	# Tracing goes on where it was on: a marker and a traced function.
	echo "config-$g" >$T/trace_marker
	sleep 0.01
	# sym-offset is on: tracing_mark_write+0x.../0x...: config-N
	e2e_check "marker-recorded-$g" grep -Eq "tracing_mark_write\+0x[0-9a-f]+/0x[0-9a-f]+: config-$g$" $T/trace
	e2e_check "function-traced-$g" grep -Eq " [0-9]+\.[0-9]+: do_nanosleep" $T/trace
	echo "off-$g" >$T/instances/off/trace_marker 2>/dev/null
	e2e_check "off-records-nothing-$g" sh -c "! grep -q 'off-$g' $T/instances/off/trace"
}

scenario_gen() {
	case "$1" in
	1)
		echo "do_nanosleep hrtimer_nanosleep" >$T/set_ftrace_filter
		echo hrtimer_nanosleep >$T/set_ftrace_notrace
		echo function >$T/current_tracer
		echo func_stack_trace >$T/trace_options
		echo sym-offset >$T/trace_options
		echo noirq-info >$T/trace_options
		echo 1 >$T/events/sched/sched_process_exec/enable
		mkdir $T/instances/cfg $T/instances/off
		echo mono >$T/instances/cfg/trace_clock
		# 16 and 8 pages a CPU (64 and 32 KiB with 4 KiB pages).
		page_kb=$(( $(e2e_page_size) / 1024 ))
		echo $((16 * page_kb)) >$T/instances/cfg/buffer_size_kb
		echo $((8 * page_kb)) >$T/instances/cfg/per_cpu/cpu1/buffer_size_kb
		echo 1 >$T/instances/cfg/events/sched/sched_process_fork/enable
		echo 1 >$T/instances/cfg/events/irq/irq_handler_entry/enable
		echo "1 4242" >$T/instances/cfg/set_event_pid
		echo 0 >$T/instances/off/tracing_on
		e2e_check load-module insmod /modules/kho_event.ko word=gen1
		echo 1 >$T/instances/cfg/events/kho_event/kho_event_demo/enable
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_expect_log saved "kstate: saved [0-9]* objects"
		config_all >/tmp/config
		e2e_kexec_next "e2e.config=$(md5sum </tmp/config | cut -d' ' -f1) e2e.cfgkb=$(cfg_sizes)"
		;;
	2)
		e2e_expect_log restored-global "KHO ftrace: instance global: configuration restored (tracer function, tracing on), 0 items skipped"
		e2e_expect_log restored-off "KHO ftrace: instance off: configuration restored (tracer nop, tracing off), 0 items skipped"
		e2e_expect_log module-event-skipped "KHO ftrace: instance cfg: event kho_event:kho_event_demo not here (-22); skipped"
		e2e_expect_log rest-applied "KHO ftrace: instance cfg: configuration restored (tracer nop, tracing on), 1 item skipped"
		check_config 2
		e2e_check activate-gen2 sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	3)
		e2e_expect_log restored-gen3 "KHO ftrace: instance cfg: configuration restored (tracer nop, tracing on), 0 items skipped"
		check_config 3
		e2e_done
		;;
	esac
}
