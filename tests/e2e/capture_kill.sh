#!/usr/bin/env bash
# Captures that end badly midway, on a target big enough to catch them in
# the act (2 GiB mapped, 1.5 GiB touched): memsnap SIGKILLed while the
# target is stopped and while the core is being written, memsnap
# interrupted (SIGINT, SIGTERM), the target killed while stopped, and
# targets that exit as they are being captured.  Whatever happens the
# target is left running and untraced, and no file appears under the name.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample S sparse -m 2048 -t 1536 || { t_result 1 "sparse starts"; done_testing; }

# wait_traced PID yes|no: until TracerPid of PID is (not) 0, at most 60 s.
wait_traced() {
	local i t
	for ((i = 0; i < 12000; i++)); do
		t=$(tracer_pid "$1" 2>/dev/null) || return 1
		if [ "$2" = yes ] && [ "${t:-0}" != 0 ]; then return 0; fi
		if [ "$2" = no ] && [ "${t:-0}" = 0 ]; then return 0; fi
		sleep 0.005
	done
	return 1
}
no_file() { test ! -e "$1" && test -z "$(ls -A | grep -F "$1")"; }

# --- SIGKILL while the target is stopped: the kernel detaches, the target runs on
"$MEMSNAP" capture "$S_PID" -o killed.core -q &
m=$!
check "memsnap stops the target" -- wait_traced "$S_PID" yes
kill -KILL "$m"
wait "$m" 2>/dev/null
check_eq "memsnap died of SIGKILL" 137 $?
check "no file under the final name" -- no_file killed.core
check_unharmed S

# --- SIGKILL while the core is being written (the target already runs)
"$MEMSNAP" capture "$S_PID" -o killed2.core -q &
m=$!
wait_traced "$S_PID" yes && wait_traced "$S_PID" no
sleep 0.2
if kill -0 "$m" 2>/dev/null; then
	kill -KILL "$m"
	wait "$m" 2>/dev/null
	check "SIGKILL while writing: no file under the final name" -- no_file killed2.core
else
	wait "$m"
	skip "the core was written before memsnap could be killed (a fast disk)"
fi
check_unharmed S

# --- SIGINT while stopped, SIGTERM while writing: "interrupted", exit 1
"$MEMSNAP" capture "$S_PID" -o int.core 2>err &
m=$!
wait_traced "$S_PID" yes
kill -INT "$m"
wait "$m"
check_eq "SIGINT while the target is stopped: exit 1" 1 $?
check "the message says interrupted" -- grep -qx "memsnap: interrupted" err
check "no file" -- no_file int.core
check_unharmed S

"$MEMSNAP" capture "$S_PID" -o term.core 2>err &
m=$!
wait_traced "$S_PID" yes && wait_traced "$S_PID" no
sleep 0.2
if kill -0 "$m" 2>/dev/null; then
	kill -TERM "$m"
	wait "$m"
	check_eq "SIGTERM while writing: exit 1" 1 $?
	check "the message says interrupted" -- grep -qx "memsnap: interrupted" err
	check "no file" -- no_file term.core
else
	wait "$m"
	skip "the core was written before memsnap could be interrupted"
fi
check_unharmed S

# --- the target is killed while stopped
"$MEMSNAP" capture "$S_PID" -o gone.core 2>gone.err &
m=$!
wait_traced "$S_PID" yes
kill -KILL "$S_PID"
wait "$m" 2>/dev/null
check_eq "the target dies midway: exit 1" 1 $?
check "the message says the process exited during the capture" -- grep -E "process $S_PID exited (during the capture|while memsnap was stopping it)" gone.err
check "no file" -- no_file gone.core

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
