# Checks shared by the heap walker's end-to-end tests (heap*.sh): the
# database against glibc's own mallinfo2() as the sample printed it, and
# against the blocks the sample says it holds and freed.  Source after lib.sh.

# check_mallinfo LABEL DB VAR: every figure of int_mallinfo, exactly.
check_mallinfo() {
	local label=$1 db=$2 var=$3
	check_eq "$label: sum(arenas.system_mem) = mallinfo arena" \
		"$(mallinfo "$var" arena)" "$(sql "$db" 'SELECT sum(system_mem) FROM arenas')"
	check_eq "$label: mmapped chunks = mallinfo hblks" \
		"$(mallinfo "$var" hblks)" "$(sql "$db" 'SELECT count(*) FROM chunks WHERE mmapped')"
	check_eq "$label: mmapped bytes = mallinfo hblkhd" \
		"$(mallinfo "$var" hblkhd)" "$(sql "$db" 'SELECT coalesce(sum(size), 0) FROM chunks WHERE mmapped')"
	check_eq "$label: fastbin chunks = mallinfo smblks" \
		"$(mallinfo "$var" smblks)" "$(sql "$db" "SELECT count(*) FROM chunks WHERE bin = 'fast'")"
	check_eq "$label: fastbin bytes = mallinfo fsmblks" \
		"$(mallinfo "$var" fsmblks)" "$(sql "$db" "SELECT coalesce(sum(size), 0) FROM chunks WHERE bin = 'fast'")"
	check_eq "$label: unsorted/small/large chunks + one top per arena = mallinfo ordblks" \
		"$(mallinfo "$var" ordblks)" \
		"$(sql "$db" "SELECT (SELECT count(*) FROM chunks WHERE bin IN ('unsorted', 'small', 'large')) + (SELECT count(*) FROM arenas)")"
	check_eq "$label: bin bytes + fastbin bytes + tops = mallinfo fordblks" \
		"$(mallinfo "$var" fordblks)" \
		"$(sql "$db" "SELECT (SELECT coalesce(sum(size), 0) FROM chunks WHERE bin IN ('unsorted', 'small', 'large', 'fast')) + (SELECT sum(top_size) FROM arenas)")"
	check_eq "$label: main arena's top = mallinfo keepcost" \
		"$(mallinfo "$var" keepcost)" "$(sql "$db" 'SELECT top_size FROM arenas WHERE is_main')"
	check_eq "$label: the mallinfo view = mallinfo2()" \
		"$(for f in arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost; do mallinfo "$var" $f; done | paste -sd'|')" \
		"$(sql "$db" 'SELECT * FROM mallinfo')"
	# The walk covers every byte: system_mem minus all chunks leaves only heap_info,
	# a non-main arena's malloc_state and older heaps' fenceposts.
	check_eq "$label: chunks tile the main arena's heap exactly" 0 \
		"$(sql "$db" 'SELECT overhead_bytes FROM heap_summary WHERE is_main')"
	check_eq "$label: chunks tile the other arenas' heaps but for heap_info and malloc_state" 0 \
		"$(sql "$db" 'SELECT count(*) FROM heap_summary WHERE is_main = 0 AND (overhead_bytes < 0 OR overhead_bytes >= 4096 * heaps)')"
	check_eq "$label: top chunks in chunks = arenas.top_size" \
		"$(sql "$db" 'SELECT sum(top_size) FROM arenas')" "$(sql "$db" "SELECT sum(size) FROM chunks WHERE state = 'top'")"
}

# check_truth LABEL DB VAR: "held TID ADDR USABLE" lines are used chunks of
# that usable size; "freed TID ADDR USABLE tcache" lines are tcache'd chunks.
check_truth() {
	local label=$1 db=$2 var=$3
	local truth=$WORK/truth-$var.db
	if [ ! -f "$truth" ]; then
		truth "$var" held | while read -r tid addr usable; do echo "$tid,$((addr)),$usable"; done >"$WORK/$var.held.csv"
		truth "$var" freed | while read -r tid addr usable kind; do echo "$tid,$((addr)),$usable,$kind"; done >"$WORK/$var.freed.csv"
		sqlite3 -batch "$truth" <<-SQL
		CREATE TABLE held(tid INTEGER, addr INTEGER, usable INTEGER);
		CREATE TABLE freed(tid INTEGER, addr INTEGER, usable INTEGER, kind TEXT);
		.mode csv
		.import $WORK/$var.held.csv held
		.import $WORK/$var.freed.csv freed
		SQL
	fi
	local held tcached
	held=$(sql "$truth" 'SELECT count(*) FROM held')
	tcached=$(sql "$truth" "SELECT count(*) FROM freed WHERE kind = 'tcache'")
	check "$label: the sample reported blocks ($held held, $tcached freed into tcache)" -- test "$held" -gt 0 -a "$tcached" -gt 0
	check_eq "$label: every held block is a used chunk with its usable size" "$held" \
		"$(sqlite3 -batch -noheader "$truth" "ATTACH '$db' AS m; SELECT count(*) FROM held h JOIN m.chunks c ON c.mem = h.addr WHERE c.state = 'used' AND c.usable = h.usable")"
	check_eq "$label: every block freed into tcache is a free chunk in bin 'tcache'" "$tcached" \
		"$(sqlite3 -batch -noheader "$truth" "ATTACH '$db' AS m; SELECT count(*) FROM freed f JOIN m.chunks c ON c.mem = f.addr WHERE f.kind = 'tcache' AND c.state = 'free' AND c.bin = 'tcache'")"
}

# kernel_core VAR FILE: kills the sample with SIGABRT so the kernel dumps it
# into FILE.  Not in a subshell: it waits for its own child.  When this
# machine cannot, returns 1 with the reason in KERNEL_CORE_WHY.
kernel_core() {
	local var=$1 file=$2
	local pidvar=${var}_PID
	local pid=${!pidvar} pattern cwd name=core
	KERNEL_CORE_WHY=
	pattern=$(cat /proc/sys/kernel/core_pattern)
	if [ "$pattern" != core ]; then
		KERNEL_CORE_WHY="core_pattern is '$pattern', not 'core'"
		return 1
	fi
	cwd=$(readlink "/proc/$pid/cwd")
	[ "$(cat /proc/sys/kernel/core_uses_pid)" = 1 ] && name=core.$pid
	if ! prlimit --pid "$pid" --core=unlimited; then
		KERNEL_CORE_WHY="cannot raise RLIMIT_CORE of $pid"
		return 1
	fi
	kill -ABRT "$pid"
	wait "$pid" 2>/dev/null # returns once the dump is written: the exit status comes after it
	if [ ! -s "$cwd/$name" ]; then
		KERNEL_CORE_WHY="the kernel wrote no core into $cwd/$name"
		return 1
	fi
	[ "$cwd/$name" = "$file" ] || mv "$cwd/$name" "$file"
}

# has_libc_debuginfo: libc6-dbg (or similar) is installed for the running libc.
has_libc_debuginfo() {
	local libc id
	libc=$(ldd /bin/true | awk '/libc\.so/ {print $3}')
	id=$(eu-readelf -n "$libc" 2>/dev/null | awk '/Build ID:/ {print $3}')
	[ -n "$id" ] && [ -f "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug" ]
}
