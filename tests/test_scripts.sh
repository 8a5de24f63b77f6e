#!/bin/sh
# Tests of the user-facing glue: the results pipeline (scripts/results.py and
# scripts/cbresults), plot.sh with every plots/*.gp, and, once build/concbench
# exists, `concbench summarize` on a fixture and `make bench` end to end with
# the tiny profile. The fixtures are real concbench output
# (tests/fixtures/make-fixtures.sh); the strategy list is tests/fixtures/list.tsv.
# Usage (from the repo root): tests/test_scripts.sh
# Prints "ok - ...", "not ok - ..." or "skip - ..." per check, then
# "scripts: N passed, N failed"; exits non-zero if anything failed.
set -u

cb=${CB_BIN:-build/concbench}
py=/usr/bin/python3
fx=tests/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbtest.XXXXXX")
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$tmp"' EXIT INT TERM
CB_LIST_TSV=$fx/list.tsv
export CB_LIST_TSV


# png_size FILE: prints "WIDTHxHEIGHT" from the IHDR chunk (bytes 16-23, big-endian).
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ for (i = 1; i <= NF; i++) b[++n] = $i }
        END { printf "%dx%d\n", ((b[1]*256+b[2])*256+b[3])*256+b[4], ((b[5]*256+b[6])*256+b[7])*256+b[8] }'
}
is_png() {
    [ -s "$1" ] || { echo "$1: missing or empty"; return 1; }
    [ "$(od -An -c -j1 -N3 "$1" | tr -d ' ')" = "PNG" ] || { echo "$1: not a PNG"; return 1; }
    sz=$(png_size "$1"); [ "$sz" = "$2" ] || { echo "$1: $sz, expected $2"; return 1; }
}
is_svg() { [ -s "$1" ] && grep -q '<svg' "$1" || { echo "$1: missing or not SVG"; return 1; }; }
# The size a chart asks for: 1000 x height (charts.txt), 600 unless it says.
size_of() { h=$(grep "^$1	" "$2/plotdata/charts.txt" | grep -o "height=[0-9]*" | cut -d= -f2); echo "1000x${h:-600}"; }

