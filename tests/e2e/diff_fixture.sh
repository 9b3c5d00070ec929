#!/usr/bin/env bash
# memsnap diff on the fixture snapshots (tests/fixtures/snapshot.py): the
# sets its description lists, the same sets as the sqlite3 shell computes
# from the contract's definition, the text for people, the exit codes, and
# the refusal of different programs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

A=$WORK/a.db B=$WORK/b.db
fixture_db "$A" a
fixture_db "$B" b

"$MEMSNAP" diff -f json "$A" "$B" >"$WORK/d.json" 2>"$WORK/err"
check_eq "diff exits 0 without --fail-on-leak" 0 $?
check "the JSON is one object" -- jq -e 'type == "object"' "$WORK/d.json"
j() { jq -c "$1" "$WORK/d.json"; }

# the contract, computed by the sqlite3 shell: a block of B is added when A
# has no used block with the same mem and size (and hash where both have one)
contract_added=$(sqlite3 -batch "$B" "attach '$A' as a;
	select group_concat(mem) from (select b.mem from main.chunks b where b.state = 'used' and not exists (
	  select 1 from a.chunks x where x.state = 'used' and x.mem = b.mem and x.size = b.size
	  and (x.hash is null or b.hash is null or x.hash = b.hash)) order by b.mem)")
contract_removed=$(sqlite3 -batch "$A" "attach '$B' as b;
	select group_concat(mem) from (select a.mem from main.chunks a where a.state = 'used' and not exists (
	  select 1 from b.chunks x where x.state = 'used' and x.mem = a.mem and x.size = a.size
	  and (x.hash is null or a.hash is null or x.hash = a.hash)) order by a.mem)")
check_eq "added: the blocks the contract names" "$contract_added" "$(jq -r '[.added[].mem] | map(tostring) | join(",")' "$WORK/d.json")"
check_eq "removed: the blocks the contract names" "$contract_removed" "$(jq -r '[.removed[].mem] | map(tostring) | join(",")' "$WORK/d.json")"

# the fixture's own description
check_eq "summary as the fixture describes it" \
	'{"added":10,"removed":2,"changed":1,"leaked_added":6,"leaked_changed":1,"new_definite_leaks":7}' \
	"$(j '.summary | {added, removed, changed, leaked_added, leaked_changed, new_definite_leaks}')"
check_eq "leaked_added equals the added definite leaks listed" "$(j '[.added[] | select(.leak == "definite")] | length')" \
	"$(j '.summary.leaked_added')"
check_eq "added bytes: 7 small blocks and three 4 MiB blocks" "$((7 * 64 + 3 * 4198400))" "$(j '.summary.added_bytes')"
check_eq "the 4 MiB blocks of steps 3..5 are added definite leaks" \
	"[$((0x7ffff65fb010)),$((0x7ffff69fc010)),$((0x7ffff6dfd010))]" \
	"$(j '[.added[] | select(.size == 4198400 and .leak == "definite") | .mem]')"
check_eq "the labels of steps 3..5 are added definite leaks, first bytes kept" \
	'["request #3","request #4","request #5"]' \
	"$(jq -c '[.added[] | select(.size == 64 and .leak == "definite") | .head[0:20] | ("0x" + .)] | map(ltrimstr("0x"))' "$WORK/d.json" |
	   python3 -c 'import json,sys; print(json.dumps([bytes.fromhex(h).decode() for h in json.load(sys.stdin)], separators=(",", ":")))')"
check_eq "nothing held is a new leak" "[]" "$(j '[.added[] | select(.leak == "definite" and .type == "record")]')"
check_eq "record 1 stayed and became definite: changed" \
	'[{"what":["leak"],"before":"reachable","after":"definite","new":true}]' \
	"$(j '[.changed[] | {what, before: .before.leak, after: .after.leak, new: .new_definite_leak}]')"
check_eq "growth: by type where there is one, else size class, largest first" \
	'["size:4194304",3,12595200]|["size:64",3,192]|["type:record",3,192]|["size:32",-1,-32]' \
	"$(jq -r '.growth[] | [.key, .count_delta, .bytes_delta] | tojson' "$WORK/d.json" | paste -sd'|')"
check_eq "segments: the big blocks' mapping grew down, a thread stack appeared" \
	"[[\"resized\",$((0x7ffff65fb000)),$((0x7ffff71fe000))],[\"added\",$((0x7ffff5000000)),null]]" \
	"$(j '[.segments.changes[] | [.change, (.after.start), (.before.start)]] | sort_by(.[0]) | reverse')"
check_eq "threads: worker appeared" '[{"change":"added","tid":4250,"name":"worker","function":"read"}]' "$(j '.threads.changes')"
check_eq "before and after are named" '["memsnap","memsnap",4242,4242]' "$(j '[.before.source, .after.source, .before.pid, .after.pid]')"

# owners (the fixture's description: kept retains records 2 and 1 in a, record 5 in b; rbx the temp
# block in a only; what no single root holds, 64 + 4198464 + 4198400 in a, 512 + 4198464 + 4 * 4198400 in b)
check_eq "owners: growth attributed to holders matched by name, largest first" \
	'["unowned",8396928,20992576,12595648]|["register|leak|rbx",32,0,-32]|["static|/usr/local/bin/leak|kept",128,64,-64]' \
	"$(jq -r '.owners[] | [.key, .retained_before, .retained_after, .retained_delta] | tojson' "$WORK/d.json" | paste -sd'|')"
check_eq "owners: named for people" "static kept in leak" "$(jq -r '.owners[] | select(.kind == "static") | .name' "$WORK/d.json")"
check "the JSON with owners is valid JSON (python3)" -- python3 -m json.tool "$WORK/d.json"
check_eq "owners: a snapshot against itself, none" 0 "$("$MEMSNAP" diff -f json "$A" "$A" | jq '.owners | length')"
cp "$B" "$WORK/restarted-tid.db"
sqlite3 "$WORK/restarted-tid.db" "update threads set tid = tid + 1000; update roots set tid = tid + 1000; update snapshot set pid = 5242"
check_eq "owners: matched across a restart (other tids), by thread name" \
	"$(jq -c '.owners' "$WORK/d.json")" "$("$MEMSNAP" diff -f json "$A" "$WORK/restarted-tid.db" 2>/dev/null | jq -c '.owners')"

# the text for people: new leaks first, with addresses, then growth, mappings, threads
"$MEMSNAP" diff "$A" "$B" >"$WORK/d.txt"
sections=$(grep -E '^(snapshots|summary|new definite leaks|growth|changed blocks|mappings|memory by kind|threads)' "$WORK/d.txt" | cut -c1-12 | paste -sd'|')
check_eq "text: sections in order" "snapshots|summary|new definite|growth by ty|changed bloc|mappings|memory by ki|threads" "$sections"
for mem in $(jq -r '.added[] | select(.leak == "definite") | .mem' "$WORK/d.json"); do
	check "text lists new leak $(printf 0x%x "$mem")" -- grep -q "^$(printf 0x%x "$mem") " "$WORK/d.txt"
done
check "text: the block that became definite says what it was" -- grep -qE "^0x5555555592e0 +64 +was reachable" "$WORK/d.txt"
check "text: first bytes as hex and text" -- grep -qE "72657175 65737420 23330000 00000000 +request #3\.\.\.\.\.\." "$WORK/d.txt"
check "text: the thread that owns the arena" -- grep -qE "^0x5555555593c0 .* 4242 leak " "$WORK/d.txt"
check "text: largest leak first" -- bash -c 'sed -n "/^new definite leaks/,/^$/p" "$1" | sed -n 4p | grep -q 4198400' _ "$WORK/d.txt"
check "text: growth row for the 4 MiB class" -- grep -qE "^size class 4194304 +2 +5 +\+3 +8396800 +20992000 +\+12595200" "$WORK/d.txt"
check "text: the resized mapping" -- grep -qE "^resized +0x7ffff65fb000 +0x7ffff7a00000 +20992000 +\+12595200 +heap" "$WORK/d.txt"
check "text: the new thread" -- grep -qE "^added +4250 +worker +read" "$WORK/d.txt"
check "text: growth by owner under the growth table" -- \
	bash -c 'sed -n "/^growth by type/,/^$/p" "$1" | grep -qx -- "-64 bytes retained by static kept in leak"' _ "$WORK/d.txt"
check "text: what no single root holds grew most" -- grep -qx -- "+12595648 bytes retained by blocks no single root holds (shared or leaked)" "$WORK/d.txt"
tty=$(NO_COLOR=1 on_tty "$MEMSNAP" diff "$A" "$B")
check "text on a terminal: sizes in binary units" -- grep -qE "^0x7ffff65fb010 +4.00 MiB +added" <<<"$tty"
check "text on a terminal: owner growth in binary units" -- grep -qx -- "-32 B retained by register rbx of thread leak" <<<"$tty"
"$MEMSNAP" diff --limit 2 "$A" "$B" >"$WORK/d2.txt"
check "--limit 2: two leaks shown and the rest counted" -- grep -q "^... and 5 more (--limit 0 lists all)" "$WORK/d2.txt"
check_eq "--limit 2 in JSON: lists cut, counts whole" "2 10" "$("$MEMSNAP" diff -f json --limit 2 "$A" "$B" | jq -r '"\(.added | length) \(.summary.added)"')"

# exit codes
"$MEMSNAP" diff --fail-on-leak "$A" "$B" >/dev/null; check_eq "--fail-on-leak with new definite leaks exits 3" 3 $?
"$MEMSNAP" diff --fail-on-leak -f json "$A" "$B" >/dev/null; check_eq "--fail-on-leak exits 3 with json too" 3 $?
"$MEMSNAP" diff --fail-on-leak "$A" "$A" >/dev/null; check_eq "--fail-on-leak without new leaks exits 0" 0 $?
"$MEMSNAP" diff -f json "$A" "$A" | jq -e '.summary.added == 0 and .summary.removed == 0 and (.growth | length) == 0' >/dev/null
check_eq "a snapshot against itself: nothing" 0 $?
"$MEMSNAP" diff -f json "$B" "$A" 2>"$WORK/err" | jq -e '.summary.added == 2 and .summary.removed == 10' >/dev/null
check_eq "reversed: added and removed swap" 0 $?
check "reversed: a warning that the first was captured later" -- grep -q "was captured after" "$WORK/err"

# a restarted service (other pid) is fine; another build is not, unless --force
cp "$B" "$WORK/restarted.db"; sqlite3 "$WORK/restarted.db" "update snapshot set pid = 5151"
"$MEMSNAP" diff "$A" "$WORK/restarted.db" >/dev/null 2>&1; check_eq "another pid: compared" 0 $?
cp "$B" "$WORK/rebuilt.db"; sqlite3 "$WORK/rebuilt.db" "update modules set build_id = 'ffff' where is_main"
"$MEMSNAP" diff "$A" "$WORK/rebuilt.db" >/dev/null 2>"$WORK/err"; check_eq "another build-id: refused, exit 1" 1 $?
check "the refusal names both build-ids and --force" -- \
	grep -q "are snapshots of different programs: the main module's build-id is 4c65616b000000000000000000000000000000aa in '$A' and ffff in '$WORK/rebuilt.db'; use --force" "$WORK/err"
"$MEMSNAP" diff --force "$A" "$WORK/rebuilt.db" >/dev/null 2>"$WORK/err"; check_eq "--force compares anyway" 0 $?
check "--force still warns" -- grep -q "warning: comparing snapshots of different programs" "$WORK/err"

# bad input
"$MEMSNAP" diff "$A" 2>/dev/null; check_eq "one database is a usage error" 2 $?
"$MEMSNAP" diff -f csv "$A" "$B" 2>/dev/null; check_eq "an unknown format is a usage error" 2 $?
"$MEMSNAP" diff --limit x "$A" "$B" 2>/dev/null; check_eq "a bad --limit is a usage error" 2 $?
"$MEMSNAP" diff "$A" "$B" --force 2>"$WORK/err"; check_eq "an option after the databases is a usage error" 2 $?
check_eq "an option after the databases is named" \
	"memsnap: '--force' comes after the databases: options go before them (memsnap diff [OPTIONS] BEFORE.db AFTER.db)" \
	"$(cat "$WORK/err")"
cp "$B" "$WORK/-b.db"
check_eq "a database whose name starts with '-' after the first is a database" \
	"$("$MEMSNAP" diff -f json "$A" "$B" | jq -c .summary)" "$(cd "$WORK" && "$MEMSNAP" diff -f json "$A" -b.db | jq -c .summary)"
"$MEMSNAP" diff "$A" "$WORK/none.db" 2>"$WORK/err"; check_eq "a missing database exits 1" 1 $?
check "a missing database is named" -- grep -q "cannot open database '$WORK/none.db'" "$WORK/err"
V=$(sqlite3 "$B" "pragma user_version")
cp "$B" "$WORK/newer.db"; sqlite3 "$WORK/newer.db" "pragma user_version = $((V + 1))"
"$MEMSNAP" diff "$A" "$WORK/newer.db" 2>"$WORK/err"; check_eq "another schema version exits 1" 1 $?
check "another schema version is named" -- grep -q "has schema version $((V + 1)); this memsnap reads version $V" "$WORK/err"
done_testing
