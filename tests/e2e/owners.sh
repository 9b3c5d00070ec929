#!/usr/bin/env bash
# Who holds the memory, against a program's own account: samples/owners
# builds structures with known owners (a global hash table of lists, a tree
# held from one thread's stack frame, a thread-local cache, one structure
# two globals share, a cycle hanging from a global) and prints each
# holder's exact retained bytes, summed from malloc_usable_size.  The
# database must name each holder (the global's symbol, the frame's
# function, the TLS's thread and module) and give those bytes, on a core
# from `memsnap capture` and on one from gdb's gcore of the same process.
. "$(dirname "$0")/lib.sh"

start_sample O owners || { done_testing; exit 1; }

# The sample's truth: holder NAME RETAINED ADDR TID.
declare -A RETAINED ADDR TID
while read -r tag name retained addr tid; do
	[ "$tag" = holder ] || continue
	RETAINED[$name]=$retained ADDR[$name]=$((addr)) TID[$name]=$tid
done <"$O_OUT"
check_eq "the sample reported its five holders" 5 "${#RETAINED[@]}"

owners() {
	local db=$1 src=$2 name
	check "$src: the schema is version 3 or later (owners came in 3)" -- test "$(sql "$db" "SELECT value FROM meta WHERE key = 'schema_version'")" -ge 3
	check_eq "$src: every root ref has its holder" 0 \
		"$(sql "$db" "SELECT count(*) FROM refs WHERE root_kind IS NOT NULL AND root_id IS NULL")"
	check_eq "$src: no ref between blocks has a holder" 0 \
		"$(sql "$db" "SELECT count(*) FROM refs WHERE root_kind IS NULL AND root_id IS NOT NULL")"
	check_eq "$src: a root ref's holder is of its kind and thread" 0 \
		"$(sql "$db" "SELECT count(*) FROM refs f JOIN roots r ON r.id = f.root_id
		              WHERE r.kind <> f.root_kind OR r.tid IS NOT f.tid")"

	# Globals: the holder is the static symbol, and retains exactly what the sample counted.
	for name in g_table g_ring; do
		check_eq "$src: static $name retains the sample's bytes" "${RETAINED[$name]}" \
			"$(sql "$db" "SELECT retained FROM roots WHERE kind = 'static' AND symbol = '$name'")"
		check_eq "$src: static $name is named for people" "static $name in owners" \
			"$(sql "$db" "SELECT name FROM roots WHERE kind = 'static' AND symbol = '$name'")"
		check_eq "$src: $name's first block is dominated by its holder" "$name" \
			"$(sql "$db" "SELECT r.symbol FROM chunks c JOIN roots r ON r.id = c.idom_root WHERE c.mem = ${ADDR[$name]}")"
	done
	check_eq "$src: the cycle's first block retains the whole cycle" "${RETAINED[g_ring]}" \
		"$(sql "$db" "SELECT retained FROM chunks WHERE mem = ${ADDR[g_ring]}")"

	# The tree: held from the frame of hold_tree on its thread, and from nothing else.
	check_eq "$src: the tree's holder is thread ${TID[hold_tree]}'s frame of hold_tree" "1" \
		"$(sql "$db" "SELECT count(*) FROM chunks c JOIN roots r ON r.id = c.idom_root
		              WHERE c.mem = ${ADDR[hold_tree]} AND r.kind = 'stack' AND r.tid = ${TID[hold_tree]}
		              AND r.function = 'hold_tree' AND r.conservative = 0
		              AND r.frame_depth = (SELECT depth FROM frames WHERE tid = r.tid AND function = 'hold_tree')")"
	check_eq "$src: hold_tree's frame retains the tree's bytes" "${RETAINED[hold_tree]}" \
		"$(sql "$db" "SELECT retained FROM roots WHERE kind = 'stack' AND tid = ${TID[hold_tree]} AND function = 'hold_tree'")"

	# The thread-local cache: the TLS of the main thread, in the executable's TLS block.
	check_eq "$src: the cache's holder is the TLS of thread ${TID[t_cache]} in the executable" "TLS of thread ${TID[t_cache]} in owners" \
		"$(sql "$db" "SELECT r.name FROM chunks c JOIN roots r ON r.id = c.idom_root JOIN modules m ON m.id = r.module_id
		              WHERE c.mem = ${ADDR[t_cache]} AND r.kind = 'tls' AND r.tid = ${TID[t_cache]} AND m.is_main")"
	check_eq "$src: that TLS holder retains the cache's bytes" "${RETAINED[t_cache]}" \
		"$(sql "$db" "SELECT r.retained FROM chunks c JOIN roots r ON r.id = c.idom_root WHERE c.mem = ${ADDR[t_cache]}")"

	# The shared structure: two globals point at it, neither dominates it.
	check_eq "$src: the shared structure has no block or holder as immediate dominator" "1|1" \
		"$(sql "$db" "SELECT idom IS NULL, idom_root IS NULL FROM chunks WHERE mem = ${ADDR[shared]}")"
	check_eq "$src: g_left and g_right both point at it and retain nothing" "g_left|0|0
g_right|0|0" \
		"$(sql "$db" "SELECT r.symbol, r.blocks, r.retained FROM roots r WHERE r.kind = 'static' AND r.symbol IN ('g_left', 'g_right')
		              AND EXISTS (SELECT 1 FROM refs f JOIN chunks c ON c.id = f.to_chunk WHERE f.root_id = r.id AND c.mem = ${ADDR[shared]})
		              ORDER BY r.symbol")"
	check_eq "$src: the shared structure retains its own list" "${RETAINED[shared]}" \
		"$(sql "$db" "SELECT retained FROM chunks WHERE mem = ${ADDR[shared]}")"

	# The definition, on the whole heap: every used block is dominated by exactly one holder, block or the
	# virtual root, so the holders' bytes and those of the blocks right under the virtual root add up to the heap.
	check_eq "$src: holders and blocks under the virtual root retain every used byte once" \
		"$(sql "$db" "SELECT sum(size) FROM chunks WHERE state = 'used'")" \
		"$(sql "$db" "SELECT (SELECT sum(retained) FROM roots) + (SELECT coalesce(sum(retained), 0) FROM chunks
		              WHERE state = 'used' AND idom IS NULL AND idom_root IS NULL)")"
	check_eq "$src: a block's retained bytes are its size plus those of the blocks it immediately dominates" 0 \
		"$(sql "$db" "SELECT count(*) FROM chunks p WHERE p.state = 'used' AND p.retained <>
		              p.size + (SELECT coalesce(sum(c.retained), 0) FROM chunks c WHERE c.idom = p.id)")"
	check_eq "$src: free chunks have no dominator and retain nothing" 0 \
		"$(sql "$db" "SELECT count(*) FROM chunks WHERE state <> 'used' AND (idom IS NOT NULL OR idom_root IS NOT NULL OR retained IS NOT NULL)")"
}

if "$MEMSNAP" capture "$O_PID" -o "$WORK/o.core" >"$WORK/capture.log" 2>&1; then
	check_unharmed O
	check "analyze the memsnap core" -- "$MEMSNAP" analyze -q "$WORK/o.core" -o "$WORK/o.db"
	owners "$WORK/o.db" memsnap
else
	t_result 1 "memsnap capture of the owners sample"
	sed 's/^/#   /' "$WORK/capture.log"
fi

check "gcore the same process" -- gcore -o "$WORK/g" "$O_PID"
check "analyze the gcore core" -- "$MEMSNAP" analyze -q "$WORK/g.$O_PID" -o "$WORK/g.db"
check_unharmed O
owners "$WORK/g.db" gcore

done_testing
