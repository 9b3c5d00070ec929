#!/usr/bin/env bash
# A fork capture of an idle process is the stop capture of the same
# process: samples/churn (2 threads, glibc bins of every kind) captured by
# stop, then by fork, gives the same notes and the same bytes in every
# PT_LOAD (tests/e2e/core_compare.py, which reads both without memsnap:
# only CPU times, Pss and the capture's own figures may differ); gdb and
# eu-readelf read the fork core, gdb finds every thread in it; and memsnap
# analyze of it adds up to the sample's own mallinfo2().
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"
cd "$WORK" || exit 1

# glibc registers an rseq area per thread, whose cpu_id the kernel rewrites
# whenever the thread moves to another CPU: not memory the program keeps still.
GLIBC_TUNABLES=glibc.pthread.rseq=0 start_sample CH churn -t 2 || { t_result 1 "churn starts"; done_testing; }
send CH mallinfo
wait_for_line "$CH_OUT" '^mallinfo2 ' 30
threads=$(ls /proc/"$CH_PID"/task | wc -l)

"$MEMSNAP" capture "$CH_PID" -o s.core --method stop -q
check_eq "capture --method stop exits 0" 0 $?
"$MEMSNAP" capture "$CH_PID" -o f.core --method fork 2>err
check_eq "capture --method fork exits 0" 0 $?
check "the fork core says method=fork" -- grep -qx method=fork <(python3 "$SOURCE_ROOT/tests/e2e/elfnote.py" f.core MEMSNAP settings)
check "the stop core says method=stop" -- grep -qx method=stop <(python3 "$SOURCE_ROOT/tests/e2e/elfnote.py" s.core MEMSNAP settings)
check "same notes, same bytes" -- python3 "$SOURCE_ROOT/tests/e2e/core_compare.py" s.core f.core
check_unharmed CH

check "eu-readelf reads every note of the fork core" -- eu-readelf -n f.core
check_eq "eu-readelf: one NT_PRSTATUS per thread" "$threads" "$(eu-readelf -n f.core | grep -c 'CORE.*PRSTATUS')"
gdb -nx -batch -ex 'info threads' "$SAMPLES_DIR/churn" f.core >gdb.out 2>&1
check_eq "gdb finds every thread in the fork core" "$threads" "$(grep -cE '^[* ] +[0-9]+ +Thread|^[* ] +[0-9]+ +LWP' gdb.out)"

"$MEMSNAP" analyze -q f.core -o f.db
check_eq "analyze of the fork core exits 0" 0 $?
check_mallinfo fork f.db CH
done_testing
