#!/usr/bin/env bash
# The thread a fork capture injects its clone into is put back exactly:
# caught in clock_nanosleep (the kernel restarts it through
# restart_syscall), the sleep neither ends early nor fails, and lasts what
# was asked, as the process itself measures it (tests/e2e/fork_sidefx.c
# "nap").  A thread in ppoll with a signal mask (which the kernel puts back
# on the way out) is not injected into: with no other thread, --method fork
# refuses, --method auto captures while stopped, and the ppoll too ends on
# time.  The thread's system call is seen in /proc/PID/syscall, the
# kernel's word, before each capture.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

NAP_MS=6000
# in_syscall PID NR: the main thread is blocked in system call NR
in_syscall() { [ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = "$2" ]; }
# wait_syscall PID NR: up to 30 s for it
wait_syscall() {
	for ((i = 0; i < 600; i++)); do in_syscall "$1" "$2" && return 0; sleep 0.05; done
	return 1
}

start_sample T fork_sidefx || { t_result 1 "fork_sidefx starts"; done_testing; }
# asm/unistd_64.h: clock_nanosleep 230, ppoll 271
send T "nap $NAP_MS"
check "the target sleeps in clock_nanosleep" -- wait_syscall "$T_PID" 230
"$MEMSNAP" capture "$T_PID" -o nap.core --method fork -q
check_eq "capture --method fork of a sleeping thread exits 0" 0 $?
if grep -q '^nap ' "$T_OUT"; then
	skip "the sleep ended before the capture did (a machine this slow cannot tell)"
else
	# asm/unistd_64.h: restart_syscall 219, where the kernel resumes an interrupted sleep
	check "the capture injected into the thread while it slept: it sleeps on, in restart_syscall" -- in_syscall "$T_PID" 219
fi
wait_for_line "$T_OUT" '^nap ' 60
read -r rc elapsed < <(sed -nE 's/^nap rc=([0-9]+) elapsed=([0-9]+)/\1 \2/p' "$T_OUT")
check_eq "clock_nanosleep returned 0, not EINTR (4)" 0 "$rc"
check "it slept the $NAP_MS ms asked, not less (${elapsed} ms)" -- test "${elapsed:-0}" -ge "$NAP_MS"
check_unharmed T

send T "ppollnap $NAP_MS"
check "the target waits in ppoll" -- wait_syscall "$T_PID" 271
"$MEMSNAP" capture "$T_PID" -o ppoll.core --method fork 2>err
check_eq "capture --method fork of a process in ppoll exits 1" 1 $?
check "it says why" -- grep -q "every thread is in a stop or a system call that a clone may not be injected into" err
"$MEMSNAP" capture "$T_PID" -o ppoll.core --method auto -q
check_eq "capture --method auto captures it while stopped" 0 $?
wait_for_line "$T_OUT" '^ppollnap ' 60
read -r rc elapsed < <(sed -nE 's/^ppollnap rc=([0-9]+) elapsed=([0-9]+)/\1 \2/p' "$T_OUT")
check_eq "ppoll returned 0" 0 "$rc"
check "it waited the $NAP_MS ms asked (${elapsed} ms)" -- test "${elapsed:-0}" -ge "$NAP_MS"
check_unharmed T
done_testing
