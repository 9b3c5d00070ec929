#!/usr/bin/env bash
# `memsnap analyze` on the multi-threaded sample (churn -t 4: five threads)
# captured three ways: by memsnap capture, by gdb's gcore and by the kernel
# (a SIGSEGV core).  Ground truth comes from outside memsnap: the sample's
# own report (pid, thread ids, what each thread blocks in, its pattern
# buffer), /proc/PID/status and /proc/PID/maps read before the capture,
# eu-readelf (libc's build-id), size (text/data/bss), eu-stack (frames),
# the sample's source (line numbers) and the sqlite3 shell.
. "$(dirname "$0")/lib.sh"

# Debug info from this machine only: no network lookups that change results.
unset DEBUGINFOD_URLS
: "${SOURCE_ROOT:?set SOURCE_ROOT to the source tree}"

CHURN=$SAMPLES_DIR/churn
CHURN_ARGS=(-t 4 -n 500)
WORKER_LINE=$(grep -n 'while (read(w->wait_fd' "$SOURCE_ROOT/samples/churn.c" | cut -d: -f1)
READ_LINE=$(grep -n 'ssize_t r = read(STDIN_FILENO' "$SOURCE_ROOT/samples/sample_io.c" | cut -d: -f1)

for tool in eu-readelf eu-stack size sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

# Addresses as SQLite stores them: signed 64-bit, so the vsyscall page is negative.
hex2dec() { echo $(($1)); }

# status_kb FILE FIELD: a figure of a saved /proc/PID/status
status_kb() { awk -v f="$2:" '$1 == f {print $2}' "$1"; }

# save_truth VAR: what /proc says about the sample right before it is captured
save_truth() {
	local pidvar=${1}_PID
	cp "/proc/${!pidvar}/status" "$WORK/$1.status"
	cp "/proc/${!pidvar}/maps" "$WORK/$1.maps"
}

# analyze LABEL CORE [OPTIONS]: writes $WORK/LABEL.db
analyze() {
	local label=$1 core=$2; shift 2
	"$MEMSNAP" analyze "$core" -o "$WORK/$label.db" "$@" >"$WORK/$label.log" 2>&1
	check_eq "$label: analyze exits 0" 0 $?
	[ -f "$WORK/$label.db" ] || { cat "$WORK/$label.log"; return 1; }
}

