// SPDX-License-Identifier: GPL-2.0
/*
 * nocap CMD [ARGS...]: run CMD as root without CAP_SYS_ADMIN, like root in
 * a container: the capability leaves the bounding set, so the exec'd
 * program (uid 0) does not get it back.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: nocap CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0)) {
		perror("nocap: PR_CAPBSET_DROP");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror("nocap: exec");
	return 127;
}
