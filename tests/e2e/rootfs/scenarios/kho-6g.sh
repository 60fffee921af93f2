# e2e-append: kho_scratch=5%
# e2e-qemu: -m 6G
# e2e-generations: 3
# e2e-kernels: default
# e2e-budget: 120
# A guest with more than 4 GiB: scratch has a part below 4 GiB and a main
# area above; the handover round trip works.  Generation 3 boots with
# kho_finish_timeout=1 and the handover finishes by itself.  Not on the
# debug kernel: the paths are kho-handover's and kho-finish's, with other
# addresses, and there a 6 GiB guest takes two minutes.

scenario_gen() {
	case "$1" in
	1)
		e2e_check low-scratch-below-4g sh -c '[ $(( $(head -1 /sys/kernel/kho/scratch_phys) )) -lt $((1 << 32)) ]'
		e2e_check main-scratch-above-4g sh -c '[ $(( $(tail -1 /sys/kernel/kho/scratch_phys) )) -ge $((1 << 32)) ]'
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	2)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check restored sh -c 'dmesg | grep -q "kho_test: PASS restore: generation 2"'
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "kho_finish_timeout=1"
		;;
	3)
		sleep 2
		e2e_check finished-by-timeout sh -c 'dmesg | grep -q "kho: finished: [0-9]* unclaimed pages freed"'
		e2e_check firmware-dt-gone test ! -e /sys/firmware/kho/dt
		;;
	esac
}
