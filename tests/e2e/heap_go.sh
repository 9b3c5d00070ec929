#!/usr/bin/env bash
# A Go program that also calls C's malloc (cgo, heap_cgo.go): glibc's heap
# is walked and adds up to what mallinfo2() says in the stopped process,
# the Go runtime's heap is named as not read, and stacks end with a clear
# reason — complete at runtime.goexit, or "no CFI" where the binary has no
# symbols and no unwind tables (-s -w).  No false warnings.
#
# Truth: glibc's mallinfo2() called by gdb in the stopped process, the
# program's own malloc_usable_size() of its C blocks, the Go runtime's
# runtime.Callers for main.main's callers, /proc/PID/maps and /proc/PID/task.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

if [ ! -x "$TESTS_DIR/heap_cgo" ]; then
	skip "heap_cgo was not built: the Go toolchain is not installed (scripts/setup-debian.sh: golang-go)"
	done_testing
fi
for tool in gcore gdb sqlite3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done

# mallinfo2_of PID: glibc's mallinfo2() in the stopped process, as a
# "mallinfo2 arena=N ..." line.  Only the calling thread runs, and the
# pending SIGSTOP is not delivered while gdb calls.
mallinfo2_of() {
	gdb -nx -p "$1" -batch -ex 'set scheduler-locking on' -ex 'handle SIGSTOP nostop noprint nopass' \
		-ex 'print mallinfo2()' 2>/dev/null |
		sed -n 's/^\$1 = {\(.*\)}$/\1/p' | sed 's/ = /=/g; s/, / /g; s/^/mallinfo2 /'
}

for exe in heap_cgo heap_cgo_stripped; do
	start_sample G "$exe" || { t_result 1 "$exe starts"; continue; }
	kill -STOP "$G_PID"
	proc_snapshot "$G_PID" "$exe"
	check "$exe: memsnap capture" -- "$MEMSNAP" capture -q -o "$WORK/$exe.core" "$G_PID"
	# gcore's core of the stripped program would tell nothing the symbols one does not: one is enough
	cores=("$exe")
	if [ "$exe" = heap_cgo ]; then
		gcore -o "$WORK/$exe-gcore" "$G_PID" >"$WORK/$exe.gcore.log" 2>&1
		mv "$WORK/$exe-gcore.$G_PID" "$WORK/$exe-gcore.core"
		cores+=("$exe-gcore")
	fi
	M_OUT=$WORK/$exe.mallinfo
	mallinfo2_of "$G_PID" >"$M_OUT"
	kill -CONT "$G_PID"
	check "$exe: gdb called mallinfo2() in the stopped process" -- grep -q '^mallinfo2 arena=' "$M_OUT"
	check "$exe: the program printed main.main's callers" -- grep -q '^callers .*main\.main runtime\.main' "$G_OUT"

	for v in "${cores[@]}"; do
		db=$WORK/$v.db
		check "$v: analyze" -- "$MEMSNAP" analyze -q -o "$db" "$WORK/$v.core"
		check_eq "$v: glibc serves malloc, in use and walked" "in_use|1|1" \
			"$(sql "$db" "SELECT state, serves_malloc, walked FROM allocators WHERE name = 'glibc'")"
		check_eq "$v: the Go runtime is named in the executable, not walked" "$TESTS_DIR/$exe|0" \
			"$(sql "$db" "SELECT m.path, a.walked FROM allocators a JOIN modules m ON m.id = a.module_id WHERE a.name = 'go'")"
		check_eq "$v: one note says the Go runtime heap is not read" 1 \
			"$(sql "$db" "SELECT count(*) FROM warnings WHERE stage = 'heap' AND message LIKE 'the Go runtime heap ($exe): not read%'")"
		check_mallinfo "$v" "$db" M
		held=$(truth G held | wc -l)
		check_eq "$v: each of the $held C blocks is a used chunk of the usable size glibc gave" "$held" \
			"$(truth G held | while read -r addr usable; do
				sql "$db" "SELECT count(*) FROM chunks WHERE mem = $((addr)) AND state = 'used' AND usable = $usable"
			done | grep -c '^1$')"
		check_proc_truth "$v" "$db" "$exe"
		if [ "$exe" = heap_cgo ]; then
			check_eq "$v: no warning but the note" 1 "$(sql "$db" 'SELECT count(*) FROM warnings')"
			# main.main and its callers, as the Go runtime names them (assembly symbols carry .abi0)
			check_eq "$v: a thread's stack ends in main.main's callers as runtime.Callers gives them" \
				"$(truth G callers | tr ' ' '\n' | sed -n '/^main\.main$/,$p' | paste -sd' ')" \
				"$(sql "$db" "SELECT replace(f.function, '.abi0', '') FROM frames f
					WHERE f.tid = (SELECT tid FROM frames WHERE function = 'main.main')
					  AND f.depth >= (SELECT depth FROM frames WHERE function = 'main.main')
					ORDER BY f.depth" | paste -sd' ')"
			check_eq "$v: that thread's unwind reached its end" "" \
				"$(sql "$db" "SELECT unwind_stop FROM threads WHERE tid = (SELECT tid FROM frames WHERE function = 'main.main')")"
			check_eq "$v: every other stack ends where Go's does (runtime.mcall and the like)" 0 \
				"$(sql "$db" "SELECT count(*) FROM threads WHERE unwind_stop NOT LIKE 'runtime.% switches stacks: %'")"
		else
			check "$v: stacks of code without symbols or CFI say so" -- \
				test "$(sql "$db" "SELECT count(*) FROM threads WHERE unwind_stop LIKE 'no CFI (.eh_frame or DWARF) describes 0x%'")" -gt 0
			check_eq "$v: no other reason, and no warning but those and the note" "0|0" \
				"$(sql "$db" "SELECT (SELECT count(*) FROM threads WHERE unwind_stop NOT LIKE 'no CFI %'),
					(SELECT count(*) FROM warnings WHERE message NOT LIKE 'the Go runtime heap%'
					   AND message NOT LIKE 'thread %: unwinding stopped after % frames at 0x% in %: no CFI %')")"
		fi
	done
	check_unharmed G
	exec {G_FD}>&-
	wait "$G_PID" 2>/dev/null
done

done_testing
