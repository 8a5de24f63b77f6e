#!/bin/sh
# The benchmark sweep behind `make bench`: every strategy on the sleep and
# HTTP workloads across N, then a blocking-versus-event server comparison;
# then the summary, the charts and REPORT.md (scripts/plot.sh, the results
# pipeline). Progress goes to stderr.
#
# Usage: scripts/bench.sh            (make bench)
# Environment:
#   PROFILE     tiny | default | full | peers                 (default: default)
#   STRATEGIES  space- or comma-separated strategy names      (default: the profile's, from `concbench list --tsv`)
#   NS          space- or comma-separated task counts         (per profile and language)
#   REPS        repetitions per configuration                 (per profile)
#   DURATION    D of each sleep and L of the test server      (per profile; 1s, 50ms, 2.5s)
#   BUDGET      skip runs expected to take longer than this   (per profile)
#   CB_BIN      the concbench program                         (default: build/concbench)
#   CB_RESULTS  output folder (default: results/<UTC timestamp>, and results/latest points to it)
#   DRY_RUN     1: print the sweeps (`concbench sweep ...`, one a line) and run nothing
#
# Strategies come from `concbench list --tsv`, by language: C, Python (the
# article's programs) and the peers (every other language). Each sweep gets
# only the strategies that implement its workload. A strategy the list marks
# available=no is passed to the sweep only if the harness writes `skipped`
# rows for it (probed once with N = 1); otherwise it is left out and the
# report names it with the list's reason.
#
# Profiles:
#   default  C: N = 1 3 10 100 1000 10000, 3 repetitions, D = L = 1 s, budget 5 s;
#            server comparison: epoll client, blocking server W = 1, 2, 4,
#            N = 1 3 10 100, 1 repetition, budget 6 s. Measured (C only,
#            before the cgroup meter): 300 s on 2 cores with budget 12 s there,
#            under load (load average 24 at the start); about 4.5 minutes with
#            these budgets. Where the time
#            goes: the concurrent strategies take >= 1 s per run whatever N, so
#            5 strategies x 6 N x 3 reps x 2 workloads >= 180 s, plus more at
#            N = 10000 (fork spawning, 10k HTTP connections), ~60 s.
#            Sequential takes N x D: with a 5 s budget it runs N = 1 and 3
#            and N >= 10 become "skipped" rows that say so. The blocking server
#            takes ceil(N/W) x L: budget 6 s runs W=1: N<=3, W=2 and W=4: N<=10
#            (17 s) and skips the rest. The event server's side of that chart
#            is the main HTTP sweep's epoll rows (same client, same N).
#            Python: sleep N = 1 100 10000, HTTP N = 1 100 1000, 1 repetition,
#            the same budget, and a run timeout of 30 s so that one slow
#            strategy costs at most that (py-multiprocessing at 10,000 sleeps
#            is a `timeout` row). Measured on the 2-core machine with the
#            meter of the whole cost (a memory cgroup per run): 409 s for the
#            whole profile (make bench: 6 min 50 s); the Python sweeps' 33
#            runs took 56 s of wall and start-up plus that 30 s timeout.
#   full     N up to 1 000 000 (HTTP up to 10 000 for Python), 3 repetitions,
#            D = L = 1 s, budget 60 s; limits and the budget turn what a
#            strategy cannot do into rows.
#   peers    every peer runtime (Go, Node.js, Rust, Java) and the C strategies:
#            N = 1000 10000 100000 1000000 sleeps and 100 1000 10000 GETs,
#            3 repetitions, D = L = 1 s, budget 60 s; no server comparison. The
#            report adds the cross-runtime chart with the published figures.
#            A peer run is killed after 120 s (java-threads cannot hold a
#            million threads: it never meets a limit, it just runs out of
#            time); a timeout skips its other repetitions and larger N.
#   tiny     C only, N = 1 3, 1 repetition, D = L = 50 ms, for the test suite.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cb=${CB_BIN:-$here/build/concbench}
profile=${PROFILE:-default}
py=${CB_PYTHON:-/usr/bin/python3}
[ -x "$cb" ] || { echo "bench.sh: $cb not found; run make first" >&2; exit 1; }

# Per profile: N lists per language group and workload (c_sleep c_http
# py_sleep py_http peer_sleep peer_http; empty: the group is not run),
# repetitions (reps for C and peers, py_reps), D = L, budget, the run timeout
# of the Python and peer sweeps, and the server comparison (s_*).
py_sleep="" py_http="" peer_sleep="" peer_http="" py_reps=1 x_timeout=""
s_ns="" s_reps=1 s_budget=6s s_workers=""
case "$profile" in
default) c_sleep="1 3 10 100 1000 10000"; c_http=$c_sleep; reps=3; dur=1s; budget=5s
         py_sleep="1 100 10000"; py_http="1 100 1000"; py_reps=1; x_timeout=30s
         s_ns="1 3 10 100"; s_workers="1 2 4" ;;
full)    c_sleep="1 3 10 100 1000 10000 100000 1000000"; c_http=$c_sleep; reps=3; dur=1s; budget=60s
         py_sleep=$c_sleep; py_http="1 3 10 100 1000 10000"; py_reps=3; x_timeout=300s
         s_ns="1 3 10 100 1000"; s_budget=60s; s_workers="1 2 4" ;;
peers)   c_sleep="1000 10000 100000 1000000"; c_http="100 1000 10000"; reps=3; dur=1s; budget=60s
         peer_sleep=$c_sleep; peer_http=$c_http; x_timeout=120s ;;
