# e2e-arch: arm64
# e2e-arch-why: it is arm64's UEFI path (the EFI stub, efi_init()); x86_64's guests boot bzImage directly
# e2e-qemu: -bios /usr/share/qemu-efi-aarch64/QEMU_EFI.fd
# e2e-append: kho_scratch=192M kho_debug_reservations
# e2e-kernels: default 64k
# e2e-generations: 3
# kho-handover, with the first kernel started by UEFI firmware through the
# EFI stub, as servers boot: the machine is described in ACPI, and the
# device tree is the stub's, with /chosen only.  Every kernel then has an
# EFI memory map (the kexec'd ones get it through /chosen), and efi_init()
# rebuilds memblock.memory from it after the handover was found:
# scratch-only allocation, the early reservations and the restored folios
# must come through that.

. /scenarios/kho-handover.sh
e2e_check "uefi-boot-gen$E2E_GEN" sh -c 'dmesg | grep -q "efi: EFI v[0-9]"'
e2e_check "acpi-boot-gen$E2E_GEN" test -d /sys/firmware/acpi/tables
