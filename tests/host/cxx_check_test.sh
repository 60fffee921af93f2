#!/bin/bash
# cxx_check_test.sh CXX ROOT: scripts/cxx-check.sh must fail on an object
# needing global constructors, guards and throwing new, naming each, and
# pass the runtime support object itself.
set -euo pipefail
cxx=$1 root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(-std=gnu++20 -O2 -fno-exceptions -fno-rtti -fno-use-cxa-atexit -fno-threadsafe-statics -I"$root/cxx")

"$cxx" "${flags[@]}" -c -o "$tmp/bad.o" "$root/tests/module/forbidden/kx_forbidden.cpp"
if "$root/scripts/cxx-check.sh" "$tmp/bad.o" 2>"$tmp/out"; then
	echo "cxx-check accepted a forbidden object"; exit 1
fi
for want in 'section .init_array' 'symbol _ZGV' 'symbol _Znwm'; do
	grep -q "forbidden $want" "$tmp/out" || { echo "missing: $want"; cat "$tmp/out"; exit 1; }
done
"$cxx" "${flags[@]}" -nostdinc -c -o "$tmp/good.o" "$root/cxx/cxxrt.cpp"
"$root/scripts/cxx-check.sh" "$tmp/good.o"
echo "cxx-check: rejects the forbidden object, accepts cxxrt.o"
