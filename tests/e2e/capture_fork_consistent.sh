#!/usr/bin/env bash
# A fork capture is one instant: threads that never stop writing a sequence
# number to a[t] and then to b[t], on another page (tests/e2e/fork_pairs.c),
# show in the core, as gdb reads it, a[t] == b[t] or a[t] == b[t] + 1 for
# every thread, in every one of several captures; and the numbers move on
# from one capture to the next (the threads did run between them).  A copy
# read from the running process would show b[t] > a[t].
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample P fork_pairs -t 4 || { t_result 1 "fork_pairs starts"; done_testing; }
a=$(truth P a)
b=$(truth P b)
n=$(truth P threads)
stride=$(truth P stride)
words=$((n * stride / 8))

# values CORE ADDR: every thread's number at ADDR in the core, one a line
values() {
	gdb -nx -batch -ex "x/${words}gu $2" "$TESTS_DIR/fork_pairs" "$1" 2>/dev/null |
		sed -n 's/^0x[0-9a-f]*[^:]*:[[:space:]]*//p' | tr -s ' \t' '\n' | sed '/^$/d' |
		awk -v s=$((stride / 8)) '(NR - 1) % s == 0'
}

for i in 1 2 3; do
	"$MEMSNAP" capture "$P_PID" -o p$i.core --method fork -q
	check_eq "capture $i by fork exits 0" 0 $?
	values p$i.core "$a" >a$i
	values p$i.core "$b" >b$i
	check_eq "capture $i: gdb reads a number per thread in a and b" "$n $n" "$(wc -l <a$i) $(wc -l <b$i)"
	check "capture $i: a[t] - b[t] is 0 or 1 for every thread" -- \
		awk 'NR == FNR {a[FNR] = $1; next} {d = a[FNR] - $1; if (d != 0 && d != 1) {print "thread " FNR ": a " a[FNR] " b " $1; bad = 1}} END {exit bad}' a$i b$i
	[ "$i" -gt 1 ] && check "capture $i: every thread ran since the last capture" -- \
		awk 'NR == FNR {p[FNR] = $1; next} $1 <= p[FNR] {bad = 1} END {exit bad}' a$((i - 1)) a$i
done
check_unharmed P
done_testing
