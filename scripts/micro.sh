#!/bin/sh
# make micro: run the Google Benchmark micro-benchmarks, then write
# micro.json, micro.dat, micro.png and micro.svg into the results folder
# and print a table of medians.
#
# Usage: scripts/micro.sh [GOOGLE BENCHMARK OPTIONS...]
#   e.g. scripts/micro.sh --benchmark_filter='switch/'
# Environment:
#   CB_RESULTS    results folder (default results/latest; when that does not
#                 exist, results/<UTC timestamp>/ is made and latest points to it)
#   MICRO_REPS    repetitions per benchmark (default 3; the median is shown)
#   CB_MICRO_BIN  the benchmark program (default build/concbench-micro)
#   MICRO_REF     benchmark the table's ratios are relative to
#                 (default: the private-stack coroutine switch, if measured)
set -eu

bin=${CB_MICRO_BIN:-build/concbench-micro}
if [ ! -x "$bin" ]; then
    echo "micro.sh: $bin not found; run 'make build/concbench-micro'" >&2
    exit 1
fi

if [ -n "${CB_RESULTS:-}" ]; then
    dir=$CB_RESULTS
elif [ -d results/latest ]; then
    dir=results/latest
else
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "results/$stamp"
    # -n: replace a dangling link instead of creating one inside it.
    ln -sfn "$stamp" results/latest
    dir=results/latest
fi
mkdir -p "$dir"

"$bin" --benchmark_out="$dir/micro.json" --benchmark_out_format=json \
    --benchmark_repetitions="${MICRO_REPS:-3}" \
    --benchmark_report_aggregates_only=true "$@"

# The table is printed even if a benchmark failed; the exit status says so.
status=0
/usr/bin/python3 scripts/micro_to_dat.py "$dir/micro.json" "$dir/micro.dat" || status=$?
[ "$status" -le 1 ] || exit "$status"

gnuplot -e "datafile='$dir/micro.dat'; outbase='$dir/micro'" plots/micro.gp
echo "micro.sh: wrote $dir/micro.json micro.dat micro.png micro.svg"
# Join the folder's report, when `make bench` wrote one there.
if [ -s "$dir/summary.csv" ]; then
    /usr/bin/python3 scripts/results.py "$dir" >/dev/null && echo "micro.sh: added to $dir/REPORT.md"
fi
exit "$status"
