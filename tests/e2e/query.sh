#!/usr/bin/env bash
# memsnap query: read-only SQL in every output format, checked against the
# sqlite3 shell's own output of the same query on the same database, and
# the refusals: writes, bad SQL, files that are not memsnap databases.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

DB=$WORK/a.db
fixture_db "$DB" a
check "fixture database built by the sqlite3 shell" -- test -s "$DB"
sum_before=$(sha256sum <"$DB")

Q="select pid, exe, cmdline, source, pause_ms, glibc_version, NULL as empty, 'a,b \"c\"' as awkward from snapshot"

# csv: the same table as sqlite3 -csv -header, compared after parsing (quoting may differ where optional)
csv_rows() { python3 -c 'import csv,sys,json; print(json.dumps(list(csv.reader(sys.stdin))))'; }
ours=$("$MEMSNAP" query -f csv "$DB" "$Q" | csv_rows)
theirs=$(sqlite3 -csv -header "$DB" "$Q" | csv_rows)
check_eq "csv parses to what sqlite3 -csv -header gives" "$theirs" "$ours"

# json: the same objects as sqlite3 -json (no blobs: the shell prints them as text)
Q2="select id, mem, size, state, leak, type, hash, mmapped from chunks order by id"
ours=$("$MEMSNAP" query -f json "$DB" "$Q2" | jq -S -c .)
theirs=$(sqlite3 -json "$DB" "$Q2" | jq -S -c .)
check_eq "json equals sqlite3 -json, value for value" "$theirs" "$ours"
check_eq "json keeps integers exact (addresses)" "$(sql "$DB" "select sum(mem) from chunks")" \
	"$("$MEMSNAP" query -f json "$DB" "select mem from chunks" | jq '[.[].mem] | add')"

# tsv, the default in a pipe: no header, values as sqlite3 prints them in list mode
ours=$("$MEMSNAP" query "$DB" "$Q2")
theirs=$(sqlite3 -batch -noheader -separator $'\t' -nullvalue '' "$DB" "$Q2")
check_eq "piped output is tsv without a header, as sqlite3 -separator TAB" "$theirs" "$ours"
check_eq "--header adds the column names" "id	mem	size" \
	"$("$MEMSNAP" query --header "$DB" "select id, mem, size from chunks" | head -n 1)"
check_eq "tsv escapes tabs and newlines inside values" 'a\tb\nc' \
	"$("$MEMSNAP" query "$DB" "select 'a' || char(9) || 'b' || char(10) || 'c'")"

# markdown and line
md=$("$MEMSNAP" query -f markdown "$DB" "select kind, virt_kb from segment_summary where kind = 'heap'")
check_eq "markdown table" "| kind | virt_kb |
| ---- | ------: |
| heap |    8332 |" "$md"
check_eq "line format" "  pid = 4242
state = used" "$("$MEMSNAP" query -f line "$DB" "select pid, 'used' as state from snapshot")"

# the table format, the default on a terminal: hex addresses, aligned, header
tty=$(NO_COLOR=1 on_tty "$MEMSNAP" query "$DB" "select mem, size from chunks where id = 2")
mem=$(sql "$DB" "select mem from chunks where id = 2")
check_eq "on a terminal: aligned table, addresses in hex" "$(printf '           mem  size\n--------------  ----\n0x%x    64' "$mem")" "$tty"
check "NO_COLOR: no escape sequences" -- bash -c '! grep -q $'"'"'\e'"'"' <<<"$1"' _ "$tty"
tty=$(on_tty "$MEMSNAP" query "$DB" "select mem from chunks where id = 2")
check "colour on a terminal without NO_COLOR" -- grep -q $'\e\[1m' <<<"$tty"
check_eq "--no-hex in a table: decimal as stored" "$mem" \
	"$("$MEMSNAP" query -f table --no-header --no-hex "$DB" "select mem from chunks where id = 2")"
check_eq "--human: sizes in binary units" "4.00 MiB" \
	"$("$MEMSNAP" query -f table --no-header --human "$DB" "select 4194304 as size")"

# several statements, and SQL on standard input
nseg=$(sql "$DB" "select count(*) from segments")
check_eq "several statements: one result each, a blank line between" "4242||$nseg|" \
	"$("$MEMSNAP" query "$DB" "select pid from snapshot; select count(*) from segments" | tr '\n' '|')"
check_eq "SQL from standard input" "$nseg" "$(echo "select count(*) from segments" | "$MEMSNAP" query "$DB")"
check_eq "SQL from standard input with -" "$nseg" "$(echo "select count(*) from segments" | "$MEMSNAP" query "$DB" -)"

# writes are refused before anything runs, and the file is untouched
out=$("$MEMSNAP" query "$DB" "select 1; delete from chunks" 2>"$WORK/err"); rc=$?
check_eq "a write exits 1" 1 $rc
check_eq "nothing ran before the refusal" "" "$out"
check "the refusal names the statement" -- grep -q "refusing to run 'delete from chunks': it deletes from 'chunks'" "$WORK/err"
"$MEMSNAP" query "$DB" "vacuum into '$WORK/copy.db'" 2>"$WORK/err"; rc=$?
check_eq "VACUUM INTO (allowed on read-only connections) is refused" 1 $rc
check "VACUUM INTO wrote nothing" -- test ! -e "$WORK/copy.db"
"$MEMSNAP" query "$DB" "update snapshot set pid = 1" 2>/dev/null
"$MEMSNAP" query "$DB" "create temp table t(a)" 2>/dev/null; rc=$?
check_eq "temporary tables are refused" 1 $rc
check_eq "the database is unchanged" "$sum_before" "$(sha256sum <"$DB")"

