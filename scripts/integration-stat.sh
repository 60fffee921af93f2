#!/bin/bash
# integration-stat.sh: the footprint of this project inside the kernel tree.
#
#   hook sites      hunks in scripts/hooks/*.patch: places a 6.12 file is
#                   touched
#   changed lines   lines those hunks add or remove, plus every line of every
#                   project file compiled inside a kernel source file: the
#                   files the hooks #include, and whatever those #include in
#                   turn, followed through project files (include/, kho/,
#                   ftrace/, arch/...) and counted once each
# Includes are resolved as the kernel build resolves them: "..." first
# relative to the including file (the tree sees this repository as kho/),
# then, like <...>, through the kernel's include directories and the
# -I$(srctree)/kho/include the hooks add; a header the kernel has itself
# (<linux/types.h>) is the kernel's.  Code under kho/ compiled as its own
# objects is not counted: it is this project's own directory.
#
# Every kernel build under build/ is checked against this list: the project
# files its kernel objects really depended on (their .cmd files) must all be
# on it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

sites=0 includes=0 added=0 removed=0
printf '%-44s %6s %6s %6s\n' "hook patch" sites added removed
for p in "$KHO_REPO"/scripts/hooks/*.patch; do
	s=$(grep -c '^@@ ' "$p")
	a=$(grep -c '^+[^+]' "$p" || true)
	a=$((a + $(grep -c '^+$' "$p" || true)))
	r=$(grep -c '^-[^-]' "$p" || true)
	r=$((r + $(grep -c '^-$' "$p" || true)))
	printf '%-44s %6d %6d %6d\n' "$(basename "$p")" "$s" "$a" "$r"
	sites=$((sites + s)) added=$((added + a)) removed=$((removed + r))
	# Hunks that only add '#include <linux/kho_hooks.h>'.
	includes=$((includes + $(awk '/^@@ /{if (h) n += (only); h=1; only=1; next}
		/^(---|\+\+\+) / {next}
		h && /^[+-]/ && !/^\+#include <linux\/kho_hooks.h>$/ {only=0}
		END{if (h) n += (only); print n+0}' "$p")))
done

# Which files exist in the kernel tree (to tell its headers from ours).
tree=$KHO_CACHE/src/linux-6.12
if [ -d "$tree/include/linux" ]; then
	kernel_files=$(cd "$tree" && find include arch/*/include -name '*.h' | sort)
else
	kernel_files=$(tar -tf "$KHO_KERNEL_TARBALL" --wildcards '*/include/*.h' | cut -d/ -f2- | sort)
fi

