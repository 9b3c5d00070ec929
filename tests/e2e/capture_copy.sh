#!/usr/bin/env bash
# The copy during the stop, byte for byte, with 1, 2 and 4 copying threads
# and the default, and the copy from a fork capture's clone: copy_pattern
# holds a 64 MiB region where one page in seven was never touched
# (thousands of runs, cut into many batches) and an execute-only mapping
# only /proc/PID/mem reads.  gdb dumps both from each core, and the dumps
# must equal the bytes the process wrote itself; the holes stay holes,
# nothing is left unreadable, and the process neither grows nor stays
# stopped.
. "$(dirname "$0")/lib.sh"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"
cd "$WORK" || exit 1

start_sample P copy_pattern -o "$WORK/expect" -m 64 || { t_result 1 "copy_pattern starts"; done_testing; }
EXE=$TESTS_DIR/copy_pattern
read -r rw_addr rw_len < <(truth P rw)
read -r x_addr x_len < <(truth P x)
check "the execute-only mapping is --xp" -- grep -qE "^0*${x_addr#0x}-[0-9a-f]+ --xp " "/proc/$P_PID/maps"

for threads in 1 2 4 default fork; do
	opt=(--method stop)
	[ "$threads" = default ] || opt+=(--copy-threads "$threads")
	[ "$threads" = fork ] && opt=(--method fork)
	rss_before=$(rss_kb "$P_PID")
	"$MEMSNAP" capture "$P_PID" -o "t$threads.core" -v "${opt[@]}" 2>"t$threads.err"
	rc=$?
	check_eq "$threads threads: capture exits 0" 0 "$rc"
	[ "$rc" = 0 ] || while IFS= read -r line; do diag "$line"; done <"t$threads.err"
	check_eq "$threads threads: the target's VmRSS is unchanged" "$rss_before" "$(rss_kb "$P_PID")"
	check_unharmed P
	used=$(sed -nE 's/.*debug: ([0-9]+) threads copied into the stage/\1/p' "t$threads.err")
	if [ "$threads" = fork ]; then
		check "fork: the summary says so" -- grep -q "(by fork: " "t$threads.err"
	elif [ "$threads" = default ]; then
		check "default: at least 2 threads copied ($used)" -- test "${used:-0}" -ge 2
	else
		check_eq "$threads threads copied" "$threads" "$used"
	fi

	gdb -batch -ex "dump binary memory t$threads.rw $rw_addr $rw_addr + $rw_len" \
		-ex "dump binary memory t$threads.x $x_addr $x_addr + $x_len" "$EXE" "t$threads.core" >/dev/null 2>&1
	check "$threads threads: gdb reads the region with holes as the process wrote it" -- cmp "$WORK/expect.rw" "t$threads.rw"
	check "$threads threads: gdb reads the execute-only mapping as the process wrote it" -- cmp "$WORK/expect.x" "t$threads.x"
	# Reads of every page the plan chose succeeded: no "unreadable" range in either mapping.
	"$ELFNOTE" "t$threads.core" MEMSNAP skipped >"t$threads.skipped"
	check "$threads threads: the skipped note is there ([vvar] is never read)" -- grep -qP '\tvvar\t' "t$threads.skipped"
	check_eq "$threads threads: the skipped note lists nothing unreadable in them" "" \
		"$(python3 -c '
import sys
maps = [(int(a, 16), int(a, 16) + int(l)) for a, l in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5]))]
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    lo, hi = (int(v, 16) for v in f[0].split("-"))
    if f[1] == "unreadable" and any(lo < e and hi > s for s, e in maps):
        print(line, end="")
' "t$threads.skipped" "$rw_addr" "$rw_len" "$x_addr" "$x_len")"
	rm -f "t$threads.rw" "t$threads.x"
done

# The holes are holes: the core takes about the 6/7 of 64 MiB touched (plus
# the execute-only 4 MiB and the rest of the process, a few MiB).
check_near "the core's disk use is what was touched (du, KiB)" $((65536 * 6 / 7 + 4116 + 2048)) \
	"$(du -k t2.core | cut -f1)" 3072

done_testing
