# e2e-append: kho_scratch=128M trace_buf_size=64K
# e2e-generations: 2
# A trace page damaged at kexec time, through the test knob: the next
# kernel drops that page with one log line and keeps the rest, in order;
# after finish, MemTotal is that of the first boot, which had no handover.

T=/sys/kernel/tracing

# Tokens tok-1..tok-$2 in $1: each at most once, in order, some missing.
some_dropped_rest_in_order() {
	grep -o "tok-[0-9]*" "$1" | cut -d- -f2 >/tmp/got
	sort -n -u /tmp/got | cmp -s - /tmp/got || return 1
	n=$(wc -l </tmp/got)
	echo "kept $n of $2 tokens"
	[ "$n" -gt $(($2 / 3)) ] && [ "$n" -lt "$2" ]
}

scenario_gen() {
	case "$1" in
	1)
		echo 64 >$T/buffer_size_kb
		e2e_write_tokens tok $T/trace_marker 300 0
		e2e_check arm-knob sh -c 'echo ftrace-page > /sys/kernel/kho/test/corrupt'
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_expect_log page-dropped "KHO ftrace: instance global cpu 0: page 0x[0-9a-f]* dropped: commit beyond the page"
		e2e_check rest-kept some_dropped_rest_in_order $T/trace 300
		e2e_check no-garbage sh -c "! grep -q 'previous-kernel event type' $T/trace"
		e2e_check finish sh -c 'echo 1 > /sys/firmware/kho/finish'
		e2e_memtotal_matches memtotal-after-finish
		e2e_done
		;;
	esac
}
