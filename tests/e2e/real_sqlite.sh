#!/usr/bin/env bash
# The sqlite3 shell holding a large in-memory database (300,000 rows, an
# index, a third of the rows deleted), fed SQL on a FIFO as a user would
# pipe it, stopped and captured by memsnap and by gcore: every database
# figure against glibc's mallinfo2() and mp_ as gdb reads them in the
# stopped shell, threads and modules against /proc, frames against gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/sqlite3 gdb gcore
cd "$WORK" || exit 1
real_start SQ '' /usr/bin/sqlite3 -batch ':memory:' || { t_result 1 "sqlite3 starts"; done_testing; }
send SQ "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, payload BLOB);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300000)
  INSERT INTO t SELECT i, 'name-' || i, randomblob(i % 300) FROM c;
CREATE INDEX t_name ON t(name);
DELETE FROM t WHERE id % 3 = 0;
SELECT 'rows ' || count(*) FROM t;
SELECT 'loaded';"
if ! wait_for_line "$SQ_OUT" '^loaded$' 120; then
	t_result 1 "sqlite3 loaded the table"
	sed 's/^/#   /' "$WORK/SQ.err" "$SQ_OUT" | head -n 20
	done_testing
fi
t_result 0 "sqlite3 loaded the table"
check_eq "sqlite3 holds the rows left after the delete" "rows 200000" "$(grep '^rows ' "$SQ_OUT")"
real_snap SQ
real_check SQ gcore "$WORK/SQ.gcore"
real_check SQ memsnap "$WORK/SQ.core"
real_quit SQ
done_testing
