#!/usr/bin/env bash
# A snapshot database is untrusted input (issue 16): query, report and diff
# let statements read and nothing else, never block on a FIFO, stop an
# endless view at the step limit, refuse a database whose two schema
# versions disagree, read a WAL database in a read-only folder, and escape
# every text that came from the file wherever they print it.  Databases
# are made by the sqlite3 shell from analyze's schema (query_fixture.sh);
# what normal SQL returns is compared with the sqlite3 shell's answer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

DB=$WORK/a.db
fixture_db "$DB" a
sum_before=$(sha256sum <"$DB")

# --- the guard: each statement issue 16 found accepted is refused, exit 1
mkfifo "$WORK/fifo.db"
refused=(
	"select fts3_tokenizer('simple', X'4141414141414141')"
	"select hex(fts3_tokenizer('simple'))"
	"select load_extension('/nonexistent.so')"
	"pragma trusted_schema = 1"
	"pragma writable_schema = 1"
	"pragma query_only = 0"
	"pragma locking_mode = exclusive"
	"pragma mmap_size = 1073741824"
	"pragma journal_mode = delete"
	"pragma user_version = 2"
	"attach '$WORK/fifo.db' as other"
	"attach 'file:$WORK/a.db?mode=rwc' as other"
	"create temp table t(a)"
	"delete from chunks"
)
for q in "${refused[@]}"; do
	out=$(timeout 20 "$MEMSNAP" query "$DB" "select 1; $q" 2>"$WORK/err"); rc=$?
	check_eq "refused, exit 1: $q" 1 $rc
	check_eq "nothing printed before the refusal: $q" "" "$out"
	check "the refusal names the statement and why: $q" -- grep -qF "refusing to run '${q%%;*}': " "$WORK/err"
done
"$MEMSNAP" query "$DB" "select fts3_tokenizer('simple')" 2>"$WORK/err"
check "fts3_tokenizer(): the function is named, and why" -- \
	grep -q "it calls fts3_tokenizer(), which is not among the functions that only compute a value" "$WORK/err"
"$MEMSNAP" query "$DB" "pragma writable_schema = 1" 2>"$WORK/err"
check "a pragma that sets is named with its value" -- grep -q "PRAGMA writable_schema = 1 is not among the pragmas that only read" "$WORK/err"
check_eq "the database is unchanged" "$sum_before" "$(sha256sum <"$DB")"
check_eq "attaching another snapshot (a regular SQLite file) to compare still works" \
	"$(sql "$DB" "select count(*) from chunks")" \
	"$("$MEMSNAP" query "$DB" "attach '$WORK/a.db' as other; select count(*) from other.chunks")"

# a view of the file's own may not call what a statement may not
cp "$DB" "$WORK/tok.db"
sqlite3 "$WORK/tok.db" "create view tok as select fts3_tokenizer('simple') as p"
"$MEMSNAP" query "$WORK/tok.db" "select * from tok" 2>"$WORK/err"; rc=$?
check_eq "a view that calls fts3_tokenizer is refused" 1 $rc
check "the refusal names the function" -- grep -q "fts3_tokenizer()" "$WORK/err"

# what reads still works: every report, and every SQL example of docs/database.md, as the sqlite3 shell answers it
for name in $("$MEMSNAP" report --help | awk '/^reports:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^options:/ {on = 0}'); do
	"$MEMSNAP" report -f json "$DB" "$name" >"$WORK/out" 2>"$WORK/err"; rc=$?
	check_eq "report $name runs under the guard" 0 $rc
done
python3 - "$SOURCE_ROOT/docs/database.md" "$WORK/example" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
for i, block in enumerate(re.findall(r"```sql\n(.*?)```", text, re.S)):
    open("%s.%d.sql" % (sys.argv[2], i), "w").write(block)
