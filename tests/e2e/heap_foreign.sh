#!/usr/bin/env bash
# Heaps that are not glibc's.  Debian's redis-server allocates with
# jemalloc and never touches glibc's main_arena; a program linked with
# -ljemalloc likewise, and a glibc program run with tcmalloc preloaded.  analyze must name jemalloc as the allocator that
# serves malloc, say that glibc malloc was never initialised (or initialised
# and idle), list no chunk, and read glibc's empty bins as no damage — while
# modules and threads are as /proc shows them.  A plain glibc program still
# says glibc.
#
# Truth: redis's own INFO memory (mem_allocator), jemalloc's mallctl
# ("version"), the libraries' symbols (nm -D), glibc's own
# __malloc_initialized and main_arena as gdb reads them with libc's debug
# symbols, /proc/PID/maps and /proc/PID/task.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proc_truth.sh"

for tool in gcore gdb nm sqlite3 jq; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done

# analyze_all NAME: the memsnap core of NAME analyzed with and without
# debug symbols (the shape search), and the gcore core.
analyze_all() {
	local name=$1
	check "$name: analyze the memsnap core" -- "$MEMSNAP" analyze -q -o "$WORK/$name.db" "$WORK/$name.core"
	check "$name: analyze the memsnap core without debug symbols" -- \
		"$MEMSNAP" analyze -q --no-debuginfo -o "$WORK/$name-shape.db" "$WORK/$name.core"
	check "$name: analyze the gcore core" -- "$MEMSNAP" analyze -q -o "$WORK/$name-gcore.db" "$WORK/$name-gcore.core"
}

# snap NAME PID: stops the process, notes /proc, captures it with memsnap
# and gcore, and lets it go on.
snap() {
	local name=$1 pid=$2
	kill -STOP "$pid"
	proc_snapshot "$pid" "$name"
	readlink "/proc/$pid/exe" >"$WORK/$name.exe"
	check "$name: memsnap capture" -- "$MEMSNAP" capture -q -o "$WORK/$name.core" "$pid"
	gcore -o "$WORK/$name-gcore" "$pid" >"$WORK/$name.gcore.log" 2>&1
	mv "$WORK/$name-gcore.$pid" "$WORK/$name-gcore.core" 2>/dev/null
	check "$name: gcore wrote a core" -- test -s "$WORK/$name-gcore.core"
	kill -CONT "$pid"
}

# check_served LABEL DB NAME ALLOC LIB STATE: ALLOC in LIB serves malloc, glibc is STATE, no chunk, one note.
check_served() {
	local label=$1 db=$2 name=$3 alloc=$4 lib=$5 state=$6
	check_eq "$label: $alloc serves malloc" "$alloc" "$(sql "$db" 'SELECT name FROM allocators WHERE serves_malloc')"
	check_eq "$label: $alloc's module is $lib" "$lib" \
		"$(sql "$db" "SELECT m.path FROM allocators a JOIN modules m ON m.id = a.module_id WHERE a.name = '$alloc'")"
	check_eq "$label: glibc malloc is $state, not walked" "glibc|$state|0|0" \
		"$(sql "$db" "SELECT name, state, serves_malloc, walked FROM allocators WHERE name = 'glibc'")"
	check_eq "$label: no chunk is listed" 0 "$(sql "$db" 'SELECT count(*) FROM chunks')"
	check_eq "$label: one warning in all, the note that $alloc's heap is not read" \
		"1|1" "$(sql "$db" "SELECT count(*), sum(message LIKE '$alloc''s heap (%which serves malloc): not read%') FROM warnings")"
	check_eq "$label: nothing about bins, links or corruption" 0 \
		"$(sql "$db" "SELECT count(*) FROM warnings WHERE message LIKE '%bin%' OR message LIKE '%corrupt%' OR message LIKE '%bad %pointer%'")"
	check_proc_truth "$label" "$db" "$name"
}

# --- redis-server, as Debian ships it ---
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	skip "redis-server and redis-cli are not installed (scripts/setup-debian.sh: redis-server, redis-tools)"
else
	# A unix socket in the work folder: no port to find free, nothing on the network.
	R=$WORK/redis
	mkdir -p "$R"
	redis-server --port 0 --unixsocket "$R/sock" --unixsocketperm 700 --save '' --appendonly no \
		--dir "$R" --logfile "$R/log" --daemonize no &
	RPID=$!
	T_PIDS+=("$RPID")
	for ((i = 0; i < 600; i++)); do
		[ "$(redis-cli -s "$R/sock" ping 2>/dev/null)" = PONG ] && break
		sleep 0.05
	done
	check_eq "redis-server answers on its socket" PONG "$(redis-cli -s "$R/sock" ping 2>&1)"
	awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "SET key:%d %0120d\r\n", i, i;
	             for (i = 1; i <= 200; i++) printf "RPUSH list:%d a b c d e f g h\r\n", i % 20 }' |
		redis-cli -s "$R/sock" --pipe >"$R/pipe.log" 2>&1
	check_eq "redis holds the 20020 keys loaded" 20020 "$(redis-cli -s "$R/sock" dbsize)"
	allocator=$(redis-cli -s "$R/sock" info memory | tr -d '\r' | sed -n 's/^mem_allocator://p')
	check "redis says its allocator is jemalloc ('$allocator')" -- test "${allocator#jemalloc}" != "$allocator"
	lib=$(awk '$6 ~ /libjemalloc/ {print $6; exit}' "/proc/$RPID/maps")
	[ -n "$lib" ] || lib=$(readlink "/proc/$RPID/exe") # a redis with jemalloc linked in
	check "$lib defines jemalloc's mallctl and exports malloc (nm -D)" -- \
		bash -c "nm -D --defined-only '$lib' | grep -qw mallctl && nm -D --defined-only '$lib' | grep -qw malloc"

	snap redis "$RPID"
	analyze_all redis
	exe=$(cat "$WORK/redis.exe")
	initialized=$(gdb_value "$exe" "$WORK/redis-gcore.core" '(int) __malloc_initialized')
	if [ -n "$initialized" ]; then
		check_eq "gdb: glibc's __malloc_initialized is 0 in redis" 0 "$initialized"
	else
		skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
	fi
	for v in redis redis-shape redis-gcore; do
		check_served "$v" "$WORK/$v.db" redis jemalloc "$lib" uninitialised
	done
	check_eq "summary report: jemalloc serves malloc and is not read, glibc never initialised" \
		"jemalloc (malloc; not read), glibc (uninitialised, not read)" \
		"$("$MEMSNAP" report -f json "$WORK/redis.db" summary | jq -r '.process[0].allocators')"
	check_eq "heap report: the allocators section names both" "glibc jemalloc" \
		"$("$MEMSNAP" report -f json "$WORK/redis.db" heap | jq -r '[.allocators[].name] | join(" ")')"
	check_eq "redis still answers after the captures" PONG "$(redis-cli -s "$R/sock" ping 2>&1)"
	redis-cli -s "$R/sock" shutdown nosave >/dev/null 2>&1
