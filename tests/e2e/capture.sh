#!/usr/bin/env bash
# memsnap capture on the churn sample (a main thread and 4 workers), judged by
# other tools: eu-readelf counts the notes, gdb and eu-stack unwind every
# thread from the core and must agree with eu-stack on the live process, gdb
# reads the sample's pattern buffer, and the file obeys the output rules.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"
cd "$WORK" || exit 1

start_sample C churn -t 4 -n 300 || { t_result 1 "churn starts"; done_testing; }
EXE=$SAMPLES_DIR/churn
tids=$(truth C thread | awk '{print $2}' | sort -n)
nthreads=$(wc -l <<<"$tids")

"$MEMSNAP" capture "$C_PID" -o churn.core 2>err
check_eq "capture exits 0" 0 $?
check "capture says how long the process was paused" -- grep -qE 'paused [0-9]+ ms' err
check_unharmed C
check_eq "the core is mode 0600" 600 "$(stat -c %a churn.core)"

# --- the kernel's notes, as eu-readelf lists them
eu-readelf -n churn.core >notes.txt
count() { grep -cE "^  $1 +[0-9]+  $2\$" notes.txt; }
check_eq "one NT_PRSTATUS per thread" "$nthreads" "$(count CORE PRSTATUS)"
check_eq "one NT_FPREGSET per thread" "$nthreads" "$(count CORE FPREGSET)"
check_eq "one NT_X86_XSTATE per thread" "$nthreads" "$(count LINUX X86_XSTATE)"
check_eq "one NT_PRPSINFO" 1 "$(count CORE PRPSINFO)"
check_eq "one NT_AUXV" 1 "$(count CORE AUXV)"
check_eq "one NT_FILE" 1 "$(count CORE FILE)"
check_eq "no NT_SIGINFO: no signal is being delivered" 0 "$(count CORE SIGINFO)"
check_eq "the threads of the notes are the sample's" "$tids" "$(sed -nE 's/^ +pid: ([0-9]+), ppid.*/\1/p' notes.txt | sort -n)"
check_eq "the main thread comes first" "$C_PID" "$(sed -nE 's/^ +pid: ([0-9]+), ppid.*/\1/p' notes.txt | head -n 1)"
check "the note order is the kernel's: PRSTATUS, PRPSINFO, AUXV, FILE, FPREGSET, XSTATE" -- \
	bash -c "grep -E '^  (CORE|LINUX) ' notes.txt | head -n 6 | awk '{print \$3}' | tr '\n' ' ' | grep -qx 'PRSTATUS PRPSINFO AUXV FILE FPREGSET X86_XSTATE '"
check_eq "NT_FILE lists every file mapping of /proc/PID/maps" \
	"$(awk '$6 ~ /^\// {n++} END {print n}' "/proc/$C_PID/maps")" \
	"$(sed -nE 's/^ +([0-9]+) files:$/\1/p' notes.txt)"
check "NT_PRPSINFO names the command" -- bash -c 'grep -qE "fname: churn\b" notes.txt && grep -qE "psargs: .*churn -t 4 -n 300" notes.txt'

# --- one PT_LOAD per mapping, in address order
"$ELFNOTE" churn.core --loads >loads.txt
check_eq "one PT_LOAD per mapping of /proc/PID/maps" \
	"$(awk '{split($1, r, "-"); print r[1]}' "/proc/$C_PID/maps" | sed 's/^0*//')" \
	"$(awk '{print $1}' loads.txt)"

# --- gdb: every thread's own backtrace
gdb -batch -ex 'thread apply all bt' "$EXE" churn.core >gdb.txt 2>&1
awk '/^Thread .*\(LWP [0-9]+\)/ {match($0, /LWP [0-9]+/); tid = substr($0, RSTART + 4, RLENGTH - 4)}
     /^#[0-9]/ {fn = ($0 ~ / in /) ? $0 : $2; sub(/.* in /, "", fn); sub(/ .*/, "", fn); print tid, fn}' gdb.txt >gdb-frames.txt
for tid in $tids; do
	if [ "$tid" = "$C_PID" ]; then
		check "gdb: main thread $tid is in sample_serve called from main" -- \
			bash -c "grep -q '^$tid sample_serve\$' gdb-frames.txt && grep -q '^$tid main\$' gdb-frames.txt"
	else
		check "gdb: worker $tid is in worker_block called from worker_main" -- \
			bash -c "grep -q '^$tid worker_block\$' gdb-frames.txt && grep -q '^$tid worker_main\$' gdb-frames.txt"
	fi
