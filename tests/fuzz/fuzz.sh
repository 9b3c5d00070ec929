#!/usr/bin/env bash
# One run of a libFuzzer harness (tests/fuzz/fuzz_NAME.c) from seeds made
# here from a live sample (samples/reach, 2 threads): its core as memsnap
# captures it and gdb's gcore writes it, its analysis, its /proc files.
# Nothing binary is committed; the seeds are as fresh as the build.
#
# As a test: a fixed number of runs with a fixed seed (-seed=1 -runs=N), so
# the same build explores the same inputs; it passes when libFuzzer ends
# without a crash, a sanitizer report, a leak, a timeout or a harness
# check (fuzz_fail) — each of which is a bug, its input kept in the work
# folder.  bench/fuzz runs it for a time instead (FUZZ_TIME), in libFuzzer's
# fork mode, going on after a crash, and reads the summary line.
#
# usage: fuzz.sh core|heap|proc|query
# env:   MEMSNAP SAMPLES_DIR FUZZ_DIR SOURCE_ROOT (tests/fuzz/meson.build sets them)
#        FUZZ_RUNS N        executions (default: per harness, below)
#        FUZZ_TIME SECONDS  run for a time instead, going on after crashes
#        FUZZ_ARTIFACTS DIR where crash inputs go (default: the work folder)
#        FUZZ_LOG FILE      a copy of libFuzzer's log
. "$SOURCE_ROOT/tests/e2e/lib.sh"

name=${1:?usage: fuzz.sh core|heap|proc|query}
harness=$FUZZ_DIR/fuzz_$name
# Executions of the test run: 5 to 20 s each under ASan on a loaded 2-core machine.
case $name in
core) runs=${FUZZ_RUNS:-2000} ;;
heap) runs=${FUZZ_RUNS:-300} ;;
proc) runs=${FUZZ_RUNS:-30000} ;;
query) runs=${FUZZ_RUNS:-1000} ;;
*) echo "fuzz.sh: no harness '$name'" >&2; exit 2 ;;
esac
cd "$WORK" || exit 1
artifacts=${FUZZ_ARTIFACTS:-$WORK/artifacts}
mkdir -p corpus "$artifacts"

start_sample R reach -t 2 || { t_result 1 "reach starts"; done_testing; }
env=()

core_of_sample() {
	"$MEMSNAP" capture -q "$R_PID" -o reach.core
	check_eq "memsnap captures the sample" 0 $?
}

case $name in
core)
	core_of_sample
	python3 "$SOURCE_ROOT/tests/fuzz/seed_core.py" reach.core corpus/memsnap.seed
	if command -v gcore >/dev/null; then
		gcore -o gcore "$R_PID" >gcore.log 2>&1
		python3 "$SOURCE_ROOT/tests/fuzz/seed_core.py" "gcore.$R_PID" corpus/gcore.seed
		rm -f "gcore.$R_PID"
	fi
	;;
heap)
	core_of_sample
	# the harness writes over its core: a copy, holes kept
	cp --sparse=always reach.core heap.core
	env=(MEMSNAP_FUZZ_CORE="$WORK/heap.core" MEMSNAP_FUZZ_SEED_DIR="$WORK/corpus")
	;;
proc)
	# the first byte picks the parser (fuzz_proc.c)
	for f in maps smaps; do { printf '\0'; cat "/proc/$R_PID/$f"; } >"corpus/$f"; done
	{ printf '\1'; cat "/proc/$R_PID/status"; } >corpus/status
	{ printf '\2'; cat "/proc/$R_PID/stat"; } >corpus/stat
	for t in /proc/"$R_PID"/task/*; do { printf '\2'; cat "$t/stat"; } >"corpus/stat.${t##*/}"; done
	{ printf '\3'; cat /proc/swaps; } >corpus/swaps
	printf '\4exe\nmemsnap_version=0.1.0\npid=%s\nexe=%s\npage_size=4096\n' "$R_PID" "$(readlink "/proc/$R_PID/exe")" \
		>corpus/settings
	;;
