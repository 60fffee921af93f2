# e2e-arch: x86_64
# e2e-arch-why: arm64 refuses to offline boot memory (prevent_bootmem_remove_notifier),
#   where scratch, preserved memory and the loaded image live; hot-added memory holds
#   none of them (kho-hotadd runs on both)
# e2e-append: kho_scratch=192M
# e2e-qemu: -m 2G
# e2e-generations: 2
# Memory offline of a block that holds preserved memory, or scratch, is
# refused quickly, and the log names the block and the reason.  A hotplug
# event after an image was loaded makes kexec -e fail with -ESTALE, also
# after a reload that failed (the loaded image is still the stale one); a
# successful reload then boots generation 2.

block_of() {
	size=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	echo $(( $1 / size ))
}

try_offline() {
	timeout 2 sh -c "echo offline > /sys/devices/system/memory/memory$1/state" 2>/dev/null
}

stale_image() {
	e2e_check load-image e2e_kexec_load
	moved=
	# Any block that can go: not scratch, no preserved memory, no image.
	for state in /sys/devices/system/memory/memory*/state; do
		b=${state%/state}
		b=${b##*memory}
		if try_offline "$b"; then
			echo online >"$state"
			moved=$b
			break
		fi
	done
	if [ -z "$moved" ]; then
		e2e_fail hotplug-event "no block could go offline and back"
		return
	fi
	e2e_pass "hotplug-event(memory$moved)"
	e2e_stale_refused stale-image-refused
	# A reload the kernel refuses after KHO saw it (the command line is too
	# long for bzImage64_load) leaves the stale image loaded.
	if kexec -s -l /boot/kernel --append="$(head -c 3000 /dev/zero | tr '\0' x)" 2>/dev/null; then
		e2e_fail failed-reload "the over-long command line was accepted"
	else
		e2e_pass failed-reload
	fi
	e2e_stale_refused stale-after-failed-reload-refused
}

scenario_gen() {
	if [ "$1" = 2 ]; then
		e2e_check reload-after-hotplug-boots grep -q 'e2e.reloaded=1' /proc/cmdline
		return
	fi
	# A block with a preserved folio, no scratch and no holes (not the
	# first or last block, which hold firmware areas).
	e2e_need blocks /sys/devices/system/memory/block_size_bytes || return
	size=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	last=$(( $(ls -d /sys/devices/system/memory/memory* | wc -l) - 1 ))
	lowest_scratch=$(head -1 /sys/kernel/kho/scratch_phys)
	e2e_check kho-test-load insmod /modules/kho_test.ko list_folios=1 \
		min_phys=$size max_phys=$(( lowest_scratch / size * size ))
	scratch_blocks=$(paste /sys/kernel/kho/scratch_phys /sys/kernel/kho/scratch_len |
		while read -r base len; do
			b=$(block_of $((base))); e=$(block_of $((base + len - 1)))
			while [ "$b" -le "$e" ]; do echo "$b"; b=$((b + 1)); done
		done)
	block=
	for phys in $(dmesg | sed -n 's/.*kho_test: folio [0-9]* at \(0x[0-9a-f]*\).*/\1/p'); do
		b=$(block_of $((phys)))
		[ "$b" -eq 0 ] || [ "$b" -eq "$last" ] && continue
		echo "$scratch_blocks" | grep -qx "$b" && continue
		block=$b
		break
	done
	if [ -z "$block" ]; then
		e2e_fail preserved-block-refused "no preserved folio outside scratch and firmware blocks"
	elif try_offline "$block"; then
		e2e_fail preserved-block-refused "memory$block went offline"
	else
		e2e_check preserved-block-refused sh -c \
			"dmesg | grep -q 'offline of memory$block refused: it holds memory preserved for the next kernel'"
	fi
	scratch=$(head -1 /sys/kernel/kho/scratch_phys)
	block=$(block_of $((scratch)))
	if try_offline "$block"; then
		e2e_fail scratch-block-refused "memory$block went offline"
	else
		e2e_check scratch-block-refused sh -c \
			"dmesg | grep -q 'offline of memory$block refused: it holds KHO scratch'"
	fi
	e2e_check kho-test-unload rmmod kho_test
	stale_image
	e2e_kexec_next e2e.reloaded=1
}