# bad SQL: SQLite's own message, exit 1
"$MEMSNAP" query "$DB" "selec 1" 2>"$WORK/err"; rc=$?
check_eq "bad SQL exits 1" 1 $rc
theirs=$(sqlite3 "$DB" "selec 1" 2>&1 | grep -o 'near "selec": syntax error')
check "bad SQL gets SQLite's message ($theirs)" -- grep -qF "$theirs" "$WORK/err"
"$MEMSNAP" query "$DB" "select * from no_such" 2>"$WORK/err"; rc=$?
check_eq "unknown table exits 1" 1 $rc
check "unknown table is named" -- grep -q "no such table: no_such" "$WORK/err"

# files that are not memsnap databases
"$MEMSNAP" query "$WORK/none.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "missing file exits 1" 1 $rc
check "missing file is named with the reason" -- grep -q "cannot open database '$WORK/none.db': No such file or directory" "$WORK/err"
echo "just text" >"$WORK/text.db"
"$MEMSNAP" query "$WORK/text.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "a text file exits 1" 1 $rc
check "a text file is called not SQLite" -- grep -q "'$WORK/text.db' is not a SQLite database" "$WORK/err"
cp /proc/self/exe "$WORK/elf.db" 2>/dev/null || cp /bin/true "$WORK/elf.db"
"$MEMSNAP" query "$WORK/elf.db" "select 1" 2>"$WORK/err"
check "an ELF file (a core) gets the analyze hint" -- grep -q "is an ELF file (a core?), not a database; make one with 'memsnap analyze" "$WORK/err"
sqlite3 "$WORK/other.db" "create table t(a)"
"$MEMSNAP" query "$WORK/other.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "another program's SQLite file exits 1" 1 $rc
check "another program's SQLite file is not memsnap's" -- grep -q "is a SQLite database but not a memsnap database" "$WORK/err"
V=$(sqlite3 "$DB" "pragma user_version")
cp "$DB" "$WORK/newer.db"; sqlite3 "$WORK/newer.db" "pragma user_version = 99"
"$MEMSNAP" query "$WORK/newer.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "a newer schema exits 1" 1 $rc
check "a newer schema names both versions" -- grep -q "database '$WORK/newer.db' has schema version 99; this memsnap reads version $V" "$WORK/err"
cp "$DB" "$WORK/older.db"; sqlite3 "$WORK/older.db" "pragma user_version = 0"
"$MEMSNAP" query "$WORK/older.db" "select 1" 2>"$WORK/err"
check "an older schema names both versions" -- grep -q "has schema version 0; this memsnap reads version $V" "$WORK/err"

# usage
"$MEMSNAP" query 2>/dev/null; check_eq "no database is a usage error" 2 $?
"$MEMSNAP" query -f xml "$DB" "select 1" 2>/dev/null; check_eq "unknown format is a usage error" 2 $?
"$MEMSNAP" query -f jsno "$DB" "select 1" 2>"$WORK/err"
check_eq "a mistyped format gets the nearest" "memsnap: unknown format 'jsno'; did you mean 'json'?" "$(cat "$WORK/err")"
"$MEMSNAP" query -f json --no-header "$DB" "select 1" 2>/dev/null; check_eq "--no-header with json is a usage error" 2 $?
"$MEMSNAP" query -f markdown --no-header "$DB" "select 1" 2>/dev/null; check_eq "--no-header with markdown is a usage error" 2 $?

# options end at the database: SQL that starts with a comment (a report's SQL) runs
"$MEMSNAP" report --sql leaks >"$WORK/leaks.sql"
ours=$("$MEMSNAP" query -f json "$DB" "$(cat "$WORK/leaks.sql")" | jq -s -c .)
theirs=$(sqlite3 -json "$DB" <"$WORK/leaks.sql" | jq -s -c .)
check_eq "SQL starting with '--' (report --sql leaks) runs, as the sqlite3 shell runs it" "$theirs" "$ours"
"$MEMSNAP" query "$DB" -f json "select 1" 2>"$WORK/err"; rc=$?
check_eq "an option after the database: exit 2" 2 $rc
check_eq "an option after the database is named, in one line" \
	"memsnap: '-f' comes after the database: options go before it (memsnap query [OPTIONS] DB [SQL])" "$(cat "$WORK/err")"
"$MEMSNAP" query "$DB" --header 2>"$WORK/err"; rc=$?
check_eq "an option in the place of the SQL (a comment, no statement): exit 2, not an empty success" 2 $rc
check "an option in the place of the SQL is named" -- grep -q "no SQL statement in '--header': it reads as a comment; options go before the database" "$WORK/err"
echo "-- nothing" | "$MEMSNAP" query "$DB" 2>"$WORK/err"; check_eq "SQL of comments only on standard input: exit 2" 2 $?
check_eq "-- ends the options" "1" "$("$MEMSNAP" query -- "$DB" "select 1")"
done_testing
