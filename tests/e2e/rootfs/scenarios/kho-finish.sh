# e2e-append: kho_scratch=192M
# e2e-generations: 2
# Finish while a consumer holds the previous kernel's tree: the finish
# waits for kho_put_fdt(), so the tree is still intact when the consumer
# reads it (on the debug kernel, KASAN would name any read of freed
# memory), then everything unclaimed is freed; is_kho_boot() is false
# after it.

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		insmod /modules/kho_test.ko hold_fdt_ms=2000 &
		e2e_check tree-held sh -c 'for i in $(seq 300); do
			dmesg | grep -q "kho_test: holding the previous kernel.s tree" && exit 0
			sleep 0.1; done; exit 1'
		e2e_check finish-while-held sh -c 'echo 1 > /sys/firmware/kho/finish'
		wait
		e2e_expect_log tree-intact-while-held "kho_test: PASS fdt: still intact after 2000 ms"
		e2e_check finish-after-put sh -c \
			'dmesg | sed -n "/kho_test: PASS fdt: still intact/,\$p" | grep -q "kho: finished:"'
		e2e_check firmware-dt-gone test ! -e /sys/firmware/kho/dt
		e2e_check no-test-failures sh -c '! dmesg | grep -q "kho_test: FAIL"'
		e2e_memtotal_matches memtotal-after-finish
		;;
	esac
}
