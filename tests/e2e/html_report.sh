#!/usr/bin/env bash
# memsnap report --html and trend --html in a real browser: the pages of
# snapshots of the leak sample open from disk in headless Chromium (Debian's
# chromium, driven over the DevTools protocol by html_browser.py) with no
# console error and no request, and every figure a page shows reads back
# from the rendered DOM equal to what the sqlite3 shell says of the
# databases.  The checker is shown to catch what it must: a page with an
# external <script src>, with an exception, and without its
# Content-Security-Policy but with an external image each fail it.  One
# browser start for all the pages.
. "$(dirname "$0")/lib.sh"

if ! command -v chromium >/dev/null; then
	skip "report --html in a browser: no chromium (scripts/setup-debian.sh installs it)"
	done_testing
fi
# Debian's python3 carries python3-websocket; a python3 earlier on PATH may not
PY=python3
$PY -c 'import websocket' 2>/dev/null || PY=/usr/bin/python3
if ! $PY -c 'import websocket' 2>/dev/null; then
	skip "report --html in a browser: no python3-websocket (scripts/setup-debian.sh installs it)"
	done_testing
fi

# snapshot NAME: $WORK/NAME.db of the sample as it is now
snapshot() {
	"$MEMSNAP" capture -q "$S_PID" -o "$WORK/$1.core" 2>"$WORK/capture.err" ||
		{ echo "Bail out! capture failed: $(head -n 1 "$WORK/capture.err")"; exit 1; }
	"$MEMSNAP" analyze -q "$WORK/$1.core" -o "$WORK/$1.db" 2>"$WORK/analyze.err" ||
		{ echo "Bail out! analyze failed: $(head -n 1 "$WORK/analyze.err")"; exit 1; }
	rm -f "$WORK/$1.core"
}
# three snapshots, a step of the sample (a leak) between each two
start_sample S leak -n 3 || { echo "Bail out! leak sample did not start"; exit 1; }
snapshot leak
for k in 2 3; do
	send S step
	wait_for_line "$S_OUT" "^done $((k + 2))\$" 30 || { echo "Bail out! step $k did not finish"; exit 1; }
	snapshot "leak$k"
done
check_unharmed S
DB=$WORK/leak.db
PAGE=$WORK/leak.html
check "trend --html writes the page" -- \
	"$MEMSNAP" trend --html "$WORK/trend.html" "$WORK/leak3.db" "$WORK/leak.db" "$WORK/leak2.db"

check "report --html writes the page" -- "$MEMSNAP" report --html "$PAGE" "$DB"
check "the page is one file: no src= or href= to anything" -- \
	bash -c "! grep -Eiq '<(script|link|img|iframe)[^>]+(src|href)=' '$PAGE'"
check "the page carries a Content-Security-Policy of default-src 'none'" -- \
	grep -q "Content-Security-Policy\" content=\"default-src 'none';" "$PAGE"

# names the target chose (a thread's, its command line) that try to end the data's <script>
cp "$DB" "$WORK/hostile.db"
sql "$WORK/hostile.db" "update threads set name = '</script><script>document.title = \"pwned\"</script>';
	update snapshot set cmdline = '<img src=x onerror=\"document.title = ''pwned''\"> \u2028 </SCRIPT>'"
check "report --html of names with markup" -- "$MEMSNAP" report --html "$WORK/hostile.html" "$WORK/hostile.db"

# the checker's own proof: each of these must fail it (made from the trend page, the smaller one)
sed 's|</body>|<script src="http://203.0.113.1/x.js"></script></body>|' "$WORK/trend.html" >"$WORK/bad-script.html"
sed 's|</body>|<script>throw new Error("deliberate")</script></body>|' "$WORK/trend.html" >"$WORK/bad-throw.html"
sed -e 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' \
	-e 's|</body>|<img src="http://127.0.0.1:9/x.png"></body>|' "$WORK/trend.html" >"$WORK/bad-request.html"

cd "$WORK" || exit 1
if ! $PY "$SOURCE_ROOT/tests/e2e/html_browser.py" "$WORK" leak.html trend.html hostile.html bad-script.html bad-throw.html \
	bad-request.html >"$WORK/browser.json" 2>"$WORK/browser.err"; then
	echo "Bail out! the browser check failed: $(tail -n 3 "$WORK/browser.err")"
	exit 1
fi
page() { jq -r --arg f "$1" ".pages[] | select(.file == \$f) | $2" "$WORK/browser.json"; }
# every figure of every page once, as "PAGE<TAB>NAME<TAB>VALUE" lines: one jq, then awk per lookup
jq -r '.pages[] | .file as $f | .figures | to_entries[] | [$f, .key, .value] | @tsv' "$WORK/browser.json" \
	>"$WORK/figures.tsv"
