#!/bin/sh
# Tests of the article's Python programs (strategies/python/) as concbench
# strategies, through the real harness: each one at small N for every
# workload it implements, its pool, a limit, HTTP failures by kind
# (refused, timeout, reset), and the skipped rows.
# Usage (from the repo root): tests/test_python.sh
# Needs `scripts/install-deps.sh python` (Debian's python3, python3-requests,
# python3-aiohttp); a program whose package is missing is a "skip - " line.
# Prints "ok - ...", "not ok - ..." or "skip - ..." per check, then
# "python: N passed, N failed"; exits non-zero if anything failed.
set -u

cb=${CB_BIN:-build/concbench}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbpytest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$(dirname "$0")/lib.sh"

# row ARGS...: one `concbench run` of ARGS; its row's fields in $tmp/row
# as name=value lines (read them with `col NAME`). Returns concbench's
# status; the row is there whatever the status.
row() {
    rm -f "$tmp/row.csv" "$tmp/row"
    "$cb" run -q -o "$tmp/row.csv" "$@" >"$tmp/run.out" 2>&1
    rc=$?
    # The row's CSV (quoted fields with commas) read by Python's csv module.
    [ -s "$tmp/row.csv" ] && /usr/bin/python3 -c '
import csv, sys
for k, v in next(csv.DictReader(open(sys.argv[1]))).items():
    print("%s=%s" % (k, " ".join(v.split())))
' "$tmp/row.csv" >"$tmp/row"
    return $rc
}
col() { sed -n "s/^$1=//p" "$tmp/row" 2>/dev/null; }
# why: the row in words, for a failed check.
why() {
    echo "#   status=$(col status) n=$(col n) completed=$(col completed) wall_s=$(col wall_s)" \
         "error_kinds=$(col error_kinds)"
    echo "#   policy: $(col policy)"
    echo "#   note: $(col note)"
    sed 's/^/#   /' "$tmp/run.out" | head -5
}
# expect DESC CONDITION: ok when the awk CONDITION on the row's fields
# (status, n, completed, wall_s ... as awk variables) holds.
expect() {
    desc=$1 cond=$2
    if [ -s "$tmp/row" ] && awk -F= -v cond="$cond" '{ v[$1] = substr($0, length($1) + 2) }
        END { exit !('"$cond"') }' "$tmp/row" 2>/dev/null; then
        ok "$desc"
    else
        not_ok "$desc"; why
    fi
}
# An awk END block cannot read variables by name, so conditions use v["..."].
OK_ALL='v["status"] == "ok" && v["completed"] + 0 == v["n"] + 0 && v["errors"] + 0 == 0'

# has MODULE: Debian's python3 imports MODULE.
has() { /usr/bin/python3 -c "import $1" 2>/dev/null; }

if ! "$cb" list 2>/dev/null | grep -q 'py-asyncio'; then
    not_ok "concbench list shows the Python strategies (no external runner in $cb?)"
    echo "python: $pass passed, $fail failed"
    exit 1
fi
if [ ! -x /usr/bin/python3 ]; then
    skip "no /usr/bin/python3: scripts/install-deps.sh python"
    echo "python: $pass passed, $fail failed"
    exit 0
fi

# --- sleeps ---------------------------------------------------------------
row -s py-sequential -n 3 -d 100ms
expect "py-sequential: 3 sleeps of 100 ms, all ok, one after another (>= 0.3 s)" \
    "$OK_ALL"' && v["wall_s"] >= 0.3'
row -s py-sequential -n 3 -d 100ms --max-in-flight 2
expect "py-sequential: accepts max_in_flight and ignores it (>= 0.3 s)" \
    "$OK_ALL"' && v["wall_s"] >= 0.3'

for s in py-busyloop py-generators py-asyncio py-threads py-multiprocessing; do
    row -s $s -n 3 -d 100ms
    expect "$s: 3 sleeps of 100 ms, all ok" "$OK_ALL"' && v["wall_s"] >= 0.1'
    row -s $s -n 50 -d 200ms
    expect "$s: 50 sleeps of 200 ms, all ok, at once (well under 50 x 200 ms: < 5 s)" \
        "$OK_ALL"' && v["wall_s"] >= 0.2 && v["wall_s"] < 5'
done
# A pool of 5 for 20 sleeps of 100 ms: never more than 5 at once, so at
# least 4 rounds (0.4 s), and still far from one at a time (2 s).
for s in py-asyncio py-threads py-multiprocessing; do
    row -s $s -n 20 -d 100ms --max-in-flight 5
    expect "$s: --max-in-flight 5, 20 sleeps of 100 ms in 0.4 s to 2 s" \
        "$OK_ALL"' && v["wall_s"] >= 0.4 && v["wall_s"] < 2'
done
for s in py-busyloop py-generators; do
    row -s $s -n 3 -d 100ms --max-in-flight 2
    expect "$s: --max-in-flight is a skipped row, not a wrong one" \
        'v["status"] == "skipped" && v["completed"] + 0 == 0'
done

# A thread that cannot start: 8 MiB stacks in 1.5 GB of address space stop
# the start loop long before 1,000 threads; the row is a limit row in
# Python's words, the threads that started did their work.
(ulimit -v 1500000 && row -s py-threads -n 1000 -d 100ms)
expect "py-threads: out of address space for stacks is a limit row (\"can't start new thread\")" \
    'v["status"] == "limit" && v["completed"] + 0 > 0 && v["completed"] + 0 < 1000 &&
     index(v["note"], "can\047t start new thread") > 0'

