#!/usr/bin/env bash
# memsnap report on a fixture snapshot (tests/fixtures/snapshot.py): every
# named report runs, its figures equal what the sqlite3 shell computes from
# the base tables, and each report's SQL (--sql) run by the sqlite3 shell
# gives what memsnap prints; piped, a report keeps its section titles and
# header rows.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/query_fixture.sh"

DB=$WORK/b.db
fixture_db "$DB" b
REPORTS="heap leaks owners segments sizes summary threads top"

for r in $REPORTS; do
	"$MEMSNAP" report "$DB" "$r" >"$WORK/$r.tsv" 2>"$WORK/err"
	check_eq "report $r runs" 0 $?
	"$MEMSNAP" report -f json "$DB" "$r" >"$WORK/$r.json"
	check "report $r --format json is one JSON object" -- jq -e 'type == "object"' "$WORK/$r.json"
	# the report's own SQL, run by the sqlite3 shell, gives the same rows (top: with its default N)
	"$MEMSNAP" report --sql "$r" >"$WORK/$r.sql"
	theirs=$( (echo ".parameter init"; echo ".parameter set :n 20"; cat "$WORK/$r.sql") |
		sqlite3 -json "$DB" | jq -s -c '[.[] | .[]]')
	ours=$(jq -c '[.[] | .[]]' "$WORK/$r.json")
	check_eq "report $r: sqlite3 running --sql gives the same rows" "$theirs" "$ours"
	# in a pipe: "# SECTION" lines (the SQL's own section names), a header row, the rows JSON has
	check "report $r in a pipe: titles and headers, sections as the SQL names them" -- \
		python3 "$SOURCE_ROOT/tests/e2e/report_tsv.py" "$WORK/$r.tsv" "$WORK/$r.json" "$WORK/$r.sql"
done
"$MEMSNAP" report "$DB" >"$WORK/default.tsv"
check "summary is the default report" -- cmp -s "$WORK/default.tsv" "$WORK/summary.tsv"

S=$WORK/summary.json
check_eq "summary: pid" "$(sql "$DB" "select pid from snapshot")" "$(jq '.process[0].pid' "$S")"
check_eq "summary: threads" "$(sql "$DB" "select count(*) from threads")" "$(jq '.process[0].threads' "$S")"
check_eq "summary: VIRT is VmSize" "$(sql "$DB" "select vm_size_kb from snapshot")" "$(jq '.memory[0].virt_kb' "$S")"
check_eq "summary: RES is VmRSS" "$(sql "$DB" "select vm_rss_kb from snapshot")" "$(jq '.memory[0].res_kb' "$S")"
check_eq "summary: SHR is RssFile + RssShmem" "$(sql "$DB" "select rss_file_kb + rss_shmem_kb from snapshot")" \
	"$(jq '.memory[0].shr_kb' "$S")"
check_eq "summary: DATA is VmData + VmStk" "$(sql "$DB" "select vm_data_kb + vm_stk_kb from snapshot")" \
	"$(jq '.memory[0].data_kb' "$S")"
check_eq "summary: mappings total" "$(sql "$DB" "select sum((end - start) / 1024) from segments where kind <> 'vsyscall'")" \
	"$(jq '.mappings[] | select(.kind == "total") | .virt_kb' "$S")"
check_eq "summary: heap used bytes (not mmapped)" \
	"$(sql "$DB" "select sum(size) from chunks where state = 'used' and not mmapped")" "$(jq '.heap[0].used_bytes' "$S")"
check_eq "summary: heap mmapped blocks" "$(sql "$DB" "select count(*) from chunks where mmapped")" \
	"$(jq '.heap[0].mmapped_chunks' "$S")"
check_eq "summary: heap top" "$(sql "$DB" "select size from chunks where state = 'top'")" "$(jq '.heap[0].top_bytes' "$S")"
check_eq "summary: heap system bytes" "$(sql "$DB" "select system_mem from arenas")" "$(jq '.heap[0].system_bytes' "$S")"
for k in definite indirect possible reachable; do
	check_eq "summary: leak summary, $k blocks and usable bytes" \
		"$(sql "$DB" "select count(*) || ' ' || coalesce(sum(usable), 0) from chunks where state = 'used' and leak = '$k'")" \
		"$(jq -r ".leaks[] | select(.leak == \"$k\") | \"\(.blocks) \(.bytes)\"" "$S")"
done
check_eq "summary: leak summary in valgrind's order and words" \
	"definitely lost,indirectly lost,possibly lost,still reachable" "$(jq -r '[.leaks[].kind] | join(",")' "$S")"

check_eq "segments: one row per mapping and a total" "$(( $(sql "$DB" "select count(*) from segments") + 1 ))" \
	"$(jq '.segments | length' "$WORK/segments.json")"
check_eq "segments: in address order, the vsyscall page last" "[vsyscall]" \
	"$(jq -r '.segments[-2].mapping' "$WORK/segments.json")"
