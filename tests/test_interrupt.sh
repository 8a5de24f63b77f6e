#!/bin/sh
# Nothing left behind: an HTTP sweep interrupted by every signal, against
# each built-in server model, leaves no process of the run and frees the
# server's port; a catchable signal also writes an `interrupted` row and
# exits 128 + the signal.
#
# Every process the sweep starts inherits a marker in its environment, so
# "a process of the run" is found in /proc whatever its parent or group.
# Usage: CB_BIN=build/concbench sh tests/test_interrupt.sh  (run by make test)
set -u
cb=${CB_BIN:-build/concbench}
tmp=$(mktemp -d /tmp/cb-intr.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# pids_with MARK: the processes whose environment holds CB_TEST_MARK=MARK.
pids_with() {
    grep -lsxzF "CB_TEST_MARK=$1" /proc/[0-9]*/environ | sed 's|/proc/||; s|/environ||' | grep -vx "$$"
}
# port_of PIDS: a TCP port one of them listens on.
port_of() {
    for p in "$@"; do
        ss -ltnpH 2>/dev/null | grep "pid=$p," | awk '{ n = split($4, a, ":"); print a[n]; exit }'
    done | head -1
}

# one MODEL SIGNAL HOW: HOW is pid (kill the harness) or group (Ctrl-C:
# the whole foreground process group).
one() {
    model=$1 sig=$2 how=$3 mark="intr-$$-$model-$sig-$how"
    name="$model server, SIG$sig to the $how"
    rm -f "$tmp/runs.csv"
    CB_TEST_MARK=$mark setsid "$cb" sweep -q -w http -s fork,threads -n 8 -r 1 --latency 20s --budget 10m \
        --server-model "$model" --server-workers 2 -o "$tmp/runs.csv" </dev/null >/dev/null 2>"$tmp/err" &
    harness=$!
    # Wait (bounded) until the run is in flight: the server listens and the
    # measured run's processes exist.
    i=0 port=
    while [ $i -lt 100 ]; do
        pids=$(pids_with "$mark")
        [ -z "$port" ] && port=$(port_of $pids)
        [ -n "$port" ] && [ "$(echo "$pids" | wc -w)" -ge 4 ] && break
        sleep 0.05; i=$((i + 1))
    done
    [ -n "$port" ] || { not_ok "$name: the run never started"; kill -9 "$harness"; return; }
    sleep 0.5
    if [ "$how" = group ]; then kill -s "$sig" -- "-$harness"; else kill -s "$sig" "$harness"; fi
    wait "$harness"; st=$?
    # The kernel's parent-death signals and the harness's cleanup: allow 2 s.
    i=0
    while [ $i -lt 40 ] && [ -n "$(pids_with "$mark")" ]; do sleep 0.05; i=$((i + 1)); done
    left=$(pids_with "$mark")
    if [ -z "$left" ]; then ok "$name: no process of the run is left"
    else not_ok "$name: left behind: $(for p in $left; do tr '\0' ' ' </proc/$p/cmdline; echo; done)"; kill -9 $left 2>/dev/null; fi
    i=0
    while [ $i -lt 20 ] && [ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; do sleep 0.05; i=$((i + 1)); done
    if [ -z "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]; then ok "$name: port $port is free within a second"
    else not_ok "$name: port $port still listening"; fi
    if [ "$sig" = KILL ]; then
        [ "$st" -eq 137 ] && ok "$name: killed (exit $st)" || not_ok "$name: exit $st, expected 137"
        # Its run's cgroup (empty now) is removed by the next concbench run.
        cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
        "$cb" run -q -s epoll -n 1 -d 1ms --csv >/dev/null 2>&1
        if ls -d "/sys/fs/cgroup/memory$cg/concbench-$harness-"* >/dev/null 2>&1; then
            not_ok "$name: the killed run's cgroup is still there after the next run"
        else ok "$name: no cgroup of the killed run is left after the next run"; fi
        return
    fi
    case $sig in HUP) num=1 ;; INT) num=2 ;; TERM) num=15 ;; esac
    want=$((128 + num))
    [ "$st" -eq "$want" ] && ok "$name: exit $st (128 + SIG$sig)" || { not_ok "$name: exit $st, expected $want"; sed 's/^/#   /' "$tmp/err" | tail -3; }
    if tail -1 "$tmp/runs.csv" 2>/dev/null | grep -q ',interrupted,'; then ok "$name: the last row says interrupted"
    else not_ok "$name: last row: $(tail -1 "$tmp/runs.csv" 2>/dev/null)"; fi
}

command -v ss >/dev/null || { echo "ok - skipped: ss (iproute2) is missing"; echo "1 passed, 0 failed"; exit 0; }
for model in event blocking prefork; do
    for sig in INT TERM HUP KILL; do
        one "$model" "$sig" pid
    done
    one "$model" INT group
done

# A test server that dies mid-sweep is said, in the row and on stderr, and
# the sweep stops instead of measuring refusals.
mark="intr-$$-died"
CB_TEST_MARK=$mark "$cb" sweep -q -w http -s epoll,threads -n 4 -r 3 --latency 1s -o "$tmp/died.csv" \
    </dev/null >/dev/null 2>"$tmp/died.err" &
harness=$!
i=0 spid=
while [ $i -lt 100 ] && [ -z "$spid" ]; do
    for p in $(pids_with "$mark"); do
        ss -ltnpH 2>/dev/null | grep -q "pid=$p," && [ "$p" != "$harness" ] && spid=$p
    done
    sleep 0.05; i=$((i + 1))
done
sleep 1.5
[ -n "$spid" ] && kill -9 "$spid"
wait "$harness"; st=$?
if grep -q "the test server (event, pid $spid) died (killed by SIGKILL)" "$tmp/died.err" &&
    grep -q "the test server died during this run" "$tmp/died.csv" && [ "$st" -ne 0 ]; then
    ok "a test server killed mid-sweep is said (stderr, the row's note), exit $st"
else
    not_ok "a test server killed mid-sweep (pid '$spid', exit $st): $(cat "$tmp/died.err")"
fi
[ "$(grep -c '^epoll\|^threads' "$tmp/died.csv")" -lt 6 ] && ok "and the sweep stopped there" ||
    not_ok "the sweep went on after the server died"

tap_done interrupt