# check_db LABEL SAMPLE-VAR SOURCE: what every producer's database must show
check_db() {
	local label=$1 var=$2 source=$3 db=$WORK/$1.db
	local pidvar=${var}_PID
	local pid=${!pidvar}

	check_eq "$label: database mode is 0600" 600 "$(stat -c %a "$db")"
	check_eq "$label: snapshot.pid is the sample's pid" "$(truth "$var" pid)" "$(sql "$db" 'select pid from snapshot')"
	check_eq "$label: snapshot.source" "$source" "$(sql "$db" 'select source from snapshot')"
	check_eq "$label: snapshot.exe is the sample" "$(readlink -f "$CHURN")" "$(sql "$db" 'select exe from snapshot')"
	check_eq "$label: snapshot.cmdline is the sample's command line" "$CHURN ${CHURN_ARGS[*]}" \
		"$(sql "$db" 'select cmdline from snapshot')"
	check_eq "$label: snapshot.page_size" "$(getconf PAGESIZE)" "$(sql "$db" 'select page_size from snapshot')"

	# Threads: exactly the sample's, the main one marked.
	local want got
	want=$(truth "$var" thread | awk '{print $2}' | sort -n | tr '\n' ' ')
	got=$(sql "$db" 'select tid from threads order by tid' | tr '\n' ' ')
	check_eq "$label: one threads row per thread of the sample" "$want" "$got"
	check_eq "$label: the main thread is the one whose tid is the pid" "$pid" \
		"$(sql "$db" 'select tid from threads where is_main')"
	check_eq "$label: snapshot.threads" 5 "$(sql "$db" 'select threads from snapshot')"

	# Frames: each thread is where the sample says it blocks.
	local tid idx fn
	while read -r idx tid fn; do
		if [ "$idx" = -1 ]; then
			check "$label: main thread $tid unwinds through read_command, sample_serve and main" -- \
				test "$(sql "$db" "select group_concat(function, ' ') from (select function from frames where tid = $tid and function in ('read_command', 'sample_serve', 'main') order by depth)")" = "read_command sample_serve main"
			check_eq "$label: main thread's read_command frame is at sample_io.c:$READ_LINE" "sample_io.c:$READ_LINE" \
				"$(sql "$db" "select replace(source_file, rtrim(source_file, replace(source_file, '/', '')), '') || ':' || line from frames where tid = $tid and function = 'read_command'")"
		else
			check "$label: worker thread $tid unwinds through worker_block and worker_main" -- \
				test "$(sql "$db" "select group_concat(function, ' ') from (select function from frames where tid = $tid and function in ('worker_block', 'worker_main', 'start_thread') order by depth)")" = "worker_block worker_main start_thread"
			check_eq "$label: worker $tid's worker_block frame is at churn.c:$WORKER_LINE" "churn.c:$WORKER_LINE" \
				"$(sql "$db" "select replace(source_file, rtrim(source_file, replace(source_file, '/', '')), '') || ':' || line from frames where tid = $tid and function = 'worker_block'")"
		fi
	done < <(truth "$var" thread)
	check_eq "$label: every frame of the sample's own code names its module" 0 \
		"$(sql "$db" "select count(*) from frames where function in ('worker_block', 'main', 'read_command') and module_id is not (select id from modules where is_main)")"

	# Modules: the sample is main; libc is the file the sample maps, build-id as eu-readelf reads it.
	local libc
	libc=$(awk '$6 ~ /\/libc[.-]/ {print $6; exit}' "$WORK/$var.maps")
	check_eq "$label: the main module is the sample" "$(readlink -f "$CHURN")" \
		"$(sql "$db" 'select path from modules where is_main')"
	check_eq "$label: libc's build-id is what eu-readelf -n says of $libc" \
		"$(eu-readelf -n "$libc" | awk '/Build ID:/ {print $3}')" \
		"$(sql "$db" "select build_id from modules where path = '$libc'")"
	check_eq "$label: every module's file is found with a matching build-id" 0 \
		"$(sql "$db" "select count(*) from modules where file_status not in ('ok', 'in_core')")"

	# text/data/bss of the sample as size(1) counts them, within page rounding.
	local st sd sb
	read -r st sd sb _ < <(size "$CHURN" | tail -n 1)
	check_near "$label: main module text_size agrees with size" "$st" "$(sql "$db" 'select text_size from modules where is_main')" 4096
	check_near "$label: main module data_size agrees with size" "$sd" "$(sql "$db" 'select data_size from modules where is_main')" 4096
	check_near "$label: main module bss_size agrees with size" "$sb" "$(sql "$db" 'select bss_size from modules where is_main')" 4096

	# Segments: every mapping of /proc/PID/maps is there (gcore drops [vvar]: VM_DONTDUMP), named and classified.
	local k
	for k in text rodata data bss stack thread_stack guard vdso; do
		check "$label: there are $k segments" -- test "$(sql "$db" "select count(*) from segments where kind = '$k'")" -gt 0
	done
	check_eq "$label: the main module's text, rodata and data are its mappings" \
		"$(awk -v p="$(readlink -f "$CHURN")" '$6 == p {print $2}' "$WORK/$var.maps" | tr '\n' ' ')" \
		"$(sql "$db" "select perms from segments where module_id = (select id from modules where is_main) and path is not null order by start" | tr '\n' ' ')"
	local maps_missing=0 start end perms
	while read -r range perms _ _ _ path; do
		start=$(hex2dec "0x${range%-*}"); end=$(hex2dec "0x${range#*-}")
		[ "$source" = gcore ] && [[ "$path" == "[vvar"* ]] && continue
		[ "$(sql "$db" "select count(*) from segments where start = $start and end = $end")" = 1 ] || {
			maps_missing=$((maps_missing + 1)); echo "#   no segment for $range $perms $path"; }
	done < "$WORK/$var.maps"
	check_eq "$label: every mapping of /proc/PID/maps is a segment" 0 "$maps_missing"
	local pattern
	read -r pattern _ < <(truth "$var" pattern)
	pattern=$(hex2dec "$pattern")
	check "$label: the pattern buffer's bytes are in the core" -- \
		test "$(sql "$db" "select in_core from segments where start <= $pattern and end > $pattern")" -gt 0
	if [ "$(sql "$db" 'select count(*) from arenas')" -gt 0 ]; then
		check_eq "$label: the pattern buffer lies in a heap segment" heap \
			"$(sql "$db" "select kind from segments where start <= $pattern and end > $pattern")"
	else
		skip "$label: heap segments are marked by the heap stage, which found no arena"
	fi

	# Thread stacks belong to their threads; a worker's guard page lies right below its stack.
	check_eq "$label: each thread's stack segment holds its sp and names it" 0 \
		"$(sql "$db" "select count(*) from threads t left join segments s on s.id = t.stack_segment where s.id is null or s.tid is not t.tid or t.sp < s.start or t.sp >= s.end or s.kind <> (case when t.is_main then 'stack' else 'thread_stack' end)")"
	check_eq "$label: each worker's guard page is right below its stack, tied to it" 4 \
		"$(sql "$db" "select count(*) from threads t join segments s on s.id = t.stack_segment join segments g on g.end = s.start and g.kind = 'guard' and g.tid = t.tid where not t.is_main")"
	check_eq "$label: no warnings from the modules and threads stages" "" \
		"$(sql "$db" "select stage || ': ' || message from warnings where stage in ('modules', 'threads')")"
}

