# e2e-append: kho_scratch=128M trace_buf_size=256K
# e2e-qemu: -smp 2
# e2e-kernels: default debug 64k
# e2e-generations: 3
# Trace buffers across three generations.  Generation 1 traces scheduler
# events, the function tracer on a few functions, an instance with its own
# event, and trace_marker tokens written right up to the kexec.  Generation 2
# finds every token exactly once and in order, decoded events, negative time
# stamps for the previous kernel, the instance and its records; it checks the
# freeze in gen 1 (refusals, trace_pipe_raw reading copies) and consumption
# with trace_pipe, then adds its own tokens.
# Generation 3 sees both kernels' tokens, older ones first, and the
# instance still has the size it had in generation 1.
# Events whose format generation 2 shares print there exactly as generation
# 1 printed them: instance "same" stops tracing before generation 1 reads
# it, and both kernels' text of its records (and of the global buffer's
# first tokens) must be equal but for comm and time.

T=/sys/kernel/tracing

first_line() { grep -n "$1" "$2" | head -1 | cut -d: -f1; }
last_line() { grep -n "$1" "$2" | tail -1 | cut -d: -f1; }

refused() { ! sh -c "$1" 2>/dev/null; }

# The previous kernel's records: negative time stamps.
old_records() { grep -- ' -[0-9]*\.[0-9]*: ' | e2e_trace_records; }