EOF
for f in "$WORK"/example.*.sql; do
	# the shell prints nothing for a result without rows, memsnap an empty array
	ours=$("$MEMSNAP" query -f json "$DB" "$(cat "$f")" 2>"$WORK/err" | jq -s -c 'map(length) | map(select(. > 0))')
	theirs=$(sqlite3 -json "$DB" <"$f" | jq -s -c 'map(length) | map(select(. > 0))')
	check_eq "docs/database.md example $(basename "$f"): as many rows as the sqlite3 shell gives" "$theirs" "$ours"
done

# --- the two schema versions must agree
cp "$DB" "$WORK/v99.db"
sqlite3 "$WORK/v99.db" "update meta set value = '99' where key = 'schema_version'"
V=$(sql "$DB" "pragma user_version")
check_eq "user_version is still $V in the altered copy (sqlite3)" "$V" "$(sql "$WORK/v99.db" "pragma user_version")"
"$MEMSNAP" query "$WORK/v99.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "meta.schema_version 99 with user_version $V: exit 1" 1 $rc
check "the message names both versions" -- grep -q "PRAGMA user_version says schema version $V, meta.schema_version says 99" "$WORK/err"
"$MEMSNAP" diff "$DB" "$WORK/v99.db" 2>/dev/null; check_eq "diff refuses it too" 1 $?

# --- FIFOs: named at once, never waited on (timeout: a hang fails instead of stalling the suite)
timeout 20 "$MEMSNAP" query "$WORK/fifo.db" "select 1" 2>"$WORK/err"; rc=$?
check_eq "query of a FIFO exits 1 at once" 1 $rc
check "it says what the file is" -- grep -q "cannot open database '$WORK/fifo.db': it is a FIFO, not a regular file" "$WORK/err"
timeout 20 "$MEMSNAP" report "$WORK/fifo.db" 2>/dev/null; check_eq "report of a FIFO exits 1 at once" 1 $?
timeout 20 "$MEMSNAP" diff "$WORK/fifo.db" "$DB" 2>/dev/null; check_eq "diff with a FIFO before exits 1 at once" 1 $?
timeout 20 "$MEMSNAP" diff "$DB" "$WORK/fifo.db" 2>/dev/null; check_eq "diff with a FIFO after exits 1 at once" 1 $?

# --- an endless view ends at the step limit, with a message and exit 1; --max-steps raises it
endless="WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i) SELECT"
cp "$DB" "$WORK/endless.db"
sqlite3 "$WORK/endless.db" "create view endless as $endless count(*) AS n FROM i;
  drop view leak_summary;
  create view leak_summary as $endless 'x' AS kind, 'y' AS leak, count(*) AS bytes, 0 AS blocks FROM i;
  drop view segment_summary;
  create view segment_summary as $endless 'total' AS kind, count(*) AS virt_kb, 0 AS res_kb, 1 AS segments FROM i;"
timeout 60 "$MEMSNAP" query --max-steps 1000000 "$WORK/endless.db" "select * from endless" 2>"$WORK/err"; rc=$?
check_eq "query of an endless view stops: exit 1" 1 $rc
check "the message says which limit and how to raise it" -- \
	grep -q "stopped after 1000000 steps of SQLite's virtual machine (an endless query or view?); --max-steps N raises the limit" "$WORK/err"
timeout 60 "$MEMSNAP" report --max-steps 1000000 "$WORK/endless.db" leaks 2>"$WORK/err" >/dev/null; rc=$?
check_eq "report over an endless view stops: exit 1" 1 $rc
check "report names the limit" -- grep -q "stopped after 1000000 steps" "$WORK/err"
timeout 60 "$MEMSNAP" diff --max-steps 1000000 "$DB" "$WORK/endless.db" 2>"$WORK/err" >/dev/null; rc=$?
check_eq "diff over an endless view stops: exit 1" 1 $rc
check "diff names the limit" -- grep -q "stopped after 1000000 steps" "$WORK/err"
check_eq "a finite recursive query within the limit runs" 5050 \
	"$("$MEMSNAP" query --max-steps 1000000 "$DB" "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 100) SELECT sum(n) FROM i")"
