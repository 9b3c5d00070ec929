#!/usr/bin/env bash
# meson install, as a packager runs it (--destdir): the binary, a man page
# for memsnap and for every command `memsnap help` lists, the bash
# completion, the docs, each where meson's own options (meson introspect)
# and bash-completion's pkg-config say, and nothing outside the prefix.
# The pages render with no groff warning (man --warnings=w) and hold what
# the binary lists (commands, options, reports); --version shows the
# source's version (meson), revision (git) and schema version
# (schema/schema_version.h); the completion, sourced in bash, offers what
# the installed binary lists, and a running process's pid and name; every
# memsnap command line of the docs names a command and options it has.
# (tests/e2e/tutorial.sh runs the tutorial with the installed binary.)
. "$(dirname "$0")/lib.sh"

BUILD=$(dirname "$MEMSNAP")
DEST=$WORK/dest
install_build "$DEST"
check_eq "meson install --destdir succeeds" 0 $?

prefix=$(install_dir prefix)
bindir=$(install_dir bindir)
mandir=$(install_dir mandir)
datadir=$(install_dir datadir)
completionsdir=$(build_option bashcompletiondir)
if [ -z "$completionsdir" ]; then
	completionsdir=$datadir/bash-completion/completions
	pkg-config --exists bash-completion &&
		completionsdir=$(pkg-config --define-variable=datadir="$datadir" --variable=completionsdir bash-completion)
fi
BIN=$DEST$bindir/memsnap
MAN1=$DEST$mandir/man1
COMPLETION=$DEST$completionsdir/memsnap

check "the binary is in bindir ($bindir)" -- test -x "$BIN"
check "the completion is in bash-completion's completionsdir ($completionsdir)" -- test -f "$COMPLETION"
check "the README and docs are in datadir/doc/memsnap" -- \
	test -f "$DEST$datadir/doc/memsnap/README.md" -a -f "$DEST$datadir/doc/memsnap/docs/tutorial.md"
find "$DEST" \( -type f -o -type l \) ! -path "$DEST$prefix/*" >"$WORK/outside"
check "nothing is installed outside the prefix ($prefix)" -- test ! -s "$WORK/outside"

# The commands, as the installed binary lists them (help and version are not
# commands with pages of their own).
"$BIN" help | awk '/^commands:$/ {f = 1; next} f && !NF {exit} f {print $1}' | sort >"$WORK/commands"
grep -vx -e help -e version "$WORK/commands" | sed 's/.*/memsnap-&.1/' >"$WORK/pages.expected"
echo memsnap.1 >>"$WORK/pages.expected"
sort -o "$WORK/pages.expected" "$WORK/pages.expected"
ls "$MAN1" | sort >"$WORK/pages"
check "man1 holds memsnap.1 and memsnap-COMMAND.1 for every command of 'memsnap help'" -- \
	diff "$WORK/pages.expected" "$WORK/pages"

# One long line per paragraph (the line length): no wrapping, no hyphens to
# undo, as plain text (grotty: no colours, overstrikes or underlines)
render() { groff -t -man -Tutf8 -rLL=1000n -P-cbou "$1" 2>/dev/null; }
# the option names of the lines of the options: list of a --help
help_options() {
	awk '/^options:$/ {f = 1; next} f && !NF {exit}
		f && (/^  -/ || /^      --/) {
			sub(/^ +/, ""); sub(/  .*/, "")
			n = split($0, names, ", ")
			sub(/ .*/, "", names[n])
			for (i = 1; i <= n; i++) print names[i]
		}' | sort
}

