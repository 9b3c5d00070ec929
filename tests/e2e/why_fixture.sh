#!/usr/bin/env bash
# memsnap why on the fixture snapshots (tests/fixtures/snapshot.py, whose
# description gives who holds what): the exact chains, the preference for
# start pointers over a shorter-looking interior one, the conservative
# root flagged, a leaked block's head, JSON, and one-line errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

A=$WORK/a.db B=$WORK/b.db
fixture_db "$A" a
fixture_db "$B" b
# the records of b, oldest first, from the sqlite3 shell
mapfile -t REC < <(sql "$B" "select mem from chunks where type = 'record' order by mem")
why() { "$MEMSNAP" why -f json "$@"; }
chainof() { jq -r '[.chain[].mem] | map(tostring) | join(",")' "$1"; }

why "$B" "${REC[1]}" >"$WORK/r2.json" 2>"$WORK/err"
check_eq "why record 2 exits 0" 0 $?
check "the answer is valid JSON" -- python3 -m json.tool "$WORK/r2.json"
check_eq "record 2: held by the red-zone stack slot, not by kept through an interior pointer" \
	"thread 4242 red zone below frame #0|stack|1" "$(jq -r '.root[0] | "\(.name)|\(.kind)|\(.conservative)"' "$WORK/r2.json")"
check_eq "record 2: the conservative root says it may be a stale copy" "conservative root: may be a stale copy" \
	"$(jq -r '.root[0].note' "$WORK/r2.json")"
check_eq "record 2: chain record 4, record 3, record 2" "${REC[3]},${REC[2]},${REC[1]}" "$(chainof "$WORK/r2.json")"
check_eq "record 2: each pointer at offset 0 of its block, a start pointer" "0 0|0 0" \
	"$(jq -r '[.chain[:-1][] | "\(.pointer_offset) \(.to_offset)"] | join("|")' "$WORK/r2.json")"
check_eq "record 2: three pointers from the root" 3 "$(jq '.target[0].hops' "$WORK/r2.json")"
check_eq "record 2: retained figures from chunks.retained (record 3 dominates record 2)" "64,128,64" \
	"$(jq -r '[.chain[].retained_bytes] | map(tostring) | join(",")' "$WORK/r2.json")"

why "$B" $((REC[4] + 20)) >"$WORK/r5.json"
check_eq "an interior address: record 5, held by static kept, one pointer at kept+0x10 of .data" \
	"${REC[4]} 20 static kept in leak $((0x555555558010)) 16" \
	"$(jq -r '"\(.target[0].mem) \(.target[0].offset) \(.root[0].name) \(.root[0].pointer_address) \(.root[0].pointer_offset)"' "$WORK/r5.json")"
why "$A" "${REC[0]}" >"$WORK/a1.json"
check_eq "in a: record 1 through record 2 from static kept" "static kept in leak|${REC[1]},${REC[0]}" \
	"$(jq -r '.root[0].name' "$WORK/a1.json")|$(chainof "$WORK/a1.json")"
temp=$(sql "$A" "select mem from chunks where size = 32 and state = 'used'")
check_eq "in a: the temp block is held by register rbx" "thread 4242 register rbx|register|$temp" \
	"$(why "$A" "$temp" | jq -r '"\(.root[0].name)|\(.root[0].kind)|\(.chain[0].mem)"')"

# leaks: label 1 is indirect, held by the first 4 MiB block at +0x100; label 3 heads itself
label1=$(sql "$B" "select mem from chunks where leak = 'indirect'")
big1=$(sql "$B" "select mem from chunks where mmapped order by mem desc limit 1")
why "$B" "$label1" >"$WORK/l1.json"
check_eq "indirect label 1: headed by the definite 4 MiB block, pointer at +256" \
	"$big1 definite|$big1,$label1|256" \
	"$(jq -r '"\(.leak[0].mem) \(.leak[0].leak)"' "$WORK/l1.json")|$(chainof "$WORK/l1.json")|$(jq '.chain[0].pointer_offset' "$WORK/l1.json")"
