#!/bin/sh
# Tests of the user-facing glue: plot.sh with every plots/*.gp, report.py,
# and, once build/concbench exists, `concbench summarize` on a fixture and
# `make bench` end to end with the tiny profile.
# Usage (from the repo root): tests/test_scripts.sh
# Prints "ok - ...", "not ok - ..." or "skip - ..." per check, then
# "scripts: N passed, N failed"; exits non-zero if anything failed.
set -u

cb=${CB_BIN:-build/concbench}
fx=tests/fixtures
pass=0 fail=0 skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok()     { pass=$((pass + 1)); echo "ok - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $*"; }
skip()   { skip=$((skip + 1)); echo "skip - $*"; }
check()  { desc=$1; shift; if "$@" >"$tmp/check.out" 2>&1; then ok "$desc"; else not_ok "$desc"; sed 's/^/#   /' "$tmp/check.out" | head -20; fi; }

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

# --- plot.sh on the fixtures: every chart, every .gp script --------------------
d=$tmp/fx; mkdir -p "$d"; cp "$fx"/runs.csv "$fx"/summary.csv "$fx"/machine.txt "$fx"/reproduce.csv "$d"/
check "plot.sh draws the fixture folder" sh scripts/plot.sh "$d"
# Chart names per script: a new plots/*.gp must be added here and to plot.sh.
charts_of() {
    case $1 in
    wall.gp) echo wall_sleep wall_http ;;  mem.gp) echo mem_sleep mem_http ;;
    cpu.gp) echo cpu_sleep cpu_http ;;     latency.gp) echo latency_http ;;
    limits.gp) echo limits ;;              servers.gp) echo servers ;;
    article.gp) echo article ;;            *) echo "" ;;
    esac
}
for gp in plots/*.gp; do
    g=$(basename "$gp")
    case $g in common.gp|micro.gp) continue ;; esac
    names=$(charts_of "$g")
    if [ -z "$names" ]; then not_ok "$g: no chart known for it (add it to tests/test_scripts.sh)"; continue; fi
    grep -q "$g" scripts/plot.sh || { not_ok "$g: scripts/plot.sh never runs it"; continue; }
    for c in $names; do
        if is_png "$d/$c.png" 1000x600 >"$tmp/why" 2>&1 && is_svg "$d/$c.svg" >>"$tmp/why" 2>&1; then
            ok "$g renders $c.png (1000x600) and $c.svg"
        else not_ok "$g renders $c.png (1000x600) and $c.svg"; sed 's/^/#   /' "$tmp/why"; fi
    done
done
# A folder with only reproduce.csv (what `make reproduce` writes) gets the article chart.
r=$tmp/rep; mkdir -p "$r"; cp "$fx"/reproduce.csv "$r"/
if sh scripts/plot.sh "$r" >/dev/null 2>"$tmp/err" && is_png "$r/article.png" 1000x600 >"$tmp/why" 2>&1; then
    ok "plot.sh draws a reproduce-only folder"
else not_ok "plot.sh draws a reproduce-only folder"; sed 's/^/#   /' "$tmp/err" "$tmp/why"; fi

# --- report.py on the fixtures --------------------------------------------
check "report.py writes REPORT.md" python3 scripts/report.py "$d" --profile default
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
check "REPORT.md: the limit, its reason and the noisy row are stated" sh -c '
    grep -q "threads (sleep) stopped with status limit from N=10 000" "$1" && grep -q "busypoll (sleep) used CPU time" "$1" &&
    grep -q "pthread_create: EAGAIN" "$1" && grep -q "Noisy: fork, sleep, N=1 000" "$1" &&
    grep -q "sequential (sleep) was skipped from N=100" "$1" && grep -q "ceil(10/2) x 1 s = 5.000 s" "$1"' _ "$rep"
check "report.py --reproduce writes REPRODUCE.md with 9 rows and the 41.8 s finding" sh -c '
    python3 scripts/report.py --reproduce "$1" >/dev/null &&
    [ "$(grep -c "| \`concbench run" "$1/REPRODUCE.md")" -eq 9 ] &&
    grep -q "closest to the article.s 41.800 s is \"100 concurrent GETs, blocking W=2\"" "$1/REPRODUCE.md" &&
    ! grep -q -w -e nan -e None "$1/REPRODUCE.md"' _ "$d"

# --- the README's column table is columns.h's ----------------------------------
check "README.md lists every CSV column as harness/cli/columns.h says" sh -c '
    sh scripts/columns-table.sh > "$1/cols.want"
    grep "^| \`" README.md | grep -F -x -f "$1/cols.want" > "$1/cols.got"
    diff "$1/cols.want" "$1/cols.got"' sh "$tmp"

# --- with the program: summarize and make bench --------------------------------
if [ ! -x "$cb" ]; then
    skip "concbench summarize on the fixture ($cb not built)"
    skip "make bench PROFILE=tiny end to end ($cb not built)"
else
    # Field of one configuration of a summary CSV (fields here hold no commas).
    sfield() { awk -F, -v k="$2" -v col="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $1 "," $2 "," $3 "," $7 == k { print $c[col]; exit }' "$1"; }
    near() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && (a - b < 1e-6 && b - a < 1e-6)) }'; }
    s=$tmp/summary.csv
    if "$cb" summarize "$fx/runs.csv" -o "$s" 2>"$tmp/err"; then
        k="fork,sleep,1000,"
        m=$(sfield "$s" "$k" wall_med_s) lo=$(sfield "$s" "$k" wall_min_s) hi=$(sfield "$s" "$k" wall_max_s) nz=$(sfield "$s" "$k" noisy)
        if near "$m" 1.10 && near "$lo" 1.05 && near "$hi" 1.45 && [ "$nz" = 1 ]; then
            ok "summarize: median/min/max 1.10/1.05/1.45 and noisy=1 for fork sleep N=1000"
        else not_ok "summarize: fork sleep N=1000 gave med=$m min=$lo max=$hi noisy=$nz"; fi
        nz=$(sfield "$s" "epoll,sleep,1," noisy)
        [ "$nz" = 0 ] && ok "summarize: noisy=0 for a quiet configuration" || not_ok "summarize: epoll sleep N=1 noisy=$nz"
        st=$(sfield "$s" "threads,sleep,10000," status) st2=$(sfield "$s" "sequential,sleep,100," status)
        [ "$st" = limit ] && [ "$st2" = skipped ] && ok "summarize: limit and skipped statuses kept" ||
            not_ok "summarize: statuses limit/skipped came out as $st/$st2"
        rows=$(($(wc -l <"$s") - 1)) want=$(($(wc -l <"$fx/summary.csv") - 1))
        [ "$rows" -eq "$want" ] && ok "summarize: one row per configuration ($want)" || not_ok "summarize: $rows rows, expected $want"
    else
        not_ok "concbench summarize $fx/runs.csv"; sed 's/^/#   /' "$tmp/err" | head -5
    fi
    b=$tmp/bench
    if PROFILE=tiny CB_RESULTS=$b CB_BIN=$cb make -s bench >"$tmp/bench.out" 2>"$tmp/bench.err"; then
        ok "make bench PROFILE=tiny runs end to end"
    else
        not_ok "make bench PROFILE=tiny (exit $?)"; tail -n 15 "$tmp/bench.err" "$tmp/bench.out" | sed 's/^/#   /'
    fi
    for f in runs.csv summary.csv machine.txt REPORT.md; do
        [ -s "$b/$f" ] && ok "make bench wrote $f" || not_ok "make bench wrote $f"
    done
    for c in wall_sleep wall_http mem_sleep cpu_sleep latency_http limits servers; do
        if is_png "$b/$c.png" 1000x600 >"$tmp/why" 2>&1; then ok "make bench drew $c.png"
        else not_ok "make bench drew $c.png"; sed 's/^/#   /' "$tmp/why"; fi
    done
    grep -q "report: $b/REPORT.md" "$tmp/bench.out" && ok "make bench printed the report path" ||
        not_ok "make bench printed the report path"
fi

[ "$skip" -eq 0 ] || echo "scripts: $skip skipped"
echo "scripts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
