#!/usr/bin/env bash
# memsnap report owners and summary's top owner on the fixture snapshots
# (tests/fixtures/snapshot.py gives who holds what): retained figures as
# the fixture's description works them out, the 10% call-out, shares that
# add up to the used heap, JSON, and no owner line without roots.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

A=$WORK/a.db B=$WORK/b.db
fixture_db "$A" a
fixture_db "$B" b
BIG=4198400
USED_B=$((656 + 10 * 64 + 5 * BIG))

"$MEMSNAP" report -f json "$B" owners >"$WORK/o.json" 2>"$WORK/err"
check_eq "report owners exits 0" 0 $?
check "report owners --format json is valid JSON" -- python3 -m json.tool "$WORK/o.json"
check_eq "suspects: the five 4 MiB leaks, each 20% of the used heap; the first holds label 1 too" \
	"$BIG+64 20,$BIG 20,$BIG 20,$BIG 20,$BIG 20" \
	"$(jq -r '[.suspects[] | "\(.retained_bytes) \(.share_pct)"] | join(",")' "$WORK/o.json" | sed "s/^$((BIG + 64)) /$BIG+64 /")"
check_eq "suspects are leaked blocks" "leak" "$(jq -r '[.suspects[].kind] | unique | join(",")' "$WORK/o.json")"
check_eq "owners: every holder, retained as the fixture says (TLS 656, kept 64: record 5 only, red zone 0)" \
	"TLS of thread 4242 in libc.so.6=656 static kept in leak=64 thread 4242 red zone below frame #0=0" \
	"$(jq -r '[.owners[] | select(.mem == null) | "\(.owner)=\(.retained_bytes)"] | join(" ")' "$WORK/o.json")"
check_eq "owners: the red-zone slot is conservative" 1 \
	"$(jq '.owners[] | select(.kind == "stack") | .conservative' "$WORK/o.json")"
check_eq "owners: record 3, shared by records 4 and 5, retains itself and record 2" \
	"block held by several roots (record) 128" \
	"$(jq -r ".owners[] | select(.mem == $(sql "$B" "select mem from chunks where type = 'record' order by mem limit 1 offset 2")) | \"\(.owner) \(.retained_bytes)\"" "$WORK/o.json")"
check_eq "owners: shares add up to the used heap (every block has one owner)" "$USED_B" \
	"$("$MEMSNAP" report -f json "$B" owners 100 | jq '[.owners[].retained_bytes] | add')"
check_eq "owners: suspect flag at 10% and over" "5" "$(jq '[.owners[] | select(.suspect == 1)] | length' "$WORK/o.json")"
check_eq "blocks: label 1 is dominated by the first 4 MiB block" \
	"block $(printf 0x%x "$(sql "$B" "select mem from chunks where mmapped order by mem desc limit 1")")" \
	"$(jq -r ".blocks[] | select(.mem == $(sql "$B" "select mem from chunks where leak = 'indirect'")) | .dominated_by" "$WORK/o.json")"
check_eq "by_holder: thread-independent names" \
	"TLS in libc.so.6|static kept in leak|stack outside any frame of thread leak" \
	"$(jq -r '[.by_holder[].holder] | join("|")' "$WORK/o.json")"
check_eq "by_type: the blocks right under the owners, records 1, 3, 4, 5 (320 bytes)" "4 320" \
	"$(jq -r '.by_type[] | select(.type == "record") | "\(.blocks) \(.retained_bytes)"' "$WORK/o.json")"
check_eq "in a: kept retains records 2 and 1, rbx the temp block" "128 32" \
	"$("$MEMSNAP" report -f json "$A" owners | jq -r '[(.owners[] | select(.owner == "static kept in leak") | .retained_bytes), (.owners[] | select(.kind == "register") | .retained_bytes)] | join(" ")')"

# the text: the suspects first, under their own title
NO_COLOR=1 on_tty "$MEMSNAP" report "$B" owners >"$WORK/o.txt"
check_eq "text: suspects come first" "suspects" "$(head -n 1 "$WORK/o.txt")"
check "text: retained sizes in binary units" -- grep -qE "^leaked block +leak +0x7ffff75ff010 +4.00 MiB +20.00 " "$WORK/o.txt"

# summary names the top owner, only when analyze named roots
check_eq "summary: the top owner in one line" \
	"leaked block 0x7ffff75ff010 retains 4.00 MiB (20%)" \
	"$("$MEMSNAP" report -f json "$B" summary | jq -r '.owner[0].top_owner')"
cp "$B" "$WORK/noroots.db"
sqlite3 "$WORK/noroots.db" "update refs set root_id = null; delete from roots; update chunks set idom = null, idom_root = null, retained = null"
check_eq "summary without roots: no owner section" "null" \
	"$("$MEMSNAP" report -f json "$WORK/noroots.db" summary | jq -c '.owner')"
check "summary without roots, on a terminal: no owner title" -- \
	bash -c '! (NO_COLOR=1 script -qec "$1 report $2" /dev/null | grep -q "^owner")' _ "$MEMSNAP" "$WORK/noroots.db"
check_eq "owners without roots: each section empty" "0 0 0 0 0" \
	"$("$MEMSNAP" report -f json "$WORK/noroots.db" owners | jq -r '[.[] | length] | map(tostring) | join(" ")')"
done_testing
