// SPDX-License-Identifier: GPL-2.0
/*
 * luo-test STEP: Live Update from user space, written only against the
 * uAPI header <linux/liveupdate.h>, as a VMM would use it.
 *
 *   luo-test gen1    preserve: sessions "vmm-a" (a 256 MiB memfd with a
 *                    pattern, a sparse 1 GiB one with three pages written,
 *                    a sealed one, one of two huge pages (THP) where
 *                    those are 2 MiB, one grown until the page cache put
 *                    pages in KHO's scratch, an empty one, one with pages
 *                    fallocated past its end), "vmm-b" (1,000 small memfds) and
 *                    "vmm-unused" (64 MiB, never retrieved); every refusal
 *                    the ABI promises; then stays in the background holding
 *                    the sessions (pid in /tmp/luo-test.pid)
 *   luo-test active  with the handover active: creating a session and
 *                    preserving a file are refused (EBUSY), writes go on
 *   luo-test gen2    retrieve and check everything, finish; preserve the
 *                    256 MiB memfd again in "vmm-gen3" and stay
 *   luo-test gen3    retrieve it once more and check it
 *   luo-test gone NAME  the session NAME cannot be retrieved (ENOENT)
 *   luo-test keep NAME TEXT [MIB]  a memfd holding TEXT (then a pattern up
 *                    to MIB MiB), preserved in session NAME under token 1,
 *                    held in the background
 *   luo-test bench-gen1, bench-gen2  scripts/bench-luo.sh's measurements
 *   luo-test show NAME  that memfd in the next kernel: print it, finish
 *   luo-test open    open /dev/liveupdate (fails without CAP_SYS_ADMIN)
 *
 * Prints "PASS name" or "FAIL name: why" per check; exits 1 if one failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/liveupdate.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024UL * 1024)
#define BIG_SIZE (256 * MiB)
#define BIG_POS 12345
#define SPARSE_SIZE (1024 * MiB)
#define SEALED_SIZE (64 * 1024)
#define SEALED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define UNUSED_SIZE (64 * MiB)
#define SMALL_FIRST 1000
#define SMALL_COUNT 1000
#define HUGE_TOKEN 4
#define SCRATCH_TOKEN 5
#define EMPTY_TOKEN 6
#define KEEP_SIZE_TOKEN 7
#define PID_FILE "/tmp/luo-test.pid"
#define ACTIVE_FILE "/tmp/luo-test.active"

/* Marks written after preserving: the next kernel must see them. */
#define MARK_BYTES 64
static const struct { off_t off; const char *text; } marks[] = {
	{ 4096, "written after PRESERVE_FD" },
	{ 8192, "written after activation" },
	{ 12288, "written in generation 2" },
};

static int failures;
static long page;

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* An ioctl's result: 0 or -errno. */
static int call(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* An ioctl that must succeed. */
static void check_call(int err, const char *name)
{
	check(!err, name, "%s", strerror(-err));
}

static void expect_errno(int got, int want, const char *name)
{
	check(got == -want, name, "got %d (%s), want -%s", got, strerror(-got), strerrorname_np(want));
}

static int open_device(void)
{
	int fd = open("/dev/liveupdate", O_RDWR);

	if (fd < 0) {
		printf("FAIL open: /dev/liveupdate: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

static int session_ioctl(int dev, unsigned long cmd, const char *name, int *fd)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };
	int err;

	snprintf((char *)arg.name, sizeof(arg.name), "%s", name);
	err = call(dev, cmd, &arg);
	*fd = arg.fd;
	return err;
}

static int create_session(int dev, const char *name)
{
	int fd, err = session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, name, &fd);
	char what[96];

	snprintf(what, sizeof(what), "create-session-%s", name);
	check(!err, what, "%s", strerror(-err));
	return err ? -1 : fd;
}

static int retrieve_session(int dev, const char *name)
{
	int fd, err = session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, name, &fd);
	char what[96];

	snprintf(what, sizeof(what), "retrieve-session-%s", name);
	check(!err, what, "%s", strerror(-err));
	return err ? -1 : fd;
}

