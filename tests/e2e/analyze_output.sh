#!/usr/bin/env bash
# What analyze leaves behind: a SIGKILL mid-run leaves a temporary that the
# next run removes (and no one else's file is touched); a signal at the
# rename ends in exit 0 with the database or exit 1 without it; --force
# (analyze's and capture's) replaces regular files only.  strace's fault
# injection stops the run at a chosen system call, so each case is hit
# every time (LeakSanitizer cannot run under strace: off for those runs).
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample m tiny_threads || exit 1
"$MEMSNAP" capture "$m_PID" -o base.core >/dev/null 2>&1 || { t_result 1 "capture of tiny_threads"; done_testing; }

tmps() { find . -maxdepth 1 -name "$1.tmp-*" | sort; }

# SIGKILL at the first fsync: the database is being written, under its temporary name.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGKILL:when=1 "$MEMSNAP" analyze -q base.core -o k.db 2>/dev/null
check_eq "a SIGKILL at the first fsync kills analyze" 137 $?
left=$(tmps k.db)
check "it leaves its temporary behind (k.db.tmp-XXXXXX)" -- test -n "$left" -a ! -e k.db
# Temporaries that are not that run's: a live writer's (its lock held by flock(1)), another name's, a symlink.
touch k.db.tmp-LIVE01 k.db.tmp-other-name other.db.tmp-ABCDEF
ln -s base.core k.db.tmp-LINK01
mkfifo hold
exec {holdfd}<>hold
python3 -c 'import fcntl, sys
f = open("k.db.tmp-LIVE01", "rb")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()' <hold >holder.out 2>&1 &
holder=$!
T_PIDS+=("$holder")
wait_for_line holder.out '^locked$' 60 || t_result 1 "a process holds the lock of k.db.tmp-LIVE01"
"$MEMSNAP" analyze base.core -o k.db >out 2>err
check_eq "the next run exits 0" 0 $?
check "and says it removed what the killed run left" -- grep -qF "removed './${left#./}', left by an earlier run that was killed" err
check "the killed run's temporary is gone" -- test ! -e "$left"
check "a temporary whose writer holds its lock is kept" -- test -e k.db.tmp-LIVE01
check "a name beyond the pattern is kept" -- test -e k.db.tmp-other-name
check "another database's temporary is kept" -- test -e other.db.tmp-ABCDEF
check "a symlink of the pattern is kept" -- test -L k.db.tmp-LINK01
check_eq "the database is whole" ok "$(sql k.db 'PRAGMA integrity_check')"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

# SIGINT as the rename runs (strace delivers it on entry; the rename goes on).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o /dev/null -e trace=rename,renameat2 -e inject=rename,renameat2:signal=SIGINT "$MEMSNAP" analyze -q base.core -o r.db 2>err
status=$?
check_eq "a SIGINT at the rename: exit 0, as the database is complete" 0 $status
check_eq "and the database is there, whole" ok "$(sql r.db 'PRAGMA integrity_check' 2>&1)"
check "no temporary is left" -- test -z "$(tmps r.db)"

# SIGINT before the rename: exit 1, "interrupted", nothing left.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -o /dev/null -e trace=fsync -e inject=fsync:signal=SIGINT:when=1 "$MEMSNAP" analyze -q base.core -o i.db 2>err
check_eq "a SIGINT at the first fsync: exit 1" 1 $?
check "it says interrupted" -- grep -q "interrupted" err
check "no database and no temporary are left" -- test ! -e i.db -a -z "$(tmps i.db)"

# --force replaces regular files only.
mknod null-dev c 1 3
mkfifo out.fifo
for node in null-dev out.fifo; do
	before=$(stat -c %F "$node")
	"$MEMSNAP" analyze -q -f base.core -o "$node" 2>err
	check_eq "--force onto a $before: exit 1" 1 $?
	check "it says --force replaces regular files only" -- grep -q "not a regular file, and --force replaces regular files only" err
	check_eq "the $before is still there" "$before" "$(stat -c %F "$node")"
done
"$MEMSNAP" capture -q -f "$m_PID" -o null-dev 2>err
check_eq "capture --force onto a character device: exit 1" 1 $?
check "it says --force replaces regular files only" -- grep -q "not a regular file, and --force replaces regular files only" err
check_eq "the device is still there" "character special file" "$(stat -c %F null-dev)"
check "the target is neither stopped nor traced" -- test "$(proc_state "$m_PID")" != t -a "$(proc_state "$m_PID")" != T -a "$(tracer_pid "$m_PID")" = 0
echo old >regular.db
"$MEMSNAP" analyze -q -f base.core -o regular.db
check_eq "--force onto a regular file: exit 0" 0 $?
check_eq "it is replaced by the database" ok "$(sql regular.db 'PRAGMA integrity_check')"
done_testing
