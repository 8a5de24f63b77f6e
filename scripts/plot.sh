#!/bin/sh
# Draw every concbench chart of one results folder.
# Usage: scripts/plot.sh DIR [results.py options, e.g. --profile default]
#   reads  DIR/summary.csv, runs.csv, raw.csv, reproduce.csv, whichever are present
#   writes DIR/plotdata/ (the gnuplot data and styles.gp), DIR/REPORT.md or
#          REPRODUCE.md, and DIR/<chart>.png and .svg; lists the PNGs on stdout
#
# The results pipeline (scripts/results.py, the scripts/cbresults package)
# reads the CSV files once and writes every data file and charts.txt, one
# chart a line: name, plots script, data file, gnuplot assignments. This
# script only runs gnuplot on each. Each .gp script gets: in (data file), out
# (output file), fmt (png|svg), plotdir, datadir, and the chart's assignments.
set -eu

dir=${1:?usage: scripts/plot.sh DIR [--profile NAME]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
plotdir=${CB_PLOTDIR:-$here/plots}
py=${CB_PYTHON:-/usr/bin/python3}
if [ ! -r "$dir/summary.csv" ] && [ ! -r "$dir/reproduce.csv" ]; then
    echo "plot.sh: neither $dir/summary.csv nor $dir/reproduce.csv" >&2; exit 1
fi
command -v gnuplot >/dev/null 2>&1 || { echo "plot.sh: gnuplot not found (scripts/install-deps.sh installs gnuplot-nox)" >&2; exit 1; }

data=$dir/plotdata
CB_PLOTDIR=$plotdir "$py" "$here/scripts/results.py" "$dir" --data "$data" "$@" >/dev/null
err=$(mktemp "${TMPDIR:-/tmp}/cbplot.XXXXXX")
trap 'rm -f "$err"' EXIT INT TERM

# One chart in both formats. gnuplot warns (and exits 0) on an empty series;
# keep that visible, but not its note that one flat series got a range of its own.
draw() {
    name=$1 gp=$2 in=$3 vars=$4
    for fmt in png svg; do
        if ! gnuplot -e "plotdir='$plotdir'; datadir='$data'; in='$in'; out='$dir/$name.$fmt'; fmt='$fmt'; $vars" \
            "$plotdir/$gp" 2>"$err"; then
            echo "plot.sh: $gp failed for $name.$fmt:" >&2; cat "$err" >&2; exit 1
        fi
        grep -v -e '^$' -e 'empty [xy]2* range' "$err" >&2 || true
    done
    echo "$dir/$name.png"
}
tab=$(printf '\t')
while IFS=$tab read -r name gp in vars; do
    draw "$name" "$gp" "$in" "$vars"
done <"$data/charts.txt"