# check_frames_like_eu_stack LABEL CORE: our frames name what elfutils' eu-stack names
check_frames_like_eu_stack() {
	local label=$1 core=$2 db=$WORK/$1.db tid ours theirs diffs=0
	eu-stack --core "$core" -e "$CHURN" -n 256 >"$WORK/$label.eu-stack" 2>/dev/null
	for tid in $(sql "$db" 'select tid from threads'); do
		theirs=$(awk -v t="TID $tid:" '$0 == t {on = 1; next} /^TID / {on = 0} on && /^#/ {print $3}' "$WORK/$label.eu-stack" | tr '\n' ' ')
		ours=$(sql "$db" "select coalesce(function, '??') from frames where tid = $tid order by depth" | tr '\n' ' ')
		[ "$ours" = "$theirs" ] || { diffs=$((diffs + 1)); echo "#   thread $tid: ours '$ours', eu-stack '$theirs'"; }
	done
	check_eq "$label: every thread's frames name the functions eu-stack names" 0 "$diffs"
}

# check_summary LABEL VAR TOLERANCE-KB FIELDS...: segment_summary's total row against /proc/PID/status
check_summary() {
	local label=$1 var=$2 tol=$3; shift 3
	local f col
	for f in "$@"; do
		case $f in
		VmSize) col=virt_kb ;; VmRSS) col=res_kb ;; VmData) col=data_kb ;; VmStk) col=stk_kb ;;
		VmExe) col=exe_kb ;; VmLib) col=lib_kb ;; VmSwap) col=swap_kb ;;
		esac
		check_near "$label: segment_summary $col agrees with $f of /proc/PID/status" \
			"$(status_kb "$WORK/$var.status" "$f")" \
			"$(sql "$WORK/$label.db" "select $col from segment_summary where kind = 'total'")" "$tol"
	done
}

quit_sample() {
	local pidvar=${1}_PID
	send "$1" quit
	wait "${!pidvar}" 2>/dev/null
}

