#!/usr/bin/env bash
# `memsnap watch` against the leak sample's own account of what it leaked.
#
# The phases come from the test hook (capture/test_hold.h), never from the
# interval: watch holds at "snapshot" before each capture, and each capture
# at "writing", once the target runs again.  At each hold the sample takes a
# step (a 1000-byte block and a 48-byte label, both dropped, and a record it
# keeps) and the test reads "done N" in the sample's log.  So the blocks of
# step 2k-1 are leaked entirely before snapshot k's pause, and those of step
# 2k after it ended: the first are born in snapshot k, the second in k+1.
#
# 1. Six snapshots, --fail-on-leak: each database's definite leaks (the
#    sqlite3 shell) are exactly the blocks the sample said it leaked before
#    that snapshot's pause; the line's "new definite leaks" agree with that
#    truth; the exit status is 3 (and with the same databases `memsnap diff
#    --fail-on-leak` says 3 too); `memsnap trend` on the six databases puts
#    each leaked block's birth in the snapshot the steps say.
# 2. --keep 2, SIGINT while the fourth capture writes: that snapshot is
#    discarded, the summary says SIGINT, exit 0; only the baseline and the
#    third database are left, whole (PRAGMA integrity_check), no core, no
#    temporary.
# 3. The target exits between two snapshots: the watch ends with a summary
#    that says so, exit 0 (--fail-on-leak, nothing leaked meanwhile).
# 4. Between snapshots memsnap sleeps in poll (the kernel's state and wchan),
#    and the target's exit wakes it at once, long before --every's hour.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample L leak -b 1000 || { t_result 1 "leak starts"; done_testing; }
step=0

# leak_step: one step of the sample, finished (its "done N" line).
leak_step() {
	step=$((step + 1))
	send L step
	wait_for_line "$L_OUT" "^done $step\$" 60
}

# leaked_through N: the blocks the sample leaked in steps 1..N, one hex
# address a line, sorted (its "leaked ADDR SIZE" lines).
leaked_through() {
	awk -v n="$1" '/^step / { s = $2 } /^leaked / && s <= n { print $2 }' "$L_OUT" | sort
}
# definite DB: the database's definite leaks, as the sqlite3 shell reads them
definite() { sql "$1" "SELECT printf('0x%x', mem) FROM chunks WHERE leak = 'definite'" | sort; }
whole() { [ "$(sql "$1" 'PRAGMA integrity_check')" = ok ]; }

# --- 1. six snapshots ----------------------------------------------------------
mkdir six
hold_start snapshot,writing
"$MEMSNAP" watch "$L_PID" --every 1s --count 6 -d six --fail-on-leak >six.txt 2>six.err &
m=$!
for k in 1 2 3 4 5 6; do
	hold_wait snapshot "$m" && leak_step && hold_release || { t_result 1 "snapshot $k: hold before"; break; }
	hold_wait writing "$m" && leak_step && hold_release || { t_result 1 "snapshot $k: hold after"; break; }
done
wait "$m"
check_eq "watch --count 6 --fail-on-leak with new leaks: exit 3" 3 $?
hold_end
mapfile -t dbs < <(sed -nE 's/^[0-9]+ .*: (.*\.db)$/\1/p' six.txt)
check_eq "six lines, six databases" 6 "${#dbs[@]}"
check_eq "six databases in the folder, nothing else" 6 "$(ls -A six | wc -l)"
prev=0
for k in 1 2 3 4 5 6; do
	db=${dbs[k - 1]}
	want=$(leaked_through $((2 * k - 1)))
	check_eq "snapshot $k holds exactly the blocks leaked in steps 1..$((2 * k - 1)) ($(echo "$want" | wc -l) blocks)" \
		"$want" "$(definite "$db")"
	if [ "$k" -gt 1 ]; then
		born=$(comm -13 <(leaked_through $((2 * k - 3))) <(definite "$db") | tr '\n' ' ')
		check_eq "born in snapshot $k: the blocks of steps $((2 * k - 2)) (after $((k - 1))'s pause) and $((2 * k - 1))" \
			"$(awk -v a=$((2 * k - 2)) -v b=$((2 * k - 1)) '/^step / { s = $2 } /^leaked / && (s == a || s == b) { print $2 }' "$L_OUT" | sort | tr '\n' ' ')" \
			"$born"
	fi
	n=$(echo "$want" | wc -l)
	line=$(grep -E "^$k " six.txt)
	since_prev=$((k == 1 ? 0 : n - prev))
	since_first=$((n - $(leaked_through 1 | wc -l)))
	check "line $k: new definite leaks $since_prev since the previous, $since_first since the first" -- \
		bash -c "[[ \$1 == *'new definite leaks $since_prev ('*'since the previous, $since_first ('* ]]" _ "$line"
	prev=$n
done
check "the last step's blocks, leaked after the last pause, are in no snapshot" -- \
	bash -c "! grep -qFf <(awk '/^step / { s = \$2 } /^leaked / && s == 12 { print \$2 }' '$L_OUT') <(definite '${dbs[5]}')"
