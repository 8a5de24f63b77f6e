#!/bin/sh
# tests/test_reproduce.sh: `make reproduce` end to end in its quick mode
# (CB_REPRODUCE_QUICK=1: the same plan with tiny N and durations), then once
# more as a machine without gunicorn, python3-fastapi and aiohttp. Checks
# reproduce.csv (its header is columns.py's, every planned run has its row,
# in order, and every row says what happened), REPRODUCE.md's sections, the
# charts and their keys, the printed table, and that a missing package gives
# `skipped` rows naming it, never a failed reproduce. About a minute.
#
# Usage: CB_BIN=build/concbench sh tests/test_reproduce.sh
# Prints `ok - ...` / `not ok - ...` lines and `N passed, N failed`; exits 1
# when a check failed.
set -u
cd "$(dirname "$0")/.." || exit 1
CB_BIN=${CB_BIN:-build/concbench}
export CB_BIN
py=/usr/bin/python3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbtestrepro.XXXXXX")
. tests/lib.sh
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -x "$CB_BIN" ] || { echo "not ok - $CB_BIN is not built (make)"; echo "0 passed, 1 failed"; exit 1; }

q=$tmp/quick
start=$(date +%s)
if CB_REPRODUCE_QUICK=1 CB_RESULTS=$q sh scripts/reproduce.sh >"$tmp/table.txt" 2>"$tmp/err.txt"; then
    ok "quick reproduce exits 0 ($(($(date +%s) - start)) s)"
else
    not_ok "quick reproduce exits 0"; tail -n 20 "$tmp/err.txt" | sed 's/^/#   /'
fi
CB_REPRODUCE_QUICK=1 PYTHONPATH=scripts $py -m cbresults.reproduce --plan >"$tmp/plan.txt"

check "reproduce.csv's header is cbresults/columns.py's list" sh -c '
    [ "$($1 scripts/results.py --reproduce-header)" = "$(head -n 1 "$2/reproduce.csv")" ]' _ "$py" "$q"

check "every planned run has its row, in plan order, and no other row" $py - "$q/reproduce.csv" "$tmp/plan.txt" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
plan = open(sys.argv[2]).read().splitlines()
assert len(plan) > 50, "the quick plan has %d runs: the check would say little" % len(plan)
got = [r["command"] for r in rows]
missing = [c for c in plan if c not in got]
extra = [c for c in got if c not in plan]
assert not missing and not extra, "missing %s; extra %s" % (missing[:3], extra[:3])
assert got == plan, "rows out of plan order"
PY

check "every row says what happened: ok with a wall time, or a status and a note" $py - "$q/reproduce.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r["command"] for r in rows if not r["status"]
       or (r["status"] == "ok" and not float(r["ours_s"] or 0) > 0)
       or (r["status"] != "ok" and (r["ours_s"] or not r["note"].strip()))]
assert not bad, "rows that do not say what happened: %s" % bad[:5]
assert sum(r["status"] == "ok" for r in rows) >= len(rows) - 4, "too few ok rows: %s" % (
    [(r["command"], r["status"], r["note"]) for r in rows if r["status"] != "ok"][:5])
PY

check "each article experiment has its figure's row, the article's code and the C strategy of its model" $py - "$q/reproduce.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["section"] == "article"]
exps = {r["experiment"] for r in rows}
assert len(exps) >= 10, exps
for e in exps:
    roles = {(r["code"], r["role"]) for r in rows if r["experiment"] == e}
    assert ("article's", "article's code") in roles and ("ours", "C, same model") in roles, (e, roles)
same = {r["strategy"] for r in rows if r["role"] == "C, same model"}
assert {"sequential", "busypoll", "coro", "threads", "fork"} <= same, same
py = {r["strategy"] for r in rows if r["code"] == "article's"}
assert {"py-sequential", "py-busyloop", "py-generators", "py-asyncio", "py-asyncio-nolimit",
        "py-threads", "py-multiprocessing"} <= py, py
for r in rows:
    if r["ours_s"] and r["article_s"]:
        assert abs(float(r["ratio"]) - float(r["ours_s"]) / float(r["article_s"])) < 0.002, r
PY

check "HTTP rows name the server, framework and version (flask:W (Flask ..., gunicorn ...), fastapi (FastAPI ...))" $py - "$q/reproduce.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["workload"] == "http" and r["status"] == "ok"]
sv = {r["server"] for r in rows}
assert "event" in sv, sv
assert any(s.startswith("flask:2 (Flask ") and "gunicorn" in s for s in sv), sv
assert any(s.startswith("fastapi (FastAPI ") and "uvicorn" in s for s in sv), sv
assert all(not r["server"] for r in csv.DictReader(open(sys.argv[1])) if r["workload"] == "sleep")
PY

