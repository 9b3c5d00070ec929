#!/usr/bin/env bash
# memsnap stacks PID against eu-stack -p PID on the churn sample: the same
# threads, the same frames, the same names, line for line; then the frame
# cap (-n), modules (-m), and the errors.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample C churn -t 4 -n 300 || { t_result 1 "churn starts"; done_testing; }

"$MEMSNAP" stacks "$C_PID" >ours.txt 2>err
check_eq "stacks exits 0" 0 $?
check "it says how long the process was paused" -- grep -qE 'paused [0-9]+ ms' err
check_unharmed C
eu-stack -p "$C_PID" >theirs.txt 2>&1
check "the output is eu-stack -p's, line for line" -- diff theirs.txt ours.txt
for tid in $(truth C thread | awk '$1 != -1 {print $2}'); do
	check "worker $tid is in worker_block called from worker_main" -- \
		bash -c "sed -n '/^TID $tid:/,/^TID/p' ours.txt | grep -q ' worker_block\$' && sed -n '/^TID $tid:/,/^TID/p' ours.txt | grep -q ' worker_main\$'"
done
check "the main thread is in sample_serve called from main" -- \
	bash -c "sed -n '/^TID $C_PID:/,/^TID/p' ours.txt | grep -q ' sample_serve\$' && sed -n '/^TID $C_PID:/,/^TID/p' ours.txt | grep -q ' main\$'"

"$MEMSNAP" stacks -m "$C_PID" >mods.txt 2>/dev/null
eu-stack -m -p "$C_PID" >their-mods.txt 2>&1
check "-m names each frame's module as eu-stack -m does" -- diff their-mods.txt mods.txt

"$MEMSNAP" stacks -n 2 "$C_PID" >cut.txt 2>err
check_eq "stacks -n 2 exits 0" 0 $?
check "-n 2 prints two frames a thread" -- test "$(grep -c '^#' cut.txt)" -eq $((2 * $(grep -c '^TID' cut.txt)))
check "and says the stacks were cut" -- grep -q "stopped after 2 frames" err
check_unharmed C

"$MEMSNAP" stacks 2>/dev/null
check_eq "no pid is a usage error" 2 $?
"$MEMSNAP" stacks -n many "$C_PID" 2>/dev/null
check_eq "a bad -n is a usage error" 2 $?
nopid=4194000
while [ -e "/proc/$nopid" ]; do nopid=$((nopid + 1)); done
"$MEMSNAP" stacks "$nopid" 2>err
check_eq "a pid that does not exist: exit 1" 1 $?
check "the message says there is no such process" -- grep -q "no such process $nopid" err

done_testing
