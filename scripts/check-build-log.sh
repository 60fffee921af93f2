#!/bin/bash
# check-build-log.sh LOG: fail if the kernel build log has a warning from the
# compiler, objtool, the linker or modpost about this project's code or a
# kernel file its hooks change, or any orphan section (which is how stray
# C++ COMDAT sections show up).
set -euo pipefail
log=${1:?usage: check-build-log.sh LOG}
hooked=$(sed -n 's|^+++ b/\([^[:space:]]*/[^[:space:]]*\).*|\1|p' "$(dirname "$0")"/hooks/*.patch |
	sort -u | sed 's/\./\\./g' | paste -sd'|')
ours="(^|[ /])kho/|(^|/)($hooked):|orphan section|modpost"
bad=$(grep -iE 'warning|error' "$log" | grep -E "$ours" || true)
if [ -n "$bad" ]; then
	echo "check-build-log: warnings for this project's objects or the files its hooks change:" >&2
	echo "$bad" >&2
	exit 1
fi
