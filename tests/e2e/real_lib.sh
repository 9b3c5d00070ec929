# Shared by the real-program tests (real_*.sh): programs nobody here wrote
# (Debian's python3, sqlite3, perl, memcached), judged by glibc, the kernel
# and gdb on the same machine.  Source after lib.sh.
#
#   real_start VAR READY-REGEX CMD...   run CMD, stdin on a FIFO, wait for READY
#   real_snap VAR                       stop it, capture with memsnap and gcore,
#                                       ask glibc (mallinfo2, mp_) through gdb, resume
#   real_check VAR                      analyze both cores, compare with all of that
#
# The order in real_snap matters: gdb's function call runs code in the
# target, so it comes after both captures; with scheduler-locking only the
# calling thread runs, and it is called twice to show it changed nothing.

REAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$REAL_DIR/heap_lib.sh"

# Debug info from this machine only: no network lookups that change results.
unset DEBUGINFOD_URLS

# real_need TOOL...: skips the whole test, saying why, when a tool is missing.
real_need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null && continue
		echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"
		exit 0
	done
	if ! has_libc_debuginfo; then
		echo "1..0 # SKIP glibc's debug symbols are not installed (libc6-dbg): gdb cannot call mallinfo2()"
		exit 0
	fi
}

# real_start VAR READY-REGEX CMD...: runs CMD in the background with stdin
# on a FIFO (held open on a spare fd, so it never sees end of input unless
# real_quit closes it) and stdout in $WORK/VAR.out; waits until a line
# matches READY-REGEX (not at all when it is empty).  Sets VAR_PID, VAR_OUT, VAR_FD.
real_start() {
	local var=$1 ready=$2; shift 2
	local fifo=$WORK/$var.in out=$WORK/$var.out fd pid
	rm -f "$fifo"; mkfifo "$fifo"
	"$@" <"$fifo" >"$out" 2>"$WORK/$var.err" &
	pid=$!
	exec {fd}>"$fifo"
	T_PIDS+=("$pid")
	printf -v "${var}_PID" '%s' "$pid"
	printf -v "${var}_OUT" '%s' "$out"
	printf -v "${var}_FD" '%s' "$fd"
	[ -n "$ready" ] || return 0
	local i
	for ((i = 0; i < 6000; i++)); do
		grep -qE "$ready" "$out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if ! grep -qE "$ready" "$out"; then
		echo "# $1 did not say it was ready"
		sed 's/^/#   /' "$WORK/$var.err" | head -n 20
		return 1
	fi
}

# real_quit VAR: closes the program's stdin and waits for it to exit.
real_quit() {
	local fdvar=${1}_FD pidvar=${1}_PID
	local fd=${!fdvar}
	exec {fd}>&-
	kill -TERM "${!pidvar}" 2>/dev/null
	wait "${!pidvar}" 2>/dev/null
}

# all_state PID STATE: every thread of PID is in STATE (/proc/PID/task/*/stat)
all_state() {
	local stat st
	for stat in /proc/"$1"/task/*/stat; do
		st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "$stat" 2>/dev/null) || return 1
		[ "$st" = "$2" ] || return 1
	done
}
# all_stopped PID: every thread of PID is in group stop
all_stopped() { all_state "$1" T; }

# gdb_glibc PID OUT: glibc's own figures, from gdb calling mallinfo2()
# twice in the stopped process and printing malloc_par (mp_), as
# "field value" lines (mallinfo2.FIELD, mallinfo2b.FIELD, mp_.FIELD).
gdb_glibc() {
	local pid=$1 out=$2
	timeout 120 gdb -p "$pid" -batch -nx \
		-ex 'set scheduler-locking on' \
		-ex 'handle SIGSTOP nostop noprint nopass' \
		-ex 'set print pretty off' \
		-ex 'p mallinfo2()' -ex 'p mallinfo2()' -ex 'p mp_' \
		>"$out.log" 2>&1
	# "$1 = {arena = 1, ordblks = 2, ...}": one "PREFIX.field value" line per field.
	awk '/^\$[0-9]+ = \{/ {
		n++; prefix = (n == 1) ? "mallinfo2" : (n == 2) ? "mallinfo2b" : "mp_"
		sub(/^\$[0-9]+ = \{/, ""); sub(/\}$/, "")
		k = split($0, f, ", ")
		for (i = 1; i <= k; i++) {
			split(f[i], kv, " = "); v = kv[2]; sub(/ .*/, "", v)
			print prefix "." kv[1], v
		}
	}' "$out.log" >"$out"
}