query)
	core_of_sample
	"$MEMSNAP" analyze -q reach.core -o reach.db
	check_eq "memsnap analyzes the sample's core" 0 $?
	env=(MEMSNAP_FUZZ_DB="$WORK/reach.db")
	# the first byte picks the output format (fuzz_query.c): the reports in each
	i=0
	for f in "$SOURCE_ROOT"/query/reports/*.sql; do
		{ printf "\\$(printf '%03o' $((i % 6)))"; cat "$f"; } >"corpus/report.${f##*/}"
		i=$((i + 1))
	done
	# and what the guard must refuse, with what it must allow around it
	n=0
	while IFS= read -r sql; do
		printf '\2%s' "$sql" >"corpus/sql.$n"
		n=$((n + 1))
	done <<-'SQL'
		SELECT fts3_tokenizer('simple', X'4141414141414141');
		SELECT fts3_tokenizer('simple');
		PRAGMA trusted_schema=1;
		PRAGMA writable_schema=1;
		PRAGMA query_only=0;
		PRAGMA locking_mode=exclusive;
		PRAGMA mmap_size=1000000;
		PRAGMA user_version=5;
		PRAGMA table_info(chunks);
		CREATE TEMP TABLE t(x); INSERT INTO t VALUES (1);
		INSERT INTO warnings(stage, message) VALUES ('x', 'y');
		UPDATE chunks SET size = 0;
		DELETE FROM chunks;
		DROP VIEW heap_summary;
		ATTACH 'new.db' AS n;
		ATTACH ':memory:' AS m; CREATE TABLE m.t(x);
		VACUUM INTO 'copy.db';
		SELECT load_extension('libc.so.6');
		WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r;
		SELECT leak, count(*), sum(size) FROM chunks GROUP BY leak;
		SELECT * FROM segments s JOIN chunks c ON c.segment_id = s.id LIMIT 5;
		SELECT json_group_array(name) FROM sqlite_master;
		BEGIN; SELECT 1; COMMIT;
		SAVEPOINT a; RELEASE a;
	SQL
	;;
esac

opts=(-seed=1 -close_fd_mask=3 -timeout=60 -rss_limit_mb=4096 -print_final_stats=1
	-artifact_prefix="$artifacts/")
if [ -n "${FUZZ_TIME:-}" ]; then
	opts+=(-max_total_time="$FUZZ_TIME" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
else
	opts+=(-runs="$runs")
fi
start=$(date +%s)
env "${env[@]}" "$harness" "${opts[@]}" "$WORK/corpus" >fuzz.log 2>&1
status=$?
secs=$(($(date +%s) - start))
found=$(ls "$artifacts" | wc -l)
# "INFO: seed corpus: files: N ..." or "INFO: -fork=1: N seed inputs": fuzz_heap writes its seed as it starts
seeds=$(sed -nE 's/.*(seed corpus: files: |-fork=1: )([0-9]+).*/\2/p' fuzz.log | head -n 1)
[ -n "${FUZZ_LOG:-}" ] && cp fuzz.log "$FUZZ_LOG"

if [ -n "${FUZZ_TIME:-}" ]; then
	# fork mode: "#EXECS: cov: C ft: F corp: N exec/s: E oom/timeout/crash: O/T/C time: Ss job: J ..."
	last=$(grep -E '^#[0-9]+: cov:' fuzz.log | tail -n 1)
	execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
	crashes=$(sed -nE 's#.*oom/timeout/crash: ([0-9]+/[0-9]+/[0-9]+).*#\1#p' <<<"$last")
	diag "fuzz_$name: ${execs:-0} executions in $secs s from ${seeds:-?} seeds; oom/timeout/crash ${crashes:-?}; $found inputs kept in $artifacts"
else
	execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' fuzz.log)
	diag "fuzz_$name: ${execs:-0} executions in $secs s from ${seeds:-?} seeds; $found inputs kept"
fi
if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
	grep -vE '^#[0-9]+' fuzz.log | tail -n 60 | sed 's/^/#   /'
fi
if [ -z "${FUZZ_TIME:-}" ]; then
	check_eq "fuzz_$name: $runs runs end without a crash, a sanitizer report or a broken check" 0 "$status"
	check_eq "fuzz_$name: no input kept as a crash, leak or timeout" 0 "$found"
else
	check_eq "fuzz_$name: libFuzzer ran to its time" 0 "$status"
fi
done_testing
