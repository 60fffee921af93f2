# e2e-manual: scripts/bench-luo.sh runs this, make check does not
# e2e-generations: 2
# Live Update's benchmark (luo-test bench-gen1, bench-gen2): memfds of 1
# MiB, 1 GiB and 4 GiB, dense and sparse; per memfd the PRESERVE_FD time,
# the activation time and metadata with it alone, then all handed over;
# the next kernel times RETRIEVE_FD against reading the bytes once.

scenario_gen() {
	case "$1" in
	1)
		luo-test bench-gen1 || return
		echo 1 >/sys/kernel/kho/active
		e2e_kexec_next
		;;
	2)
		luo-test bench-gen2
		;;
	esac
}
