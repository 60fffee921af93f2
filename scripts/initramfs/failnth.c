// SPDX-License-Identifier: GPL-2.0
/*
 * failnth K FILE VALUE: write VALUE to FILE with the K-th allocation of
 * that write failing (fault injection's /proc/self/fail-nth), and print
 * "errno=E left=N": E is 0 if the write succeeded, N is 0 if the K-th
 * allocation happened (so failed) and more than 0 if the write made fewer
 * than K allocations.  Both files are opened first, so only the write
 * itself counts.  Exits 0 unless it could not run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[32];
	int nth, fd, err = 0;
	ssize_t n;

	if (argc != 4) {
		fprintf(stderr, "usage: failnth K FILE VALUE\n");
		return 2;
	}
	nth = open("/proc/self/fail-nth", O_RDWR);
	fd = open(argv[2], O_WRONLY);
	if (nth < 0 || fd < 0) {
		perror("failnth: open");
		return 2;
	}
	if (pwrite(nth, argv[1], strlen(argv[1]), 0) < 0) {
		perror("failnth: arm");
		return 2;
	}
	if (write(fd, argv[3], strlen(argv[3])) < 0)
		err = errno;
	n = pread(nth, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	/* Disarmed, whatever is left. */
	while (pwrite(nth, "0", 1, 0) < 0)
		;
	printf("errno=%d left=%ld\n", err, n > 0 ? strtol(buf, NULL, 10) : 0L);
	return 0;
}
