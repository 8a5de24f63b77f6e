#!/bin/sh
# The README's headline runs, into one results folder (results/reference/
# headline is this, run on the reference machine). About 3 minutes.
#
# Usage: scripts/headline.sh [OUT]   (default results/<UTC timestamp>-headline)
# Environment: CB_BIN (default build/concbench).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cb=${CB_BIN:-$here/build/concbench}
[ -x "$cb" ] || { echo "headline.sh: $cb not found; run make first" >&2; exit 1; }
out=${1:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)-headline}
mkdir -p "$out"
runs=$out/runs.csv
run() {
    echo "headline.sh: concbench $*" >&2
    "$cb" "$@" -q --ignore-failure -o "$runs" >/dev/null
}
run run -s epoll -n 1M -d 1s -r 5
run run -s coro -n 1M -d 1s -r 5
run run -s threads -n 10000 -d 1s -r 3
run run -s threads -n 40000 -d 1s
run run -s fork -n 10000 -d 1s -r 3
run run -s fork -n 40000 -d 1s
run run -s busypoll -n 10 -d 1s -r 3
run sweep -w http -s epoll,coro -n 10000 --latency 1s -r 3
run run -w http -s threads -n 10000 --latency 1s
run run -w http -s epoll -n 100 --latency 1s --server-model blocking --server-workers 4
run run -s py-asyncio -n 10000 -d 1s -r 3
run run -s py-asyncio -n 1M -d 1s --run-timeout 300s
"$cb" summarize "$runs" -o "$out/summary.csv"
/usr/bin/python3 "$here/scripts/results.py" --table "$out"
echo "headline.sh: $out"
