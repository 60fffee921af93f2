# e2e-arch: x86_64
# e2e-append: kho_scratch=192M
# Memory offline of a block that holds preserved memory, or scratch, is
# refused quickly, and the log names the block and the reason.  A hotplug
# event after an image was loaded makes kexec -e fail with -ESTALE; a
# reload then works.

block_of() {
	size=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	echo $(( $1 / size ))
}

try_offline() {
	state=/sys/devices/system/memory/memory$1/state
	[ -e "$state" ] || return 2
	timeout 2 sh -c "echo offline > $state" 2>/dev/null
}

stale_image() {
	e2e_check load-image e2e_kexec_load
	for b in 2 3 4 5; do
		if try_offline "$b"; then
			echo online >/sys/devices/system/memory/memory$b/state
			break
		fi
		b=
	done
	if [ -z "$b" ]; then
		e2e_fail hotplug-event "no block could go offline and back"
		return
	fi
	e2e_pass "hotplug-event(memory$b)"
	if kexec -e 2>/dev/null; then
		e2e_fail stale-image-refused "kexec -e went through"
	else
		e2e_check stale-image-refused sh -c 'dmesg | grep -q "kexec: memory was hot-(un)plugged after the image was loaded"'
	fi
}

scenario_gen() {
	if [ "$1" = 2 ]; then
		e2e_pass reload-after-hotplug-works
		return
	fi
	# A block with a preserved folio, no scratch and no holes (not the
	# first or last block, which hold firmware areas).
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
	rmmod kho_test
	stale_image
	e2e_kexec_next
}