scenario_gen() {
	case "$1" in
	1)
		echo 1 >$T/events/sched/sched_switch/enable
		echo 1 >$T/events/sched/sched_process_exec/enable
		mkdir $T/instances/inst
		echo global >$T/instances/inst/trace_clock
		echo 1 >$T/instances/inst/events/sched/sched_process_fork/enable
		# A 3-page instance whose pages trace_pipe_raw reads (see below).
		mkdir $T/instances/raw
		echo 8 >$T/instances/raw/buffer_size_kb
		e2e_write_tokens raw-before $T/instances/raw/trace_marker 300 0
		echo "do_nanosleep hrtimer_nanosleep" >$T/set_ftrace_filter
		echo function >$T/current_tracer
		sleep 0.1
		echo inst-token-1 >$T/instances/inst/trace_marker
		e2e_write_tokens tok $T/trace_marker 50
		grep ': tracing_mark_write: tok-[0-9]*$' $T/trace | e2e_trace_records >/tmp/tok
		mkdir $T/instances/same
		echo 1 >$T/instances/same/events/sched/sched_switch/enable
		echo 1 >$T/instances/same/events/sched/sched_process_fork/enable
		e2e_write_tokens same $T/instances/same/trace_marker 10
		echo 0 >$T/instances/same/tracing_on
		e2e_trace_records <$T/instances/same/trace >/tmp/same
		e2e_check same-has-every-kind sh -c 'grep -q "tracing_mark_write: same-10$" /tmp/same &&
			grep -q "sched_switch: prev_comm=.* ==> next_comm=" /tmp/same &&
			grep -q "sched_process_fork: comm=" /tmp/same'
		sed 's/^/same-gen1: /' /tmp/same
		# Generations 2 and 3 trace as configured at activation: switches
		# of two whole generations would push these tokens out of 256 KiB.
		echo 0 >$T/events/sched/sched_switch/enable
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_check resize-refused refused "echo 64 > $T/buffer_size_kb"
		# Twice the sub-buffer size: a change on any page size.
		e2e_check order-refused refused "echo $(( $(cat $T/buffer_subbuf_size_kb) * 2 )) > $T/buffer_subbuf_size_kb"
		e2e_check snapshot-refused refused "echo 1 > $T/snapshot"
		e2e_check rmdir-refused refused "rmdir $T/instances/inst"
		# trace_pipe_raw gets copies while handed over: were pages swapped
		# out to the reader, the writer would wrap onto unpreserved ones.
		timeout 2 cat $T/instances/raw/per_cpu/cpu0/trace_pipe_raw >/tmp/raw
		e2e_check raw-read-while-active test "$(wc -c </tmp/raw)" -ge 8192
		e2e_write_tokens raw-after $T/instances/raw/trace_marker 300 0
		e2e_expect_log freeze-logged "KHO ftrace: trace buffers frozen while handed over"
		echo inst-token-2 >$T/instances/inst/trace_marker
		sleep 0.1
		e2e_check kexec-load e2e_kexec_load "e2e.instkb=$(cat $T/instances/inst/buffer_size_kb) \
			e2e.tok=$(e2e_text_sum </tmp/tok) e2e.same=$(e2e_text_sum </tmp/same)"
		e2e_write_tokens tok2 $T/trace_marker 200
		e2e_kexec_exec
		;;
	2)
		e2e_expect_log attached "KHO ftrace: instance global cpu [0-9]: [0-9]* pages with previous-kernel records attached"
		cat $T/trace >/tmp/trace
		e2e_check tokens-before-activation e2e_tokens_exact tok /tmp/trace 50
		e2e_check tokens-up-to-kexec e2e_tokens_exact tok2 /tmp/trace 200
		e2e_check old-time-negative grep -q -- " -[0-9]*\.[0-9]*: tracing_mark_write: tok2-200$" /tmp/trace
		e2e_check sched-switch-decoded grep -q "sched_switch: prev_comm=[^ ]* prev_pid=[0-9]* prev_prio=[0-9]* prev_state=[A-Z+]* ==> next_comm=" /tmp/trace
		grep ': tracing_mark_write: tok-[0-9]*$' /tmp/trace | old_records >/tmp/tok
		e2e_check global-as-gen1-printed e2e_same_text tok /tmp/tok
		old_records <$T/instances/same/trace >/tmp/same
		e2e_check instance-as-gen1-printed e2e_same_text same /tmp/same
		e2e_check exec-decoded grep -q "sched_process_exec: filename=/[^ ]* pid=[0-9]* old_pid=[0-9]*$" /tmp/trace
		e2e_check function-symbolized grep -q "function: ip=do_nanosleep+0x" /tmp/trace
		e2e_check function-shadow-described grep -q '^print fmt: "ip=0x%llx parent_ip=0x%llx"' \
			$T/events/previous_ftrace/function/format
		e2e_check instance-back test -d $T/instances/inst
		e2e_check instance-clock-back grep -q '\[global\]' $T/instances/inst/trace_clock
		e2e_check per-cpu-trace sh -c "cat $T/per_cpu/cpu*/trace | grep -q 'tracing_mark_write: tok2-200$'"
		e2e_check instance-tokens e2e_tokens_exact inst-token $T/instances/inst/trace 2
		e2e_check instance-event grep -q "sched_process_fork: comm=.* child_comm=" $T/instances/inst/trace
		e2e_check raw-after-read grep -q "tracing_mark_write: raw-after-300$" $T/instances/raw/trace
		entries=$(cat $T/per_cpu/cpu*/stats | awk '/^entries:/{s+=$2} END{print s}')
		e2e_check stats-count-old-entries test "$entries" -ge 250
		e2e_write_tokens gen2 $T/trace_marker 20
		cat $T/trace >/tmp/trace
		e2e_check new-after-old test "$(last_line 'tok2-' /tmp/trace)" -lt "$(first_line 'gen2-' /tmp/trace)"
		e2e_check new-time-positive grep -q " [0-9]*\.[0-9]*: tracing_mark_write: gen2-20$" /tmp/trace
		# Consuming the instance empties it, old records included.
		timeout 2 cat $T/instances/inst/trace_pipe >/tmp/pipe
		e2e_check pipe-consumes e2e_tokens_exact inst-token /tmp/pipe 2
		e2e_check pipe-consumed sh -c "! grep -q inst-token $T/instances/inst/trace"
		e2e_check activate-gen2 sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	3)
		cat $T/trace >/tmp/trace
		e2e_check gen1-tokens-gen3 e2e_tokens_exact tok2 /tmp/trace 200
		e2e_check gen2-tokens-gen3 e2e_tokens_exact gen2 /tmp/trace 20
		e2e_check size-kept-gen3 test "$(cat $T/instances/inst/buffer_size_kb)" -eq "$(e2e_param e2e.instkb)"
		e2e_check gen1-decoded-gen3 grep -q "sched_switch: prev_comm=" /tmp/trace
		e2e_check gen1-addresses-raw-gen3 grep -q "function: ip=0x[0-9a-f]* parent_ip=0x" /tmp/trace
		# Generation 2's function records and generation 1's, which it
		# carried, are two shadows of one name: told apart by type.
		ls $T/events/previous_ftrace
		e2e_check shadows-named-apart-gen3 sh -c "test -f $T/events/previous_ftrace/function/format &&
			ls $T/events/previous_ftrace/function_*/format >/dev/null"
		e2e_check gen1-before-gen2 test "$(last_line 'tok2-' /tmp/trace)" -lt "$(first_line 'gen2-' /tmp/trace)"
		e2e_done
		;;
	esac
}