static int preserve(int session, int fd, uint64_t token)
{
	struct liveupdate_session_preserve_fd arg = { .size = sizeof(arg), .fd = fd, .token = token };

	return call(session, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

static int retrieve(int session, uint64_t token, int *fd)
{
	struct liveupdate_session_retrieve_fd arg = { .size = sizeof(arg), .token = token };
	int err = call(session, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg);

	*fd = arg.fd;
	return err;
}

static int finish(int session)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };

	return call(session, LIVEUPDATE_SESSION_FINISH, &arg);
}

/* The pattern: each 8-byte word names its offset and the file. */
static uint64_t word(uint64_t off, uint64_t seed)
{
	return (off * 0x9e3779b97f4a7c15ull) ^ seed;
}

static void *map(int fd, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		printf("FAIL mmap: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

static int new_memfd(const char *name, size_t size, unsigned int flags)
{
	int fd = memfd_create(name, flags);

	if (fd < 0 || ftruncate(fd, size)) {
		printf("FAIL memfd %s: %s\n", name, strerror(errno));
		exit(1);
	}
	return fd;
}

static void fill(int fd, size_t off, size_t size, uint64_t seed)
{
	uint64_t *p = map(fd, off + size, PROT_READ | PROT_WRITE);

	for (size_t i = off / 8; i < (off + size) / 8; i++)
		p[i] = word(i * 8, seed);
	munmap(p, off + size);
}

/* Whether [off, off + size) of @fd holds the pattern, marks aside. */
static int holds_pattern(int fd, size_t off, size_t size, uint64_t seed, int nr_marks,
			 size_t *bad)
{
	const uint64_t *p = map(fd, off + size, PROT_READ);
	int ok = 1;

	for (size_t i = off / 8; i < (off + size) / 8 && ok; i++) {
		size_t o = i * 8;
		int marked = 0;

		for (int m = 0; m < nr_marks; m++) {
			if (o < (size_t)marks[m].off || o >= (size_t)marks[m].off + MARK_BYTES)
				continue;
			marked = 1;
			if (o == (size_t)marks[m].off)
				ok = !strcmp((const char *)&p[i], marks[m].text);
		}
		if (!marked)
			ok = p[i] == word(o, seed);
		if (!ok)
			*bad = o;
	}
	munmap((void *)p, off + size);
	return ok;
}

static void write_mark(int fd, int m)
{
	char buf[MARK_BYTES] = {};

	strcpy(buf, marks[m].text);
	if (pwrite(fd, buf, sizeof(buf), marks[m].off) != sizeof(buf))
		printf("FAIL mark: %s\n", strerror(errno));
}

/* The pages of the sparse memfd that are written: the first, one inside, the last. */
#define NR_SPARSE 3
static off_t sparse_page(int i)
{
	return i == 0 ? 0 : i == 1 ? 100 * MiB : SPARSE_SIZE - page;
}

/* A /proc/meminfo or sysfs number; -1 if there is none. */
static long read_number(const char *path, const char *field)
{
	char line[128];
	long value = -1;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			value = strtol(line + strlen(field), NULL, 10);
	if (f)
		fclose(f);
	return value;
}

static long shmem_huge_bytes(void)
{
	return read_number("/proc/meminfo", "ShmemHugePages:") * 1024;
}

/* The THP size, if huge folios of it are tested here (2 MiB), else 0. */
static long huge_size(void)
{
	long size = read_number("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "");

	return size == 2 * MiB ? size : 0;
}

/* Huge folios for memfds from now on where they fit in the file, or never. */
static void shmem_huge(const char *mode)
{
	int fd = open("/sys/kernel/mm/transparent_hugepage/shmem_enabled", O_WRONLY);

	if (fd < 0 || write(fd, mode, strlen(mode)) < 0)
		printf("FAIL shmem_enabled=%s: %s\n", mode, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* A memfd of two huge folios. */
static void preserve_huge(int session)
{
	long size = huge_size(), before = shmem_huge_bytes();
	int fd, err;

	if (!size) {
		printf("SKIP huge: THP of %ld bytes, not 2 MiB\n",
		       read_number("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", ""));
		return;
	}
	shmem_huge("within_size");
	fd = new_memfd("huge", 2 * size, 0);
	fill(fd, 0, 2 * size, 5);
	shmem_huge("never");
	check(shmem_huge_bytes() - before == 2 * size, "huge-folios", "ShmemHugePages grew %ld",
	      shmem_huge_bytes() - before);
	err = preserve(session, fd, HUGE_TOKEN);
	check(!err, "preserve-huge", "%s", strerror(-err));
	close(fd);
}

static void retrieve_huge(int session)
{
	long size = huge_size(), before = shmem_huge_bytes();
	size_t bad = 0;
	int fd, err;

	if (!size)
		return;
	err = retrieve(session, HUGE_TOKEN, &fd);
	check(!err, "retrieve-huge", "%s", strerror(-err));
	check(shmem_huge_bytes() - before == 2 * size, "huge-stays-huge", "ShmemHugePages grew %ld",
	      shmem_huge_bytes() - before);
	check(holds_pattern(fd, 0, 2 * size, 5, 0, &bad), "huge-contents", "differs at %#zx", bad);
	close(fd);
}

/*
 * Scratch is CMA: once memory is short, the page cache puts movable folios
 * there, and they must move out before KHO can hand them over.  Grow a
 * memfd until CmaFree drops.
 */
static void preserve_from_scratch(int session)
{
	long cma = read_number("/proc/meminfo", "CmaFree:"), grown = 0, dropped = 0, outside;
	int fd = memfd_create("scratch", 0);

	for (;;) {
		dropped = cma - read_number("/proc/meminfo", "CmaFree:");
		outside = read_number("/proc/meminfo", "MemFree:") -
			  read_number("/proc/meminfo", "CmaFree:");
		/* Stop short of the OOM killer: shmem cannot be reclaimed here. */
		if (dropped >= 8192 || outside < 96 * 1024 || ftruncate(fd, grown + 16 * MiB))
			break;
		fill(fd, grown, 16 * MiB, 6);
		grown += 16 * MiB;
	}
	if (dropped < 8192) {
		/* The allocator kept out of scratch until memory ran short. */
		printf("SKIP memfd-in-scratch: CmaFree %ld kB stayed, %ld kB free outside it, "
		       "after %ld MiB\n", cma, outside, grown / MiB);
	} else {
		printf("PASS memfd-in-scratch\n");
	}
	check_call(preserve(session, fd, SCRATCH_TOKEN), "preserve-from-scratch");
	close(fd);
}

static void retrieve_from_scratch(int session)
{
	struct stat st = {};
	size_t bad = 0;
	int fd, err;

	err = retrieve(session, SCRATCH_TOKEN, &fd);
	check(!err && !fstat(fd, &st) && st.st_size > 0, "retrieve-from-scratch", "%s",
	      strerror(-err));
	check(holds_pattern(fd, 0, st.st_size, 6, 0, &bad), "from-scratch-contents",
	      "differs at %#zx", bad);
	close(fd);
}

/*
 * An empty memfd, and one with a page of data and a MiB fallocated past
 * its end (FALLOC_FL_KEEP_SIZE): only the file's own pages go over.
 */
static void preserve_edges(int session)
{
	int empty = new_memfd("empty", 0, 0), keep = new_memfd("keep-size", page, 0);

	fill(keep, 0, page, 9);
	check_call(fallocate(keep, FALLOC_FL_KEEP_SIZE, page, MiB) ? -errno : 0,
		   "fallocate-past-end");
	check_call(preserve(session, empty, EMPTY_TOKEN), "preserve-empty");
	check_call(preserve(session, keep, KEEP_SIZE_TOKEN), "preserve-fallocated-past-end");
	close(empty);
	close(keep);
}

static void retrieve_edges(int session)
{
	struct stat st = {};
	size_t bad = 0;
	int fd, err;

	err = retrieve(session, EMPTY_TOKEN, &fd);
	check(!err && !fstat(fd, &st) && st.st_size == 0, "empty", "%s, size %lld",
	      strerror(-err), (long long)st.st_size);
	close(fd);
	err = retrieve(session, KEEP_SIZE_TOKEN, &fd);
	check(!err && !fstat(fd, &st) && st.st_size == page, "fallocated-past-end-size",
	      "%s, size %lld", strerror(-err), (long long)st.st_size);
	check(holds_pattern(fd, 0, page, 9, 0, &bad), "fallocated-past-end-contents",
	      "differs at %#zx", bad);
	close(fd);
}

static void refusals_gen1(int dev, int a, int memfd)
{
	struct {
		struct liveupdate_ioctl_create_session arg;
		uint64_t tail;
	} big = { { .size = sizeof(big) } };
	int fd, err, null_fd = open("/dev/null", O_RDWR), pipes[2];

	expect_errno(open("/dev/liveupdate", O_RDWR) < 0 ? -errno : 0, EBUSY, "second-opener");
	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "vmm-a", &fd), EEXIST,
		     "duplicate-session-name");
	expect_errno(preserve(a, new_memfd("dup", page, 0), 1), EEXIST, "duplicate-token");
	expect_errno(preserve(a, memfd, 99), EBUSY, "same-memfd-twice");
	expect_errno(preserve(a, null_fd, 100), ENOENT, "unsupported-fd-dev-null");
	if (pipe(pipes) == 0)
		expect_errno(preserve(a, pipes[0], 101), ENOENT, "unsupported-fd-pipe");
	fd = memfd_create("huge", MFD_HUGETLB);
	if (fd >= 0)
		expect_errno(preserve(a, fd, 102), ENOENT, "unsupported-fd-hugetlb");
	else
		printf("SKIP unsupported-fd-hugetlb: no hugetlbfs (%s)\n", strerror(errno));
	expect_errno(preserve(a, 12345, 103), EBADF, "bad-fd");

	strcpy((char *)big.arg.name, "vmm-tail");
	big.tail = 1;
	expect_errno(call(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), E2BIG, "unknown-tail-e2big");
	big.tail = 0;
	err = call(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big);
	check(!err, "zero-tail-accepted", "%s", strerror(-err));
	if (!err)
		close(big.arg.fd);
	big.arg.size = 4;
	expect_errno(call(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), EINVAL, "short-struct");
	big.arg.size = sizeof(big.arg);
	memset(big.arg.name, 'x', sizeof(big.arg.name));
	expect_errno(call(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, &big), EINVAL, "name-unterminated");
	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "", &fd), EINVAL,
		     "name-empty");
	expect_errno(call(dev, _IO(LIVEUPDATE_IOCTL_TYPE, 0x3f), &big), ENOTTY, "unknown-ioctl");
	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "vmm-a", &fd), ENOENT,
		     "retrieve-without-handover");
	expect_errno(retrieve(a, 1, &fd), EINVAL, "retrieve-fd-from-new-session");
	expect_errno(finish(a), EINVAL, "finish-new-session");
}

