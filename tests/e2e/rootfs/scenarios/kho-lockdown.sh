# e2e-arch: x86_64
# e2e-append: kho=on lockdown=confidentiality
# Under confidentiality lockdown the scratch addresses and the tree are
# hidden, and the corruption knob is refused.  Also: kho=on alone sizes
# scratch automatically.  Not a kexec test.

scenario_gen() {
	e2e_check automatic-scratch sh -c 'dmesg | grep -q "kho: scratch: [0-9]* MiB reserved"'
	e2e_check scratch-phys-hidden test ! -e /sys/kernel/kho/scratch_phys
	e2e_check scratch-len-shown test -e /sys/kernel/kho/scratch_len
	e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
	e2e_check dt-hidden test ! -e /sys/kernel/kho/dt
	e2e_check knob-refused sh -c '! echo memmap > /sys/kernel/debug/kho/corrupt'
}
