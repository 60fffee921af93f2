# e2e-arch: x86_64
# e2e-append: kho_scratch=64M lockdown=confidentiality
# Under confidentiality lockdown the scratch addresses and the tree are
# hidden, and the corruption knob is refused.  Not a kexec test.

scenario_gen() {
	e2e_check scratch-phys-hidden test ! -e /sys/kernel/kho/scratch_phys
	e2e_check scratch-len-shown test -e /sys/kernel/kho/scratch_len
	e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
	e2e_check dt-hidden test ! -e /sys/kernel/kho/dt
	e2e_check knob-refused sh -c '! echo memmap > /sys/kernel/debug/kho/corrupt'
}