check "the summary says six snapshots, as asked" -- grep -q "ended: 6 snapshots taken, as asked" six.txt
"$MEMSNAP" diff --fail-on-leak "${dbs[0]}" "${dbs[5]}" >/dev/null 2>&1
check_eq "memsnap diff --fail-on-leak FIRST LAST agrees: exit 3" 3 $?

# trend over the six databases: each block the sample leaked after the
# first snapshot is born in the snapshot its step says (step s before
# snapshot s/2+1's pause, rounded down), and none died; no other block is a
# definite leak.  (trend lists the lives of blocks born after the first
# snapshot or dead before the last: step 1's are in neither.)
trend_truth() {
	awk '/^step / { s = $2 } /^leaked / && s >= 2 && s <= 11 { print $2, int(s / 2) + 1 }' "$L_OUT" |
		while read -r addr born; do printf '%d,%d,\n' "$addr" "$born"; done | sort
}
"$MEMSNAP" trend --csv blocks --limit 0 "${dbs[@]}" >trend.csv 2>trend.err
check_eq "memsnap trend --csv blocks on the six databases: exit 0" 0 $?
check_eq "trend: each block leaked in steps 2..11 born in the snapshot its step says, none died, no other definite leak" \
	"$(trend_truth)" "$(awk -F, 'NR > 1 && $7 == "definite" { print $1 "," $5 "," $6 }' trend.csv | sort)"

# --- 2. --keep 2, SIGINT in the fourth snapshot --------------------------------
mkdir keep
hold_start snapshot,writing
"$MEMSNAP" watch "$L_PID" --every 1s -d keep --keep 2 >keep.txt 2>keep.err &
m=$!
for k in 1 2 3; do
	hold_wait snapshot "$m" && hold_release && hold_wait writing "$m" && hold_release ||
		{ t_result 1 "keep: snapshot $k"; break; }
done
fourth() { hold_wait snapshot "$m" && hold_release && hold_wait writing "$m"; }
check "the fourth snapshot reaches its capture's writing phase" -- fourth
kill -INT "$m"
hold_release
wait "$m"
check_eq "SIGINT ends the watch: exit 0" 0 $?
hold_end
check "the summary says SIGINT" -- grep -q "ended: interrupted by SIGINT" keep.txt
mapfile -t kept < <(sed -nE 's/^[0-9]+ .*: (.*\.db)$/\1/p' keep.txt)
check_eq "three lines: the fourth snapshot was discarded" 3 "${#kept[@]}"
check_eq "--keep 2: the baseline and the third are left" "$(printf '%s\n' "${kept[0]}" "${kept[2]}" | xargs -n1 basename | sort)" \
	"$(ls -A keep | sort)"
for db in keep/*; do
	check "$(basename "$db") is whole (PRAGMA integrity_check)" -- whole "$db"
done
check_unharmed L

# --- 3. the target exits between two snapshots ----------------------------------
start_sample E leak -b 1000 || { t_result 1 "a second leak starts"; done_testing; }
mkdir exit
hold_start snapshot
"$MEMSNAP" watch "$E_PID" --every 1s -d exit --fail-on-leak >exit.txt 2>exit.err &
m=$!
hold_wait snapshot "$m" && hold_release
check "the second snapshot is due" -- hold_wait snapshot "$m"
kill -TERM "$E_PID"
wait "$E_PID" 2>/dev/null
hold_release
wait "$m"
check_eq "the target's exit ends the watch: exit 0 (no new leaks)" 0 $?
hold_end
check "the summary says the process exited" -- grep -q "ended: the process exited" exit.txt
check_eq "one database, whole" "ok" "$(sql exit/*.db 'PRAGMA integrity_check')"

# --- 4. the wait between snapshots: asleep in poll, woken by the target's exit --
# --every 1h: once the first line is out, the kernel shows memsnap asleep
# (state S) in poll; the target's exit wakes it at once (its pidfd), long
# before the hour.
start_sample W leak -b 1000 || { t_result 1 "a third leak starts"; done_testing; }
mkdir wait
"$MEMSNAP" watch "$W_PID" --every 1h -d wait >wait.txt 2>wait.err &
m=$!
check "the first snapshot's line" -- wait_for_line wait.txt '^1 ' 60
asleep() {
	local i
	for ((i = 0; i < 200; i++)); do
		# a kernel that hides wchan says 0 (fs/proc/base.c proc_pid_wchan): the state alone then
		[ "$(proc_state "$m")" = S ] && { grep -q poll "/proc/$m/wchan" || [ "$(cat "/proc/$m/wchan")" = 0 ]; } &&
			return 0
		sleep 0.05
	done
	echo "# state $(proc_state "$m"), wchan $(cat "/proc/$m/wchan")"
	return 1
}
check "between snapshots memsnap sleeps in poll (/proc/PID/stat, wchan), no busy loop" -- asleep
kill -TERM "$W_PID"
wait "$W_PID" 2>/dev/null
ended() {
	local i
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$m" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}
check "the target's exit ends the wait at once, not after the hour" -- ended
wait "$m"
check_eq "exit 0" 0 $?
check "the summary says the process exited" -- grep -q "ended: the process exited" wait.txt

done_testing
