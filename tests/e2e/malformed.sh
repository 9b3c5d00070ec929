#!/usr/bin/env bash
# Bad input: cores that are not ELF, 32-bit, big-endian, not cores, empty,
# truncated at many offsets, with program headers and notes pointing past
# the file, absurd counts, overlapping and wrapping segments, garbage in
# every MEMSNAP note, random damage; a folder; a zstd-compressed core.
# tests/malformed/gen.py makes them from real cores of a small two-thread
# process (gdb's gcore and, where the machine allows, the kernel's).
#
# Each case must end cleanly: exit 0 (a database, whose warnings say what
# was wrong) or exit 1 (a message naming the file), never a crash, a
# sanitizer report or a hang, and never a database under the final name
# (nor a temporary left behind) when it fails.
. "$(dirname "$0")/lib.sh"

GEN=$SOURCE_ROOT/tests/malformed/gen.py
TIMEOUT=${MALFORMED_TIMEOUT:-60}
# A sanitizer's finding must not pass for memsnap's own exit 1.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86:halt_on_error=1"
unset DEBUGINFOD_URLS

for tool in python3 sqlite3 timeout; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

# run_case DIR NAME EXPECT REGEX: one core through memsnap analyze
run_case() {
	local dir=$1 name=$2 expect=$3 regex=$4
	local core=$dir/$name.core db=$dir/$name.db err=$dir/$name.err rc
	# --no-debuginfo: libc's debug info is not what is under test, and it triples the time.
	timeout -s KILL "$TIMEOUT" "$MEMSNAP" analyze -q --no-debuginfo "$core" -o "$db" >/dev/null 2>"$err"
	rc=$?
	local why=
	if [ "$rc" -eq 137 ]; then
		why="hung (killed after ${TIMEOUT}s)"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		why="exit $rc"
	elif grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Aborted' "$err"; then
		why="sanitizer report"
	elif [ "$rc" -eq 1 ]; then
		if [ -e "$db" ]; then
			why="failed but left $db"
		elif ! grep -qF "'$core'" "$err"; then
			why="the message does not name the file"
		elif [ "$expect" = ok ]; then
			why="exit 1, expected a database with warnings"
		elif [ "$expect" = fail ] && [ -n "$regex" ] && ! grep -Eq "$regex" "$err"; then
			why="the message does not say /$regex/"
		fi
	else
		if ! [ "$(sqlite3 -batch "$db" 'select count(*) from snapshot' 2>&1)" = 1 ]; then
			why="exit 0 but the database is not readable"
		elif [ "$expect" = fail ]; then
			why="exit 0, expected exit 1"
		elif [ "$expect" = ok ] && [ -n "$regex" ] &&
			[ "$(sqlite3 -batch "$db" "select count(*) from warnings where message regexp '$regex'" 2>/dev/null ||
				sqlite3 -batch "$db" 'select message from warnings' | grep -Ec "$regex")" = 0 ]; then
			why="no warning says /$regex/"
		fi
	fi
	if ls "$dir" | grep -q "^$name\.db\.tmp"; then
		why="${why:+$why; }a temporary database was left behind"
	fi
	if [ -n "$why" ]; then
		t_result 1 "$dir: $name: $why"
		head -n 5 "$err" | sed 's/^/#   /'
	else
		t_result 0 "$dir: $name (exit $rc)"
	fi
	rm -f "$db"
}

# suite LABEL BASE-CORE: every case generated from one real core
suite() {
	local label=$1 base=$2 dir=$WORK/$1
	mkdir -p "$dir"
	if ! python3 "$GEN" "$base" "$dir" 2>"$dir/gen.err"; then
		t_result 1 "$label: the generator fails on the base core"
		sed 's/^/#   /' "$dir/gen.err" | tail -n 5
		return
	fi
	diag "$label: $(wc -l <"$dir/manifest.tsv") cases from $(basename "$base") ($(stat -c %s "$base") bytes)"
	while IFS=$'\t' read -r name expect regex; do
		run_case "$dir" "$name" "$expect" "$regex"
		rm -f "$dir/$name.core"
	done <"$dir/manifest.tsv"
}

