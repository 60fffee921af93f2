# e2e-append: kho_scratch=128M trace_buf_size=64K
# e2e-generations: 3
# Events of a module across kexecs, when the next kernel has the module at
# another time or not at all.  Generation 1 records kho_event_demo from
# the kho_event module.  Generation 2 does not load it: those records
# print from the format generation 1 recorded, through a shadow event that
# tracefs describes as previous_kho_event/kho_event_demo.  Generation 3
# loads it after boot (it may get any event id): its new records decode
# by its own event, the old ones still by the recorded format, and the
# scheduler events of both previous kernels still decode.  The module's
# trace_printk lines are written in the non-binary form (a handover is
# possible) and their address is named by the module table.

T=/sys/kernel/tracing
OLD='kho_event_demo: seq=[1-5] word=gen1$'

count() { grep -c "$1" $T/trace; }

scenario_gen() {
	case "$1" in
	1)
		e2e_check load-module insmod /modules/kho_event.ko word=gen1
		echo 1 >$T/events/kho_event/kho_event_demo/enable
		echo 1 >$T/events/sched/sched_switch/enable
		echo 5 >/sys/module/kho_event/parameters/emit
		e2e_check recorded test "$(count 'kho_event_demo: seq=[0-9] word=gen1')" -eq 5
		# A bounded number of scheduler records: on a slow kernel an
		# enabled sched_switch would overwrite the module's records.
		echo 0 >$T/events/sched/sched_switch/enable
		e2e_check activate sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	2)
		e2e_check module-not-loaded test ! -d /sys/module/kho_event
		e2e_check decoded-by-recorded-format test "$(count "$OLD")" -eq 5
		e2e_check nothing-else-gen1 test "$(count 'word=gen1')" -eq 5
		e2e_check shadow-described test -f $T/events/previous_kho_event/kho_event_demo/format
		e2e_check printk-text-with-module-address \
			test "$(count 'print: ip=\[kho_event\]+0x[0-9a-f]* buf=kho_event printk gen1 [1-5]$')" -eq 5
		e2e_check sched-decoded grep -q "sched_switch: prev_comm=" $T/trace
		echo 1 >$T/events/sched/sched_switch/enable
		sleep 0.1
		echo 0 >$T/events/sched/sched_switch/enable
		e2e_check activate-gen2 sh -c 'echo 1 > /sys/kernel/kho/active'
		e2e_kexec_next
		;;
	3)
		e2e_check load-module-gen3 insmod /modules/kho_event.ko word=gen3
		echo 1 >$T/events/kho_event/kho_event_demo/enable
		echo 2 >/sys/module/kho_event/parameters/emit
		e2e_check new-records-decoded test "$(count 'kho_event_demo: seq=[12] word=gen3$')" -eq 2
		e2e_check old-still-decoded test "$(count "$OLD")" -eq 5
		e2e_check carried-shadow-described test -f $T/events/previous_kho_event/kho_event_demo/format
		e2e_check sched-decoded-gen3 test "$(count 'sched_switch: prev_comm=')" -ge 2
		e2e_check no-unknown sh -c "! grep -q 'previous-kernel event type' $T/trace"
		e2e_done
		;;
	esac
}
