#!/usr/bin/env bash
# What a fork capture refuses, and what --method auto does then: a seccomp
# filter (tests/e2e/fork_refusals.c -s), no pid left (a pids cgroup whose
# pids.max is what the target already has: the kernel's clone answers
# EAGAIN), too little memory left in the target's memory cgroup, a vfork
# child, a process whose thread waits in vfork.  --method fork exits 1 with
# the reason; --method auto captures while stopped and says why; the core
# then says method=stop.  The target is unharmed and left without a child.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

settings() { python3 "$SOURCE_ROOT/tests/e2e/elfnote.py" "$1" MEMSNAP settings; }

# The cgroups made here go, whatever happens: after the targets (t_cleanup), or
# they could not be removed.
CGROUPS=()
trap 't_cleanup; for d in "${CGROUPS[@]}"; do rmdir "$d" 2>/dev/null; done' EXIT

# refused LABEL VAR PATTERN: --method fork fails with PATTERN, auto falls back.
refused() {
	local pidvar=${2}_PID
	local pid=${!pidvar}
	"$MEMSNAP" capture "$pid" -o f.core --method fork 2>err
	check_eq "$1: --method fork exits 1" 1 $?
	check "$1: it says why" -- grep -qE "^memsnap: cannot capture process $pid by fork: .*$3" err
	check "$1: no file" -- test ! -e f.core
	"$MEMSNAP" capture "$pid" -o a.core --method auto 2>err
	check_eq "$1: --method auto exits 0" 0 $?
	check "$1: auto says it captured while stopped, and why" -- grep -qE "^memsnap: process $pid is captured while stopped: .*$3" err
	check "$1: the core says method=stop" -- grep -qx method=stop <(settings a.core)
	check_eq "$1: the target has no child" "" "$(cat /proc/"$pid"/task/*/children)"
	check_unharmed "$2"
	rm -f a.core
}

start_sample S fork_refusals -s -m 32 || { t_result 1 "fork_refusals -s starts"; done_testing; }
check_eq "the seccomp target runs under a filter" 2 "$(awk '/^Seccomp:/ {print $2}' /proc/"$S_PID"/status)"
refused seccomp S "seccomp"

# pids.max: cgroup v1's pids controller, or v2's
start_sample N fork_refusals -m 32 || { t_result 1 "fork_refusals starts"; done_testing; }
pids_dir=
for root in /sys/fs/cgroup/pids /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ -e "$root/cgroup.procs" ] || continue
	[ "$root" = /sys/fs/cgroup/pids ] || grep -qw pids "$root/cgroup.subtree_control" 2>/dev/null || continue
	d=$root/memsnap-fork-$$
	mkdir "$d" 2>/dev/null && CGROUPS+=("$d")
	if [ -d "$d" ] && echo "$N_PID" >"$d/cgroup.procs" 2>/dev/null; then
		pids_dir=$d
		break
	fi
	rmdir "$d" 2>/dev/null
done
if [ -n "$pids_dir" ]; then
	cat "$pids_dir/pids.current" >"$pids_dir/pids.max"
	refused "pids.max reached" N "clone failed: Resource temporarily unavailable"
	echo max >"$pids_dir/pids.max"
	echo "$N_PID" >"$(dirname "$pids_dir")/cgroup.procs"
	rmdir "$pids_dir"
else
	skip "no writable cgroup with the pids controller here: pids.max not tried"
fi

# memory: a memory cgroup with 1 MiB of room
mem_dir=
for spec in "/sys/fs/cgroup/memory memory.limit_in_bytes memory.usage_in_bytes" "/sys/fs/cgroup memory.max memory.current" \
	"/sys/fs/cgroup/unified memory.max memory.current"; do
	read -r root limit usage <<<"$spec"
	[ -e "$root/cgroup.procs" ] || continue
	[ "$limit" = memory.limit_in_bytes ] || grep -qw memory "$root/cgroup.subtree_control" 2>/dev/null || continue
	d=$root/memsnap-fork-mem-$$
	mkdir "$d" 2>/dev/null && CGROUPS+=("$d")
	if [ -d "$d" ] && echo "$N_PID" >"$d/cgroup.procs" 2>/dev/null; then
		mem_dir=$d
		break
	fi
	rmdir "$d" 2>/dev/null
done
if [ -n "$mem_dir" ]; then
	echo $(($(cat "$mem_dir/$usage") + (1 << 20))) >"$mem_dir/$limit"
	refused "1 MiB of room in the memory cgroup" N "do not fit in the .* left by $mem_dir"
	echo "$N_PID" >"$(dirname "$mem_dir")/cgroup.procs"
	rmdir "$mem_dir"
else
	skip "no writable memory cgroup here: the memory headroom not tried"
fi

# vfork: the child that shares its parent's memory, and the parent waiting for it
start_sample V fork_refusals -v -m 32 || { t_result 1 "fork_refusals -v starts"; done_testing; }
child=$(truth V child)
V_PARENT=$V_PID
V_PID=$child
"$MEMSNAP" capture "$child" -o f.core --method fork 2>err
check_eq "vfork child: --method fork exits 1" 1 $?
check "vfork child: it says why" -- grep -q "it is a vfork child of process $V_PARENT" err
"$MEMSNAP" capture "$child" -o a.core --method auto 2>err
check_eq "vfork child: --method auto exits 0" 0 $?
check "vfork child: auto captured while stopped" -- grep -qx method=stop <(settings a.core)
"$MEMSNAP" capture "$V_PARENT" -o f.core --method fork 2>err
check_eq "vfork parent: --method fork exits 1, before any stop" 1 $?
check "vfork parent: it says why" -- grep -q "a thread of it waits in vfork for process $child" err
check_eq "vfork parent: not traced" 0 "$(tracer_pid "$V_PARENT")"
send V go
wait_for_line "$V_OUT" '^vfork over$' 30
check "the vfork ends as the program wants" -- grep -qx "vfork over" "$V_OUT"
V_PID=$V_PARENT
check_unharmed V
done_testing
