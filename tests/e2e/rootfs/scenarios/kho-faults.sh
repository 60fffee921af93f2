# e2e-kernels: debug 64k
# e2e-append: kho_scratch=192M trace_buf_size=64K
# e2e-generations: 2
# e2e-budget: 120
# Fault injection, on the kernels with the debug checkers.  Generation 1
# writes 1 to active with its k-th slab or page allocation failing, for
# k = 1, 2, ... until the activation makes fewer than k allocations: each
# failure must roll back (an error, ABORT delivered, nothing left
# preserved), the last try activates, and generation 2 restores
# everything.  There every restore kho_test makes and finish are swept the
# same way.  kmemleak must be clean at the end of each generation (the
# harness checks).

T=/sys/kernel/tracing
F=/sys/kernel/debug

# Fail any GFP_KERNEL slab or page allocation on request, quietly.
fault_injection_on() {
	for a in failslab fail_page_alloc; do
		echo N >$F/$a/ignore-gfp-wait
		echo 0 >$F/$a/verbose
	done
	echo 0 >$F/fail_page_alloc/min-order
}

# sweep NAME FILE VALUE DONE_CHECK FAILED_CHECK: failnth for k = 1, 2, ...
# until the write makes fewer than k allocations; after every failed try
# FAILED_CHECK must hold, after the last try DONE_CHECK.
sweep() {
	name=$1 file=$2 value=$3 done_check=$4 failed_check=$5
	k=1
	while [ $k -le 5000 ]; do
		set -- $(failnth $k "$file" "$value")
		err=${1#errno=} left=${2#left=}
		if [ "$left" -gt 0 ]; then
			e2e_check "$name-succeeds-untouched(after-$((k - 1))-points)" sh -c "[ $err = 0 ] && $done_check"
			return
		fi
		# A failed allocation may be absorbed (kvmalloc falls back to
		# vmalloc); then the write succeeded and there is nothing to undo.
		if [ "$err" != 0 ] && ! sh -c "$failed_check"; then
			e2e_fail "$name-rolls-back" "allocation $k failed: errno $err and state: $failed_check"
			return
		fi
		[ "$err" = 0 ] && [ -n "${undo:-}" ] && sh -c "$undo"
		k=$((k + 1))
	done
	e2e_fail "$name" "still allocating after 5000 points"
}

scenario_gen() {
	e2e_need fault-injection /proc/self/fail-nth $F/failslab $F/fail_page_alloc || return
	fault_injection_on
	case "$1" in
	1)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_write_tokens tok $T/trace_marker 40
		base=$(cat /sys/kernel/kho/test/preserved)
		undo='echo 0 > /sys/kernel/kho/active'
		sweep activation /sys/kernel/kho/active 1 \
			'grep -qx 1 /sys/kernel/kho/active' \
			"grep -qx 0 /sys/kernel/kho/active &&
			 [ \$(cat /sys/module/kho_test/parameters/dumps) = \$(cat /sys/module/kho_test/parameters/aborts) ] &&
			 [ \$(cat /sys/kernel/kho/test/preserved) = $base ]"
		undo=
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_check kho-test-sweep-load insmod /modules/kho_test.ko fail_sweep=1
		e2e_expect_log restore-vmalloc-swept "kho_test: PASS fail_sweep: kho_restore_vmalloc: [0-9]* allocation points"
		e2e_expect_log restore-folio-swept "kho_test: PASS fail_sweep: kho_restore_folio: [0-9]* allocation points"
		e2e_check everything-restored sh -c 'dmesg | grep -q "kho_test: PASS restore: generation 2"'
		e2e_check no-restore-failures sh -c '! dmesg | grep -q "kho_test: FAIL"'
		e2e_check trace-records e2e_tokens_exact tok $T/trace 40
		sweep finish /sys/firmware/kho/finish 1 \
			'[ ! -e /sys/firmware/kho/dt ]' \
			'[ -e /sys/firmware/kho/dt ]'
		e2e_memtotal_matches memtotal-after-finish
		;;
	esac
}