static void check_name(int session, const char *want)
{
	struct liveupdate_session_get_name arg = { .size = sizeof(arg) };
	int err = call(session, LIVEUPDATE_SESSION_GET_NAME, &arg);

	check(!err && !strcmp((char *)arg.name, want), "get-name", "%d '%s'", err, arg.name);
}

/* Stays in the background with the sessions; SIGUSR1: the handover is active. */
static volatile sig_atomic_t activated;
static void on_usr1(int sig) { activated = 1; }

static void stay(int dev, int session, int memfd)
{
	pid_t pid;
	FILE *f;

	close(dev);		/* the sessions stay: their own fds hold them */
	fflush(stdout);
	pid = fork();
	if (pid) {
		f = fopen(PID_FILE, "w");
		fprintf(f, "%d\n", pid);
		fclose(f);
		exit(failures ? 1 : 0);
	}
	freopen("/dev/null", "w", stdout);
	signal(SIGUSR1, on_usr1);
	for (;;) {
		pause();
		if (!activated)
			continue;
		activated = 0;
		f = fopen(ACTIVE_FILE ".tmp", "w");
		fprintf(f, "%d\n", preserve(session, new_memfd("late", page, 0), 77));
		fclose(f);
		write_mark(memfd, 1);
		rename(ACTIVE_FILE ".tmp", ACTIVE_FILE);
	}
}

