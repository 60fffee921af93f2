# e2e-kernels: debug 64k
# e2e-append: kho_scratch=192M trace_buf_size=64K
# e2e-generations: 2
# e2e-budget: 120
# Everything at once, for 30 s, on the kernels with the debug checkers:
# writes of 1 and 0 to active, kho_stress preserving and unpreserving
# folios and adding and removing subtrees, readers of dt, kexec -s -l /
# kexec -u.  Lockdep, KASAN and WARN must stay silent (the harness
# checks).  Then one last activation and kexec: generation 2 restores
# exactly what kho_stress still preserved, with two threads racing a write
# to finish.

STRESS_SECONDS=30

loop() { while [ ! -e /tmp/stop ]; do "$@" >/dev/null 2>&1; done; }

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-stress-load insmod /modules/kho_stress.ko
		e2e_check kho-test-load insmod /modules/kho_test.ko
		initrd=$(e2e_next_initrd)
		loop sh -c 'echo 1 > /sys/kernel/kho/active; echo 0 > /sys/kernel/kho/active' &
		loop cat /sys/kernel/kho/dt &
		loop cat /sys/kernel/kho/dt &
		loop sh -c "kexec -s -l /boot/kernel --initrd=$initrd --append=stress; kexec -u" &
		e2e_check stress-start sh -c 'echo 1 > /sys/module/kho_stress/parameters/run'
		sleep $STRESS_SECONDS
		touch /tmp/stop
		wait
		e2e_check stress-stop sh -c 'echo 0 > /sys/module/kho_stress/parameters/run'
		e2e_expect_log stress-ran "kho_stress: stopped after [1-9][0-9]* rounds"
		e2e_check no-stress-failures sh -c '! dmesg | grep -q "kho_stress: FAIL"'
		kexec -u
		echo 0 >/sys/kernel/kho/active
		e2e_check last-activation sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		insmod /modules/kho_stress.ko restore=1 &
		while ! dmesg | grep -q "kho_stress: restoring"; do :; done
		e2e_check finish-while-restoring sh -c 'echo 1 > /sys/firmware/kho/finish'
		wait
		e2e_expect_log restored-exactly "kho_stress: PASS restore: [0-9]* of [0-9]* folios restored intact, none twice, none given back"
		e2e_check no-restore-failures sh -c '! dmesg | grep -q "kho_stress: FAIL"'
		e2e_check kho-test-after-finish insmod /modules/kho_test.ko
		e2e_expect_log nothing-after-finish "kho_test: is_kho_boot() false"
		e2e_memtotal_matches memtotal-after-finish
		;;
	esac
}
