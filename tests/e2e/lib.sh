# Shared helpers for the end-to-end tests: run real sample processes, drive
# memsnap exactly as a user would, and compare against ground truth that
# comes from outside memsnap (the sample's own report, gdb, elfutils, sqlite3).
#
# Output is TAP ("ok N - what", "not ok N - what"), which meson's test runner
# reads.  Source this file, call the checks, and end with `done_testing`.
#
# Environment (set by tests/meson.build, or by hand):
#   MEMSNAP      the memsnap executable under test
#   SAMPLES_DIR  the folder with the built samples (churn, leak, sparse, ...)
#   TESTS_DIR    the folder with test-only programs built from tests/

set -u
: "${MEMSNAP:?set MEMSNAP to the memsnap executable}"
: "${SAMPLES_DIR:?set SAMPLES_DIR to the built samples folder}"
TESTS_DIR=${TESTS_DIR:-$SAMPLES_DIR/../tests}

T_NUM=0
T_FAILED=0
T_PIDS=()
WORK=$(mktemp -d "${TMPDIR:-/tmp}/memsnap-e2e.XXXXXX")

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null
	done
	# A memsnap still running in the background (held at a phase, when the
	# test was cut short) would wait for ever on a FIFO its siblings keep open.
	for pid in $(jobs -p); do
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${KEEP_WORK:-0}" = 1 ] || [ "$T_FAILED" -ne 0 ]; then
		echo "# work folder kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap t_cleanup EXIT