echo
python3 - "$KHO_REPO" "${KHO_BUILD_DIR:-$KHO_REPO/build}" "$sites $includes $added $removed" \
	"$KHO_REPO"/scripts/hooks/*.patch 3<<<"$kernel_files" <<'EOF'
import os, posixpath, re, subprocess, sys

repo, builds, counts, patches = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
sites, includes, added, removed = map(int, counts.split())
kernel = set(l.strip() for l in os.fdopen(3) if l.strip())
inc_re = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
arches = sorted({f.split("/")[1] for f in kernel if f.startswith("arch/")})


def exists(path):
    """Does tree path exist: a project file (kho/...) or a kernel header?"""
    if path.startswith("kho/"):
        return os.path.isfile(os.path.join(repo, path[4:]))
    return path in kernel


def search_dirs(main):
    # Kbuild's order; then -I$(srctree)/$(src) of the kernel file compiled.
    dirs = []
    arch = main.split("/")[1] if main.startswith("arch/") else None
    for a in ([arch] if arch else arches):
        dirs += [f"arch/{a}/include", "include", f"arch/{a}/include/uapi", "include/uapi"]
    return dirs + ["kho/include", posixpath.dirname(main)]


def resolve(includer, kind, name, main):
    cands = [posixpath.normpath(posixpath.join(posixpath.dirname(includer), name))] if kind == '"' else []
    cands += [posixpath.normpath(posixpath.join(d, name)) for d in search_dirs(main)]
    for c in cands:
        if not c.startswith("..") and exists(c):
            return c
    return None


counted = {}  # project file (repo path) -> (lines, first includer)
includers = {}  # project file -> the files that include it
unresolved = []


def follow(includer, kind, name, main):
    path = resolve(includer, kind, name, main)
    if path is None:
        close = ">" if kind == "<" else '"'
        unresolved.append(f"{includer.removeprefix('kho/')}: #include {kind}{name}{close}")
        return
    if not path.startswith("kho/"):
        return  # the kernel's own header
    rel = path[4:]
    who = includer[4:] if includer.startswith("kho/") else includer
    if who not in includers.setdefault(rel, []):
        includers[rel].append(who)
    if rel in counted:
        return
    with open(os.path.join(repo, rel), errors="replace") as f:
        text = f.read().splitlines()
    counted[rel] = (len(text), includer[4:] if includer.startswith("kho/") else includer)
    for line in text:
        m = inc_re.match(line)
        if m:
            follow(path, m.group(1), m.group(2), main)


roots = {}
for p in patches:
    target = None
    for line in open(p, errors="replace"):
        if line.startswith("+++ b/"):
            target = line[6:].split()[0]
        elif line.startswith("+") and target:
            m = inc_re.match(line[1:])
            if m:
                roots.setdefault(target, []).append((m.group(1), m.group(2)))
for target, incs in sorted(roots.items()):
    for kind, name in incs:
        follow(target, kind, name, target)

print(f"{'project file compiled inside kernel files':<44} {'lines':>6}  included by")
for rel, (n, _) in sorted(counted.items(), key=lambda kv: (-kv[1][0], kv[0])):
    who = includers[rel]
    kernel_files = [w for w in who if not os.path.isfile(os.path.join(repo, w))]
    by = [w for w in who if w not in kernel_files]
    if len(kernel_files) > 2:
        by.insert(0, f"{len(kernel_files)} kernel files")
    else:
        by = kernel_files + by
    print(f"{rel:<44} {n:>6}  {', '.join(by)}")
for u in unresolved:
    print(f"integration-stat: cannot resolve {u}")

# Cross-check with what the kernel builds really compiled.
for build in sorted(os.path.join(builds, b) for b in os.listdir(builds)):
    if not os.path.isfile(os.path.join(build, "vmlinux.o")):
        continue
    real = set()
    # The tree reaches this repository through its kho/ link, which may point
    # at another clone by now: a path through it counts as this project's.
    roots = (repo + "/", os.path.realpath(os.path.join(build, "source")) + "/kho/")
    ours = lambda p: next((p[len(r):] for r in roots if p.startswith(r)), None)
    # grep finds the few objects that name a kho/ header (never following the
    # build's source symlink); the checks below are exact.
    hits = subprocess.run(["grep", "-rl", "--include=.*.o.cmd", r"/kho/[^ ]*\.h", build],
                          capture_output=True, text=True).stdout.split()
    for cmd in hits:
        try:
            text = open(cmd, errors="replace").read()
        except OSError:
            continue
        src = re.search(r"^source_\S+ := (\S+)", text, re.M)
        if not src or ours(src.group(1)) is not None:
            continue  # this project's own objects, or no C source
        deps = text.split("\ndeps_", 1)[-1]
        for d in re.findall(r"^\s+(/\S+\.h)", deps, re.M):
            rel = ours(os.path.normpath(d))
            if rel is not None:
                real.add(rel)
    name = os.path.relpath(build, repo)
    if real <= set(counted):
        print(f"{name}: its kernel objects compile {len(real)} of these files, and no other")
    else:
        print(f"integration-stat: {name} compiles project files not counted here: "
              f"{', '.join(sorted(real - set(counted)))}")
        unresolved.append(name)

included = sum(n for n, _ in counted.values())
print()
print(f"hook sites:                 {sites} ({sites - includes} calls or build lines, "
      f"{includes} '#include <linux/kho_hooks.h>')")
print(f"changed lines (hunks):      {added + removed} (+{added} -{removed})")
print(f"project lines #included:    {included} ({len(counted)} files)")
print(f"changed lines in the tree:  {added + removed + included}")
sys.exit(1 if unresolved else 0)
EOF
