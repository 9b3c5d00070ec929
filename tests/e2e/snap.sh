#!/usr/bin/env bash
# The target by name (capture/pid_operand.h) and `memsnap snap`.
#
# Names: copies of the leak sample under names of this run's own, so that no
# other process on the machine shares them.  An exact name is the process
# the kernel says has it (its pid, from our own $!); a name two processes
# carry is refused with exit 2 and both listed, with the user, start time
# (as ps reads /proc) and command line; a name nobody has is exit 1; digits
# are always a pid, even when another process is named by them, and './N'
# takes the process named N.
#
# snap: the database is NAME.PID.YYYYMMDDTHHMMSSZ.db, stamped between the
# times date gave before and after it, whole (sqlite3's integrity_check),
# the snapshot of that pid (its snapshot row), and no core is left; with
# --keep-core the core is there and eu-readelf reads it; a snap interrupted
# by SIGINT while its capture writes (held there by the test hook) leaves
# nothing, and the target runs on.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

# A copy of the sample called $1 (15 bytes at most: the kernel's comm).
copy_sample() {
	cp "$SAMPLES_DIR/leak" "$WORK/$1" && chmod +x "$WORK/$1"
}

# start_named VAR NAME: the sample started as ./NAME (comm NAME).
start_named() {
	local var=$1 name=$2
	local fifo=$WORK/$var.in out=$WORK/$var.out fd
	rm -f "$fifo"; mkfifo "$fifo"
	(cd "$WORK" && exec "./$name" -b 1000 <"$fifo" >"$out" 2>"$WORK/$var.err") &
	local pid=$!
	exec {fd}>"$fifo"
	T_PIDS+=("$pid")
	printf -v "${var}_PID" '%s' "$pid"
	printf -v "${var}_OUT" '%s' "$out"
	printf -v "${var}_FD" '%s' "$fd"
	wait_for_line "$out" '^ready$' 60
}

# db_pid DB: the pid the database's snapshot row holds (sqlite3 shell)
db_pid() { sql "$1" "SELECT pid FROM snapshot"; }
whole() { [ "$(sql "$1" 'PRAGMA integrity_check')" = ok ]; }

NAME=msn$$
NAME=${NAME:0:15}
copy_sample "$NAME"

