#!/usr/bin/env bash
# Leak verdicts against a program's own account: samples/reach builds blocks
# of every fate from 5 threads (held from globals, stacks, TLS and other
# blocks; reached only through interior pointers; dropped lists and rings;
# freed) and prints each one.  Its account agrees with valgrind memcheck's
# (vgdb leak_check); here memsnap must agree with it, on a core from
# `memsnap capture` and on one from gdb's gcore of the same process.
. "$(dirname "$0")/lib.sh"

start_sample R reach || { done_testing; exit 1; }

# The sample's truth as a table: kind, mem, size, tid (addresses in decimal).
truth_db=$WORK/truth.db
{
	echo "CREATE TABLE blocks(kind TEXT, mem INTEGER, size INTEGER, tid INTEGER);"
	echo "CREATE TABLE typed(name TEXT, mem INTEGER);"
	echo "BEGIN;"
	while read -r tag a b c d; do
		case $tag in
		block) echo "INSERT INTO blocks VALUES('$a', $((b)), $c, $d);" ;;
		type) echo "INSERT INTO typed VALUES('$a', $((b)));" ;;
		esac
	done <"$R_OUT"
	echo "COMMIT;"
} | sqlite3 "$truth_db"
total=$(sql "$truth_db" "SELECT count(*) FROM blocks")
check "the sample reported its blocks ($total)" -- test "$total" -gt 4000

# q DB SQL: a query with the truth attached as t.
q() { sqlite3 -batch -noheader "$1" "ATTACH '$truth_db' AS t; $2"; }

verdicts() {
	local db=$1 src=$2 kind want n ok
	for kind in reachable_static reachable_block reachable_stack reachable_tls possible definite indirect; do
		case $kind in reachable_*) want=reachable ;; *) want=$kind ;; esac
		n=$(q "$db" "SELECT count(*) FROM t.blocks WHERE kind = '$kind'")
		ok=$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem AND c.state = 'used'
		              WHERE b.kind = '$kind' AND c.leak = '$want'")
		check "$src: $kind blocks are $want: $ok of $n (99.5% needed)" -- test $((ok * 1000)) -ge $((n * 995))
	done

	local held_lost
	held_lost=$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem AND c.state = 'used'
	                     WHERE (b.kind LIKE 'reachable_%' OR b.kind = 'possible') AND c.leak IN ('definite', 'indirect')")
	check "$src: blocks the sample holds called leaked: $held_lost (10 allowed)" -- test "$held_lost" -le 10

	# Free chunks: none has a verdict, tcache'd ones included, and the sample's freed blocks are among them.
	check_eq "$src: no free or top chunk has a verdict" 0 \
		"$(sql "$db" "SELECT count(*) FROM chunks WHERE state <> 'used' AND leak IS NOT NULL")"
	check "$src: the heap has tcache'd chunks to test that on" -- \
		test "$(sql "$db" "SELECT count(*) FROM chunks WHERE bin = 'tcache'")" -gt 0
	check_eq "$src: no freed block of the sample has a verdict" 0 \
		"$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem WHERE b.kind = 'freed' AND c.leak IS NOT NULL")"
	check_eq "$src: every freed block is a free chunk or part of one" 0 \
		"$(q "$db" "SELECT count(*) FROM t.blocks b WHERE b.kind = 'freed' AND EXISTS
		            (SELECT 1 FROM chunks c WHERE c.state = 'used' AND b.mem >= c.mem AND b.mem < c.mem + c.usable)")"
	check_eq "$src: no ref points at a free chunk" 0 \
		"$(sql "$db" "SELECT count(*) FROM refs r JOIN chunks c ON c.id = r.to_chunk WHERE c.state <> 'used'")"

	# The refs prove the verdicts: each kind of root holds its blocks, from the right thread.
	# Static roots need module data and bss told apart from other mappings: a gcore core lacks the
	# executable's text mapping, so only the modules stage (or a memsnap core's smaps) tells them.
	local have_static
	have_static=$(sql "$db" "SELECT (SELECT count(*) FROM modules) + (SELECT count(*) FROM snapshot WHERE source = 'memsnap')")
	local root kind2 rk
	for kind2 in reachable_stack:stack reachable_tls:tls reachable_static:static; do
		kind=${kind2%%:*}; rk=${kind2#*:}
		if [ "$rk" = static ] && [ "$have_static" -eq 0 ]; then
			skip "$src: no modules found, so module data and bss are not told apart: static roots untested"
			continue
		fi
		n=$(q "$db" "SELECT count(*) FROM t.blocks WHERE kind = '$kind'")
		root="r.root_kind = '$rk' AND r.to_offset = 0"
		[ "$rk" = static ] || root="$root AND r.tid = b.tid"
		ok=$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem
		              WHERE b.kind = '$kind' AND EXISTS (SELECT 1 FROM refs r WHERE r.to_chunk = c.id AND $root)")
		check "$src: $kind blocks have a $rk root ref: $ok of $n" -- test $((ok * 1000)) -ge $((n * 995))
	done
	n=$(q "$db" "SELECT count(*) FROM t.blocks WHERE kind = 'reachable_block'")
	ok=$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem
	              WHERE b.kind = 'reachable_block' AND EXISTS (SELECT 1 FROM refs r JOIN chunks f ON f.id = r.from_chunk
	              WHERE r.to_chunk = c.id AND r.to_offset = 0 AND f.leak = 'reachable' AND r.from_address = f.mem + r.from_offset)")
	check "$src: reachable_block blocks are held by a reachable block: $ok of $n" -- test "$ok" -eq "$n"
	ok=$(q "$db" "SELECT count(*) FROM t.blocks b JOIN chunks c ON c.mem = b.mem
	              WHERE b.kind = 'possible' AND b.size = 128 AND EXISTS
	              (SELECT 1 FROM refs r WHERE r.to_chunk = c.id AND r.to_offset = 64 AND r.from_chunk IS NULL)")
	check_eq "$src: interior pointers 64 bytes in are recorded" 200 "$ok"

	# valgrind's LEAK SUMMARY: the sample's own definite and indirect leaks, block for block.
	check_eq "$src: leak_summary's definite blocks are the sample's" \
		"$(q "$db" "SELECT count(*) FROM t.blocks WHERE kind = 'definite'")" \
		"$(sql "$db" "SELECT blocks FROM leak_summary WHERE leak = 'definite'")"
	check_eq "$src: leak_summary's indirect blocks are the sample's" \
		"$(q "$db" "SELECT count(*) FROM t.blocks WHERE kind = 'indirect'")" \
		"$(sql "$db" "SELECT blocks FROM leak_summary WHERE leak = 'indirect'")"

	# Hashes: every used block has one; blocks with equal bytes share it.
	check_eq "$src: every used block in the core has a hash" 0 \
		"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND hash IS NULL")"
	check_eq "$src: free chunks have no hash" 0 "$(sql "$db" "SELECT count(*) FROM chunks WHERE state <> 'used' AND hash IS NOT NULL")"

	# Type hints: text, and C++ objects named through the executable's symbols.
	ok=$(q "$db" "SELECT count(*) FROM t.typed y JOIN chunks c ON c.mem = y.mem WHERE y.name = 'string' AND c.type = 'string'")
	check_eq "$src: text blocks are typed string" 20 "$ok"
	if [ "$(sql "$db" "SELECT count(*) FROM modules")" -gt 0 ]; then
		ok=$(q "$db" "SELECT count(*) FROM t.typed y JOIN chunks c ON c.mem = y.mem WHERE y.name = 'sample::Widget' AND c.type = y.name")
		check_eq "$src: objects with a vtable pointer are typed sample::Widget" 20 "$ok"
	else
		skip "$src: no modules in the database: vtable type hints need the modules stage"
	fi
}