tiny)    c_sleep="1 3"; c_http=$c_sleep; reps=1; dur=50ms; budget=5s
         s_ns="1 3"; s_budget=5s; s_workers="1 2" ;;
*) echo "bench.sh: unknown PROFILE=$profile (tiny, default, full, peers)" >&2; exit 2 ;;
esac
reps=${REPS:-$reps}
py_reps=${REPS:-$py_reps}
dur=${DURATION:-$dur}
budget=${BUDGET:-$budget}

# concbench takes comma-separated lists.
commas() { echo "$*" | tr ' ' ',' | tr ',' '\n' | grep -v '^$' | paste -sd, -; }

ts=$(date -u +%Y%m%dT%H%M%SZ)
out=${CB_RESULTS:-$here/results/$ts}
mkdir -p "$out"
runs=$out/runs.csv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The strategy list, its order and colours: `concbench list --tsv`. A
# strategy that is not available here (a toolchain or package missing)
# still goes into its sweeps: the harness writes `skipped` rows that name
# what is missing, so the results say it instead of leaving it out.
list=$tmp/list.tsv
"$cb" list --tsv >"$list"

# pick GROUP WORKLOAD: comma-separated names of the group (c, python, peers:
# any other language) that implement WORKLOAD, in list order; STRATEGIES, when
# set, keeps only those it names.
pick() {
    awk -F '\t' -v grp="$1" -v wl="$2" -v only=",$(commas "${STRATEGIES:-}")," '
    NR == 1 { next }
    { g = ($2 == "c" || $2 == "python") ? $2 : "peers" }
    g != grp || index("," $4 ",", "," wl ",") == 0 { next }
    only != ",," && index(only, "," $1 ",") == 0 { next }
    { printf "%s%s", (n++ ? "," : ""), $1 }
    END { if (n) print "" }' "$list"
}

echo "bench.sh: profile $profile; $reps reps (Python: $py_reps); D = L = $dur; budget $budget" >&2
echo "bench.sh: writing $out" >&2
start=$(date +%s)

# A failing sweep (one crashed run, say) must not lose the rest: its rows are
# already in runs.csv. Record the failure and go on; exit non-zero at the end.
failed=0
sweep() {
    if [ "${DRY_RUN:-0}" = 1 ]; then echo "concbench sweep $*"; return 0; fi
    echo "bench.sh: concbench sweep $*" >&2
    # The sweep's human summary goes to stderr with its progress: stdout is
    # this script's table and the report's path.
    "$cb" sweep "$@" -o "$runs" --ignore-failure >&2 || { echo "bench.sh: sweep failed (exit $?): $*" >&2; failed=1; }
}
# group GROUP WORKLOAD NS REPS [more sweep options]: one sweep of a group, if
# the profile runs that group (NS is not empty) and it has strategies; the
# environment's NS replaces the profile's N list, it does not add a group.
group() {
    [ -n "$3" ] || return 0
    g=$1 wl=$2 gns=$(commas "${NS:-$3}") greps=$4; shift 4
    st=$(pick "$g" "$wl")
    [ -n "$st" ] || return 0
    if [ "$wl" = sleep ]; then set -- -d "$dur" "$@"; else set -- --latency "$dur" --server-model event "$@"; fi
    sweep -w "$wl" -s "$st" -n "$gns" -r "$greps" --budget "$budget" "$@"
}
xt=${x_timeout:+--run-timeout $x_timeout}
for wl in sleep http; do
    case $wl in
    sleep) cns=$c_sleep pns=$py_sleep ens=$peer_sleep ;;
    *)     cns=$c_http pns=$py_http ens=$peer_http ;;
    esac
    group c "$wl" "$cns" "$reps"
    # shellcheck disable=SC2086  # $xt is two words or none
    group python "$wl" "$pns" "$py_reps" $xt
    # shellcheck disable=SC2086
    group peers "$wl" "$ens" "$reps" $xt
done
# Server comparison: the same epoll client against W blocking workers.
if [ -n "$s_workers" ] && echo ",$(pick c http)," | grep -q ',epoll,'; then
    s_ns_c=$(commas "${NS:-$s_ns}")
    for w in $s_workers; do
        sweep -w http -s epoll -n "$s_ns_c" -r "$s_reps" --latency "$dur" --budget "${BUDGET:-$s_budget}" \
            --server-model blocking --server-workers "$w"
    done
fi

[ "${DRY_RUN:-0}" = 1 ] && { rmdir "$out" 2>/dev/null || true; exit 0; }
[ -s "$runs" ] || { echo "bench.sh: no rows in $runs" >&2; exit 1; }
"$cb" summarize "$runs" -o "$out/summary.csv"
# The list of strategies as it was for this run, so the folder's charts keep
# their order and colours whatever the program says later.
"$cb" list --tsv >"$out/strategies.tsv" 2>/dev/null || true
head -n 1 "$out/strategies.tsv" | grep -q "^name$(printf '\t')" || rm -f "$out/strategies.tsv"
"$here/scripts/plot.sh" "$out" --profile "$profile" >/dev/null || { echo "bench.sh: plotting failed" >&2; failed=1; }
report=$out/REPORT.md

if [ -z "${CB_RESULTS:-}" ]; then
    # Relative link, so the results folder can be moved or copied whole.
    ln -sfn "$ts" "$here/results/latest"
fi

# Compact summary: one line per strategy, workload, server and N.
"$py" "$here/scripts/results.py" --table "$out"

echo "bench.sh: done in $(( $(date +%s) - start )) s"
echo "report: $report"
exit "$failed"
