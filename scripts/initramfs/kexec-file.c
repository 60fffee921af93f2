// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-file: the smallest loader for kexec_file_load(2), for initramfs
 * images where kexec-tools is not available (arm64 here).
 *
 *   kexec-file -l KERNEL INITRD CMDLINE   load (like kexec -s -l)
 *   kexec-file -p KERNEL INITRD CMDLINE   load a crash kernel (kexec -s -p)
 *   kexec-file -u                         unload
 *   kexec-file -e                         boot the loaded kernel
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		fprintf(stderr, "kexec-file: %s: %s\n", path, strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	unsigned long flags = 0;
	int kernel, initrd;

	if (argc == 2 && !strcmp(argv[1], "-e")) {
		sync();
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			LINUX_REBOOT_CMD_KEXEC, NULL);
		perror("kexec-file: reboot(KEXEC)");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "-u")) {
		if (syscall(SYS_kexec_file_load, -1, -1, 0, NULL, KEXEC_FILE_UNLOAD)) {
			perror("kexec-file: unload");
			return 1;
		}
		return 0;
	}
	if (argc != 5 || (strcmp(argv[1], "-l") && strcmp(argv[1], "-p"))) {
		fprintf(stderr, "usage: kexec-file -l|-p KERNEL INITRD CMDLINE | -u | -e\n");
		return 2;
	}
	if (!strcmp(argv[1], "-p"))
		flags |= KEXEC_FILE_ON_CRASH;
	kernel = open_or_die(argv[2]);
	initrd = open_or_die(argv[3]);
	if (kernel < 0 || initrd < 0)
		return 1;
	if (syscall(SYS_kexec_file_load, kernel, initrd, strlen(argv[4]) + 1,
		    argv[4], flags)) {
		perror("kexec-file: kexec_file_load");
		return 1;
	}
	return 0;
}
