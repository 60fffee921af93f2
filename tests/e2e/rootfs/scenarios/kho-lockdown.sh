# e2e-append: kho=on lockdown=confidentiality
# e2e-generations: 1
# Under confidentiality lockdown the scratch addresses and the tree cannot
# be read, and the corruption knob is refused by this project's own check
# at open (kexec lockdown; debugfs' check does not apply to it).  Also:
# kho=on alone sizes scratch automatically.  Not a kexec test.

scenario_gen() {
	e2e_check automatic-scratch sh -c 'dmesg | grep -q "kho: scratch: [0-9]* MiB reserved"'
	e2e_check scratch-phys-refused sh -c '! cat /sys/kernel/kho/scratch_phys 2>/dev/null'
	e2e_check scratch-len-shown grep -q . /sys/kernel/kho/scratch_len
	e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
	e2e_check dt-refused sh -c '! cat /sys/kernel/kho/dt >/dev/null 2>&1'
	e2e_check memmap-refused sh -c '! cat /sys/kernel/kho/memmap >/dev/null 2>&1'
	# Lockdown's log lines are rate-limited (10 per 5 s): let them through.
	sleep 6
	dmesg -c >/dev/null
	e2e_check knob-refused sh -c '! echo memmap-magic > /sys/kernel/kho/test/corrupt'
	e2e_check knob-refused-by-kho sh -c 'dmesg | grep -q "Lockdown: .*: kexec of unsigned images is restricted"'
	e2e_check knob-refused-before-writing sh -c "! dmesg | grep -q \"test knob: handover corrupted\""
}