label3=$(sql "$B" "select min(mem) from chunks where leak = 'definite' and size = 64 and type is null")
check_eq "a definite leak heads itself" "$label3|the block is a leak itself: no root and no leaked block points to it" \
	"$(why "$B" "$label3" | jq -r '"\(.leak[0].mem)|\(.leak[0].note)"')"

# the text for people
NO_COLOR=1 on_tty "$MEMSNAP" why "$B" "$(printf 0x%x "${REC[1]}")" >"$WORK/r2.txt"
check "text: the root by name" -- grep -qE "^name +thread 4242 red zone below frame #0" "$WORK/r2.txt"
check "text: the chain in hex, the target last" -- grep -qE "^ +3 +$(printf 0x%x "${REC[1]}") +64 B .*the target" "$WORK/r2.txt"

# the bound, and errors in one line
"$MEMSNAP" why --max-blocks 1 "$B" "${REC[1]}" 2>"$WORK/err"; rc=$?
check_eq "--max-blocks 1: no root within the bound, exit 1, and it says so" \
	"1 memsnap: no root holder reaches $(printf 0x%x "${REC[1]}") within the 1 blocks searched (--max-blocks); analyze's verdict is 'reachable'" \
	"$rc $(cat "$WORK/err")"
err() { local out rc; out=$("$MEMSNAP" why "$B" "$1" 2>&1 >/dev/null); rc=$?; echo "$out rc=$rc"; }
check_eq "an address in a chunk header" \
	"memsnap: address 0x555555559008 is in the header of the chunk at 0x555555559000, not in a block: its user bytes start at 0x555555559010 rc=1" \
	"$(err 0x555555559008)"
check_eq "an address in a free chunk" \
	"memsnap: address 0x5555555593a0 is in a free chunk at 0x555555559390 (tcache bin): free memory has no owner rc=1" \
	"$(err 0x5555555593a0)"
check "an address in top" -- bash -c '"$1" why "$2" 0x555555560000 2>&1 | grep -q "is in the top chunk of arena 1"' _ "$MEMSNAP" "$B"
check_eq "an address outside the heap names its mapping" \
	"memsnap: address 0x7fffffffe000 is in no heap block of '$B'; it lies in the stack mapping 0x7ffffffde000-0x7ffffffff000 ([stack]) rc=1" \
	"$(err 0x7fffffffe000)"
check_eq "an address above 2^63 (stored negative) is no block's header" \
	"memsnap: address 0xffffffffff600100 is in no heap block of '$B'; it lies in the vsyscall mapping 0xffffffffff600000-0xffffffffff601000 ([vsyscall]) rc=1" \
	"$(err 0xffffffffff600100)"
check_eq "not an address: usage" "memsnap: invalid address '12x': expected hex (0x...) or decimal rc=2" "$(err 12x)"
"$MEMSNAP" why "$B" 2>/dev/null; check_eq "no address: usage" 2 $?
"$MEMSNAP" why "$B" "${REC[1]}" -f json 2>"$WORK/err"; rc=$?
check_eq "an option after the database: usage, named" \
	"2 memsnap: '-f' comes after the database: options go before it (memsnap why [OPTIONS] DB ADDRESS)" "$rc $(cat "$WORK/err")"
"$MEMSNAP" why "$B" 1 2 2>"$WORK/err"; rc=$?
check_eq "two addresses: usage" "2 memsnap: why needs a database and one address: memsnap why [OPTIONS] DB ADDRESS" \
	"$rc $(cat "$WORK/err")"
"$MEMSNAP" why "$WORK/none.db" 0x10 2>/dev/null; check_eq "a missing database exits 1" 1 $?
"$MEMSNAP" help >"$WORK/help"
check "memsnap help lists why" -- grep -qE "^  why +show what keeps a block alive" "$WORK/help"
done_testing
