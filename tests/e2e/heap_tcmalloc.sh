#!/usr/bin/env bash
# gperftools' tcmalloc read from cores: a program linked with
# -ltcmalloc_minimal (tcmalloc_user: four threads, small and large blocks,
# a third freed, some given back to the system), captured by memsnap and by
# gcore, walked by analyze/tcmalloc/ (tcmalloc_walk).  Then a write after
# free that makes a free list loop: the walk ends with a warning naming the
# block, never a loop.
#
# Truth: tcmalloc's own MallocExtension_GetNumericProperty figures and its
# MallocExtension_GetStats per-class counts, printed by the sample just
# before the capture, and the addresses it holds and freed, with
# tc_malloc_size's usable sizes.
. "$(dirname "$0")/lib.sh"

command -v gcore >/dev/null || { skip "gcore is not installed (scripts/setup-debian.sh: gdb)"; done_testing; }
[ -x "$TESTS_DIR/tcmalloc_user" ] || {
	skip "tcmalloc_user was not built: libgoogle-perftools-dev is not installed (scripts/setup-debian.sh)"
	done_testing
}

# judge LABEL CORE: walks CORE and holds it to what the sample printed.
judge() {
	local label=$1 core=$2
	check "$label: tcmalloc_walk reads the heap" -- sh -c "timeout 60 '$TESTS_DIR/tcmalloc_walk' '$core' >'$WORK/$label.walk'"
	local line
	while IFS= read -r line; do
		case $line in
		"ok "*) t_result 0 "${line#ok }" ;;
		*) t_result 1 "${line#not ok }" ;;
		esac
	done < <(python3 "$(dirname "$0")/tcmalloc_judge.py" "$label" "$TC_OUT" "$WORK/$label.walk")
}

start_sample TC tcmalloc_user || { t_result 1 "tcmalloc_user starts"; done_testing; }
check "memsnap capture" -- "$MEMSNAP" capture -q -o "$WORK/tc.core" "$TC_PID"
kill -STOP "$TC_PID"
gcore -o "$WORK/tc-gcore" "$TC_PID" >"$WORK/gcore.log" 2>&1
kill -CONT "$TC_PID"
mv "$WORK/tc-gcore.$TC_PID" "$WORK/tc-gcore.core" 2>/dev/null
check "gcore wrote a core" -- test -s "$WORK/tc-gcore.core"
judge memsnap "$WORK/tc.core"
judge gcore "$WORK/tc-gcore.core"
check_unharmed TC

# --- a free list that loops: the block's link is its own address ---
send TC loop
wait_for_line "$TC_OUT" '^looped ' 30
looped=$(truth TC looped)
check "the sample damaged a freed block ($looped)" -- test -n "$looped"
check "memsnap capture of the damaged heap" -- "$MEMSNAP" capture -q -o "$WORK/loop.core" "$TC_PID"
check "tcmalloc_walk ends on the looping list (within 60 s)" -- \
	sh -c "timeout 60 '$TESTS_DIR/tcmalloc_walk' '$WORK/loop.core' >'$WORK/loop.walk'"
check "a warning names the looped block $looped and says its list loops" -- \
	grep -qE "^warning $looped .*this list loops" "$WORK/loop.walk"
check_unharmed TC
send TC quit
wait "$TC_PID" 2>/dev/null
done_testing
