#!/usr/bin/env bash
# memsnap diff on the classic leak (samples/leak.c), the issue's acceptance:
# snapshot, 3 more steps, snapshot again; the diff's new definite leaks are
# exactly the blocks the sample says it dropped in those steps (three 4 MiB
# blocks and three labels), nothing it holds, in JSON and in the text, and
# --fail-on-leak exits 3.
. "$(dirname "$0")/lib.sh"

start_sample S leak -n 2 || { echo "Bail out! leak sample did not start"; exit 1; }
PID=$S_PID

# snap NAME: a core of the sample with memsnap capture, and its database
snap() {
	local core=$WORK/$1.core
	check "snapshot $1 (memsnap capture)" -- "$MEMSNAP" capture -q "$PID" -o "$core"
	check_unharmed S
	"$MEMSNAP" analyze "$core" -o "$WORK/$1.db" 2>"$WORK/analyze.err"
	check_eq "analyze $1" 0 $?
}

snap before
marker=$(grep -c '^done ' "$S_OUT")
send S "step 3"
wait_for_line "$S_OUT" "^done $((marker + 3))\$" 30
check "the sample took 3 more steps" -- grep -q "^done $((marker + 3))\$" "$S_OUT"
snap after

# the sample's own account of steps 3..5
new_leaked=$(sed -n '/^step 3$/,$p' "$S_OUT" | sed -n 's/^leaked //p' | awk '{print $1}' | sort)
new_held=$(sed -n '/^step 3$/,$p' "$S_OUT" | sed -n 's/^held //p' | awk '{print $1}' | sort)
check_eq "the sample reported 6 new leaks (3 x 4 MiB, 3 labels)" 6 "$(wc -l <<<"$new_leaked")"

"$MEMSNAP" diff -f json "$WORK/before.db" "$WORK/after.db" >"$WORK/d.json" 2>"$WORK/err"
check_eq "diff runs" 0 $?
check "diff prints one JSON object" -- jq -e 'type == "object"' "$WORK/d.json"
check_eq "same pid on both sides" "$PID $PID" "$(jq -r '"\(.before.pid) \(.after.pid)"' "$WORK/d.json")"

hex() { jq -r "$1" "$WORK/d.json" | while read -r m; do printf '0x%x\n' "$m"; done | sort; }
added_big=$(hex '.added[] | select(.size >= 4194304) | .mem')
check_eq "added: exactly the 3 new 4 MiB blocks" "$(sed -n '/^step 3$/,$p' "$S_OUT" | awk '$1 == "leaked" && $3 == 4194304 {print $2}' | sort)" "$added_big"
for h in $new_held; do
	check "added: held record $h" -- grep -qx "$h" <<<"$(hex '.added[].mem')"
done

check_eq "new definite leaks: exactly the blocks the sample dropped in steps 3..5" "$new_leaked" \
	"$(hex '.added[] | select(.leak == "definite") | .mem')"
check_eq "summary.leaked_added equals that list's length" \
	"$(jq '[.added[] | select(.leak == "definite")] | length' "$WORK/d.json")" "$(jq '.summary.leaked_added' "$WORK/d.json")"
check_eq "nothing held is a new leak" "0" \
	"$(jq '[.changed[] | select(.new_definite_leak)] | length' "$WORK/d.json")"
for h in $new_held; do
	check_eq "held record $h is added as reachable" "reachable" \
		"$(jq -r ".added[] | select(.mem == $((h))) | .leak" "$WORK/d.json")"
done
check_eq "growth: the 4 MiB size class grew by 3 blocks" "3" \
	"$(jq '[.growth[] | select(.size_class != null and .size_class >= 4194304) | .count_delta] | add' "$WORK/d.json")"

# the same through the text for people
"$MEMSNAP" diff "$WORK/before.db" "$WORK/after.db" >"$WORK/d.txt"
sed -n '/^new definite leaks/,/^$/p' "$WORK/d.txt" >"$WORK/leaks.txt"
for m in $new_leaked; do
	check "text: new definite leak $m listed" -- grep -q "^$m " "$WORK/leaks.txt"
done
for h in $new_held; do
	check "text: held $h not among the new leaks" -- bash -c '! grep -q "^$1 " "$2"' _ "$h" "$WORK/leaks.txt"
done
check "text: the labels' first bytes say what they were" -- grep -q "request #3" "$WORK/leaks.txt"

"$MEMSNAP" diff --fail-on-leak "$WORK/before.db" "$WORK/after.db" >/dev/null
check_eq "--fail-on-leak exits 3" 3 $?
"$MEMSNAP" diff --fail-on-leak "$WORK/after.db" "$WORK/after.db" >/dev/null
check_eq "--fail-on-leak on a snapshot against itself exits 0" 0 $?
done_testing