"$MEMSNAP" query --max-steps lots "$DB" "select 1" 2>/dev/null; check_eq "--max-steps takes a count: exit 2" 2 $?

# --- a WAL database in a folder the reader may not write (run unprivileged: root writes anywhere)
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	mkdir "$WORK/ro" "$WORK/ro2"
	cp "$DB" "$WORK/ro/a.db"
	check_eq "the copy is in WAL mode (sqlite3)" wal "$(sql "$WORK/ro/a.db" "pragma journal_mode = wal")"
	check "the WAL was checkpointed away (no -wal file)" -- test ! -e "$WORK/ro/a.db-wal"
	# the WAL with changes: a writer that has not checkpointed, copied as it is
	cp "$DB" "$WORK/wal.db"
	python3 - "$WORK/wal.db" "$WORK/ro2" <<'EOF'
import shutil, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("pragma journal_mode = wal")
c.execute("pragma wal_autocheckpoint = 0")
c.execute("insert into meta values ('changed', 'in the wal')")
c.commit()
shutil.copy(sys.argv[1], sys.argv[2] + "/a.db")
shutil.copy(sys.argv[1] + "-wal", sys.argv[2] + "/a.db-wal")
EOF
	chmod 755 "$WORK"
	chmod 555 "$WORK/ro" "$WORK/ro2"
	chmod 444 "$WORK/ro/a.db" "$WORK/ro2/a.db" "$WORK/ro2/a.db-wal"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_nobody sqlite3 "$WORK/ro/a.db" "select count(*) from chunks" >/dev/null 2>"$WORK/err"
	check "the sqlite3 shell cannot read it there (the problem)" -- grep -q "readonly database" "$WORK/err"
	out=$(as_nobody "$MEMSNAP" query "$WORK/ro/a.db" "select count(*) from chunks" 2>"$WORK/err"); rc=$?
	check_eq "query reads it: exit 0" 0 $rc
	check_eq "query reads what the file holds (sqlite3 on the original)" "$(sql "$DB" "select count(*) from chunks")" "$out"
	as_nobody "$MEMSNAP" report "$WORK/ro/a.db" summary >/dev/null 2>&1; check_eq "report reads it" 0 $?
	as_nobody "$MEMSNAP" diff "$WORK/ro/a.db" "$WORK/ro/a.db" >/dev/null 2>&1; check_eq "diff reads it" 0 $?
	as_nobody "$MEMSNAP" query "$WORK/ro2/a.db" "select count(*) from meta" 2>"$WORK/err"; rc=$?
	check_eq "a WAL with changes it cannot read: exit 1" 1 $rc
	check "the message says what is wrong and what to do" -- \
		grep -q "it is in WAL mode and its -wal file holds changes, but SQLite cannot create the -shm file.*copy the database with its -wal file" "$WORK/err"
	chmod 755 "$WORK/ro" "$WORK/ro2"
else
	skip "WAL in a read-only folder: needs setpriv and the user nobody"
fi

# --- hostile text: every text the file holds is escaped wherever it is printed
H=$'\e]0;PWN\a\e[5mblink\nline2\ttab\r\x7f\xff\xfe\xc2\x9b'
hq=$(python3 -c 'import sys; print("X'"'"'" + sys.argv[1].encode("utf-8", "surrogateescape").hex() + "'"'"'")' "$H")
fixture_db "$WORK/b.db" b
fixture_db "$WORK/evil.db" b
sqlite3 "$WORK/evil.db" "
  update threads set name = CAST($hq AS TEXT);
  update segments set path = CAST($hq AS TEXT) where path is not null;
  update modules set path = CAST($hq AS TEXT) where not is_main;
  update chunks set type = CAST($hq AS TEXT) where type is not null;
  update frames set function = CAST($hq AS TEXT);
  insert into warnings (stage, address, message) values ('reach', 0, CAST($hq AS TEXT));
  insert into threads (tid, name, is_main) values (4300, CAST($hq AS TEXT), 0);
  create view \"$H\" as select 1 as \"$H\";"
