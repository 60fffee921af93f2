# e2e-append: kho_scratch=192M
# e2e-generations: 2
# e2e-kernels: default
# Who may touch what.  Every file in /sys/kernel/kho and /sys/firmware/kho
# (the test knobs included) refuses a user other than root, to read and to
# write.  Root without CAP_SYS_ADMIN (root in a container) cannot read the
# trees or scratch_phys, nor change anything: the capability is checked,
# not only the mode.  Lockdown raised at run time hides the addresses from
# then on, with the files already open or not.  Not on the debug kernel:
# what it adds is refusals at open, and the reads that succeed are those
# kho-handover and kho-lockdown make there.

# NAME COMMAND: as nobody, COMMAND fails with "Permission denied".
denied_to_nobody() {
	if su -s /bin/sh nobody -c "$2" >/tmp/out 2>&1; then
		e2e_fail "$1" "nobody could: $2"
	elif grep -q 'Permission denied' /tmp/out; then
		e2e_pass "$1"
	else
		e2e_fail "$1" "$(head -1 /tmp/out)"
	fi
}

# Every file under $1, as nobody: reading and writing are refused.
refused_for_nobody() {
	for f in $(find "$1" -type f); do
		denied_to_nobody "nobody-cannot-read-$f" "cat $f"
		denied_to_nobody "nobody-cannot-write-$f" "echo 1 > $f"
	done
}

# NAME COMMAND: as root without CAP_SYS_ADMIN, COMMAND fails with EPERM.
refused_without_cap() {
	if nocap sh -c "$2" >/dev/null 2>/tmp/out; then
		e2e_fail "no-cap-cannot-$1" "root without CAP_SYS_ADMIN could: $2"
	elif grep -q 'not permitted' /tmp/out; then
		e2e_pass "no-cap-cannot-$1"
	else
		e2e_fail "no-cap-cannot-$1" "$(head -1 /tmp/out)"
	fi
}

scenario_gen() {
	mkdir -p /etc
	echo 'nobody:x:1000:1000::/:/bin/sh' >/etc/passwd
	echo 'nobody:x:1000:' >/etc/group
	case "$1" in
	1)
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		refused_for_nobody /sys/kernel/kho
		refused_without_cap read-dt 'cat /sys/kernel/kho/dt'
		refused_without_cap read-memmap 'cat /sys/kernel/kho/memmap'
		refused_without_cap read-scratch-phys 'cat /sys/kernel/kho/scratch_phys'
		refused_without_cap deactivate 'echo 0 > /sys/kernel/kho/active'
		refused_without_cap set-dt-max 'echo 0x200000 > /sys/kernel/kho/dt_max'
		refused_without_cap corrupt 'echo memmap-magic > /sys/kernel/kho/test/corrupt'
		refused_without_cap read-preserved 'cat /sys/kernel/kho/test/preserved'
		e2e_check no-cap-reads-scratch-len nocap cat /sys/kernel/kho/scratch_len
		e2e_check root-reads-dt sh -c 'cat /sys/kernel/kho/dt | grep -q linux-6.12-kho-v1'
		e2e_kexec_next
		;;
	2)
		refused_for_nobody /sys/firmware/kho
		refused_without_cap read-firmware-dt 'cat /sys/firmware/kho/dt'
		refused_without_cap finish 'echo 1 > /sys/firmware/kho/finish'
		e2e_check root-reads-firmware-dt sh -c 'cat /sys/firmware/kho/dt | grep -q linux-6.12-kho-v1'
		# Opened before lockdown, read after: refused all the same.
		exec 3</sys/firmware/kho/dt
		mount -t securityfs securityfs /sys/kernel/security
		e2e_check lockdown-raised sh -c 'echo confidentiality > /sys/kernel/security/lockdown'
		e2e_check open-dt-refused-after-lockdown sh -c '! cat <&3 >/dev/null 2>&1'
		e2e_check dt-refused-after-lockdown sh -c '! cat /sys/firmware/kho/dt >/dev/null 2>&1'
		e2e_check scratch-phys-refused-after-lockdown sh -c '! cat /sys/kernel/kho/scratch_phys >/dev/null 2>&1'
		exec 3<&-
		e2e_check finish sh -c 'echo 1 > /sys/firmware/kho/finish'
		;;
	esac
}
