#!/usr/bin/env bash
# Choosing what goes into the core.  --segments heap must take all of
# glibc's memory and nothing else: every block the churn sample holds
# (in [heap], in its thread arenas' heaps, in mmapped chunks) lies in a
# PT_LOAD with data, every PT_LOAD with data holds such a block, and the
# rest have p_filesz 0.  Then --path, --range and --max-size, and the usage
# errors of the selection options.
. "$(dirname "$0")/lib.sh"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"
cd "$WORK" || exit 1

start_sample C churn -t 4 -n 300 || { t_result 1 "churn starts"; done_testing; }
EXE=$SAMPLES_DIR/churn
# Held blocks only: a freed mmapped chunk is unmapped, its address may be reused.
truth C held | awk '{print $2}' >blocks.txt

# loads_check CORE PYTHON-CONDITION: runs a check over PT_LOADs (vaddr, memsz, filesz) and /proc/PID/maps.
loads_check() {
	"$ELFNOTE" "$1" --loads >"$1.loads"
	python3 - "$1.loads" "/proc/$C_PID/maps" blocks.txt "$2" <<'EOF'
import bisect, sys
loads = [tuple(int(x, 16) for x in l.split()[:3]) for l in open(sys.argv[1])]
maps = {}
for l in open(sys.argv[2]):
    f = l.split()
    start, end = (int(x, 16) for x in f[0].split("-"))
    maps[start] = f[5] if len(f) > 5 else ""
blocks = sorted(int(x, 16) for x in open(sys.argv[3]))
def blocks_in(lo, hi):
    return bisect.bisect_left(blocks, hi) - bisect.bisect_left(blocks, lo)
bad = []
for vaddr, memsz, filesz in loads:
    path = maps.get(vaddr, "?")
    ok = eval(sys.argv[4])
    if not ok:
        bad.append("%x-%x filesz %x %s" % (vaddr, vaddr + memsz, filesz, path))
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

"$MEMSNAP" capture "$C_PID" -o heap.core --segments heap 2>err
check_eq "capture --segments heap exits 0" 0 $?
check_unharmed C
check "every PT_LOAD with data holds malloc blocks, and only those have data" -- \
	loads_check heap.core '(filesz > 0) == (blocks_in(vaddr, vaddr + memsz) > 0)'
check "no file mapping, stack or [vdso] has data" -- \
	loads_check heap.core 'filesz == 0 or not (path.startswith("/") or path in ("[stack]", "[vdso]"))'
check "every block the sample holds is inside the dumped bytes" -- python3 - heap.core.loads blocks.txt <<'EOF'
import sys
loads = [tuple(int(x, 16) for x in l.split()[:3]) for l in open(sys.argv[1])]
data = [(v, v + f) for v, m, f in loads if f]
missing = [b for b in (int(x, 16) for x in open(sys.argv[2])) if not any(lo <= b < hi for lo, hi in data)]
print("%d blocks outside: %s" % (len(missing), [hex(b) for b in missing[:5]]))
sys.exit(1 if missing else 0)
EOF
read -r pattern_addr pattern_len < <(truth C pattern)
got=$(gdb -batch -ex "x/4xb $pattern_addr" "$EXE" heap.core 2>/dev/null | grep -E '^0x' | cut -d: -f2 | xargs)
check_eq "gdb reads the pattern buffer from the heap-only core" "0x03 0x0a 0x11 0x18" "$got"
check "the skipped note gives the kind for what was left out" -- \
	bash -c "'$ELFNOTE' heap.core MEMSNAP skipped | grep -qP '\tkind\tkind (stack|thread_stack) not in --segments'"
check "the settings note records the selection" -- bash -c "'$ELFNOTE' heap.core MEMSNAP settings | grep -qx 'segments=heap'"

"$MEMSNAP" capture "$C_PID" -o libc.core --path '*/libc.so*' -q
check_eq "capture --path exits 0" 0 $?
check "--path: only libc's mappings have data" -- loads_check libc.core 'filesz == 0 or "/libc.so" in path'
check "--path: libc's ELF header and its writable data are there" -- \
	test "$(awk '$3 != "0"' libc.core.loads | wc -l)" -ge 2

read -r sstart send < <(awk '$6 == "[stack]" {split($1, r, "-"); print r[1], r[2]}' "/proc/$C_PID/maps")
"$MEMSNAP" capture "$C_PID" -o range.core --range "$sstart-$send" -q
check_eq "capture --range exits 0" 0 $?
check "--range: only the mapping in the range ([stack]) has data" -- loads_check range.core '(filesz > 0) == (path == "[stack]")'

"$MEMSNAP" capture "$C_PID" -o small.core --max-size 1M -q
check_eq "capture --max-size 1M exits 0" 0 $?
check "--max-size: no mapping over 1 MiB has data" -- loads_check small.core 'filesz == 0 or memsz <= 1 << 20'
check "--max-size: the skipped note says why" -- bash -c "'$ELFNOTE' small.core MEMSNAP skipped | grep -qP '\tmax-size\t'"
check_unharmed C

"$MEMSNAP" capture "$C_PID" --segments heap,nonsense -o x.core 2>err
check_eq "an unknown kind is a usage error" 2 $?
check "and it is named" -- grep -q "'nonsense'" err
"$MEMSNAP" capture "$C_PID" --range 2000-1000 -o x.core 2>/dev/null
check_eq "an empty --range is a usage error" 2 $?
"$MEMSNAP" capture "$C_PID" --max-size lots -o x.core 2>/dev/null
check_eq "a bad --max-size is a usage error" 2 $?
"$MEMSNAP" capture "$C_PID" -n 5 -o x.core 2>/dev/null
check_eq "--frames without --stacks is a usage error" 2 $?
check "no core was written by a usage error" -- test ! -e x.core
check_unharmed C

done_testing