static void gen1(void)
{
	int dev = open_device(), a, b, unused, big, sparse, sealed, fd, err = 0;
	char name[32];

	a = create_session(dev, "vmm-a");
	b = create_session(dev, "vmm-b");
	unused = create_session(dev, "vmm-unused");
	if (a < 0 || b < 0 || unused < 0)
		exit(1);

	big = new_memfd("big", BIG_SIZE, 0);
	fill(big, 0, BIG_SIZE, 1);
	lseek(big, BIG_POS, SEEK_SET);
	sparse = new_memfd("sparse", SPARSE_SIZE, 0);
	for (size_t i = 0; i < NR_SPARSE; i++)
		fill(sparse, sparse_page(i), page, 2);
	sealed = new_memfd("sealed", SEALED_SIZE, MFD_ALLOW_SEALING);
	fill(sealed, 0, SEALED_SIZE, 3);
	check_call(fcntl(sealed, F_ADD_SEALS, SEALED_SEALS) ? -errno : 0, "seal");

	check_call(preserve(a, big, 1), "preserve-big");
	check_call(preserve(a, sparse, 2), "preserve-sparse");
	check_call(preserve(a, sealed, 3), "preserve-sealed");
	preserve_huge(a);
	for (int i = 0; i < SMALL_COUNT && !err; i++) {
		fd = new_memfd("small", page, 0);

		snprintf(name, sizeof(name), "small %d", SMALL_FIRST + i);
		pwrite(fd, name, strlen(name) + 1, 0);
		lseek(fd, i, SEEK_SET);
		err = preserve(b, fd, SMALL_FIRST + i);
		close(fd);
	}
	check(!err, "preserve-1000-small", "%s", strerror(-err));
	fd = new_memfd("unused", UNUSED_SIZE, 0);
	fill(fd, 0, UNUSED_SIZE, 4);
	check_call(preserve(unused, fd, 1), "preserve-unused");
	close(fd);
	preserve_from_scratch(a);
	preserve_edges(a);
	write_mark(big, 0);
	expect_errno(ftruncate(big, BIG_SIZE * 2) ? -errno : 0, EPERM, "size-frozen");
	check_name(a, "vmm-a");
	refusals_gen1(dev, a, big);
	stay(dev, a, big);
}

