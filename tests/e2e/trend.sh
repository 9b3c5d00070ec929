#!/usr/bin/env bash
# memsnap trend on five snapshots of tests/e2e/trend_phases.c, which reports
# every block it keeps, frees and leaks in each phase: trend's births and
# deaths are exactly the program's (JSON read with jq), the leaking size
# class (as the sqlite3 shell gives it) ranks first, the CSV tables parse
# with python3's csv module and agree with counts the sqlite3 shell makes
# by itself; then the refusals: one database, another process, a file
# that is not a memsnap database, one that cannot be read.
. "$(dirname "$0")/lib.sh"

start_sample P trend_phases || { echo "Bail out! trend_phases did not start"; exit 1; }
PID=$P_PID
N=5

# snapshot 1 before any phase, snapshot K+1 after phase K
for k in $(seq 1 $N); do
	"$MEMSNAP" capture -q "$PID" -o "$WORK/s$k.core" 2>"$WORK/capture.err"
	check_eq "capture snapshot $k" 0 $?
	"$MEMSNAP" analyze -q "$WORK/s$k.core" -o "$WORK/s$k.db" 2>"$WORK/analyze.err"
	check_eq "analyze snapshot $k" 0 $?
	rm -f "$WORK/s$k.core"
	if [ "$k" -lt $N ]; then
		send P phase
		wait_for_line "$P_OUT" "^done $k\$" 30 || { echo "Bail out! phase $k did not finish"; exit 1; }
	fi
done
check_unharmed P

# given out of order on purpose: trend reads them in capture order, and says so
"$MEMSNAP" trend -f json "$WORK/s3.db" "$WORK/s1.db" "$WORK/s5.db" "$WORK/s2.db" "$WORK/s4.db" \
	>"$WORK/t.json" 2>"$WORK/t.err"
check_eq "trend runs" 0 $?
check "trend says the command line was not in capture order" -- grep -q "out of capture order" "$WORK/t.err"
check_eq "snapshots in capture order" "s1.db s2.db s3.db s4.db s5.db" \
	"$(jq -r '[.snapshots[].path | sub(".*/"; "")] | join(" ")' "$WORK/t.json")"
check_eq "one process: the sample's pid" "$PID" "$(jq .process.pid "$WORK/t.json")"

# mem, born, died of every life trend lists, as "0xADDR BORN DIED"
jq -r '.blocks[] | "\(.mem) \(.born) \(.died // "alive")"' "$WORK/t.json" |
	while read -r m b d; do printf '0x%x %s %s\n' "$m" "$b" "$d"; done | sort >"$WORK/lives"
# the sample's account: leaked in phase P -> born P+1, alive; held in P -> born P+1, freed in
# phase P+1 -> died P+2, or alive when P is the last
{
	awk '$1 == "leaked" {print $3, $2 + 1, "alive"}' "$P_OUT"
	awk -v last=$((N - 1)) '$1 == "held" {h[$3] = $2}
		$1 == "freed" {print $3, h[$3] + 1, $2 + 1; delete h[$3]}
		END {for (a in h) print a, h[a] + 1, "alive"}' "$P_OUT"
} | sort >"$WORK/truth"
check_eq "the sample leaked 4 x 40 blocks and kept 4 x 25" 260 "$(wc -l <"$WORK/truth")"
check_eq "trend's lives are exactly the sample's blocks, with their birth and death snapshots" \
	"$(cat "$WORK/truth")" "$(cat "$WORK/lives")"

# the leaking size class, as the database itself gives it
first_leak=$(awk '$1 == "leaked" {print $3; exit}' "$P_OUT")
leak_class=$(sql "$WORK/s5.db" "select size_class from chunks where mem = $((first_leak))")
temp_class=$(sql "$WORK/s5.db" "select size_class from chunks where mem = $(($(awk '$1 == "held" && $2 == 4 {print $3; exit}' "$P_OUT")))")
check "leaked and kept blocks fall in two size classes ($leak_class, $temp_class)" -- test "$leak_class" != "$temp_class"
check_eq "growth by size class: the leaking class ranks first" "$leak_class" \
	"$(jq '.growth.size_class[0].size_class' "$WORK/t.json")"
check "the leaking class's fit is steady (r2 > 0.9)" -- jq -e '.growth.size_class[0].r2 > 0.9' "$WORK/t.json"
check_eq "survivors: the biggest group is the leaking class, 160 blocks born in 4 snapshots" \
	"$leak_class 160 2 5 4" \
	"$(jq -r '.survivors[0] | "\(.size_class) \(.blocks) \(.born_first) \(.born_last) \(.born_in)"' "$WORK/t.json")"

# the CSV tables, read as a spreadsheet would, against the sqlite3 shell's own counts
for table in fastest snapshots survivors growth blocks; do
	"$MEMSNAP" trend --csv "$table" "$WORK"/s?.db >"$WORK/$table.csv" 2>"$WORK/csv.err"
	check_eq "--csv $table runs" 0 $?
