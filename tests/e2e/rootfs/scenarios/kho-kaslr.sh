# e2e-arch: x86_64
# e2e-arch-why: the KASLR placement of the kernel in scratch is done by x86's decompressor; arm64 runs its kernel where the loader put it
# e2e-append: kho_scratch=192M
# e2e-generations: 21
# e2e-kernels: default
# 20 KHO boots in a chain, KASLR on: every time the decompressor must place
# the kernel inside scratch, away from the handover, and the handover must
# arrive intact (kho_test checks every folio).  At least two distinct
# physical addresses over the 20 boots.  Addresses ride on the command line.

BOOTS=20

kernel_phys() { sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Kernel code$/\1/p' /proc/iomem; }

in_scratch() {
	addr=$((0x$1))
	paste /sys/kernel/kho/scratch_phys /sys/kernel/kho/scratch_len | while read -r base len; do
		[ "$addr" -ge $((base)) ] && [ "$addr" -lt $((base + len)) ] && echo yes
	done | grep -q yes
}

scenario_gen() {
	gen=$1
	e2e_check "kho-test-load-gen$gen" insmod /modules/kho_test.ko
	seen=$(e2e_param e2e.kaslr)
	if [ "$gen" -gt 1 ]; then
		phys=$(kernel_phys)
		e2e_check "gen$gen-kernel-in-scratch(0x$phys)" in_scratch "$phys"
		e2e_check "gen$gen-handover-intact" sh -c \
			"dmesg | grep -q 'kho_test: PASS restore: generation $gen'"
		seen="${seen:+$seen,}$phys"
	fi
	if [ "$gen" -le "$BOOTS" ]; then
		echo 1 >/sys/kernel/kho/active
		e2e_kexec_next "e2e.kaslr=$seen"
	else
		distinct=$(echo "$seen" | tr , '\n' | sort -u | wc -l)
		e2e_check "distinct-addresses($distinct-of-$BOOTS)" test "$distinct" -ge 2
		e2e_check no-test-failures sh -c '! dmesg | grep -q "kho_test: FAIL"'
	fi
}