static void active(void)
{
	int dev = open_device(), fd, ret = -1;
	pid_t pid;
	FILE *f;

	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_CREATE_SESSION, "late", &fd), EBUSY,
		     "create-session-while-active");
	f = fopen(PID_FILE, "r");
	if (!f || fscanf(f, "%d", &pid) != 1 || kill(pid, SIGUSR1)) {
		printf("FAIL active: no holder in %s\n", PID_FILE);
		exit(1);
	}
	for (int i = 0; i < 100 && access(ACTIVE_FILE, F_OK); i++)
		usleep(100000);
	f = fopen(ACTIVE_FILE, "r");
	if (!f || fscanf(f, "%d", &ret) != 1)
		printf("FAIL active: the holder did not answer\n");
	expect_errno(ret, EBUSY, "preserve-while-active");
}

static void check_big(int fd, int nr_marks, const char *name)
{
	struct stat st = {};
	size_t bad = 0;

	char what[64];

	snprintf(what, sizeof(what), "%s-size", name);
	check(!fstat(fd, &st) && st.st_size == BIG_SIZE, what, "%lld", (long long)st.st_size);
	snprintf(what, sizeof(what), "%s-contents", name);
	check(holds_pattern(fd, 0, BIG_SIZE, 1, nr_marks, &bad), what, "differs at %#zx", bad);
}

