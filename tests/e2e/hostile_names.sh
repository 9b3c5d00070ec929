#!/usr/bin/env bash
# Names a process chooses, fed through capture, analyze, analyze -v, stacks,
# every report, query, diff and capture's "already traced" error: a thread named "a\nb\tc" is kept whole
# (the kernel's task comm is the truth), a program run from a folder whose
# name holds a newline is still the main module with its functions named,
# and no escape sequence, control byte or invalid UTF-8 the target chose
# reaches the terminal.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1

# clean FILE: valid UTF-8 with no C0 control but the line-ending newline, no DEL, no C1 control.
clean() {
	python3 - "$1" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit(f'invalid UTF-8 at byte {e.start}')
m = re.search('[\x00-\x09\x0b-\x1f\x7f-\x9f]', text)
if m:
    sys.exit(f'control character {m.group()!r} at {m.start()}: {text[max(0, m.start() - 40):m.start() + 40]!r}')
PY
}

dir="$WORK/dir
with newline"
mkdir "$dir" && cp "$TESTS_DIR/hostile_names" "$dir/prog" || exit 1
exe="$dir/prog"
mkfifo in
exec {infd}<>in
"$exe" $'\e]0;PWN\a\e[5m' $'a\nb\tc' $'\xff\xfe\xc2\x9b' <in >out 2>err &
pid=$!
T_PIDS+=("$pid")
wait_for_line out '^ready$' 60 || { t_result 1 "hostile_names starts"; done_testing; }

"$MEMSNAP" capture "$pid" -o h.core >cap.out 2>cap.err
check_eq "capture exits 0" 0 $?
"$MEMSNAP" analyze -v h.core -o h.db >an.out 2>an.err
check_eq "analyze -v exits 0" 0 $?
"$MEMSNAP" stacks -m "$pid" >st.out 2>st.err
check_eq "stacks exits 0" 0 $?

# The kernel's names, read as bytes: comm ends with one newline the kernel adds.
for task in /proc/"$pid"/task/*; do
	tid=${task##*/}
	want=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read()[:-1].hex())' "$task/comm")
	got=$(sql h.db "SELECT hex(CAST(name AS BLOB)) FROM threads WHERE tid = $tid" | tr A-F a-f)
	check_eq "thread $tid: its name in the database is the kernel's comm, byte for byte" "$want" "$got"
done
check "one thread is named a<newline>b<tab>c" -- \
	test "$(sql h.db "SELECT count(*) FROM threads WHERE name = 'a' || char(10) || 'b' || char(9) || 'c'")" = 1

check_eq "the main module is the program, by its path with the newline" "$exe" \
	"$(sql h.db "SELECT path FROM modules WHERE is_main")"
check_eq "its file is found and matches the core" ok "$(sql h.db "SELECT file_status FROM modules WHERE is_main")"
check "every thread has a frame in hostile_wait (the program's function, named)" -- \
	test "$(sql h.db "SELECT count(DISTINCT tid) FROM frames WHERE function = 'hostile_wait'")" = 3
check "stacks names hostile_wait in every thread" -- test "$(grep -c ' hostile_wait - ' st.out)" = 3
check "stacks shows the program's path with the newline escaped" -- grep -qF 'dir\x0awith newline/prog' st.out

# gdb agrees on the names: it reads them from the same core.
gdb -batch -ex 'thread apply all bt' "$exe" h.core >gdb.out 2>&1
check "gdb finds the program's function in the core too" -- grep -q hostile_wait gdb.out

# A second tracer holds the process: capture refuses, naming the process by its comm.
strace -p "$pid" -o /dev/null 2>/dev/null &
tracer=$!
T_PIDS+=("$tracer")
for ((i = 0; i < 600; i++)); do [ "$(tracer_pid "$pid")" = "$tracer" ] && break; sleep 0.05; done
"$MEMSNAP" capture "$pid" -o traced.core >tr.out 2>tr.err
check_eq "capture of a traced process exits 1" 1 $?
check "the error names the process, escaped" -- grep -qF '(\x1b]0;PWN\x07\x1b[5m) is already traced' tr.err
kill "$tracer"; wait "$tracer" 2>/dev/null

# What analyze kept of the names, read back by every report, the query formats
# for people and JSON, and diff (against a second snapshot of the same process).
outs=()
for name in $("$MEMSNAP" report --help | awk '/^reports:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^options:/ {on = 0}'); do
	for fmt in table json; do
		"$MEMSNAP" report -f "$fmt" h.db "$name" >"rep.$name.$fmt" 2>&1 || diag "report $name -f $fmt exited $?"
		outs+=("rep.$name.$fmt")
	done
done
for fmt in table markdown line json; do
	"$MEMSNAP" query -f "$fmt" h.db "SELECT tid, name FROM threads; SELECT path FROM modules" >"q.$fmt" 2>&1
	outs+=("q.$fmt")
done
"$MEMSNAP" query -f json h.db "SELECT tid, name FROM threads ORDER BY tid" >q.names.json 2>&1
# JSON carries the names whole; bytes that are not UTF-8 become U+FFFD, as Python's decoder makes them.
check_eq "every thread name comes back from query -f json as the kernel's bytes decode" \
	"$(sql h.db "SELECT hex(CAST(name AS BLOB)) FROM threads ORDER BY tid" |
		python3 -c 'import sys; print([bytes.fromhex(l.strip()).decode("utf-8", "replace") for l in sys.stdin])')" \
	"$(python3 -c 'import json, sys; print([r["name"] for r in json.load(open(sys.argv[1]))])' q.names.json 2>&1)"
"$MEMSNAP" capture "$pid" -o h2.core >/dev/null 2>&1 && "$MEMSNAP" analyze h2.core -o h2.db >/dev/null 2>&1
"$MEMSNAP" diff h.db h2.db >diff.txt 2>&1
"$MEMSNAP" diff -f json h.db h2.db >diff.json 2>&1
outs+=(diff.txt diff.json)
bad=()
for f in "${outs[@]}"; do clean "$f" >/dev/null 2>&1 || bad+=("$f: $(clean "$f" 2>&1)"); done
check "report, query and diff of the snapshot print no raw control byte or invalid UTF-8" -- \
	bash -c 'test $# = 0 || { printf "%s\n" "$@"; exit 1; }' _ ${bad[@]+"${bad[@]}"}

for f in cap.out cap.err an.out an.err st.out st.err tr.out tr.err; do
	check "$f holds no raw control byte or invalid UTF-8" -- clean "$f"
done
check "the escapes are in what was printed (the test sees them)" -- grep -qF '\x1b]0;PWN' tr.err
done_testing
