#!/bin/sh
# Run the request-parser fuzz target for a while and say what it did.
# Usage: tests/fuzz/run.sh BINARY SECONDS
# New inputs go to build/fuzz/work (the committed seed corpus,
# tests/fuzz/corpus, is read, never written); a crash is saved as
# build/fuzz/crash-* and the run fails. The full log: build/fuzz/fuzz-SECONDSs.log.
set -u
bin=$1; secs=$2
dir=$(dirname "$bin")
log="$dir/fuzz-${secs}s.log"
mkdir -p "$dir/work"
echo "fuzz: $bin for ${secs} s over tests/fuzz/corpus (log: $log)"
# -max_len above SRV_HEAD_MAX (16384), so the "too long" path is reached.
"$bin" -max_total_time="$secs" -max_len=17000 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/" "$dir/work" tests/fuzz/corpus >"$log" 2>&1
rc=$?
last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
echo "fuzz: ${execs:-?} executions, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
if [ "$rc" -ne 0 ]; then
    echo "fuzz: FAILED (exit $rc); the end of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
fi
echo "fuzz: no crash, no sanitizer report, every check held"
