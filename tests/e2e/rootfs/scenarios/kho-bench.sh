# e2e-manual: scripts/bench-kho.sh runs this, make check does not
# A chain of KHO boots for the benchmark.  Each generation reports how long
# its boot took to reach /init and how long reserving the handover took,
# finishes it, preserves the workload again (kho_bench with the arguments
# in e2e.bench=, commas for spaces), activates (unless e2e.baseline=1) and
# kexecs, up to e2e.runs generations after the first.

scenario_gen() {
	gen=$1
	runs=$(e2e_param e2e.runs)
	if [ "$gen" -gt 1 ]; then
		echo "BENCH boot_s=$(cut -d' ' -f1 /proc/uptime)"
		# The reservation is timed where the kernel has a clock that early (not arm64).
		dmesg | sed -n 's/.*kho: handover: \([0-9]*\) preserved pages in \([0-9]*\) ranges reserved as \([0-9]*\) regions\( in \([0-9]*\) us\)\{0,1\}$/BENCH pages=\1 ranges=\2 regions=\3 reserve_us=\5/p'
		[ -e /sys/firmware/kho/finish ] && echo 1 >/sys/firmware/kho/finish
	fi
	[ "$gen" -gt "$runs" ] && return
	if ! insmod /modules/kho_bench.ko $(e2e_param e2e.bench | tr , ' '); then
		echo "BENCH error=insmod"
		return
	fi
	if [ "$(e2e_param e2e.baseline)" != 1 ]; then
		echo 1 >/sys/kernel/kho/active
		dmesg | sed -n 's/.*kho: active: .* memory map \([0-9]*\) bytes.*, \([0-9]*\) pages preserved, in \([0-9]*\) us.*/BENCH map_bytes=\1 preserved=\2 activate_us=\3/p'
	fi
	e2e_kexec_next
}