if "$MEMSNAP" capture "$R_PID" -o "$WORK/r.core" >"$WORK/capture.log" 2>&1; then
	check_unharmed R
	check "analyze the memsnap core" -- "$MEMSNAP" analyze -q "$WORK/r.core" -o "$WORK/r.db"
	verdicts "$WORK/r.db" memsnap
elif grep -q "'capture' is not built yet" "$WORK/capture.log"; then
	skip "memsnap capture is not built yet: only the gcore core is tested"
else
	t_result 1 "memsnap capture of the reach sample"
	sed 's/^/#   /' "$WORK/capture.log"
fi

check "gcore the same process" -- gcore -o "$WORK/g" "$R_PID"
check "analyze the gcore core" -- "$MEMSNAP" analyze -q "$WORK/g.$R_PID" -o "$WORK/g.db"
check_unharmed R
verdicts "$WORK/g.db" gcore

# chunks.hash of a block up to 4 KiB is XXH3 of its usable bytes
# (docs/database.md): xxhsum -H3 of those bytes as gdb reads them from the core.
if command -v xxhsum >/dev/null; then
	sql "$WORK/g.db" "SELECT mem, usable, printf('%016x', hash) FROM chunks
		WHERE state = 'used' AND hash IS NOT NULL AND usable BETWEEN 1 AND 4096 ORDER BY id LIMIT 40" | tr '|' ' ' >"$WORK/hashed"
	args=() n=0
	while read -r mem usable _; do
		args+=(-ex "dump binary memory $WORK/block.$n $mem $((mem + usable))")
		n=$((n + 1))
	done <"$WORK/hashed"
	gdb -batch -nx "$SAMPLES_DIR/reach" "$WORK/g.$R_PID" "${args[@]}" >/dev/null 2>&1
	diffs=0 n=0
	while read -r _ _ want; do
		got=$(xxhsum -H3 "$WORK/block.$n" 2>/dev/null | sed -E 's/.*= //; s/^([0-9a-f]{16}).*/\1/')
		[ "$got" = "$want" ] || { diffs=$((diffs + 1)); echo "#   block $n: xxhsum '$got', chunks.hash '$want'"; }
		n=$((n + 1))
	done <"$WORK/hashed"
	check_eq "chunks.hash is xxhsum -H3 of the block's bytes, for $n blocks up to 4 KiB" 0 "$diffs"
else
	skip "xxhsum is not installed (package xxhash, scripts/setup-debian.sh): chunks.hash not checked against it"
fi

done_testing
