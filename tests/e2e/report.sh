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
cp "/proc/$PID/maps" "$WORK/maps"
maps_lines=$(wc -l <"$WORK/maps")
# maps_kb [SKIP-REGEX]: the KiB /proc/PID/maps lists, [vsyscall] and SKIP-REGEX's lines left out
maps_kb() {
	local range perms _ path total=0
	while read -r range perms _ _ _ path; do
		[[ $path == "[vsyscall]" || ( -n ${1:-} && $path =~ $1 ) ]] && continue
		total=$((total + (0x${range#*-} - 0x${range%-*}) / 1024))
	done <"$WORK/maps"
	echo "$total"
}
maps_kb=$(maps_kb)
maps_kb_no_vvar=$(maps_kb '^\[vvar')
vvar_lines=$(grep -c '\[vvar' "$WORK/maps")
tasks=$(ls "/proc/$PID/task" | wc -l)

# produce NAME: makes $WORK/NAME.db from a core of the sample, or says why not
produce() {
	local name=$1 core
	case $name in
	memsnap)
		core=$WORK/m.core
		if ! "$MEMSNAP" capture "$PID" -o "$core" 2>"$WORK/capture.err"; then
			t_result 1 "reports on a memsnap core: 'memsnap capture' failed ($(head -n 1 "$WORK/capture.err"))"
			return 1
		fi ;;
	gcore)
		gcore -o "$WORK/g" "$PID" >"$WORK/gcore.log" 2>&1
		core=$WORK/g.$PID
		if [ ! -s "$core" ]; then
			t_result 1 "reports on a gcore core: gcore failed ($(tail -n 1 "$WORK/gcore.log"))"
			return 1
		fi ;;
	esac
	check_unharmed S
	if ! "$MEMSNAP" analyze "$core" -o "$WORK/$name.db" 2>"$WORK/analyze.err"; then
		t_result 1 "reports on a $name core: 'memsnap analyze' failed ($(head -n 1 "$WORK/analyze.err"))"
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
	virt=$(R summary '.memory[0].virt_kb')
	if [ "$producer" = memsnap ]; then
		check_eq "$producer: summary's VIRT is the kernel's VmSize (KiB)" "$vm_size_kb" "$virt"
		check_eq "$producer: summary's mappings total is the sum of /proc/PID/maps (KiB)" "$maps_kb" \
			"$(R summary '.mappings[] | select(.kind == "total") | .virt_kb')"
		check_eq "$producer: the segments report lists every line of /proc/PID/maps, and a total" \
			"$((maps_lines + 1))" "$(R segments '.segments | length')"
	else
		# gdb leaves the [vvar] pages out of a gcore core altogether; everything else is there.
		check_eq "$producer: summary's VIRT is /proc/PID/maps' sum but [vvar] (no status in a gcore core)" \
			"$maps_kb_no_vvar" "$virt"
		check_eq "$producer: the segments report lists every line of /proc/PID/maps but [vvar], and a total" \
			"$((maps_lines - vvar_lines + 1))" "$(R segments '.segments | length')"
	fi

	# threads: the sample's one thread, and its stack when unwinding has landed
	check_eq "$producer: threads report has the main thread" "$PID" "$(R threads '[.threads[] | select(.is_main == 1) | .tid][0]')"
	check "$producer: the main thread's stack reaches main()" -- \
		jq -e "[.stacks[] | select(.tid == $PID) | .function | select(. != null) | startswith(\"main+\")] | any" \
		"$WORK/$producer-threads.json"

	# heap: against mallinfo2() of the sample, taken after the capture (the sample idles in between)
	{
		send S mallinfo; wait_for_line "$S_OUT" '^mallinfo2 ' 10
		check_eq "$producer: heap system bytes = mallinfo2 arena" "$(mallinfo S arena)" "$(R summary '.heap[0].system_bytes')"
		check_eq "$producer: used + tcache bytes = mallinfo2 uordblks" "$(mallinfo S uordblks)" \
			"$(R summary '.heap[0].used_bytes + .heap[0].tcache_bytes')"
		check_eq "$producer: free + top bytes = mallinfo2 fordblks" "$(mallinfo S fordblks)" \
			"$(R summary '.heap[0].free_bytes + .heap[0].top_bytes')"
		check_eq "$producer: mmapped blocks = mallinfo2 hblks" "$(mallinfo S hblks)" "$(R summary '.heap[0].mmapped_chunks')"
		check_eq "$producer: mmapped bytes = mallinfo2 hblkhd" "$(mallinfo S hblkhd)" "$(R summary '.heap[0].mmapped_bytes')"
		check_eq "$producer: heap report's total used + tcache bytes = mallinfo2 uordblks" "$(mallinfo S uordblks)" \
			"$(R heap '.arenas[] | select(.arena == "total") | .used_bytes + .tcache_bytes')"
		# the two 4 MiB blocks are the largest
		big=$(truth S leaked | awk '$2 == 4194304 {print $1}' | sort | paste -sd,)
		check_eq "$producer: top 2 are the sample's 4 MiB blocks" "$big" \
			"$("$MEMSNAP" report -f tsv --no-header --hex "$DB" top 2 | grep -v '^# top$' | cut -f1 | sort | paste -sd,)"
	}

	# leaks: the sample's own account of what it dropped and what it kept
	{
		leaked=$(truth S leaked | awk '{print $1}' | sort | paste -sd,)
		check_eq "$producer: the definite leaks are exactly what the sample dropped" "$leaked" \
			"$("$MEMSNAP" query -f tsv --hex "$DB" "select mem from chunks where state = 'used' and leak = 'definite'" | sort | paste -sd,)"
		check_eq "$producer: LEAK SUMMARY's definite blocks" "$(truth S leaked | wc -l)" \
			"$(R leaks '.summary[] | select(.leak == "definite") | .blocks')"
		check_eq "$producer: the definite loss records hold the blocks the sample dropped" "$(truth S leaked | wc -l)" \
			"$(R leaks '[.loss_records[] | select(.leak == "definite") | .blocks] | add')"
		for held in $(truth S held | awk '{print $1}'); do
			check_eq "$producer: held block $held is reachable" "reachable" \
				"$("$MEMSNAP" query "$DB" "select leak from chunks where mem = $held")"
		done
	}
done
done_testing
