#!/usr/bin/env bash
# Heaps that are not glibc's, in programs of our own: one linked with
# -ljemalloc (glibc's malloc never initialised; initialised by mallopt and
# idle; idle with one mmapped chunk of glibc's own; in use beside jemalloc,
# and then walked), and a glibc sample run with tcmalloc preloaded.
# analyze names the allocator that serves malloc, says what state glibc's
# malloc is in, lists only the chunks of allocators it walks and reads
# glibc's empty bins as no damage.  tcmalloc's heap is walked: the blocks
# leak says it leaked and holds are its used blocks, leaked and reachable.
#
# Truth: jemalloc's mallctl ("version"), the libraries' symbols (nm -D),
# glibc's own malloc_usable_size, __malloc_initialized, main_arena and mp_
# as gdb reads them with libc's debug symbols, /proc/PID/maps and
# /proc/PID/task.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

for tool in gcore gdb nm sqlite3 jq; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done

# --- a program linked with -ljemalloc: never initialised, idle (mallopt), idle with one mmapped chunk of glibc's ---
if [ ! -x "$TESTS_DIR/jemalloc_user" ]; then
	skip "jemalloc_user was not built: libjemalloc-dev is not installed (scripts/setup-debian.sh)"
else
	for mode in plain idle mmapped both; do
		start_sample J jemalloc_user $([ "$mode" != plain ] && echo "$mode") || { t_result 1 "jemalloc_user $mode starts"; continue; }
		check "jemalloc_user $mode: jemalloc's mallctl answers ($(truth J jemalloc))" -- test -n "$(truth J jemalloc)"
		lib=$(awk '$6 ~ /libjemalloc/ {print $6; exit}' "/proc/$J_PID/maps")
		snap "je-$mode" "$J_PID"
		analyze_all "je-$mode"
		state=uninitialised
		[ "$mode" != plain ] && state=idle
		for v in "je-$mode" "je-$mode-shape" "je-$mode-gcore"; do
			db=$WORK/$v.db
			if [ "$mode" = mmapped ]; then
				check_glibc_mmapped "$v" "$db" "je-$mode" "$lib"
				continue
			fi
			if [ "$mode" = both ]; then
				check_glibc_beside "$v" "$db" "je-$mode" "$lib"
				continue
			fi
			check_served "$v" "$db" "je-$mode" jemalloc "$lib" "$state"
			if [ "$mode" = idle ]; then
				check_eq "$v: the idle main arena is listed with no memory" "1|0|0" \
					"$(sql "$db" 'SELECT count(*), sum(system_mem), sum(top_size) FROM arenas')"
			else
				check_eq "$v: no arena is listed" 0 "$(sql "$db" 'SELECT count(*) FROM arenas')"
			fi
		done
		[ "$mode" = both ] && { check_unharmed J; send J quit; wait "$J_PID" 2>/dev/null; continue; }
		values=$(gdb_values "$TESTS_DIR/jemalloc_user" "$WORK/je-$mode-gcore.core" '(int) __malloc_initialized' \
			'main_arena.system_mem' 'mp_.n_mmaps')
		if [ -n "$values" ]; then
			check_eq "gdb: __malloc_initialized, main_arena.system_mem and mp_.n_mmaps in jemalloc_user $mode" \
				"$([ "$mode" != plain ] && echo 1 || echo 0) 0 $([ "$mode" = mmapped ] && echo 1 || echo 0)" "$values"
		else
			skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
		fi
		check_unharmed J
		send J quit
		wait "$J_PID" 2>/dev/null
	done
fi

# --- a glibc program run with tcmalloc preloaded ---
TC=$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null)
if [ -z "$TC" ]; then
	skip "libtcmalloc_minimal.so.4 is not installed (scripts/setup-debian.sh: libtcmalloc-minimal4)"
else
	LD_PRELOAD=$TC start_sample T leak
	send T "step 2"
	wait_for_line "$T_OUT" '^done 2$' 60
	lib=$(awk '$6 ~ /libtcmalloc/ {print $6; exit}' "/proc/$T_PID/maps")
	check "$lib defines tcmalloc's tc_malloc and exports malloc (nm -D)" -- \
		bash -c "nm -D --defined-only '$lib' | grep -qw tc_malloc && nm -D --defined-only '$lib' | grep -qw malloc"
	snap tc "$T_PID"
	analyze_all tc
	leaked=$(truth T leaked | while read -r a _; do printf '%d,' "$((a))"; done)
	held=$(truth T held | while read -r a _; do printf '%d,' "$((a))"; done)
	for v in tc tc-shape tc-gcore; do
		db=$WORK/$v.db
		check_eq "$v: tcmalloc serves malloc" tcmalloc "$(sql "$db" 'SELECT name FROM allocators WHERE serves_malloc')"
		check_eq "$v: tcmalloc's module is $lib, walked, in use" "$lib|1|in_use" \
			"$(sql "$db" "SELECT m.path, a.walked, a.state FROM allocators a JOIN modules m ON m.id = a.module_id WHERE a.name = 'tcmalloc'")"
		check_eq "$v: glibc malloc is uninitialised, not walked" "glibc|uninitialised|0|0" \
			"$(sql "$db" "SELECT name, state, serves_malloc, walked FROM allocators WHERE name = 'glibc'")"
		check_eq "$v: every chunk is tcmalloc's, and there are some" "0|1" \
			"$(sql "$db" "SELECT count(*) FILTER (WHERE allocator != 'tcmalloc'), count(*) > 0 FROM chunks")"
		check_eq "$v: no warning" 0 "$(sql "$db" 'SELECT count(*) FROM warnings')"
		check_eq "$v: the blocks leak leaked are used and definite; those it holds, used and reachable" \
			"$(truth T leaked | wc -l)|$(truth T held | wc -l)" \
			"$(sql "$db" "SELECT sum(mem IN (${leaked%,}) AND state = 'used' AND leak = 'definite'), sum(mem IN (${held%,}) AND state = 'used' AND leak = 'reachable') FROM chunks")"
		check_proc_truth "$v" "$db" tc
	done
	initialized=$(gdb_values "$SAMPLES_DIR/leak" "$WORK/tc-gcore.core" '(int) __malloc_initialized')
	if [ -n "$initialized" ]; then
		check_eq "gdb: __malloc_initialized is 0 in leak under tcmalloc" 0 "$initialized"
	else
		skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
	fi
	check_unharmed T
fi

done_testing
