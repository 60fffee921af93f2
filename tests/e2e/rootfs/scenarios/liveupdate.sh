# e2e-append: liveupdate=on kho_scratch=256M
# e2e-kernels: default debug 64k
# e2e-checkers-mem: 3G
# e2e-generations: 3
# /dev/liveupdate across three generations, driven by luo-test, a program
# written only against <linux/liveupdate.h>.  Gen 1 preserves a 256 MiB
# memfd with a pattern, a sparse 1 GiB one with three pages written, a
# sealed one, one of two huge folios (2 MiB THP) and 1,000 small ones in
# sessions "vmm-a" and "vmm-b", and 64 MiB in "vmm-unused"; it is refused
# what the ABI refuses (second opener, duplicate names and tokens,
# unsupported files, unknown tails, short structs, no CAP_SYS_ADMIN; with
# the handover active, new sessions and files).  Gen 2 retrieves and
# checks contents, sizes, holes, seals, huge folios and positions,
# finishes, never retrieves "vmm-unused" (its memory is back after the
# handover is finished: MemTotal as in gen 1) and preserves the big memfd
# again; gen 3 retrieves it once more.  On the kernels with the checkers
# the guest has 3 GiB: their scratch is larger (KASAN's shadow, and 512 MiB
# pageblocks with 64 KiB pages), and the memfds must fit beside it.

# luo STEP...: luo-test's checks become this scenario's results (named
# genN-check); the step passes if luo-test exits 0.
luo() {
	local rc
	luo-test "$@" >/tmp/luo.out
	rc=$?
	sed -n "s/^\(PASS\|FAIL\|SKIP\) /E2E: \1 gen$E2E_GEN-/p" /tmp/luo.out
	return $rc
}

scenario_gen() {
	case "$1" in
	1)
		e2e_check device-root-only sh -c 'nocap luo-test open | grep -q "Operation not permitted"'
		e2e_check luo-gen1 luo gen1
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_expect_log handed-over "liveupdate: handed over 3 sessions"
		e2e_check luo-while-active luo active
		e2e_kexec_next "e2e.memtotal=$(e2e_meminfo MemTotal)"
		;;
	2)
		e2e_expect_log indexed "liveupdate: 3 sessions from the previous kernel"
		e2e_check luo-gen2 luo gen2
		e2e_check finish-handover sh -c 'echo 1 > /sys/firmware/kho/finish'
		e2e_check unretrieved-gone luo gone vmm-unused
		e2e_memtotal_matches memtotal-after-finish
		e2e_check activate-gen2 sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	3)
		e2e_check luo-gen3 luo gen3
		e2e_check finish-handover-gen3 sh -c 'echo 1 > /sys/firmware/kho/finish'
		;;
	esac
}
