#!/usr/bin/env bash
# The system python3 (tests/e2e/real_python.py: threads, dicts, lists,
# strings, calloc'd and realloc'd buffers, a dynamic mmap threshold that
# moved up), stopped and captured by memsnap and by gcore: every database
# figure against glibc's mallinfo2() and mp_ as gdb reads them in the
# stopped process, threads and modules against /proc, frames against gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/python3 gdb gcore
cd "$WORK" || exit 1
real_start PY '^ready$' /usr/bin/python3 "$REAL_DIR/real_python.py" ||
	{ t_result 1 "python3 starts"; done_testing; }
real_snap PY
check "python3's mmap threshold moved up from its default (mp_.no_dyn_threshold 0)" -- \
	test "$(glibc PY mp_.no_dyn_threshold)" = 0 -a "$(glibc PY mp_.mmap_threshold)" -gt $((128 * 1024)) # glibc malloc.c: DEFAULT_MMAP_THRESHOLD_MIN
real_check PY gcore "$WORK/PY.gcore"
real_check PY memsnap "$WORK/PY.core"
real_quit PY
done_testing
