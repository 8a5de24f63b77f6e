#!/bin/sh
# Draw every concbench chart of one results folder.
# Usage: scripts/plot.sh DIR
#   reads  DIR/summary.csv and DIR/reproduce.csv, whichever are present
#   writes DIR/<chart>.png and DIR/<chart>.svg, and lists them on stdout
#
# gnuplot cannot read RFC 4180 fields that hold commas, and draws a line
# only through consecutive rows, so an awk pass first writes tab-separated
# files (same column names, no quoting, one strategy's rows together, by N)
# into a temporary folder; the plots/*.gp scripts read only those files.
# Each .gp script gets: in (data file), out (output file), fmt (png|svg),
# plotdir, and the series to draw (see the calls below).
set -eu

dir=${1:?usage: scripts/plot.sh DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
plotdir=${CB_PLOTDIR:-$here/plots}
summary=$dir/summary.csv
if [ ! -r "$summary" ] && [ ! -r "$dir/reproduce.csv" ]; then
    echo "plot.sh: neither $summary nor $dir/reproduce.csv" >&2; exit 1
fi
command -v gnuplot >/dev/null 2>&1 || { echo "plot.sh: gnuplot not found (scripts/install-deps.sh installs gnuplot-nox)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbplot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
# A reproduce-only folder has no summary: go on with no rows.
if [ ! -r "$summary" ]; then
    summary=$tmp/summary.csv
    echo "strategy,workload,n,max_in_flight,duration_s,target,server,status,wall_med_s,note" >"$summary"
fi

# One CSV parser (scripts/csv.awk), shared by every awk pass below.
CSV_AWK=$(cat "$(dirname "$0")/csv.awk")


# 1. summary.csv -> sorted plain CSV with a sort key in front, then cut.
awk "$CSV_AWK"'
NR == 1 { nh = csvsplit($0, h); line = ""
          for (i = 1; i <= nh; i++) { col[h[i]] = i; line = line (i > 1 ? "\t" : "") clean(h[i]) }
          print line > hdr; next }
{ n = csvsplit($0, f); line = ""
  # A run stopped by a limit (or killed, or failed) did not do all of its
  # work: its wall time is no point on a wall-time chart. The limits chart
  # and the report say where and why it stopped.
  if (f[col["status"]] != "ok" && f[col["status"]] != "errors")
      f[col["wall_med_s"]] = f[col["wall_min_s"]] = f[col["wall_max_s"]] = ""
  for (i = 1; i <= nh; i++) line = line (i > 1 ? "\t" : "") clean(f[i])
  s = f[col["strategy"]]
  printf "%d|%s|%s|%s|%020.3f|%s\n", srank(s), s, f[col["workload"]], f[col["server"]], f[col["n"]] + 0, line }
' hdr="$tmp/header" "$summary" | sort -t'|' -k1,1n -k2,2 -k3,3 -k4,4 -k5,5 | cut -d'|' -f6- >"$tmp/body"
cat "$tmp/header" "$tmp/body" >"$tmp/all.tsv"

# 2. Split: the main sweep (sleep, and HTTP against the default server) and
# the server comparison (HTTP rows of the strategy that was run against a
# blocking or prefork server, every server model). Write the series lists.
awk "$CSV_AWK"'
NR == 1 { nh = tsvsplit($0, h); for (i = 1; i <= nh; i++) col[h[i]] = i
          print > main; print > srv; next }
{ tsvsplit($0, f)
  s = f[col["strategy"]]; wl = f[col["workload"]]; sv = f[col["server"]]
  if (sv ~ /^(blocking|prefork)/) { cmp[s] = 1; srvrow[NR] = $0; srvs[NR] = s; next }
  print > main
  if (!((wl, s) in seen)) { seen[wl, s] = 1; list[wl] = list[wl] " " safe(s) }
  if (f[col["wall_med_s"]] != "" && !(wl in ideal)) ideal[wl] = f[col["duration_s"]]
  if (wl == "http") { httprow[NR] = $0; https[NR] = s; httpsv[NR] = sv }
}
END {
  for (k in cmp) { cs = k; break }
  if (cs != "") {
      # Rows in file order are already sorted by server then N.
      for (r = 1; r <= NR; r++) {
          if ((r in srvrow) && srvs[r] == cs) { print srvrow[r] > srv; csplit(srvrow[r]) }
          if ((r in httprow) && https[r] == cs) { print httprow[r] > srv; csplit(httprow[r]) }
      }
  }
  printf "strat_sleep=\"%s\"\nstrat_http=\"%s\"\n", list["sleep"], list["http"]
  printf "ideal_sleep=\"%s\"\nideal_http=\"%s\"\n", ideal["sleep"], ideal["http"]
  printf "cmp_strategy=\"%s\"\nservers=\"%s\"\nlatency=\"%s\"\n", safe(cs), servers, lat
}
function csplit(row,    g, sv) {
  tsvsplit(row, g); sv = g[col["server"]]
  if (!(sv in sseen)) { sseen[sv] = 1; servers = servers " " safe(sv) }
  if (lat == "") lat = g[col["duration_s"]]
}
' main="$tmp/main.tsv" srv="$tmp/servers.tsv" "$tmp/all.tsv" >"$tmp/vars"
. "$tmp/vars"

# 3. Where each strategy broke, per workload: the first N whose status is not
# ok/errors, and a short label from its note. Strategies that never broke get
# a bar to the largest N measured. Columns: y label strategy n kind text
awk "$CSV_AWK"'
function shorten(st, note,    m, lim, head) {
    if (st == "skipped") {
        if (match(note, /budget [0-9.]+ *[a-z]*/)) return "skipped: over " substr(note, RSTART, RLENGTH)
        if (note ~ /hit a limit/) return "skipped: smaller N hit a limit"
        return "skipped: " substr(note, 1, 40)
    }
    head = note; sub(/;.*/, "", head); sub(/ after [0-9]+ started/, "", head)
    lim = ""
    if (head ~ /binding limit/) sub(/binding limit /, "", head)   # EMFILE: RLIMIT_NOFILE=20000
    else if (match(note, /binding limit [A-Za-z_.]+=[0-9]+/)) lim = substr(note, RSTART + 14, RLENGTH - 14)
    m = st ": " head (lim != "" ? " (" lim ")" : "")
    if (length(m) > 60) m = substr(m, 1, 57) "..."
    return m
}
NR == 1 { nh = tsvsplit($0, h); for (i = 1; i <= nh; i++) col[h[i]] = i; next }
{ tsvsplit($0, f); s = f[col["strategy"]]; wl = f[col["workload"]]; n = f[col["n"]] + 0
  st = f[col["status"]]; k = wl SUBSEP s
  if (!(k in order)) { order[k] = ++nk; keys[nk] = k; ws[nk] = wl; ss[nk] = s }
  if (k in brk) next
  if (st == "errors" && !(k in errn)) { errn[k] = n; errk[k] = f[col["error_kinds"]] }
  if (st == "ok" || st == "errors") { if (f[col["wall_med_s"]] != "" && n > maxok[k]) maxok[k] = n; next }
  brk[k] = n; bst[k] = st; bnote[k] = shorten(st, f[col["note"]])
}
END {
  OFS = "\t"; print "y", "label", "strategy", "n", "kind", "text"
  y = 0
  for (w = 1; w <= 2; w++) for (i = nk; i >= 1; i--) {
      wl = (w == 1 ? "http" : "sleep"); if (ws[i] != wl) continue
      k = keys[i]; y++
      if (k in brk) printf "%d\t%s / %s\t%s\t%d\t%s\tN=%d: %s\n", y, ss[i], wl, ss[i], brk[k], (bst[k] == "skipped" ? "skipped" : "limit"), brk[k], bnote[k]
      else printf "%d\t%s / %s\t%s\t%d\tnone\tran every N up to %d%s\n", y, ss[i], wl, ss[i], maxok[k], maxok[k], \
                  ((k in errn) ? sprintf("; errors from N=%d: %s", errn[k], substr(errk[k], 1, 24)) : "")
  }
}
' "$tmp/main.tsv" >"$tmp/breaks.tsv"

# 4. reproduce.csv -> plain TSV, one row per experiment, numbered top-down.
if [ -r "$dir/reproduce.csv" ]; then
    awk "$CSV_AWK"'
    NR == 1 { nh = csvsplit($0, h); for (i = 1; i <= nh; i++) col[h[i]] = i
              OFS = "\t"; print "y", "experiment", "article_s", "ours_s", "ratio", "cpu_s", "strategy"; next }
    { csvsplit($0, f); r[++m] = clean(f[col["experiment"]]) OFS f[col["article_s"]] OFS f[col["ours_s"]] OFS \
        f[col["ratio"]] OFS f[col["cpu_s"]] OFS clean(f[col["strategy"]]) }
    END { for (i = 1; i <= m; i++) print m - i + 1, r[i] }
    ' "$dir/reproduce.csv" >"$tmp/reproduce.tsv"
fi

# Draw one chart in both formats: draw NAME SCRIPT DATA [gnuplot assignments]
drawn=""
draw() {
    name=$1 gp=$2 data=$3; shift 3
    for fmt in png svg; do
        if ! gnuplot -e "plotdir='$plotdir'; in='$data'; out='$dir/$name.$fmt'; fmt='$fmt'; $*" \
            "$plotdir/$gp" 2>"$tmp/gp.err"; then
            echo "plot.sh: $gp failed for $name.$fmt:" >&2; cat "$tmp/gp.err" >&2; exit 1
        fi
        # gnuplot warns (and exits 0) on an empty series; keep that visible,
        # but not its note that one flat series got a range of its own.
        grep -v -e '^$' -e 'empty [xy]2* range' "$tmp/gp.err" >&2 || true
    done
    drawn="$drawn $name"
}

for wl in sleep http; do
    eval "strats=\$strat_$wl ideal=\$ideal_$wl"
    [ -n "$strats" ] || continue
    draw "wall_$wl" wall.gp "$tmp/main.tsv" "wl='$wl'; strategies='$strats'; ideal=${ideal:-0}"
    draw "mem_$wl" mem.gp "$tmp/main.tsv" "wl='$wl'; strategies='$strats'"
    draw "cpu_$wl" cpu.gp "$tmp/main.tsv" "wl='$wl'; strategies='$strats'"
done
[ -n "$strat_http" ] && draw latency_http latency.gp "$tmp/main.tsv" "wl='http'; strategies='$strat_http'"
[ "$(wc -l <"$tmp/breaks.tsv")" -gt 1 ] && draw limits limits.gp "$tmp/breaks.tsv" ""
[ -n "$cmp_strategy" ] && draw servers servers.gp "$tmp/servers.tsv" \
    "strategy='$cmp_strategy'; servers='$servers'; latency=${latency:-1}"
[ -r "$tmp/reproduce.tsv" ] && draw article article.gp "$tmp/reproduce.tsv" ""
for c in $drawn; do echo "$dir/$c.png"; done
