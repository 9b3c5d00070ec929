#!/usr/bin/env bash
# memsnap why on Debian's python3 (tests/e2e/why_python.py): a module global
# list of bytearrays, each owning a buffer; the script prints id() of every
# object (the PyObject's address), its buffer's address (ctypes) and the
# list's item array.  Twice:
#  - PYTHONMALLOC=malloc: every object is a glibc block; the chain to a
#    buffer must end the bytearray object (the block at id()) -> the
#    buffer, the pointer inside the object's fixed part; the graph must
#    hold the list's pointers to its items array and to the objects;
#  - the default (pymalloc): small objects live in pymalloc's arenas,
#    mmapped outside glibc's heap (Objects/obmalloc.c _PyObject_ArenaMmap),
#    so the buffer's holder is the anonymous mapping holding the object: the
#    root's pointer lies inside the object at id().
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/real_lib.sh"
cd "$WORK" || exit 1
for tool in /usr/bin/python3 jq sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

# snap VAR: captures the waiting python3 and analyzes the core into VAR.db
snap() {
	local pidvar=${1}_PID
	"$MEMSNAP" capture "${!pidvar}" -o "$1.core" >"$1.capture.log" 2>&1
	check_eq "$1: capture exits 0" 0 $?
	check "$1: python3 is neither stopped nor traced after capture" -- \
		test "$(proc_state "${!pidvar}")" = S -a "$(tracer_pid "${!pidvar}")" = 0
	"$MEMSNAP" analyze -q "$1.core" -o "$1.db" >"$1.analyze.log" 2>&1
	check_eq "$1: analyze exits 0" 0 $?
}
# why VAR I: why on bytearray I's buffer, into VAR.why.json; sets OBJ BUF SIZE
why() {
	local outvar=${1}_OUT
	read -r OBJ BUF SIZE < <(awk -v i="$2" '$1 == "bytearray" && $2 == i {print $3, $4, $5}' "${!outvar}")
	"$MEMSNAP" why -f json "$1.db" "$BUF" >"$1.why.json" 2>"$1.why.err"
	check_eq "$1: why on bytearray $2's buffer exits 0" 0 $?
	diag "$1: why on bytearray $2's buffer (object $OBJ, buffer $BUF):"
	NO_COLOR=1 "$MEMSNAP" why "$1.db" "$BUF" 2>&1 | sed 's/^/#   /'
}
jqr() { jq -r "$1" "$2"; }

# Everything in glibc's heap.
PYTHONMALLOC=malloc real_start M '^ready$' /usr/bin/python3 "$REAL_DIR/why_python.py" ||
	{ t_result 1 "python3 (PYTHONMALLOC=malloc) starts"; done_testing; }
snap M
read -r LIST ITEMS < <(awk '$1 == "list" {print $2, $3}' "$M_OUT")
for i in 7 25 42; do
	why M "$i"
	check_eq "malloc, bytearray $i: the chain ends in the buffer's block" "$BUF" "$(jqr '.chain[-1].mem' M.why.json)"
	check "malloc, bytearray $i: the block before holds the PyObject at id() and the pointer lies in its fixed part" -- \
		jq -e --argjson id "$OBJ" --argjson n "$SIZE" \
		'.chain[-2] | .mem <= $id and $id < .mem + .size and .mem + .pointer_offset >= $id and .mem + .pointer_offset < $id + $n' M.why.json
	# The shortest chain need not pass through HELD (another holder may be
	# nearer a root), but the graph must hold HELD's own pointers.
	check_eq "malloc, bytearray $i: refs hold the pointer at HELD's items[$i] to the block at id()" 1 \
		"$(sql M.db "SELECT count(*) FROM refs r JOIN chunks a ON a.id = r.from_chunk JOIN chunks b ON b.id = r.to_chunk
			WHERE r.from_address = $ITEMS + 8 * $i AND a.mem = $ITEMS AND b.mem + r.to_offset = $OBJ")"
done
# ob_item after PyObject_VAR_HEAD (24 bytes), as why_python.py reads it
check_eq "malloc: refs hold the pointer from the list object at id(HELD) to its item array" 1 \
	"$(sql M.db "SELECT count(*) FROM refs r JOIN chunks a ON a.id = r.from_chunk JOIN chunks b ON b.id = r.to_chunk
		WHERE a.mem <= $LIST AND $LIST < a.mem + a.size AND r.from_address = $LIST + 24 AND b.mem = $ITEMS AND r.to_offset = 0")"
real_quit M

# pymalloc, python3's default.
real_start P '^ready$' /usr/bin/python3 "$REAL_DIR/why_python.py" ||
	{ t_result 1 "python3 starts"; done_testing; }
snap P
why P 25
check_eq "pymalloc: the chain is the buffer's block alone" "$BUF" "$(jqr '[.chain[].mem] | map(tostring) | join(",")' P.why.json)"
check "pymalloc: the root is an anonymous mapping, its pointer inside the PyObject at id()" -- \
	jq -e --argjson id "$OBJ" --argjson n "$SIZE" \
	'.root[0] | .kind == "anon" and .pointer_address >= $id and .pointer_address < $id + $n' P.why.json
check_eq "pymalloc: the object lies in no glibc block" 0 \
	"$(sql P.db "SELECT count(*) FROM chunks WHERE state = 'used' AND mem <= $OBJ AND $OBJ < mem + size")"
real_quit P
done_testing
