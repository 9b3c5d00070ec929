#!/usr/bin/env bash
# glibc settings users change, on the system python3 (tests/e2e/real_python.py):
# GLIBC_TUNABLES mmap_threshold (a fixed threshold: no dynamic moves), and a
# process that called mallopt (M_MXFAST 0, M_TRIM_THRESHOLD) and
# malloc_trim(0).  Stopped and captured by memsnap and by gcore; every
# database figure against glibc's mallinfo2() and mp_ as gdb reads them,
# threads and modules against /proc, frames against gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/python3 gdb gcore
cd "$WORK" || exit 1

threshold=$((256 * 1024))
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=$threshold \
	real_start TR '^ready$' /usr/bin/python3 "$REAL_DIR/real_python.py" --trim ||
	{ t_result 1 "python3 starts with mmap_threshold=$threshold"; done_testing; }
real_snap TR
check_eq "mmap_threshold took: glibc's mp_.mmap_threshold" "$threshold" "$(glibc TR mp_.mmap_threshold)"
check_eq "a set threshold does not move: glibc's mp_.no_dyn_threshold" 1 "$(glibc TR mp_.no_dyn_threshold)"
check_eq "mallopt(M_MXFAST, 0): no fastbin chunks (mallinfo2 smblks)" 0 "$(glibc TR mallinfo2.smblks)"
real_check TR gcore "$WORK/TR.gcore"
real_check TR memsnap "$WORK/TR.core"
real_quit TR
done_testing
