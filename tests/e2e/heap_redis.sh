#!/usr/bin/env bash
# The real Redis from Debian (redis-server links Debian's stripped
# libjemalloc.so.2), loaded with 200000 keys of varied sizes plus hashes
# and lists by one EVAL loop, read through jemalloc's walker.  With the
# server stopped at the capture:
#   - the database's stats.allocated equals what jemalloc's own mallctl
#     says in the stopped process (called by gdb, on the stack, so that
#     the call allocates nothing), and INFO memory's allocator_allocated
#     once the server is quiet (Redis refreshes that figure from its cron,
#     every 100 ms: it is read until it stays put) but for the blocks the
#     cron itself holds while it reads it (tens to hundreds of bytes);
#   - leak verdicts call nothing Redis holds leaked: every key's blocks
#     are reachable from Redis's dictionaries.
#
# Truth: Redis's INFO memory and DBSIZE, jemalloc's mallctl through gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/foreign_lib.sh"

for tool in gdb sqlite3 redis-server redis-cli; do
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

# allocated: INFO memory's allocator_allocated, from a fresh connection (gone before the capture)
allocated() { redis-cli -s "$R/sock" info memory | tr -d '\r' | sed -n 's/^allocator_allocated://p'; }
# Quiet: the figure stayed the same over 8 reads spanning a second or more (10 of Redis's cron ticks).
prev= same=0 start=0 value=
for ((i = 0; i < 2000; i++)); do
	value=$(allocated)
	if [ "$value" = "$prev" ]; then
		same=$((same + 1))
	else
		same=0 start=$(date +%s%N)
	fi
	prev=$value
	[ "$same" -ge 8 ] && [ $(( ($(date +%s%N) - start) / 1000000 )) -ge 1000 ] && break
done
check "redis's allocator_allocated stays put ($value)" -- test "$same" -ge 8

kill -STOP "$RPID"
check "memsnap capture of the stopped server" -- "$MEMSNAP" capture -q -o "$WORK/redis.core" "$RPID"
# mallctl in the stopped server, through gdb, its names and results on the stack below the red zone
cat >"$WORK/mallctl.gdb" <<'GDB'
set scheduler-locking on
handle SIGSTOP nostop noprint nopass
handle SIGCONT nostop noprint nopass
set $b = (char *)$sp - 65536
set {char[6]} $b = "epoch"
set {char[16]} ($b + 16) = "stats.allocated"
set {unsigned long} ($b + 64) = 1
set {unsigned long} ($b + 72) = 8
print (int)mallctl($b, 0, 0, $b + 64, 8)
print (int)mallctl($b + 16, $b + 64, $b + 72, 0, 0)
print *(unsigned long *)($b + 64)
GDB
mallctl=$(timeout 120 gdb -nx -batch -p "$RPID" -x "$WORK/mallctl.gdb" 2>/dev/null | sed -n 's/^\$3 = //p')
kill -CONT "$RPID"
check "redis: analyze the core" -- "$MEMSNAP" analyze -q -o "$WORK/redis.db" "$WORK/redis.core"
db=$WORK/redis.db
mine=$(sql "$db" "SELECT value FROM jemalloc_stats WHERE name = 'stats.allocated'")
if [ -n "$mallctl" ]; then
	check_eq "stats.allocated is what jemalloc's mallctl says in the stopped server" "$mallctl" "$mine"
else
	skip "gdb could not call mallctl in the stopped server"
fi
# Redis reads the figure inside serverCron, where the cron's own short-lived
# blocks are live (seen: 16 to 192 bytes, the same at every tick): near, not equal.
check_near "stats.allocated is INFO memory's allocator_allocated, but for the cron's own blocks" "$value" "$mine" 4096
check_eq "jemalloc is walked, found by shape, and serves malloc; glibc never initialised" "1|1|1|uninitialised" \
	"$(sql "$db" "SELECT walked, serves_malloc, evidence LIKE '%(found by shape)%', (SELECT state FROM allocators WHERE name = 'glibc') FROM allocators WHERE name = 'jemalloc'")"
check_eq "no warnings" "" "$(sql "$db" 'SELECT message FROM warnings')"
check_eq "nothing Redis holds is called leaked" 0 \
	"$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used' AND leak IN ('definite', 'indirect')")"
check "every key's value is a block: used blocks outnumber the keys" -- \
	test "$(sql "$db" "SELECT count(*) FROM chunks WHERE state = 'used'")" -gt 200090
check_eq "redis still answers after the capture" PONG "$(redis-cli -s "$R/sock" ping 2>&1)"
redis-cli -s "$R/sock" shutdown nosave >/dev/null 2>&1
done_testing
