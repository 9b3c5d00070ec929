#!/usr/bin/env bash
# The glibc heap walker on samples/churn (4 threads, each with its own arena;
# sizes 16 B to 1 MiB; a third freed, so tcache, fastbins, unsorted, small and
# large bins and mmapped chunks are all in use; one arena with two heaps):
# the database must add up to the sample's own mallinfo2() exactly, for a gdb
# gcore core with and without libc's debug symbols, and for a kernel core.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"

cd "$WORK" || exit 1
start_sample CH churn -t 4 || { t_result 1 "churn starts"; done_testing; }
threads=$(truth CH thread | wc -l)

# --- gdb's gcore, with libc's debug symbols when installed
gcore -o "$WORK/churn" "$CH_PID" >"$WORK/gcore.log" 2>&1
check "gcore wrote a core" -- test -s "$WORK/churn.$CH_PID"
check_unharmed CH
"$MEMSNAP" analyze -q "$WORK/churn.$CH_PID" -o "$WORK/g.db"
check_eq "analyze of the gcore core exits 0" 0 $?
check_mallinfo gcore "$WORK/g.db" CH
check_truth gcore "$WORK/g.db" CH
check_eq "one arena per thread ($threads threads)" "$threads" "$(sql "$WORK/g.db" 'SELECT count(*) FROM arenas')"
check_eq "exactly one main arena" 1 "$(sql "$WORK/g.db" 'SELECT count(*) FROM arenas WHERE is_main')"
check "worker 0's arena outgrew its first heap: a heap_info chain" -- \
	test "$(sql "$WORK/g.db" 'SELECT max(heaps) FROM arenas')" -ge 2
check_eq "heaps rows match arenas.heaps" "$(sql "$WORK/g.db" 'SELECT sum(heaps) FROM arenas')" \
	"$(sql "$WORK/g.db" 'SELECT count(*) FROM heaps')"
check_eq "every bin kind is populated" "fast large small tcache unsorted" \
	"$(sql "$WORK/g.db" "SELECT group_concat(bin, ' ') FROM (SELECT DISTINCT bin FROM chunks WHERE bin IS NOT NULL ORDER BY bin)")"
check_eq "a tcache for every thread, found through its TLS" \
	"$(truth CH thread | awk '{print $2}' | sort -n | tr '\n' ' ')" \
	"$(sql "$WORK/g.db" "SELECT tid FROM tcaches WHERE found_by = 'tls' ORDER BY tid" | tr '\n' ' ')"
check_eq "tcaches.entries add up to the tcache'd chunks" \
	"$(sql "$WORK/g.db" 'SELECT sum(entries) FROM tcaches')" "$(sql "$WORK/g.db" "SELECT count(*) FROM chunks WHERE bin = 'tcache'")"
check_eq "every arena's memory is a heap segment tied to it" "$threads" \
	"$(sql "$WORK/g.db" "SELECT count(DISTINCT arena_id) FROM segments WHERE kind = 'heap'")"
check_eq "every chunk lies in a segment" 0 "$(sql "$WORK/g.db" 'SELECT count(*) FROM chunks WHERE segment_id IS NULL')"
check_eq "no heap warnings on a sound heap" "" "$(sql "$WORK/g.db" "SELECT message FROM warnings WHERE stage = 'heap'")"
check_eq "snapshot.glibc_version is the running glibc's" "$(getconf GNU_LIBC_VERSION | awk '{print $2}')" \
	"$(sql "$WORK/g.db" 'SELECT glibc_version FROM snapshot')"
libc=$(ldd /bin/true | awk '/libc\.so/ {print $3}')
check_eq "snapshot.glibc_build_id is libc's" "$(eu-readelf -n "$libc" | awk '/Build ID:/ {print $3}')" \
	"$(sql "$WORK/g.db" 'SELECT glibc_build_id FROM snapshot')"
if has_libc_debuginfo; then
	check_eq "main_arena and mp_ found by symbol (libc debug info installed)" "symbol symbol" \
		"$(sql "$WORK/g.db" "SELECT (SELECT found_by FROM arenas WHERE is_main) || ' ' || (SELECT found_by FROM malloc_par)")"
else
	skip "libc debug info is not installed: no symbol lookup to check"
fi

# --- the same core without debug symbols: found by shape, at the same addresses
for opt in --no-debuginfo "--debuginfo-path=/nonexistent"; do
	"$MEMSNAP" analyze -q $opt "$WORK/churn.$CH_PID" -o "$WORK/nodebug.db" -f
	check_eq "analyze $opt exits 0" 0 $?
	check_eq "$opt: main_arena and mp_ found by shape" "shape shape" \
		"$(sql "$WORK/nodebug.db" "SELECT (SELECT found_by FROM arenas WHERE is_main) || ' ' || (SELECT found_by FROM malloc_par)")"
	check_eq "$opt: the same arenas at the same addresses" \
		"$(sql "$WORK/g.db" 'SELECT group_concat(address) FROM arenas')" \
		"$(sql "$WORK/nodebug.db" 'SELECT group_concat(address) FROM arenas')"
	check_eq "$opt: the same mp_" "$(sql "$WORK/g.db" 'SELECT address FROM malloc_par')" \
		"$(sql "$WORK/nodebug.db" 'SELECT address FROM malloc_par')"
done
check_mallinfo "no debug info" "$WORK/nodebug.db" CH
check_eq "no debug info: the same chunks" "$(sql "$WORK/g.db" 'SELECT count(*), sum(size), total(address) FROM chunks')" \
	"$(sql "$WORK/nodebug.db" 'SELECT count(*), sum(size), total(address) FROM chunks')"

# --- the kernel's own core of the same process
if kernel_core CH "$WORK/kernel.core"; then
	"$MEMSNAP" analyze -q "$WORK/kernel.core" -o "$WORK/k.db"
	check_eq "analyze of the kernel core exits 0" 0 $?
	check_mallinfo kernel "$WORK/k.db" CH
	check_truth kernel "$WORK/k.db" CH
	check_eq "kernel core: the same chunks as the gcore core" \
		"$(sql "$WORK/g.db" "SELECT count(*), sum(size), group_concat(DISTINCT state) FROM chunks")" \
		"$(sql "$WORK/k.db" "SELECT count(*), sum(size), group_concat(DISTINCT state) FROM chunks")"
else
	skip "kernel core: $KERNEL_CORE_WHY"
fi
done_testing
