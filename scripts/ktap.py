#!/usr/bin/env python3
# ktap.py ARCH LOG [SUITE...]: turn the KUnit KTAP output in a console log
# into one "PASS|FAIL arch/kunit/suite/case" line per test case.  Fails if
# any case failed, if a named SUITE did not run, or if the run was cut short.
import re
import sys

arch, log, wanted = sys.argv[1], sys.argv[2], set(sys.argv[3:])
prefix = re.compile(r"^(?:\[\s*\d+\.\d+\]\s)?")
suite_start = re.compile(r"^    # Subtest: (\S+)")
result = re.compile(r"^(\s*)(not ok|ok) \d+ (\S+)(.*)$")

suite, ran, failed, lines = None, set(), 0, []
with open(log, errors="replace") as f:
    for raw in f:
        line = prefix.sub("", raw.rstrip("\r\n"))
        m = suite_start.match(line)
        if m:
            suite = m.group(1)
            continue
        m = result.match(line)
        if not m or suite is None:
            continue
        indent, status, name, rest = len(m.group(1)), m.group(2), m.group(3), m.group(4)
        if indent == 4:  # a case inside a suite
            skipped = "# SKIP" in rest
            verdict = "PASS" if status == "ok" else "FAIL"
            lines.append(f"{verdict} {arch}/kunit/{suite}/{name}{' (skipped)' if skipped else ''}")
            failed += verdict == "FAIL"
        elif indent == 0 and name == suite:  # the suite's own result
            ran.add(suite)
            if status != "ok" and not any(l.startswith(f"FAIL {arch}/kunit/{suite}/") for l in lines):
                lines.append(f"FAIL {arch}/kunit/{suite} (suite failed)")
                failed += 1
            suite = None

for missing in sorted(wanted - ran):
    lines.append(f"FAIL {arch}/kunit/{missing} (suite did not run or did not finish)")
    failed += 1
print("\n".join(lines))
sys.exit(1 if failed or not lines else 0)
