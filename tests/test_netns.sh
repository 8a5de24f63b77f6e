#!/bin/sh
# The README's "client and server on two machines" recipe, exactly, across
# two network namespaces joined by a veth pair: the server namespace has
# 10.200.0.1/30, the client namespace 10.200.0.2/30; the addresses exist only
# inside them. The test makes both and removes both, whatever happens.
# Needs root and iproute2; skipped with a message otherwise.
# Usage: CB_BIN=build/concbench sh tests/test_netns.sh   (POSIX sh)
set -u
cb=$(cd "$(dirname "${CB_BIN:-build/concbench}")" && pwd)/$(basename "${CB_BIN:-build/concbench}")
. "$(dirname "$0")/lib.sh"
skip_all() { # the whole test: it cannot run here
    echo "ok - # SKIP $1"
    echo "netns: 0 passed, 0 failed (skipped: $1)"
    exit 0
}
[ "$(id -u)" -eq 0 ] || skip_all "needs root (ip netns)"
command -v ip >/dev/null 2>&1 || skip_all "needs iproute2 (ip)"
srv=cb-srv-$$ cli=cb-cli-$$
tmp=$(mktemp -d /tmp/cb-netns.XXXXXX)
srv_pid=
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    ip netns del "$srv" 2>/dev/null
    ip netns del "$cli" 2>/dev/null # deleting a namespace removes its veth end, and the pair
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ip netns add "$srv" 2>"$tmp/err" || skip_all "cannot make a network namespace: $(cat "$tmp/err")"
ip netns add "$cli" &&
    ip link add "vs$$" netns "$srv" type veth peer name "vc$$" netns "$cli" &&
    ip -n "$srv" addr add 10.200.0.1/30 dev "vs$$" &&
    ip -n "$cli" addr add 10.200.0.2/30 dev "vc$$" &&
    ip -n "$srv" link set "vs$$" up && ip -n "$cli" link set "vc$$" up &&
    ip -n "$srv" link set lo up && ip -n "$cli" link set lo up ||
    { not_ok "set up two namespaces joined by a veth pair"; echo "netns: $pass passed, 1 failed"; exit 1; }
ok "two namespaces joined by a veth pair (10.200.0.1/30, 10.200.0.2/30)"

# server machine
ip netns exec "$srv" "$cb" serve --listen 10.200.0.1 --port 8080 --latency 50ms 2>"$tmp/serve.err" &
srv_pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'listening on' "$tmp/serve.err" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
grep -q 'listening on http://10.200.0.1:8080' "$tmp/serve.err" && ok "the server listens on 10.200.0.1:8080 in its namespace" ||
    not_ok "the server did not start: $(cat "$tmp/serve.err")"
# Not reachable from outside the namespaces: the address is theirs alone.
if ! ip -o addr show 2>/dev/null | grep -q '10\.200\.0\.'; then ok "10.200.0.0/30 exists only inside the namespaces"
else not_ok "10.200.0.0/30 is visible outside the namespaces"; fi

# client machine
ip netns exec "$cli" "$cb" run -s epoll -w http -n 1000 -u http://10.200.0.1:8080/ -r 3 --csv >"$tmp/run.csv" 2>"$tmp/run.err"
rc=$?
[ "$rc" -eq 0 ] && ok "run -s epoll -w http -n 1000 -u http://10.200.0.1:8080/ -r 3 (exit 0)" ||
    { not_ok "run against the other namespace exited $rc"; sed 's/^/#   /' "$tmp/run.err" | tail -5; }
[ "$(grep -c ',http,1000,.*,external,[123],ok,' "$tmp/run.csv")" -eq 3 ] && ok "3 rows, each ok: 1000 verified GETs" ||
    { not_ok "the rows were not 3 x ok"; cut -c1-160 "$tmp/run.csv" | sed 's/^/#   /'; }
grep -q 'probe: ' "$tmp/run.csv" && ok "the rows say the probed latency" || not_ok "no probe figure in the rows"
# Every GET waited the server's 50 ms: the fastest run took at least that.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { if ($c["wall_s"] < 0.05) bad = 1 } END { exit bad }' "$tmp/run.csv" &&
    ok "every run took at least the server's 50 ms" || not_ok "a run was faster than the server's latency"
ip netns exec "$cli" "$cb" sweep -s epoll,coro,threads -n 10,100,1000 -u http://10.200.0.1:8080/delay/50 --csv >"$tmp/sweep.csv" 2>"$tmp/sweep.err"
rc=$?
[ "$rc" -eq 0 ] && ok "sweep -s epoll,coro,threads -n 10,100,1000 -u http://10.200.0.1:8080/delay/50 (exit 0)" ||
    { not_ok "the sweep exited $rc"; sed 's/^/#   /' "$tmp/sweep.err" | tail -5; }
[ "$(grep -c ',ok,' "$tmp/sweep.csv")" -eq 27 ] && ok "27 rows ok (3 strategies x 3 N x 3 repetitions)" ||
    { not_ok "$(grep -c ',ok,' "$tmp/sweep.csv") rows ok, not 27"; grep -v ',ok,' "$tmp/sweep.csv" | cut -c1-200 | sed 's/^/#   /' | head -5; }
tap_done netns