# check_memsnap_db LABEL VAR: what the MEMSNAP notes add, against /proc read before the capture
check_memsnap_db() {
	local label=$1 var=$2 db=$WORK/$1.db f col
	check_summary "$label" "$var" 8 VmSize VmRSS VmData VmStk VmExe VmLib VmSwap
	# The status note is the target's own /proc/PID/status at the capture.
	for f in vm_rss_kb:res_kb vm_size_kb:virt_kb vm_data_kb:data_kb vm_stk_kb:stk_kb vm_exe_kb:exe_kb vm_lib_kb:lib_kb; do
		col=${f#*:}; f=${f%:*}
		check_near "$label: segment_summary $col agrees with snapshot.$f (the status note)" \
			"$(sql "$db" "select $f from snapshot")" \
			"$(sql "$db" "select $col from segment_summary where kind = 'total'")" 8
	done
	check "$label: captured_at is set" -- test -n "$(sql "$db" 'select captured_at from snapshot')"
	check_eq "$label: every segment has smaps figures and VmFlags" 0 \
		"$(sql "$db" "select count(*) from segments where rss_kb is null or vm_flags is null")"
	check_eq "$label: [heap] is a heap segment" heap "$(sql "$db" "select kind from segments where path = '[heap]'")"
	check_eq "$label: [stack] is the main thread's stack" "stack|$(truth "$var" pid)" \
		"$(sql "$db" "select kind, tid from segments where path = '[stack]'")"
	check_eq "$label: every thread is named" 0 "$(sql "$db" 'select count(*) from threads where name is null')"
}

# ---- memsnap capture ---------------------------------------------------------
start_sample mem churn "${CHURN_ARGS[@]}" || exit 1
save_truth mem
if "$MEMSNAP" capture --stacks "$mem_PID" -o "$WORK/mem.core" >"$WORK/capture.log" 2>&1; then
	check_unharmed mem
	analyze mem "$WORK/mem.core" && {
		check_db mem mem memsnap
		check_frames_like_eu_stack mem "$WORK/mem.core"
		check_memsnap_db mem mem
		# capture --stacks unwound the threads live (libunwind): the same functions as ours from the core.
		check_eq "mem: live_frames has each worker in worker_block" 4 \
			"$(sql "$WORK/mem.db" "select count(distinct tid) from live_frames where function = 'worker_block'")"
		check_eq "mem: live_frames and frames agree on every thread's functions" 0 \
			"$(sql "$WORK/mem.db" "select count(*) from live_frames l join frames f using (tid, depth) where l.function is not f.function and l.function is not null and f.function is not null")"
	}
else
	t_result 1 "memsnap capture of the sample failed: $(head -n 1 "$WORK/capture.log")"
fi
quit_sample mem

# ---- gdb's gcore -------------------------------------------------------------
if command -v gcore >/dev/null; then
	start_sample g churn "${CHURN_ARGS[@]}" || exit 1
	save_truth g
	gcore -o "$WORK/g" "$g_PID" >"$WORK/gcore.log" 2>&1
	if [ -s "$WORK/g.$g_PID" ]; then
		analyze gcore "$WORK/g.$g_PID" && {
			check_db gcore g gcore
			check_frames_like_eu_stack gcore "$WORK/g.$g_PID"
			# gcore leaves out [vvar] and [vvar_vclock] (VM_DONTDUMP): up to 6 pages of VmSize.
			check_summary gcore g 8 VmData VmStk VmExe VmLib
			check_summary gcore g 32 VmSize
			check "gcore: the text gcore leaves out is a segment with in_core 0" -- \
				test "$(sql "$WORK/gcore.db" "select count(*) from segments where kind = 'text' and in_core = 0 and perms = 'r-xp'")" -gt 0
		}
	else
		skip "gcore wrote no core: $(tail -n 1 "$WORK/gcore.log")"
	fi
	quit_sample g
else
	skip "gdb's gcore is not installed"
fi

# ---- the kernel's core dump --------------------------------------------------
pattern=$(cat /proc/sys/kernel/core_pattern)
if [ "$pattern" != core ] && [ "$pattern" != core.%p ]; then
	skip "kernel cores: core_pattern is '$pattern', not 'core' (set kernel.core_pattern=core to run this leg)"
elif ! ulimit -c unlimited 2>/dev/null; then
	skip "kernel cores: cannot raise the core size limit (ulimit -c unlimited)"
else
	mkdir -p "$WORK/kernel"
	cd "$WORK/kernel" || exit 1
	start_sample k churn "${CHURN_ARGS[@]}" || exit 1
	cd - >/dev/null || exit 1
	save_truth k
	kill -SEGV "$k_PID"
	wait "$k_PID" 2>/dev/null
	kcore=$WORK/kernel/core
	[ -f "$kcore" ] || kcore=$WORK/kernel/core.$k_PID
	if [ -s "$kcore" ]; then
		analyze kernel "$kcore" && {
			check_db kernel k kernel
			check_frames_like_eu_stack kernel "$kcore"
			# The kernel writes one PT_LOAD per mapping with its exact flags: the figures are exact.
			check_summary kernel k 0 VmSize VmData VmStk VmExe VmLib
			check_eq "kernel: snapshot.signal" 11 "$(sql "$WORK/kernel.db" 'select signal from snapshot')"

			# Options: frame cap, no separate debug info, another debug path.
			analyze kernel-n2 "$kcore" --max-frames 2
			check_eq "kernel --max-frames 2: two frames per thread" "2 2 2 2 2" \
				"$(sql "$WORK/kernel-n2.db" 'select count(*) from frames group by tid' | tr '\n' ' ' | sed 's/ $//')"
			check "kernel --max-frames 2: threads.unwind_stop says the cap was hit" -- \
				test "$(sql "$WORK/kernel-n2.db" "select count(*) from threads where unwind_stop like '%--max-frames%'")" = 5
			check "kernel --max-frames 2: a warning says so" -- \
				test "$(sql "$WORK/kernel-n2.db" "select count(*) from warnings where stage = 'threads' and message like '%--max-frames%'")" = 5
			analyze kernel-nodebug "$kcore" --no-debuginfo
			check_eq "kernel --no-debuginfo: no module has a separate debug file" 0 \
				"$(sql "$WORK/kernel-nodebug.db" 'select count(*) from modules where debug_file is not null')"
			check "kernel --no-debuginfo: the sample's frames are still named (its own symbols)" -- \
				test "$(sql "$WORK/kernel-nodebug.db" "select count(*) from frames where function = 'worker_block'")" = 4
			analyze kernel-debugpath "$kcore" --debuginfo-path "$WORK/no-such-dir"
			check_eq "kernel --debuginfo-path elsewhere: libc's debug file is not found" "" \
				"$(sql "$WORK/kernel-debugpath.db" "select debug_file from modules where path like '%/libc.so%'")"
			"$MEMSNAP" analyze "$kcore" -o "$WORK/kernel.db" >/dev/null 2>"$WORK/exists.err"
			check_eq "an existing database is not replaced without --force" 1 $?
			check "the refusal names --force" -- grep -q -- "--force" "$WORK/exists.err"
		}
	else
		skip "the kernel wrote no core for pid $k_PID in $WORK/kernel"
	fi
fi

# ---- a kernel core with MEMSNAP notes made from /proc ------------------------------
# The smaps, status and cmdline text memsnap capture stores, saved from /proc
# right before the kernel dumps the process and added to its core: every
# byte comes from the kernel, so segment_summary is held against the
# kernel's own figures whatever capture's state.
if [ "$pattern" = core ] || [ "$pattern" = core.%p ] && ulimit -c unlimited 2>/dev/null; then
	mkdir -p "$WORK/knotes" "$WORK/kn.notes"
	cd "$WORK/knotes" || exit 1
	start_sample kn churn "${CHURN_ARGS[@]}" || exit 1
	cd - >/dev/null || exit 1
	save_truth kn
	notes=$WORK/kn.notes
	cp "/proc/$kn_PID/smaps" "$notes/smaps"
	cp "/proc/$kn_PID/cmdline" "$notes/cmdline"
	for t in /proc/"$kn_PID"/task/*; do printf '%s\t%s\n' "${t##*/}" "$(cat "$t/comm")"; done >"$notes/threads"
	printf 'captured_at=%s\npid=%s\nexe=%s\npause_ms=0\n' "$(date -u +%FT%TZ)" "$kn_PID" \
		"$(readlink "/proc/$kn_PID/exe")" >"$notes/settings"
	cp "/proc/$kn_PID/status" "$notes/status"
	kill -SEGV "$kn_PID"
	wait "$kn_PID" 2>/dev/null
	kcore=$WORK/knotes/core
	[ -f "$kcore" ] || kcore=$WORK/knotes/core.$kn_PID
	if [ -s "$kcore" ] && python3 "$SOURCE_ROOT/tests/e2e/add_memsnap_notes.py" "$kcore" "$notes"; then
		analyze knotes "$kcore" && {
			check_db knotes kn memsnap
			check_memsnap_db knotes kn
			check_eq "knotes: snapshot.vm_rss_kb is VmRSS of the status note" "$(status_kb "$notes/status" VmRSS)" \
				"$(sql "$WORK/knotes.db" 'select vm_rss_kb from snapshot')"
			check_eq "knotes: thread names are /proc's" "$(cut -f2 "$notes/threads" | sort | tr '\n' ' ')" \
				"$(sql "$WORK/knotes.db" 'select name from threads order by name' | tr '\n' ' ')"
		}
	else
		skip "knotes: no kernel core to add notes to"
	fi
else
	skip "knotes: kernel cores are not written here (core_pattern '$pattern')"
fi

done_testing
