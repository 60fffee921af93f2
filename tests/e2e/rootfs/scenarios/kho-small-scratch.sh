# e2e-append: kho_scratch=32M
# e2e-debug-scratch: as-is
# e2e-generations: 1
# Scratch too small for the next kernel (its memmap alone is 16 MiB of the
# 1 GiB guest, plus 32 MiB of early tables): activation fails with ENOSPC
# and says why, instead of an early panic in the next kernel.

scenario_gen() {
	if sh -c 'echo 1 > /sys/kernel/kho/active' 2>/tmp/err; then
		e2e_fail scratch-too-small "activation succeeded"
	else
		e2e_check scratch-too-small grep -q "No space left" /tmp/err
		e2e_check reason-logged sh -c 'dmesg | grep -q "kho: activation: the next kernel needs [0-9]* MiB of scratch, there are 32 MiB"'
	fi
}
