#!/usr/bin/env bash
# Swapped-out pages: by default they are not read (that would swap them back
# in and grow the target), and the MEMSNAP skipped note says so; with
# --read-swapped they are read, and the core holds their bytes.  The sparse
# sample's "pageout" has the kernel swap its first touched run out
# (MADV_PAGEOUT), which needs swap: on a machine without any, a swap file is
# turned on for the test where it can be (swap_lib.sh); else only what does
# not depend on it is checked (--read-swapped is taken, recorded, and
# changes nothing).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swap_lib.sh"
cd "$WORK" || exit 1
swap_file_on || diag "$SWAP_WHY"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"

start_sample S sparse -m 64 -t 8 -r 2 || { t_result 1 "sparse starts"; done_testing; }
EXE=$SAMPLES_DIR/sparse
read -r addr len byte < <(truth S touched | head -n 1)

vm_swap_kb() { awk '/^VmSwap:/ {print $2}' "/proc/$1/status"; }
# swapped_in CORE [START LEN]: the bytes the skipped note lists as "swapped" (in [START, START+LEN))
swapped_in() {
	python3 "$ELFNOTE" "$1" MEMSNAP skipped | python3 -c '
import sys
a, e, n = int(sys.argv[1], 16), int(sys.argv[1], 16) + int(sys.argv[2]), 0
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if len(f) >= 2 and f[1] == "swapped":
        s, t = (int(x, 16) for x in f[0].split("-"))
        n += max(0, min(t, e) - max(s, a))
print(n)' "${2:-0}" "${3:-18446744073709551615}"
}
# first_last CORE: the first and last bytes of the first run, as gdb reads them from CORE
first_last() {
	gdb -batch -ex "x/1xb $addr" -ex "x/1xb $addr + $len - 1" "$EXE" "$1" 2>/dev/null | grep -E '^0x' | awk '{printf "%s ", $2}'
}

send S pageout
wait_for_line "$S_OUT" '^pageout ' 10
swap_kb=$(grep '^pageout ' "$S_OUT" | tail -n 1 | cut -d' ' -f2)

if [ "${swap_kb:-0}" -gt 0 ]; then
	diag "$swap_kb KiB of the first run went to swap"
	swap0=$(vm_swap_kb "$S_PID")
	rss0=$(rss_kb "$S_PID")
	"$MEMSNAP" capture "$S_PID" -o plain.core -q
	check_eq "capture exits 0" 0 $?
	check_eq "the swapped pages stay in swap (VmSwap)" "$swap0" "$(vm_swap_kb "$S_PID")"
	check_eq "the target does not grow (VmRSS)" "$rss0" "$(rss_kb "$S_PID")"
	check_eq "the skipped note lists every swapped page (VmSwap's bytes) as swapped" $((swap0 * 1024)) "$(swapped_in plain.core)"
	check "among them, the run paged out" -- test "$(swapped_in plain.core "$addr" "$len")" -gt 0
	check_unharmed S

	"$MEMSNAP" capture "$S_PID" -o swapped.core --read-swapped -q
	check_eq "capture --read-swapped exits 0" 0 $?
	check_eq "--read-swapped: nothing is listed as swapped" 0 "$(swapped_in swapped.core)"
	check_eq "--read-swapped: gdb reads the swapped run's bytes from the core" "$byte $byte " "$(first_last swapped.core)"
else
	skip "no swap on this machine: the pages stay in RAM (checked with swap only)"
	"$MEMSNAP" capture "$S_PID" -o swapped.core --read-swapped -q
	check_eq "capture --read-swapped exits 0" 0 $?
	check_eq "nothing is listed as swapped" 0 "$(swapped_in swapped.core)"
	check_eq "nor in the run" 0 "$(swapped_in swapped.core "$addr" "$len")"
	check_eq "gdb reads the run's bytes from the core" "$byte $byte " "$(first_last swapped.core)"
fi
settings=$(python3 "$ELFNOTE" swapped.core MEMSNAP settings)
check "the settings note records --read-swapped" -- grep -qx "read_swapped=1" <<<"$settings"
check_unharmed S

done_testing
