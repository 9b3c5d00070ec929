#!/usr/bin/env bash
# Captures of a process that calls execve meanwhile: the samples' "exec N"
# runs the program again N times in a row, each time from a thread of its
# own, so the kernel retires the main thread and hands its id to the new
# image (fs/exec.c de_thread), the hardest exec for a tracer to follow.
# Small captures (--segments vdso) are taken one after another during each
# burst, so that execs land at every point of a capture, while memsnap is
# stopping the threads too.  Every capture must end cleanly: a core that
# eu-readelf reads, or exit 1 with a message that says why; never a hang.
# After each burst, the image left is running, not stopped, not traced.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample C churn -t 4 -n 10 || { t_result 1 "churn starts"; done_testing; }

bursts=4 per_burst=30

# wait_done N: until the sample has said "exec done" N times, at most 60 s.
wait_done() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(grep -c '^exec done$' "$C_OUT")" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
cores=0 exec_msgs=0 bad=0
for ((b = 1; b <= bursts; b++)); do
	send C "exec $per_burst"
	for ((i = 0; i < 40; i++)); do
		# A capture that hangs is a failure: 60 s is far beyond any of these.
		timeout -s KILL 60 "$MEMSNAP" capture "$C_PID" -o exec.core --force -q --segments vdso 2>exec.err
		rc=$?
		if [ "$rc" = 0 ]; then
			if eu-readelf -n exec.core >/dev/null 2>&1; then
				cores=$((cores + 1))
			else
				bad=$((bad + 1))
				diag "burst $b: a core eu-readelf cannot read"
			fi
		elif [ "$rc" = 1 ] && grep -qx "memsnap: process $C_PID called exec while memsnap was stopping it; try again" exec.err; then
			exec_msgs=$((exec_msgs + 1))
		else
			bad=$((bad + 1))
			diag "burst $b: exit $rc: $(cat exec.err)"
		fi
		rm -f exec.core
	done
	check "burst $b: the execs are over" -- wait_done "$b"
	check_unharmed C
	check_eq "burst $b: it is still churn (comm)" churn "$(cat "/proc/$C_PID/comm")"
done
diag "$cores cores written, $exec_msgs captures refused for an exec midway"
check_eq "every capture: a readable core, or exit 1 saying the process called exec" 0 "$bad"
check "some capture was written" -- test "$cores" -gt 0

done_testing
