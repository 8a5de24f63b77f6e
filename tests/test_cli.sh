#!/bin/sh
# The concbench command line as a user meets it: help, versions, names,
# options that do not apply, exit statuses, output files, summarize's
# checks, a 300-character URL, the exports.
# Usage: CB_BIN=build/concbench sh tests/test_cli.sh   (POSIX sh; run by make test)
set -u
cb=${CB_BIN:-build/concbench}
tmp=$(mktemp -d /tmp/cb-cli.XXXXXX)
. "$(dirname "$0")/lib.sh"
trap lib_cleanup EXIT INT TERM
# expect STATUS NAME COMMAND...: the command exits with STATUS.
expect() {
    want=$1 name=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$name (exit $got)"
    else not_ok "$name: exit $got, expected $want"; sed 's/^/#   /' "$tmp/err" | head -5; fi
}
# says FILE TEXT NAME: FILE holds TEXT (fixed string).
says() {
    if grep -qF -- "$2" "$1"; then ok "$3"
    else not_ok "$3: no '$2' in:"; sed 's/^/#   /' "$1" | head -5; fi
}

# --- version, help, names ----------------------------------------------------
expect 0 "--version" "$cb" --version
grep -Eq '^concbench [0-9a-f]' "$tmp/out" && ok "--version names the commit" || not_ok "--version said: $(cat "$tmp/out")"
for c in list run sweep summarize machine serve; do
    expect 0 "help $c" "$cb" help "$c"
    says "$tmp/out" "usage: concbench $c" "help $c prints $c's usage"
    expect 0 "$c --help" "$cb" "$c" --help
    says "$tmp/out" "usage: concbench $c" "$c --help prints $c's usage"
done
"$cb" help run >"$tmp/h"
says "$tmp/h" "examples:" "run's help has examples"
says "$tmp/h" "130 for Ctrl-C" "run's help says the exit statuses"
says "$tmp/h" "-c, --concurrency W" "-c/--concurrency is the in-flight cap"
says "$tmp/h" "(also --max-in-flight)" "--max-in-flight is kept as an alias"
says "$tmp/out" "--server-model M" "serve spells --server-model as run does" # after the loop: serve's help
"$cb" help serve >"$tmp/h"
says "$tmp/h" "(also --model)" "serve keeps --model as an alias"
says "$tmp/h" "URLs: /delay/<ms>" "serve's help says its URLs"
for bad in "--bogus" "--latency abc" "--server-workers" "--model=asgi" "stray" "--port 65536"; do
    # shellcheck disable=SC2086 # word-split on purpose: an option and its value
    expect 2 "serve $bad" "$cb" serve $bad
done
says "$tmp/err" "bad value for --port: '65536'" "a bad value is named"
expect 2 "an unknown command" "$cb" frobnicate
says "$tmp/err" "the commands are: list, run, sweep" "an unknown command lists the commands"
expect 2 "help of an unknown command" "$cb" help frobnicate
expect 2 "an unknown strategy" "$cb" run -s nosuch -n 1
says "$tmp/err" "the strategies are: sequential, threads" "an unknown strategy lists the strategies"
expect 2 "an unknown workload" "$cb" run -s epoll -w disk
says "$tmp/err" "the workloads are: sleep, http" "an unknown workload lists the workloads"
expect 2 "an unknown option" "$cb" sweep --frobnicate
expect 2 "-d with http" "$cb" run -s epoll -w http -n 1 -d 1s
says "$tmp/err" "--latency" "-d with http names --latency"
expect 2 "--latency with sleep" "$cb" run -s epoll -n 1 --latency 1s
says "$tmp/err" "-d/--duration" "--latency with sleep names -d"
expect 2 "run with two N" "$cb" run -s epoll -n 1,2
expect 2 "run with two strategies" "$cb" run -s epoll,coro -n 1
expect 2 "-n at UINT64_MAX" "$cb" run -s epoll -n 18446744073709551615 --csv
says "$tmp/err" "more tasks than this machine can hold" "-n at UINT64_MAX says why"
[ ! -s "$tmp/out" ] && ok "-n at UINT64_MAX writes no row with an empty n" || not_ok "-n at UINT64_MAX wrote: $(cat "$tmp/out")"
expect 0 "--n and --max-in-flight still work" "$cb" run -q -s epoll --n 4 --max-in-flight 2 -d 1ms --csv
expect 0 "list --tsv" "$cb" list --tsv
head -1 "$tmp/out" | grep -qx "$(printf 'name\tlanguage\tkind\twork''loads\tavailable\tversion\tcolor\tsummary')" &&
    ok "list --tsv header" || not_ok "list --tsv header: $(head -1 "$tmp/out")"
