# e2e-generations: 2
# e2e-kernels: default
# A plain kexec -s round trip: gen 1 loads this same kernel with
# kexec_file_load and boots it; gen 2 checks it really is a new boot of the
# same kernel and that the C++ test module loads and unloads cleanly.

scenario_gen() {
	case "$1" in
	1)
		e2e_need kho-without-scratch-enomem /sys/kernel/kho/active &&
			e2e_check kho-without-scratch-enomem sh -c \
				'sh -c "echo 1 > /sys/kernel/kho/active" 2>&1 | grep -q "Cannot allocate memory"' 
		e2e_check module-load-gen1 insmod /modules/kx_sample.ko
		e2e_check module-unload-gen1 rmmod kx_sample
		e2e_kexec_next
		;;
	2)
		e2e_check booted-by-kexec grep -q 'e2e.gen=2' /proc/cmdline
		e2e_check same-kernel-release test "$(uname -r)" = "$(cat /boot/release)"
		e2e_check module-load-gen2 insmod /modules/kx_sample.ko
		e2e_check module-unload-gen2 rmmod kx_sample
		;;
	esac
}
