#!/bin/sh
# ThreadSanitizer check of the threads strategy (and the blocking server's
# worker threads) as they really run: a TSan build of concbench measures a
# few runs. Criterion cannot start under TSan on this kernel ("Could not
# initialize inheritable arena"), so the check drives the program itself.
# A data race stops the measured process (halt_on_error=1): its row is then
# not "ok", and TSan's report is on stderr.
# Usage: scripts/tsan-check.sh build/tsan/concbench
set -u
bin=$1
export TSAN_OPTIONS="halt_on_error=1:exitcode=66"
passed=0; failed=0
check() {
    name=$1; shift
    out=$("$bin" run -q --csv "$@" 2>/tmp/cb-tsan.$$)
    status=$(printf '%s\n' "$out" | tail -n 1 | cut -d, -f9)
    if [ "$status" = ok ] && ! grep -q ThreadSanitizer /tmp/cb-tsan.$$; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name (status '$status')"
        cat /tmp/cb-tsan.$$
        failed=$((failed + 1))
    fi
    rm -f /tmp/cb-tsan.$$
}
check "threads, a thread per task, sleep" -s threads -n 200 -d 20ms
check "threads, pool of 8, sleep" -s threads -n 100 -d 5ms --max-in-flight 8
check "threads, a thread per task, http" -s threads -w http -n 50 --latency 20ms
check "threads, pool of 4, http, blocking server with 4 workers" \
    -s threads -w http -n 40 --latency 10ms --max-in-flight 4 \
    --server-model blocking --server-workers 4
echo "tsan: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
