# e2e-append: kho_scratch=192M trace_buf_size=64K
# e2e-qemu: -m 2G
# e2e-generations: 18
# A hostile previous kernel, one damage per kexec (the knob in
# /sys/kernel/kho/test/corrupt, or kho_test's own damage_vmalloc), in a
# chain: each generation checks what the damage before it did, then
# damages the next handover.  For every case the next kernel boots, logs
# one error line that names the problem, restores what the damage did not
# touch (kho_test's folios, vmalloc areas and subtrees; the trace
# records), and after finish MemTotal is within 1 MiB of generation 1,
# which had no handover.  The harness fails any WARNING, KASAN or lockdep
# report.  2 GiB of RAM: after a handover is ignored, the next kernel
# reserves fresh scratch, and on the debug kernel (with KASAN's share)
# that needs a large free range.

T=/sys/kernel/tracing

# name|when|what the next kernel logs, once|what survives|its extra command line
#   when: pre (before activation), post (while active), load (as the image
#   is loaded), boot (nothing damaged: the next kernel fails a reservation),
#   kho-test (kho_test damages its own data as it is serialized)
#   survives: all, kho-test (not the trace records), dropped-runs (all but
#   the kho_test folios inside the runs the log names: a run is dropped
#   whole), last-vmalloc (all but kho_test's last vmalloc area), some
#   (kho_test loses folios), none (no handover)
CASES='
tree-truncated|load|kho: handover: tree header invalid; ignoring the handover|none|
tree-magic|post|kho: handover: tree header invalid; ignoring the handover|none|
desc-magic|load|kho: handover: descriptor: magic or version not understood; ignored|none|
desc-version|load|kho: handover: descriptor: magic or version not understood; ignored|none|
setup-data-length|load|kho: handover: descriptor: entry has the wrong length; ignored|none|
scratch-beyond-ram|load|kho: handover: scratch area [0-9] \[0x[0-9a-f]*+0x[0-9a-f]*\] is not in this boot.s RAM; ignoring the handover|none|
scratch-over-kernel|load|kho: handover: this kernel.s image \[0x[0-9a-f]*-0x[0-9a-f]*\] is not inside scratch|all|nokaslr
range-over-kernel|pre|kho: handover: preserved range \[0x[0-9a-f]*+0x[0-9a-f]*\] overlaps this kernel.s image; dropped|all|-nokaslr
bad-range|pre|kho: handover: preserved range \[0x0*10000000000+0x0*1000\] not in boot RAM; dropped|all|
overlap-orders|post|kho: handover: preserved ranges \[.*\] (order [1-9][0-9]*) and \[.*\] (order 0) overlap; both dropped|dropped-runs|
memmap-count|post|kho: handover: preserved-memory map malformed; ignoring the handover|none|
memmap-version|post|kho: handover: preserved-memory map malformed; ignoring the handover|none|
ftrace-nr-pages|post|KHO ftrace: instance global: cpu node cpu[0-9]*: nr-pages out of range for its page list; dropped|kho-test|
ftrace-lengths|post|KHO ftrace: instance node i0: subbuf-order missing, not 4 bytes or above 8; dropped|kho-test|
compatible|post|kho: handover: root compatible is not "linux-6.12-kho-v1"; ignoring the handover|none|
fail-reserve|boot|kho: handover: preserved range \[0x[0-9a-f]*+0x[0-9a-f]*\] cannot be reserved; dropped|some|kho_test_fail_reserve=2
vmalloc-list|kho-test|kho: restore: vmalloc area: fewer pages listed than it claims|last-vmalloc|
'