done
read -r -d '' csv_py <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
col = sys.argv[2]
print(' '.join(r[col] for r in rows))
PY
used_sql=""
born_sql=""
for k in $(seq 1 $N); do
	used_sql+="$(sql "$WORK/s$k.db" "select count(*) from chunks where state = 'used'") "
	if [ "$k" -eq 1 ]; then
		born_sql+="0 "
	else
		# born: used in K, and no used block of K-1 with the same mem and size (and hash where both have one)
		born_sql+="$(sqlite3 -batch -noheader "$WORK/s$k.db" "attach '$WORK/s$((k - 1)).db' as p;
			select count(*) from main.chunks c where c.state = 'used' and not exists (select 1 from p.chunks o
			where o.state = 'used' and o.mem = c.mem and o.size = c.size
			and (o.hash = c.hash or o.hash is null or c.hash is null))") "
	fi
done
check_eq "csv snapshots: used blocks per snapshot as sqlite3 counts them" "${used_sql% }" \
	"$(python3 -c "$csv_py" "$WORK/snapshots.csv" used_blocks)"
check_eq "csv snapshots: born blocks per snapshot as sqlite3 counts them" "${born_sql% }" \
	"$(python3 -c "$csv_py" "$WORK/snapshots.csv" born_blocks)"
check_eq "csv blocks: one row per life" 260 "$(python3 -c "$csv_py" "$WORK/blocks.csv" mem | wc -w)"
check_eq "csv growth: one bytes column per snapshot, the leaking class's as sqlite3 sums it" \
	"$(for k in $(seq 1 $N); do sql "$WORK/s$k.db" "select coalesce(sum(size), 0) from chunks where state = 'used' and type is null and size_class = $leak_class"; done | xargs)" \
	"$(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="")):
    if r["key"] == "size:" + sys.argv[2]:
        print(" ".join(r["s%d_bytes" % k] for k in range(1, 6)))' "$WORK/growth.csv" "$leak_class")"
check_eq "csv fastest: the first size class listed is the leaking one" "$leak_class" \
	"$(python3 -c 'import csv, sys
print(next(r["key"] for r in csv.DictReader(open(sys.argv[1], newline="")) if r["kind"] == "size_class").split(":")[1])' \
	"$WORK/fastest.csv")"

# the text: the ranked section comes first
"$MEMSNAP" trend "$WORK"/s?.db >"$WORK/t.txt"
check_eq "text runs" 0 $?
check_eq "text: fastest-growing is the first section" "fastest-growing" "$(head -1 "$WORK/t.txt" | cut -d' ' -f1)"
check "text: the leaking size class is listed" -- grep -q "size:$leak_class" "$WORK/t.txt"

# refusals
"$MEMSNAP" trend "$WORK/s1.db" >/dev/null 2>"$WORK/err"
check_eq "one database: usage error" 2 $?
check "... saying a trend needs two" -- grep -q "two snapshot databases or more" "$WORK/err"

cp "$WORK/s3.db" "$WORK/other.db"
sqlite3 "$WORK/other.db" "update snapshot set pid = pid + 1"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK/s2.db" "$WORK/other.db" "$WORK/s4.db" >/dev/null 2>"$WORK/err"
check_eq "a snapshot of another process: exit 1" 1 $?
check "... naming the odd one out and its pid" -- grep -q "'$WORK/other.db' is a snapshot of another process.*pid $((PID + 1)), not $PID" "$WORK/err"

cp "$WORK/s3.db" "$WORK/restarted.db"
sqlite3 "$WORK/restarted.db" "update modules set start = start + 4096 where is_main"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK/restarted.db" "$WORK/s4.db" >/dev/null 2>"$WORK/err"
check_eq "same pid and program, main module elsewhere (restarted): exit 1" 1 $?
check "... saying so" -- grep -q "restarted.db' is a snapshot of another process.*restarted" "$WORK/err"

sqlite3 "$WORK/plain.db" "create table t(a); insert into t values (1)"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK/plain.db" >/dev/null 2>"$WORK/err"
check_eq "a SQLite file that is not memsnap's: exit 1" 1 $?
check "... naming it" -- grep -q "plain.db" "$WORK/err"
echo "not a database" >"$WORK/text.db"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK/text.db" >/dev/null 2>"$WORK/err"
check_eq "a text file: exit 1" 1 $?
check "... naming it" -- grep -q "text.db" "$WORK/err"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK/missing.db" >/dev/null 2>"$WORK/err"
check_eq "a missing database: exit 1" 1 $?
check "... naming it" -- grep -q "missing.db" "$WORK/err"
"$MEMSNAP" trend "$WORK/s1.db" "$WORK" >/dev/null 2>"$WORK/err"
check_eq "a folder where a database should be: exit 1" 1 $?
"$MEMSNAP" trend --csv nope "$WORK/s1.db" "$WORK/s2.db" >/dev/null 2>"$WORK/err"
check_eq "an unknown --csv table: usage error" 2 $?
done_testing
