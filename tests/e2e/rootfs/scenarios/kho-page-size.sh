# e2e-kernels: 64k
# e2e-first-kernel: default
# e2e-append: kho_scratch=192M trace_buf_size=64K
# e2e-generations: 2
# A handover between page sizes is refused: generation 1 is the arm64
# kernel with 4 KiB pages (build/arm64), which hands its trace over and
# kexecs the 64 KiB-page kernel of this initramfs.  That kernel logs one
# line naming both page sizes, reserves its own scratch as on a first boot,
# and boots on: no handover to read, no previous-kernel records.

T=/sys/kernel/tracing

scenario_gen() {
	case "$1" in
	1)
		e2e_check first-kernel-has-4k-pages test "$(e2e_page_size)" = 4096
		e2e_write_tokens tok $T/trace_marker 50 0
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	2)
		e2e_check next-kernel-has-64k-pages test "$(e2e_page_size)" = 65536
		e2e_expect_log refused-in-one-line "kho: handover: descriptor: written with 4 KiB pages, this kernel has 64 KiB; ignored"
		e2e_check fresh-scratch sh -c 'dmesg | grep -q "kho: scratch: [0-9]* MiB reserved in"'
		e2e_check no-handover test ! -e /sys/firmware/kho
		e2e_check no-previous-records sh -c "! grep -q tok- $T/trace"
		e2e_write_tokens again $T/trace_marker 5 0
		e2e_check tracing-works sh -c "grep -q again-5 $T/trace"
		e2e_done
		;;
	esac
}
