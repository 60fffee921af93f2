#!/usr/bin/env python3
# ktap.py ARCH LOG [SUITE...]: turn the KUnit KTAP output in a console log
# into one result line per test case:
#
#   PASS arch/kunit/suite/case
#   FAIL arch/kunit/suite/case
#   SKIP arch/kunit/suite/case (reason)        "ok N case # SKIP reason":
#                                              a skip, never a pass
#
# and these FAIL lines:
#   FAIL arch/kunit/suite (suite failed)       the suite's own "not ok" with
#                                              no failed case to show for it
#   FAIL arch/kunit/suite (suite did not run or did not finish)
#                                              a named SUITE without its result
#   FAIL arch/kunit/kernel-log (...)           the boot's console has a kernel
#                                              WARNING, BUG, Oops or panic, a
#                                              KASAN report or a lockdep splat,
#                                              even if every case passed
#
# A count goes to stderr.  Exits non-zero if anything failed, or if the log
# holds no KTAP result at all.
import os
import re
import sys

arch, log, wanted = sys.argv[1], sys.argv[2], set(sys.argv[3:])
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shown_log = os.path.abspath(log)
shown_log = shown_log[len(repo) + 1:] if shown_log.startswith(repo + "/") else log
prefix = re.compile(r"^(?:\[\s*\d+\.\d+\]\s)?")
suite_start = re.compile(r"^    # Subtest: (\S+)")
result = re.compile(r"^(\s*)(not ok|ok) \d+ (\S+)(.*)$")
skip_directive = re.compile(r"#\s*SKIP\b\s*(.*)$", re.IGNORECASE)

# Kernel reports that fail the boot, most specific first; a line counts once.
splats = [
    ("KASAN report", re.compile(r"BUG: KASAN")),
    ("sleeping function called from invalid context", re.compile(r"BUG: sleeping function called")),
    ("lockdep report", re.compile(r"(?:WARNING|INFO): possible")),
    ("kernel panic", re.compile(r"Kernel panic")),
    ("Oops", re.compile(r"\bOops\b")),
    ("kernel BUG", re.compile(r"\bBUG:|kernel BUG at")),
    ("kernel WARNING", re.compile(r"\bWARNING:")),
]

suite, ran, lines = None, set(), []
counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
found, first_splat = {}, None


def emit(verdict, name, why=None):
    lines.append(f"{verdict} {arch}/kunit/{name}{f' ({why})' if why else ''}")
    counts[verdict] += 1


try:
    with open(log, errors="replace") as f:
        raw_lines = f.readlines()
except OSError as e:
    print(f"FAIL {arch}/kunit (no console log: {e.strerror}: {log})")
    sys.exit(1)

for raw in raw_lines:
    line = prefix.sub("", raw.rstrip("\r\n"))
    for what, pattern in splats:
        if pattern.search(line):
            found[what] = found.get(what, 0) + 1
            first_splat = first_splat or line.strip()
            break
    m = suite_start.match(line)
    if m:
        suite = m.group(1)
        continue
    m = result.match(line)
    if not m or suite is None:
        continue
    indent, status, name, rest = len(m.group(1)), m.group(2), m.group(3), m.group(4)
    skip = skip_directive.search(rest)
    if indent == 4:  # a case inside a suite
        if status == "ok" and skip:
            emit("SKIP", f"{suite}/{name}", skip.group(1).strip() or "skipped")
        else:
            emit("PASS" if status == "ok" else "FAIL", f"{suite}/{name}")
    elif indent == 0 and name == suite:  # the suite's own result
        ran.add(suite)
        mine = [l for l in lines if l.split(" ", 1)[1].startswith(f"{arch}/kunit/{suite}/")]
        if status != "ok" and not any(l.startswith("FAIL") for l in mine):
            emit("FAIL", suite, "suite failed")
        elif status == "ok" and skip and not mine:
            emit("SKIP", suite, skip.group(1).strip() or "skipped")
        suite = None

if not lines and not ran:
    emit("FAIL", "ktap", "no KTAP results in the log")
for missing in sorted(wanted - ran):
    emit("FAIL", missing, "suite did not run or did not finish")
if found:
    kinds = ", ".join(f"{what} x{n}" for what, n in found.items())
    emit("FAIL", "kernel-log", f"{kinds} during the KUnit boot; first: {first_splat}; log: {shown_log}")
print("\n".join(lines))
print(f"ktap: {arch}: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped",
      file=sys.stderr)
sys.exit(1 if counts["FAIL"] else 0)
