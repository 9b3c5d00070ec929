#!/usr/bin/env bash
# The sparse sample maps 1 GiB and touches 16 MiB of it.  Its core must take
# about 16 MiB of disk (holes for the rest, as du counts), the capture must
# not fault a single page into it (VmRSS unchanged), and gdb must read the
# touched bytes back.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

start_sample S sparse -m 1024 -t 16 || { t_result 1 "sparse starts"; done_testing; }
EXE=$SAMPLES_DIR/sparse

rss_before=$(rss_kb "$S_PID")
"$MEMSNAP" capture "$S_PID" -o sparse.core 2>err
check_eq "capture exits 0" 0 $?
rss_after=$(rss_kb "$S_PID")
check_eq "the target's VmRSS is unchanged by the capture" "$rss_before" "$rss_after"
check_unharmed S

# Everything else the process has (libc's data, stacks) is well under 4 MiB.
disk_kb=$(du -k sparse.core | cut -f1)
check_near "the core takes about the 16 MiB touched on disk (du, KiB)" 16384 "$disk_kb" 4096
read -r region size < <(truth S region)
apparent=$(stat -c %s sparse.core)
check "its apparent size covers the mapping (sparse, not short)" -- test "$apparent" -ge $((size * 15 / 16))

# gdb reads each touched run's first and last byte, and an untouched page between runs reads as zero.
args=()
expect=""
while read -r addr len byte; do
	args+=(-ex "x/1xb $addr" -ex "x/1xb $addr + $len - 1")
	expect+="$byte $byte "
done < <(truth S touched)
read -r first_addr first_len _ < <(truth S touched | head -n 1)
args+=(-ex "x/1xb $first_addr + $first_len + 4096")
expect+="0x00 "
got=$(gdb -batch "${args[@]}" "$EXE" sparse.core 2>/dev/null | grep -E '^0x' | awk '{printf "%s ", $2}')
check_eq "gdb reads every touched run's first and last bytes, and zero between runs" "$expect" "$got"

# The same, written while stopped (no stage): still no page faulted in, still sparse.
rss_before=$(rss_kb "$S_PID")
"$MEMSNAP" capture "$S_PID" -o direct.core --stage-limit 0 -q
check_eq "capture --stage-limit 0 exits 0" 0 $?
check_eq "VmRSS unchanged by a capture written while stopped" "$rss_before" "$(rss_kb "$S_PID")"
check_near "that core is as sparse (du, KiB)" 16384 "$(du -k direct.core | cut -f1)" 4096
check_unharmed S

done_testing
