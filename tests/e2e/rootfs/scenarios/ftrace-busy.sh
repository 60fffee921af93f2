# e2e-append: kho_scratch=128M trace_buf_size=256K
# e2e-qemu: -smp 2
# e2e-generations: 2
# A CPU buffer this kernel wrote to before the handover's records arrive:
# generation 2 boots with the function tracer on kmem_cache_alloc_noprof(),
# so the boot CPU records calls before the restore (a core_initcall) runs.
# The previous kernel's records of a CPU in use go to a read-only instance,
# prev-cpu<N>, whole; this kernel's own records stay where they are: the
# restore must not reset them (setting the same clock again would, and so
# would generation 1's tracer from its configuration).

T=/sys/kernel/tracing

# cpu<C>'s tokens exactly once: in its view if it got one, else in the
# global buffer, and never in both.
tokens_once() {
	local view=$T/instances/prev-cpu$1/trace
	if [ -e "$view" ]; then
		e2e_tokens_exact "cpu$1" "$view" 30 && ! grep -q "cpu$1-" $T/trace
	else
		e2e_tokens_exact "cpu$1" $T/trace 30
	fi
}

scenario_gen() {
	case "$1" in
	1)
		for c in 0 1; do
			e2e_write_tokens cpu$c $T/trace_marker 30 $c
		done
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "ftrace=function ftrace_filter=kmem_cache_alloc_noprof"
		;;
	2)
		e2e_expect_log cpu0-view-logged "KHO ftrace: instance global: records of cpu 0, in use here, are in instance prev-cpu0, cpu 0"
		e2e_check own-records-kept grep -q kmem_cache_alloc_noprof $T/trace
		# Generation 1's tracer (nop) would reset them: not set.
		e2e_expect_log tracer-kept "KHO ftrace: instance global: has records here: kept tracer function, not nop; skipped"
		e2e_check view-holds-only-previous sh -c "! grep -q kmem_cache_alloc_noprof $T/instances/prev-cpu0/trace"
		e2e_check cpu0-tokens tokens_once 0
		e2e_check cpu1-tokens tokens_once 1
		e2e_done
		;;
	esac
}
