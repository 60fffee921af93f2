#!/bin/bash
# check-hot-path.sh ARCH: the trace write path compiles to the same
# instructions with the hooks as without them, in the KHO kernel
# (build/ARCH) and in the KHO-off kernel (build/ARCH-nokho).
#
# For every kernel/trace/*.c file a hook patch touches (the set comes from
# scripts/hooks/*.patch), the stock 6.12 file is compiled with the very
# command line Kbuild used for the hooked one, every function of both
# objects is disassembled, addresses and section offsets stripped, and the
# two are compared.  The write path is every function reachable through
# direct calls and jumps, inside these objects, from the entry points below
# (the one list kept by hand).  Prints
#
#   PASS hot-path/<build>/<fn> (N instructions)   a write-path function
#                                                 identical to stock
#   FAIL hot-path/<build>/<fn> (changed: ...)     one that differs; the diff
#                                                 is in build/hot-path/<build>/
#   SKIP hot-path/<build>/<fn> (why)              an entry point with no code
#                                                 in either object and no
#                                                 caller there (not built)
#   INFO hot-path/<build>: ...                    the functions the hooks
#                                                 change off the write path
#                                                 (for the reviewer; no result)
#
# An entry point inlined everywhere is compared where its code is: in its
# out-of-line GCC clones (.part, .isra, .constprop) and in the functions
# whose stock source calls it (an INFO line names them).
#
# and FAIL hot-path/... (why) if the stock object cannot be shown to come
# from stock sources: the tree's file must be the stock file plus exactly
# the hooks' hunks, the stock object must depend on the extracted stock file
# and on no project or hooked file, and must not mention "kho".  Any other
# error is a FAIL too, never silence.
set -eEuo pipefail
. "$(dirname "$0")/lib.sh"
KHO_KERNEL=	# the normal kernel, and its -nokho flavour below
kho_arch_setup "${1:?usage: check-hot-path.sh ARCH}"

entry_points="ring_buffer_lock_reserve ring_buffer_unlock_commit ring_buffer_write
	ring_buffer_discard_commit trace_buffer_lock_reserve trace_buffer_unlock_commit_regs
	trace_event_buffer_lock_reserve trace_event_buffer_commit trace_function trace_vbprintk
	__trace_bputs __trace_puts __trace_array_vprintk tracing_mark_write"

trap '[ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "FAIL hot-path/$KHO_ARCH (check-hot-path.sh line $LINENO: \"$BASH_COMMAND\" failed)"; exit 1' ERR
ksrc=$KHO_CACHE/src/linux-6.12
out=$KHO_REPO/build/hot-path
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"
status=0
bad() { echo "FAIL hot-path/$1 ($2)"; status=1; }

# The hooked kernel/trace files, and every file any hook touches.
hooks=("$KHO_REPO"/scripts/hooks/*.patch)
mapfile -t hooked_all < <(sed -n 's|^+++ b/\([^\t ]*\).*|\1|p' "${hooks[@]}" | sort -u)
mapfile -t files < <(printf '%s\n' "${hooked_all[@]}" | grep '^kernel/trace/.*\.c$' || true)
# Hooked headers beside them (trace.h): the stock files are compiled with theirs.
mapfile -t headers < <(printf '%s\n' "${hooked_all[@]}" | grep '^kernel/trace/.*\.h$' || true)
if [ ${#files[@]} -eq 0 ]; then
	echo "SKIP hot-path/$KHO_ARCH (no hook touches a kernel/trace/*.c file)"
	exit 0
fi
[ -d "$ksrc" ] || { bad "$KHO_ARCH" "no hooked tree at $ksrc: run make kernel"; exit 1; }

# Stock sources, straight from the tarball.
# With every stock header of their directories beside them: "trace.h" is
# found there, also from another local header that includes it.
mkdir "$tmp/stock"
mapfile -t dir_headers < <(printf '*/%s/*.h\n' $(printf '%s\n' "${files[@]}" | xargs -n1 dirname | sort -u))
tar -xf "$KHO_KERNEL_TARBALL" -C "$tmp/stock" --strip-components=1 \
	--wildcards --no-wildcards-match-slash "${files[@]/#/*/}" "${dir_headers[@]}"