check_eq "the hostile name is in the file, raw (sqlite3)" "$(printf '%s' "$H" | od -An -tx1 | tr -d ' \n')" \
	"$(sqlite3 "$WORK/evil.db" "select hex(name) from threads limit 1" | tr 'A-F' 'a-f')"

# Every output goes to out/FORMAT.N.WHAT; one python3 run checks them all below.
mkdir "$WORK/outs"
n=0
queries=("select name, tid from threads" "select path, kind from segments" "select * from warnings"
	"select type, count(*) from chunks group by type" "select * from \"$H\"")
for fmt in table csv tsv json markdown line; do
	for q in "${queries[@]}"; do
		n=$((n + 1))
		"$MEMSNAP" query -f "$fmt" "$WORK/evil.db" "$q" >"$WORK/outs/$fmt.$n.query" 2>>"$WORK/outs/text.0.errors"
	done
done
"$MEMSNAP" query -f tsv "$WORK/evil.db" "select name from threads limit 1" >"$WORK/out"
check_eq "tsv: the escapes documented in docs/memsnap.md" \
	'\x1b]0;PWN\x07\x1b[5mblink\nline2\ttab\r\x7f\xff\xfe\xc2\x9b' "$(cat "$WORK/out")"
"$MEMSNAP" query -f json "$WORK/evil.db" "select name from threads limit 1" >"$WORK/out"
check_eq "json: \\u escapes, U+FFFD for bytes that are not UTF-8" \
	'[{"name":"\u001b]0;PWN\u0007\u001b[5mblink\nline2\ttab\r\u007f\ufffd\ufffd\u009b"}]' "$(cat "$WORK/out")"
for name in $("$MEMSNAP" report --help | awk '/^reports:/ {on = 1; next} on && /^  [a-z]/ {print $1} /^options:/ {on = 0}'); do
	for fmt in table tsv json; do
		n=$((n + 1))
		"$MEMSNAP" report -f "$fmt" "$WORK/evil.db" "$name" >"$WORK/outs/$fmt.$n.report-$name" \
			2>>"$WORK/outs/text.0.errors"
	done
done
for fmt in text json; do
	n=$((n + 1))
	"$MEMSNAP" diff --force -f "$fmt" "$WORK/b.db" "$WORK/evil.db" >"$WORK/outs/$fmt.$n.diff" \
		2>>"$WORK/outs/text.0.errors"
done
check "the hostile thread is in diff's json" -- \
	jq -e '[.threads.changes[] | select(.tid == 4300)] | length == 1' "$WORK/outs/json.$n.diff"

# no control byte but the format's own separators (newline; tab in csv and tsv), no DEL, valid
# UTF-8 without C1 controls; json and csv parse
python3 - "$WORK/outs" >"$WORK/safe" <<'EOF'
import csv, io, json, os, sys
for name in sorted(os.listdir(sys.argv[1])):
    fmt = name.split(".")[0]
    data = open(os.path.join(sys.argv[1], name), "rb").read()
    allowed = {0x0a, 0x09} if fmt in ("tsv", "csv") else {0x0a}
    why = "ok"
    bad = sorted({b for b in data if (b < 0x20 and b not in allowed) or b == 0x7f})
    try:
        text = data.decode("utf-8")
        if bad:
            why = "raw control bytes %s" % bad
        elif any(0x80 <= ord(c) <= 0x9f for c in text):
            why = "C1 controls"
        elif fmt == "json" and text.strip():
            json.loads(text)
        elif fmt == "csv":
            list(csv.reader(io.StringIO(text)))
    except Exception as e:
        why = "%s: %s" % (type(e).__name__, e)
    print("%s\t%s\t%d" % (name, why, len(data)))
EOF
while IFS=$'\t' read -r name why size; do
	check_eq "escaped, parses: $name ($size bytes)" ok "$why"
done <"$WORK/safe"
done_testing
