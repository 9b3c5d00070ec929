#!/usr/bin/env bash
# A damaged heap (tests/e2e/heap_corrupt.c): a chunk header with an
# impossible size, a fastbin looping back on itself, an unsorted chunk whose
# bk points nowhere.  Analysis must finish (exit 0) and name each address in
# its warnings, and still list what it could read.
. "$(dirname "$0")/lib.sh"

cd "$WORK" || exit 1
start_sample C heap_corrupt || { t_result 1 "heap_corrupt starts"; done_testing; }
corrupt=$(($(truth C corrupt)))
read -r loop_a loop_b <<<"$(truth C loop)"
read -r wild_chunk wild_bk <<<"$(truth C wild)"

gcore -o "$WORK/c" "$C_PID" >"$WORK/gcore.log" 2>&1
check "gcore wrote a core" -- test -s "$WORK/c.$C_PID"
timeout 60 "$MEMSNAP" analyze -q "$WORK/c.$C_PID" -o "$WORK/c.db"
check_eq "analysis of a corrupt heap completes with exit 0" 0 $?
check_eq "a warning names the chunk with the bad size field" 1 \
	"$(sql "$WORK/c.db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND address = $corrupt AND message LIKE '%size field 0x13371337%'")"
check_eq "a warning names the fastbin loop" 1 \
	"$(sql "$WORK/c.db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND address IN ($((loop_a)), $((loop_b))) AND message LIKE 'fastbin % loops%'")"
check_eq "a warning names the wild bk pointer" 1 \
	"$(sql "$WORK/c.db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND address = $((wild_bk)) AND message LIKE 'unsorted bin%'")"
check_eq "the looped fastbin's chunks are free in bin 'fast'" "fast|fast" \
	"$(sql "$WORK/c.db" "SELECT group_concat(bin, '|') FROM chunks WHERE address IN ($((loop_a)), $((loop_b))) AND state = 'free'")"
check_eq "the chunk with the wild bk is still listed, in the unsorted bin" "free|unsorted" \
	"$(sql "$WORK/c.db" "SELECT state || '|' || bin FROM chunks WHERE address = $((wild_chunk))")"
check_eq "the top chunk is listed though the walk stopped short of it" 1 \
	"$(sql "$WORK/c.db" "SELECT count(*) FROM chunks WHERE state = 'top'")"
check_unharmed C
done_testing
