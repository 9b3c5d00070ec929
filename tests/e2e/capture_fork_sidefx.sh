#!/usr/bin/env bash
# What a fork capture does to its target, as the target itself sees it
# (tests/e2e/fork_sidefx.c): no SIGCHLD, no child and no zombie left (the
# kernel's /proc/PID/task/*/children, and a wait with __WALL that would
# collect one), a POSIX timer still ticking, and, while the copy-on-write
# child is alive (held at the "forked" phase), a pipe, a socket pair and a
# flock that the target closes are closed for good: the child holds no copy
# of them.  The same checks on a target that fork()ed a child of its own
# show what a copy would do: they can fail.  And the memory a fork does not
# copy as it is (MAP_SHARED, MADV_DONTFORK, MADV_WIPEONFORK) is in the core
# as it was at the stop, as gdb reads it, though the target overwrote the
# shared region while the copy was read.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

# answer VAR KEY: the last "KEY value" line the sample printed
answer() { truth "$1" "$2" | tail -n 1; }
# ask VAR CMD LASTKEY: sends CMD and waits for its last line
ask() {
	local outvar=${1}_OUT n
	n=$(grep -c "^$3 " "${!outvar}")
	send "$1" "$2"
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -c "^$3 " "${!outvar}")" -gt "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

start_sample T fork_sidefx || { t_result 1 "fork_sidefx starts"; done_testing; }
send T open
wait_for_line "$T_OUT" '^opened$' 30
send T regions
wait_for_line "$T_OUT" '^wipeonfork ' 30
check_eq "the target holds a pipe, a socket pair, a flock, a timer and its three regions" "" "$(grep '^error' "$T_OUT")"

hold_start forked
"$MEMSNAP" capture "$T_PID" -o t.core --method fork 2>err &
m=$!
check "memsnap reaches the forked phase" -- hold_wait forked "$m"
child=$(awk '{print $1}' /proc/"$T_PID"/task/*/children 2>/dev/null | head -n 1)
check "the copy is the target's child, stopped and traced by memsnap" -- \
	test -n "$child" -a "$(proc_state "$child" 2>/dev/null)" = t -a "$(tracer_pid "$child" 2>/dev/null)" = "$m"
ask T close lock
ask T scribble scribble
hold_release
wait "$m"
check_eq "memsnap capture --method fork exits 0" 0 $?
hold_end
check_eq "the target closed its pipe's write end: end of file while the copy lived" eof "$(answer T pipe)"
check_eq "the target closed its socket: end of file while the copy lived" eof "$(answer T socket)"
check_eq "the target closed its locked file: the flock was free while the copy lived" free "$(answer T lock)"
check "the capture was by fork (settings note)" -- grep -qx "method=fork" <(python3 "$SOURCE_ROOT/tests/e2e/elfnote.py" t.core MEMSNAP settings)
# first_byte ADDR: the byte at ADDR in the core, as gdb reads it, in hex
first_byte() { gdb -nx -batch -ex "x/1xb $1" "$TESTS_DIR/fork_sidefx" t.core 2>/dev/null | awk -F'\t' '/^0x[0-9a-f]+:/ {print $2}'; }
check_eq "MAP_SHARED: the core has the bytes of the stop ('S'), not those written after it" 0x53 "$(first_byte "$(answer T shared)")"
check_eq "MADV_DONTFORK: the core has the bytes ('D') the copy never had" 0x44 "$(first_byte "$(answer T dontfork)")"
check_eq "MADV_WIPEONFORK: the core has the bytes ('W'), not the copy's zeros" 0x57 "$(first_byte "$(answer T wipeonfork)")"
check "the copy is gone" -- test ! -e "/proc/$child"
check_eq "no child is listed under any thread of the target" "" "$(cat /proc/"$T_PID"/task/*/children)"
check_unharmed T
ask T report timer
check_eq "the target got no SIGCHLD" 0 "$(answer T sigchld)"
check_eq "the target lists no child of its own" 0 "$(answer T children)"
check_eq "a plain wait in the target finds nothing" none "$(answer T wait)"
check_eq "the target's POSIX timer still ticks" alive "$(answer T timer)"
ask T wall wall
check_eq "a wait with __WALL finds no zombie either" none "$(answer T wall)"
check_eq "memsnap said nothing but its summary" 1 "$(wc -l <err)"

# The control: a real fork() child holds copies of everything.
start_sample C fork_sidefx || { t_result 1 "the control starts"; done_testing; }
send C open
wait_for_line "$C_OUT" '^opened$' 30
ask C forkhold forked
ask C close lock
check_eq "control: a fork()ed copy keeps the pipe open" open "$(answer C pipe)"
check_eq "control: a fork()ed copy keeps the socket open" open "$(answer C socket)"
check_eq "control: a fork()ed copy keeps the flock" held "$(answer C lock)"
kill -KILL "$(answer C forked)"
for ((i = 0; i < 200; i++)); do ask C report timer; [ "$(answer C sigchld)" = 1 ] && break; done
check_eq "control: a child's death sends SIGCHLD, and the target counts it" 1 "$(answer C sigchld)"
done_testing
