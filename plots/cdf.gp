# cdf.gp: the distribution of per-task latency (finish - start) at one N,
# from the raw per-task file (`concbench ... --raw`), one line per strategy:
# the fraction of tasks done within x seconds. Only tasks that succeeded, of
# runs that did all their work; every repetition pooled.
# Set by plot.sh: in (cdf_WL.tsv: strategy latency_s fraction), out, fmt,
#   plotdir, datadir, wl, n, strategies.
load plotdir.'/common.gp'
set title sprintf('%s, N = %d: latency distribution (fraction of tasks done within x; every repetition)', wl, n)
set xlabel 'per-task latency, finish - start (s)'
set ylabel 'fraction of tasks'
unset logscale y
stats in using (column('latency_s')) nooutput name 'L'
eval secs_axis('x', L_min, L_max)
set format y '%.1f'
set yrange [0:1.02]
set mytics 2
spick(s, v) = strcol('strategy') eq s ? v : NaN
plot for [s in strategies] in using (column('latency_s')):(spick(s, column('fraction'))) \
        with steps lw 2 lc rgb color(s) title s
