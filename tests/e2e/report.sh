#!/usr/bin/env bash
# memsnap report on real snapshots of the leak sample, from each core
# producer (memsnap capture, gdb's gcore): every named report runs, and its
# figures agree with the database tables (read by the sqlite3 shell) and
# with the sample's own numbers (its "leaked"/"held" lines, mallinfo2(),
# /proc).  Parts of the pipeline not built yet are reported as SKIP lines
# naming the missing stage.
. "$(dirname "$0")/lib.sh"

REPORTS="heap leaks segments sizes summary threads top"

start_sample S leak -n 2 || { echo "Bail out! leak sample did not start"; exit 1; }
PID=$S_PID
vm_size_kb=$(awk '/^VmSize:/ {print $2}' "/proc/$PID/status")
maps_lines=$(wc -l <"/proc/$PID/maps")
tasks=$(ls "/proc/$PID/task" | wc -l)

# produce NAME: makes $WORK/NAME.db from a core of the sample, or says why not
produce() {
	local name=$1 core
	case $name in
	memsnap)
		core=$WORK/m.core
		if ! "$MEMSNAP" capture "$PID" -o "$core" 2>"$WORK/capture.err"; then
			skip "reports on a memsnap core: 'memsnap capture' failed ($(head -n 1 "$WORK/capture.err"))"
			return 1
		fi ;;
	gcore)
		gcore -o "$WORK/g" "$PID" >"$WORK/gcore.log" 2>&1
		core=$WORK/g.$PID
		if [ ! -s "$core" ]; then
			skip "reports on a gcore core: gcore failed"
			return 1
		fi ;;
	esac
	check_unharmed S
	if ! "$MEMSNAP" analyze "$core" -o "$WORK/$name.db" 2>"$WORK/analyze.err"; then
		skip "reports on a $name core: 'memsnap analyze' failed ($(head -n 1 "$WORK/analyze.err"))"
		return 1
	fi
}