awk -F'\t' 'NF != 8 { bad = 1 } END { exit bad }' "$tmp/out" && ok "list --tsv: 8 fields a line" || not_ok "list --tsv: not 8 fields"

# --- exit statuses -----------------------------------------------------------
expect 0 "every row ok" "$cb" run -q -s epoll -n 10 -d 1ms
says "$tmp/out" "Wall time (mean ± σ)" "run prints a human summary when CSV is not asked"
grep -q '^strategy,' "$tmp/out" && not_ok "run printed CSV unasked" || ok "no CSV on stdout unasked"
expect 0 "--csv" "$cb" run -q -s epoll -n 10 -d 1ms --csv
[ "$(grep -c '^strategy,' "$tmp/out")" -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ] && ok "--csv: header and one row" || not_ok "--csv gave: $(cat "$tmp/out")"
expect 0 "skipped by the budget counts as ok" "$cb" sweep -q -s sequential -n 100 -d 1s -r 1 --budget 1s --csv
says "$tmp/out" ",skipped," "the skipped row is there"
expect 5 "a run timeout" "$cb" run -q -s epoll -n 2 -d 3s --run-timeout 200ms
expect 0 "--ignore-failure keeps 0" "$cb" run -q -s epoll -n 2 -d 3s --run-timeout 200ms --ignore-failure
expect 4 "a limit (RLIMIT_NOFILE 128, 400 GETs a thread each)" sh -c 'ulimit -n 128 && exec "$1" run -q -s threads -w http -n 400 --latency 50ms --csv' _ "$cb"
says "$tmp/out" ",limit," "the limit row"

expect 0 "--listen: the test server on another address (127.0.0.2)" "$cb" run -q -s epoll -w http -n 5 --latency 10ms --listen 127.0.0.2 --csv
says "$tmp/out" ",test-server,event,1,ok," "the run against 127.0.0.2 is ok"
expect 1 "--listen on an address this machine does not have" "$cb" run -q -s epoll -w http -n 5 --latency 10ms --listen 192.0.2.1
says "$tmp/err" "cannot start the test server on 192.0.2.1" "the failure names the address"

# The test server on its own, for URLs of our choosing.
serve_bg --latency 5ms
if [ -z "$port" ]; then
    not_ok "serve started (no port in: $(cat "$tmp/serve.err"))"