# The tree's files are the stock files plus exactly the hooks' hunks.
for f in "${files[@]}" "${headers[@]}"; do
	mkdir -p "$tmp/fwd/$(dirname "$f")"
	cp "$tmp/stock/$f" "$tmp/fwd/$f"
	for p in "${hooks[@]}"; do
		awk -v f="a/$f" '/^--- /{keep = ($2 == f)} keep' "$p" >"$tmp/hunks.patch"
		[ -s "$tmp/hunks.patch" ] || continue
		if ! patch -s -p1 --fuzz=0 --no-backup-if-mismatch -d "$tmp/fwd" <"$tmp/hunks.patch" \
			>"$tmp/patch.log" 2>&1; then
			bad "$KHO_ARCH/provenance/$f" "$(basename "$p") does not apply to the stock file"
			continue 2
		fi
	done
	cmp -s "$tmp/stock/$f" "$tmp/fwd/$f" && bad "$KHO_ARCH/provenance/$f" "the hooks change nothing in it"
	cmp -s "$tmp/fwd/$f" "$ksrc/$f" ||
		bad "$KHO_ARCH/provenance/$f" "the tree's file is not stock 6.12 plus the hooks: run make kernel"
done
[ $status -eq 0 ] || exit 1

# Compile each stock file with Kbuild's command line for the hooked one.
builds=("$KHO_BUILD" "$KHO_BUILD-nokho")
args=()
for build in "${builds[@]}"; do
	label=$(basename "$build")
	mkdir -p "$tmp/$label"
	for f in "${files[@]}"; do
		dir=$(dirname "$f") base=$(basename "$f" .c)
		ours="$build/$dir/$base.o" cmdfile="$build/$dir/.$base.o.cmd"
		if [ ! -f "$ours" ] || [ ! -f "$cmdfile" ]; then
			bad "$label/$f" "no $base.o in ${build#$KHO_REPO/}: build that kernel first"
			continue
		fi
		# Our object must be up to date with what it was built from.
		stale=
		mapfile -t objdeps < <(sed -n '/^deps_/,/^$/p' "$cmdfile" | grep -v '\$(wildcard' |
			sed -n 's/^ *\([^ ]*\.[chS]\) *\\\?$/\1/p')
		for dep in "${objdeps[@]}"; do
			case $dep in /*) ;; *) dep="$build/$dep" ;; esac
			if [ "$dep" -nt "$ours" ]; then stale=$dep; break; fi
		done
		if [ -n "$stale" ]; then
			bad "$label/$f" "$base.o is older than ${stale#$ksrc/}: rebuild ${build#$KHO_REPO/}"
			continue
		fi
		cmd=$(sed -n '1s/^savedcmd_[^ ]* := //p' "$cmdfile")
		new=${cmd//"-Wp,-MMD,$dir/.$base.o.d"/"-Wp,-MMD,$tmp/$label/$base.d"}
		new=${new//"-o $dir/$base.o"/"-o $tmp/$label/$base-stock.o"}
		new=${new//" $ksrc/$f"/" -fmacro-prefix-map=$tmp/stock/= -iquote $ksrc/$dir $tmp/stock/$f"}
		if [[ $new == *" $ksrc/$f"* || $new != *"$tmp/$label/$base-stock.o"* ||
		      $new != *"$tmp/$label/$base.d"* || $new != *"$tmp/stock/$f"* ]]; then
			bad "$label/$f" "cannot rewrite Kbuild's command line in ${cmdfile#$KHO_REPO/}"
			continue
		fi
		if ! (cd "$build" && eval "$new") >"$tmp/$label/$base.log" 2>&1; then
			cp "$tmp/$label/$base.log" "$out/$label-$base-stock.log"
			bad "$label/$f" "the stock file does not compile; see build/hot-path/$label-$base-stock.log"
			continue
		fi
		# The stock object came from the stock file and from nothing hooked.
		deps=$(sed -e 's/^[^:]*://' -e 's/\\$//' "$tmp/$label/$base.d" | tr -s ' \t' '\n' | sed '/^$/d')
		first=$(head -1 <<<"$deps")
		foreign=$(grep -E "^($ksrc/kho/|$KHO_REPO/)" <<<"$deps" || true)
		for h in "${hooked_all[@]}"; do
			foreign+=$(grep -Fx "$ksrc/$h" <<<"$deps" || true)
		done
		if [ "$first" != "$tmp/stock/$f" ]; then
			bad "$label/$f" "the stock object was compiled from $first, not the stock file"
		elif [ -n "$foreign" ]; then
			bad "$label/$f" "the stock object depends on $(head -1 <<<"$foreign")"
		elif strings -a "$tmp/$label/$base-stock.o" >"$tmp/$label/$base.strings" &&
		     grep -qi kho "$tmp/$label/$base.strings"; then
			bad "$label/$f" "the stock object mentions kho"
		else
			args+=("$label" "$f" "$tmp/$label/$base-stock.o" "$ours")
		fi
	done
done
[ $status -eq 0 ] || exit 1

# Compare, find the write path, report.
rc=0
python3 - "$CROSS" "$out" "$tmp/stock" "$entry_points" "${args[@]}" <<'EOF' || rc=$?
import collections, difflib, os, re, subprocess, sys

cross, out, stock_dir, entries = sys.argv[1:5]
entries = entries.split()
quads = [sys.argv[i:i + 4] for i in range(5, len(sys.argv), 4)]

head_re = re.compile(r"^([0-9a-f]+) <(.+)>:$")
insn_re = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
reloc_re = re.compile(r"^\s*([0-9a-f]+): (R_\w+)\t(.*)$")
target_re = re.compile(r"\b[0-9a-f]+ <([^>+]+)(\+0x[0-9a-f]+)?>")
secref_re = re.compile(r"^(\.[\w.]+)([+-]0x[0-9a-f]+)?$")
branch_re = re.compile(r"(call|jmp|j[a-z]+)\b")


def disassemble(obj):
    """{function: [lines]} and {text section: [(start, function)]}"""
    text = subprocess.run([cross + "objdump", "-d", "-r", "--no-show-raw-insn", obj],
                          check=True, capture_output=True, text=True).stdout
    funcs, starts, section, cur = {}, collections.defaultdict(list), None, None
    for line in text.splitlines():
        if line.startswith("Disassembly of section "):
            section, cur = line[len("Disassembly of section "):].rstrip(":"), None
            continue
        m = head_re.match(line)
        if m:
            cur = m.group(2)
            funcs[cur] = []
            starts[section].append((int(m.group(1), 16), cur))
            continue
        if cur is not None and line.strip() and line.strip() != "...":
            funcs[cur].append(line)
    for s in starts.values():
        s.sort()
    return funcs, starts


def containing(starts, section, addr):
    best = None
    for start, name in starts.get(section, []):
        if start > addr:
            break
        best = (name, addr - start)
    return best


def analyse(obj):
    """Normalised instructions, and direct call/jump targets, of every function.
    Addresses go; branch targets are named; a reference into a text section
    becomes the function there; offsets into data sections go (they move
    when a hook adds data)."""
    funcs, starts = disassemble(obj)
    norm, calls = {}, collections.defaultdict(set)
    for name, lines in funcs.items():
        if name.startswith(("__pfx_", "__cfi_")) or re.search(r"[+-]0x", name):
            continue  # padding before a function
        res, last = [], ""
        for line in lines:
            r = reloc_re.match(line)
            if r:
                kind, sym = r.group(2), r.group(3)
                m = secref_re.match(sym)
                if m and m.group(1) in starts:
                    off = int(m.group(2) or "0", 16)
                    pcrel = kind in ("R_X86_64_PC32", "R_X86_64_PLT32")
                    hit = containing(starts, m.group(1), off + (4 if pcrel else 0))
                    if hit:
                        sym = hit[0] + (f"+{hit[1]:#x}" if hit[1] else "")
                        if branch_re.match(last) and not hit[1]:
                            calls[name].add(hit[0])
                elif m:
                    sym = m.group(1) + "+OFF"
                elif branch_re.match(last):
                    calls[name].add(re.split(r"[+-]0x", sym)[0])
                if res and branch_re.match(last):  # the target is the relocation's
                    res[-1] = re.sub(r" <[^>]*>$", "", res[-1])
                res.append(f"  {kind} {sym}")
                continue
            m = insn_re.match(line)
            if not m:
                continue
            insn = re.sub(r"\s+", " ", m.group(2).strip())
            insn = re.sub(r" # (0x)?[0-9a-f]* ?<[^>]*>$", "", insn)  # rip-relative: see the relocation
            t = target_re.search(insn)
            if t and t.group(1) != name and branch_re.match(insn):
                calls[name].add(t.group(1))
            insn = target_re.sub(lambda x: "<" + x.group(1) + (x.group(2) or "") + ">", insn)
            last = insn
            res.append(insn)
        norm[name] = res
    return norm, calls


def ninsn(lines):
    return sum(1 for l in lines if not l.startswith("  R_"))


def source_callers(text, fn):
    """The functions whose bodies call fn, in kernel-style C source: a body
    runs from a "{" to a "}" at column 0, named by the last column-0 line
    before it that has "name(" on it."""
    found, header, body = set(), None, None
    call = re.compile(r"\b" + re.escape(fn) + r"\s*\(")
    for line in text.splitlines():
        if body is None:
            m = re.match(r"^[A-Za-z_].*?\b(\w+)\s*\(", line)
            if m and not line.rstrip().endswith(";"):
                header = m.group(1)
            elif line.startswith("{") and header:
                body = header
        elif line.startswith("}"):
            body, header = None, None
        elif call.search(line) and body != fn:
            found.add(body)
    return found


def main():
    stock_text = ""
    for root, _, names in os.walk(stock_dir):
        for n in names:
            with open(os.path.join(root, n), errors="replace") as f:
                stock_text += f.read() + "\n"
    failed = 0
    builds = collections.OrderedDict()
    for label, src, stock_obj, ours_obj in quads:
        builds.setdefault(label, []).append((src, analyse(stock_obj), analyse(ours_obj)))
    for label, objs in builds.items():
        # A function is known by its name, or as name@file where two of the
        # objects have a (static) function of that name.
        where = collections.defaultdict(set)
        for src, (snorm, _), (onorm, _) in objs:
            for n in set(snorm) | set(onorm):
                where[n].add(src)

        def key(src, n):
            return n if len(where[n]) == 1 else f"{n}@{os.path.basename(src)}"

        stock, ours, graph = {}, {}, collections.defaultdict(set)
        callees = {"stock": collections.defaultdict(set), "ours": collections.defaultdict(set)}
        for src, (snorm, scalls), (onorm, ocalls) in objs:
            stock.update((key(src, n), v) for n, v in snorm.items())
            ours.update((key(src, n), v) for n, v in onorm.items())
            for side, calls in (("stock", scalls), ("ours", ocalls)):
                for n, targets in calls.items():
                    callees[side][key(src, n)] |= targets
                    for t in targets:
                        if src in where[t]:
                            graph[key(src, n)].add(key(src, t))
                        else:
                            graph[key(src, n)].update(key(o, t) for o in where[t])
        known = set(stock) | set(ours)
        changed = {fn for fn in known if stock.get(fn) != ours.get(fn)}

        # An entry point with no code of its own (inlined everywhere) is
        # compared in its out-of-line parts (GCC's .part/.isra/.constprop
        # clones) and in the functions that call it.
        def own(fn):
            return [n for n in known if re.match(re.escape(fn) + r"($|[.@])", n)]

        roots, inlined = [], []
        for e in entries:
            if e in known:
                roots.append(e)
                continue
            if not re.search(r"\b" + re.escape(e) + r"\s*\(", stock_text):
                print(f"SKIP hot-path/{label}/{e} (defined in no hooked file: stock by construction)")
                continue
            covered = own(e) + [n for c in sorted(source_callers(stock_text, e)) for n in own(c)]
            if covered:
                roots += covered
                inlined.append(f"{e} (in {', '.join(sorted(set(covered)))})")
            else:
                print(f"SKIP hot-path/{label}/{e} (in neither object: inlined everywhere or not built, "
                      f"and no caller in them)")

        # The write path: what the entry points reach by direct calls and jumps.
        path, todo = set(), roots
        while todo:
            fn = todo.pop()
            if fn not in path:
                path.add(fn)
                todo.extend(t for t in graph.get(fn, ()) if t in known)
        for fn in sorted(path):
            s, o = stock.get(fn), ours.get(fn)
            if fn not in changed:
                print(f"PASS hot-path/{label}/{fn} ({ninsn(o)} instructions)")
                continue
            failed += 1
            if s is None:
                print(f"FAIL hot-path/{label}/{fn} (changed: only in the hooked object, {ninsn(o)} instructions)")
                continue
            if o is None:
                print(f"FAIL hot-path/{label}/{fn} (changed: gone from the hooked object, inlined or removed)")
                continue
            d = list(difflib.unified_diff(s, o, f"stock/{fn}", f"hooked/{fn}", lineterm=""))
            os.makedirs(os.path.join(out, label), exist_ok=True)
            with open(os.path.join(out, label, fn + ".diff"), "w") as f:
                f.write("\n".join(d) + "\n")
            plus = [l[1:].strip() for l in d if l.startswith("+") and not l.startswith("+++")]
            minus = [l[1:].strip() for l in d if l.startswith("-") and not l.startswith("---")]
            new_calls = sorted(callees["ours"][fn] - callees["stock"][fn])
            what = (f"now calls {', '.join(new_calls)}" if new_calls else
                    f"first {'+' + plus[0] if plus else '-' + minus[0]}")
            print(f"FAIL hot-path/{label}/{fn} (changed: {ninsn(s)} -> {ninsn(o)} instructions, "
                  f"+{len(plus)} -{len(minus)} lines, {what}; diff: build/hot-path/{label}/{fn}.diff)")
        off = changed - path
        mod = sorted(f for f in off if f in stock and f in ours)
        add = sorted(f for f in off if f not in stock)
        gone = sorted(f for f in off if f not in ours)
        if inlined:
            print(f"INFO hot-path/{label}: inlined entry points compared where their code is: {'; '.join(inlined)}")
        print(f"INFO hot-path/{label}: the write path is {len(path)} functions; off it the hooks change "
              f"{', '.join(mod) or 'nothing'}; add {', '.join(add) or 'nothing'}"
              f"{'; remove ' + ', '.join(gone) if gone else ''}")
    return 1 if failed else 0


try:
    sys.exit(main())
except Exception as e:  # never silence
    print(f"FAIL hot-path/analysis (check-hot-path.sh: {e.__class__.__name__}: {e})")
    sys.exit(2)
EOF
exit $((status | rc))
