# e2e-manual: scripts/bench-kho.sh runs this, make check does not
# e2e-generations: 2
# e2e-budget: 600
# Cost per call of kho_preserve_folio() and kho_restore_folio() for
# e2e.pages order-0 folios in random order: generation 1 preserves and
# activates, generation 2 restores (kho_bench random= / restore_random=).

scenario_gen() {
	n=$(e2e_param e2e.pages)
	case "$1" in
	1)
		insmod /modules/kho_bench.ko random="$n" || echo "BENCH error=insmod"
		dmesg | sed -n 's/.*kho_bench: random \([0-9]*\): preserve \([0-9]*\) ns per call, touch \([0-9]*\).*/BENCH pages=\1 preserve_ns=\2 preserve_touch_ns=\3/p'
		echo 1 >/sys/kernel/kho/active
		e2e_kexec_next
		;;
	2)
		insmod /modules/kho_bench.ko restore_random=1 random="$n" || echo "BENCH error=insmod"
		dmesg | sed -n 's/.*kho_bench: random \([0-9]*\): restore \([0-9]*\) ns per call, touch \([0-9]*\), \([0-9]*\) missing.*/BENCH restore_ns=\2 restore_touch_ns=\3 missing=\4/p'
		;;
	esac
}