done

# --- the reference: the kernel's own core of the same sample on this machine
# (or gcore's, where the kernel cannot write one here).  What gdb says of it,
# and the notes the kernel writes, are the truth for this CPU and kernel.
start_sample R churn -t 4 -n 300 || { t_result 1 "a second churn starts"; done_testing; }
ref=
if kernel_core R "$WORK/kernel.core"; then
	ref=kernel.core
	ref_name="the kernel's core"
else
	diag "no kernel core here ($KERNEL_CORE_WHY): gcore's core of the sample is gdb's reference instead"
	kill -0 "$R_PID" 2>/dev/null || start_sample R churn -t 4 -n 300 || { t_result 1 "a third churn starts"; done_testing; }
	gcore -o "$WORK/gcore" "$R_PID" >gcore.log 2>&1
	[ -s "gcore.$R_PID" ] && ref=gcore.$R_PID
	ref_name="gcore's core"
fi
# gdb 13 sizes the XSAVE area from XCR0 as Intel lays it out; on CPUs without
# MPX (AMD) the kernel's area is smaller and gdb calls the kernel's own core's
# note "too small".  gcore writes gdb's size, so against gcore that one
# complaint is not judged: the note's size is checked against the kernel's
# below whenever the kernel can write a core.
gdb_unjudged='^$'
[ "$ref" = kernel.core ] || gdb_unjudged="Section \`\.reg-xstate/N' in core file too small"

# gdb's complaints in its output, thread ids and addresses made alike.
gdb_complaints() {
	grep -iE 'warning|corrupt|cannot access' "$1" | sed -E 's/0x[0-9a-f]+/ADDR/g; s/[0-9]+/N/g' |
		grep -vE "$gdb_unjudged" | sort -u
}
if [ -n "$ref" ]; then
	gdb -batch -ex 'thread apply all bt' "$EXE" "$ref" >gdb-ref-full.txt 2>&1
	gdb_complaints gdb.txt >gdb-ours.txt
	gdb_complaints gdb-ref-full.txt >gdb-ref.txt
	comm -23 gdb-ours.txt gdb-ref.txt >gdb-extra.txt
	if [ -s gdb-extra.txt ]; then
		t_result 1 "gdb says nothing of our core that it does not say of $ref_name"
		sed 's/^/#   only ours: /' gdb-extra.txt
		sed 's/^/#   both:      /' <(comm -12 gdb-ours.txt gdb-ref.txt)
		grep -iE 'warning|corrupt|cannot access' gdb.txt | head -n 20 | sed 's/^/#   gdb: /'
	else
		t_result 0 "gdb says nothing of our core that it does not say of $ref_name (complaints of both: $(wc -l <gdb-ref.txt))"
	fi
else
	t_result 1 "a reference core for gdb: neither the kernel ($KERNEL_CORE_WHY) nor gcore ($(tail -n 1 gcore.log)) wrote one"
fi

if [ "$ref" = kernel.core ]; then
	# Every kernel note, in the kernel's order; a live capture has no signal to report.
	"$ELFNOTE" kernel.core --list | awk '$1 == "CORE" || $1 == "LINUX" {print $1, $2}' | grep -vx 'CORE 1397311305' >kernel-notes.txt
	"$ELFNOTE" churn.core --list | awk '$1 == "CORE" || $1 == "LINUX" {print $1, $2}' >our-notes.txt
	check "the kernel's notes, in the kernel's order (NT_SIGINFO aside)" -- diff kernel-notes.txt our-notes.txt
	check_eq "NT_X86_XSTATE is the size the kernel writes on this machine" \
		"$("$ELFNOTE" kernel.core --list | awk '$1 == "LINUX" && $2 == 514 {print $3}' | sort -u)" \
		"$("$ELFNOTE" churn.core --list | awk '$1 == "LINUX" && $2 == 514 {print $3}' | sort -u)"
	if "$ELFNOTE" kernel.core --list | grep -q '^LINUX 517 '; then
		check "NT_X86_XSAVE_LAYOUT holds what the kernel's holds, byte for byte" -- \
			cmp <("$ELFNOTE" kernel.core LINUX 0x205) <("$ELFNOTE" churn.core LINUX 0x205)
	else
		skip "NT_X86_XSAVE_LAYOUT: this kernel ($(uname -r)) writes none (Linux 6.12 and later do)"
	fi