# --- HTTP against the test server -----------------------------------------
if has requests; then
    row -s py-sequential -w http -n 5 --latency 100ms
    expect "py-sequential: 5 GETs of 100 ms, all verified, one after another (>= 0.5 s)" \
        "$OK_ALL"' && v["wall_s"] >= 0.5'
    for s in py-threads py-multiprocessing; do
        row -s $s -w http -n 20 --latency 100ms
        expect "$s: 20 GETs of 100 ms, all verified, at once (< 1.5 s, one at a time is 2 s)" \
            "$OK_ALL"' && v["wall_s"] >= 0.1 && v["wall_s"] < 1.5'
        row -s $s -w http -n 20 --latency 100ms --max-in-flight 5
        expect "$s: --max-in-flight 5, 20 GETs of 100 ms in 0.4 s to 2 s" \
            "$OK_ALL"' && v["wall_s"] >= 0.4 && v["wall_s"] < 2'
    done
else
    skip "HTTP with requests: python3-requests is not installed"
fi
if has aiohttp; then
    for s in py-asyncio py-asyncio-nolimit; do
        row -s $s -w http -n 20 --latency 100ms
        expect "$s: 20 GETs of 100 ms, all verified, at once (< 1.5 s)" \
            "$OK_ALL"' && v["wall_s"] >= 0.1 && v["wall_s"] < 1.5'
    done
    row -s py-asyncio -w http -n 20 --latency 100ms --max-in-flight 5
    expect "py-asyncio: --max-in-flight 5, 20 GETs of 100 ms in 0.4 s to 2 s" \
        "$OK_ALL"' && v["wall_s"] >= 0.4 && v["wall_s"] < 2'
    # aiohttp's default connector holds 100 connections: 150 GETs of 500 ms
    # take two rounds (>= 1 s); without the limit, one (< 1 s).
    row -s py-asyncio -w http -n 150 --latency 500ms
    expect "py-asyncio: default connector (limit=100), 150 GETs of 500 ms take two rounds (>= 1 s)" \
        "$OK_ALL"' && v["wall_s"] >= 1.0'
    row -s py-asyncio-nolimit -w http -n 150 --latency 500ms
    expect "py-asyncio-nolimit: TCPConnector(limit=0), 150 GETs of 500 ms in one round (< 1 s)" \
        "$OK_ALL"' && v["wall_s"] >= 0.5 && v["wall_s"] < 1.0'
else
    skip "HTTP with aiohttp: python3-aiohttp is not installed"
fi

# --- HTTP failures, each named by its kind --------------------------------
# A server of our own (any free port) to misbehave as the URL asks; port 1
# on loopback refuses. Every task must fail, as the kind the harness names.
"$cb" serve --port 0 --latency 100ms >"$tmp/serve.out" 2>&1 &
srv_pid=$!
trap 'kill $srv_pid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
port=""
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/serve.out" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.25
done
fails() {
    f_desc=$1 f_kinds=$2; shift 2
    for s in py-sequential py-asyncio py-threads py-multiprocessing; do
        case $s in py-asyncio) has aiohttp || continue ;; *) has requests || continue ;; esac
        row -s "$s" -n 3 --expect-latency 100ms "$@"
        expect "$s: $f_desc" 'v["status"] == "errors" && v["errors"] + 0 == 3 &&
            v["error_kinds"] ~ /^(('"$f_kinds"')=[0-9]+ ?)+$/'
    done
}
fails "nothing listening: every GET refused" "refused" -u http://127.0.0.1:1/
if [ -n "$port" ]; then
    fails "a server slower than --task-timeout: every GET a timeout" "timeout" \
        -u "http://127.0.0.1:$port/?ms=3000" --task-timeout 300ms
    fails "a reset mid-body: every GET reset or bad_body" "reset|bad_body" \
        -u "http://127.0.0.1:$port/?bytes=100000&reset=100"
else
    not_ok "concbench serve --port 0 said where it listens"; sed 's/^/#   /' "$tmp/serve.out"
fi
kill $srv_pid 2>/dev/null

# --- rows that say why nothing ran ----------------------------------------
row -s py-busyloop -w http -n 3 --latency 100ms
expect "py-busyloop: HTTP, which it does not implement, is a skipped row" \
    'v["status"] == "skipped" && v["completed"] + 0 == 0'
CB_PY_HIDE=aiohttp row -s py-asyncio -w http -n 3 --latency 100ms
expect "py-asyncio: without aiohttp (CB_PY_HIDE=aiohttp) a skipped row naming python3-aiohttp" \
    'v["status"] == "skipped" && index(v["note"], "python3-aiohttp") > 0'
CB_PY_HIDE=requests row -s py-threads -w http -n 3 --latency 100ms
expect "py-threads: without requests (CB_PY_HIDE=requests) a skipped row naming python3-requests" \
    'v["status"] == "skipped" && index(v["note"], "python3-requests") > 0'
CB_PY_HIDE=requests row -s py-sequential -n 3 -d 100ms
expect "py-sequential: sleeps do not need requests (CB_PY_HIDE=requests): all ok" "$OK_ALL"

# --- the real servers: a missing framework is a skipped row, not a failure --
CB_PY_HIDE=gunicorn row -s epoll -w http -n 3 --latency 100ms --server-model flask --server-workers 2
expect "flask without gunicorn (CB_PY_HIDE=gunicorn): a skipped row naming gunicorn" \
    'v["status"] == "skipped" && index(v["note"], "gunicorn") > 0'
CB_PY_HIDE=uvicorn row -s epoll -w http -n 3 --latency 100ms --server-model fastapi
expect "fastapi without uvicorn (CB_PY_HIDE=uvicorn): a skipped row naming python3-uvicorn" \
    'v["status"] == "skipped" && index(v["note"], "python3-uvicorn") > 0'

tap_done python
