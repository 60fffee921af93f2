# e2e-append: kho_scratch=192M
# e2e-generations: 3
# kstate across three generations.  Gen 1 saves two objects of
# kstate_test (version 1): every field kind, memory by reference (a 16 KiB
# folio, 3 pages, a 5-page vmalloc area) and a kernel address.  Gen 2 tries three other builds of its description
# on object 0: one that reads only version 2 and one with a field resized
# but the version unchanged are both refused, in one line naming why (and
# the field), and leave the state in place; version 2, which added a
# field, restores object 1 and keeps the new field's default.  Then the
# version-1 build restores object 0 byte for byte and saves it again; gen 3
# restores it byte for byte once more, and a restore twice finds nothing.
# Each kernel also saves one object of its own: ftrace's configuration.

scenario_gen() {
	case "$1" in
	1)
		e2e_check save insmod /modules/kstate_test.ko save=0,1 seed=7
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_expect_log saved "kstate: saved 3 objects: [0-9]* bytes in 1 chunks"
		e2e_kexec_next
		;;
	2)
		e2e_expect_log indexed "kstate: 3 saved states from the previous kernel"
		e2e_check too-old-load insmod /modules/kstate_test_v2only.ko restore=0 seed=7
		e2e_expect_log too-old-refused \
			"kstate: kstate_test/0 refused: saved by a version older than min_version_id (saved at version 1)"
		e2e_expect_log too-old-returns-eproto "kstate_test_v2only: restore 0: -71"
		e2e_check resized-load insmod /modules/kstate_test_resized.ko restore=0 seed=7
		e2e_expect_log resized-refused-naming-field \
			"kstate: kstate_test/0 refused: layout changed without a version change: field 'magic' (saved at version 1)"
		e2e_check newer-load insmod /modules/kstate_test_v2.ko restore=1 seed=7
		e2e_expect_log newer-reads-older "kstate_test_v2: PASS restore 1: every byte (version 2)"
		e2e_check round-trip-load insmod /modules/kstate_test.ko restore=0,1 resave=1 seed=7
		e2e_expect_log round-trip-gen2 "kstate_test: PASS restore 0: every byte (version 1)"
		e2e_expect_log claimed-once "kstate_test: restore 1: -2"
		e2e_check no-failures sh -c '! dmesg | grep -q "kstate_test[a-z0-9_]*: FAIL"'
		e2e_check activate-gen2 sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_expect_log saved-gen2 "kstate: saved 2 objects"
		e2e_kexec_next
		;;
	3)
		e2e_check round-trip-load-gen3 insmod /modules/kstate_test.ko restore=0 seed=7
		e2e_expect_log round-trip-gen3 "kstate_test: PASS restore 0: every byte (version 1)"
		e2e_check no-failures-gen3 sh -c '! dmesg | grep -q "kstate_test[a-z0-9_]*: FAIL"'
		e2e_check finish sh -c 'echo 1 > /sys/firmware/kho/finish'
		e2e_check unload rmmod kstate_test
		;;
	esac
}
