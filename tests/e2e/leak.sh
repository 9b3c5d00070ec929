#!/usr/bin/env bash
# The classic leak: samples/leak mallocs 4 MiB and a 48-byte label per step
# and drops both, keeping a small record on a global list.  Every dropped
# block must be definitely lost, every record still reachable, and the
# leak_summary view must show the dropped bytes: what the sample asked for,
# plus no more than glibc's rounding (the sample's requests are the truth;
# malloc_usable_size rounds a request up by less than a page, or by less
# than 24 bytes below the mmap threshold).
. "$(dirname "$0")/lib.sh"

start_sample L leak -n 3 || { done_testing; exit 1; }
send L "step 2"
wait_for_line "$L_OUT" '^done 5$' 30 || diag "the sample did not finish step 5"

leaked_blocks=$(truth L leaked | wc -l)
leaked_bytes=$(truth L leaked | awk '{s += $2} END {print s}')
check_eq "the sample dropped 2 blocks per step" 10 "$leaked_blocks"

core=$WORK/l.core
check "capture the leak sample" -- "$MEMSNAP" capture -q "$L_PID" -o "$core"
check_unharmed L
check "analyze the leak core" -- "$MEMSNAP" analyze -q "$core" -o "$WORK/l.db"
db=$WORK/l.db
# A sound process captured by memsnap leaves nothing unknown: the untouched
# tails of its mappings are known zero (docs/core-format.md), so no warning.
check_eq "a memsnap core of a sound process: no warnings" "" "$(sql "$db" "SELECT stage || ': ' || message FROM warnings")"

# A mapping never touched at all has no bytes in the core and is not listed
# as skipped: known zero too, not unknown.
start_sample S sparse -m 64 -t 0 || { done_testing; exit 1; }
check "capture a process with a wholly untouched mapping" -- "$MEMSNAP" capture -q "$S_PID" -o "$WORK/s.core"
check_unharmed S
check "analyze it" -- "$MEMSNAP" analyze -q "$WORK/s.core" -o "$WORK/s.db"
read -r region size < <(truth S region)
check_eq "its mapping is a segment with nothing in the core" "0|$size" \
	"$(sql "$WORK/s.db" "SELECT in_core, \"end\" - start FROM segments WHERE start = $((region))")"
check_eq "and it brings no warning" "" "$(sql "$WORK/s.db" "SELECT stage || ': ' || message FROM warnings")"

# Every leaked address is a definite leak; every held record is reachable.
leaked=$(truth L leaked | while read -r a _; do printf '%d,' "$((a))"; done)
leaked=${leaked%,}
held=$(truth L held | while read -r a _; do printf '%d,' "$((a))"; done)
held=${held%,}
check_eq "every dropped block is definitely lost" 10 \
	"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak = 'definite' AND mem IN ($leaked)")"
check_eq "every kept record is still reachable" 5 \
	"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak = 'reachable' AND mem IN ($held)")"
check_eq "the 4 MiB blocks are mmapped chunks" 5 \
	"$(sql "$db" "SELECT count(*) FROM chunks WHERE mmapped = 1 AND mem IN ($leaked)")"
if [ "$(sql "$db" "SELECT (SELECT count(*) FROM modules) + (SELECT count(*) FROM snapshot WHERE source = 'memsnap')")" -gt 0 ]; then
	check_eq "the global list's head is held from static memory" 1 \
		"$(sql "$db" "SELECT count(DISTINCT r.to_chunk) FROM refs r JOIN chunks c ON c.id = r.to_chunk
		              WHERE r.root_kind = 'static' AND r.to_offset = 0 AND c.mem IN ($held)")"
else
	skip "no modules found, so module data and bss are not told apart: the static root is untested"
fi

# leak_summary: definitely lost = the dropped blocks, and their bytes.
summary=$(sql "$db" "SELECT blocks, bytes FROM leak_summary WHERE leak = 'definite'")
check_eq "leak_summary: definitely lost blocks" 10 "${summary%|*}"
bytes=${summary#*|}
check "leak_summary: definitely lost bytes ($bytes) cover the $leaked_bytes bytes dropped" -- \
	test "$bytes" -ge "$leaked_bytes"
check "leak_summary: definitely lost bytes ($bytes) are the dropped bytes plus rounding" -- \
	test "$bytes" -le $((leaked_bytes + 5 * 4096 + 5 * 24))
check_eq "leak_summary lists valgrind's four kinds in its order" \
	"definitely lost,indirectly lost,possibly lost,still reachable" \
	"$(sql "$db" "SELECT group_concat(kind, ',') FROM (SELECT kind FROM leak_summary)")"
check_eq "nothing is indirectly lost" 0 "$(sql "$db" "SELECT blocks FROM leak_summary WHERE leak = 'indirect'")"

done_testing