# ok CONDITION-EXIT-STATUS DESCRIPTION: records one TAP result.
t_result() {
	local status=$1; shift
	T_NUM=$((T_NUM + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $T_NUM - $*"
	else
		echo "not ok $T_NUM - $*"
		T_FAILED=$((T_FAILED + 1))
	fi
}

# check DESCRIPTION -- COMMAND...: passes when COMMAND exits 0.  On failure
# the meson log says why: the command, its output, and the text files it
# names (first lines), since `grep -q PATTERN FILE` says nothing itself.
check() {
	local desc=$1; shift
	[ "${1:-}" = "--" ] && shift
	local out
	if out=$("$@" 2>&1); then
		t_result 0 "$desc"
	else
		local rc=$?
		t_result 1 "$desc"
		printf 'command (exit %s): %s\n' "$rc" "$*" | head -n 10 | sed 's/^/#   /'
		[ -n "$out" ] && printf '%s\n' "$out" | head -n 40 | sed 's/^/#   /'
		t_show_files "$@"
	fi
}

# t_show_files WORDS...: the first lines of each readable text file named by
# a word (or by a word inside a quoted script such as bash -c's), once each.
t_show_files() {
	local - w f seen=" "
	set -f # words are patterns as often as paths: no globbing
	for w in $*; do
		f=${w//[\"\'\(\)\;]/}
		[ -f "$f" ] && [ -r "$f" ] || continue
		case $seen in *" $f "*) continue ;; esac
		seen+="$f "
		[ "$(head -c 4096 "$f" | tr -d '\000' | wc -c)" = "$(head -c 4096 "$f" | wc -c)" ] || continue
		echo "#   --- $f ($(wc -l <"$f") lines; the first 20):"
		head -n 20 "$f" | sed 's/^/#   | /'
	done
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		t_result 0 "$1"
	else
		t_result 1 "$1"
		echo "#   expected: $2"
		echo "#   actual:   $3"
	fi
}

# check_near DESCRIPTION EXPECTED ACTUAL TOLERANCE (integers)
check_near() {
	if ! [[ $2 =~ ^-?[0-9]+$ && $3 =~ ^-?[0-9]+$ ]]; then
		t_result 1 "$1"
		echo "#   expected: $2 (within $4)"
		echo "#   actual:   $3 (not a number)"
		return
	fi
	local d=$(( $3 - $2 ))
	[ "$d" -lt 0 ] && d=$(( -d ))
	if [ "$d" -le "$4" ]; then
		t_result 0 "$1 ($3 vs $2, within $4)"
	else
		t_result 1 "$1"
		echo "#   expected: $2 (within $4)"
		echo "#   actual:   $3"
	fi
}

skip() { T_NUM=$((T_NUM + 1)); echo "ok $T_NUM - # SKIP $*"; }
diag() { echo "# $*"; }

done_testing() {
	echo "1..$T_NUM"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# start_sample VAR NAME [ARGS...]: starts a sample with its stdin on a FIFO
# and its stdout in $WORK/VAR.out, waits for "ready", and sets VAR_PID,
# VAR_OUT (the output file) and VAR_IN (the FIFO) for the caller.
start_sample() {
	local var=$1 name=$2; shift 2
	local exe=$SAMPLES_DIR/$name
	[ -x "$exe" ] || exe=$TESTS_DIR/$name
	local fifo=$WORK/$var.in out=$WORK/$var.out
	rm -f "$fifo"; mkfifo "$fifo"
	"$exe" "$@" <"$fifo" >"$out" 2>"$WORK/$var.err" &
	local pid=$!
	# Hold the FIFO open for writing on a spare fd so the sample never sees EOF.
	local fd
	exec {fd}>"$fifo"
	T_PIDS+=("$pid")
	printf -v "${var}_PID" '%s' "$pid"
	printf -v "${var}_OUT" '%s' "$out"
	printf -v "${var}_IN" '%s' "$fifo"
	printf -v "${var}_FD" '%s' "$fd"
	wait_for_line "$out" '^ready$' 120 || { echo "# $name did not become ready"; cat "$WORK/$var.err"; return 1; }
}

# send VAR COMMAND: writes one command line to the sample's stdin.
send() {
	local fdvar=${1}_FD
	printf '%s\n' "$2" >&"${!fdvar}"
}

# wait_for_line FILE REGEX SECONDS
wait_for_line() {
	local file=$1 re=$2 secs=${3:-30} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -qE "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# ping VAR: the sample answers a ping within 10 s, i.e. it is running.
# (Counted by lines: a sample that exec'd itself numbers its pongs anew.)
ping_sample() {
	local outvar=${1}_OUT
	local n i
	n=$(grep -c '^pong ' "${!outvar}" 2>/dev/null)
	send "$1" ping
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^pong ' "${!outvar}" 2>/dev/null)" -gt "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# proc_state PID: the one-letter state from /proc/PID/stat
proc_state() { sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat"; }
tracer_pid() { awk '/^TracerPid:/ {print $2}' "/proc/$1/status"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# check_unharmed VAR: the sample is not stopped, not traced, and answers.
check_unharmed() {
	local pidvar=${1}_PID
	local pid=${!pidvar} st tr
	st=$(proc_state "$pid" 2>/dev/null)
	tr=$(tracer_pid "$pid" 2>/dev/null)
	check_eq "target $pid is not traced after capture (TracerPid)" 0 "$tr"
	check "target $pid is not stopped (state '$st')" -- test "$st" != t -a "$st" != T -a -n "$st"
	check "target $pid still runs (answers a ping)" -- ping_sample "$1"
}

# truth VAR KEY: the sample's report lines starting with KEY, key stripped
truth() {
	local outvar=${1}_OUT
	sed -n "s/^$2 //p" "${!outvar}"
}

# mallinfo VAR FIELD: a field of the sample's last mallinfo2 line
mallinfo() {
	local outvar=${1}_OUT
	grep '^mallinfo2 ' "${!outvar}" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# sql DB QUERY: runs a query with the sqlite3 shell (not memsnap), one value
# per line, columns separated by '|'
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# --- holding memsnap at a phase (capture/test_hold.h) ------------------------
# hold_start PHASES: the memsnap started next holds at each phase of the
# comma-separated list (stopping, copying, forked, writing, renaming,
# exiting; snapshot, before each of memsnap watch's snapshots).  Two fresh FIFOs are opened read-write here, so that neither side
# ever blocks in open: memsnap writes the phase to one and waits for a line
# on the other.
hold_start() {
	local base=$WORK/hold
	rm -f "$base.held" "$base.go"
	mkfifo "$base.held" "$base.go" || return 1
	exec {HOLD_HELD_FD}<>"$base.held" {HOLD_GO_FD}<>"$base.go"
	export MEMSNAP_TEST_HOLD=$1 MEMSNAP_TEST_HOLD_FIFO=$base
}

# hold_wait PHASE PID: until memsnap (PID) says it holds at PHASE; fails,
# saying why, when it held elsewhere, died first, or took 60 s.
hold_wait() {
	local line buf= i rc
	for ((i = 0; i < 60; i++)); do
		line=
		read -r -t 1 -u "$HOLD_HELD_FD" line
		rc=$?
		# A read that times out keeps what it had read of the line: go on from there.
		buf+=$line
		if [ "$rc" = 0 ]; then
			[ "$buf" = "$1" ] && return 0
			echo "# memsnap held at '$buf', not at '$1'"
			return 1
		fi
		kill -0 "$2" 2>/dev/null || { echo "# memsnap (pid $2) ended before reaching phase '$1'"; return 1; }
	done
	echo "# memsnap did not reach phase '$1' within 60 s"
	return 1
}

hold_release() { printf 'go\n' >&"$HOLD_GO_FD"; }

# hold_end: the next memsnap runs free.
hold_end() {
	exec {HOLD_HELD_FD}>&- {HOLD_GO_FD}>&-
	unset MEMSNAP_TEST_HOLD MEMSNAP_TEST_HOLD_FIFO
	rm -f "$WORK/hold.held" "$WORK/hold.go"
}

# install_build DEST: `meson install --destdir DEST` of the build MEMSNAP is
# in, as a packager runs it; 0 when it succeeded (its log in $WORK/install.log).
install_build() {
	meson install -C "$(dirname "$MEMSNAP")" --destdir "$1" --no-rebuild >"$WORK/install.log" 2>&1
}

# build_option NAME: the value of that meson option in the build MEMSNAP is in
build_option() {
	local json=$WORK/buildoptions.json
	[ -s "$json" ] || meson introspect "$(dirname "$MEMSNAP")" --buildoptions >"$json"
	jq -r --arg o "$1" '.[] | select(.name == $o) | .value' "$json"
}

# install_dir OPTION: where that build installs the files of a meson
# directory option (bindir, mandir, datadir; prefix itself), absolute
install_dir() {
	local dir
	dir=$(build_option "$1")
	case $dir in
	/*) echo "$dir" ;;
	*) echo "$(build_option prefix)/$dir" ;;
	esac
}