figure_of() { awk -F '\t' -v p="$1" -v n="$2" '$1 == p && $2 == n { print $3; found = 1 } END { if (!found) print "missing" }' "$WORK/figures.tsv"; }

for p in leak.html trend.html hostile.html; do
	check_eq "$p drew to the end (body[data-ready])" true "$(page $p .ready)"
	check_eq "$p: no console error, exception or error log: $(page $p '.errors | join("; ")')" 0 \
		"$(page $p '.errors | length')"
	check_eq "$p: no request but the page itself: $(page $p '.requests | join(" ")')" 0 \
		"$(page $p '.requests | length')"
done
check "names with markup stay text: the title is the page's ($(page hostile.html .title))" -- \
	bash -c "[[ '$(page hostile.html .title)' == 'memsnap report: '* ]]"
check_eq "... and the page shows what the database holds" "$(figure_of leak.html threads.count)" \
	"$(page hostile.html '.figures["threads.count"]')"
check "a click on the heap map zooms in ($(page leak.html '.zoom.after'))" -- \
	test "$(page leak.html '.zoom.before')" != "$(page leak.html '.zoom.after')"
check "the checker sees an external script (CSP refusal)" -- \
	test "$(page bad-script.html '.errors | length')" -gt 0
check "the checker sees an exception" -- \
	bash -c "jq -e '.pages[] | select(.file == \"bad-throw.html\") | .errors[] | select(contains(\"deliberate\"))' '$WORK/browser.json' >/dev/null"
check "the checker sees a request" -- \
	test "$(page bad-request.html '.requests | length')" -gt 0

# fig NAME: the exact value behind a figure the page shows
fig() { figure_of leak.html "$1"; }
q() { sql "$DB" "$1"; }

