# e2e-append: kho_scratch=192M trace_buf_size=64K liveupdate=on
# e2e-generations: 2
# e2e-kernels: default
# make demo: generation 1 traces (scheduler events, trace_marker lines, an
# instance) and hands its trace buffers, plus random folios, a vmalloc area
# and a subtree, over with KHO, and a process keeps a memfd through
# /dev/liveupdate; generation 2 (booted by kexec_file_load) reads the same
# trace records, gets the memory back, checking every byte, and the memfd
# with its text.  The same on x86_64 and arm64.  Not on the debug kernel,
# which runs each of its parts in a scenario of their own.

T=/sys/kernel/tracing
show() { echo "E2E: | $*"; }

scenario_gen() {
	case "$1" in
	1)
		show "gen 1: scratch areas: $(paste -sd' ' /sys/kernel/kho/scratch_len) bytes"
		e2e_check kho-test-load insmod /modules/kho_test.ko
		show "$(dmesg | grep 'kho_test: generation 1' | sed 's/^.*kho_test: //')"
		echo 1 >$T/events/sched/sched_process_exec/enable
		mkdir $T/instances/demo
		echo "written in generation 1, instance demo" >$T/instances/demo/trace_marker
		for i in 1 2 3; do echo "gen 1 marker $i, right up to the kexec" >$T/trace_marker; done
		show "gen 1: trace (last lines):"
		grep -v '^#' $T/trace | tail -4 | sed 's/^/E2E: |   /'
		text="a VMM's memfd, kept by /dev/liveupdate from generation 1"
		e2e_check memfd-preserved sh -c "luo-test keep demo \"$text\" >/dev/null"
		show "gen 1: a process keeps a memfd in session demo: \"$text\""
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		show "$(dmesg | grep 'kho: active' | sed 's/^.*kho: //')"
		show "gen 1: kho-inspect, what the handover holds:"
		kho-inspect | sed 's/^/E2E: |   /'
		# The picture crosses the console as base64; make demo writes it to build/.
		e2e_check memory-picture sh -c 'kho-inspect --svg /tmp/memory.svg >/dev/null'
		base64 /tmp/memory.svg | sed 's/^/E2E-FILE kho-memory.svg: /'
		show "gen 1: /sys/kernel/kho/dt is $(wc -c </sys/kernel/kho/dt) bytes; kexec -s -l + kexec -e"
		e2e_kexec_next
		;;
	2)
		show "gen 2: booted by kexec: $(cat /proc/cmdline)"
		e2e_check booted-by-kexec grep -q 'e2e.gen=2' /proc/cmdline
		dmesg | grep 'kho: handover' | sed 's/^.*kho: /E2E: | gen 2: /'
		e2e_need handover /sys/firmware/kho/dt || return 0
		show "gen 2: /sys/firmware/kho/dt is $(wc -c </sys/firmware/kho/dt) bytes"
		e2e_check kho-test-load-gen2 insmod /modules/kho_test.ko
		dmesg | grep 'kho_test: PASS' | sed 's/^.*kho_test: /E2E: | gen 2: /'
		e2e_check handover-survived sh -c 'dmesg | grep -q "kho_test: PASS restore"'
		dmesg | grep 'KHO ftrace: instance' | sed 's/^.*KHO ftrace: /E2E: | gen 2: ftrace: /'
		echo "written in generation 2" >$T/trace_marker
		show "gen 2: trace: generation 1's records (time before the kexec), then ours:"
		{ grep -v '^#' $T/trace | grep sched_process_exec | tail -2
		  grep -E 'tracing_mark_write: (gen 1 marker|written in generation 2)' $T/trace; } | sed 's/^/E2E: |   /'
		show "gen 2: instance demo: $(grep -v '^#' $T/instances/demo/trace | sed 's/^ *//')"
		e2e_check trace-survived grep -q "tracing_mark_write: gen 1 marker 3, right up to the kexec$" $T/trace
		luo-test show demo >/tmp/demo-memfd
		show "gen 2: $(sed -n 's/^file of session/memfd of session/p' /tmp/demo-memfd)"
		e2e_check memfd-survived grep -q "kept by /dev/liveupdate from generation 1" /tmp/demo-memfd
		;;
	esac
}
