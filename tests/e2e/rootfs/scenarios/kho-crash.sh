# e2e-append: kho_scratch=640M
# e2e-qemu: -m 2G
# e2e-expect-panic: sysrq triggered crash
# e2e-generations: 3
# A crash kernel in a KHO-booted kernel: gen 2 (booted with a handover)
# reserves crashkernel= from scratch, loads a crash kernel with kexec -s -p
# while its own handover is active, and panics.  The crash kernel boots in
# its crashkernel region and carries no handover, even though a normal
# image that did carry it was loaded and unloaded just before (the crash
# image may well get the freed image's address).

scenario_gen() {
	case "$1" in
	1)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		# A KASAN crash kernel needs room for its shadow too.
		if [ -e /sys/kernel/debug/kmemleak ]; then
			e2e_kexec_next "crashkernel=288M"
		else
			e2e_kexec_next "crashkernel=160M"
		fi
		;;
	2)
		e2e_check kho-boot test -e /sys/firmware/kho/dt
		e2e_check crashkernel-reserved sh -c 'grep -q "Crash kernel" /proc/iomem'
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_check load-carrying-image e2e_kexec_load
		e2e_check unload-carrying-image kexec -u
		initrd=$(e2e_next_initrd)
		cmdline="$(e2e_next_cmdline "crashkernel=0 e2e.crash=1") nr_cpus=1 reset_devices"
		e2e_check load-crash-kernel kexec -s -p /boot/kernel --initrd="$initrd" --append="$cmdline"
		echo "E2E: panicking on purpose"
		e2e_console_drain
		echo c >/proc/sysrq-trigger
		;;
	3)
		e2e_check is-crash-kernel test -e /proc/vmcore
		e2e_check crash-kernel-has-no-handover sh -c '! dmesg | grep -q "kho: handover"'
		;;
	esac
}
