#!/usr/bin/env bash
# memsnap SIGKILLed while it reads the copy-on-write child of a fork
# capture (held at the "forked" phase): the kernel kills the child with it
# (PTRACE_O_EXITKILL, inherited from the thread that cloned), the target
# runs on untraced and gets no SIGCHLD, and no file is left.  The dead copy
# stays the target's zombie (only memsnap would have reaped it; it never
# runs and holds no memory): docs/capture.md says so.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample T fork_sidefx || { t_result 1 "fork_sidefx starts"; done_testing; }
hold_start forked
"$MEMSNAP" capture "$T_PID" -o killed.core --method fork -q &
m=$!
check "memsnap reaches the forked phase" -- hold_wait forked "$m"
child=$(awk '{print $1}' /proc/"$T_PID"/task/*/children 2>/dev/null | head -n 1)
check "the copy exists, stopped" -- test -n "$child" -a "$(proc_state "$child" 2>/dev/null)" = t
kill -KILL "$m"
wait "$m" 2>/dev/null
check_eq "memsnap died of SIGKILL" 137 $?
hold_end
st=
for ((i = 0; i < 200; i++)); do
	st=$(proc_state "$child" 2>/dev/null)
	[ "$st" = Z ] || [ -z "$st" ] && break
	sleep 0.05
done
check "the copy died with memsnap (state '${st:-gone}')" -- test "$st" = Z -o -z "$st"
check "no file under the name" -- test ! -e killed.core
check_unharmed T
send T report
wait_for_line "$T_OUT" '^timer ' 30
check_eq "the target got no SIGCHLD" 0 "$(truth T sigchld | tail -n 1)"
check_eq "a plain wait in the target finds nothing" none "$(truth T wait | tail -n 1)"
done_testing
