#!/usr/bin/env bash
# memcached (Debian's: glibc malloc, 4 worker threads and its helper
# threads) loaded over loopback with 40,000 keys of varied sizes, stopped
# and captured by memsnap and by gcore: every database figure against
# glibc's mallinfo2() and mp_ as gdb reads them in the stopped server,
# threads and modules against /proc, frames against gdb.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"

real_need /usr/bin/memcached /usr/bin/python3 gdb gcore
if ldd /usr/bin/memcached | grep -qE 'jemalloc|tcmalloc'; then
	echo "1..0 # SKIP this memcached does not allocate with glibc malloc: $(ldd /usr/bin/memcached | grep -oE 'lib(je|tc)malloc[^ ]*')"
	exit 0
fi
cd "$WORK" || exit 1
# A port nobody listens on: the kernel picks it; memcached binds it right after.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
real_start MC '' /usr/bin/memcached -u root -t 4 -U 0 -l 127.0.0.1 -p "$port" -m 256
keys=40000
/usr/bin/python3 "$REAL_DIR/real_memcached.py" "$port" "$keys" >"$WORK/load.out" 2>"$WORK/load.err"
gets=$(( (keys + 99) / 101 ))   # keys 1, 102, 203, ...: every fifth of them was deleted
want="loaded $keys $((keys / 5)) $((gets - gets / 5))"
check_eq "the client stored every key, deleted a fifth and read back the others it asked for" \
	"$want" "$(cat "$WORK/load.out" "$WORK/load.err")"
[ "$(cat "$WORK/load.out")" = "$want" ] || done_testing
real_snap MC
real_check MC gcore "$WORK/MC.gcore"
real_check MC memsnap "$WORK/MC.core"
kill -TERM "$MC_PID"
wait "$MC_PID"
check_eq "memcached exits cleanly on SIGTERM after the captures" 0 $?
done_testing
