#!/usr/bin/env bash
# A page capture leaves out is never mistaken for zeros at analyze: the
# MEMSNAP skipped note's range brings a warning naming the range and the
# reason, and the heap walk that stops at the zeros the core holds there
# says that is why.
#
# One page of the main arena's heap, holding a chunk header of a block the
# sample still holds, is left out twice:
#  - crafted, on any machine: a full capture, then core_leave_out.py does
#    to the core what capture does for a page in swap (zeros in the core,
#    a "swapped" line in the note);
#  - for real, where a swap file can be turned on (swap_lib.sh): gdb has the
#    sample call madvise(MADV_PAGEOUT) on that page, the kernel's
#    page map says it is in swap, and capture leaves it out by itself.
# Also: on a machine with no swap at all, capture lists nothing as swapped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swap_lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$WORK" || exit 1
MADV_PAGEOUT=21 # include/uapi/asm-generic/mman-common.h

start_sample C churn -t 0 -n 300 || { t_result 1 "churn starts"; done_testing; exit 1; }

# The page holding the header of a small held block in the middle of [heap].
read -r hlo hhi < <(awk '$6 == "[heap]" {split($1, r, "-"); print r[1], r[2]}' "/proc/$C_PID/maps")
held=()
while read -r _ addr usable; do
	((addr > 16#$hlo + 8192 && addr < 16#$hhi - 8192 && usable <= 256)) && held+=("$addr")
done < <(truth C held)
[ "${#held[@]}" -gt 0 ] || { t_result 1 "the sample holds small blocks inside [heap]"; done_testing; exit 1; }
block=${held[${#held[@]} / 2]}
page=$(printf '%x' $(((block - 16) & ~4095)))
page_end=$(printf '%x' $((16#$page + 4096)))
diag "[heap] $hlo-$hhi, block $block, page $page-$page_end"

# swapped_lines CORE: the skipped note's "swapped" lines
swapped_lines() { python3 "$HERE/elfnote.py" "$1" MEMSNAP skipped | awk -F '\t' '$2 == "swapped"'; }

# judge LABEL DB: the warnings the left-out page must bring
judge() {
	local label=$1 db=$2
	check_eq "$label: one 'skipped' warning names the page's range and the reason" 1 \
		"$(sql "$db" "SELECT count(*) FROM warnings WHERE stage = 'skipped' AND address = $((16#$page)) AND message LIKE '0x$page-0x$page_end (%) is not in the core: memsnap capture left it out as ''swapped''%'")"
	local inside
	inside=$(sql "$db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND address >= $((16#$page)) AND address < $((16#$page_end))")
	check "$label: the heap walk warns inside the page (it holds the header of $block)" -- test "$inside" -gt 0
	check_eq "$label: every heap warning says the page was left out as swapped" "" \
		"$(sql "$db" "SELECT printf('%x', address) || ': ' || message FROM warnings WHERE stage = 'heap' AND message NOT LIKE '% is in 0x%-0x%, which memsnap capture left out of the core as ''swapped'': its bytes are unknown, not zeros'")"
	check "$label: among them, some name the page" -- test "$(sql "$db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND message LIKE '% is in 0x$page-0x$page_end, which memsnap capture left out of the core as ''swapped''%'")" -gt 0
}

# 1. Crafted.
"$MEMSNAP" capture -q "$C_PID" -o full.core
check_eq "capture exits 0" 0 $?
if [ "$(wc -l </proc/swaps)" -le 1 ]; then
	check_eq "no swap on the machine: nothing is listed as swapped" "" "$(swapped_lines full.core)"
fi
"$MEMSNAP" analyze -q full.core -o full.db
check_eq "the full core: no heap warning" "" "$(sql full.db "SELECT message FROM warnings WHERE stage = 'heap'")"
cp full.core crafted.core
check "core_leave_out.py leaves the page out" -- python3 "$HERE/core_leave_out.py" crafted.core "$page" "$page_end" swapped "swapped out; reading it would swap it in (--read-swapped reads it)"
"$MEMSNAP" analyze -q crafted.core -o crafted.db
check_eq "analyze of the crafted core exits 0" 0 $?
judge crafted crafted.db

# 2. For real, in swap.
if ! swap_file_on; then
	skip "$SWAP_WHY"
	done_testing
	exit 0
fi
diag "swap: $(tail -n +2 /proc/swaps | awk '{print $1}' | paste -sd ' ')"
# gdb's attach stops the sample for the call (a SIGSTOP of ours would be delivered inside it).
out=$(gdb -batch -p "$C_PID" -ex "print (int) madvise((void *) 0x$page, 4096, $MADV_PAGEOUT)" 2>&1)
check "gdb has the sample page the block's page out (madvise returns 0)" -- grep -q '^\$1 = 0$' <<<"$out"
# The kernel's own word: the page's pagemap entry is a swap entry (bit 62) of a swap area's type.
entry=$(python3 -c '
import struct, sys
with open("/proc/%s/pagemap" % sys.argv[1], "rb") as f:
    f.seek(int(sys.argv[2], 16) // 4096 * 8)
    e, = struct.unpack("<Q", f.read(8))
print("swap" if e >> 62 & 1 and not e >> 63 & 1 else "present" if e >> 63 & 1 else "none", e & 31)' "$C_PID" "$page")
if [ "${entry%% *}" != swap ]; then
	skip "the kernel did not put the page in swap (pagemap: $entry)"
	done_testing
	exit 0
fi
diag "pagemap: $entry"
"$MEMSNAP" capture -q "$C_PID" -o swapped.core
check_eq "capture with the page in swap exits 0" 0 $?
# (Other pages may go to swap too on a machine short of memory: only this one is sure to.)
check "the skipped note lists the page as swapped" -- grep -qx "$page-$page_end" <(swapped_lines swapped.core | cut -f1)
"$MEMSNAP" analyze -q swapped.core -o swapped.db
check_eq "analyze exits 0" 0 $?
judge swapped swapped.db

# --read-swapped reads it back: the heap is whole again.
"$MEMSNAP" capture -q --read-swapped "$C_PID" -o read.core
"$MEMSNAP" analyze -q read.core -o read.db
check_eq "--read-swapped: no 'skipped' warning" 0 "$(sql read.db "SELECT count(*) FROM warnings WHERE stage = 'skipped'")"
check_eq "--read-swapped: no heap warning" "" "$(sql read.db "SELECT message FROM warnings WHERE stage = 'heap'")"
check_unharmed C
done_testing
