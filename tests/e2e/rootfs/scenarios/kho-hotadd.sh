# e2e-arch: x86_64
# e2e-arch-why: QEMU hot-adds memory through ACPI; on arm64 that needs UEFI firmware and an ACPI boot, not this device-tree boot
# e2e-append: kho_scratch=192M memhp_default_state=online_kernel
# e2e-qemu: -m 1G,slots=2,maxmem=3G -object memory-backend-ram,id=dimm0,size=256M -device pc-dimm,id=d0,memdev=dimm0
# e2e-generations: 1
# A DIMM that ACPI adds after boot is not in the boot memory map the next
# kernel sees: preserving memory there is refused, with a log line.

scenario_gen() {
	e2e_check dimm-online sh -c 'grep -q "System RAM" /proc/iomem && [ "$(ls /sys/devices/system/memory | grep -c memory)" -gt 8 ]'
	if insmod /modules/kho_test.ko min_phys=$((1 << 32)) 2>/dev/null; then
		e2e_fail hot-added-refused "kho_test preserved a folio in hot-added memory"
	else
		e2e_check hot-added-refused sh -c 'dmesg | grep -q "kho: refusing to preserve .*: not in the boot memory map"'
	fi
}