start_small() {
	start_sample "$1" tiny_threads || exit 1
}

made=0
start_small m
if "$MEMSNAP" capture "$m_PID" -o "$WORK/memsnap-base.core" >"$WORK/capture.log" 2>&1; then
	"$MEMSNAP" analyze -q "$WORK/memsnap-base.core" -o "$WORK/memsnap-base.db"
	check_eq "the undamaged memsnap core analyzes cleanly" 0 $?
	suite memsnap "$WORK/memsnap-base.core"
	made=1
else
	t_result 1 "memsnap capture of the small sample failed: $(head -n 1 "$WORK/capture.log")"
fi
send m quit; kill "$m_PID" 2>/dev/null; wait "$m_PID" 2>/dev/null
if command -v gcore >/dev/null; then
	start_small g
	gcore -o "$WORK/tiny" "$g_PID" >"$WORK/gcore.log" 2>&1
	send g quit; kill "$g_PID" 2>/dev/null; wait "$g_PID" 2>/dev/null
	if [ -s "$WORK/tiny.$g_PID" ]; then
		mv "$WORK/tiny.$g_PID" "$WORK/gcore-base.core"
		"$MEMSNAP" analyze -q "$WORK/gcore-base.core" -o "$WORK/gcore-base.db"
		check_eq "the undamaged gcore core analyzes cleanly" 0 $?
		suite gcore "$WORK/gcore-base.core"
		made=1
	fi
fi
pattern=$(cat /proc/sys/kernel/core_pattern)
if { [ "$pattern" = core ] || [ "$pattern" = core.%p ]; } && ulimit -c unlimited 2>/dev/null; then
	mkdir -p "$WORK/kdump" && cd "$WORK/kdump" || exit 1
	start_small k
	cd - >/dev/null || exit 1
	kill -SEGV "$k_PID"; wait "$k_PID" 2>/dev/null
	kcore=$(ls "$WORK"/kdump/core* 2>/dev/null | head -n 1)
	if [ -s "$kcore" ]; then
		"$MEMSNAP" analyze -q "$kcore" -o "$WORK/kernel-base.db"
		check_eq "the undamaged kernel core analyzes cleanly" 0 $?
		suite kernel "$kcore"
		made=1
	fi
else
	skip "kernel cores: core_pattern is '$pattern' (not 'core') or the core size limit cannot be raised"
fi
[ "$made" = 1 ] || { skip "no base core: neither gcore nor kernel cores work here"; done_testing; }

# Not files memsnap can read, whatever their bytes.
base=$(ls "$WORK"/gcore-base.core "$WORK"/kdump/core* 2>/dev/null | head -n 1)
dir=$WORK/other
mkdir -p "$dir"
mkdir "$dir/a-folder.core"
run_case "$dir" a-folder fail "not a regular file"
run_case "$dir" no-such-file fail "No such file"
if command -v zstd >/dev/null; then
	zstd -q -c "$base" >"$dir/compressed.core"
	run_case "$dir" compressed fail "zstd-compressed"
else
	skip "zstd is not installed: the compressed-core case needs it (scripts/setup-debian.sh)"
fi
# An unwritable destination fails cleanly too, with nothing left behind.
cp "$base" "$dir/good.core"
"$MEMSNAP" analyze -q "$dir/good.core" -o "$WORK/no-such-dir/good.db" 2>"$dir/nodir.err"
check_eq "an output folder that does not exist: exit 1" 1 $?
check "an output folder that does not exist: the message names it" -- grep -q "no-such-dir" "$dir/nodir.err"
check "an output folder that does not exist: it fails before reading the core" -- test ! -e "$WORK/no-such-dir"

done_testing