else
    pad=$(printf '%0280d' 0)
    url="http://127.0.0.1:$port/?pad=$pad&status=500"
    [ ${#url} -ge 300 ] && ok "the URL is ${#url} characters" || not_ok "the URL is only ${#url} characters"
    expect 3 "a 300-character URL ending in &status=500: errors" "$cb" run -q -s sequential -n 2 -u "$url" --csv
    grep -qF ",$url," "$tmp/out" && ok "the row keeps the whole URL" || not_ok "the row's target is cut: $(tail -1 "$tmp/out" | cut -c1-120)"
    says "$tmp/out" "http_status=2" "both GETs counted as http_status"
    expect 0 "a URL that answers 200" "$cb" run -q -s epoll -n 5 -u "http://127.0.0.1:$port/delay/5" --csv
    says "$tmp/out" "probe: " "the row says the probed latency"
    expect 0 "a sequential sweep of 100 GETs of 5 ms is planned from the probe, not skipped" "$cb" sweep -q -s sequential -n 100 -r 1 --budget 5s -u "http://127.0.0.1:$port/delay/5" --csv
    says "$tmp/out" ",1,ok," "the run was made (expected about 0.5 s, under the 5 s budget)"
    expect 0 "--expect-latency 1s plans 100 s for it: skipped" "$cb" sweep -q -s sequential -n 100 -r 1 --budget 5s -u "http://127.0.0.1:$port/delay/5" --expect-latency 1s --csv
    says "$tmp/out" "expected 100 s > budget 5 s" "the skip says why"
    expect 0 "--expect-latency instead of the probe" "$cb" run -q -s epoll -n 5 -u "http://127.0.0.1:$port/" --expect-latency 5ms --csv
    says "$tmp/out" "--expect-latency" "the row says the planned latency"
    expect 0 "--expect-bytes that the body meets" "$cb" run -q -s epoll -n 3 -u "http://127.0.0.1:$port/?bytes=1000" --expect-bytes 1000 --csv
    says "$tmp/out" "status+length+bytes" "the row says the bytes were checked"
    expect 1 "--expect-bytes that the body does not meet" "$cb" run -q -s epoll -n 3 -u "http://127.0.0.1:$port/?bytes=999" --expect-bytes 1000
    expect 2 "--latency with -u" "$cb" run -q -s epoll -n 5 -u "http://127.0.0.1:$port/" --latency 1s
    long=$(printf '%03000d' 0)
    expect 2 "a URL longer than a row holds is refused" "$cb" run -q -s epoll -n 1 -u "http://127.0.0.1:$port/?p=$long"
    says "$tmp/err" "bytes; a results row holds at most" "the refusal says why"
fi

# --- interruption: the rows so far, whole; nothing left running ---------------
for sig in INT TERM; do
    want=130; [ $sig = TERM ] && want=143
    # A background job of a script starts with SIGINT ignored: reset it.
    env --default-signal=INT "$cb" sweep -s epoll,coro -w http -n 10 --latency 4321ms -r 3 --csv >"$tmp/int.csv" 2>"$tmp/int.err" &
    p=$!
    sleep 1.5
    kill -$sig $p
    wait $p
    got=$?
    [ "$got" -eq $want ] && ok "SIG$sig during an http sweep: exit $want" || not_ok "SIG$sig: exit $got, expected $want"
    [ "$(tail -n 1 "$tmp/int.csv" | cut -d, -f9)" = interrupted ] && ok "SIG$sig: the last row says interrupted" ||
        not_ok "SIG$sig: last row: $(tail -n 1 "$tmp/int.csv" | cut -c1-80)"
    sleep 0.3
    pgrep -f 'latency 4321ms' >/dev/null && not_ok "SIG$sig: a process of the sweep is still running" ||
        ok "SIG$sig: no process of the sweep left"
done

# --- per-task file ----------------------------------------------------------------
expect 0 "--raw" "$cb" run -q -s epoll -n 5 -d 20ms -r 2 --raw "$tmp/raw.csv"
[ "$(head -1 "$tmp/raw.csv")" = "strategy,workload,n,max_in_flight,server,rep,task,start_s,finish_s,latency_s,error,http_status" ] &&
    ok "--raw: the shared header" || not_ok "--raw header: $(head -1 "$tmp/raw.csv")"
[ "$(grep -c '^epoll,sleep,5,0,,[12],[0-4],0\.0[0-9]*,0\.0[0-9]*,0\.02[0-9]*,ok,$' "$tmp/raw.csv")" -eq 10 ] &&
    ok "--raw: 10 tasks, started near 0, each waited 20 ms, ok" || { not_ok "--raw rows"; head -4 "$tmp/raw.csv"; }

# --- output files --------------------------------------------------------------
expect 1 "-o /dev/full" "$cb" run -q -s epoll -n 2 -d 1ms -o /dev/full
says "$tmp/err" "cannot write the CSV to /dev/full: No space left on device" "-o /dev/full says what failed"
"$cb" run -q -s epoll -n 2 -d 1ms >/dev/full 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "cannot write the summary to stdout: No space left on device" "$tmp/err" &&
    ok "a summary to a full stdout: exit 1, said" || not_ok "run >/dev/full: $(cat "$tmp/err")"
if [ -e /dev/machine.txt ]; then echo "# /dev/machine.txt exists already; not checked"
else
    "$cb" run -q -s epoll -n 2 -d 1ms -o /dev/null >/dev/null 2>&1
    [ ! -e /dev/machine.txt ] && ok "-o /dev/null writes no /dev/machine.txt" || { not_ok "-o /dev/null wrote /dev/machine.txt"; rm -f /dev/machine.txt; }
fi
expect 0 "-o into a folder that does not exist yet" "$cb" run -q -s epoll -n 2 -d 1ms -o "$tmp/new/dir/runs.csv"
[ -s "$tmp/new/dir/machine.txt" ] && ok "machine.txt beside the CSV" || not_ok "no machine.txt beside the CSV"
for k in concbench command smt cpu_governor; do
    grep -q "^$k: " "$tmp/new/dir/machine.txt" && ok "machine.txt has $k" || not_ok "machine.txt lacks $k"
done
# Two runs starting one new file at once: one header.
"$cb" run -q -s epoll -n 2 -d 20ms -o "$tmp/two.csv" >/dev/null 2>&1 &
p1=$!
"$cb" run -q -s coro -n 2 -d 20ms -o "$tmp/two.csv" >/dev/null 2>&1
wait $p1
[ "$(grep -c '^strategy,' "$tmp/two.csv")" -eq 1 ] && [ "$(wc -l <"$tmp/two.csv")" -eq 3 ] &&
    ok "two runs starting one CSV: one header, two rows" || not_ok "two runs: $(cat "$tmp/two.csv" | cut -c1-40)"
expect 0 "exports" "$cb" sweep -q -s epoll,coro -n 5 -d 1ms -r 2 --export-json "$tmp/r.json" --export-markdown "$tmp/r.md"
says "$tmp/out" "times faster than" "a sweep compares the strategies"
if command -v python3 >/dev/null; then
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "concbench-results/1", d["schema"]
assert len(d["rows"]) == 4, len(d["rows"])
assert all(set(r) == set(d["columns"]) for r in d["rows"])
assert d["machine"]["cores"] and d["command"].startswith("concbench sweep")' "$tmp/r.json" 2>"$tmp/err" &&
        ok "--export-json: 4 rows, every column, the machine record" || { not_ok "--export-json"; cat "$tmp/err"; }
    python3 -c 'import json, sys
s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
cols = list(s["properties"]["rows"]["items"]["properties"])
assert cols == r["columns"], set(cols) ^ set(r["columns"])' docs/results-schema.json "$tmp/r.json" 2>"$tmp/err" &&
        ok "docs/results-schema.json names every column" || { not_ok "docs/results-schema.json is out of step"; cat "$tmp/err"; }
fi
[ "$(grep -c '^| epoll\|^| coro' "$tmp/r.md")" -eq 4 ] && ok "--export-markdown: 4 rows" || not_ok "--export-markdown: $(cat "$tmp/r.md")"
ls "$tmp" | grep -q '\.tmp\.' && not_ok "a temporary file was left" || ok "no temporary file left"

# --- summarize -----------------------------------------------------------------
"$cb" sweep -q -s epoll -n 2,3 -d 1ms -r 2 -o "$tmp/runs.csv" >/dev/null
cp "$tmp/runs.csv" "$tmp/runs.orig"
expect 2 "summarize X -o X refuses" "$cb" summarize "$tmp/runs.csv" -o "$tmp/runs.csv"
cmp -s "$tmp/runs.csv" "$tmp/runs.orig" && ok "summarize X -o X left X whole" || not_ok "summarize X -o X changed X"
expect 0 "summarize --output" "$cb" summarize "$tmp/runs.csv" --output "$tmp/summary.csv"
[ "$(wc -l <"$tmp/summary.csv")" -eq 3 ] && ok "summary: one row per configuration" || not_ok "summary: $(cat "$tmp/summary.csv")"
expect 1 "summarize -o /dev/full" "$cb" summarize "$tmp/runs.csv" -o /dev/full
says "$tmp/err" "cannot write the summary to /dev/full: No space left on device" "summarize -o /dev/full says what failed"
: >"$tmp/empty.csv"
expect 1 "summarize an empty file" "$cb" summarize "$tmp/empty.csv"
says "$tmp/err" "empty file" "an empty file is said"
{ head -1 "$tmp/runs.csv"; head -1 "$tmp/runs.csv" | tr -cd ',\n'; } >"$tmp/commas.csv"
expect 1 "summarize a row of bare commas" "$cb" summarize "$tmp/commas.csv"
says "$tmp/err" "commas.csv:2: an empty row" "bare commas are said with the line"
head -c $(($(wc -c <"$tmp/runs.csv") - 30)) "$tmp/runs.csv" >"$tmp/cut.csv"
expect 1 "summarize a cut last row" "$cb" summarize "$tmp/cut.csv"
says "$tmp/err" "cut.csv:5:" "a cut row is said with its line"
head -c $(($(wc -c <"$tmp/runs.csv") - 1)) "$tmp/runs.csv" >"$tmp/nonl.csv"
expect 1 "summarize a last row without its newline" "$cb" summarize "$tmp/nonl.csv"
# Many repetitions, a small stack: the median lives on the heap.
awk 'NR == 1 { print; next } NR == 2 { for (i = 1; i <= 20000; i++) print }' "$tmp/runs.csv" >"$tmp/many.csv"
expect 0 "summarize 20000 repetitions under a 64 KiB stack" sh -c 'ulimit -s 64 && exec "$1" summarize "$2"' _ "$cb" "$tmp/many.csv"
says "$tmp/out" ",20000,20000,ok," "20000 repetitions summarised"

# --- the README's summary table is summary_columns.h's ---------------------------
sh scripts/columns-table.sh --summary >"$tmp/scols.want"
awk '/^### `summary.csv` columns/ { on = 1; next } on && /^\| `/ { print; seen = 1; next } on && seen { exit }' README.md >"$tmp/scols.got"
diff "$tmp/scols.want" "$tmp/scols.got" >/dev/null && ok "README lists every summary column as summary_columns.h says" ||
    { not_ok "README's summary table differs from summary_columns.h"; diff "$tmp/scols.want" "$tmp/scols.got" | head -5; }

tap_done cli
