# e2e-append: kho_scratch=192M memhp_default_state=online_kernel
# e2e-qemu: -m 1G,slots=2,maxmem=3G -object memory-backend-ram,id=dimm0,size=256M
# e2e-qemu-arm64: -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd
# e2e-generations: 2
# A DIMM hot-added while the kernel runs, as an operator plugs one through
# QEMU's monitor (ACPI; on arm64 the firmware is UEFI and the boot ACPI),
# is not in the boot memory map the next kernel sees: preserving memory
# there is refused, with a log line.  The hot-add makes the kexec image
# loaded before it stale; loaded again, it boots, and the next kernel adds
# the DIMM itself.

M=/sys/devices/system/memory

blocks() { ls $M | sed -n 's/^memory\([0-9]*\)$/\1/p' | sort -n; }
added_blocks() { blocks | grep -vxF -f /tmp/boot-blocks; }
added_online() {
	local b
	[ -n "$(added_blocks)" ] || return 1
	for b in $(added_blocks); do
		grep -q online $M/memory$b/state || return 1
	done
}

scenario_gen() {
	case "$1" in
	1)
		blocks >/tmp/boot-blocks
		e2e_check kexec-load e2e_kexec_load
		e2e_monitor device_add pc-dimm,id=dimm,memdev=dimm0
		e2e_check dimm-online e2e_wait_for 60 added_online
		size=$((0x$(cat $M/block_size_bytes)))
		first=$(added_blocks | head -1) last=$(added_blocks | tail -1)
		if insmod /modules/kho_test.ko min_phys=$((first * size)) \
			max_phys=$(((last + 1) * size)) 2>/dev/null; then
			e2e_fail hot-added-refused "kho_test preserved a folio in hot-added memory"
		else
			e2e_expect_log hot-added-refused "kho: refusing to preserve .*: not in the boot memory map"
		fi
		e2e_stale_refused stale-after-hot-add
		e2e_kexec_next "e2e.blocks=$(blocks | wc -l)"
		;;
	2)
		e2e_check dimm-added-at-boot test "$(blocks | wc -l)" -eq "$(e2e_param e2e.blocks)"
		;;
	esac
}
