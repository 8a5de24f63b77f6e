# finish.gp: when tasks finished, from the start of the run (not per-task
# latency: latency.gp draws that) against N for one workload: p50 solid, p99
# dashed, one colour per strategy, log-log. Runs not ok are not drawn.
# Set by plot.sh: in, out, fmt, plotdir, datadir, wl, strategies.
load plotdir.'/common.gp'
set title sprintf('%s: task finish time from the start of the run, against N (p50 solid, p99 dashed; median; runs not ok not drawn)', wl)
set xlabel 'N (tasks, log scale)'
set ylabel 'task finish time from run start (s, log scale)'
set logscale xy
set format y '%g'
@secs_ytics
plot for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('fin_p50_med_s'))) \
        with linespoints lw 2 pt shape(s) ps 1.2 lc rgb color(s) title s, \
     for [s in strategies] in \
        using (nx(s, wl)):(pick(s, wl, column('fin_p99_med_s'))) \
        with linespoints lw 2 dt 2 pt shape(s) ps 0.8 lc rgb color(s) notitle, \
     NaN with lines lw 2 lc rgb 'black' title 'p50 (solid)', \
     NaN with lines lw 2 dt 2 lc rgb 'black' title 'p99 (dashed)'
