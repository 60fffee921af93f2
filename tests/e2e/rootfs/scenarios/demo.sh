# e2e-append: kho_scratch=192M
# make demo: generation 1 hands random folios, a vmalloc area and a subtree
# over with KHO; generation 2 (booted by kexec_file_load) gets them back and
# checks every byte.  On arm64 (no KHO boot glue yet) it shows the plain
# kexec_file_load round trip.

show() { echo "E2E: | $*"; }

scenario_gen() {
	case "$1" in
	1)
		show "gen 1: scratch areas: $(paste -sd' ' /sys/kernel/kho/scratch_len 2>/dev/null) bytes"
		if insmod /modules/kho_test.ko 2>/dev/null; then
			show "$(dmesg | grep 'kho_test: generation 1' | sed 's/^.*kho_test: //')"
			echo 1 >/sys/kernel/kho/active
			show "$(dmesg | grep 'kho: active' | sed 's/^.*kho: //')"
			show "gen 1: /sys/kernel/kho/dt is $(wc -c </sys/kernel/kho/dt) bytes; kexec -s -l + kexec -e"
		fi
		e2e_kexec_next
		;;
	2)
		show "gen 2: booted by kexec: $(cat /proc/cmdline)"
		dmesg | grep 'kho: handover' | sed 's/^.*kho: /E2E: | gen 2: /'
		if [ -e /sys/firmware/kho/dt ]; then
			show "gen 2: /sys/firmware/kho/dt is $(wc -c </sys/firmware/kho/dt) bytes"
			insmod /modules/kho_test.ko
			dmesg | grep 'kho_test: PASS' | sed 's/^.*kho_test: /E2E: | gen 2: /'
			e2e_check handover-survived sh -c 'dmesg | grep -q "kho_test: PASS restore"'
		fi
		e2e_check booted-by-kexec grep -q 'e2e.gen=2' /proc/cmdline
		;;
	esac
}