static void gen2(void)
{
	int dev = open_device(), a, b, big, fd, again, err;
	size_t bad = 0;
	struct stat st;
	off_t off;
	char name[32], buf[32];

	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "vmm-none", &fd), ENOENT,
		     "retrieve-unknown-session");
	a = retrieve_session(dev, "vmm-a");
	b = retrieve_session(dev, "vmm-b");
	if (a < 0 || b < 0)
		exit(1);
	expect_errno(session_ioctl(dev, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, "vmm-a", &fd), ENOENT,
		     "retrieve-session-twice");
	check_name(a, "vmm-a");
	expect_errno(retrieve(a, 42, &fd), ENOENT, "retrieve-unknown-token");
	expect_errno(preserve(a, dev, 5), EINVAL, "preserve-into-retrieved-session");

	err = retrieve(a, 1, &big);
	check(!err, "retrieve-big", "%s", strerror(-err));
	check_big(big, 2, "big");
	check(lseek(big, 0, SEEK_CUR) == BIG_POS, "big-position", "%lld",
	      (long long)lseek(big, 0, SEEK_CUR));
	err = retrieve(a, 1, &again);
	check(!err && lseek(again, 0, SEEK_CUR) == BIG_POS, "retrieve-fd-twice-same-file", "%s",
	      strerror(-err));
	close(again);

	err = retrieve(a, 2, &fd);
	check(!err && !fstat(fd, &st) && st.st_size == SPARSE_SIZE, "sparse-size", "%s",
	      strerror(-err));
	off = 0;
	for (int i = 0; i < NR_SPARSE; i++) {
		off_t data = lseek(fd, off, SEEK_DATA), hole = lseek(fd, data, SEEK_HOLE);

		snprintf(name, sizeof(name), "sparse-data-%d", i);
		check(data == sparse_page(i) && hole == data + page, name,
		      "data at %lld..%lld, want %lld", (long long)data, (long long)hole,
		      (long long)sparse_page(i));
		snprintf(name, sizeof(name), "sparse-contents-%d", i);
		check(holds_pattern(fd, sparse_page(i), page, 2, 0, &bad), name,
		      "differs at %#zx", bad);
		off = hole;
	}
	expect_errno(lseek(fd, off, SEEK_DATA) < 0 ? -errno : 0, ENXIO, "sparse-no-more-data");
	close(fd);

	err = retrieve(a, 3, &fd);
	check(!err && fcntl(fd, F_GET_SEALS) == SEALED_SEALS, "sealed-seals", "%#x",
	      fcntl(fd, F_GET_SEALS));
	check(holds_pattern(fd, 0, SEALED_SIZE, 3, 0, &bad), "sealed-contents", "at %#zx", bad);
	expect_errno(pwrite(fd, "x", 1, 0) < 0 ? -errno : 0, EPERM, "sealed-write-refused");
	close(fd);
	retrieve_huge(a);
	retrieve_from_scratch(a);
	retrieve_edges(a);

	err = 0;
	for (int i = 0; i < SMALL_COUNT && !err; i++) {
		snprintf(name, sizeof(name), "small %d", SMALL_FIRST + i);
		err = retrieve(b, SMALL_FIRST + i, &fd);
		if (!err && (pread(fd, buf, sizeof(buf), 0) < 0 || strcmp(buf, name) ||
			     lseek(fd, 0, SEEK_CUR) != i))
			err = -EIO;
		close(fd);
	}
	check(!err, "1000-small-contents-and-positions", "%s", strerror(-err));

	check_call(finish(a) && !finish(b), "finish");
	expect_errno(retrieve(a, 2, &fd), ENOENT, "retrieve-after-finish");
	close(a);
	close(b);

	/* The big memfd again, to the third generation. */
	a = create_session(dev, "vmm-gen3");
	err = preserve(a, big, 1);
	check(!err, "preserve-again", "%s", strerror(-err));
	write_mark(big, 2);
	stay(dev, a, big);
}

