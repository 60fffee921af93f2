# e2e-append: kho_scratch=128M
# e2e-kernels: default
# e2e-generations: 2
# Debian's trace-cmd reads the previous kernel's records.  Generation 1
# traces sched_switch, sched_process_fork, markers and the kho_event
# module's event in instance "same", stops it and keeps the kernel's own
# text of its records; the global buffer gets markers and the module's
# trace_printk lines.  Instance "twin" traces the same events, started
# after "same" and stopped before it, so its events are a run of those of
# "same", and gets markers of the same text; generation 1's own trace-cmd
# report of it is kept (extract consumes what it reads, so it cannot read
# "same" itself).  Both trace CPU 0 only, where this shell runs: each
# instance takes its own time stamps, so two CPUs' events close in time
# could be ordered differently in the two.
# Generation 2 does not load the module: its event is a shadow, which
# tracefs describes as previous_kho_event/kho_event_demo (a format file,
# nothing to enable).  It runs trace-cmd extract and report: every
# record, with the event names and field values generation 1 printed,
# nothing unknown, and trace-cmd show.  (trace-cmd 3.1.6's extract -B
# consumes the top buffer too: hence a scenario of its own, reading in
# its last generation.)

T=/sys/kernel/tracing

# The event's text of a trace file's records: what follows the time stamp.
kernel_events() { e2e_trace_records | cut -d' ' -f4-; }
# The same of trace-cmd report's lines of BUFFER ("" for the top one):
# trace-cmd names trace_marker's event "print:" and pads the event name.
tc_events() {
	if [ -n "$1" ]; then grep "^ *$1: "; else grep -v '^ *[a-z_-]*: '; fi |
		grep '\] *[0-9]*\.[0-9]*: ' | sed 's/^.*\] *[0-9]*\.[0-9]*: *//; s/^print: *//; s/^\([a-z_]*\): */\1: /'
}
# block_at NEEDLE HAYSTACK: the first line of HAYSTACK from which the lines
# of NEEDLE follow one another, or nothing.
block_at() {
	n=$(wc -l <"$1")
	for at in $(grep -n -F -x -- "$(head -1 "$1")" "$2" | cut -d: -f1); do
		sed -n "$at,$((at + n - 1))p" "$2" | cmp -s - "$1" && { echo "$at"; return; }
	done
}
# The lines of a trace text that are not markers.
not_markers() { grep -v '^tracing_mark_write: '; }

