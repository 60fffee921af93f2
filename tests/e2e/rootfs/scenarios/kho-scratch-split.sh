# e2e-arch: x86_64
# e2e-arch-why: the hole that splits scratch is made with memmap=, an e820 option
# e2e-append: kho_scratch=1200M nokaslr memmap=64M#1G
# e2e-qemu: -m 2G
# e2e-generations: 2
# e2e-kernels: default
# Scratch larger than any free range: a 64 MiB hole at 1 GiB (memmap=...#)
# and the kernel at 16 MiB (nokaslr) leave no free range of the 1050 MiB
# the main part asks for, as KASLR can do by chance.  The first boot
# reserves it in smaller areas instead of disabling KHO, and the handover
# crosses a kexec in them.  x86 only: memmap= is an x86 parameter.

MAIN_PART_MB=1050	# 1200M less the part below 4 GiB (an eighth, 150M)

largest_area_mb() { echo $(( $(sort -n /sys/kernel/kho/scratch_len | tail -1) >> 20 )); }
total_mb() { echo $(( $(paste -sd+ /sys/kernel/kho/scratch_len) >> 20 )); }

scenario_gen() {
	case "$1" in
	1)
		e2e_expect_log reserved-in-areas "kho: scratch: 1200 MiB reserved in [2-4] areas"
		e2e_check "total-is-requested($(total_mb) MiB)" test "$(total_mb)" -eq 1200
		e2e_check "main-part-split(largest $(largest_area_mb) MiB)" \
			test "$(largest_area_mb)" -lt $MAIN_PART_MB
		e2e_check kho-test-load insmod /modules/kho_test.ko
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	2)
		e2e_expect_log handover-found "kho: handover: found, [2-4] scratch areas"
		e2e_check "total-kept($(total_mb) MiB)" test "$(total_mb)" -eq 1200
		e2e_check kho-test-load-gen2 insmod /modules/kho_test.ko
		e2e_expect_log restore-gen2 "kho_test: PASS restore: generation 2"
		;;
	esac
}
