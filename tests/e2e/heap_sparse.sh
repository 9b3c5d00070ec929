#!/usr/bin/env bash
# Mmapped chunks whose pages the process never touched (calloc on a fresh
# mapping, a malloc'd block written only at its start or its two ends, a
# posix_memalign'ed block): memsnap's core leaves those pages out (holes, or
# past the segment's p_filesz), gdb's gcore writes them as zeros.  Both must
# give the same chunks, hashes, verdicts and pointers, and the chunks must be
# the blocks the sample holds, adding up to glibc's own mallinfo2(); a kernel
# core of the same process (sparse too) must give them as well.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"
cd "$WORK" || exit 1

start_sample S sparse -m 64 -t 1 -r 4 -c 24 || { t_result 1 "sparse -c starts"; done_testing; }
nblocks=$(truth S block | wc -l)
check_eq "the sample reports its 24 blocks" 24 "$nblocks"

# Stopped for both captures, so they see the same stack words.
kill -STOP "$S_PID"
"$MEMSNAP" capture -q "$S_PID" -o m.core
check_eq "memsnap capture of the stopped sample exits 0" 0 $?
gcore -o g "$S_PID" >gcore.log 2>&1
check "gcore wrote a core" -- test -s "g.$S_PID"
kill -CONT "$S_PID"
check_unharmed S

# The case this is about: blocks reaching past the end of their PT_LOAD's file bytes in memsnap's core.
eu-readelf -l m.core | awk '$1 == "LOAD" {print $3, $5}' >loads.txt
cut_short=0
while read -r addr _ _ _; do
	a=$((addr))
	while read -r vaddr filesz; do
		v=$((vaddr)) f=$((filesz))
		if [ "$a" -ge "$v" ] && [ "$a" -lt $((v + f + 1)) ]; then
			end=$(truth S block | awk -v m="$addr" '$1 == m {print $2}')
			[ $((a + end)) -gt $((v + f)) ] && cut_short=$((cut_short + 1))
			break
		fi
	done <loads.txt
done < <(truth S block)
check "memsnap's core leaves some blocks' last pages out (p_filesz ends inside $cut_short of them)" -- \
	test "$cut_short" -gt 0
check "memsnap's core is sparse (du below the apparent size)" -- \
	test $(($(du -k m.core | cut -f1) * 1024)) -lt "$(stat -c %s m.core)"

"$MEMSNAP" analyze -q m.core -o m.db
check_eq "analyze of the memsnap core exits 0" 0 $?
"$MEMSNAP" analyze -q "g.$S_PID" -o g.db
check_eq "analyze of the gcore core exits 0" 0 $?

while read -r addr usable how lead; do
	echo "$((addr)),$usable,$how,$lead"
done < <(truth S block) >blocks.csv
sqlite3 -batch truth.db <<-SQL
CREATE TABLE block(mem INTEGER, usable INTEGER, how TEXT, lead INTEGER);
.mode csv
.import blocks.csv block
SQL

# check_blocks LABEL DB: the database's mmapped chunks are the sample's blocks, and add up to mallinfo2
check_blocks() {
	local label=$1 db=$2
	check_eq "$label: mmapped chunks = mallinfo hblks" "$(mallinfo S hblks)" \
		"$(sql "$db" 'SELECT count(*) FROM chunks WHERE mmapped')"
	check_eq "$label: every block the sample holds is a used mmapped chunk of its usable size" "$nblocks" \
		"$(sqlite3 -batch -noheader truth.db "ATTACH '$db' AS d; SELECT count(*) FROM block b JOIN d.chunks c ON c.mem = b.mem WHERE c.mmapped AND c.state = 'used' AND c.usable = b.usable")"
	check_eq "$label: chunk sizes and the leads before aligned chunks = mallinfo hblkhd" "$(mallinfo S hblkhd)" \
		"$(sqlite3 -batch -noheader truth.db "ATTACH '$db' AS d; SELECT (SELECT sum(size) FROM d.chunks WHERE mmapped) + (SELECT sum(lead) FROM block)")"
	check_eq "$label: no heap warnings" "" "$(sql "$db" "SELECT message FROM warnings WHERE stage = 'heap'")"
	check_eq "$label: every block's bytes were hashed" 0 \
		"$(sql "$db" "SELECT count(*) FROM chunks WHERE mmapped AND hash IS NULL")"
}
check_blocks memsnap m.db
check_blocks gcore g.db
check "the sample has aligned blocks whose chunk starts pages into its mapping" -- \
	test "$(sql truth.db "SELECT count(*) FROM block WHERE how = 'aligned' AND lead >= 4096")" -gt 0

# same_rows LABEL A B QUERY: QUERY gives the same rows on both databases
same_rows() {
	local label=$1 a=$2 b=$3 q=$4 diff
	diff=$(sqlite3 -batch -noheader "$a" "ATTACH '$b' AS o; SELECT count(*) FROM (SELECT * FROM ($q) EXCEPT SELECT * FROM (${q//FROM /FROM o.})); SELECT count(*) FROM (SELECT * FROM (${q//FROM /FROM o.}) EXCEPT SELECT * FROM ($q))" | paste -sd' ')
	check_eq "$label" "0 0" "$diff"
}
chunks_q='SELECT address, size, state, bin, mmapped, usable, leak, type, hash, head FROM chunks'
same_rows "memsnap and gcore cores: the same chunks (addresses, sizes, states, verdicts, hashes, heads)" m.db g.db "$chunks_q"
check_eq "memsnap and gcore cores: the same number of chunks" "$(sql g.db 'SELECT count(*) FROM chunks')" \
	"$(sql m.db 'SELECT count(*) FROM chunks')"
refs_q='SELECT from_address, from_offset, root_kind, to_offset, (SELECT address FROM chunks WHERE id = refs.to_chunk) FROM refs'
same_rows "memsnap and gcore cores: the same pointers into blocks" m.db g.db "$refs_q"

# A kernel core of the same process: also sparse, also the same chunks.
if kernel_core S "$WORK/k.core"; then
	"$MEMSNAP" analyze -q k.core -o k.db
	check_eq "analyze of the kernel core exits 0" 0 $?
	check_blocks kernel k.db
	same_rows "kernel and gcore cores: the same chunks" k.db g.db "$chunks_q"
else
	skip "no kernel core: $KERNEL_CORE_WHY"
fi

done_testing
