#!/usr/bin/env bash
# A heap damaged at random: chunk headers, free-list links, tcache counts and
# entries, arena, heap_info and mp_ fields of a real core (samples/churn, 2
# threads) are overwritten with random values and pointers to other chunks
# (tests/e2e/heap_mutate.py, fixed seeds).  Every analysis must finish with
# exit 0 within its time limit and write its database — never a crash, a
# hang or a sanitizer report — and the untouched core must still add up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/heap_lib.sh"

ROUNDS=${HEAP_FUZZ_ROUNDS:-24}
cd "$WORK" || exit 1
start_sample CH churn -t 2 -n 400 || { t_result 1 "churn starts"; done_testing; }
gcore -o "$WORK/churn" "$CH_PID" >"$WORK/gcore.log" 2>&1
core=$WORK/churn.$CH_PID
check "gcore wrote a core" -- test -s "$core"
"$MEMSNAP" analyze -q "$core" -o "$WORK/clean.db"
check_eq "the clean core is analyzed" 0 $?

failures=0
noticed=0
for ((seed = 1; seed <= ROUNDS; seed++)); do
	count=$(( (seed % 4) * 8 + 1 ))
	/usr/bin/python3 "$TESTS_DIR/heap_mutate.py" "$core" "$WORK/clean.db" "$seed" "$count" >"$WORK/undo.$seed"
	timeout 120 "$MEMSNAP" analyze -q -f "$core" -o "$WORK/fuzz.db" 2>"$WORK/err.$seed"
	status=$?
	if [ "$status" -ne 0 ] || ! sql "$WORK/fuzz.db" 'SELECT count(*) FROM chunks' >/dev/null; then
		failures=$((failures + 1))
		diag "seed $seed ($count words): exit $status"
		head -n 20 "$WORK/err.$seed" | sed 's/^/#   /'
	fi
	[ "$(sql "$WORK/fuzz.db" "SELECT count(*) FROM warnings WHERE stage = 'heap'" 2>/dev/null)" -gt 0 ] 2>/dev/null &&
		noticed=$((noticed + 1))
	/usr/bin/python3 "$TESTS_DIR/heap_mutate.py" --restore "$core" <"$WORK/undo.$seed"
done
check_eq "$ROUNDS damaged cores, each analyzed with exit 0 and a database" 0 "$failures"
# Most damage lands in headers and links the walk checks; a word of user data can go unnoticed.
check "the damage is noticed: heap warnings in $noticed of $ROUNDS rounds" -- test "$noticed" -ge $((ROUNDS / 2))
"$MEMSNAP" analyze -q -f "$core" -o "$WORK/again.db"
check_mallinfo "restored core" "$WORK/again.db" CH
done_testing
