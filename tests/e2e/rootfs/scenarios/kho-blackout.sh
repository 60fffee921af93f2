# e2e-manual: scripts/bench-kho.sh runs this, make check does not
# e2e-generations: 2
# The kexec blackout: the CPU's counter (scripts/initramfs/counter.c) just
# before the reboot call in generation 1 and at generation 2's /init.  Generation 1 sets up the
# workload (e2e.bench=: kho_bench arguments, commas for spaces; e2e.trace_kb=:
# per-CPU trace buffer size to fill and hand over; e2e.luo_mib=: a memfd of
# that many MiB, written whole, kept through /dev/liveupdate) and activates
# the handover unless e2e.baseline=1.

scenario_gen() {
	case "$1" in
	1)
		bench=$(e2e_param e2e.bench)
		trace_kb=$(e2e_param e2e.trace_kb)
		luo_mib=$(e2e_param e2e.luo_mib)
		if [ -n "$bench" ] && ! insmod /modules/kho_bench.ko $(echo "$bench" | tr , ' '); then
			echo "BENCH error=insmod"
			return
		fi
		if [ -n "$trace_kb" ]; then
			echo "$trace_kb" >/sys/kernel/tracing/buffer_size_kb
			e2e_write_tokens blackout /sys/kernel/tracing/trace_marker 2000
		fi
		if [ -n "$luo_mib" ] && ! luo-test keep blackout memfd "$luo_mib" >/dev/null; then
			echo "BENCH error=liveupdate"
			return
		fi
		[ "$(e2e_param e2e.baseline)" = 1 ] || echo 1 >/sys/kernel/kho/active
		if ! e2e_kexec_load; then
			echo "BENCH error=kexec-load"
			return
		fi
		sync
		echo "BENCH counter_reboot=$(counter)"
		kexec -e
		;;
	2)
		# The counter's kHz: arm64's says it, x86's TSC is in the log.
		khz=$(counter -k) ||
			khz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9]*\)\.\([0-9]*\) MHz processor.*/\1\2/p' | head -1)
		echo "BENCH counter_init=$(counter) khz=$khz"
		;;
	esac
}