for page in "$MAN1"/*.1; do
	name=$(basename "$page" .1)
	# every groff warning (-ww), at a terminal's 80 columns
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$page" >"$WORK/$name.txt" 2>"$WORK/$name.man-err"
	check_eq "$name(1): man -l renders it, exit 0" 0 $?
	check "$name(1): man --warnings=w (groff -ww) says nothing" -- test ! -s "$WORK/$name.man-err"
	check "$name(1): no word is hyphenated across lines (options and paths stay whole)" -- \
		bash -c '! grep -q "‐$" "$1"' _ "$WORK/$name.txt"
	render "$page" >"$WORK/$name.wide"
	# what must not survive the conversion: Markdown's marks, roff requests
	check "$name(1): no Markdown or roff left in the text" -- \
		bash -c '! grep -nE "\*\*|\`|\]\(|\| *--- *\||^ *\.[A-Za-z]{1,2}( |$)|\\\\f" "$1"' _ "$WORK/$name.wide"
	sections=$(grep -E '^[A-Z][A-Z ]+$' "$WORK/$name.wide" | tr '\n' ' ')
	if [ "$name" = memsnap ]; then
		check_eq "memsnap(1): its sections" "NAME SYNOPSIS DESCRIPTION COMMANDS SEE ALSO " "$sections"
		sed -n '/^COMMANDS$/,/^SEE ALSO$/ s/^       \([a-z]\+\)\( .*\)\?$/\1/p' "$WORK/$name.wide" | sort >"$WORK/listed"
		check "memsnap(1): COMMANDS lists every command of 'memsnap help'" -- diff "$WORK/commands" "$WORK/listed"
		continue
	fi
	cmd=${name#memsnap-}
	check_eq "$name(1): its sections" "NAME SYNOPSIS DESCRIPTION OPTIONS SEE ALSO " "$sections"
	summary=$("$BIN" help | awk -v c="$cmd" '/^commands:$/ {f = 1; next} f && $1 == c {sub(/^ +[^ ]+ +/, ""); print; exit}')
	check_eq "$name(1): NAME is the command's line in 'memsnap help'" \
		"       memsnap-$cmd - $summary" "$(sed -n '/^NAME$/ {n; p}' "$WORK/$name.wide")"
	"$BIN" "$cmd" --help | help_options >"$WORK/$cmd.options"
	# a tag line: the option names, its argument, and (when short) its help after two spaces
	sed -n '/^OPTIONS$/,/^SEE ALSO$/ s/^       \(-[^ ].*\)$/\1/p' "$WORK/$name.wide" |
		sed -E 's/  .*//; s/ [^,-][^,]*$//' | tr ',' '\n' | tr -d ' ' | sort >"$WORK/$cmd.man-options"
	check "$name(1): OPTIONS lists every option of 'memsnap $cmd --help'" -- \
		diff "$WORK/$cmd.options" "$WORK/$cmd.man-options"
done

# What the docs do not use today but may tomorrow: a table of three columns
# (tbl), a list, a sub-heading, roff's special characters at a line's start
cmd=$(grep -vx -e help -e version "$WORK/commands" | head -n 1)
long=$(printf 'word%.0s ' {1..40})
cat >"$WORK/fixture.md" <<FIXTURE
# memsnap — a fixture

## memsnap $cmd

