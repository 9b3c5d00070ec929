#!/usr/bin/env bash
# docs/tutorial.md, followed literally: docs/tutorial-regenerate runs its
# commands in order (a scratch folder, this build as `build`) on a copy of
# the page, and fills in every output.  Every command must succeed, and what
# the page then shows must agree with the sample's own account of what it
# leaked: the diff's new definite leaks are the blocks it dropped after the
# first snapshot, nothing prints colour codes into the page.
# It is run with memsnap as a user has it: installed (meson install
# --destdir), its bin first on PATH, and a build folder holding only the
# samples, so that the story's `export PATH=$PWD/build:$PATH` finds no other.
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$MEMSNAP")
install_build "$WORK/dest"
check_eq "meson install --destdir succeeds" 0 $?
INSTALLED=$WORK/dest$(install_dir bindir)
mkdir "$WORK/samples-only"
ln -s "$BUILD/samples" "$WORK/samples-only/samples"

DOC=$WORK/tutorial.md
cp "$SOURCE_ROOT/docs/tutorial.md" "$DOC"
PATH=$INSTALLED:$PATH timeout 240 "$SOURCE_ROOT/docs/tutorial-regenerate" "$WORK/samples-only" "$DOC" >"$WORK/regen.log" 2>&1; rc=$?
check_eq "every command of the tutorial and of its outputs succeeds" 0 $rc
[ $rc -eq 0 ] || sed 's/^/#   /' "$WORK/regen.log" | tail -n 40
check_eq "the memsnap it ran is the installed one" "$DOC: outputs regenerated with $INSTALLED/memsnap" "$(tail -n 1 "$WORK/regen.log")"

# block MARKER: the text under the output marker MARKER
block() {
	awk -v m="<!-- output: $1 -->" '$0 == m {f = 1; next} f && /^```text$/ {next} f && /^```$/ {exit} f' "$DOC"
}
check "no escape sequence (colour) in the page" -- bash -c '! grep -q $'"'"'\x1b'"'"' "$1"' _ "$DOC"

# the sample's own account: what it dropped, all of it and after 'ready' (between the snapshots)
block "cat leak.out" >"$WORK/leak.out"
all_leaked=$(grep -c '^leaked ' "$WORK/leak.out")
sed -n '/^ready$/,$ s/^leaked \(0x[0-9a-f]*\) .*/\1/p' "$WORK/leak.out" | sort >"$WORK/truth"
check "the sample served its three requests between the snapshots" -- test "$(wc -l <"$WORK/truth")" -eq 6

# the diff's table of new definite leaks: its first column, up to the blank line
block "memsnap diff before.db after.db" |
	awk '/^new definite leaks$/ {f = 1; next} f && /^$/ {exit} f && $1 ~ /^0x/ {print $1}' | sort >"$WORK/diffed"
check "diff: the new definite leaks are the blocks the sample dropped between the snapshots" -- diff "$WORK/truth" "$WORK/diffed"

js=$(block "memsnap diff --format json before.db after.db | jq -M .summary")
check_eq "diff --format json | jq: plain JSON, new_definite_leaks as the sample counts them" \
	"$(wc -l <"$WORK/truth")" "$(jq -r .new_definite_leaks <<<"$js" 2>&1)"

definite=$(block "memsnap report after.db leaks" | awk '/^definitely lost / {print $NF; exit}')
check_eq "report leaks: every block the sample dropped is definitely lost" "$all_leaked" "$definite"
done_testing
