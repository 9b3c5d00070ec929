#!/usr/bin/env bash
# The real Redis from Debian (redis-server links Debian's stripped
# libjemalloc.so.2), loaded with 200000 keys of varied sizes plus hashes
# and lists by one EVAL loop, read through jemalloc's walker.  The server is
# captured where INFO memory's allocator_allocated is taken: Redis's cron
# copies jemalloc's stats.allocated into server.cron_malloc_stats every
# 100 ms and INFO prints that copy, so gdb stops the server as the copy is
# made, and a request that waits in the test's own connection meanwhile is
# the first thing the server serves once it runs on.  There:
#   - the database's stats.allocated equals what jemalloc's own mallctl
#     says in the stopped process (called by gdb, on the stack, so that
#     the call allocates nothing), and INFO memory's allocator_allocated,
#     exactly;
#   - leak verdicts call nothing Redis holds leaked: every key's blocks
#     are reachable from Redis's dictionaries.
# Captured anywhere else, INFO's figure is that of the cron's last copy, and
# jemalloc's stats.allocated may have moved since without Redis allocating
# or freeing a thing: it counts the regions a thread cache holds
# (jemalloc 5.3 arena.c, arena_cache_bin_fill_small: curregs += filled),
# and any malloc and free traffic (a client connecting for INFO, say) makes
# the cache fill from its slabs or flush to them (tcache.c, tcache_gc_small:
# 3/4 of a bin's low-water mark every 64 KiB a thread allocates).  Seen: the
# same used blocks at both moments, and 3 cached 16-byte regions fewer.
#
# Truth: Redis's INFO memory and DBSIZE, jemalloc's mallctl through gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

for tool in gdb sqlite3 redis-server redis-cli python3; do
	command -v "$tool" >/dev/null || { skip "$tool is not installed (scripts/setup-debian.sh)"; done_testing; }
done

redis_start
redis-cli -s "$R/sock" EVAL "
	for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'key:' .. i, string.rep('v', (i * 37) % 700 + 1)) end
	for i = 1, 4000 do
		redis.call('HSET', 'hash:' .. (i % 50), 'field' .. i, string.rep('w', i % 90))
		redis.call('RPUSH', 'list:' .. (i % 40), string.rep('z', i % 300))
	end
	return 1" 0 200000 >"$R/load.log" 2>&1
check_eq "redis holds the 200090 keys loaded" 200090 "$(redis-cli -s "$R/sock" dbsize)"

# The test's own connection, opened now and kept: a request can wait in it
# while the server is stopped, and the server reads it the moment it runs on.
coproc CONN { exec python3 "$(dirname "$0")/redis_conn.py" "$R/sock"; }
T_PIDS+=("$CONN_PID")
# conn_send WORD...: sends a command; true once it is in the server's socket.
conn_send() {
	local ack
	printf 'send %s\n' "$*" >&"${CONN[1]}" && read -r -t 120 ack <&"${CONN[0]}" && [ "$ack" = sent ]
}
# conn_reply: reads one reply into $reply, its lines.  (Both run in this
# shell, not inside check: a subshell's $reply would be lost.)
conn_reply() {
	local line
	reply=
	echo reply >&"${CONN[1]}" || return 1
	while read -r -t 120 line <&"${CONN[0]}"; do
		[ "$line" = . ] && return 0
		reply+=${reply:+$'\n'}$line
	done
	return 1
}
conn_send PING && conn_reply
check_eq "the test's connection answers PING" PONG "$reply"

