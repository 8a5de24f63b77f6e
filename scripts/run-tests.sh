#!/bin/sh
# Run Criterion test binaries one after another; stop at the first failure.
# Usage: scripts/run-tests.sh FLAVOUR BINARY... [-- criterion options]
#        (options starting with -- are passed to every binary)
set -u
flavour=$1; shift
bins=""; opts=""
for a in "$@"; do
    case "$a" in
    --*) opts="$opts $a" ;;
    *) bins="$bins $a" ;;
    esac
done
# ASan: leaks are checked; UBSan stops at the first report.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
# Criterion's runner leaks two small blocks of its own at exit. A
# suppression cannot single them out (it matches any frame, and every test
# allocation has Criterion frames below it), so the exit-time report does
# not set the exit code; instead each test that owns memory ends its body
# with cb_leak_check(), in its own process, which fails that test
# (tests/helpers.h: a suite's .fini would run after the result is in).
export LSAN_OPTIONS="${LSAN_OPTIONS:-exitcode=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
failed=0; passed=0
for b in $bins; do
    echo "== [$flavour] $b$opts"
    # shellcheck disable=SC2086
    if "$b" --jobs=2 $opts; then
        passed=$((passed + 1))
    else
        echo "FAILED: [$flavour] $b" >&2
        failed=$((failed + 1))
    fi
done
echo "[$flavour] suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