# --- an exact name -------------------------------------------------------
start_named A "$NAME" || { t_result 1 "$NAME starts"; done_testing; }
mkdir exact
before=$(date -u +%Y%m%dT%H%M%SZ)
out=$("$MEMSNAP" snap "$NAME" -d exact -q 2>err.txt)
rc=$?
after=$(date -u +%Y%m%dT%H%M%SZ)
check_eq "snap by the exact name '$NAME' exits 0" 0 "$rc"
db=$(ls exact/*.db 2>/dev/null)
check_eq "it prints the database's path" "$db" "$out"
base=$(basename "$db")
check "the database is NAME.PID.YYYYMMDDTHHMMSSZ.db ('$base')" -- \
	bash -c "[[ '$base' =~ ^$NAME\.$A_PID\.[0-9]{8}T[0-9]{6}Z\.db$ ]]"
stamp=$(echo "$base" | sed -E 's/.*\.([0-9]{8}T[0-9]{6}Z)\.db$/\1/')
check "its time ($stamp) is between date's before ($before) and after ($after)" -- \
	bash -c "[[ ! '$stamp' < '$before' && ! '$stamp' > '$after' ]]"
check_eq "the snapshot is of the process named '$NAME' (pid from \$!)" "$A_PID" "$(db_pid "$db")"
check "the database is whole (PRAGMA integrity_check)" -- whole "$db"
check_eq "no core is left, nor anything else" 1 "$(ls -A exact | wc -l)"
check_eq "the database is private (mode 0600)" 600 "$(stat -c %a "$db")"

# --keep-core: the core beside the database, a core eu-readelf reads
mkdir kept
out=$("$MEMSNAP" snap "$A_PID" -d kept --keep-core -q 2>err.txt)
check_eq "snap --keep-core by pid exits 0" 0 $?
core=${out%.db}.core
check "the core is kept beside the database ($core)" -- test -f "$core"
check "eu-readelf reads the kept core as an ELF core" -- bash -c "eu-readelf -h '$core' | grep -q 'CORE (Core file)'"
check_eq "two files in the folder, no more" 2 "$(ls -A kept | wc -l)"

# --- a name two processes carry --------------------------------------------
start_named B "$NAME" || { t_result 1 "a second $NAME starts"; done_testing; }
"$MEMSNAP" snap "$NAME" -d exact -q 2>amb.txt
check_eq "a name two processes carry: exit 2" 2 $?
for pid in "$A_PID" "$B_PID"; do
	started=$(TZ=UTC ps -o lstart= -p "$pid" | xargs -I{} date -u -d {} +%Y-%m-%dT%H:%M:%SZ)
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ $//')
	check "pid $pid is listed with user root, start $started (ps) and '$cmd' (/proc)" -- \
		grep -qE "^ +$pid +root +$started +$cmd\$" amb.txt
done
check_eq "nothing was written" 1 "$(ls -A exact | wc -l)"
kill "$B_PID"; wait "$B_PID" 2>/dev/null

# --- no such process ---------------------------------------------------------
"$MEMSNAP" capture "nosuch$$" -o x.core 2>none.txt
check_eq "capture of a name nobody has: exit 1" 1 $?
check "it says no process is named so" -- grep -q "no process is named 'nosuch$$'" none.txt
check "and writes nothing" -- test ! -e x.core

# --- a name that is also a number ------------------------------------------
# A process named by A's pid: digits stay A's pid.
copy_sample "$A_PID"
start_named N "$A_PID" || { t_result 1 "a process named $A_PID starts"; done_testing; }
mkdir num
"$MEMSNAP" snap "$A_PID" -d num -q >/dev/null 2>err.txt
check_eq "snap $A_PID, a pid and another process's name: exit 0" 0 $?
check_eq "digits are the pid: the snapshot is of pid $A_PID, not of the process named so" "$A_PID" \
	"$(db_pid num/*.db)"
rm -f num/*
"$MEMSNAP" snap "./$A_PID" -d num -q >/dev/null 2>err.txt
check_eq "snap ./$A_PID: exit 0" 0 $?
check_eq "'./$A_PID' is the process named $A_PID (pid $N_PID)" "$N_PID" "$(db_pid num/*.db)"
# A number no process has as its pid, but one has as its name.
pid_max=$(cat /proc/sys/kernel/pid_max)
free_pid=$((pid_max - 1))
while [ -e "/proc/$free_pid" ]; do free_pid=$((free_pid - 1)); done
copy_sample "$free_pid"
start_named F "$free_pid" || { t_result 1 "a process named $free_pid starts"; done_testing; }
"$MEMSNAP" capture "$free_pid" -o y.core 2>num.txt
check_eq "capture $free_pid, no pid but a process's name: exit 1" 1 $?
check "it says to write './$free_pid' for the name" -- grep -qF "write './$free_pid' to take it by name" num.txt
kill "$N_PID" "$F_PID"; wait "$N_PID" "$F_PID" 2>/dev/null

# --- a snap interrupted while its capture writes: nothing is left ------------
mkdir intr
hold_start writing
"$MEMSNAP" snap "$A_PID" -d intr -q 2>intr.txt &
m=$!
check "snap reaches the capture's writing phase" -- hold_wait writing "$m"
kill -INT "$m"
hold_release
wait "$m"
check_eq "SIGINT while the capture writes: exit 1" 1 $?
hold_end
check "it says the capture was interrupted by SIGINT" -- grep -q "interrupted by SIGINT" intr.txt
check_eq "no core, no database, no temporary" 0 "$(ls -A intr | wc -l)"
check_unharmed A

# a folder that cannot be written: exit 1 before the target is touched
"$MEMSNAP" snap "$A_PID" -d /proc/self -q 2>ro.txt
check_eq "snap into a folder it cannot write: exit 1" 1 $?
check "it names the folder" -- grep -q "cannot write snapshots into '/proc/self'" ro.txt

done_testing
