#!/bin/bash
# check-hot-path.sh ARCH: the trace write fast path compiles to the same
# instructions with the hooks as without them.
#
# For the KHO kernel (ftrace handover on) and the KHO-off kernel, the stock
# 6.12 kernel/trace/ring_buffer.c and trace.c are compiled with the very
# command line Kbuild used for the hooked ones, and every write-path
# function is disassembled from both objects and compared, addresses
# stripped.  Prints one "PASS|FAIL hot-path/<build>/<function>" per function.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kho_arch_setup "${1:?usage: check-hot-path.sh ARCH}"

ksrc=$KHO_CACHE/src/linux-6.12
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xf "$KHO_KERNEL_TARBALL" -C "$tmp" --strip-components=3 --wildcards \
	'*/kernel/trace/ring_buffer.c' '*/kernel/trace/trace.c'

declare -A functions=(
	[ring_buffer]="ring_buffer_lock_reserve ring_buffer_unlock_commit ring_buffer_write
		       ring_buffer_discard_commit rb_reserve_next_event __rb_reserve_next
		       rb_move_tail rb_commit rb_end_commit rb_wakeups"
	[trace]="tracing_mark_write trace_buffer_lock_reserve trace_event_buffer_commit
		 trace_buffer_unlock_commit_regs __trace_array_vprintk"
)

# The instructions of $2 in object $1 with their relocations: addresses,
# and offsets into sections the hooks add strings or code to, stripped;
# branch targets by symbol.
disasm() {
	[ "$1.dis" -nt "$1" ] || "${CROSS}objdump" -d -r --no-show-raw-insn "$1" >"$1.dis"
	sed -n "/^[0-9a-f]* <$2>:/,/^\$/p" "$1.dis" |
		sed -E 's/^[ \t]*[0-9a-f]+:[ \t]*//; s/\b[0-9a-f]+ <([^>]+)>/<\1>/g' |
		sed -E 's/(\.(rodata[^+ ]*|text|data|bss))\+0x[0-9a-f]+/\1+OFF/g'
}

fail=0
for build in "$KHO_BUILD" "$KHO_BUILD-nokho"; do
	label=$(basename "$build")
	for src in "${!functions[@]}"; do
		cmd=$(sed -n '1s/^savedcmd_[^ ]* := //p' "$build/kernel/trace/.$src.o.cmd")
		cmd=${cmd//"-Wp,-MMD,kernel/trace/.$src.o.d"/"-Wp,-MMD,$tmp/$src.d"}
		cmd=${cmd//"-o kernel/trace/$src.o"/"-o $tmp/$src-stock.o"}
		cmd=${cmd//"$ksrc/kernel/trace/$src.c"/"-iquote $ksrc/kernel/trace $tmp/$src.c"}
		(cd "$build" && eval "$cmd")
		for fn in ${functions[$src]}; do
			disasm "$tmp/$src-stock.o" "$fn" >"$tmp/stock"
			cp "$build/kernel/trace/$src.o" "$tmp/$src-ours.o"
			disasm "$tmp/$src-ours.o" "$fn" >"$tmp/ours"
			if [ ! -s "$tmp/stock" ] && [ ! -s "$tmp/ours" ]; then
				continue	# inlined everywhere in both
			fi
			if cmp -s "$tmp/stock" "$tmp/ours"; then
				echo "PASS hot-path/$label/$fn ($(($(wc -l <"$tmp/ours") - 2)) instructions)"
			else
				echo "FAIL hot-path/$label/$fn"
				diff "$tmp/stock" "$tmp/ours" | head -20 >&2 || true
				fail=1
			fi
		done
	done
done
exit $fail
