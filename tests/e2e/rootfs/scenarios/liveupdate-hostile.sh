# e2e-append: liveupdate=on kho_scratch=192M
# e2e-generations: 2
# Damaged Live Update metadata, through the test knobs while the handover
# is active: the first session's name loses its NUL, and the last session's
# memfd record its magic.  The next kernel drops the first session in one
# line naming it by index and why; the second is retrieved whole; the
# third is found, but its memfd is refused in one line (EINVAL) and the
# boot goes on.  Once the handover is finished, every page of the dropped
# parts is back: MemTotal as in generation 1.

K=/sys/kernel/kho/test/corrupt

scenario_gen() {
	case "$1" in
	1)
		for s in one two three; do
			e2e_check "keep-$s" sh -c "luo-test keep $s 'the memfd of session $s' 8 >/dev/null"
		done
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_check damage-name sh -c "echo luo-session-name > $K"
		e2e_check damage-memfd sh -c "echo luo-memfd-magic > $K"
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_expect_log session-dropped \
			"liveupdate: previous kernel's session #0 dropped: malformed name (empty, unterminated or not zero-padded)"
		e2e_expect_log others-indexed "liveupdate: 2 sessions from the previous kernel"
		e2e_check damaged-session-gone luo-test gone one
		e2e_check intact-session-retrieved sh -c \
			'luo-test show two | grep -q "file of session two, [0-9]* bytes: the memfd of session two"'
		e2e_check damaged-memfd-refused sh -c \
			'luo-test show three | grep -q "FAIL retrieve: Invalid argument"'
		e2e_expect_log memfd-dropped "liveupdate: memfd: previous kernel's memfd 0x[0-9a-f]* dropped: not a memfd record"
		e2e_check finish sh -c 'echo 1 > /sys/firmware/kho/finish'
		e2e_memtotal_matches memtotal-after-finish
		;;
	esac
}