# glibc VAR FIELD: a figure gdb_glibc read ("mallinfo2.arena", "mp_.n_mmaps")
glibc() { awk -v k="$2" '$1 == k {print $2}' "$WORK/$1.glibc"; }

# real_snap VAR: stops the program, records what /proc says (threads,
# mapped ELF files), captures it with memsnap ($WORK/VAR.core) and gcore
# ($WORK/VAR.gcore), asks glibc through gdb, and lets it run again.
real_snap() {
	local var=$1 pidvar=${1}_PID
	local pid=${!pidvar} i
	# Stop it idle, every thread asleep (a thread stopped inside malloc would
	# hold its arena's lock, and mallinfo2() would wait for it forever).
	for ((i = 0; i < 2000; i++)); do all_state "$pid" S && break; sleep 0.01; done
	local t0=$SECONDS
	kill -STOP "$pid"
	for ((i = 0; i < 2000; i++)); do all_stopped "$pid" && break; sleep 0.01; done
	check "$var: every thread of $pid stopped on SIGSTOP" -- all_stopped "$pid"
	ls "/proc/$pid/task" | sort -n >"$WORK/$var.tids"
	cp "/proc/$pid/maps" "$WORK/$var.maps"
	"$MEMSNAP" capture -q "$pid" -o "$WORK/$var.core" >"$WORK/$var.capture.log" 2>&1
	check_eq "$var: memsnap capture exits 0" 0 $?
	check "$var: still stopped after memsnap capture" -- all_stopped "$pid"
	gcore -o "$WORK/$var.g" "$pid" >"$WORK/$var.gcore.log" 2>&1
	mv "$WORK/$var.g.$pid" "$WORK/$var.gcore" 2>/dev/null
	check "$var: gcore wrote a core" -- test -s "$WORK/$var.gcore"
	check "$var: still stopped after gcore" -- all_stopped "$pid"
	gdb_glibc "$pid" "$WORK/$var.glibc"
	kill -CONT "$pid"
	diag "$var: stopped, captured twice and asked glibc in $((SECONDS - t0)) s"
	check "$var: gdb called mallinfo2() in the stopped process" -- \
		bash -c 'grep -q "^mallinfo2.arena [0-9]" "$1" || { tail -n 20 "$1.log"; exit 1; }' - "$WORK/$var.glibc"
	check_eq "$var: a second mallinfo2() gives the same figures (the call changed nothing)" \
		"$(grep '^mallinfo2\.' "$WORK/$var.glibc" | cut -d' ' -f2 | paste -sd' ')" \
		"$(grep '^mallinfo2b\.' "$WORK/$var.glibc" | cut -d' ' -f2 | paste -sd' ')"
	for ((i = 0; i < 2000; i++)); do [ "$(proc_state "$pid")" != T ] && break; sleep 0.01; done
	check "$var: runs again after SIGCONT (state '$(proc_state "$pid")')" -- test "$(proc_state "$pid")" != T
}