static void gen3(void)
{
	int dev = open_device(), s = retrieve_session(dev, "vmm-gen3"), fd, err;

	if (s < 0)
		exit(1);
	err = retrieve(s, 1, &fd);
	check(!err, "retrieve-big", "%s", strerror(-err));
	check_big(fd, 3, "big");
	check_call(finish(s), "finish");
}

/* Session @name keeps @fd, holding @text, as token 1 until the kexec. */
static void keep_fd(const char *name, int fd, const char *text)
{
	int dev = open_device(), s = create_session(dev, name);

	if (s < 0)
		exit(1);
	if (pwrite(fd, text, strlen(text) + 1, 0) != (ssize_t)strlen(text) + 1)
		exit(1);
	check_call(preserve(s, fd, 1), "preserve");
	stay(dev, s, fd);
}

static void keep(const char *name, const char *text, size_t mib)
{
	int fd = memfd_create(name, 0);

	if (fd < 0 || (mib && ftruncate(fd, mib * MiB)))
		exit(1);
	if (mib)
		fill(fd, 0, mib * MiB, 7);
	keep_fd(name, fd, text);
}

/* A file of another handler's (samples/liveupdate): @path opened read-write. */
static void keep_file(const char *name, const char *path, const char *text)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	keep_fd(name, fd, text);
}

static void show(const char *name)
{
	int dev = open_device(), s = retrieve_session(dev, name), fd, err;
	char text[4096] = {};
	ssize_t n;

	if (s < 0)
		exit(1);
	err = retrieve(s, 1, &fd);
	check(!err, "retrieve", "%s", strerror(-err));
	n = pread(fd, text, sizeof(text) - 1, 0);
	printf("file of session %s, %zd bytes: %s\n", name, n, n > 0 ? text : "");
	check_call(finish(s), "finish");
}

/* The benchmark's memfds: dense ones written whole, sparse ones a page per MiB. */
static const struct bench_case {
	const char *name;
	size_t mib;
	int sparse;
} bench_cases[] = {
	{ "dense-1M", 1, 0 }, { "dense-1G", 1024, 0 }, { "dense-4G", 4096, 0 },
	{ "sparse-1M", 1, 1 }, { "sparse-1G", 1024, 1 }, { "sparse-4G", 4096, 1 },
};
#define NR_BENCH (sizeof(bench_cases) / sizeof(bench_cases[0]))

static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

/* Writes @value to /sys/kernel/kho/active; how long it took, in us. */
static long set_active(int value)
{
	int fd = open("/sys/kernel/kho/active", O_WRONLY);
	long t = now_us();

	if (fd < 0 || write(fd, value ? "1" : "0", 1) != 1) {
		printf("FAIL active=%d: %s\n", value, strerror(errno));
		exit(1);
	}
	t = now_us() - t;
	close(fd);
	return t;
}

static int bench_memfd(const struct bench_case *c)
{
	int fd = new_memfd(c->name, c->mib * MiB, 0);

	if (!c->sparse)
		fill(fd, 0, c->mib * MiB, 8);
	else
		for (size_t i = 0; i < c->mib; i++)
			fill(fd, i * MiB, page, 8);
	return fd;
}

