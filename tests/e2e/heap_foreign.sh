#!/usr/bin/env bash
# Heaps that are not glibc's: Debian's redis-server allocates with jemalloc
# and never touches glibc's main_arena.  analyze must name jemalloc as the
# allocator that serves malloc, say that glibc malloc was never
# initialised, list jemalloc's blocks alone, and read glibc's empty bins
# as no damage —
# while modules and threads are as /proc shows them.  A plain glibc
# program still says glibc.  (heap_preload: jemalloc and tcmalloc in
# programs of our own; heap_go: a Go program.)
#
# Truth: redis's own INFO memory (mem_allocator), the library's symbols
# (nm -D), glibc's own __malloc_initialized as gdb reads it with libc's
# debug symbols, /proc/PID/maps and /proc/PID/task.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

for tool in gcore gdb nm sqlite3 jq; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done

# --- redis-server, as Debian ships it ---
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	skip "redis-server and redis-cli are not installed (scripts/setup-debian.sh: redis-server, redis-tools)"
else
	redis_start
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
	initialized=$(gdb_values "$exe" "$WORK/redis-gcore.core" '(int) __malloc_initialized')
	if [ -n "$initialized" ]; then
		check_eq "gdb: glibc's __malloc_initialized is 0 in redis" 0 "$initialized"
	else
		skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
	fi
	for v in redis redis-shape redis-gcore; do
		check_served "$v" "$WORK/$v.db" redis jemalloc "$lib" uninitialised
	done
	for v in redis redis-gcore; do
		check_eq "$v: no block redis holds is called leaked (redis frees what it drops)" 0 \
			"$(sql "$WORK/$v.db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak IN ('definite', 'indirect')")"
		check "$v: the 20020 keys' blocks are there" -- test "$(sql "$WORK/$v.db" "SELECT count(*) FROM chunks WHERE state = 'used'")" -gt 40040
	done
	check_eq "summary report: jemalloc serves malloc and is read, glibc never initialised" \
		"jemalloc (malloc; read), glibc (uninitialised, not read)" \
		"$("$MEMSNAP" report -f json "$WORK/redis.db" summary | jq -r '.process[0].allocators')"
	check_eq "heap report: the allocators section names both" "glibc jemalloc" \
		"$("$MEMSNAP" report -f json "$WORK/redis.db" heap | jq -r '[.allocators[].name] | join(" ")')"
	check_eq "redis still answers after the captures" PONG "$(redis-cli -s "$R/sock" ping 2>&1)"
	redis-cli -s "$R/sock" shutdown nosave >/dev/null 2>&1
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
initialized=$(gdb_values "$SAMPLES_DIR/leak" "$WORK/leak-gcore.core" '(int) __malloc_initialized')
if [ -n "$initialized" ]; then
	check_eq "gdb: __malloc_initialized is 1 in leak" 1 "$initialized"
else
	skip "gdb cannot read __malloc_initialized: no libc debug symbols (libc6-dbg)"
fi
check_eq "summary report of leak: glibc serves malloc and is read" "glibc (malloc; read)" \
	"$("$MEMSNAP" report -f json "$WORK/leak.db" summary | jq -r '.process[0].allocators')"

done_testing
