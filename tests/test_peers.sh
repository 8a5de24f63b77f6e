#!/bin/sh
# Tests of the peer strategies (strategies/go, node, rust, java) through
# concbench, as a user runs them: build the installed peers
# (scripts/build-peers.sh), then run each at small N for both workloads,
# with a pool, and against a refused port. A peer whose toolchain is
# missing is skipped, saying so. Last, each runs out of descriptors
# (RLIMIT_NOFILE 128, against a test server of its own) and must say so
# in a `limit` row rather than crash.
# Usage (from the repo root): tests/test_peers.sh
#   CB_BIN    the concbench binary (default build/concbench)
#   CB_BUILD  the build folder the peers go to (default build; concbench
#             runs them from <root>/build/peers)
# Prints "ok - ...", "not ok - ..." or "skip - ..." per check, then
# "peers: N passed, N failed"; exits non-zero if anything failed.
set -u

cb=${CB_BIN:-build/concbench}
bd=${CB_BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbpeers.XXXXXX")
. "$(dirname "$0")/lib.sh"
srv=""
trap '[ -z "$srv" ] || kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM


# col CSV NAME: the NAME column of the CSV's last row. Every column up to
# `completed` is free of commas (policy and note, which may hold them, come
# last), so splitting at commas is exact for the columns read here.
col() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        { v = $c } END { print v }' "$1"
}

# run NAME CHECKS... -- ARGS...: one concbench run into its own CSV, then
# the checks (shell tests on $status, $completed, $wall, $kinds); on a
# failure, what the row said.
run() {
    desc=$1 checks=$2
    shift 2
    csv=$tmp/run.csv
    rm -f "$csv"
    if ! $launch "$cb" run -q -o "$csv" "$@" > "$tmp/run.out" 2>&1 || [ ! -s "$csv" ]; then
        # A run with failed tasks exits non-zero; the checks judge the row.
        [ -s "$csv" ] || { not_ok "$desc (no row)"; sed 's/^/#   /' "$tmp/run.out" | tail -5; return; }
    fi
    status=$(col "$csv" status) completed=$(col "$csv" completed)
    wall=$(col "$csv" wall_s) kinds=$(col "$csv" error_kinds)
    if eval "$checks"; then
        ok "$desc: $status, completed $completed, wall ${wall} s${kinds:+, $kinds}"
    else
        not_ok "$desc: want $checks"
        echo "#   got status=$status completed=$completed wall_s=$wall error_kinds=$kinds"
        tail -n 1 "$csv" | sed 's/^/#   row: /'
    fi
}

# How run() starts concbench: as is, or with few descriptors (lowfd).
launch=command
lowfd() { (ulimit -n 128 && exec "$@"); }

# under SECONDS: true when $wall is below SECONDS.
under() { awk -v w="$wall" -v m="$1" 'BEGIN { exit !(w != "" && w + 0 < m + 0) }'; }
over()  { awk -v w="$wall" -v m="$1" 'BEGIN { exit !(w != "" && w + 0 >= m + 0) }'; }

# --- build ---------------------------------------------------------------------
if sh scripts/build-peers.sh "$bd" > "$tmp/build.out" 2>&1; then
    ok "build-peers.sh builds every installed peer"
else
    not_ok "build-peers.sh builds every installed peer"
    sed 's/^/#   /' "$tmp/build.out" | tail -20
fi
sed 's/^/# /' "$tmp/build.out"

# installed NAME: true when the peer's program is there to run.
installed() {
    case $1 in
    go-goroutines) [ -x "$bd/peers/go-goroutines" ] ;;
    node-async) [ -x /usr/bin/node ] ;;
    rust-tokio) [ -x "$bd/peers/rust-tokio" ] ;;
    java-*) [ -x /usr/bin/java ] && [ -f "$bd/peers/java/CbProto.class" ] ;;
    esac
}
version_of() {
    case $1 in
    go-goroutines) "$bd/peers/go-goroutines" --version ;;
    node-async) /usr/bin/node strategies/node/async.js --version ;;
    rust-tokio) "$bd/peers/rust-tokio" --version ;;
    java-threads) /usr/bin/java -cp "$bd/peers/java" ThreadsStrategy --version ;;
    java-async) /usr/bin/java -cp "$bd/peers/java" AsyncStrategy --version ;;
    esac
}

# --- every peer, both workloads --------------------------------------------------
for s in go-goroutines node-async rust-tokio java-threads java-async; do
    if ! installed "$s"; then
        skip "$s: its toolchain is not installed (scripts/install-deps.sh peers)"
        continue
    fi
    v=$(version_of "$s" 2> /dev/null)
    if [ -n "$v" ] && [ "$(printf '%s\n' "$v" | wc -l)" -eq 1 ]; then
        ok "$s --version: $v"
    else
        not_ok "$s --version prints one line (got: $v)"
    fi
    # 50 sleeps of 200 ms at once: about 200 ms, far from 50 x 200 ms.
    run "$s: 50 sleeps of 200 ms" \
        '[ "$status" = ok ] && [ "$completed" = 50 ] && under 5' \
        -s "$s" -n 50 -d 200ms
    # 20 sleeps of 100 ms, 10 at a time: two rounds, so at least 200 ms.
    run "$s: 20 sleeps of 100 ms, at most 10 in flight" \
        '[ "$status" = ok ] && [ "$completed" = 20 ] && over 0.2 && under 5' \
        -s "$s" -n 20 -d 100ms --max-in-flight 10
    # 20 GETs against the test server (latency 100 ms), every body verified.
    run "$s: 20 GETs, latency 100 ms" \
        '[ "$status" = ok ] && [ "$completed" = 20 ] && under 5' \
        -s "$s" -w http --latency 100ms -n 20
    # A port nobody listens on: every task fails and says why.
    run "$s: 5 GETs of a refused port are reported, not crashed" \
        '[ "$status" != ok ] && [ "$completed" = 0 ] && case "$kinds" in *refused=5*) true ;; *) false ;; esac' \
        -s "$s" -w http -n 5 -u http://127.0.0.1:1/
done

[ "$skip" -eq 0 ] || echo "# $skip skipped: toolchain not installed"
# --- out of descriptors: a limit row, not a crash ---------------------------
# The server runs apart, with the usual limit; only the peer gets 128.
"$cb" serve --port 0 --latency 500ms > "$tmp/serve.log" 2>&1 &
srv=$!
url="" i=0
while [ -z "$url" ] && [ "$i" -lt 50 ]; do
    url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$tmp/serve.log")
    [ -n "$url" ] || sleep 0.1
    i=$((i + 1))
done
launch=lowfd
for s in go-goroutines node-async rust-tokio java-threads java-async; do
    installed "$s" || continue
    [ -n "$url" ] || { not_ok "$s: no test server for the descriptor limit"; continue; }
    run "$s: 300 GETs with RLIMIT_NOFILE 128 make a limit row" \
        '[ "$status" = limit ] && case "$kinds" in *emfile=*) true ;; *) false ;; esac' \
        -s "$s" -w http -n 300 -u "$url/"
done
launch=command

tap_done peers
