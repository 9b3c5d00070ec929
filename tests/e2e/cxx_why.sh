#!/usr/bin/env bash
# memsnap why through C++ objects (tests/e2e/cxx_why): a widget's buffer is
# held by the global g_registry through the shop::Registry, its vector's
# storage and the widget.  The program prints every address and the
# dynamic class of every object (typeid, demangled by the C++ runtime);
# `why` on each buffer must give that chain, block for block, the classes
# from the vtables as the runtime names them, and the root the global's
# symbol (nm) at the address the program printed for &g_registry.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
unset DEBUGINFOD_URLS

[ -x "$TESTS_DIR/cxx_why" ] || { echo "1..0 # SKIP tests/e2e/cxx_why was not built: meson found no C++ compiler (g++, scripts/setup-debian.sh)"; exit 0; }
for tool in nm jq sqlite3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

start_sample X cxx_why || { t_result 1 "cxx_why starts"; done_testing; }
check_eq "nm: g_registry is a data symbol of cxx_why" 1 \
	"$(nm "$TESTS_DIR/cxx_why" | grep -cE ' [BbDd] g_registry$')"
# the program's own truth, in decimal
dec() { printf '%d' "$1"; }
global=$(dec "$(awk '$1 == "global" {print $2}' "$X_OUT")")
registry=$(dec "$(awk '$1 == "registry" {print $2}' "$X_OUT")")
registry_class=$(awk '$1 == "registry" {print $3}' "$X_OUT")
storage=$(dec "$(awk '$1 == "storage" {print $2}' "$X_OUT")")
mapfile -t WIDGETS < <(awk '$1 == "widget" {print $3, $4, $5}' "$X_OUT")
check_eq "the program printed six widgets" 6 "${#WIDGETS[@]}"

"$MEMSNAP" capture "$X_PID" -o x.core >capture.log 2>&1
check_eq "capture exits 0" 0 $?
check "cxx_why is neither stopped nor traced after capture" -- \
	test "$(proc_state "$X_PID")" = S -a "$(tracer_pid "$X_PID")" = 0
"$MEMSNAP" analyze -q x.core -o x.db >analyze.log 2>&1
check_eq "analyze exits 0" 0 $?

for w in "${WIDGETS[@]}"; do
	read -r obj class buffer <<<"$w"
	obj=$(dec "$obj") buffer=$(dec "$buffer")
	"$MEMSNAP" why -f json x.db "$buffer" >why.json 2>why.err
	check_eq "why $class's buffer $buffer exits 0" 0 $?
	check_eq "$class's buffer: the root is the static g_registry, the pointer at &g_registry" \
		"static|$global|0" "$(jq -r '.root[0] | "\(.kind)|\(.pointer_address)|\(.conservative)"' why.json)"
	check "$class's buffer: the root's name is the symbol g_registry" -- \
		jq -e '.root[0].name | test("^static g_registry\\b")' why.json
	check_eq "$class's buffer: chain registry, storage, widget, buffer" \
		"$registry,$storage,$obj,$buffer" "$(jq -r '[.chain[].mem] | map(tostring) | join(",")' why.json)"
	check_eq "$class's buffer: classes from the vtables, as the C++ runtime names them" \
		"$registry_class,-,$class" "$(jq -r '.chain[:3] | map(.type // "-") | join(",")' why.json)"
done
NO_COLOR=1 "$MEMSNAP" why x.db "$buffer" >why.txt 2>&1
diag "why on the last buffer, as text:"
sed 's/^/#   /' why.txt
check "the text names the widget's class" -- grep -qF "$class" why.txt

done_testing
