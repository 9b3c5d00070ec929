#!/usr/bin/env bash
# More mappings than e_phnum can count: 70000 mappings make 70000+ PT_LOADs,
# so the core uses extended numbering (e_phnum = PN_XNUM, the real count in
# section header 0's sh_info), which eu-readelf and gdb must follow to the
# last mapping.  Needs vm.max_map_count raised for the sample; it is put
# back afterwards.
. "$(dirname "$0")/lib.sh"
ELFNOTE="$(cd "$(dirname "$0")" && pwd)/elfnote.py"
cd "$WORK" || exit 1

old_max=$(cat /proc/sys/vm/max_map_count)
if ! sysctl -qw vm.max_map_count=200000 2>/dev/null; then
	skip "cannot raise vm.max_map_count (it is $old_max) for 70000 mappings"
	done_testing
fi
trap 'sysctl -qw vm.max_map_count="$old_max"; t_cleanup' EXIT

start_sample M many_maps -n 70000 || { t_result 1 "many_maps starts"; done_testing; }
EXE=$TESTS_DIR/many_maps
nmaps=$(wc -l <"/proc/$M_PID/maps")
check "the sample has more than 65535 mappings" -- test "$nmaps" -gt 65535

"$MEMSNAP" capture "$M_PID" -o many.core 2>err
check_eq "capture exits 0" 0 $?
check_unharmed M

eu-readelf -h many.core >header.txt
check "e_phnum is PN_XNUM and section 0 holds the real count" -- \
	grep -qE "Number of program headers entries: +65535 \($((nmaps + 1)) in \[0\]\.sh_info\)" header.txt
check_eq "eu-readelf lists one PT_LOAD per mapping" "$nmaps" "$(eu-readelf -l many.core | grep -c '^  LOAD ')"

read -r region pages < <(truth M region)
# Page i holds i & 0xff; the last pages are in the last PT_LOADs.
expect=""
args=()
for i in 0 1 $((pages - 2)) $((pages - 1)); do
	expect+="$(printf '0x%02x ' $((i & 255)))"
	args+=(-ex "x/1xb $region + $i * 4096")
done
got=$(gdb -batch "${args[@]}" "$EXE" many.core 2>/dev/null | grep -E '^0x' | awk '{printf "%s ", $2}')
check_eq "gdb reads the first and the last pages" "$expect" "$got"
check_eq "the notes are all there (smaps note has every mapping)" "$nmaps" \
	"$("$ELFNOTE" many.core MEMSNAP smaps | grep -cE '^[0-9a-f]+-[0-9a-f]+ ')"

done_testing
