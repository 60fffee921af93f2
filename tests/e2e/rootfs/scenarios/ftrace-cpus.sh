# e2e-append: kho_scratch=128M trace_buf_size=64K
# e2e-qemu: -smp 4
# e2e-kernels: default debug 64k
# e2e-generations: 2
# Fewer CPUs after the kexec: generation 1 runs on 4 CPUs and writes tokens
# on each; generation 2 boots with nr_cpus=2.  The records of CPUs 2 and 3
# are in read-only views, instances prev-cpu2 and prev-cpu3 (their CPU 0
# buffer); nothing is lost.

T=/sys/kernel/tracing

scenario_gen() {
	case "$1" in
	1)
		e2e_check four-cpus test "$(nproc)" -eq 4
		for c in 0 1 2 3; do
			e2e_write_tokens cpu$c $T/trace_marker 30 $c
		done
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next nr_cpus=2
		;;
	2)
		e2e_check two-cpus test "$(nproc)" -eq 2
		e2e_expect_log cpu3-view-logged "KHO ftrace: instance global: records of cpu 3, absent here, are in instance prev-cpu3, cpu 0"
		e2e_check cpu0-tokens e2e_tokens_exact cpu0 $T/trace 30
		e2e_check cpu1-tokens e2e_tokens_exact cpu1 $T/trace 30
		e2e_check cpu2-tokens-in-view e2e_tokens_exact cpu2 $T/instances/prev-cpu2/trace 30
		e2e_check cpu3-tokens-in-view e2e_tokens_exact cpu3 $T/instances/prev-cpu3/trace 30
		e2e_check cpu3-not-in-global sh -c "! grep -q cpu3- $T/trace"
		e2e_done
		;;
	esac
}