check "Flask vs FastAPI: a blocking run over the budget is a skipped row that says so, with ceil(N/W) x L" $py - "$q/reproduce.csv" <<'PY'
import csv, math, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["section"] == "flask-vs-fastapi"]
assert {r["strategy"] for r in rows} == {"py-asyncio-nolimit", "epoll"}, rows
skipped = [r for r in rows if r["status"] == "skipped"]
assert skipped and all("budget" in r["note"] for r in skipped), skipped
for r in rows:
    if r["server"].startswith("flask:"):
        w = int(r["server"].split(":")[1].split()[0])
        want = math.ceil(int(r["n"]) / w) * float(r["duration_s"])
        assert abs(float(r["expected_s"]) - want) < 1e-9, r
PY

check "REPRODUCE.md has its sections, the charts and no None or nan" sh -c '
    f=$1/REPRODUCE.md
    for s in "# The article" "## The article.s experiments" "## The 3-versus-100 experiment" \
             "## Flask vs FastAPI" "## reproduce.csv" "(article_sleep.png)" "(article_http.png)" "(flask_fastapi.png)"; do
        grep -q "$s" "$f" || { echo "no \"$s\" in $f"; exit 1; }; done
    ! grep -n -w -e None -e nan "$f"' _ "$q"

check "the charts are drawn (PNG and SVG)" sh -c '
    for c in article_sleep article_http flask_fastapi; do
        [ "$(head -c 8 "$1/$c.png" | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ] || { echo "$c.png is no PNG"; exit 1; }
        grep -q "<svg" "$1/$c.svg" || { echo "$c.svg is no SVG"; exit 1; }; done' _ "$q"

check "the article charts have a key for every colour (each strategy, the article)" $py - "$q" <<'PY'
import csv, html, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "reproduce.csv"))))
for wl in ("sleep", "http"):
    svg = html.unescape(open(os.path.join(d, "article_%s.svg" % wl)).read())
    assert "the article (its machine)" in svg, wl
    for r in rows:
        if r["section"] == "article" and r["workload"] == wl:
            key = ("article's code: " if r["code"] == "article's" else "ours: ") + r["strategy"]
            assert key in svg, "article_%s.svg: no key \"%s\"" % (wl, key)
svg = html.unescape(open(os.path.join(d, "flask_fastapi.svg")).read())
for k in ("flask:1 server", "fastapi server", "epoll client", "py-asyncio-nolimit client", "ceil(N/W) x L"):
    assert k in svg, "flask_fastapi.svg: no key \"%s\"" % k
PY

check "the printed table: article | article's code here | C here | ratio, a line per experiment, terminal-wide" $py - "$tmp/table.txt" "$q/reproduce.csv" <<'PY'
import csv, sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
head = lines[0]
for h in ("article", "article's code (py-)", "C here: same model", "C: fastest", "py/art"):
    assert h in head, (h, head)
assert max(len(l) for l in lines) <= 150, max(lines, key=len)
for e in {r["experiment"][:31] for r in csv.DictReader(open(sys.argv[2])) if r["section"] == "article"}:
    assert any(l.startswith(e) for l in lines), "no line for %s" % e
assert "Flask vs FastAPI" in text and "ceil(N/1) x L" in text
PY

# A machine without gunicorn, python3-fastapi (treated as missing) and
# aiohttp (hidden from the Python programs): skipped rows naming each.
m=$tmp/missing
if CB_REPRODUCE_QUICK=1 CB_REPRODUCE_ONLY="3 concurrent" CB_REPRODUCE_HIDE=gunicorn,python3-fastapi CB_PY_HIDE=aiohttp \
    CB_RESULTS=$m sh scripts/reproduce.sh >"$tmp/m.out" 2>"$tmp/m.err"; then
    ok "reproduce without gunicorn, python3-fastapi, aiohttp exits 0"
else
    not_ok "reproduce without gunicorn, python3-fastapi, aiohttp exits 0"; tail -n 20 "$tmp/m.err" | sed 's/^/#   /'
fi
check "missing packages give skipped rows naming them, no failed row, and the C clients still run" $py - "$m/reproduce.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) >= 10, len(rows)
assert not [r for r in rows if r["status"] in ("failed", "crashed", "timeout")], rows
for r in rows:
    if r["server"].startswith("flask"):
        assert r["status"] == "skipped" and "gunicorn" in r["note"], r
    elif r["server"].startswith("fastapi"):
        assert r["status"] == "skipped" and "python3-fastapi" in r["note"], r
    elif r["strategy"].startswith("py-asyncio"):
        assert r["status"] == "skipped" and "python3-aiohttp" in r["note"], r
    else:
        assert r["status"] == "ok", r
assert any(r["status"] == "ok" for r in rows)
PY

tap_done reproduce
