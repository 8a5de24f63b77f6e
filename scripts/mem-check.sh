#!/bin/sh
# An independent check of concbench's memory figure, for skeptics.
#
# Usage: scripts/mem-check.sh CONCBENCH_RUN_ARGS...
#   e.g. scripts/mem-check.sh -s threads -n 10000 -d 1s
#
# Runs `build/concbench run ARGS -r 1` inside a cgroup of its own (v1
# memory hierarchy, under this shell's own cgroup, removed after), and
# meanwhile reads the run's cgroup that concbench makes, from outside,
# every 10 ms. Prints, in kB:
#   concbench   mem_kb as the row says
#   watcher     the run cgroup's memory.max_usage_in_bytes as last seen
#               by this script (the same kernel counter, read by other code)
#   outer       the peak of the cgroup around the whole command: the run
#               plus the harness itself
#               (an upper bound of the run's own peak)
# cgroup v1 only (this is what the development machines have).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${CB_BIN:-$here/build/concbench}
rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
base=/sys/fs/cgroup/memory$rel
[ -d "$base" ] || { echo "mem-check: no cgroup v1 memory hierarchy at $base" >&2; exit 1; }
outer=$base/memcheck-$$
mkdir "$outer"
out=$(mktemp -d)
cleanup() {
    [ -d "$outer" ] && { for p in $(cat "$outer/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done; rmdir "$outer" 2>/dev/null || true; }
    rm -rf "$out"
}
trap cleanup EXIT INT TERM
# The watcher: the run cgroup is $outer/../concbench-PID-SEQ (concbench
# makes it beside itself, under its own cgroup, which is $outer).
(
    best=0
    while [ ! -e "$out/done" ]; do
        for d in "$outer"/concbench-*; do
            [ -f "$d/memory.max_usage_in_bytes" ] || continue
            v=$(cat "$d/memory.max_usage_in_bytes" 2>/dev/null || echo 0)
            [ "$v" -gt "$best" ] && best=$v && echo "$best" > "$out/watch"
        done
        sleep 0.01
    done
) &
wpid=$!
sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' \
    sh "$outer" "$bin" run -q -r 1 -o "$out/row.csv" "$@" 2>"$out/err" || true
touch "$out/done"
wait "$wpid"
/usr/bin/python3 - "$out/row.csv" <<'PY'
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
print(f"row        status={r['status']} wall_s={r['wall_s']} mem_method={r['mem_method']} started={r['started']}")
print(f"concbench  mem_kb={r['mem_kb']} (user {r['mem_user_kb']}, kernel {r['mem_kernel_kb']}) baseline_kb={r['baseline_kb']} mem_per_task_b={r['mem_per_task_b']}")
PY
echo "watcher    $(( $(cat "$out/watch" 2>/dev/null || echo 0) / 1024 )) kB (run cgroup max_usage, read from outside)"
echo "outer      $(( $(cat "$outer/memory.max_usage_in_bytes") / 1024 )) kB (the whole command: run + harness)"
