#!/usr/bin/env bash
# jemalloc's heap, walked: a program linked with -ljemalloc (Debian's
# libjemalloc2, stripped: the walker finds jemalloc's state by shape)
# allocates a varied set on two threads and prints jemalloc's own figures
# after mallctl("epoch"); the database's jemalloc_stats view must hold
# every one of them exactly (stats.allocated, .active, .resident, each
# arena's bins' curregs, lextents' curlextents and tcache_bytes), with the
# thread caches full and then flushed, in a memsnap core and gdb's gcore.
# Every block the program holds is a used block of the usable size
# jemalloc's malloc_usable_size gave, and none is called leaked.  Then a
# damaged extent, slab bitmap and a cycle in a list (jemalloc_damage.py)
# each end in a warning naming the address.
#
# Truth: jemalloc's mallctl and malloc_usable_size in the process.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

for tool in gcore sqlite3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done
if [ ! -x "$TESTS_DIR/jemalloc_truth" ]; then
	skip "jemalloc_truth was not built: libjemalloc-dev is not installed (scripts/setup-debian.sh)"
	done_testing
fi

# figures FILE: jemalloc's figures from the sample's report lines in FILE, as jemalloc_stats names them, sorted
figures() {
	awk '$1 == "stats" { print "stats.allocated|" $2; print "stats.active|" $3; print "stats.resident|" $4 }
	     $1 == "curregs" { print "stats.arenas." $2 ".bins." $3 ".curregs|" $5 }
	     $1 == "curlextents" { print "stats.arenas." $2 ".lextents." $3 ".curlextents|" $5 }
	     $1 == "tcache_bytes" { print "stats.arenas." $2 ".tcache_bytes|" $3 }' "$1" | sort
}

# check_phase NAME REPORT: each database of NAME against the figures in REPORT
check_phase() {
	local name=$1 report=$2 v db want
	want=$(figures "$report")
	check "$name: the program reported its figures" -- test "$(printf '%s\n' "$want" | grep -c curregs)" -gt 30
	for v in "$name" "$name-gcore"; do
		db=$WORK/$v.db
		check_eq "$v: jemalloc is walked, found by shape (Debian's library is stripped), and serves malloc" "1|1|1" \
			"$(sql "$db" "SELECT walked, serves_malloc, evidence LIKE '%(found by shape)%' FROM allocators WHERE name = 'jemalloc'")"
		check_eq "$v: every figure jemalloc's mallctl gave, exactly" "$want" \
			"$(sql "$db" 'SELECT name || "|" || value FROM jemalloc_stats' | sort)"
		check_eq "$v: each bin's and large class's size is what mallctl's arenas.bin/lextent.<j>.size says" \
			"$(awk '$1 == "curregs" || $1 == "curlextents" { print $1 "|" $2 "|" $3 "|" $4 }' "$report" | sort)" \
			"$(sql "$db" "SELECT 'curregs|' || arena || '|' || bin || '|' || size FROM jemalloc_bins WHERE curregs > 0
			              UNION ALL SELECT 'curlextents|' || arena || '|' || lextent || '|' || size FROM jemalloc_lextents" | sort)"
		check_eq "$v: stats.allocated is the used and thread-cached blocks' usable bytes" \
			"$(sql "$db" "SELECT value FROM jemalloc_stats WHERE name = 'stats.allocated'")" \
			"$(sql "$db" "SELECT sum(usable) FROM chunks WHERE allocator = 'jemalloc' AND (state = 'used' OR bin = 'tcache')")"
		check_eq "$v: no warnings" "" "$(sql "$db" 'SELECT message FROM warnings')"
		truth J held | while read -r addr usable; do printf '%d|%s\n' "$addr" "$usable"; done | sort >"$WORK/$v.held"
		sql "$db" "SELECT mem || '|' || usable FROM chunks WHERE state = 'used'" | sort >"$WORK/$v.used"
		check "$v: the program holds blocks" -- test -s "$WORK/$v.held"
		check_eq "$v: every block the program holds is a used block of malloc_usable_size's size" "" \
			"$(comm -23 "$WORK/$v.held" "$WORK/$v.used" | head -3)"
		check_eq "$v: nothing the program holds is called leaked" 0 \
			"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak IN ('definite', 'indirect')")"
	done
}

start_sample J jemalloc_truth || { t_result 1 "jemalloc_truth starts"; done_testing; }
sed -n '1,/^ready$/p' "$J_OUT" >"$WORK/cached.report"
snap cached "$J_PID"
check "cached: analyze the memsnap core" -- "$MEMSNAP" analyze -q -o "$WORK/cached.db" "$WORK/cached.core"
check "cached: analyze the gcore core" -- "$MEMSNAP" analyze -q -o "$WORK/cached-gcore.db" "$WORK/cached-gcore.core"
check_phase cached "$WORK/cached.report"
check "cached: thread caches hold blocks" -- test "$(sql "$WORK/cached.db" "SELECT count(*) FROM chunks WHERE bin = 'tcache'")" -gt 0

send J flush
check "the program flushed both thread caches" -- wait_for_line "$J_OUT" '^flushed$' 60
sed -n '/^ready$/,/^flushed$/p' "$J_OUT" >"$WORK/flushed.report"
snap flushed "$J_PID"
check "flushed: analyze the memsnap core" -- "$MEMSNAP" analyze -q -o "$WORK/flushed.db" "$WORK/flushed.core"
check "flushed: analyze the gcore core" -- "$MEMSNAP" analyze -q -o "$WORK/flushed-gcore.db" "$WORK/flushed-gcore.core"
check_phase flushed "$WORK/flushed.report"
check_eq "flushed: no thread cache holds a block" 0 "$(sql "$WORK/flushed.db" "SELECT count(*) FROM chunks WHERE bin = 'tcache'")"
check_unharmed J

# --- damaged structures: each ends in a warning naming the address, never a loop or a crash ---
core=$WORK/flushed.core
for kind in extent bitmap cycle; do
	/usr/bin/python3 "$TESTS_DIR/jemalloc_damage.py" "$core" "$WORK/flushed.db" "$kind" >"$WORK/undo.$kind"
	addr=$(head -n 1 "$WORK/undo.$kind")
	timeout 120 "$MEMSNAP" analyze -q -f -o "$WORK/damaged.db" "$core" 2>"$WORK/err.$kind"
	check_eq "damaged $kind: analyze ends with exit 0" 0 $?
	check "damaged $kind: a heap warning names 0x$(printf %x "$addr")" -- \
		test "$(sql "$WORK/damaged.db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND address = $addr AND message LIKE 'jemalloc: %' AND message LIKE '%' || printf('0x%x', $addr) || '%'")" -ge 1
	/usr/bin/python3 "$TESTS_DIR/jemalloc_damage.py" --restore "$core" <"$WORK/undo.$kind"
done
done_testing