/*
 * Per memfd: PRESERVE_FD, then activating and deactivating the handover
 * with it alone (MemFree's drop: the handover's metadata for it); then all
 * of them preserved, each in its session, held for the kexec.
 */
static void bench_gen1(void)
{
	int dev = open_device(), fds[NR_BENCH], s, last = -1;
	long t, activate, free_kb;
	char name[64];

	printf("BENCH case=none activate_us=%ld\n", set_active(1));
	set_active(0);
	for (size_t i = 0; i < NR_BENCH; i++) {
		fds[i] = bench_memfd(&bench_cases[i]);
		s = create_session(dev, "bench");
		t = now_us();
		if (preserve(s, fds[i], 1))
			exit(1);
		t = now_us() - t;
		free_kb = read_number("/proc/meminfo", "MemFree:");
		activate = set_active(1);
		free_kb -= read_number("/proc/meminfo", "MemFree:");
		printf("BENCH case=%s preserve_us=%ld activate_us=%ld metadata_kb=%ld\n",
		       bench_cases[i].name, t, activate, free_kb);
		set_active(0);
		close(s);
	}
	for (size_t i = 0; i < NR_BENCH; i++) {
		snprintf(name, sizeof(name), "bench-%s", bench_cases[i].name);
		s = create_session(dev, name);
		if (preserve(s, fds[i], 1))
			exit(1);
		close(fds[i]);
		last = s;
	}
	stay(dev, last, -1);
}

/* Per memfd: RETRIEVE_FD, against copying its bytes once (read into a buffer). */
static void bench_gen2(void)
{
	static char buf[64 * MiB];
	int dev = open_device(), s, fd;
	long t, copy;
	char name[64];

	for (size_t i = 0; i < NR_BENCH; i++) {
		const struct bench_case *c = &bench_cases[i];

		snprintf(name, sizeof(name), "bench-%s", c->name);
		s = retrieve_session(dev, name);
		t = now_us();
		if (s < 0 || retrieve(s, 1, &fd))
			exit(1);
		t = now_us() - t;
		copy = now_us();
		for (size_t off = 0; off < c->mib * MiB; off += sizeof(buf))
			if (pread(fd, buf, sizeof(buf), off) < 0)
				exit(1);
		copy = now_us() - copy;
		printf("BENCH case=%s folios=%zu retrieve_us=%ld copy_us=%ld\n", c->name,
		       c->sparse ? c->mib : c->mib * MiB / page, t, copy);
		close(fd);
		finish(s);
		close(s);
	}
}

int main(int argc, char **argv)
{
	const char *step = argc > 1 ? argv[1] : "";
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	if (!strcmp(step, "gen1"))
		gen1();
	else if (!strcmp(step, "active"))
		active();
	else if (!strcmp(step, "gen2"))
		gen2();
	else if (!strcmp(step, "gen3"))
		gen3();
	else if (!strcmp(step, "gone") && argc == 3)
		expect_errno(session_ioctl(open_device(), LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
					   argv[2], &fd), ENOENT, "session-gone");
	else if (!strcmp(step, "open"))
		close(open_device());
	else if (!strcmp(step, "keep") && (argc == 4 || argc == 5))
		keep(argv[2], argv[3], argc == 5 ? strtoul(argv[4], NULL, 0) : 0);
	else if (!strcmp(step, "keep-file") && argc == 5)
		keep_file(argv[2], argv[3], argv[4]);
	else if (!strcmp(step, "bench-gen1"))
		bench_gen1();
	else if (!strcmp(step, "bench-gen2"))
		bench_gen2();
	else if (!strcmp(step, "show") && argc == 3)
		show(argv[2]);
	else {
		fprintf(stderr, "usage: luo-test gen1|active|gen2|gen3|gone NAME|open|"
			"keep NAME TEXT [MIB]|keep-file NAME PATH TEXT|show NAME|bench-gen1|bench-gen2\n");
		return 2;
	}
	return failures ? 1 : 0;
}
