# e2e-append: kho_scratch=192M
# e2e-generations: 2
# The outgoing state machine: a too-small dt_max, kexec_load refused while
# active, deactivation refused while the loaded image carries the tree,
# then abort and kexec: the next kernel finds no handover and nothing leaks.

write() { sh -c "echo $1 > $2" 2>/tmp/err; }

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		write 4096 /sys/kernel/kho/dt_max
		echo 8192 >/sys/module/kho_test/parameters/notifier_blob
		if write 1 /sys/kernel/kho/active; then
			e2e_fail dt-max-too-small "activation succeeded"
		else
			e2e_check dt-max-too-small grep -q "No space left" /tmp/err
		fi
		e2e_check inactive-after-failure grep -qx 0 /sys/kernel/kho/active
		echo 0 >/sys/module/kho_test/parameters/notifier_blob
		write 0x100000 /sys/kernel/kho/dt_max
		e2e_check malformed-write-einval sh -c '! echo banana > /sys/kernel/kho/active'
		e2e_check activate write 1 /sys/kernel/kho/active
		insmod /modules/kho_bench.ko probe_busy=1 2>/dev/null
		e2e_check preserve-busy-while-active sh -c 'dmesg | grep -q "kho_bench: PASS busy"'
		e2e_check pinned-while-active sh -c '! rmmod kho_test 2>/dev/null'
		if kexec -c -l /boot/kernel --initrd="$(e2e_next_initrd)" 2>/dev/null; then
			e2e_fail kexec-load-refused "kexec_load succeeded while active"
		else
			e2e_check kexec-load-refused sh -c 'dmesg | grep -q "kexec_load: user-space loaded images cannot carry a handover"'
		fi
		e2e_check kexec-file-load e2e_kexec_load
		if write 0 /sys/kernel/kho/active; then
			e2e_fail deactivate-busy "deactivated under a loaded image"
		else
			e2e_check deactivate-busy grep -q "busy" /tmp/err
		fi
		e2e_check unload kexec -u
		e2e_check deactivate write 0 /sys/kernel/kho/active
		e2e_check dt-gone test ! -e /sys/kernel/kho/dt
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_check no-handover sh -c '! dmesg | grep -q "kho: handover: found"'
		e2e_check no-firmware-kho test ! -e /sys/firmware/kho
		e2e_memtotal_matches memtotal-matches-gen1
		;;
	esac
}
