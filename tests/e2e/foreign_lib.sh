# Shared by the tests of heaps that are not glibc's (heap_foreign, heap_redis,
# heap_jemalloc, heap_preload, heap_go): checks of a database against the live process it
# was taken from, read while the process is stopped — /proc/PID/maps for
# the modules, /proc/PID/task for the threads, gdb for glibc's own
# variables — and the captures and checks the foreign-heap tests repeat.
# Source after lib.sh.
# proc_snapshot PID NAME: saves the ELF files mapped at offset 0 and the
# thread ids into $WORK/NAME.modules and $WORK/NAME.tasks, sorted.
proc_snapshot() {
	local pid=$1 name=$2 path
	awk '$3 == "00000000" && $6 ~ /^\// {print $6}' "/proc/$pid/maps" | sort -u |
		while read -r path; do
			[ "$(head -c 4 "$path" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$path"
		done >"$WORK/$name.modules"
	ls "/proc/$pid/task" | sort -n >"$WORK/$name.tasks"
}

# check_proc_truth LABEL DB NAME: the modules and threads of DB are those proc_snapshot saw.
check_proc_truth() {
	local label=$1 db=$2 name=$3
	check_eq "$label: modules are the ELF files /proc/PID/maps maps" \
		"$(paste -sd' ' "$WORK/$name.modules")" \
		"$(sql "$db" "SELECT path FROM modules WHERE path LIKE '/%' ORDER BY path" | sort -u | paste -sd' ')"
	check_eq "$label: threads are /proc/PID/task" \
		"$(paste -sd' ' "$WORK/$name.tasks")" "$(sql "$db" 'SELECT tid FROM threads ORDER BY tid' | paste -sd' ')"
	check_eq "$label: every thread has frames" 0 "$(sql "$db" 'SELECT count(*) FROM threads WHERE frames = 0')"
}

# gdb_values EXE CORE EXPR...: what gdb prints for each EXPR in the core,
# space-separated, from one gdb run; nothing when it cannot read them all
# (no debug symbols for the variables).
gdb_values() {
	local exe=$1 core=$2 e out
	shift 2
	local args=()
	for e in "$@"; do args+=(-ex "print $e"); done
	out=$(gdb -nx -batch "${args[@]}" "$exe" "$core" 2>/dev/null | sed -n 's/^\$[0-9]* = //p')
	[ "$(printf '%s\n' "$out" | grep -c .)" = $# ] && printf '%s\n' "$out" | paste -sd' '
}

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

# check_served LABEL DB NAME ALLOC LIB STATE: ALLOC in LIB serves malloc, glibc is STATE; jemalloc's
# blocks are the only chunks and nothing warns, another allocator's are not read: no chunk, one note.
check_served() {
	local label=$1 db=$2 name=$3 alloc=$4 lib=$5 state=$6
	check_eq "$label: $alloc serves malloc" "$alloc" "$(sql "$db" 'SELECT name FROM allocators WHERE serves_malloc')"
	check_eq "$label: $alloc's module is $lib" "$lib" \
		"$(sql "$db" "SELECT m.path FROM allocators a JOIN modules m ON m.id = a.module_id WHERE a.name = '$alloc'")"
	check_eq "$label: glibc malloc is $state, not walked" "glibc|$state|0|0" \
		"$(sql "$db" "SELECT name, state, serves_malloc, walked FROM allocators WHERE name = 'glibc'")"
	if [ "$alloc" = jemalloc ]; then
		check_eq "$label: jemalloc is walked; every chunk is its block" "1|0" \
			"$(sql "$db" "SELECT (SELECT walked FROM allocators WHERE name = 'jemalloc'), count(*) FILTER (WHERE allocator <> 'jemalloc') FROM chunks")"
		check "$label: jemalloc's blocks are listed" -- test "$(sql "$db" 'SELECT count(*) FROM chunks')" -gt 0
		check_eq "$label: no warning but, without mp_, that glibc's mmapped chunks were not searched for" 0 \
			"$(sql "$db" "SELECT count(*) FROM warnings WHERE message NOT LIKE '%mp_ was not found, so mmapped chunks it may have are not searched for%'")"
	else
		check_eq "$label: no chunk is listed" 0 "$(sql "$db" 'SELECT count(*) FROM chunks')"
		check_eq "$label: one warning in all, the note that $alloc's heap is not read" \
			"1|1" "$(sql "$db" "SELECT count(*), sum(message LIKE '$alloc''s heap (%which serves malloc): not read%') FROM warnings")"
	fi
	check_eq "$label: nothing about bins, links or corruption" 0 \
		"$(sql "$db" "SELECT count(*) FROM warnings WHERE message LIKE '%bin%' OR message LIKE '%corrupt%' OR message LIKE '%bad %pointer%'")"
	check_proc_truth "$label" "$db" "$name"
}

# check_glibc_mmapped LABEL DB NAME LIB: jemalloc serves malloc; glibc's idle
# arena and its one mmapped chunk, the block jemalloc_user got from
# __libc_memalign ("glibc ADDR USABLE"), are listed — or, without mp_ (no
# debug symbols: an idle mp_ has no shape), not searched, and the note says so.
check_glibc_mmapped() {
	local label=$1 db=$2 name=$3 lib=$4 addr usable
	read -r addr usable <<<"$(truth J glibc)"
	check_eq "$label: jemalloc serves malloc" jemalloc "$(sql "$db" 'SELECT name FROM allocators WHERE serves_malloc')"
	check_eq "$label: one idle arena with no memory" "1|0" "$(sql "$db" 'SELECT count(*), sum(system_mem) FROM arenas')"
	check_eq "$label: nothing about bins, links or corruption" 0 \
		"$(sql "$db" "SELECT count(*) FROM warnings WHERE message LIKE '%bin%' OR message LIKE '%corrupt%' OR message LIKE '%bad %pointer%'")"
	check_proc_truth "$label" "$db" "$name"
	if [ "$(sql "$db" 'SELECT count(*) FROM malloc_par')" = 1 ]; then
		check_eq "$label: glibc is idle, walked" "idle|1" "$(sql "$db" "SELECT state, walked FROM allocators WHERE name = 'glibc'")"
		check_eq "$label: the one glibc chunk is glibc's mmapped block, of the usable size glibc gave" "1|$((addr))|1|$usable|used" \
			"$(sql "$db" "SELECT count(*), mem, mmapped, usable, state FROM chunks WHERE allocator = 'glibc'")"
		check_eq "$label: mp_ counts it" 1 "$(sql "$db" 'SELECT n_mmaps FROM malloc_par')"
		check_eq "$label: jemalloc is walked beside it, and nothing warns" "1|0" \
			"$(sql "$db" "SELECT walked, (SELECT count(*) FROM warnings) FROM allocators WHERE name = 'jemalloc'")"
	else
		check_eq "$label: glibc is idle, not walked" "idle|0" "$(sql "$db" "SELECT state, walked FROM allocators WHERE name = 'glibc'")"
		check_eq "$label: the note says mmapped chunks were not searched for" "1|1" \
			"$(sql "$db" "SELECT count(*), sum(message LIKE '%mp_ was not found, so mmapped chunks it may have are not searched for%') FROM warnings")"
	fi
}

# check_glibc_beside LABEL DB NAME LIB: jemalloc serves malloc, and glibc's
# arena is in use too (jemalloc_user both: a block from __libc_malloc,
# "glibc ADDR USABLE"): glibc's heap is walked and holds that block, and the
# note says only that jemalloc's heap is not read.
check_glibc_beside() {
	local label=$1 db=$2 name=$3 lib=$4 addr usable
	read -r addr usable <<<"$(truth J glibc)"
	check_eq "$label: jemalloc serves malloc" jemalloc "$(sql "$db" 'SELECT name FROM allocators WHERE serves_malloc')"
	check_eq "$label: jemalloc's module is $lib" "$lib" \
		"$(sql "$db" "SELECT m.path FROM allocators a JOIN modules m ON m.id = a.module_id WHERE a.name = 'jemalloc'")"
	check_eq "$label: glibc malloc is in use beside it, and walked" "in_use|0|1" \
		"$(sql "$db" "SELECT state, serves_malloc, walked FROM allocators WHERE name = 'glibc'")"
	check_eq "$label: the block from __libc_malloc is a used chunk of the usable size glibc gave" 1 \
		"$(sql "$db" "SELECT count(*) FROM chunks WHERE mem = $((addr)) AND state = 'used' AND usable = $usable")"
	check_eq "$label: jemalloc is walked beside it, and nothing warns" "1|0" \
		"$(sql "$db" "SELECT walked, (SELECT count(*) FROM warnings) FROM allocators WHERE name = 'jemalloc'")"
	check_proc_truth "$label" "$db" "$name"
}

# redis_start: Debian's redis-server on a unix socket in the work folder (no
# port to find free, nothing on the network), no persistence; sets R (its
# folder, the socket is $R/sock) and RPID, and checks that it answers.
redis_start() {
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
}
