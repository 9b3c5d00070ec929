#!/usr/bin/env bash
# glibc settings users change, on the system python3 (tests/e2e/real_python.py):
# GLIBC_TUNABLES tcache_count=0 (no thread caches a freed block) and
# arena_max=1 (every thread shares main_arena, so a thread's tcache struct
# can come from a free chunk 16 bytes bigger than it).  Stopped and captured
# by memsnap and by gcore; every database figure against glibc's
# mallinfo2() and mp_ as gdb reads them, threads and modules against /proc,
# frames against gdb.  (real_mallopt.sh: mmap_threshold, mallopt, malloc_trim.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/python3 gdb gcore
cd "$WORK" || exit 1

GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1 \
	real_start NT '^ready$' /usr/bin/python3 "$REAL_DIR/real_python.py" ||
	{ t_result 1 "python3 starts with tcache_count=0, arena_max=1"; done_testing; }
real_snap NT
check_eq "tcache_count=0 took: glibc's mp_.tcache_count" 0 "$(glibc NT mp_.tcache_count)"
check_eq "arena_max=1 took: glibc's mp_.arena_max" 1 "$(glibc NT mp_.arena_max)"
real_check NT gcore "$WORK/NT.gcore"
check_eq "NT gcore: one arena" 1 "$(sql "$WORK/NT.gcore.db" 'SELECT count(*) FROM arenas')"
check_eq "NT gcore: no chunk is in a tcache" 0 "$(sql "$WORK/NT.gcore.db" "SELECT count(*) FROM chunks WHERE bin = 'tcache'")"
real_check NT memsnap "$WORK/NT.core"
real_quit NT

done_testing
