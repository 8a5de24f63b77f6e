#!/bin/sh
# Throughput with L = 0: N requests over C kept-alive connections, by
# concbench's strategies against concbench's event server and against
# nginx, next to wrk against the same two servers in the same session.
# Everything binds and connects to 127.0.0.1 only.
#
# Usage: scripts/throughput.sh [N] [C]      (default N = 100000, C = 100)
# Installs (Debian): nginx-light, wrk. Writes throughput.csv and prints a table.
# Environment: CB_BIN (default build/concbench), CB_RESULTS (output folder),
#   STRATEGIES (default "epoll coro threads"), REPS (default 3), SECONDS (wrk, 5).
#
# Both servers get one worker (one core) so that the comparison is between
# servers of the same shape; wrk uses 2 threads (-t2), as the issue asks.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cb=${CB_BIN:-$here/build/concbench}
n=${1:-100000}
c=${2:-100}
reps=${REPS:-3}
secs=${SECONDS_WRK:-5}
strategies=${STRATEGIES:-epoll coro threads}
out=${CB_RESULTS:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)-throughput}
[ -x "$cb" ] || { echo "throughput.sh: $cb not found; run make first" >&2; exit 1; }
CONCBENCH_DEPS_EXTRA="nginx-light wrk" "$here/scripts/install-deps.sh"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbthr.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A free port on 127.0.0.1 (bound and released; a race is unlikely here).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
    i=0
    while ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 50 ] || { echo "throughput.sh: nothing listens on port $1" >&2; exit 1; }
        sleep 0.1
    done
}

# concbench's test server: event model, L = 0, 64-byte body.
p_cb=$(free_port)
"$cb" serve --server-model event --latency 0 --port "$p_cb" 2>"$tmp/serve.log" &
pids="$pids $!"
# nginx serving the same 64 bytes with the same X-Checksum, one worker.
p_ng=$(free_port)
mkdir -p "$tmp/www"
# nginx's workers drop root for an unprivileged user: let them read the body.
chmod 755 "$tmp" "$tmp/www"
sum=$(python3 - "$tmp/www/body" <<'PY'
import sys
body = bytes(ord('A') + i % 61 for i in range(64))   # strategies/body.h
open(sys.argv[1], 'wb').write(body)
h = 0xcbf29ce484222325
for b in body:
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print('%016x' % h)
PY
)
cat > "$tmp/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$p_ng;
        location / {
            root $tmp/www;
            default_type application/octet-stream;
            add_header X-Checksum $sum;
            try_files /body =404;
        }
    }
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids="$pids $!"
wait_port "$p_cb"
wait_port "$p_ng"

csv=$out/throughput.csv
echo "client,server,requests,connections,rep,wall_s,requests_per_s,status,errors" > "$csv"
for srv in concbench nginx; do
    [ $srv = concbench ] && port=$p_cb || port=$p_ng
    url=http://127.0.0.1:$port/
    for s in $strategies; do
        for r in $(seq 1 "$reps"); do
            row=$("$cb" run -q --csv -s "$s" -w http -u "$url" -n "$n" --max-in-flight "$c" | tail -n 1)
            wall=$(echo "$row" | cut -d, -f10)
            st=$(echo "$row" | cut -d, -f9)
            errs=$(echo "$row" | cut -d, -f29)
            rps=$(awk -v n="$n" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", n / w }')
            echo "$s,$srv,$n,$c,$r,$wall,$rps,$st,$errs" >> "$csv"
            echo "concbench $s -> $srv: $rps requests/s ($st)" >&2
        done
    done
    for r in $(seq 1 "$reps"); do
        w=$(wrk -t2 -c"$c" -d"${secs}s" "$url" 2>&1)
        rps=$(echo "$w" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
        total=$(echo "$w" | awk '/requests in/ { print $1 }')
        errs=$(echo "$w" | awk '/Non-2xx/ { e += $NF } /Socket errors/ { for (i = 3; i <= NF; i += 2) e += $(i + 1) } END { print e + 0 }')
        st=ok
        [ "$errs" -eq 0 ] || st=errors
        echo "wrk -t2,$srv,$total,$c,$r,$secs,$rps,$st,$errs" >> "$csv"
        echo "wrk -t2 -c$c -> $srv: $rps requests/s" >&2
    done
done

echo
echo "Throughput, L = 0, $n requests over $c kept-alive connections (medians of $reps):"
awk -F, 'NR > 1 { k = $1 " -> " $2; v[k] = v[k] " " $7; if ($8 != "ok") bad[k] = 1
                 if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
    END {
        for (i = 1; i <= m; i++) {
            k = order[i]; c = split(v[k], a, " ")
            for (x = 1; x <= c; x++) for (y = x + 1; y <= c; y++) if (a[y] + 0 < a[x] + 0) { t = a[x]; a[x] = a[y]; a[y] = t }
            printf "  %-26s %10s requests/s%s\n", k, a[int((c + 1) / 2)], (k in bad ? "  (ERRORS: see the CSV)" : "")
        }
    }' "$csv"
echo "written: $csv"
