#!/usr/bin/env bash
# A process whose threads are born and die all the time (thread_spawner):
# threads created while memsnap stops the others are traced from birth
# (PTRACE_O_TRACECLONE), threads that exit are dropped, and every capture
# still yields a core whose threads gdb lists, with the process unharmed.
. "$(dirname "$0")/lib.sh"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"
cd "$WORK" || exit 1

start_sample T thread_spawner -t 4 || { t_result 1 "thread_spawner starts"; done_testing; }
EXE=$TESTS_DIR/thread_spawner

fails=0
for i in 1 2 3 4 5 6 7 8; do
	if ! "$MEMSNAP" capture "$T_PID" -o t$i.core -q 2>err; then
		fails=1
		diag "capture $i: $(cat err)"
		continue
	fi
	n_prstatus=$(eu-readelf -n t$i.core | grep -cE '^  CORE +[0-9]+  PRSTATUS$')
	n_names=$("$ELFNOTE" t$i.core MEMSNAP threads | wc -l)
	n_gdb=$(gdb -batch -ex 'info threads' "$EXE" t$i.core 2>/dev/null | grep -cE '^\*? +[0-9]+ +Thread ')
	# The main thread and the 4 spawners always live; short-lived ones come and go.
	if [ "$n_prstatus" -lt 5 ] || [ "$n_prstatus" != "$n_names" ] || [ "$n_prstatus" != "$n_gdb" ]; then
		fails=1
		diag "capture $i: $n_prstatus PRSTATUS, $n_names names, gdb sees $n_gdb threads"
	fi
done
check "8 captures in a row, each with every thread (PRSTATUS = names = gdb's threads >= 5)" -- test "$fails" = 0
check "gdb finds the spawners' function in the last core" -- \
	bash -c "gdb -batch -ex 'thread apply all bt' '$EXE' t8.core 2>/dev/null | grep -q ' spawner '"
check_unharmed T
count1=$(send T count; sleep 0.3; truth T count | tail -n 1)
sleep 0.5
send T count
wait_for_line "$T_OUT" "^count " 5
count2=$(truth T count | tail -n 1)
check "threads are still being born after the captures" -- test "${count2:-0}" -gt "${count1:-0}"

fails=0
for i in 1 2 3 4 5; do
	out=$("$MEMSNAP" stacks -q "$T_PID" 2>&1) || { fails=1; diag "stacks $i: $out"; continue; }
	[ "$(grep -c '^TID ' <<<"$out")" -ge 5 ] || { fails=1; diag "stacks $i: $(grep -c '^TID ' <<<"$out") threads"; }
done
check "memsnap stacks on the same process, 5 times: every thread each time" -- test "$fails" = 0
check_unharmed T

done_testing
