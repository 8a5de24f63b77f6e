# latency.gp: per-task finish time (from the start of the run) against N for
# HTTP: p50 solid, p99 dashed, one colour per strategy, log-log.
# Set by plot.sh: in, out, fmt, plotdir, wl, strategies.
load plotdir.'/common.gp'
set title 'HTTP: per-task finish time against N (p50 solid, p99 dashed; median of repetitions)'
set xlabel 'N (requests, log scale)'
set ylabel 'task finish time from run start (s, log scale)'
set logscale xy
set format y '%g'
@secs_ytics
plot for [s in strategies] in \
        using (column('n')):(pick(s, wl, column('p50_med_s'))) \
        with linespoints lw 2 pt shape(s) ps 1.2 lc rgb color(s) title s, \
     for [s in strategies] in \
        using (column('n')):(pick(s, wl, column('p99_med_s'))) \
        with linespoints lw 2 dt 2 pt shape(s) ps 0.8 lc rgb color(s) notitle, \
     NaN with lines lw 2 lc rgb 'black' title 'p50 (solid)', \
     NaN with lines lw 2 dt 2 lc rgb 'black' title 'p99 (dashed)'