# --- the pipeline and plot.sh on the fixtures -----------------------------------
d=$tmp/fx; mkdir -p "$d"; cp "$fx"/runs.csv "$fx"/summary.csv "$fx"/machine.txt "$fx"/reproduce.csv "$d"/
[ -f "$fx/raw.csv" ] && cp "$fx/raw.csv" "$d"/
check "plot.sh draws the fixture folder" sh scripts/plot.sh "$d" --profile default
# The same data as a peers run: the cross-runtime chart too.
p=$tmp/peers; mkdir -p "$p"; cp "$d"/*.csv "$d"/machine.txt "$p"/
check "plot.sh draws the fixture folder as PROFILE=peers" sh scripts/plot.sh "$p" --profile peers
for f in "$d" "$p"; do
    while IFS="$(printf '\t')" read -r name gp _; do
        if is_png "$f/$name.png" "$(size_of "$name" "$f")" >"$tmp/why" 2>&1 && is_svg "$f/$name.svg" >>"$tmp/why" 2>&1; then
            ok "$gp renders $(basename "$f")/$name.png ($(size_of "$name" "$f")) and .svg"
        else not_ok "$gp renders $(basename "$f")/$name.png and .svg"; sed 's/^/#   /' "$tmp/why"; fi
    done <"$f/plotdata/charts.txt"
done
# Every chart script is drawn by some folder above (or said why not).
for gp in plots/*.gp; do
    g=$(basename "$gp")
    # flask_fastapi.gp: drawn by cbresults/reproduce.py, checked by tests/test_reproduce.sh.
    case $g in common.gp|micro.gp|flask_fastapi.gp) continue ;; esac
    if [ "$g" = cdf.gp ] && [ ! -f "$fx/raw.csv" ]; then
        skip "cdf.gp: no tests/fixtures/raw.csv (concbench has no --raw yet: rerun make-fixtures.sh when it has)"; continue
    fi
    if [ "$g" = latency.gp ] && ! $py -c 'import csv, sys; sys.exit(not any(r.get("lat_p50_s") for r in csv.DictReader(open(sys.argv[1]))))' "$fx/runs.csv"; then
        skip "latency.gp: the fixture runs have no lat_p50_s yet (the meter fills it: rerun make-fixtures.sh)"; continue
    fi
    cut -f2 "$d/plotdata/charts.txt" "$p/plotdata/charts.txt" | grep -qx "$g" && ok "$g is drawn from the fixtures" ||
        not_ok "$g is drawn by no fixture folder (add data for it to tests/fixtures)"
done
for c in wall_sleep wall_http mem_sleep mem_http memsplit_sleep memsplit_http cpu_sleep finish_http limits servers article; do
    [ -s "$d/$c.png" ] && ok "the fixture folder has $c.png" || not_ok "the fixture folder has $c.png"
done
[ -s "$p/runtimes_sleep.png" ] && ok "PROFILE=peers draws runtimes_sleep.png" || not_ok "PROFILE=peers draws runtimes_sleep.png"

# A folder with only reproduce.csv (what `make reproduce` writes) gets the article chart and REPRODUCE.md.
r=$tmp/rep; mkdir -p "$r"; cp "$fx"/reproduce.csv "$r"/
if sh scripts/plot.sh "$r" >/dev/null 2>"$tmp/err" && is_png "$r/article.png" 1000x600 >"$tmp/why" 2>&1; then
    ok "plot.sh draws a reproduce-only folder"
else not_ok "plot.sh draws a reproduce-only folder"; sed 's/^/#   /' "$tmp/err" "$tmp/why"; fi
check "REPRODUCE.md has 9 rows and the 41.8 s finding" sh -c '
    [ "$(grep -c "| \`concbench run" "$1/REPRODUCE.md")" -eq 9 ] &&
    grep -q "closest to the article.s 41.800 s is \"100 concurrent GETs, blocking W=2\"" "$1/REPRODUCE.md" &&
    ! grep -q -w -e nan -e None "$1/REPRODUCE.md"' _ "$r"
check "the article chart has a key for every strategy colour" sh -c '
    for s in $($3 -c "import csv, sys; print(\" \".join({r[\"strategy\"] for r in csv.DictReader(open(sys.argv[1]))}))" "$1"); do
        grep -q "ours: $s" "$2/article.svg" || { echo "no key for $s"; exit 1; }; done' _ "$fx/reproduce.csv" "$r" "$py"

# --- what the charts are given: only runs that did all their work ---------------
check "no chart's data has a figure of a run that is not ok (limit, skipped, errors...)" $py - "$d" "$fx/summary.csv" <<'PY'
import csv, os, sys
d, summary = sys.argv[1], sys.argv[2]
bad = {(r["strategy"], r["workload"], r["server"], r["n"]) for r in csv.DictReader(open(summary)) if r["status"] != "ok"}
assert bad, "the fixture has no row that is not ok: the check would assert nothing"
seen = 0
for r in csv.DictReader(open(os.path.join(d, "plotdata", "main.tsv")), delimiter="\t"):
    if (r["strategy"], r["workload"], r["server"], r["n"]) in bad:
        seen += 1
        figures = {k: v for k, v in r.items() if k.endswith(("_s", "_kb", "_b")) and k != "duration_s" and v}
        assert not figures, "%s has figures %s" % (r, figures)
assert seen == len([b for b in bad if b[2].split(":")[0] not in ("blocking", "prefork", "flask")]), seen
for name in os.listdir(os.path.join(d, "plotdata")):
    if name.startswith(("memsplit_", "cdf_")):
        wl = name.split("_")[1].split(".")[0]
        for r in csv.DictReader(open(os.path.join(d, "plotdata", name)), delimiter="\t"):
            n = r.get("n")
            assert not any(b[0] == r["strategy"] and b[1] == wl and (n is None or b[3] == n) for b in bad), (name, r)
for r in csv.DictReader(open(os.path.join(d, "plotdata", "servers.tsv")), delimiter="\t"):
    assert r["status"] == "ok" or not r["wall_med_s"], r
print("ok: %d rows not ok, none with a figure" % seen)
PY
check "styles.gp takes every colour from the strategy list, and no .gp or pipeline file keeps a copy of it" sh -c '
    tail -n +2 "$1" | awk -F "\t" "{ print \$1, \$7 }" | while read -r name color; do
        grep -q "s eq .$name. ? 0x${color#\#}" "$2/plotdata/styles.gp" || { echo "no colour $color for $name"; exit 1; }
        if grep -l -w -e "$name" plots/*.gp scripts/cbresults/*.py scripts/results.py scripts/plot.sh; then
            echo "the name $name is written in the files above"; exit 1; fi
    done' _ "$CB_LIST_TSV" "$d"

# --- REPORT.md ----------------------------------------------------------------
rep=$d/REPORT.md
missing=""
for s in $(tail -n +2 "$fx/runs.csv" | cut -d, -f1 | sort -u); do
    grep -q "$s" "$rep" || missing="$missing $s"
done
[ -z "$missing" ] && ok "REPORT.md names every strategy of the fixture" || not_ok "REPORT.md lacks:$missing"
if grep -n -w -e nan -e NaN -e None -e inf "$rep" >"$tmp/bad"; then
    not_ok "REPORT.md has no nan/None"; sed 's/^/#   /' "$tmp/bad" | head -5
else ok "REPORT.md has no nan/None"; fi
check "REPORT.md links every chart drawn" sh -c '
    for p in "$1"/*.png; do n=$(basename "$p"); grep -q "]($n)" "$1/REPORT.md" || { echo "no link to $n"; exit 1; }; done' _ "$d"
check "REPORT.md: the limit and its reason, the skip, the busy loop, the servers, every noisy row" sh -c '
    grep -q "threads (http) stopped with status limit from N=100 on: EMFILE" "$1" &&
    grep -q "RLIMIT_NOFILE=128" "$1" && grep -q "largest N that completed: 10" "$1" &&
    grep -q "sequential (sleep) was skipped from N=10 on: expected 500 ms > budget 300 ms" "$1" &&
    grep -q "busypoll (sleep) used CPU time" "$1" && grep -q "ceil(10/2) x 0.05 s = 0.250 s" "$1" || exit 1
    tail -n +2 "$2" | awk -F, "\$14 == 1 { print \$1 \", \" \$2 }" | while read -r k; do
        grep -q "Noisy: $k" "$1" || { echo "noisy $k not stated"; exit 1; }; done' _ "$rep" "$fx/summary.csv"
check "REPORT.md ranks memory per task only where N >= 1,000 (and does at N = 1,000)" sh -c '
    grep "least memory" "$1" > "$2/rank"; [ -s "$2/rank" ] || { echo "no ranking at all"; exit 1; }
    if grep -v "^- [a-z]*, N=[0-9] [0-9][0-9][0-9]" "$2/rank"; then echo "ranked below N = 1 000"; exit 1; fi' _ "$rep" "$tmp"
check "REPORT.md writes small differences with their precision (never \"within 0%\")" sh -c '
    ! grep -n -e "within 0%" -e " 0% above" -e " 0% below" "$1" && grep -q "[0-9]\.[0-9]*% above" "$1"' _ "$rep"
check "REPORT.md has the memory tables (whole run, per task, user/kernel at one N) with the method" sh -c '
    grep -q "memory, whole run: peak of every process, user + kernel" "$1" &&
    grep -q "memory per task: (peak - baseline) / tasks started" "$1" &&
    grep -q "user and kernel memory per task at N=1 000" "$1" && grep -q "| method |" "$1"' _ "$rep"
check "REPORT.md: a listed strategy not available and not run is named with the list's reason; one the harness skipped, with its row's" sh -c '
    grep -q "Not available on this machine, so not run: .rust-tokio. (cargo is not installed)" "$1" &&
    grep -q "go-goroutines (sleep) was skipped from N=1 on: .*go-goroutines is missing" "$1"' _ "$rep"
check "results.py --table prints one line per configuration" sh -c '
    [ "$($3 scripts/results.py --table "$1" | wc -l)" -eq "$(wc -l < "$2")" ]' _ "$d" "$fx/summary.csv" "$py"
check "results.py works without a strategy list (names in file order, a warning)" sh -c '
    printf "" > "$1/empty.tsv"; cp -r "$2" "$1/nolist"; rm -rf "$1/nolist/plotdata"
    CB_LIST_TSV=$1/empty.tsv CB_BIN=/nonexistent $3 scripts/results.py "$1/nolist" 2>&1 | grep -q "no strategy list" &&
    [ -s "$1/nolist/REPORT.md" ]' _ "$tmp" "$d" "$py"

# --- the README's column table is columns.h's ----------------------------------
check "README.md lists every CSV column as harness/cli/columns.h says" sh -c '
    sh scripts/columns-table.sh > "$1/cols.want"
    awk "/^### \`runs.csv\` columns/ { on = 1; next } /^### / { on = 0 } on" README.md |
        grep "^| \`" > "$1/cols.got"
    diff "$1/cols.want" "$1/cols.got"' sh "$tmp"

check "reproduce.csv's columns: one list (cbresults/columns.py) for the header, the rows and the table" sh -c '
    [ "$($2 scripts/results.py --reproduce-header)" = "$(head -n 1 "$1")" ] &&
    [ "$(sh scripts/columns-table.sh --reproduce | cut -d"\`" -f2 | paste -sd, -)" = "$(head -n 1 "$1")" ]' _ "$fx/reproduce.csv" "$py"
if [ -r harness/cli/summary_columns.h ]; then
    check "columns-table.sh --summary names every column of a summary, in order" sh -c '
        [ "$(sh scripts/columns-table.sh --summary | cut -d"\`" -f2 | paste -sd, -)" = "$(head -n 1 "$1")" ]' _ "$fx/summary.csv"
else skip "columns-table.sh --summary: no harness/cli/summary_columns.h yet"; fi

# --- with the program: summarize and make bench --------------------------------
if [ ! -x "$cb" ]; then
    skip "concbench summarize on the fixture ($cb not built)"
    skip "make bench PROFILE=tiny end to end ($cb not built)"
else
    s=$tmp/summary.csv
    if "$cb" summarize "$fx/runs.csv" -o "$s" 2>"$tmp/err"; then
        check "summarize: median/min/max wall and noisy of every all-ok configuration, computed here from runs.csv" \
            $py - "$fx/runs.csv" "$s" <<'PY'
import csv, statistics, sys
runs = list(csv.DictReader(open(sys.argv[1])))
key = lambda r: tuple(r[k] for k in ("strategy", "workload", "n", "max_in_flight", "server"))
by = {}
for r in runs:
    by.setdefault(key(r), []).append(r)
checked = noisy = 0
for s in csv.DictReader(open(sys.argv[2])):
    g = by[key(s)]
    if not all(r["status"] == "ok" for r in g):
        continue
    w = [float(r["wall_s"]) for r in g]
    for col, want in (("wall_med_s", statistics.median(w)), ("wall_min_s", min(w)), ("wall_max_s", max(w))):
        assert abs(float(s[col]) - want) < 1e-6, (key(s), col, s[col], want)
    assert s["noisy"] == ("1" if max(w) / min(w) > 1.25 else "0"), (key(s), w, s["noisy"])
    checked += 1; noisy += s["noisy"] == "1"
assert checked > 20 and noisy > 0, (checked, noisy)
print("ok: %d configurations, %d noisy" % (checked, noisy))
PY
        check "summarize: one row per configuration, limit and skipped statuses kept" sh -c '
            [ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] && grep -q "^threads,http,100,.*,limit," "$1" &&
            grep -q "^sequential,sleep,10,.*,skipped," "$1"' _ "$s" "$fx/summary.csv"
    else
        not_ok "concbench summarize $fx/runs.csv"; sed 's/^/#   /' "$tmp/err" | head -5
    fi
    # The profiles pick strategies by language and workload from the list (a
    # concbench whose `list --tsv` is the fixture's; DRY_RUN prints the sweeps).
    printf '#!/bin/sh\nif [ "$1" = list ] && [ "${2:-}" = --tsv ]; then cat "%s"; exit 0; fi\nexec "%s" "$@"\n' \
        "$PWD/$fx/list.tsv" "$PWD/$cb" >"$tmp/fakecb"; chmod +x "$tmp/fakecb"
    check "PROFILE=default: C and Python sweeps, by workload, Python to 10,000 sleeps and 1,000 GETs; no peers" sh -c '
        o=$(CB_BIN=$1/fakecb DRY_RUN=1 PROFILE=default CB_RESULTS=$1/dry sh scripts/bench.sh 2>/dev/null); echo "$o"
        echo "$o" | grep -qx "concbench sweep -w sleep -s py-sequential,py-asyncio,py-threads -n 1,100,10000 -r 1 .*" &&
        echo "$o" | grep -qx "concbench sweep -w http -s py-sequential,py-asyncio,py-asyncio-nolimit,py-threads -n 1,100,1000 -r 1 .*" &&
        echo "$o" | grep -qx "concbench sweep -w sleep -s sequential,threads,fork,epoll,coro,busypoll -n 1,3,10,100,1000,10000 -r 3 .*" &&
        ! echo "$o" | grep -q go-goroutines' _ "$tmp"
    # This harness writes `skipped` rows for a strategy that is not available
    # (the fixture has go-goroutines' rows): so the peers are passed to it.
    check "PROFILE=peers: C and peers at 1,000 to 1,000,000 sleeps and 100 to 10,000 GETs, no Python, no server comparison" sh -c '
        o=$(CB_BIN=$1/fakecb DRY_RUN=1 PROFILE=peers CB_RESULTS=$1/dry sh scripts/bench.sh 2>/dev/null); echo "$o"
        echo "$o" | grep -q "^concbench sweep -w sleep -s sequential,threads,fork,epoll,coro,busypoll -n 1000,10000,100000,1000000 " &&
        echo "$o" | grep -q "^concbench sweep -w sleep -s go-goroutines,rust-tokio -n 1000,10000,100000,1000000 " &&
        echo "$o" | grep -q "^concbench sweep -w http -s .* -n 100,1000,10000 " &&
        ! echo "$o" | grep -q -e py- -e blocking' _ "$tmp"
    check "NS= replaces the N lists of the profile's groups, and adds none (PROFILE=peers NS=\"1000 10000\")" sh -c '
        o=$(CB_BIN=$1/fakecb DRY_RUN=1 PROFILE=peers NS="1000 10000" CB_RESULTS=$1/dry sh scripts/bench.sh 2>/dev/null); echo "$o"
        [ "$(echo "$o" | grep -c " -n 1000,10000 ")" -eq 4 ] && ! echo "$o" | grep -q py-' _ "$tmp"
    check "PROFILE=tiny: C only" sh -c '
        o=$(CB_BIN=$1/fakecb DRY_RUN=1 PROFILE=tiny CB_RESULTS=$1/dry sh scripts/bench.sh 2>/dev/null); echo "$o"
        [ -n "$o" ] && ! echo "$o" | grep -q -e py- -e go-' _ "$tmp"
    b=$tmp/bench
    if PROFILE=tiny CB_RESULTS=$b CB_BIN=$cb make -s bench >"$tmp/bench.out" 2>"$tmp/bench.err"; then
        ok "make bench PROFILE=tiny runs end to end"
    else
        not_ok "make bench PROFILE=tiny (exit $?)"; tail -n 15 "$tmp/bench.err" "$tmp/bench.out" | sed 's/^/#   /'
    fi
    for f in runs.csv summary.csv machine.txt REPORT.md plotdata/charts.txt plotdata/styles.gp; do
        [ -s "$b/$f" ] && ok "make bench wrote $f" || not_ok "make bench wrote $f"
    done
    for c in wall_sleep wall_http mem_sleep memsplit_sleep cpu_sleep limits servers; do
        if is_png "$b/$c.png" "$(size_of "$c" "$b")" >"$tmp/why" 2>&1; then ok "make bench drew $c.png"
        else not_ok "make bench drew $c.png"; sed 's/^/#   /' "$tmp/why"; fi
    done
    grep -q "report: $b/REPORT.md" "$tmp/bench.out" && ok "make bench printed the report path" ||
        not_ok "make bench printed the report path"
fi

tap_done scripts
