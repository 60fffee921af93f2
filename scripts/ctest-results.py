#!/usr/bin/env python3
# ctest-results.py BUILD_DIR [PREFIX]: run ctest in BUILD_DIR and print one
# result line per declared test, from ctest's machine-readable output:
#
#   PASS PREFIX/name
#   FAIL PREFIX/name (why)      failed, crashed, timed out, did not run,
#                               or has no result at all
#   SKIP PREFIX/name (why)      skipped by the test itself (GTEST_SKIP,
#                               SKIP_RETURN_CODE) or DISABLED; never a pass
#
# The declared tests come from "ctest --show-only=json-v1", the results
# from the Test.xml that "ctest -T Test" writes (it names the reason:
# SEGFAULT, Timeout, Subprocess aborted...).  ctest's own exit status is
# checked too: non-zero without a failed test is a FAIL of PREFIX/ctest.
# ctest's console output goes to BUILD_DIR/ctest.log.  PREFIX defaults to
# "host".  Exits non-zero if anything failed.
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

build = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else "host"
log = os.path.join(build, "ctest.log")
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rel_log = os.path.abspath(log)
if rel_log.startswith(repo + "/"):
    rel_log = rel_log[len(repo) + 1:]
# A backstop for tests without a TIMEOUT property, and for ctest itself.
TEST_TIMEOUT, CTEST_TIMEOUT = 300, 1800

lines, failed = [], 0


def emit(verdict, name, why=None):
    global failed
    lines.append(f"{verdict} {prefix}/{name}{f' ({why})' if why else ''}")
    failed += verdict == "FAIL"


def finish():
    print("\n".join(lines), flush=True)
    sys.exit(1 if failed or not lines else 0)


# The declared tests.
declared, why = None, ""
try:
    shown = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, capture_output=True,
                           text=True, timeout=120)
    if shown.returncode == 0:
        declared = [t["name"] for t in json.loads(shown.stdout)["tests"]]
    else:
        why = (shown.stderr.strip().splitlines() or [f"exit status {shown.returncode}"])[0]
except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
    why = f"{e.__class__.__name__}: {e}"
if declared is None:
    emit("FAIL", "ctest", f"could not list the declared tests: {why}")
    finish()
if not declared:
    emit("FAIL", "ctest", "no tests declared")
    finish()

# Run them.  A stale Test.xml must never stand in for this run's.
shutil.rmtree(os.path.join(build, "Testing"), ignore_errors=True)
rc = None
with open(log, "w") as out:
    try:
        rc = subprocess.run(["ctest", "-T", "Test", "--output-on-failure", "--timeout", str(TEST_TIMEOUT)],
                            cwd=build, stdout=out, stderr=subprocess.STDOUT,
                            timeout=CTEST_TIMEOUT).returncode
    except subprocess.TimeoutExpired:
        emit("FAIL", "ctest", f"did not finish in {CTEST_TIMEOUT}s; log: {rel_log}")
    except OSError as e:
        emit("FAIL", "ctest", f"could not run: {e}")

# Its results.
results = {}
try:
    with open(os.path.join(build, "Testing", "TAG")) as f:
        tag = f.readline().strip()
    root = ET.parse(os.path.join(build, "Testing", tag, "Test.xml")).getroot()
    for t in root.iter("Test"):
        status = t.get("Status")
        if status is None:  # the list of test names, not a result
            continue
        m = {n.get("name"): (n.findtext("Value") or "").strip() for n in t.iter("NamedMeasurement")}
        results.setdefault(t.findtext("Name"), []).append((status, m))
except (OSError, ET.ParseError) as e:
    if rc is not None:
        emit("FAIL", "ctest", f"no machine-readable results ({e.__class__.__name__}); log: {rel_log}")

for name in declared:
    got = results.pop(name, [])
    if len(got) != 1:
        emit("FAIL", name, "no result: it never ran" if not got else f"{len(got)} results")
        continue
    status, m = got[0]
    completion = m.get("Completion Status", "")
    if status == "passed":
        emit("PASS", name)
    elif status == "failed":
        code, value = m.get("Exit Code", ""), m.get("Exit Value", "")
        why = {"": f"exit status {value}", "Failed": f"exit status {value}",
               "BAD_COMMAND": "the test program could not be started"}.get(code, code)
        emit("FAIL", name, f"{why}; log: {rel_log}")
    elif status == "notrun" and completion == "Disabled":
        emit("SKIP", name, "disabled")
    elif status == "notrun" and completion.startswith("SKIP_"):
        emit("SKIP", name, "skipped: " + completion)
    else:
        emit("FAIL", name, f"did not run: {completion or status}")
for name in sorted(results):
    emit("FAIL", name, "ran but was not declared")

if rc not in (None, 0) and not failed:
    emit("FAIL", "ctest", f"exit status {rc} without a failed test; log: {rel_log}")
finish()