else
	skip "the notes against the kernel's: no kernel core here ($KERNEL_CORE_WHY)"
fi
# BFD hands every note to its NT_* parser whatever the owner's name: the
# MEMSNAP notes must not turn into register sets or an auxv there.
gdb -batch -ex 'maint info sections' "$EXE" churn.core >gdb-sections.txt 2>&1
check_eq "gdb: one .auxv section" 1 "$(grep -c ' \.auxv ' gdb-sections.txt)"
check_eq "gdb: one .reg2 (FP registers) section per thread, plus the current thread's alias" \
	"$(( $(wc -l <<<"$tids") + 1 ))" "$(grep -cE ' \.reg2(/[0-9]+)? ' gdb-sections.txt)"

# --- eu-stack on the core says what eu-stack on the live process says
eu-stack -p "$C_PID" >live.txt 2>&1
eu-stack --core churn.core -e "$EXE" 2>&1 | sed 's/ - core$/ - process/' >core.txt
check "eu-stack --core agrees with eu-stack -p, frame by frame" -- diff live.txt core.txt

# --- gdb reads the pattern buffer the sample filled
read -r pattern_addr pattern_len < <(truth C pattern)
expect=$(python3 -c 'import sys; print(" ".join("0x%02x" % ((i * 7 + 3) & 0xff) for i in list(range(32)) + list(range(int(sys.argv[1]) - 32, int(sys.argv[1])))))' "$pattern_len")
got=$(gdb -batch -ex "x/32xb $pattern_addr" -ex "x/32xb $pattern_addr + $pattern_len - 32" "$EXE" churn.core 2>/dev/null |
	grep -E '^0x' | cut -d: -f2 | tr -s ' \t' '\n' | grep . | tr '\n' ' ' | sed 's/ $//')
check_eq "gdb x: the pattern buffer's first and last 32 bytes" "$expect" "$got"

# --- the MEMSNAP notes
"$ELFNOTE" churn.core MEMSNAP settings >settings.txt
check "settings: pid" -- grep -qx "pid=$C_PID" settings.txt
check "settings: captured_at is RFC 3339 UTC" -- grep -qE '^captured_at=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' settings.txt
check "settings: exe" -- grep -qx "exe=$(readlink -f "$EXE")" settings.txt
check "settings: pause_ms, page_size, memsnap version" -- \
	bash -c "grep -qE '^pause_ms=[0-9]+\$' settings.txt && grep -qx 'page_size=$(getconf PAGESIZE)' settings.txt && grep -qE '^memsnap_version=' settings.txt"
"$ELFNOTE" churn.core MEMSNAP cmdline >cmdline.bin
# (cmp -s trusts st_size, which is 0 for /proc files: read it through a pipe)
check "cmdline note is /proc/PID/cmdline" -- cmp cmdline.bin <(cat "/proc/$C_PID/cmdline")
"$ELFNOTE" churn.core MEMSNAP status | head -n 1 >status1.txt
check "status note is /proc/PID/status" -- grep -qx "Name:	churn" status1.txt
check_eq "smaps note holds one entry per PT_LOAD" "$(wc -l <loads.txt)" \
	"$("$ELFNOTE" churn.core MEMSNAP smaps | grep -cE '^[0-9a-f]+-[0-9a-f]+ ')"
check_eq "threads note: one line per thread" "$tids" "$("$ELFNOTE" churn.core MEMSNAP threads | cut -f1 | sort -n)"
"$ELFNOTE" churn.core MEMSNAP skipped >skipped.txt
check "skipped note: [vvar] is never read" -- grep -qP '^[0-9a-f]+-[0-9a-f]+\tvvar\t' skipped.txt
libc_text=$(awk '$2 ~ /x/ && $6 ~ /libc\.so/ {split($1, r, "-"); print r[1]; exit}' "/proc/$C_PID/maps")
check "skipped note: libc's code is on disk" -- grep -qP "^$libc_text-[0-9a-f]+\ton-disk\t.*libc" skipped.txt

