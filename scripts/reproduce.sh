#!/bin/sh
# The article's experiments, one by one, beside its numbers (`make reproduce`).
# Each experiment is one `concbench run`; its wall_s and user_s + sys_s go into
# a row "experiment | article | ours | ratio". About 2 minutes: most of it is
# the two 100-request runs against a blocking server (50 s and 34 s).
#
# Usage: scripts/reproduce.sh
# Environment:
#   CB_BIN      the concbench program (default: build/concbench)
#   CB_RESULTS  output folder (default: results/<UTC timestamp>-reproduce;
#               results/latest is left alone)
# Writes: reproduce.csv (experiment,article_s,ours_s,ratio,cpu_s,strategy,
#   workload,n,server,command), runs.csv (every run's full row), machine.txt,
#   article.png/svg, REPRODUCE.md; prints the table and the folder.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cb=${CB_BIN:-$here/build/concbench}
[ -x "$cb" ] || { echo "reproduce.sh: $cb not found; run make first" >&2; exit 1; }
out=${CB_RESULTS:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)-reproduce}
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbrepro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

csv=$out/reproduce.csv
/usr/bin/python3 "$here/scripts/results.py" --reproduce-header >"$csv"
failed=0

# experiment NAME ARTICLE_S SERVER concbench-run-arguments...
# SERVER is what the row records: empty for sleep, event or blocking:W.
experiment() {
    name=$1 article=$2 server=$3; shift 3
    echo "reproduce.sh: $name: concbench run $*" >&2
    rm -f "$tmp/run.csv"
    if ! "$cb" run "$@" -o "$tmp/run.csv"; then
        echo "reproduce.sh: run failed: $*" >&2; failed=1
    fi
    # The run may leave its machine record beside its CSV; keep one.
    [ -f "$tmp/machine.txt" ] && [ ! -f "$out/machine.txt" ] && cp "$tmp/machine.txt" "$out/machine.txt"
    if [ -s "$tmp/run.csv" ]; then
        if [ -s "$out/runs.csv" ]; then tail -n +2 "$tmp/run.csv" >>"$out/runs.csv"
        else cat "$tmp/run.csv" >"$out/runs.csv"; fi
    fi
    if [ ! -s "$tmp/run.csv" ]; then
        printf '"%s",%s,,,,,,,%s,concbench run %s\n' "$name" "$article" "$server" "$*" >>"$csv"
        return 0
    fi
    # One row out, from the run's CSV by column name (scripts/cbresults).
    /usr/bin/python3 "$here/scripts/results.py" --reproduce-row "$name" "$article" "$server" \
        "concbench run $*" "$tmp/run.csv" >>"$csv"
}

# The article's experiments, in its order. L = 1 s stands in for its remote
# site (its 5 sequential GETs took 0.9-1.05 s each).
experiment "3 sequential sleeps of 3 s"        9.01 ""    -s sequential -w sleep -n 3 -d 3s
experiment "10 sleeps of 3 s, busy loop"       3.0  ""    -s busypoll -w sleep -n 10 -d 3s
experiment "5 coroutines sleeping 3 s"         3.0  ""    -s coro -w sleep -n 5 -d 3s
experiment "asyncio.gather: 5 sleeps of 3 s"   3.0  ""    -s epoll -w sleep -n 5 -d 3s
experiment "5 sequential GETs (L = 1 s)"       4.95 event -s sequential -w http -n 5 --latency 1s --server-model event
experiment "3 concurrent GETs, event server"   1.18 event -s epoll -w http -n 3 --latency 1s --server-model event
# The article's 100 requests took 41.8 s. Its client was concurrent, so the
# wait was the server's: run the same client against servers of known
# concurrency. ceil(100/W) x 1 s: W=2 gives 50 s, W=3 gives 34 s.
experiment "100 concurrent GETs, event server"  41.8 event -s epoll -w http -n 100 --latency 1s --server-model event
experiment "100 concurrent GETs, blocking W=2"  41.8 blocking:2 -s epoll -w http -n 100 --latency 1s --server-model blocking --server-workers 2
experiment "100 concurrent GETs, blocking W=3"  41.8 blocking:3 -s epoll -w http -n 100 --latency 1s --server-model blocking --server-workers 3

# plot.sh draws the article chart and writes REPRODUCE.md (scripts/results.py).
"$here/scripts/plot.sh" "$out" >/dev/null || { echo "reproduce.sh: plotting failed" >&2; failed=1; }

/usr/bin/python3 "$here/scripts/results.py" --reproduce-table "$csv"
echo "reproduce: $out/REPRODUCE.md"
exit "$failed"