for producer in memsnap gcore; do
	produce "$producer" || continue
	DB=$WORK/$producer.db
	diag "producer $producer: $(sql "$DB" "select count(*) from segments") segments, $(sql "$DB" "select count(*) from chunks") chunks"
	for r in $REPORTS; do
		"$MEMSNAP" report -f json "$DB" "$r" >"$WORK/$producer-$r.json" 2>"$WORK/err"
		check_eq "$producer: report $r runs" 0 $?
		check "$producer: report $r is a JSON object" -- jq -e 'type == "object"' "$WORK/$producer-$r.json"
		"$MEMSNAP" report -f table "$DB" "$r" >/dev/null 2>&1
		check_eq "$producer: report $r as a table" 0 $?
	done
	R() { jq -r "$2" "$WORK/$producer-$1.json"; }

	# summary: who and how big, against /proc as the sample ran
	check_eq "$producer: summary names the pid" "$PID" "$(R summary '.process[0].pid')"
	check_eq "$producer: summary counts the threads /proc lists" "$tasks" "$(R summary '.process[0].threads')"
	check_eq "$producer: summary's mappings total equals the segments table" \
		"$(sql "$DB" "select sum((end - start) / 1024) from segments where kind <> 'vsyscall'")" \
		"$(R summary '.mappings[] | select(.kind == "total") | .virt_kb')"
	virt=$(R summary '.memory[0].virt_kb')
	if [ "$producer" = memsnap ]; then
		check_eq "$producer: summary's VIRT is the kernel's VmSize (KiB)" "$vm_size_kb" "$virt"
	else
		# gcore writes no PT_LOAD for file mappings it did not dump (code): VIRT is what the core shows
		check_eq "$producer: summary's VIRT is the segments' sum (no status in a gcore core)" \
			"$(sql "$DB" "select sum((end - start) / 1024) from segments where kind <> 'vsyscall'")" "$virt"
	fi
	check_eq "$producer: segments report lists every segment and a total" \
		"$(( $(sql "$DB" "select count(*) from segments") + 1 ))" "$(R segments '.segments | length')"
	if [ "$producer" = memsnap ]; then
		check_eq "$producer: one segment per line of /proc/PID/maps" "$maps_lines" "$(sql "$DB" "select count(*) from segments")"
	fi

	# threads: the sample's one thread, and its stack when unwinding has landed
	check_eq "$producer: threads report has the main thread" "$PID" "$(R threads '[.threads[] | select(.is_main == 1) | .tid][0]')"
	if [ "$(sql "$DB" "select count(*) from frames")" -gt 0 ]; then
		check "$producer: the main thread's stack reaches main()" -- \
			jq -e "[.stacks[] | select(.tid == $PID) | .function | select(. != null) | startswith(\"main+\")] | any" \
			"$WORK/$producer-threads.json"
	else
		skip "$producer: stack checks: analyze's thread unwinding (frames) has not landed"
	fi

	# heap: against mallinfo2() of the sample, taken after the capture (the sample idles in between)
	if [ "$(sql "$DB" "select count(*) from chunks")" -gt 0 ]; then
		send S mallinfo; wait_for_line "$S_OUT" '^mallinfo2 ' 10
		check_eq "$producer: heap system bytes = mallinfo2 arena" "$(mallinfo S arena)" "$(R summary '.heap[0].system_bytes')"
		check_eq "$producer: used + tcache bytes = mallinfo2 uordblks" "$(mallinfo S uordblks)" \
			"$(R summary '.heap[0].used_bytes + .heap[0].tcache_bytes')"
		check_eq "$producer: free + top bytes = mallinfo2 fordblks" "$(mallinfo S fordblks)" \
			"$(R summary '.heap[0].free_bytes + .heap[0].top_bytes')"
		check_eq "$producer: mmapped blocks = mallinfo2 hblks" "$(mallinfo S hblks)" "$(R summary '.heap[0].mmapped_chunks')"
		check_eq "$producer: mmapped bytes = mallinfo2 hblkhd" "$(mallinfo S hblkhd)" "$(R summary '.heap[0].mmapped_bytes')"
		check_eq "$producer: heap report's total equals the summary" "$(R summary '.heap[0].used_bytes')" \
			"$(R heap '.arenas[] | select(.arena == "total") | .used_bytes')"
		check_eq "$producer: sizes add up to the used blocks" "$(sql "$DB" "select count(*) from chunks where state = 'used'")" \
			"$(R sizes '[.sizes[].used_chunks] | add')"
		# the two 4 MiB blocks are the largest
		big=$(truth S leaked | awk '$2 == 4194304 {print $1}' | sort | paste -sd,)
		check_eq "$producer: top 2 are the sample's 4 MiB blocks" "$big" \
			"$("$MEMSNAP" report -f tsv --hex "$DB" top 2 | cut -f1 | sort | paste -sd,)"
	else
		skip "$producer: heap checks against mallinfo2: the glibc heap walker (arenas, chunks) has not landed"
	fi

	# leaks: the sample's own account of what it dropped and what it kept
	if [ "$(sql "$DB" "select count(*) from chunks where leak is not null")" -gt 0 ]; then
		leaked=$(truth S leaked | awk '{print $1}' | sort | paste -sd,)
		check_eq "$producer: the definite leaks are exactly what the sample dropped" "$leaked" \
			"$("$MEMSNAP" query -f tsv --hex "$DB" "select mem from chunks where state = 'used' and leak = 'definite'" | sort | paste -sd,)"
		check_eq "$producer: LEAK SUMMARY's definite blocks" "$(truth S leaked | wc -l)" \
			"$(R leaks '.summary[] | select(.leak == "definite") | .blocks')"
		check_eq "$producer: loss records add up to the summary" "$(R leaks '.summary[] | select(.leak == "definite") | .bytes')" \
			"$(R leaks '[.loss_records[] | select(.leak == "definite") | .bytes] | add')"
		for held in $(truth S held | awk '{print $1}'); do
			check_eq "$producer: held block $held is reachable" "reachable" \
				"$("$MEMSNAP" query "$DB" "select leak from chunks where mem = $held")"
		done
	else
		skip "$producer: leak checks: reachability (leak verdicts) has not landed"
	fi
done
done_testing
