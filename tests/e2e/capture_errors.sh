#!/usr/bin/env bash
# Captures that cannot succeed: a pid that does not exist, a kernel thread,
# another user's process and a non-dumpable one (memsnap run as nobody with
# setpriv), a process another debugger traces, an output folder that is not
# there, a full disk.  Each must end with exit 1 and a message that says
# which rule said no, leave no file behind, and leave the target unharmed.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample C churn -t 2 -n 300 || { t_result 1 "churn starts"; done_testing; }

# --- usage errors: exit 2
"$MEMSNAP" capture 2>/dev/null
check_eq "no pid is a usage error" 2 $?
"$MEMSNAP" capture 12x 2>err
check_eq "a pid that is not a number is a usage error" 2 $?
check "and it is named" -- grep -q "invalid process id '12x'" err
"$MEMSNAP" capture 1 2 2>/dev/null
check_eq "two pids are a usage error" 2 $?

# --- no such process
nopid=4194000
while [ -e "/proc/$nopid" ]; do nopid=$((nopid + 1)); done
"$MEMSNAP" capture "$nopid" -o none.core 2>err
check_eq "a pid that does not exist: exit 1" 1 $?
check "the message says there is no such process" -- grep -q "no such process $nopid" err
check "and no file is written" -- test ! -e none.core

# --- a kernel thread
kthread=$(awk '$2 == "(kthreadd)" {print $1}' /proc/2/stat 2>/dev/null)
if [ -n "$kthread" ]; then
	"$MEMSNAP" capture "$kthread" -o k.core 2>err
	check_eq "a kernel thread: exit 1" 1 $?
	check "the message says it is a kernel thread" -- grep -q "kernel thread" err
else
	skip "no kthreadd at pid 2 here"
fi

# --- the output cannot be written: before the target is touched
"$MEMSNAP" capture "$C_PID" -o "$WORK/no/such/folder/x.core" 2>err
check_eq "a missing output folder: exit 1" 1 $?
check "the message names the folder" -- grep -q "no/such/folder" err
check_unharmed C

# --- another user's process, and a non-dumpable one: memsnap as nobody
chmod 711 "$WORK"
mkdir -p pub && chmod 1777 pub
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$MEMSNAP"; then
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	"${nobody[@]}" "$MEMSNAP" capture "$C_PID" -o pub/other.core 2>err
	check_eq "another user's process: exit 1" 1 $?
	check "the message says whose it is and what would be needed" -- \
		grep -qE "permission denied: process $C_PID \(churn\) belongs to uid 0 .*CAP_SYS_PTRACE" err
	check "no file is left" -- test -z "$(ls -A pub)"
	check_unharmed C
	"${nobody[@]}" "$MEMSNAP" stacks "$C_PID" >/dev/null 2>err
	check_eq "stacks of another user's process: exit 1" 1 $?
	check_unharmed C

	# The undumpable program runs as nobody too: only the dumpable rule stops it.
	mkfifo ud.in
	"${nobody[@]}" "$TESTS_DIR/undumpable" <ud.in >ud.out 2>&1 &
	ud_pid=$!
	T_PIDS+=("$ud_pid")
	exec {ud_fd}>ud.in
	wait_for_line ud.out '^ready$' 30
	"${nobody[@]}" "$MEMSNAP" capture "$ud_pid" -o pub/ud.core 2>err
	check_eq "a non-dumpable process: exit 1" 1 $?
	check "the message says it is not dumpable" -- grep -q "is not dumpable" err
	check "no file is left" -- test -z "$(ls -A pub)"
	check_eq "the non-dumpable process is not traced" 0 "$(tracer_pid "$ud_pid")"
	"$MEMSNAP" capture "$ud_pid" -o ud-root.core -q
	check_eq "root (CAP_SYS_PTRACE) may capture it" 0 $?
	exec {ud_fd}>&-
else
	skip "setpriv cannot switch to uid 65534 here"
	skip "setpriv cannot switch to uid 65534 here"
fi
if [ -r /proc/sys/kernel/yama/ptrace_scope ]; then
	diag "kernel.yama.ptrace_scope is $(cat /proc/sys/kernel/yama/ptrace_scope)"
fi

# --- already traced by a debugger
gdb -batch -p "$C_PID" -ex 'shell sleep 4' >/dev/null 2>&1 &
gdb_pid=$!
for _ in $(seq 200); do [ "$(tracer_pid "$C_PID")" != 0 ] && break; sleep 0.05; done
"$MEMSNAP" capture "$C_PID" -o traced.core 2>err
check_eq "a process gdb traces: exit 1" 1 $?
check "the message names the tracer" -- grep -qE "already traced by process [0-9]+ \(gdb\)" err
check "no file is written" -- test ! -e traced.core
wait "$gdb_pid"
check_unharmed C

# --- a full disk: a small tmpfs
mkdir -p small
if mount -t tmpfs -o size=8m memsnap-test small 2>/dev/null; then
	trap 'umount "$WORK/small" 2>/dev/null; t_cleanup' EXIT
	"$MEMSNAP" capture "$C_PID" -o small/full.core 2>err
	check_eq "a full disk: exit 1" 1 $?
	check "the message says the disk is full" -- grep -q "No space left on device" err
	check "nothing is left on the disk" -- test "$(df --output=used -k small | tail -n 1 | tr -d ' ')" -eq 0 -a -z "$(ls -A small)"
	check_unharmed C
	"$MEMSNAP" capture "$C_PID" -o small/full.core --stage-limit 0 2>err
	check_eq "a full disk while writing with the target stopped: exit 1" 1 $?
	check "nothing is left on the disk either" -- test -z "$(ls -A small)"
	check_unharmed C
	umount small
else
	skip "cannot mount a tmpfs here"
fi

done_testing
