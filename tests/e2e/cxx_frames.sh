#!/usr/bin/env bash
# C++ function names, demangled: on tests/e2e/cxx_frames (threads blocked a
# few C++ calls deep), `memsnap stacks` prints what eu-stack -p prints, and
# what c++filt -i (binutils) makes of eu-stack -r's raw symbols; analyze's
# frames and live_frames hold, for every frame, a function that is c++filt -i
# of its symbol.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
unset DEBUGINFOD_URLS

[ -x "$TESTS_DIR/cxx_frames" ] || { echo "1..0 # SKIP tests/e2e/cxx_frames was not built: meson found no C++ compiler (g++, scripts/setup-debian.sh)"; exit 0; }
for tool in eu-stack c++filt sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

WORKERS=3
start_sample X cxx_frames -t "$WORKERS" || { t_result 1 "cxx_frames starts"; done_testing; }
# Every thread asleep: the workers in their read, the main thread in its read of stdin.
for _ in $(seq 600); do
	busy=0
	for t in /proc/"$X_PID"/task/*; do [ "$(proc_state "${t##*/}")" = S ] || busy=1; done
	[ "$busy" = 0 ] && break
	sleep 0.05
done
check_eq "cxx_frames: all $((WORKERS + 1)) threads are asleep" 0 "$busy"

# unharmed: neither stopped nor traced after memsnap let go
unharmed() {
	local st
	st=$(proc_state "$X_PID")
	check "$1: cxx_frames is neither stopped nor traced" -- \
		test "$st" = S -a "$(tracer_pid "$X_PID")" = 0
}

"$MEMSNAP" stacks "$X_PID" >ours.txt 2>err
check_eq "stacks exits 0" 0 $?
unharmed stacks
eu-stack -p "$X_PID" >theirs.txt 2>&1
check "memsnap stacks prints what eu-stack -p prints, line for line" -- diff theirs.txt ours.txt
eu-stack -r -p "$X_PID" >raw.txt 2>&1
check "the raw symbols hold C++ names" -- grep -q ' _ZN3app' raw.txt
c++filt -i <raw.txt >filtered.txt
check "memsnap stacks prints c++filt -i of eu-stack -r's symbols, line for line" -- diff filtered.txt ours.txt
check_eq "every worker is in app::Worker::block(int), as c++filt -i names it" "$WORKERS" \
	"$(grep -c " $(echo _ZN3app6Worker5blockEi | c++filt -i)\$" ours.txt)"

"$MEMSNAP" capture --stacks "$X_PID" -o x.core >capture.log 2>&1
check_eq "capture --stacks exits 0" 0 $?
unharmed capture
"$MEMSNAP" analyze -q x.core -o x.db >analyze.log 2>&1
check_eq "analyze exits 0" 0 $?

# same_as_cxxfilt TABLE: every row's function is c++filt -i of its symbol
same_as_cxxfilt() {
	local table=$1
	sql x.db "SELECT symbol FROM $table WHERE symbol IS NOT NULL ORDER BY tid, depth" | c++filt -i >"$table.want"
	sql x.db "SELECT function FROM $table WHERE symbol IS NOT NULL ORDER BY tid, depth" >"$table.got"
	check "$table: function is c++filt -i of symbol, row for row" -- diff "$table.want" "$table.got"
	check_eq "$table: every worker has frames with mangled symbols" "$WORKERS" \
		"$(sql x.db "SELECT count(DISTINCT tid) FROM $table WHERE symbol LIKE '\_Z%' ESCAPE '\\' AND function <> symbol")"
	check_eq "$table: a function is named exactly when a symbol is" 0 \
		"$(sql x.db "SELECT count(*) FROM $table WHERE (function IS NULL) <> (symbol IS NULL)")"
}
same_as_cxxfilt frames
same_as_cxxfilt live_frames
check_eq "frames: the C names stay as the symbol table spells them" 0 \
	"$(sql x.db "SELECT count(*) FROM frames WHERE symbol NOT LIKE '\_Z%' ESCAPE '\\' AND function <> symbol")"

done_testing
