# Helpers for end-to-end scenarios, sourced by /init.
#
# A scenario file defines scenario_gen N, run once per kernel generation.
# It reports with e2e_pass/e2e_fail/e2e_skip (one "E2E: PASS|FAIL|SKIP name"
# line each, which the host harness counts), and moves on with
# e2e_kexec_next, or ends by returning (init then prints "E2E: DONE" and
# powers off).  On a kernel with kmemleak, every generation ends with a scan
# that must find nothing.

e2e_param() {
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"$1"=*) echo "${word#*=}"; return ;;
		esac
	done
}

e2e_pass() { echo "E2E: PASS $1"; }
e2e_fail() { echo "E2E: FAIL $1: $2"; }
e2e_skip() { echo "E2E: SKIP $1: $2"; }

# e2e_need NAME FILE...: FAIL NAME unless every FILE exists (a check that
# cannot run fails; it never passes by default).
e2e_need() {
	local what=$1 f
	shift
	for f in "$@"; do
		[ -e "$f" ] && continue
		e2e_fail "$what" "$f missing"
		return 1
	done
}

# e2e_check NAME COMMAND...: PASS if the command succeeds, else FAIL.
e2e_check() {
	local what=$1
	shift
	if "$@"; then e2e_pass "$what"; else e2e_fail "$what" "'$*' failed"; fi
}

# e2e_meminfo FIELD: a /proc/meminfo value in kB.
e2e_meminfo() { awk "/^$1:/{print \$2}" /proc/meminfo; }

# e2e_trace_records: a trace file's records (stdin) without comm and time
# stamp: pid, CPU, flags and the event's text.  The comm comes from each
# kernel's own cache (a pid the next kernel never ran prints as <...>), and
# a kexec moves the time base.
e2e_trace_records() {
	grep -v '^#' | sed 's/^ *.*-\([0-9]*\) *\(\[[0-9]*\]\) \([^ ]*\) *-\{0,1\}[0-9]*\.[0-9]*: /\1 \2 \3 /'
}

# e2e_text_sum: a short digest of stdin, to hand a text to the next
# generation on its command line (e2e.NAME=...).
e2e_text_sum() { md5sum | cut -c1-32; }

# e2e_same_text NAME FILE: FILE holds the text the previous generation
# summed as e2e.NAME (its console shows that text); else FILE is shown.
e2e_same_text() {
	[ "$(e2e_text_sum <"$2")" = "$(e2e_param "e2e.$1")" ] && return
	sed "s/^/$1-gen$E2E_GEN: /" "$2"
	return 1
}

# e2e_free_kb: free memory in kB, MemFree plus the pages the per-CPU lists
# hold (not in MemFree), with every CPU's pending counts folded in first
# (stat_refresh).  Unfolded counts and refilled lists move MemFree alone by
# MiBs, tens of MiBs on 64 KiB pages.
e2e_free_kb() {
	echo 1 >/proc/sys/vm/stat_refresh
	echo $(( $(e2e_meminfo MemFree) + \
		$(awk '$1 == "count:" {n += $2} END {print n + 0}' /proc/zoneinfo) * $(e2e_page_size) / 1024 ))
}

# e2e_memtotal_matches NAME: MemTotal is within 1 MiB of the value the
# first generation passed on as e2e.memtotal= (a boot without a handover).
e2e_memtotal_matches() {
	local want have
	want=$(e2e_param e2e.memtotal)
	have=$(e2e_meminfo MemTotal)
	e2e_check "$1(${have}kB/${want}kB)" \
		test $((have - want)) -le 1024 -a $((want - have)) -le 1024
}

# Seconds since boot: e2e_now with hundredths, e2e_uptime whole.
# The page size, from the aux vector's AT_PAGESZ (6).
e2e_page_size() { od -An -tu8 -w16 /proc/self/auxv | awk '$1 == 6 {print $2}'; }
e2e_now() { cut -d' ' -f1 /proc/uptime; }
e2e_uptime() { local t; t=$(e2e_now); echo "${t%.*}"; }

# On a kernel with kmemleak: nothing this generation allocated may leak.
# kmemleak reports only objects older than 5 s, so the scan waits until
# 6 s after $E2E_LEAK_MARK (default: now).  e2e_kexec_next sets the mark
# as the load begins: the load itself takes that long on the debug kernel,
# and what it allocates the loaded image still holds.
e2e_leak_check() {
	local k=/sys/kernel/debug/kmemleak ready=$((${E2E_LEAK_MARK:-$(e2e_uptime)} + 7))
	[ -e $k ] || return 0
	while [ "$(e2e_uptime)" -lt "$ready" ]; do sleep 0.2; done
	echo scan >$k
	if [ -s $k ]; then
		e2e_fail "kmemleak-gen$E2E_GEN" "$(grep -c unreferenced $k) unreferenced objects"
		cat $k
	else
		e2e_pass "kmemleak-gen$E2E_GEN"
	fi
}