# elf_paths MAPS: the ELF files a saved /proc/PID/maps maps from their start
elf_paths() {
	awk '$6 ~ /^\// && $3 == "00000000" {print $6}' "$1" | sort -u | while read -r path; do
		[ "$(head -c 4 "$path" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$path"
	done
}

# gdb_frames DB CORE OUT: gdb unwinds every thread of CORE itself and
# judges the frames table of DB frame by frame (tests/e2e/real_frames.py);
# OUT gets its "mismatch ..." lines and the "compared N frames" line.
gdb_frames() {
	local db=$1 core=$2 out=$3
	sql "$db" "SELECT tid, depth, pc, coalesce(offset, 0), coalesce(function, '??') FROM frames ORDER BY tid, depth" |
		tr '|' ' ' >"$out.ours"
	timeout 120 gdb -batch -nx -ex 'set backtrace past-main on' -ex "py OURS = '$out.ours'" -x "$REAL_DIR/real_frames.py" \
		"$(sql "$db" 'SELECT exe FROM snapshot')" "$core" >"$out.log" 2>&1
	grep -E '^(mismatch|compared) ' "$out.log" >"$out"
}

# real_check VAR LABEL CORE: the database of one core against glibc (gdb's
# mallinfo2 and mp_), the kernel (threads, mapped ELF files) and gdb's
# backtraces of the same core.
real_check() {
	local var=$1 label=$2 core=$3 db=$WORK/$1.$2.db
	local pidvar=${1}_PID
	local pid=${!pidvar} f want got
	local t0=$SECONDS
	"$MEMSNAP" analyze -q "$core" -o "$db" >"$WORK/$var.$label.analyze.log" 2>&1
	check_eq "$var $label: analyze exits 0" 0 $?
	diag "$var $label: analyze took $((SECONDS - t0)) s"

	# glibc malloc.c int_mallinfo / __libc_mallinfo2, every field.
	for f in arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost; do
		check_eq "$var $label: mallinfo.$f = glibc's mallinfo2().$f" \
			"$(glibc "$var" "mallinfo2.$f")" "$(sql "$db" "SELECT $f FROM mallinfo")"
	done
	for f in mmap_threshold trim_threshold no_dyn_threshold n_mmaps mmapped_mem arena_max tcache_count; do
		check_eq "$var $label: malloc_par.$f = glibc's mp_.$f" \
			"$(glibc "$var" "mp_.$f")" "$(sql "$db" "SELECT $f FROM malloc_par")"
	done
	# The mallinfo view takes hblks and hblkhd from mp_ as glibc does; the walk
	# itself must find that many mmapped chunks (and their bytes, with any
	# memalign lead: the heap stage warns otherwise, see "no warnings").
	check_eq "$var $label: mmapped chunks = mp_.n_mmaps" \
		"$(glibc "$var" mp_.n_mmaps)" "$(sql "$db" 'SELECT count(*) FROM chunks WHERE mmapped')"

	# The kernel: the threads of /proc/PID/task and the ELF files of /proc/PID/maps.
	check_eq "$var $label: snapshot.threads = threads in /proc/$pid/task" \
		"$(wc -l <"$WORK/$var.tids")" "$(sql "$db" 'SELECT threads FROM snapshot')"
	check_eq "$var $label: threads rows are /proc/$pid/task" \
		"$(paste -sd' ' "$WORK/$var.tids")" "$(sql "$db" 'SELECT tid FROM threads ORDER BY tid' | paste -sd' ')"
	want=$(elf_paths "$WORK/$var.maps" | paste -sd' ')
	got=$(sql "$db" "SELECT path FROM modules WHERE path LIKE '/%' ORDER BY path" | sort -u | paste -sd' ')
	check_eq "$var $label: modules are the ELF files mapped in /proc/$pid/maps" "$want" "$got"

	# gdb on the same core: the same threads, frames, pcs and functions.
	gdb_frames "$db" "$core" "$WORK/$var.$label.frames"
	check "$var $label: gdb unwound the core's $(wc -l <"$WORK/$var.tids") threads" -- \
		bash -c 'grep -q "^compared [1-9][0-9]* frames of $2 threads" "$1" || { tail -n 20 "$1.log"; exit 1; }' - \
		"$WORK/$var.$label.frames" "$(wc -l <"$WORK/$var.tids")"
	check_eq "$var $label: every frame has gdb's pc and one of gdb's names for its function" "" \
		"$(grep '^mismatch' "$WORK/$var.$label.frames" | head -n 20)"

	# A healthy process: nothing to warn about.
	check_eq "$var $label: no warnings" "" "$(sql "$db" "SELECT stage || ': ' || message FROM warnings LIMIT 20")"
}