# memory as top counts it: the status figures the core carries
for col in vm_size_kb:virt_kb vm_rss_kb:res_kb vm_swap_kb:swap_kb; do
	check_eq "memory ${col#*:}" "$(q "select ${col%%:*} from snapshot")" "$(fig "memory.${col#*:}")"
done
# the address space, by kind and in total (the kernel counts no vsyscall page)
for kind in $(q "select distinct kind from segments where kind <> 'vsyscall'"); do
	check_eq "mappings of kind $kind" "$(q "select count(*) from segments where kind = '$kind'")" \
		"$(fig "mappings.$kind.segments")"
	check_eq "KiB mapped as $kind" "$(q "select sum((end - start) / 1024) from segments where kind = '$kind'")" \
		"$(fig "mappings.$kind.virt_kb")"
	check_eq "bytes of $kind in the core" "$(q "select sum(in_core) from segments where kind = '$kind'")" \
		"$(fig "mappings.$kind.in_core")"
done
check_eq "mappings in total" "$(q "select count(*) from segments where kind <> 'vsyscall'")" \
	"$(fig mappings.total.segments)"
check_eq "RSS in total" "$(q "select sum(rss_kb) from segments where kind <> 'vsyscall'")" \
	"$(fig mappings.total.res_kb)"

# the heap's figures, from the chunks
check_eq "arenas" "$(q "select count(*) from arenas")" "$(fig heap.arenas)"
check_eq "used chunks (arenas)" "$(q "select count(*) from chunks where state = 'used' and not mmapped")" \
	"$(fig heap.used_chunks)"
check_eq "used bytes (arenas)" "$(q "select total(size) from chunks where state = 'used' and not mmapped")" \
	"$(fig heap.used_bytes).0"
check_eq "top bytes" "$(q "select total(size) from chunks where state = 'top'")" "$(fig heap.top_bytes).0"
check_eq "mmapped chunks" "$(q "select count(*) from chunks where mmapped")" "$(fig heap.mmapped_chunks)"
check_eq "free chunks outside tcaches" \
	"$(q "select count(*) from chunks where state = 'free' and bin <> 'tcache' and not mmapped")" \
	"$(fig heap.free_chunks)"

# the heap map: every chunk's bytes, in its state and verdict
check_eq "heap map: chunks" "$(q "select count(*) from chunks where segment_id is not null")" "$(fig heapmap.chunks)"
for cat in used:"state = 'used' and coalesce(leak, 'reachable') = 'reachable'" \
	definite:"state = 'used' and leak = 'definite'" indirect:"state = 'used' and leak = 'indirect'" \
	possible:"state = 'used' and leak = 'possible'" free:"state = 'free'" top:"state = 'top'"; do
	check_eq "heap map: ${cat%%:*} bytes" "$(q "select total(size) from chunks where ${cat#*:}")" \
		"$(fig "heapmap.${cat%%:*}_bytes").0"
done
check_eq "size histogram: chunks in use" "$(q "select count(*) from chunks where state = 'used'")" \
	"$(fig sizes.used_chunks)"

# leaks, as valgrind's LEAK SUMMARY: usable bytes of used blocks
for v in definite indirect possible reachable; do
	check_eq "$v: blocks" "$(q "select count(*) from chunks where state = 'used' and leak = '$v'")" \
		"$(fig "leaks.$v.blocks")"
	check_eq "$v: bytes" "$(q "select total(usable) from chunks where state = 'used' and leak = '$v'")" \
		"$(fig "leaks.$v.bytes").0"
done
check "the sample's leaked blocks are definite, in the page too" -- \
	test "$(fig leaks.definite.blocks)" -ge 6

# owners: each tile's retained bytes, from the root holder or the block
owners=0
while IFS=$'\t' read -r name value; do
	owners=$((owners + 1))
	if [[ $name == *@* ]]; then
		want=$(q "select retained from chunks where mem = ${name##*@}")
	else
		want=$(q "select retained from roots where name = '${name//\'/\'\'}'")
	fi
	check_eq "owner '$name' retains" "$want" "$value"
done < <(awk -F '\t' '$1 == "leak.html" && $2 ~ /^owners\./ { print substr($2, 8) "\t" $3 }' "$WORK/figures.tsv")
check "owners are drawn ($owners)" -- test "$owners" -gt 0

check_eq "threads" "$(q "select count(*) from threads")" "$(fig threads.count)"
check_eq "frames" "$(q "select (select count(*) from frames) + (select count(*) from live_frames where tid not in (select tid from frames))")" \
	"$(fig threads.frames)"

# the trend page: each snapshot's figures, in capture order, from its own database
check_eq "trend: snapshots" 3 "$(page trend.html '.figures["trend.snapshots"]')"
k=0
for db in leak leak2 leak3; do
	k=$((k + 1))
	tfig() { figure_of trend.html "trend.$k.$1"; }
	check_eq "trend: snapshot $k ($db) RSS" "$(sql "$WORK/$db.db" "select vm_rss_kb from snapshot")" "$(tfig vm_rss_kb)"
	check_eq "trend: snapshot $k used blocks" "$(sql "$WORK/$db.db" "select count(*) from chunks where state = 'used'")" \
		"$(tfig used_blocks)"
	check_eq "trend: snapshot $k used bytes" "$(sql "$WORK/$db.db" "select sum(size) from chunks where state = 'used'")" \
		"$(tfig used_bytes)"
	check_eq "trend: snapshot $k definitely lost blocks" \
		"$(sql "$WORK/$db.db" "select count(*) from chunks where state = 'used' and leak = 'definite'")" \
		"$(tfig definite_blocks)"
	check_eq "trend: snapshot $k definitely lost bytes" \
		"$(sql "$WORK/$db.db" "select total(size) from chunks where state = 'used' and leak = 'definite'")" \
		"$(tfig definite_bytes).0"
done
check "trend: the leak grows from the first snapshot to the last" -- \
	test "$(page trend.html '.figures["trend.3.definite_bytes"]')" -gt "$(page trend.html '.figures["trend.1.definite_bytes"]')"

# bad use: a clear error, exit status, and no file half-written or replaced
printf 'keep' >"$WORK/kept.html"
"$MEMSNAP" report --html "$WORK/kept.html" "$DB" 2>"$WORK/exists.err"
check_eq "an existing FILE is refused without --force (exit 1)" 1 $?
check "... and left as it was" -- grep -qx keep "$WORK/kept.html"
check "--force replaces it" -- "$MEMSNAP" report --force --html "$WORK/kept.html" "$DB"
"$MEMSNAP" report --html "$WORK/x.html" "$DB" leaks 2>"$WORK/name.err"
check_eq "--html with a report name is bad usage (exit 2)" 2 $?
"$MEMSNAP" report --html "$WORK/x.html" --format json "$DB" 2>"$WORK/format.err"
check_eq "--html with --format is bad usage (exit 2)" 2 $?
printf 'not a database' >"$WORK/junk.db"
"$MEMSNAP" report --html "$WORK/junk.html" "$WORK/junk.db" 2>"$WORK/junk.err"
check_eq "a file that is no database fails (exit 1)" 1 $?
check "... and writes no page" -- test ! -e "$WORK/junk.html"
"$MEMSNAP" trend --html "$WORK/t2.html" -f json "$DB" "$WORK/leak2.db" 2>"$WORK/tformat.err"
check_eq "trend --html with --format is bad usage (exit 2)" 2 $?
"$MEMSNAP" trend --html "$WORK/trend.html" "$DB" "$WORK/leak2.db" 2>"$WORK/texists.err"
check_eq "trend --html does not replace a page without --force (exit 1)" 1 $?

done_testing
