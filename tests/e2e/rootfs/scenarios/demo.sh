# make demo: one kexec_file_load round trip, narrated.

scenario_gen() {
	case "$1" in
	1)
		echo "E2E: gen 1: loading /boot/kernel with kexec_file_load (kexec -s)"
		e2e_kexec_next
		;;
	2)
		echo "E2E: gen 2: booted by kexec: $(cat /proc/cmdline)"
		e2e_check booted-by-kexec grep -q 'e2e.gen=2' /proc/cmdline
		;;
	esac
}