# --- what is dumped: not unchanged code, but the ELF header of every library
libc_base=$(awk '$6 ~ /libc\.so/ && $3 == "00000000" {split($1, r, "-"); print r[1]; exit}' "/proc/$C_PID/maps" | sed 's/^0*//')
check_eq "libc's code is not dumped (p_filesz 0)" 0 "$(awk -v a="$(sed 's/^0*//' <<<"$libc_text")" '$1 == a {print $3}' loads.txt)"
read -r _ _ hdr_filesz hdr_off _ < <(awk -v a="$libc_base" '$1 == a' loads.txt)
check_eq "libc's first page is dumped" 1000 "$hdr_filesz"
check_eq "and it is libc's ELF header" "$(head -c 64 "$(awk '$6 ~ /libc\.so/ {print $6; exit}' "/proc/$C_PID/maps")" | od -An -tx1)" \
	"$(dd if=churn.core bs=1 skip=$((16#$hdr_off)) count=64 2>/dev/null | od -An -tx1)"

# --- --with-text: code is dumped, byte for byte the file's
"$MEMSNAP" capture "$C_PID" -o text.core --with-text -q
check_eq "capture --with-text exits 0" 0 $?
read -r lstart lend _ loff _ libc_path < <(awk '$2 ~ /x/ && $6 ~ /libc\.so/ {split($1, r, "-"); print r[1], r[2], $2, $3, $4, $6; exit}' "/proc/$C_PID/maps")
read -r _ _ tfilesz toff _ < <("$ELFNOTE" text.core --loads | awk -v a="$(sed 's/^0*//' <<<"$lstart")" '$1 == a')
check_eq "with text: libc's code is dumped whole" "$(printf %x $((16#$lend - 16#$lstart)))" "$tfilesz"
check "with text: libc's code in the core equals the file" -- \
	cmp <(dd if=text.core bs=4096 skip=$((16#$toff / 4096)) count=$(((16#$lend - 16#$lstart) / 4096)) 2>/dev/null) \
	<(dd if="$libc_path" bs=4096 skip=$((16#$loff / 4096)) count=$(((16#$lend - 16#$lstart) / 4096)) 2>/dev/null)
check_unharmed C

# --- --stacks: the live stacks note agrees with eu-stack -p
"$MEMSNAP" capture "$C_PID" -o stacks.core --stacks -q
check_eq "capture --stacks exits 0" 0 $?
"$ELFNOTE" stacks.core MEMSNAP stacks | awk -F'\t' '{pc = $3; while (length(pc) < 16) pc = "0" pc; print $1, $2, pc, $4}' >note-stacks.txt
awk '/^TID/ {tid = $2; sub(":", "", tid)} /^#/ {d = substr($1, 2); print tid, d, substr($2, 3), $3}' live.txt >live-stacks.txt
check "stacks note: every thread's frames, pc and function, as eu-stack -p" -- diff live-stacks.txt note-stacks.txt

# --- a stage too small: bytes go to the file while stopped, same result
"$MEMSNAP" capture "$C_PID" -o direct.core --stage-limit 1M 2>err
check_eq "capture --stage-limit 1M exits 0" 0 $?
check "it says the stage was too small" -- grep -q 'the stage holds' err
got=$(gdb -batch -ex "x/32xb $pattern_addr" -ex "x/32xb $pattern_addr + $pattern_len - 32" "$EXE" direct.core 2>/dev/null |
	grep -E '^0x' | cut -d: -f2 | tr -s ' \t' '\n' | grep . | tr '\n' ' ' | sed 's/ $//')
check_eq "gdb x on the directly written core: the pattern" "$expect" "$got"
eu-stack --core direct.core -e "$EXE" 2>&1 | sed 's/ - core$/ - process/' >direct-stack.txt
check "eu-stack reads the directly written core" -- diff live.txt direct-stack.txt
check_unharmed C

# --- the output file: default name, no overwrite without --force
mkdir -p here && (cd here && "$MEMSNAP" capture "$C_PID" -q)
check "without -o the core is core.PID in the current folder" -- test -s "here/core.$C_PID"
sum=$(cksum <churn.core)
"$MEMSNAP" capture "$C_PID" -o churn.core 2>err
check_eq "an existing file is not replaced: exit 1" 1 $?
check "the message names --force" -- grep -q -- '--force' err
check_eq "and the old file is intact" "$sum" "$(cksum <churn.core)"
"$MEMSNAP" capture "$C_PID" -o churn.core --force -q
check_eq "--force replaces it" 0 $?
check "no temporary file is left in the folder" -- bash -c "! ls -a | grep -q 'tmp'"
check_unharmed C

done_testing
