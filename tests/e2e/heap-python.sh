#!/usr/bin/env bash
# The glibc heap walker on a real program not written here: the system
# python3 builds and drops large dicts, lists and strings in four threads
# (tests/e2e/heap_python.py) and reports glibc's mallinfo2() through ctypes.
# The database must add up to it exactly, for a gcore and a kernel core.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"

if [ ! -x /usr/bin/python3 ]; then
	skip "/usr/bin/python3 is not installed"
	done_testing
fi
cd "$WORK" || exit 1
start_sample PY heap_python.py || { t_result 1 "heap_python.py starts"; done_testing; }
workers=$(truth PY thread | wc -l)

gcore -o "$WORK/py" "$PY_PID" >"$WORK/gcore.log" 2>&1
check "gcore wrote a core" -- test -s "$WORK/py.$PY_PID"
check_unharmed PY
"$MEMSNAP" analyze -q "$WORK/py.$PY_PID" -o "$WORK/g.db"
check_eq "analyze of python3's gcore core exits 0" 0 $?
check_mallinfo "python3 gcore" "$WORK/g.db" PY
check "python3 has an arena per worker thread besides main_arena" -- \
	test "$(sql "$WORK/g.db" 'SELECT count(*) FROM arenas WHERE NOT is_main')" -ge "$workers"
check_eq "every python3 worker's tcache is found through its TLS" "$workers" \
	"$(sql "$WORK/g.db" "SELECT count(*) FROM tcaches WHERE found_by = 'tls' AND tid IN ($(truth PY thread | paste -sd,))")"
check_eq "no heap warnings for python3" "" "$(sql "$WORK/g.db" "SELECT message FROM warnings WHERE stage = 'heap'")"

"$MEMSNAP" analyze -q --no-debuginfo "$WORK/py.$PY_PID" -o "$WORK/nodebug.db"
check_mallinfo "python3 gcore, no debug info" "$WORK/nodebug.db" PY

if kernel_core PY "$WORK/kernel.core"; then
	"$MEMSNAP" analyze -q "$WORK/kernel.core" -o "$WORK/k.db"
	check_eq "analyze of python3's kernel core exits 0" 0 $?
	check_mallinfo "python3 kernel" "$WORK/k.db" PY
else
	skip "kernel core: $KERNEL_CORE_WHY"
fi
done_testing
