#!/usr/bin/env bash
# Yama's ptrace_scope 1: a process may trace only its descendants unless it
# has CAP_SYS_PTRACE.  memsnap run as nobody (setpriv) against a process of
# nobody's that it did not start must say that Yama refused and what to do,
# exit 1, and leave nothing behind; with ptrace_scope 0 the same capture
# works.  The setting is the whole system's: it is put back as it was on
# every way out, and this test does not run beside others.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

yama=/proc/sys/kernel/yama/ptrace_scope
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ ! -w "$yama" ]; then
	skip "no Yama on this kernel ($yama): nothing to test"
	done_testing
fi
if ! "${nobody[@]}" test -x "$MEMSNAP" 2>/dev/null; then
	skip "setpriv cannot run memsnap as uid 65534 here"
	done_testing
fi
old=$(cat "$yama")
trap 'echo "$old" >"$yama"; t_cleanup' EXIT

chmod 711 "$WORK"
mkdir -p pub && chmod 1777 pub
# nobody's target, started by this shell: not a descendant of memsnap.
mkfifo t.in
"${nobody[@]}" "$SAMPLES_DIR/sparse" -m 8 -t 1 -r 1 <t.in >t.out 2>&1 &
t_pid=$!
T_PIDS+=("$t_pid")
exec {t_fd}>t.in
wait_for_line t.out '^ready$' 30 || { t_result 1 "the target starts as nobody"; done_testing; }

echo 1 >"$yama"
"${nobody[@]}" "$MEMSNAP" capture "$t_pid" -o pub/yama.core 2>err
check_eq "ptrace_scope 1, not an ancestor, no CAP_SYS_PTRACE: exit 1" 1 $?
check "the message says Yama refused, and what would do" -- \
	grep -qE "cannot trace process $t_pid: permission denied: kernel.yama.ptrace_scope is 1: only a process's ancestors may trace it; .*CAP_SYS_PTRACE" err
check "no file is left" -- test -z "$(ls -A pub)"
check_eq "the target is not traced" 0 "$(tracer_pid "$t_pid")"
st=$(proc_state "$t_pid")
check "the target is not stopped (state '$st')" -- test "$st" != t -a "$st" != T

echo 0 >"$yama"
"${nobody[@]}" "$MEMSNAP" capture "$t_pid" -o pub/yama.core -q 2>err
check_eq "ptrace_scope 0: the same capture works" 0 $?
echo "$old" >"$yama"
check_eq "ptrace_scope is as it was" "$old" "$(cat "$yama")"
check_eq "the target is not traced after it" 0 "$(tracer_pid "$t_pid")"
exec {t_fd}>&-

done_testing
