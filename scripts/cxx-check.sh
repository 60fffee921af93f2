#!/bin/sh
# cxx-check.sh [--readelf R] [--nm N] OBJ...: reject C++ objects that need a
# runtime the kernel does not have.  Exits 1 naming every problem found.
#
#  sections: .init_array .ctors .fini_array .dtors (global constructors and
#            destructors), .gcc_except_table .eh_frame_hdr (exceptions).
#            A KASAN build puts the sanitizer's own constructors there (GCC
#            names them _sub_I_<prio>_<n>, like in every C object, and the
#            kernel runs them); those sections pass when every function in
#            .text.startup/.text.exit is such a sanitizer constructor.
#  symbols:  __cxa_atexit __cxa_guard_* _ZGV* __dso_handle _GLOBAL__sub_*
#            (static objects needing run-time initialisation, and their
#            guard variables), _Unwind_* __gxx_personality_* __cxa_throw
#            __cxa_begin_catch (exceptions), _Znwm _Znam _ZnwmSt11align_val_t
#            _ZnamSt11align_val_t (plain, throwing operator new: never
#            checked for NULL)
readelf=readelf nm=nm
while [ $# -gt 0 ]; do
	case "$1" in
	--readelf) readelf=$2; shift 2 ;;
	--nm) nm=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: cxx-check.sh [--readelf R] [--nm N] OBJ..." >&2; exit 2; }

# Only sanitizer constructors and destructors live in the startup sections.
only_sanitizer_ctors() {
	$readelf -SW "$1" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text\.\(startup\|exit\) .*/\1/p' >"$tmp"
	[ -s "$tmp" ] || return 1
	$readelf -sW "$1" | awk -v list="$tmp" '
		BEGIN { while ((getline n < list) > 0) idx[n] = 1 }
		$4 == "FUNC" && ($7 in idx) { n++; if ($8 !~ /^_sub_[ID]_[0-9]+_[0-9]+$/) bad = 1 }
		END { exit (bad || !n) }'
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
rc=0
for obj in "$@"; do
	secs=$($readelf -SW "$obj" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]*\) .*/\1/p' |
		grep -E '^\.(init_array|ctors|fini_array|dtors|gcc_except_table|eh_frame_hdr)(\.|$)')
	if [ -n "$secs" ] && only_sanitizer_ctors "$obj"; then
		secs=$(echo "$secs" | grep -E '^\.(gcc_except_table|eh_frame_hdr)')
	fi
	syms=$($nm "$obj" | awk '{print $NF}' |
		grep -E '^(__cxa_atexit|__cxa_guard_.*|_ZGV.*|__dso_handle|_GLOBAL__sub_.*|_Unwind_.*|__gxx_personality_.*|__cxa_throw|__cxa_begin_catch|_Zn[wa]m|_Zn[wa]mSt11align_val_t)$' | sort -u)
	for s in $secs; do echo "cxx-check: $obj: forbidden section $s" >&2; rc=1; done
	for s in $syms; do echo "cxx-check: $obj: forbidden symbol $s" >&2; rc=1; done
done
exit $rc
