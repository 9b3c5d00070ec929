#!/usr/bin/env bash
# The command line itself: help, version, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

out=$("$MEMSNAP" --version); check "--version prints the version" -- grep -qE '^memsnap [0-9]+\.[0-9]+' <<<"$out"
out=$("$MEMSNAP" help); check "help lists every command" -- bash -c 'for c in analyze capture diff query report snap stacks watch; do grep -q "^  $c " <<<"$1" || exit 1; done' _ "$out"
"$MEMSNAP" >/dev/null 2>&1; check_eq "no command is a usage error" 2 $?
"$MEMSNAP" frobnicate 2>"$WORK/err"; check_eq "unknown command exits 2" 2 $?
check_eq "unknown command is named, nothing near it" "memsnap: 'frobnicate' is not a memsnap command; see 'memsnap help'" \
	"$(cat "$WORK/err")"
# a typo gets the nearest names, in one line
for typo in captur:capture reprot:report anlayze:analyze qeury:query dif:diff stakcs:stacks wacth:watch; do
	"$MEMSNAP" "${typo%%:*}" 2>"$WORK/err"; rc=$?
	check_eq "typo '${typo%%:*}': one line suggesting '${typo#*:}', exit 2" \
		"2 memsnap: '${typo%%:*}' is not a memsnap command; did you mean '${typo#*:}'?" "$rc $(cat "$WORK/err")"
done
"$MEMSNAP" help captur 2>"$WORK/err"; check_eq "help with a typo suggests too" \
	"2 memsnap: 'captur' is not a memsnap command; did you mean 'capture'?" "$? $(cat "$WORK/err")"
"$MEMSNAP" -o x 2>"$WORK/err"; check_eq "an option before the command exits 2" 2 $?
check "an option before the command says where options go" -- grep -q "unknown option '-o': options come after the command" "$WORK/err"

# A process name where a pid goes: the one process of that name (the sample
# runs under a name of this test's own, so no other process has it);
# tests/e2e/snap.sh has the rest of the rule.
ln -s "$SAMPLES_DIR/leak" "$WORK/cli-$$"
SAMPLES_DIR=$WORK start_sample S "cli-$$" || { echo "Bail out! leak sample did not start"; exit 1; }
"$MEMSNAP" stacks "cli-$$" >"$WORK/out" 2>"$WORK/err"
check_eq "stacks NAME: exit 0" 0 $?
check "stacks NAME: the stacks of the process of that name (pid $S_PID)" -- grep -q "^PID $S_PID " "$WORK/out"
for c in capture stacks; do
	"$MEMSNAP" "$c" "none-$$" 2>"$WORK/err"; rc=$?
	check_eq "$c with a name no process has: one line, exit 1" \
		"1 memsnap: no process is named 'none-$$' ($c takes a pid or a process name)" "$rc $(cat "$WORK/err")"
done
"$MEMSNAP" capture 2>"$WORK/err"; check_eq "capture without a pid: one line, exit 2" "2 1" "$? $(wc -l <"$WORK/err")"
"$MEMSNAP" capture 0 2>"$WORK/err"; check_eq "capture 0: the pid range, one line" \
	"2 memsnap: invalid process id '0': expected a number from 1 to 4194304" "$? $(cat "$WORK/err")"
"$MEMSNAP" capture 12x 2>"$WORK/err"; check_eq "capture 12x: a mistyped number, not a name" \
	"2 memsnap: invalid process id '12x': expected a number from 1 to 4194304" "$? $(cat "$WORK/err")"

# "-o -" where a file is needed: refused before anything is done, no file named '-'
(cd "$WORK" && "$MEMSNAP" capture "$S_PID" -o - 2>err); rc=$?
check_eq "capture -o -: refused, exit 2" 2 $rc
check "capture -o -: says a core cannot go to standard output" -- grep -q "a core cannot go to standard output" "$WORK/err"
check "capture -o -: no file named '-'" -- test ! -e "$WORK/-"
check_unharmed S
(cd "$WORK" && "$MEMSNAP" analyze "$WORK/none.core" -o - 2>err); rc=$?
check_eq "analyze -o -: refused, exit 2" 2 $rc
check "analyze -o -: says a database cannot go to standard output" -- grep -q "a database cannot go to standard output" "$WORK/err"
check "analyze -o -: no file named '-'" -- test ! -e "$WORK/-"
for c in analyze capture diff query report snap stacks watch; do
	"$MEMSNAP" "$c" --help >"$WORK/help" 2>&1; check_eq "$c --help exits 0" 0 $?
	check "$c --help shows usage" -- grep -q "^usage: memsnap $c" "$WORK/help"
	"$MEMSNAP" help "$c" >"$WORK/help2" 2>&1
	check "help $c equals $c --help" -- cmp -s "$WORK/help" "$WORK/help2"
	"$MEMSNAP" "$c" --no-such-option >/dev/null 2>&1; check_eq "$c with a bad option exits 2" 2 $?
done
# The manual describes every option --help lists, in the command's own section.
for c in analyze capture diff query report snap stacks watch; do
	section=$(awk -v h="## memsnap $c" '$0 == h {on = 1; next} /^## / {on = 0} on' "$SOURCE_ROOT/docs/memsnap.md")
	missing=
	for o in $("$MEMSNAP" "$c" --help | grep -oE -- '^  (-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+$'); do
		[ "$o" = --help ] || grep -qE -- "$o([^a-z-]|\$)" <<<"$section" || missing="$missing $o"
	done
	check_eq "docs/memsnap.md describes every option of $c --help" "" "$missing"
done
# A mistyped option: one line with the nearest names, exit 2.
"$MEMSNAP" capture --stak 1 2>"$WORK/err"; check_eq "capture --stak: the nearest option, one line" \
	"2 memsnap: unknown option '--stak'; did you mean '--stacks'?" "$? $(cat "$WORK/err")"
"$MEMSNAP" diff -f jsno a.db b.db 2>"$WORK/err"; check_eq "diff -f jsno: the nearest format, one line" \
	"2 memsnap: invalid --format 'jsno': did you mean 'json'?" "$? $(cat "$WORK/err")"
# A closed stdout is reported, not swallowed.
"$MEMSNAP" help >/dev/full 2>"$WORK/err"; check_eq "write error on stdout exits 1" 1 $?
check "write error is reported" -- grep -q "cannot write to standard output" "$WORK/err"
done_testing
