# mem.gp: memory per task (whole run, minus the process's baseline, over N)
# against N, one line per strategy, log-log, for one workload.
# Set by plot.sh: in, out, fmt, plotdir, wl, strategies.
load plotdir.'/common.gp'
set title sprintf("%s workload: memory per task against N (median; whole run incl. children)\nmissing point = growth below the 1 KiB resolution of the memory counters", wl)
set xlabel 'N (tasks, log scale)'
set ylabel 'memory per task (bytes, k = 1000; log scale)'
set logscale xy
@bytes_ytics
# Sequential runs one task at a time: its per-task figure is its total / N.
plot for [s in strategies] in \
        using (column('n')):(pick(s, wl, column('mem_per_task_med_b') > 0 ? column('mem_per_task_med_b') : NaN)) \
        with linespoints lw 2 pt shape(s) ps 1.3 lc rgb color(s) title s
