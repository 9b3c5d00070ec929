#!/usr/bin/env bash
# The command line itself: help, version, usage errors and their exit codes.
. "$(dirname "$0")/lib.sh"

out=$("$MEMSNAP" --version); check "--version prints the version" -- grep -qE '^memsnap [0-9]+\.[0-9]+' <<<"$out"
out=$("$MEMSNAP" help); check "help lists every command" -- bash -c 'for c in analyze capture diff query report stacks; do grep -q "^  $c " <<<"$1" || exit 1; done' _ "$out"
"$MEMSNAP" >/dev/null 2>&1; check_eq "no command is a usage error" 2 $?
"$MEMSNAP" frobnicate 2>"$WORK/err"; check_eq "unknown command exits 2" 2 $?
check "unknown command is named" -- grep -q "unknown command 'frobnicate'" "$WORK/err"
for c in analyze capture diff query report stacks; do
	"$MEMSNAP" "$c" --help >"$WORK/help" 2>&1; check_eq "$c --help exits 0" 0 $?
	check "$c --help shows usage" -- grep -q "^usage: memsnap $c" "$WORK/help"
	"$MEMSNAP" help "$c" >"$WORK/help2" 2>&1
	check "help $c equals $c --help" -- cmp -s "$WORK/help" "$WORK/help2"
	"$MEMSNAP" "$c" --no-such-option >/dev/null 2>&1; check_eq "$c with a bad option exits 2" 2 $?
done
# A closed stdout is reported, not swallowed.
"$MEMSNAP" help >/dev/full 2>"$WORK/err"; check_eq "write error on stdout exits 1" 1 $?
check "write error is reported" -- grep -q "cannot write to standard output" "$WORK/err"
done_testing
