# SPDX-License-Identifier: GPL-2.0
# Kexec HandOver (KHO) and kstate for Linux 6.12: project commands.
# (The kernel build enters this directory through ./Kbuild, not this file.)

ARCH ?= x86_64
KSRC ?=

.PHONY: all demo check deps kernel modules initramfs integrate integration-stat host-test tools clean
all: kernel

demo:			## build, boot in QEMU, kexec, show what survived
	@scripts/demo.sh $(ARCH)

check:			## every test: host, build, KUnit and end to end
	@scripts/check.sh

deps:			## install the Debian packages (as root)
	@scripts/deps.sh

kernel:			## build the kernel into build/$(ARCH); prints the image path
	@scripts/deps.sh
	@scripts/build-kernel.sh $(ARCH)

modules: kernel		## build the out-of-tree test modules against build/$(ARCH)
	@scripts/build-modules.sh $(ARCH)

initramfs: modules	## build the test initramfs for build/$(ARCH)
	@scripts/initramfs.sh $(ARCH)

integrate:		## wire this project into your own 6.12 tree: KSRC=<path>
	@test -n "$(KSRC)" || { echo "usage: make integrate KSRC=<linux-6.12 tree>"; exit 2; }
	@scripts/integrate.sh $(KSRC)

integration-stat:	## hook sites and changed lines in the kernel tree
	@scripts/integration-stat.sh

tools:			## build the userspace tools (kho-inspect) into build/$(ARCH)/tools, static
	@scripts/deps.sh
	@scripts/build-tools.sh $(ARCH)

host-test:		## the host GoogleTest layer only
	@KHO_LAYERS=host KHO_ARCHES= scripts/check.sh

clean:
	rm -rf build