# e2e_console_drain: wait until what was echoed has left the serial port.
# The tty sends it on from its buffer; kexec -e and poweroff -f do not
# wait, so the last line (once "E2E: DONE" on arm64) can be lost.  stty
# sets the terminal with TCSETSW, which drains first; onlcr is set already.
e2e_console_drain() {
	stty onlcr </dev/console
}

e2e_done() {
	e2e_leak_check
	echo "E2E: DONE"
	sync
	e2e_console_drain
	poweroff -f
}

# The initramfs for the next generation: the one this kernel booted from,
# kept in memory by retain_initrd (qemu-run.sh puts it on the first
# command line, and every next one inherits it).
e2e_next_initrd() {
	echo /sys/firmware/initrd
}

# The command line for the next generation: this one with e2e.gen bumped
# and EXTRA words added; an EXTRA word key=value replaces an old key=, and
# -key drops the old key (or key=...).
e2e_next_cmdline() {
	local extra=$1 line= word new
	for word in $(cat /proc/cmdline); do
		case "$word" in
		e2e.gen=*) continue ;;
		esac
		for new in $extra; do
			[ "${word%%=*}" = "${new#-}" ] && continue 2
			[ "${word%%=*}" = "${new%%=*}" ] && continue 2
		done
		line="$line $word"
	done
	for new in $extra; do
		case "$new" in -*) ;; *) line="$line $new" ;; esac
	done
	echo "${line# } e2e.gen=$((E2E_GEN + 1))"
}

# e2e_kexec_load [EXTRA_CMDLINE]: load /boot/kernel for the next
# generation with kexec_file_load (kexec -s).
e2e_kexec_load() {
	local initrd cmdline
	initrd=$(e2e_next_initrd)
	cmdline=$(e2e_next_cmdline "$1")
	kexec -s -l /boot/kernel --initrd="$initrd" --append="$cmdline"
}

e2e_kexec_exec() {
	local t0
	t0=$(e2e_now)
	e2e_leak_check
	echo "E2E: kexec to generation $((E2E_GEN + 1)) (load from ${E2E_LEAK_MARK:-?}s, leak check ${t0}s to $(e2e_now)s)"
	sync
	e2e_console_drain
	kexec -e
	e2e_fail kexec "kexec -e returned"
	e2e_done
}

# Load and boot the next generation.
e2e_kexec_next() {
	E2E_LEAK_MARK=$(e2e_uptime)
	if ! e2e_kexec_load "$1"; then
		e2e_fail kexec-load "kexec_file_load failed"
		e2e_done
	fi
	e2e_kexec_exec
}

# e2e_monitor COMMAND...: have the host run COMMAND on QEMU's monitor
# (qemu-run.sh: device_add, device_del, object_add, object_del), as an
# operator hot-plugs a device.  It runs within about a second; wait for its
# effect.
e2e_monitor() { echo "E2E: monitor: $*"; }

# e2e_wait_for SECONDS COMMAND...: until COMMAND succeeds, for at most
# SECONDS; its status.
e2e_wait_for() {
	local until=$(($(e2e_uptime) + $1))
	shift
	until "$@"; do
		[ "$(e2e_uptime)" -lt "$until" ] || return 1
		sleep 0.5
	done
}

# e2e_expect_log NAME PATTERN: pass if the kernel log has PATTERN.
e2e_expect_log() {
	if dmesg | grep -q "$2"; then e2e_pass "$1"; else e2e_fail "$1" "no '$2' in the log"; fi
}

# e2e_stale_refused NAME: kexec -e of the image loaded before a memory
# hotplug event is refused, and the log says why.
e2e_stale_refused() {
	if kexec -e 2>/dev/null; then
		e2e_fail "$1" "kexec -e went through"
	else
		e2e_expect_log "$1" "kexec: memory was hot-(un)plugged after the image was loaded"
	fi
}

# e2e_write_tokens PREFIX MARKER N [CPU]: write PREFIX-1 .. PREFIX-N to the
# trace_marker file MARKER, one line each, from CPU if given.
e2e_write_tokens() {
	pin=
	[ -n "${4:-}" ] && pin="taskset -c $4"
	$pin sh -c "i=1; while [ \$i -le $3 ]; do echo $1-\$i > $2; i=\$((i + 1)); done"
}

# e2e_tokens_exact PREFIX FILE N: the tokens PREFIX-<n> in FILE are exactly
# PREFIX-1 .. PREFIX-N, each once, in order (trace_marker tests).
e2e_tokens_exact() {
	grep -o "$1-[0-9]*" "$2" >/tmp/got
	seq "$3" | sed "s/^/$1-/" >/tmp/want
	cmp -s /tmp/got /tmp/want && return
	echo "tokens $1: got $(wc -l </tmp/got), first $(head -1 /tmp/got), last $(tail -1 /tmp/got)"
	return 1
}
