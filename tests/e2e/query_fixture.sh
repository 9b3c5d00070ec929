# Sourced by the query, report and diff tests: fixture snapshot databases
# built by the sqlite3 shell (not memsnap) from the schema's own SQL files
# and the rows tests/fixtures/snapshot.py writes, so the query stage can be
# tested against known contents without a live capture.
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"

# fixture_db FILE a|b: the leak sample after 2 (a) or 5 (b) steps
fixture_db() {
	local sqldir=$SOURCE_ROOT/schema/sql
	rm -f "$1"
	{
		cat "$sqldir/schema.sql" "$sqldir"/view_*.sql
		python3 "$SOURCE_ROOT/tests/fixtures/snapshot.py" "$2"
		cat "$sqldir/indexes.sql"
	} | sqlite3 -batch "$1"
}

# on_tty COMMAND...: runs COMMAND with a pseudo-terminal as stdout (script(1)),
# for the defaults that follow the terminal; prints what it wrote, CRs dropped.
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -qec "$cmd" /dev/null </dev/null | tr -d '\r'
}
