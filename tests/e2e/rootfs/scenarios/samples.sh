# e2e-append: kho_scratch=192M liveupdate=on
# e2e-generations: 3
# The samples of Documentation/kho/porting.rst, one per way to hand state
# over, across two kexecs: a KHO notifier, a subtree of mainline's API,
# kstate, and a Live Update file handler whose file a program keeps in a
# /dev/liveupdate session.  Each generation loads all four; each reports
# what the previous generation handed it.

samples="sample_kho_notifier sample_kho_subtree sample_kstate sample_liveupdate"

scenario_gen() {
	local gen=$1 prev=$(($1 - 1)) m
	for m in $samples; do
		e2e_check "$m-load" insmod /modules/$m.ko
	done
	if [ "$gen" -gt 1 ]; then
		e2e_expect_log notifier-state "sample_kho_notifier: generation $prev handed over: written in generation $prev$"
		e2e_expect_log subtree-state "sample_kho_subtree: generation $prev handed over: written in generation $prev$"
		e2e_expect_log kstate-state "sample_kstate: generation $prev handed over: written in generation $prev, page says: page of generation $prev$"
		e2e_check liveupdate-file sh -c \
			"luo-test show sample | grep -q 'file of session sample, [0-9]* bytes: kept in generation $prev$'"
	fi
	e2e_check no-sample-warnings sh -c '! dmesg | grep -E "sample_[a-z_]+: .*(ignored|refused|no page)"'
	if [ "$gen" -eq 3 ]; then return; fi
	e2e_check liveupdate-keep sh -c \
		"luo-test keep-file sample /dev/liveupdate_sample 'kept in generation $gen' >/dev/null"
	e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
	e2e_kexec_next
}