# Every folio kho_test misses lies in a range the line matching $1 names,
# and kho_test reports no other failure.
only_named_runs_lost() {
	ranges=$(dmesg | grep -- "$1" | grep -o '\[0x[0-9a-f]*+0x[0-9a-f]*\]' | tr -d '[]')
	missing=$(dmesg | sed -n 's/.*kho_test: FAIL restore: folio [0-9]* at \(0x[0-9a-f]*\) missing/\1/p')
	[ -n "$missing" ] || return 1
	[ "$(dmesg | grep -c 'kho_test: FAIL')" -eq "$(echo "$missing" | wc -l)" ] || return 1
	for m in $missing; do
		inside=
		for r in $ranges; do
			start=$((${r%+*})) size=$((${r#*+}))
			[ $((m)) -ge "$start" ] && [ $((m)) -lt $((start + size)) ] && inside=1
		done
		[ -n "$inside" ] || { echo "folio $m is in no named range"; return 1; }
	done
}

# kho_test's one failure is its last vmalloc area (of VMALLOC_AREAS = 16),
# refused whole.
only_last_vmalloc_lost() {
	[ "$(dmesg | grep -o 'kho_test: FAIL.*')" = "kho_test: FAIL restore: vmalloc area 15 missing" ]
}

case_field() { echo "$CASES" | sed -n "$(($1 + 1))p" | cut -d'|' -f"$2"; }
knob() { sh -c "echo $1 > /sys/kernel/kho/test/corrupt"; }
tokens() { grep -c "tracing_mark_write: $1-[0-9]*$" $T/trace; }

# What case N (damaged by generation N, read by N + 1) left.
check_case() {
	name=$(case_field "$1" 1) expect=$(case_field "$1" 3) survives=$(case_field "$1" 4)
	# kho_test's restores come at its load: the line may come from them.
	e2e_check "$name-kho-test-load" insmod /modules/kho_test.ko
	e2e_check "$name-logged-once" test "$(dmesg | grep -c -- "$expect")" -eq 1
	case "$survives" in
	all|kho-test)
		e2e_check "$name-restored" sh -c 'dmesg | grep -q "kho_test: PASS restore"'
		e2e_check "$name-subtree-from-notifier" sh -c \
			'dmesg | grep -q "kho_test: PASS notifier: the subtree added while serializing came through"' ;;
	dropped-runs)
		# kho_test misses folios, each inside a run the log named.
		e2e_check "$name-only-the-named-runs-lost" only_named_runs_lost "$expect" ;;
	last-vmalloc)
		e2e_check "$name-only-that-area-lost" only_last_vmalloc_lost ;;
	some)
		e2e_check "$name-some-restored" sh -c 'dmesg | grep -q "kho_test: PASS notifier: node from generation"' ;;
	none)
		e2e_check "$name-no-handover" test ! -e /sys/firmware/kho
		e2e_check "$name-nothing-restored" sh -c 'dmesg | grep -q "kho_test: no kho-test subtree"' ;;
	esac
	case "$survives" in
	all|dropped-runs|last-vmalloc)
		e2e_check "$name-trace-records" test "$(tokens "gen$1")" -eq 20 ;;
	kho-test|some)
		e2e_check "$name-trace-dropped-cleanly" sh -c "! grep -q 'previous-kernel event type' $T/trace" ;;
	esac
	if [ -e /sys/firmware/kho/finish ]; then
		e2e_check "$name-finish" sh -c 'echo 1 > /sys/firmware/kho/finish'
	fi
	e2e_memtotal_matches "$name-memtotal"
}

# Generation N damages the handover to N + 1 with case N.
damage_and_kexec() {
	name=$(case_field "$1" 1) when=$(case_field "$1" 2) extra="$(case_field "$1" 5) ${2:-}"
	e2e_write_tokens "gen$1" $T/trace_marker 20
	[ "$when" = pre ] && e2e_check "$name-knob" knob "$name"
	[ "$when" = kho-test ] && e2e_check "$name-knob" \
		sh -c 'echo 1 > /sys/module/kho_test/parameters/damage_vmalloc'
	e2e_check "activate-for-$name" sh -c 'echo 1 > /sys/kernel/kho/active'
	[ "$when" = post ] || [ "$when" = load ] && e2e_check "$name-knob" knob "$name"
	# The case before may have asked for words this one must not keep.
	e2e_kexec_next "-kho_test_fail_reserve $extra"
}

scenario_gen() {
	if [ "$1" = 1 ]; then
		memtotal=$(e2e_meminfo MemTotal)
		e2e_check kho-test-load insmod /modules/kho_test.ko
		damage_and_kexec 1 "e2e.memtotal=$memtotal"
	fi
	check_case $(($1 - 1))
	[ "$1" -le "$(echo "$CASES" | grep -c '|')" ] && damage_and_kexec "$1"
}
