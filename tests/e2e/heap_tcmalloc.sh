#!/usr/bin/env bash
# gperftools' tcmalloc read from cores: a program linked with
# -ltcmalloc_minimal (tcmalloc_user: four threads, small and large blocks,
# a third freed, some given back to the system), captured by memsnap and by
# gcore and analyzed; the database's blocks, its tcmalloc_* tables and its
# tcmalloc_properties and tcmalloc_class_stats views are held to what
# tcmalloc said.  Then a span damaged in the core (tcmalloc_damage.py), and
# a write after free that makes a free list loop: analyze ends with a
# warning naming the span or the block, never a loop.
#
# Truth: tcmalloc's own MallocExtension_GetNumericProperty figures and its
# MallocExtension_GetStats per-class counts, printed by the sample just
# before the capture, and the addresses it holds and freed, with
# tc_malloc_size's usable sizes (tcmalloc_judge.py, with Python's sqlite3).
. "$(dirname "$0")/lib.sh"

command -v gcore >/dev/null || { skip "gcore is not installed (scripts/setup-debian.sh: gdb)"; done_testing; }
[ -x "$TESTS_DIR/tcmalloc_user" ] || {
	skip "tcmalloc_user was not built: libgoogle-perftools-dev is not installed (scripts/setup-debian.sh)"
	done_testing
}

# judge LABEL CORE: analyzes CORE and holds the database to what the sample printed.
judge() {
	local label=$1 core=$2 line
	check "$label: analyze" -- "$MEMSNAP" analyze -q -o "$WORK/$label.db" "$core"
	while IFS= read -r line; do
		case $line in
		"ok "*) t_result 0 "${line#ok }" ;;
		*) t_result 1 "${line#not ok }" ;;
		esac
	done < <(python3 "$(dirname "$0")/tcmalloc_judge.py" "$label" "$TC_OUT" "$WORK/$label.db" "$TASKS" 2>&1)
}

start_sample TC tcmalloc_user || { t_result 1 "tcmalloc_user starts"; done_testing; }
TASKS=$(ls "/proc/$TC_PID/task" | paste -sd,)
check "memsnap capture" -- "$MEMSNAP" capture -q -o "$WORK/tc.core" "$TC_PID"
kill -STOP "$TC_PID"
gcore -o "$WORK/tc-gcore" "$TC_PID" >"$WORK/gcore.log" 2>&1
kill -CONT "$TC_PID"
mv "$WORK/tc-gcore.$TC_PID" "$WORK/tc-gcore.core" 2>/dev/null
check "gcore wrote a core" -- test -s "$WORK/tc-gcore.core"
judge memsnap "$WORK/tc.core"
judge gcore "$WORK/tc-gcore.core"
check_unharmed TC

# --- a damaged span: the first large block's Span says it is 0 pages long ---
cp "$WORK/tc.core" "$WORK/span.core"
span=$(/usr/bin/python3 "$TESTS_DIR/tcmalloc_damage.py" "$WORK/span.core" "$WORK/memsnap.db")
check "a large block's span was damaged in the core ($span)" -- test -n "$span"
check "analyze ends on the damaged span (within 60 s)" -- timeout 60 "$MEMSNAP" analyze -q -o "$WORK/span.db" "$WORK/span.core"
check_eq "a heap warning names the span $span" 1 \
	"$(sql "$WORK/span.db" "SELECT count(*) > 0 FROM warnings WHERE stage = 'heap' AND address = $((span)) AND message LIKE '%span%damaged%'")"
check_eq "the other spans are all read" \
	"$(sql "$WORK/memsnap.db" 'SELECT count(*) - 1 FROM tcmalloc_spans')" "$(sql "$WORK/span.db" 'SELECT count(*) FROM tcmalloc_spans')"

# --- a free list that loops: the block's link is its own address ---
send TC loop
wait_for_line "$TC_OUT" '^looped ' 30
looped=$(truth TC looped)
check "the sample damaged a freed block ($looped)" -- test -n "$looped"
check "memsnap capture of the damaged heap" -- "$MEMSNAP" capture -q -o "$WORK/loop.core" "$TC_PID"
check "analyze ends on the looping list (within 60 s)" -- timeout 60 "$MEMSNAP" analyze -q -o "$WORK/loop.db" "$WORK/loop.core"
check_eq "a heap warning names the looped block $looped and says its list loops" 1 \
	"$(sql "$WORK/loop.db" "SELECT count(*) > 0 FROM warnings WHERE stage = 'heap' AND address = $((looped)) AND message LIKE '%this list loops%'")"
check_unharmed TC
send TC quit
wait "$TC_PID" 2>/dev/null
done_testing