# Redis's cron (serverCron, every 100 ms) asks jemalloc for stats.allocated
# (zmalloc_get_allocator_info: mallctl "epoch", then "stats.allocated") and
# keeps it in server.cron_malloc_stats, which INFO prints.  gdb stops the
# server as that call returns: its first argument is the word it wrote.
# There gdb calls mallctl (names and results on the stack below the red
# zone, so that it allocates nothing) and leaves the server stopped.
cat >"$WORK/refresh.gdb" <<GDB
set pagination off
handle SIGSTOP nostop noprint nopass
handle SIGCONT nostop noprint nopass
break zmalloc_get_allocator_info
continue
set \$word = \$rdi
info symbol \$word
finish
set scheduler-locking on
set \$b = (char *)\$sp - 65536
set {char[6]} \$b = "epoch"
set {char[16]} (\$b + 16) = "stats.allocated"
set {unsigned long} (\$b + 64) = 1
set {unsigned long} (\$b + 72) = 8
print (int)mallctl(\$b, 0, 0, \$b + 64, 8)
print (int)mallctl(\$b + 16, \$b + 64, \$b + 72, 0, 0)
printf "figure %lu\\n", *(unsigned long *)\$word
printf "mallctl %lu\\n", *(unsigned long *)(\$b + 64)
shell kill -STOP $RPID
detach
GDB
timeout 120 gdb -nx -batch -p "$RPID" -x "$WORK/refresh.gdb" >"$WORK/refresh.log" 2>&1
figure=$(sed -n 's/^figure \([0-9]\+\)$/\1/p' "$WORK/refresh.log")
mallctl=$(sed -n 's/^mallctl \([0-9]\+\)$/\1/p' "$WORK/refresh.log")
check "gdb read the cron's figure ($figure) and called mallctl ($mallctl)" -- test -n "$figure" -a -n "$mallctl"
check "gdb stopped the server as its cron read stats.allocated into server.cron_malloc_stats" -- \
	grep -q '^server + [0-9]* in section \.bss' "$WORK/refresh.log"
check_eq "the server is left stopped there" T "$(sed -n 's/^State:\t\(.\).*/\1/p' "/proc/$RPID/status")"
check_eq "the figure the cron kept is jemalloc's stats.allocated at the stop" "$mallctl" "$figure"
check "memsnap capture of the stopped server" -- "$MEMSNAP" capture -q -o "$WORK/redis.core" "$RPID"
# INFO waits in the socket while the server is stopped.  Running on, the
# server ends the cron and polls: the request is the first thing it serves,
# before any timer (ae.c's aeProcessEvents: file events, then time events),
# so INFO prints the figure kept at the capture.
conn_send INFO memory
check_eq "INFO memory waits in the socket of the stopped server" 0 $?
kill -CONT "$RPID"
conn_reply
info=$(printf '%s\n' "$reply" | sed -n 's/^allocator_allocated:\([0-9]\+\)$/\1/p')
check_eq "INFO memory's allocator_allocated is the figure the cron kept at the capture" "$figure" "$info"
check "redis: analyze the core" -- "$MEMSNAP" analyze -q -o "$WORK/redis.db" "$WORK/redis.core"
db=$WORK/redis.db
mine=$(sql "$db" "SELECT value FROM jemalloc_stats WHERE name = 'stats.allocated'")
check_eq "stats.allocated is what jemalloc's mallctl says in the stopped server" "$mallctl" "$mine"
check_eq "stats.allocated is INFO memory's allocator_allocated at the moment of capture" "$info" "$mine"
check_eq "jemalloc is walked, found by shape, and serves malloc; glibc never initialised" "1|1|1|uninitialised" \
	"$(sql "$db" "SELECT walked, serves_malloc, evidence LIKE '%(found by shape)%', (SELECT state FROM allocators WHERE name = 'glibc') FROM allocators WHERE name = 'jemalloc'")"
check_eq "no warnings" "" "$(sql "$db" 'SELECT message FROM warnings')"
check_eq "nothing Redis holds is called leaked" 0 \
	"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak IN ('definite', 'indirect')")"
check "every key's value is a block: used blocks outnumber the keys" -- \
	test "$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used'")" -gt 200090
check_eq "redis still answers after the capture" PONG "$(redis-cli -s "$R/sock" ping 2>&1)"
[ -n "${CONN[1]:-}" ] && eval "exec ${CONN[1]}>&-" # the connection ends with its orders
redis-cli -s "$R/sock" shutdown nosave >/dev/null 2>&1
done_testing
