# e2e-manual: run by scripts/bench-ftrace.sh, not by make check
# e2e.bench=throughput: one run of the in-kernel ring-buffer benchmark
# (writer only, 10 s), on whichever kernel booted.  e2e.bench=size: for 4,
# 64 and 256 MiB of trace buffer in all, e2e.runs activations each: the
# sub-buffers handed over, the ftrace node and positions bytes, the KHO
# memory map bytes and the activation time.

T=/sys/kernel/tracing
bench() { echo "E2E: | BENCH $*"; }

throughput() {
	if [ -d /sys/kernel/kho ]; then m=/modules/ring_buffer_benchmark-kho.ko; else m=/modules/ring_buffer_benchmark-nokho.ko; fi
	insmod $m disable_reader=1 || { e2e_fail insmod "$m"; return; }
	i=0
	while [ $i -lt 60 ] && ! grep -q "ns per entry" $T/trace; do sleep 1; i=$((i + 1)); done
	rmmod ring_buffer_benchmark
	bench "kernel=$([ -d /sys/kernel/kho ] && echo kho || echo off)" \
		"per_ms=$(sed -n 's/.*Entries per millisec: \([0-9]*\).*/\1/p' $T/trace | head -1)" \
		"ns=$(sed -n 's/.* \([0-9]*\) ns per entry.*/\1/p' $T/trace | head -1)"
}

sizes() {
	cpus=$(nproc)
	for mib in 4 64 256; do
		echo $((mib * 1024 / cpus)) >$T/buffer_size_kb
		r=0
		while [ $r -lt "$(e2e_param e2e.runs)" ]; do
			dmesg -c >/dev/null
			echo 1 >/sys/kernel/kho/active
			l=$(dmesg | sed -n 's/.*KHO ftrace: handing over \([0-9]*\) sub-buffers of [0-9]* instances: node \([0-9]*\) bytes (event table \([0-9]*\)), positions \([0-9]*\) bytes, in \([0-9]*\) us.*/\1 \2 \3 \4 \5/p')
			map=$(dmesg | sed -n 's/.*kho: active: .*memory map \([0-9]*\) bytes.*/\1/p')
			set -- $l
			bench "mib=$mib subbufs=$1 node=$2 events=$3 positions=$4 activate_us=$5 map=$map"
			echo 0 >/sys/kernel/kho/active
			r=$((r + 1))
		done
	done
}

scenario_gen() {
	case "$(e2e_param e2e.bench)" in
	throughput) throughput ;;
	size) sizes ;;
	esac
	e2e_done
}
