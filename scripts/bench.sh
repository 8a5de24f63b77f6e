#!/bin/sh
# The benchmark sweep behind `make bench`: every strategy on the sleep and
# HTTP workloads across N, then a blocking-versus-event server comparison;
# then the summary, the charts and REPORT.md. Progress goes to stderr.
#
# Usage: scripts/bench.sh            (make bench)
# Environment:
#   PROFILE     default | full | tiny                        (default: default)
#   STRATEGIES  space- or comma-separated strategy names      (default: all, from `concbench list`)
#   NS          space- or comma-separated task counts         (per profile)
#   REPS        repetitions per configuration                 (per profile)
#   DURATION    D of each sleep and L of the test server      (per profile; 1s, 50ms, 2.5s)
#   BUDGET      skip runs expected to take longer than this   (per profile)
#   CB_BIN      the concbench program                         (default: build/concbench)
#   CB_RESULTS  output folder (default: results/<UTC timestamp>, and results/latest points to it)
#
# Profiles:
#   default  N = 1 3 10 100 1000 10000, 3 repetitions, D = L = 1 s, budget 5 s;
#            server comparison: epoll client, blocking server W = 1, 2, 4,
#            N = 1 3 10 100, 1 repetition, budget 6 s. Measured: 300 s on 2
#            cores with budget 12 s there, under load (load average 24 at the
#            start); about 4.5 minutes with these budgets. Where the time goes:
#            the concurrent strategies take >= 1 s per run whatever N, so
#            5 strategies x 6 N x 3 reps x 2 workloads >= 180 s, plus
#            more at N = 10000 (fork spawning, 10k HTTP connections), ~60 s.
#            Sequential takes N x D: with a 5 s budget it runs N = 1 and 3
#            (4 s x 3 reps x 2 workloads = 24 s) and N >= 10 become "skipped"
#            rows that say so. The blocking server takes ceil(N/W) x L: budget
#            6 s runs W=1: N<=3, W=2 and W=4: N<=10 (4 + 8 + 5 = 17 s) and
#            skips the rest. The event server's side of that chart is the main
#            HTTP sweep's epoll rows (same client, same N).
#   full     N up to 1 000 000, 3 repetitions, D = L = 1 s, budget 60 s;
#            limits and the budget turn what a strategy cannot do into rows.
#   tiny     N = 1 3, 1 repetition, D = L = 50 ms, for the test suite.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cb=${CB_BIN:-$here/build/concbench}
profile=${PROFILE:-default}
[ -x "$cb" ] || { echo "bench.sh: $cb not found; run make first" >&2; exit 1; }

case "$profile" in
default) p_ns="1 3 10 100 1000 10000";  p_reps=3; p_dur=1s;   p_budget=5s
         s_ns="1 3 10 100"; s_reps=1; s_budget=6s; s_workers="1 2 4" ;;
full)    p_ns="1 3 10 100 1000 10000 100000 1000000"; p_reps=3; p_dur=1s; p_budget=60s
         s_ns="1 3 10 100 1000"; s_reps=1; s_budget=60s; s_workers="1 2 4" ;;
tiny)    p_ns="1 3"; p_reps=1; p_dur=50ms; p_budget=5s
         s_ns="1 3"; s_reps=1; s_budget=5s; s_workers="1 2" ;;
*) echo "bench.sh: unknown PROFILE=$profile (default, full, tiny)" >&2; exit 2 ;;
esac
ns=${NS:-$p_ns}
reps=${REPS:-$p_reps}
dur=${DURATION:-$p_dur}
budget=${BUDGET:-$p_budget}
strategies=${STRATEGIES:-$("$cb" list --tsv | awk -F"\t" 'NR > 1 && $3 == "c" && $5 == "yes" { print $1 }')}

# concbench takes comma-separated lists.
commas() { echo "$*" | tr ', ' '\n\n' | grep -v '^$' | paste -sd, -; }
ns_c=$(commas "$ns")
st_c=$(commas "$strategies")

ts=$(date -u +%Y%m%dT%H%M%SZ)
out=${CB_RESULTS:-$here/results/$ts}
mkdir -p "$out"
runs=$out/runs.csv
echo "bench.sh: profile $profile: strategies $st_c; N $ns_c; $reps reps; D = L = $dur; budget $budget" >&2
echo "bench.sh: writing $out" >&2
start=$(date +%s)

# A failing sweep (one crashed run, say) must not lose the rest: its rows are
# already in runs.csv. Record the failure and go on; exit non-zero at the end.
failed=0
sweep() {
    echo "bench.sh: concbench sweep $*" >&2
    "$cb" sweep "$@" -o "$runs" --ignore-failure || { echo "bench.sh: sweep failed (exit $?): $*" >&2; failed=1; }
}
sweep -w sleep -s "$st_c" -n "$ns_c" -r "$reps" -d "$dur" --budget "$budget"
sweep -w http -s "$st_c" -n "$ns_c" -r "$reps" --latency "$dur" --budget "$budget" --server-model event
# Server comparison: the same epoll client against W blocking workers.
if [ -z "${STRATEGIES:-}" ] || echo ",$st_c," | grep -q ',epoll,'; then
    s_ns_c=$(commas "${NS:-$s_ns}")
    for w in $s_workers; do
        sweep -w http -s epoll -n "$s_ns_c" -r "$s_reps" --latency "$dur" --budget "${BUDGET:-$s_budget}" \
            --server-model blocking --server-workers "$w"
    done
fi

[ -s "$runs" ] || { echo "bench.sh: no rows in $runs" >&2; exit 1; }
"$cb" summarize "$runs" -o "$out/summary.csv"
"$here/scripts/plot.sh" "$out" >/dev/null || { echo "bench.sh: plotting failed" >&2; failed=1; }
report=$(python3 "$here/scripts/report.py" "$out" --profile "$profile")

if [ -z "${CB_RESULTS:-}" ]; then
    # Relative link, so the results folder can be moved or copied whole.
    ln -sfn "$ts" "$here/results/latest"
fi

# Compact summary: one line per strategy, workload, server and N.
awk -v FS=, "$(cat "$here/scripts/csv.awk")"'
function bytes(v) {
    if (v == "") return "-"
    v += 0  # fields built by concatenation are strings: compare as numbers
    if (v >= 1048576) return sprintf("%.1f MiB", v / 1048576)
    if (v >= 1024) return sprintf("%.1f KiB", v / 1024)
    return sprintf("%.0f B", v)
}
NR == 1 { nh = csvsplit($0, h); for (i = 1; i <= nh; i++) c[h[i]] = i
          printf "%-10s %-5s %-10s %8s %10s %10s  %s\n", "strategy", "work", "server", "n", "wall_s", "mem/task", "status"
          next }
{ csvsplit($0, f)
  w = f[c["wall_med_s"]]
  printf "%-10s %-5s %-10s %8s %10s %10s  %s%s\n", f[c["strategy"]], f[c["workload"]], f[c["server"]], f[c["n"]],
         (w == "" ? "-" : sprintf("%.3f", w)), bytes(f[c["mem_per_task_med_b"]]), f[c["status"]],
         (f[c["noisy"]] == "1" ? " (noisy)" : "") }
' "$out/summary.csv"

echo "bench.sh: done in $(( $(date +%s) - start )) s"
echo "report: $report"
exit "$failed"
