#!/usr/bin/env bash
# Captures that end badly midway: memsnap SIGKILLed, interrupted (SIGINT,
# SIGTERM, twice), or its target SIGKILLed, at each phase of a capture —
# stopping, copying, writing, renaming — reached through the test-only hold
# hook (capture/test_hold.h), never timed with sleep; and targets that exit
# as they are being captured.  Whatever happens the target is left running
# and untraced, no file appears under the name, and an interrupted memsnap
# exits 1 with one message, never dies of the signal.
#
# CAPTURE_KILL_REPEAT=N runs each held case N times and prints how many
# passed (bench/capture_kill_stress); the TAP output then has one line per
# case.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

REPEAT=${CAPTURE_KILL_REPEAT:-1}

start_sample S sparse -m 256 -t 64 || { t_result 1 "sparse starts"; done_testing; }

no_file() { test ! -e "$1" && test -z "$(ls -A | grep -F "$1")"; }

# The checks of every case that leaves the target running.
check_clean() {
	check "$1: no file under the final name" -- no_file "$2"
	check_unharmed S
}

# kill_at PHASE: memsnap SIGKILLed while held there; the kernel detaches its
# tracees and the O_TMPFILE output goes with it.
kill_at() {
	hold_start "$1"
	"$MEMSNAP" capture "$S_PID" -o killed.core -q &
	local m=$!
	check "SIGKILL at $1: memsnap reaches the phase" -- hold_wait "$1" "$m"
	kill -KILL "$m"
	wait "$m" 2>/dev/null
	check_eq "SIGKILL at $1: memsnap died of SIGKILL" 137 $?
	hold_end
	check_clean "SIGKILL at $1" killed.core
}

# signal_at SIG PHASE: memsnap interrupted there says so once and exits 1.
signal_at() {
	hold_start "$2"
	"$MEMSNAP" capture "$S_PID" -o int.core 2>err &
	local m=$!
	check "SIG$1 at $2: memsnap reaches the phase" -- hold_wait "$2" "$m"
	kill -"$1" "$m"
	hold_release
	wait "$m"
	check_eq "SIG$1 at $2: exit 1" 1 $?
	hold_end
	check "SIG$1 at $2: one message, with the pid and the signal" -- \
		grep -qx "memsnap: capture of process $S_PID interrupted by SIG$1: it runs on, nothing was written" err
	check_eq "SIG$1 at $2: said once" 1 "$(wc -l <err)"
	check_clean "SIG$1 at $2" int.core
}

# twice_at PHASE: two SIGTERMs there, and a third once memsnap has cleaned
# up and restored its signals: still exit 1, not death by SIGTERM (143).
# (SIGTERM: bash starts background jobs with SIGINT ignored.)
twice_at() {
	hold_start "$1,exiting"
	"$MEMSNAP" capture "$S_PID" -o twice.core 2>err &
	local m=$!
	check "two SIGTERMs at $1: memsnap reaches the phase" -- hold_wait "$1" "$m"
	kill -TERM "$m"
	kill -TERM "$m"
	hold_release
	check "two SIGTERMs at $1: memsnap reaches the end" -- hold_wait exiting "$m"
	kill -TERM "$m"
	hold_release
	wait "$m"
	check_eq "two SIGTERMs at $1, a third on the way out: exit 1, not death by SIGTERM" 1 $?
	hold_end
	check_eq "two SIGTERMs at $1: said once" 1 "$(grep -c 'interrupted by SIGTERM' err)"
	check_clean "two SIGTERMs at $1" twice.core
}

# target_killed_at PHASE: the target SIGKILLed while memsnap holds there.
# The verdict must not depend on how fast the kernel reports the deaths.
target_killed_at() {
	hold_start "$1"
	"$MEMSNAP" capture "$S_PID" -o gone.core 2>gone.err &
	local m=$!
	check "target killed at $1: memsnap reaches the phase" -- hold_wait "$1" "$m"
	kill -KILL "$S_PID"
	hold_release
	wait "$m"
	check_eq "target killed at $1: exit 1" 1 $?
	hold_end
	wait "$S_PID" 2>/dev/null
	check "target killed at $1: the message says the process exited during the capture" -- \
		grep -E "process $S_PID exited (during the capture|while memsnap was stopping it)" gone.err
	check_eq "target killed at $1: said once" 1 "$(wc -l <gone.err)"
	check "target killed at $1: no file" -- no_file gone.core
	start_sample S sparse -m 256 -t 64 || t_result 1 "sparse starts again"
}

# run_case NAME COMMAND...: once, as plain TAP checks; or REPEAT times, the
# checks' own lines in stress.log and one TAP line with the count.
run_case() {
	local name=$1 i failed=0 num=$T_NUM bad=$T_FAILED; shift
	if [ "$REPEAT" = 1 ]; then
		"$@"
		return
	fi
	for ((i = 0; i < REPEAT; i++)); do
		local before=$T_FAILED
		echo "# --- $name, run $((i + 1))" >>stress.log
		"$@" >>stress.log 2>&1
		[ "$T_FAILED" -gt "$before" ] && failed=$((failed + 1))
	done
	T_NUM=$num T_FAILED=$bad
	echo "# stress: $name: $((REPEAT - failed)) of $REPEAT passed"
	check_eq "$name, $REPEAT times: every run passes" 0 "$failed"
}

for phase in stopping copying writing renaming; do
	run_case "SIGKILL at $phase" kill_at "$phase"
done
run_case "SIGINT at stopping" signal_at INT stopping
for phase in copying writing renaming; do
	run_case "SIGTERM at $phase" signal_at TERM "$phase"
done
for phase in stopping copying writing renaming; do
	run_case "two SIGTERMs at $phase" twice_at "$phase"
done
for phase in stopping copying; do
	run_case "target killed at $phase" target_killed_at "$phase"
done

# A misspelt phase is refused before anything is touched.
MEMSNAP_TEST_HOLD=copyin MEMSNAP_TEST_HOLD_FIFO=$WORK/hold "$MEMSNAP" capture "$S_PID" -o bad.core 2>bad.err
check_eq "an unknown hold phase: exit 1" 1 $?
check "an unknown hold phase: named in the message" -- grep -q "'copyin' is no phase" bad.err
check_unharmed S

# --- targets on their way out: a clear answer every time, never a crash.
# With no delay memsnap may find the forked shell still calling exec (the
# issue's "exec'ing midway"): that too is exit 1 with a reason.
fails=0
for delay in 0 0 200 500 1000 2000 3000 5000 10000 20000 50000; do
	"$TESTS_DIR/quick_exit" "$delay" &
	q=$!
	"$MEMSNAP" capture "$q" -o quick.core -q 2>quick.err
	rc=$?
	wait "$q"
	if [ "$rc" = 0 ]; then
		eu-readelf -n quick.core >/dev/null 2>&1 || { fails=1; diag "delay $delay: a core eu-readelf cannot read"; }
	elif [ "$rc" = 1 ]; then
		grep -qE "no such process|exited|has exited|called exec" quick.err || { fails=1; diag "delay $delay: $(cat quick.err)"; }
		[ -e quick.core ] && { fails=1; diag "delay $delay: a file was left"; }
	else
		fails=1
		diag "delay $delay: exit $rc: $(cat quick.err)"
	fi
	rm -f quick.core
done
check "exiting targets: a readable core or exit 1 with a reason, every time" -- test "$fails" = 0

done_testing