scenario_gen() {
	case "$1" in
	1)
		taskset -p 1 $$ >/dev/null
		mkdir $T/instances/same
		echo 1 >$T/instances/same/tracing_cpumask
		echo 1 >$T/instances/same/events/sched/sched_switch/enable
		echo 1 >$T/instances/same/events/sched/sched_process_fork/enable
		mkdir $T/instances/twin
		echo 1 >$T/instances/twin/tracing_cpumask
		echo 1 >$T/instances/twin/events/sched/sched_switch/enable
		echo 1 >$T/instances/twin/events/sched/sched_process_fork/enable
		e2e_check load-module insmod /modules/kho_event.ko word=gen1
		echo 1 >$T/instances/same/events/kho_event/kho_event_demo/enable
		echo 1 >$T/instances/twin/events/kho_event/kho_event_demo/enable
		echo 3 >/sys/module/kho_event/parameters/emit
		i=1
		while [ $i -le 10 ]; do
			echo same-$i >$T/instances/same/trace_marker
			echo same-$i >$T/instances/twin/trace_marker
			i=$((i + 1))
		done
		echo 0 >$T/instances/twin/tracing_on
		echo 0 >$T/instances/same/tracing_on
		kernel_events <$T/instances/same/trace >/tmp/same
		e2e_check same-has-every-kind sh -c 'grep -q "^tracing_mark_write: same-10$" /tmp/same &&
			grep -q "^sched_switch: prev_comm=.* ==> next_comm=" /tmp/same &&
			grep -q "^sched_process_fork: comm=" /tmp/same &&
			test "$(grep -c "^kho_event_demo: seq=[1-3] word=gen1$" /tmp/same)" -eq 3'
		(cd /tmp && trace-cmd extract -B twin -o /tmp/twin.dat >/dev/null 2>&1)
		e2e_check twin-report sh -c 'trace-cmd report -i /tmp/twin.dat >/tmp/twin-report 2>&1'
		tc_events twin </tmp/twin-report >/tmp/twin
		e2e_check twin-has-markers test "$(grep -c '^tracing_mark_write: same-' /tmp/twin)" -eq 10
		e2e_check twin-has-module-events test "$(grep -c '^kho_event_demo: seq=[1-3] word=gen1$' /tmp/twin)" -eq 3
		e2e_check twin-has-sched-switch grep -q "^sched_switch: prev_comm=.* ==> next_comm=" /tmp/twin
		# trace-cmd's text of twin's events is the kernel's of those
		# records in "same": where they are is handed on.
		not_markers </tmp/twin >/tmp/twin-events
		grep '^tracing_mark_write: ' /tmp/twin >/tmp/twin-markers
		not_markers </tmp/same >/tmp/same-events
		at=$(block_at /tmp/twin-events /tmp/same-events)
		e2e_check twin-events-a-run-of-same test -n "$at"
		# The module's trace_printk lines in the top buffer (extract
		# consumed those of the first emit): their address is the
		# module's, so they go through a shadow of ftrace's "print".
		# (trace-cmd extract -B removed twin when it was done.)
		echo 0 >$T/instances/same/events/kho_event/kho_event_demo/enable
		echo 2 >/sys/module/kho_event/parameters/emit
		e2e_write_tokens glob $T/trace_marker 5
		kernel_events <$T/trace | grep '^tracing_mark_write: glob-' >/tmp/glob
		e2e_check glob-has-module-printk test "$(kernel_events <$T/trace | grep -c 'kho_event printk gen1 [12]$')" -eq 2
		sed 's/^/same-gen1: /' /tmp/same
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "e2e.same=$(e2e_text_sum </tmp/same) e2e.glob=$(e2e_text_sum </tmp/glob) \
e2e.twinev=$(e2e_text_sum </tmp/twin-events) e2e.twinat=$at e2e.twinn=$(wc -l </tmp/twin-events) \
e2e.twinmk=$(e2e_text_sum </tmp/twin-markers)"
		;;
	2)
		e2e_check module-not-loaded test ! -d /sys/module/kho_event
		e2e_check shadow-described test -f $T/events/previous_kho_event/kho_event_demo/format
		grep -hv '^\s*field:unsigned short common_\|^\s*field:unsigned char common_\|^\s*field:int common_' \
			$T/events/previous_kho_event/kho_event_demo/format $T/events/previous_ftrace/print/format
		e2e_check shadow-cannot-be-enabled sh -c "test ! -e $T/events/previous_kho_event/kho_event_demo/enable &&
			! echo 1 2>/dev/null >$T/events/previous_kho_event/enable &&
			! echo previous_kho_event:kho_event_demo 2>/dev/null >>$T/set_event"
		trace-cmd show -B same | kernel_events >/tmp/show
		e2e_check show-as-gen1 e2e_same_text same /tmp/show
		cd /tmp
		e2e_check extract sh -c 'trace-cmd extract -B same -t -o /tmp/trace.dat >/tmp/extract.log 2>&1'
		e2e_check report sh -c 'trace-cmd report -i /tmp/trace.dat >/tmp/report 2>/tmp/report.err'
		grep -v '^ *same: ' /tmp/report | head -5
		tc_events same </tmp/report >/tmp/same
		tc_events "" </tmp/report | grep '^tracing_mark_write: glob-' >/tmp/glob
		e2e_check instance-events-as-gen1 e2e_same_text same /tmp/same
		e2e_check global-markers-as-gen1 e2e_same_text glob /tmp/glob
		# The records twin had, as generation 1's trace-cmd reported them.
		at=$(e2e_param e2e.twinat)
		not_markers </tmp/same | sed -n "$at,$((at + $(e2e_param e2e.twinn) - 1))p" >/tmp/twin-events
		e2e_check events-as-gen1-trace-cmd e2e_same_text twinev /tmp/twin-events
		grep '^tracing_mark_write: same-' /tmp/same >/tmp/twin-markers
		e2e_check markers-as-gen1-trace-cmd e2e_same_text twinmk /tmp/twin-markers
		e2e_check module-printk-readable test "$(grep -c 'print: .*buf=kho_event printk gen1 [12]$' /tmp/report)" -eq 2
		e2e_check nothing-unknown sh -c '! grep -qi "unknown" /tmp/report /tmp/report.err'
		;;
	esac
}
