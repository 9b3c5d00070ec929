#!/usr/bin/env bash
# A core whose program is gone or has changed since: deleted after the core
# was written, deleted while the process ran, or rebuilt (same path, another
# build-id).  Analysis must complete, say which module is affected and why,
# and never name functions from a binary that is not the one that ran.
# Ground truth: eu-readelf's build-ids of the files, the sample's own report.
. "$(dirname "$0")/lib.sh"

unset DEBUGINFOD_URLS
for tool in gcore eu-readelf sqlite3 python3; do
	command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool is not installed (scripts/setup-debian.sh)"; exit 0; }
done

BIN=$WORK/bin
mkdir -p "$BIN"
build_id() { eu-readelf -n "$1" | awk '/Build ID:/ {print $3; exit}'; }
ORIG_ID=$(build_id "$SAMPLES_DIR/churn")

# snap VAR: gcore of a running copy of churn, as $WORK/VAR.core; the sample then quits
snap() {
	local var=$1 pidvar=${1}_PID
	gcore -o "$WORK/$var" "${!pidvar}" >"$WORK/$var.gcore.log" 2>&1
	mv "$WORK/$var.${!pidvar}" "$WORK/$var.core"
	send "$var" quit
	wait "${!pidvar}" 2>/dev/null
}

# analyze LABEL CORE [OPTIONS]
analyze() {
	local label=$1 core=$2; shift 2
	"$MEMSNAP" analyze "$core" -o "$WORK/$label.db" "$@" >"$WORK/$label.out" 2>&1
	check_eq "$label: analyze completes (exit 0)" 0 $?
}

# ---- deleted after the core was written ---------------------------------------
cp "$SAMPLES_DIR/churn" "$BIN/churn-gone"
SAMPLES_DIR=$BIN start_sample a churn-gone -t 1 -n 50 || exit 1
snap a
rm -f "$BIN/churn-gone"
analyze gone "$WORK/a.core"
db=$WORK/gone.db
check_eq "gone: the main module's file is missing" missing "$(sql "$db" 'select file_status from modules where is_main')"
check "gone: a warning names the module" -- \
	test "$(sql "$db" "select count(*) from warnings where stage = 'modules' and message like '%$BIN/churn-gone%'")" -ge 1
check_eq "gone: the core's build-id is kept" "$ORIG_ID" "$(sql "$db" 'select build_id from modules where is_main')"
check "gone: the program's frames still belong to its module" -- \
	test "$(sql "$db" 'select count(*) from frames where module_id = (select id from modules where is_main)')" -gt 0
check "gone: libc's frames are still named" -- \
	test "$(sql "$db" "select count(*) from frames where function = 'read'")" -ge 2
check_eq "gone: both threads are there" 2 "$(sql "$db" 'select count(*) from threads')"

# --exe gives the program back from elsewhere: same build-id, so its symbols are used.
analyze gone-exe "$WORK/a.core" --exe "$SAMPLES_DIR/churn"
db=$WORK/gone-exe.db
check_eq "gone --exe: the given file matches" ok "$(sql "$db" 'select file_status from modules where is_main')"
check_eq "gone --exe: the worker's frames are named again" 1 \
	"$(sql "$db" "select count(*) from frames where function = 'worker_block'")"

# ---- rebuilt: another binary at the same path -----------------------------------
cp "$SAMPLES_DIR/churn" "$BIN/churn-rebuilt"
SAMPLES_DIR=$BIN start_sample b churn-rebuilt -t 1 -n 50 || exit 1
snap b
# A rebuild changes the build-id; flipping one byte of it is that, exactly.
python3 - "$BIN/churn-rebuilt" "$ORIG_ID" <<'EOF'
import sys
path, bid = sys.argv[1], bytes.fromhex(sys.argv[2])
data = bytearray(open(path, 'rb').read())
at = data.find(bid)
assert at >= 0 and data.find(bid, at + 1) < 0, "build-id not found exactly once"
data[at] ^= 0xff
open(path, 'wb').write(data)
EOF
NEW_ID=$(build_id "$BIN/churn-rebuilt")
check "rebuilt: the file's build-id now differs" -- test -n "$NEW_ID" -a "$NEW_ID" != "$ORIG_ID"
analyze rebuilt "$WORK/b.core"
db=$WORK/rebuilt.db
check_eq "rebuilt: the main module is a build-id mismatch" build_id_mismatch \
	"$(sql "$db" 'select file_status from modules where is_main')"
check_eq "rebuilt: modules.build_id is the core's" "$ORIG_ID" "$(sql "$db" 'select build_id from modules where is_main')"
check_eq "rebuilt: modules.file_build_id is the file's" "$NEW_ID" "$(sql "$db" 'select file_build_id from modules where is_main')"
check "rebuilt: a warning names the module and both build-ids" -- \
	test "$(sql "$db" "select count(*) from warnings where stage = 'modules' and message like '%$BIN/churn-rebuilt%' and message like '%$NEW_ID%' and message like '%$ORIG_ID%'")" = 1
check_eq "rebuilt: no function is named from the wrong binary" 0 \
	"$(sql "$db" "select count(*) from frames where module_id = (select id from modules where is_main) and function is not null")"
check_eq "rebuilt: the stale file is not the symbol source" "" "$(sql "$db" 'select elf_file from modules where is_main')"
check "rebuilt: the summary line counts the warnings" -- grep -Eq '[1-9][0-9]* warnings' "$WORK/rebuilt.out"

# ---- deleted while the process ran ----------------------------------------------
cp "$SAMPLES_DIR/churn" "$BIN/churn-running"
SAMPLES_DIR=$BIN start_sample c churn-running -t 1 -n 50 || exit 1
rm -f "$BIN/churn-running"
snap c
analyze deleted "$WORK/c.core"
db=$WORK/deleted.db
check_eq "deleted: the module is marked deleted, its path without the kernel's remark" "1|$BIN/churn-running" \
	"$(sql "$db" 'select deleted, path from modules where is_main')"
check_eq "deleted: snapshot.exe has no ' (deleted)' either" "$BIN/churn-running" "$(sql "$db" 'select exe from snapshot')"
check_eq "deleted: its segments say deleted" 0 \
	"$(sql "$db" "select count(*) from segments where path = '$BIN/churn-running' and not deleted")"
check_eq "deleted: the file is missing" missing "$(sql "$db" 'select file_status from modules where is_main')"
check "deleted: a warning names the module" -- \
	test "$(sql "$db" "select count(*) from warnings where stage = 'modules' and message like '%$BIN/churn-running%deleted%'")" = 1

done_testing
