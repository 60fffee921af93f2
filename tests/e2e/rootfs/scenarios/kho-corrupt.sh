# e2e-arch: x86_64
# e2e-append: kho_scratch=192M
# A damaged handover, through the test knob: the next kernel logs one clear
# line naming the problem, drops that part (or the whole handover), boots
# on and gives the memory back.
#   gen 1 -> 2: one preserved range outside RAM: dropped, the rest restored
#   gen 2 -> 3: the memory map's magic broken: handover ignored
#   gen 3 -> 4: the root compatible is mainline's "kho-v1": ignored

knob() { sh -c "echo $1 > /sys/kernel/debug/kho/corrupt"; }

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check knob-bad-range knob bad-range
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_check bad-range-logged sh -c 'dmesg | grep -q "preserved range .* not in boot RAM; dropped"'
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check rest-restored sh -c 'dmesg | grep -q "kho_test: PASS restore: generation 2"'
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_check knob-memmap knob memmap
		e2e_kexec_next
		;;
	3)
		e2e_check memmap-logged sh -c 'dmesg | grep -q "kho: handover: preserved-memory map malformed; ignoring the handover"'
		e2e_check not-a-kho-boot test ! -e /sys/firmware/kho
		e2e_memtotal_matches memory-given-back
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_check knob-compatible knob compatible
		e2e_kexec_next
		;;
	4)
		e2e_check compatible-logged sh -c \
			'dmesg | grep -q "kho: handover: root compatible \"kho-v1\" is not \"linux-6.12-kho-v1\"; ignoring the handover"'
		e2e_check not-a-kho-boot test ! -e /sys/firmware/kho
		;;
	esac
}
