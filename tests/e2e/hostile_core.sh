#!/usr/bin/env bash
# A FIFO as the core, and cores crafted to attack analyze (tests/e2e/hostile_core.py makes them from
# a real one): the program's NT_FILE names a FIFO, then a non-ELF file;
# --core-only opens nothing outside the core; 200,000 empty PT_LOADs meet
# the --max-segments limit with a clear message, and finish when it is
# raised.  strace is the witness of what was opened; `timeout` turns a hang
# into a failure instead of a stuck test.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
GEN=$SOURCE_ROOT/tests/e2e/hostile_core.py

start_sample m tiny_threads || exit 1
"$MEMSNAP" capture "$m_PID" -o base.core >/dev/null 2>&1 || { t_result 1 "capture of tiny_threads"; done_testing; }
exe=$(readlink "/proc/$m_PID/exe")
libc=$(awk '$6 ~ /\/libc\.so/ {print $6; exit}' "/proc/$m_PID/maps")

# traced COMMAND...: COMMAND under strace; LeakSanitizer cannot run under a tracer (ASan builds).
traced() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 50 strace -f -qq "$@"; }

# opened TRACE: the paths a strace log shows opened (successfully or not).
opened() { sed -nE 's/^[0-9]+ +(open|openat)\((AT_FDCWD, )?"([^"]*)".*/\3/p' "$1" | sort -u; }

# A FIFO as the core: refused at once, not waited on.
mkfifo core.fifo
timeout 20 "$MEMSNAP" analyze -q core.fifo -o fifo-core.db 2>err
check_eq "a FIFO as the core: exit 1 (not 124, a hang)" 1 $?
check "it says it is not a regular file" -- grep -qF "cannot open core 'core.fifo': not a regular file" err

# A FIFO in NT_FILE: libdwfl would block in open() forever; nothing may open it.
mkfifo "$WORK/evil.fifo"
python3 "$GEN" base.core fifo.core names-file "$WORK/evil.fifo"
traced -e trace=open,openat -o fifo.trace "$MEMSNAP" analyze -q fifo.core -o fifo.db
check_eq "a core naming a FIFO for its program: analyze finishes, exit 0" 0 $?
check "the FIFO is never opened" -- bash -c "! grep -F '\"$WORK/evil.fifo\"' fifo.trace"
check_eq "the module keeps the name the core gives" "$WORK/evil.fifo" "$(sql fifo.db 'SELECT path FROM modules WHERE is_main')"
check_eq "and is missing: not a regular file" missing "$(sql fifo.db 'SELECT file_status FROM modules WHERE is_main')"
check "a warning says why" -- test "$(sql fifo.db "SELECT count(*) FROM warnings WHERE message LIKE '%evil.fifo%not a regular file%'")" -ge 1
check "libc is still checked against its file" -- test "$(sql fifo.db "SELECT file_status FROM modules WHERE path = '$libc'")" = ok

# A regular file that is no ELF: opened to read its first bytes, never given to libdwfl.
printf 'root:secret:0:0\n' >notelf
python3 "$GEN" base.core notelf.core names-file "$WORK/notelf"
traced -e trace=open,openat,read,pread64 -o notelf.trace "$MEMSNAP" analyze -q notelf.core -o notelf.db
check_eq "a core naming a text file for its program: exit 0" 0 $?
check_eq "it is missing: not an ELF file" missing "$(sql notelf.db 'SELECT file_status FROM modules WHERE is_main')"
check "no read of it returned its contents" -- bash -c "! grep -q 'secret' notelf.trace"

# --core-only: the core, the database and its temporaries, the folder, and what the binary itself loads.
traced -e trace=open,openat -o only.trace "$MEMSNAP" analyze -q --core-only base.core -o only.db
check_eq "--core-only exits 0" 0 $?
libs=$(ldd "$MEMSNAP" | awk '/=>/ {print $3} $1 ~ /^\// {print $1}')
opened only.trace | while read -r p; do
	case "$p" in
	base.core | only.db* | "$WORK"/only.db* | . | "$WORK" | /etc/ld.so.cache | /etc/localtime | /usr/lib/locale/*) ;;
	/proc/self/*) ;;	# the sanitizers' runtime reads its own maps, cmdline and environment
	*) printf '%s\n' "$libs" | grep -qxF "$p" || echo "$p" ;;
	esac
done >outside.txt
check "--core-only opens nothing else (strace)" -- bash -c "! test -s outside.txt || { cat outside.txt; false; }"
check "not the program, not libc" -- bash -c "! grep -qxF '$exe' <(opened only.trace) && ! grep -qxF '$libc' <(opened only.trace)"
check_eq "the program is still the main module, by the core's name" "$exe" "$(sql only.db 'SELECT path FROM modules WHERE is_main')"
check_eq "no module file was read" 0 "$(sql only.db "SELECT count(*) FROM modules WHERE file_status NOT IN ('not_read', 'in_core')")"
check "threads are unwound from the core's own ELF headers and memory" -- \
	test "$(sql only.db 'SELECT count(*) FROM frames')" -gt 0
"$MEMSNAP" analyze -q --core-only --exe "$exe" base.core -o x.db 2>err
check_eq "--core-only with --exe is a usage error" 2 $?

# 200,000 empty PT_LOADs: past the default limit, a clear message; raised, analyze finishes.
python3 "$GEN" base.core loads.core empty-loads 200000
"$MEMSNAP" analyze -q loads.core -o loads.db 2>err
check_eq "200,000 segments, default limit: exit 1" 1 $?
check "the message names the limit and --max-segments" -- grep -qE "more than the limit of [0-9]+; --max-segments raises it" err
check "no database is left" -- test ! -e loads.db
"$MEMSNAP" analyze -q --max-segments 300000 loads.core -o loads.db 2>err
check_eq "with --max-segments 300000 it finishes, exit 0" 0 $?
want=$(python3 "$SOURCE_ROOT/tests/e2e/elfnote.py" loads.core --loads | wc -l)
check_eq "every PT_LOAD is a segment row" "$want" "$(sql loads.db 'SELECT count(*) FROM segments')"
check_eq "and the modules are the base core's" "$(sql fifo.db 'SELECT count(*) FROM modules')" "$(sql loads.db 'SELECT count(*) FROM modules')"
done_testing
