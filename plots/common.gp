# common.gp: what every concbench chart shares; each chart script loads it
# first. The caller (scripts/plot.sh) sets:
#   out  the output file      fmt  'png' or 'svg'     height  pixels (600)
#   datadir  the folder of the data files and styles.gp (scripts/results.py)
# One colour and one point shape per strategy, the same in every chart, so a
# strategy is recognised at a glance; unknown names are drawn in black.
# Every chart draws only runs that did all their work (status ok): the data
# files leave the others' figures empty; the limits chart says where and why.
if (!exists("fmt")) fmt = 'png'
# height: set by the data writer for charts with a row per strategy (default 600).
if (!exists("height")) height = 600
if (fmt eq 'svg') {
    set terminal svg size 1000,height dynamic noenhanced font 'DejaVu Sans,13' background rgb 'white'
} else {
    set terminal pngcairo size 1000,height noenhanced font 'DejaVu Sans,11' background rgb 'white'
}
set output out
set datafile separator "\t"
set key outside right top vertical Left reverse noautotitle spacing 1.3 box
set grid xtics ytics mxtics mytics lc rgb '#dddddd' lw 1 dt 1
set border 3
set tics nomirror
set mxtics 10
set mytics 10
set lmargin 12

# Colours and point shapes: generated from `concbench list --tsv` into the
# data folder (scripts/results.py writes styles.gp): colnum(s), color(s), shape(s).
load datadir.'/styles.gp'

# Task counts read 1, 10, 100, 1k, 10k, 100k, 1M.
set format x '%.0s%c'
# Keep row s of workload w, else NaN (gnuplot skips NaN points).
pick(s, w, v) = (strcol('strategy') eq s && strcol('workload') eq w) ? v : NaN
# N of row s of workload w, else NaN: the x axis then spans that workload's
# data only (main.tsv holds every workload).
nx(s, w) = pick(s, w, column('n'))
# v on a row of workload wl (the chart's), when positive, else NaN: for stats.
in_wl(v) = strcol('workload') eq wl && v > 0 ? v : NaN
# Ranges hug the data with a margin, so no point sits on the border.
set autoscale fix
set offsets graph 0.03, graph 0.03, graph 0.06, graph 0.06
# Seconds on a log axis: label 1-2-5 steps, not only the decades
# (eval secs_tics('xtics') for an x axis).
secs_tics(ax) = 'set '.ax.' ("1e-05" 1e-05, "2e-05" 2e-05, "5e-05" 5e-05, "0.0001" 0.0001, "0.0002" 0.0002, "0.0005" 0.0005, "0.001" 0.001, "0.002" 0.002, "0.005" 0.005, "0.01" 0.01, "0.02" 0.02, "0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2, "5" 5, "10" 10, "20" 20, "50" 50, "100" 100, "200" 200, "500" 500, "1000" 1000, "2000" 2000, "5000" 5000, "10000" 10000, "20000" 20000, "50000" 50000)'
secs_ytics = secs_tics('ytics')
# Bytes on a log axis, 1-2-5 steps, decimal prefixes (k = 1000).
bytes_ytics = 'set ytics ("1 B" 1, "2 B" 2, "5 B" 5, "10 B" 10, "20 B" 20, "50 B" 50, "100 B" 100, "200 B" 200, "500 B" 500, "1 kB" 1000, "2 kB" 2000, "5 kB" 5000, "10 kB" 10000, "20 kB" 20000, "50 kB" 50000, "100 kB" 100000, "200 kB" 200000, "500 kB" 500000, "1 MB" 1000000, "2 MB" 2000000, "5 MB" 5000000, "10 MB" 10000000, "20 MB" 20000000, "50 MB" 50000000, "100 MB" 100000000, "200 MB" 200000000, "500 MB" 500000000, "1000 MB" 1000000000, "2000 MB" 2000000000, "5000 MB" 5000000000)'
# A byte axis for column c of rows pick()ed for workload w: log with the
# 1-2-5 tics above, or linear when the data spans less than 10x (the log tics
# would leave it unlabelled).
bytes_axis(lo, hi) = (hi > 0 && lo > 0 && hi / lo >= 10) ? \
    "set logscale y; ".bytes_ytics : \
    "unset logscale y; set ytics autofreq; set format y '%.1s %cB'"
# The same for seconds on axis ax ('x' or 'y').
secs_axis(ax, lo, hi) = (hi > 0 && lo > 0 && hi / lo >= 10) ? \
    "set logscale ".ax."; ".secs_tics(ax.'tics') : \
    "unset logscale ".ax."; set ".ax."tics autofreq; set format ".ax." '%g'"