fi

# --- a program linked with -ljemalloc: never initialised, then idle (mallopt) ---
if [ ! -x "$TESTS_DIR/jemalloc_user" ]; then
	skip "jemalloc_user was not built: libjemalloc-dev is not installed (scripts/setup-debian.sh)"
else
	for mode in plain idle; do
		start_sample J jemalloc_user $([ "$mode" = idle ] && echo idle) || { t_result 1 "jemalloc_user $mode starts"; continue; }
		check "jemalloc_user $mode: jemalloc's mallctl answers ($(truth J jemalloc))" -- test -n "$(truth J jemalloc)"
		lib=$(awk '$6 ~ /libjemalloc/ {print $6; exit}' "/proc/$J_PID/maps")
		snap "je-$mode" "$J_PID"
		analyze_all "je-$mode"
		state=uninitialised
		[ "$mode" = idle ] && state=idle
		for v in "je-$mode" "je-$mode-shape" "je-$mode-gcore"; do
			db=$WORK/$v.db
			check_served "$v" "$db" "je-$mode" jemalloc "$lib" "$state"
			if [ "$mode" = idle ]; then
				check_eq "$v: the idle main arena is listed with no memory" "1|0|0" \
					"$(sql "$db" 'SELECT count(*), sum(system_mem), sum(top_size) FROM arenas')"
			else
				check_eq "$v: no arena is listed" 0 "$(sql "$db" 'SELECT count(*) FROM arenas')"
			fi
		done
		initialized=$(gdb_value "$TESTS_DIR/jemalloc_user" "$WORK/je-$mode-gcore.core" '(int) __malloc_initialized')
		system_mem=$(gdb_value "$TESTS_DIR/jemalloc_user" "$WORK/je-$mode-gcore.core" 'main_arena.system_mem')
		if [ -n "$initialized" ]; then
			check_eq "gdb: __malloc_initialized and main_arena.system_mem in jemalloc_user $mode" \
				"$([ "$mode" = idle ] && echo 1 || echo 0) 0" "$initialized $system_mem"
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
	for v in tc tc-shape tc-gcore; do
		check_served "$v" "$WORK/$v.db" tc tcmalloc "$lib" uninitialised
	done
	initialized=$(gdb_value "$SAMPLES_DIR/leak" "$WORK/tc-gcore.core" '(int) __malloc_initialized')
	if [ -n "$initialized" ]; then
		check_eq "gdb: __malloc_initialized is 0 in leak under tcmalloc" 0 "$initialized"
	else
		skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
	fi
	check_unharmed T
fi

# --- a plain glibc program still says glibc ---
start_sample L leak
send L "step 2"
wait_for_line "$L_OUT" '^done 2$' 60
snap leak "$L_PID"
analyze_all leak
for v in leak leak-shape leak-gcore; do
	db=$WORK/$v.db
	check_eq "$v: glibc is the one allocator, in use, walked, serving malloc" "glibc|in_use|1|1" \
		"$(sql "$db" 'SELECT group_concat(name || "|" || state || "|" || serves_malloc || "|" || walked) FROM allocators')"
	check "$v: chunks are listed" -- test "$(sql "$db" 'SELECT count(*) FROM chunks')" -gt 0
	check_eq "$v: no note about another allocator" 0 "$(sql "$db" "SELECT count(*) FROM warnings WHERE message LIKE '%not read%'")"
	check_proc_truth "$v" "$db" leak
done
initialized=$(gdb_value "$SAMPLES_DIR/leak" "$WORK/leak-gcore.core" '(int) __malloc_initialized')
if [ -n "$initialized" ]; then
	check_eq "gdb: __malloc_initialized is 1 in leak" 1 "$initialized"
else
	skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
fi
check_eq "summary report of leak: glibc serves malloc and is read" "glibc (malloc; read)" \
	"$("$MEMSNAP" report -f json "$WORK/leak.db" summary | jq -r '.process[0].allocators')"

done_testing