check_eq "sizes: used blocks per class" "$(sql "$DB" "select group_concat(n) from (select count(*) as n from chunks where state = 'used' group by size_class order by size_class)")" \
	"$(jq -r '[.sizes[] | select(.used_chunks > 0) | .used_chunks] | map(tostring) | join(",")' "$WORK/sizes.json")"
check_eq "leaks: loss records add up to the definite blocks" "$(sql "$DB" "select count(*) from chunks where leak = 'definite'")" \
	"$(jq '[.loss_records[] | select(.leak == "definite") | .blocks] | add' "$WORK/leaks.json")"
check_eq "threads: one row per thread" "$(sql "$DB" "select count(*) from threads")" "$(jq '.threads | length' "$WORK/threads.json")"
check_eq "threads: main thread's frames, innermost first" "read+0x12,read_command+0x26,sample_serve+0x40,main+0xe5,__libc_start_call_main+0x80" \
	"$(jq -r '[.stacks[] | select(.tid == 4242) | .function] | join(",")' "$WORK/threads.json")"
check_eq "threads: a thread unwound only live shows its live stack" "live" \
	"$(jq -r '[.stacks[] | select(.tid == 4250) | .unwound] | unique | join(",")' "$WORK/threads.json")"

"$MEMSNAP" report -f json "$DB" top 3 >"$WORK/top3.json"
check_eq "top 3: the three largest used blocks" \
	"$(sql "$DB" "select group_concat(mem) from (select mem from chunks where state = 'used' order by size desc, mem limit 3)")" \
	"$(jq -r '[.top[].mem] | map(tostring) | join(",")' "$WORK/top3.json")"
rec=$(sql "$DB" "select mem from chunks where type = 'record' and leak = 'reachable' order by mem desc limit 1")
check_eq "top: the newest record is held by the global 'kept' in leak's .bss" "static leak+0x4010" \
	"$("$MEMSNAP" report -f json "$DB" top 100 | jq -r ".top[] | select(.mem == $rec) | .owners")"

# units: human on a terminal, exact with --bytes and in a pipe
tty=$(NO_COLOR=1 on_tty "$MEMSNAP" report "$DB" top 1)
check "on a terminal: sizes in binary units" -- grep -q "4.00 MiB" <<<"$tty"
check "on a terminal: the address in hex" -- grep -q "0x7ffff65fb010" <<<"$tty"
tty=$(NO_COLOR=1 on_tty "$MEMSNAP" report --bytes "$DB" top 1)
check "--bytes: exact sizes on a terminal" -- grep -q " 4198400 " <<<"$tty"
check "in a pipe: exact sizes" -- grep -q "4198400" "$WORK/top.tsv"

"$MEMSNAP" report "$DB" nosuch 2>"$WORK/err"; check_eq "unknown report exits 2" 2 $?
check_eq "unknown report is named, nothing near it" "memsnap: 'nosuch' is not a report; see 'memsnap report --help'" \
	"$(cat "$WORK/err")"
for typo in lekas:leaks sumary:summary tpo:top thread:threads; do
	"$MEMSNAP" report "$DB" "${typo%%:*}" 2>"$WORK/err"; rc=$?
	check_eq "report typo '${typo%%:*}': one line suggesting '${typo#*:}', exit 2" \
		"2 memsnap: '${typo%%:*}' is not a report; did you mean '${typo#*:}'?" "$rc $(cat "$WORK/err")"
done
"$MEMSNAP" report --sql lekas 2>"$WORK/err"; check_eq "report --sql with a typo suggests too" \
	"2 memsnap: 'lekas' is not a report; did you mean 'leaks'?" "$? $(cat "$WORK/err")"
"$MEMSNAP" report "$DB" leaks -f json 2>"$WORK/err"; check_eq "an option after the database exits 2" 2 $?
check_eq "an option after the database is named" \
	"memsnap: '-f' comes after the database: options go before it (memsnap report [OPTIONS] DB [REPORT [ARGS]])" \
	"$(cat "$WORK/err")"
"$MEMSNAP" report "$DB" top ten 2>"$WORK/err"; check_eq "top with a bad count exits 2" 2 $?
"$MEMSNAP" report "$DB" sizes 5 2>"$WORK/err"; check_eq "arguments to a report without parameters exit 2" 2 $?
"$MEMSNAP" report "$WORK/none.db" 2>"$WORK/err"; check_eq "report on a missing file exits 1" 1 $?
(cd "$WORK" && "$MEMSNAP" report top b.db 2>err); check_eq "report name and database swapped exits 2" 2 $?
check "swapped arguments get a hint" -- grep -q "'top' is a report, not a database: the database comes first" "$WORK/err"
"$MEMSNAP" report --help >"$WORK/help"
for r in $REPORTS; do check "--help lists report $r" -- grep -q "^  $r" "$WORK/help"; done
check "--help says a core does not record which code allocated a block" -- \
	grep -q "A core does not record which code allocated a block" "$WORK/help"
check "--help says what a piped report looks like" -- grep -q "each section opens with a '# NAME' line" "$WORK/help"
done_testing