\`\`\`
memsnap $cmd ...
\`\`\`

### A sub-heading

| name | kind | what it means |
| --- | --- | --- |
| \`--cell-one\` | first | a long cell that must wrap: $long|
| two | second | 'quoted' and \\back\\slashed |

- a list item
  that goes on
- another

.a line that begins with a dot; 'and one with a quote'
FIXTURE
python3 "$SOURCE_ROOT/scripts/md2man.py" --memsnap "$BIN" --docs "$WORK/fixture.md" --command "$cmd" \
	--version 0 -o "$WORK/fixture.1" 2>&1
check_eq "md2man: a page with a three-column table, a list, a sub-heading" 0 $?
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$WORK/fixture.1" >"$WORK/fixture.txt" 2>"$WORK/fixture.err"
check "md2man: man --warnings=w says nothing of it" -- test ! -s "$WORK/fixture.err"
render "$WORK/fixture.1" >"$WORK/fixture.wide"
check "md2man: the table's rows have their three cells on one line" -- \
	grep -qE '^ +--cell-one +first +a long cell that must wrap: word' "$WORK/fixture.wide"
check "md2man: a leading dot and quotes come out as written" -- \
	grep -qx " *\.a line that begins with a dot; 'and one with a quote'" "$WORK/fixture.wide"
check "md2man: backslashes come out as written" -- grep -qF "'quoted' and \\back\\slashed" "$WORK/fixture.wide"
check "md2man: list items, bulleted" -- grep -qx ' *• a list item that goes on' "$WORK/fixture.wide"

# report's Markdown table became a list: every report the binary has is an entry
"$BIN" report --help | awk '/^reports:$/ {f = 1; next} f && !NF {exit} f && /^  [^ ]/ {print $1}' | sort >"$WORK/reports"
# (an entry: its name at the list's indent, its text after two spaces or on the next line)
sed -n '/^DESCRIPTION$/,/^OPTIONS$/ s/^       \([a-z_]\+\)\( \[[A-Z]\+\]\)\?\(  .*\)\?$/\1/p' "$WORK/memsnap-report.wide" |
	sort -u >"$WORK/report-entries"
comm -23 "$WORK/reports" "$WORK/report-entries" >"$WORK/reports-missing"
check "memsnap-report(1): the docs' table of reports has an entry for every report of 'memsnap report --help'" -- \
	test ! -s "$WORK/reports-missing"

# --version and version: the version meson was given, git's revision of the
# source, and the schema version the source declares
version=$(meson introspect "$BUILD" --projectinfo | jq -r .version)
schema=$(sed -n 's/^#define SCHEMA_VERSION \([0-9]\+\)$/\1/p' "$SOURCE_ROOT/schema/schema_version.h")
if [ -e "$SOURCE_ROOT/.git" ] && revision=$(git -C "$SOURCE_ROOT" rev-parse HEAD 2>/dev/null); then
	[ -n "$(git -C "$SOURCE_ROOT" status --porcelain --untracked-files=no)" ] && revision+=-dirty
	revision="git revision $revision"
else
	revision="git revision unknown (not built from a git checkout)"
fi
expected=$(printf 'memsnap %s\n%s\ndatabase schema version %s' "$version" "$revision" "$schema")
check_eq "--version: version, git revision, schema version of the source" "$expected" "$("$BIN" --version)"
check_eq "version: the same" "$expected" "$("$BIN" version)"

# The completion, sourced once in a bash of its own (as a shell keeps it),
# asked as bash asks it: COMP_WORDS, COMP_CWORD, then COMPREPLY; memsnap is
# the installed one, on PATH.  A request is the words, each ended by \x1f;
# the answer COMPREPLY's words, a line each, then a \x1e line.
cp /bin/sleep "$WORK/mscompl$$"
"$WORK/mscompl$$" 600 &
target=$!
T_PIDS+=("$target")
coproc COMPLETER {
	PATH=$DEST$bindir:$PATH exec bash --norc --noprofile -c '
		. "$1"
		while IFS= read -r request; do
			IFS=$'"'"'\x1f'"'"' read -r -a COMP_WORDS <<<"$request"
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_memsnap
			((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
			printf "\x1e\n"
		done' _ "$COMPLETION"
}
T_PIDS+=("$COMPLETER_PID")
exec {to_completer}>&"${COMPLETER[1]}" {from_completer}<&"${COMPLETER[0]}"
complete_words() {
	local line
	printf '%s\x1f' memsnap "$@" >&"$to_completer"
	printf '\n' >&"$to_completer"
	while IFS= read -r line <&"$from_completer" && [ "$line" != $'\x1e' ]; do
		printf '%s\n' "$line"
	done | sort
}
check "completion: the command names are 'memsnap help''s" -- diff "$WORK/commands" <(complete_words "")
check "completion: after report DB, the report names of 'memsnap report --help'" -- \
	diff "$WORK/reports" <(complete_words report a.db "")
check "completion: after report --sql, the report names" -- diff "$WORK/reports" <(complete_words report --sql "")
for cmd in $(grep -vx -e help -e version "$WORK/commands"); do
	check "completion: the options of $cmd are those of its --help" -- \
		diff "$WORK/$cmd.options" <(complete_words "$cmd" -)
done
touch "$WORK/leftover.core" "$WORK/leftover.db"
check_eq "completion: files where a file is taken (analyze CORE)" \
	"$WORK/leftover.core $WORK/leftover.db" "$(complete_words analyze "$WORK/leftover" | tr '\n' ' ' | sed 's/ $//')"
check_eq "completion: files for an option's FILE (capture -o)" \
	"$WORK/leftover.core $WORK/leftover.db" "$(complete_words capture -o "$WORK/leftover" | tr '\n' ' ' | sed 's/ $//')"
name=mscompl$$
pid_taken=0 target_taken=0
for cmd in $(grep -vx -e help -e version "$WORK/commands"); do
	usage=$("$BIN" "$cmd" --help | head -n 1)
	if grep -qw PID <<<"$usage"; then
		pid_taken=1
		check "completion: $cmd PID completes the pid of a running process" -- \
			grep -qx "$target" <(complete_words "$cmd" "${target:0:2}")
		check_eq "completion: $cmd PID completes a process's name to its pid" "$target" "$(complete_words "$cmd" "${name:0:10}")"
	fi
	if grep -qw TARGET <<<"$usage"; then
		target_taken=1
		check "completion: $cmd TARGET completes the pid of a running process" -- \
			grep -qx "$target" <(complete_words "$cmd" "${target:0:2}")
		check_eq "completion: $cmd TARGET completes a process's name" "$name" "$(complete_words "$cmd" "${name:0:10}")"
	fi
done
[ $pid_taken = 1 ] || skip "no command of this memsnap takes a PID"
[ $target_taken = 1 ] || skip "no command of this memsnap takes a TARGET (a pid or a name)"

# Every memsnap command line in the docs' code blocks: a command the
# installed binary has, and options its --help lists
python3 - "$BIN" "$SOURCE_ROOT/README.md" "$SOURCE_ROOT"/docs/*.md >"$WORK/doc-commands" 2>&1 <<'PY'
import re, shlex, subprocess, sys
memsnap, docs = sys.argv[1], sys.argv[2:]
help_of = {}
def options(cmd):
    if cmd not in help_of:
        r = subprocess.run([memsnap, cmd, "--help"], capture_output=True, text=True)
        help_of[cmd] = None if r.returncode else set(re.findall(r"(?m)^ +(?:(-\w), )?(--[\w-]+)", r.stdout))
    return help_of[cmd]
bad = lines = 0
for doc in docs:
    text = open(doc).read()
    for block in re.findall(r"^```\w*\n(.*?)^```$", text, flags=re.S | re.M):
        for line in block.splitlines():
            line = re.sub(r"^\$ ", "", line.strip())
            if not line.startswith("memsnap "):
                continue
            try:
                words = shlex.split(line, comments=True)
            except ValueError:
                words = line.split()
            cmd = words[1]
            if cmd.startswith("-") or cmd.isupper():
                continue  # memsnap --version, memsnap COMMAND --help
            lines += 1
            known = options(cmd)
            if known is None:
                print("%s: '%s': no command '%s'" % (doc, line, cmd)); bad += 1
                continue
            names = {n for pair in known for n in pair if n} | {"-h", "--help", "--"}
            for w in words[2:]:
                if w in ("|", ">", "<", "&&", ";"):
                    break
                if w.startswith("-") and w != "-" and w.split("=")[0] not in names:
                    print("%s: '%s': %s is not an option of memsnap %s" % (doc, line, w, cmd)); bad += 1
print("%d command lines of %d commands checked" % (lines, len(help_of)))
sys.exit(1 if bad else 0)
PY
check "every memsnap command line of the README's and docs' code blocks is one the installed binary takes" -- \
	bash -c '! grep -q "is not\|no command" "$1"' _ "$WORK/doc-commands"
diag "$(tail -n 1 "$WORK/doc-commands")"
done_testing
